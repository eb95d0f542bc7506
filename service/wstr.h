/*
 * wstr.h - UTF-16 (Windows) to UTF-8 (core/) text and back.
 *
 * core/ speaks UTF-8 only; these two conversions are the border.
 */
#ifndef CERTBIND_WSTR_H
#define CERTBIND_WSTR_H

#include <wchar.h>

/* malloc'ed UTF-8 copy of s, or NULL (out of memory or invalid text). */
char *utf8_from_wide(const wchar_t *s);

/* malloc'ed UTF-16 copy of s, or NULL. */
wchar_t *wide_from_utf8(const char *s);

#endif
