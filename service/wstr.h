/*
 * wstr.h - UTF-16 (Windows) to UTF-8 (core/) text and back.
 *
 * core/ speaks UTF-8 only; these conversions are the border.
 */
#ifndef CERTBIND_WSTR_H
#define CERTBIND_WSTR_H

#include <wchar.h>

/* malloc'ed UTF-8 copy of s, or NULL (out of memory or invalid text). */
char *utf8_from_wide(const wchar_t *s);

/*
 * The n UTF-16 units at s (a counted string from Windows, which may hold
 * a NUL) as malloc'ed printable UTF-8: every unit is kept, and NULs and
 * control characters are written \xHH (core/text.h), backslashes "\\".
 * NULL when out of memory.
 */
char *text_from_wide(const wchar_t *s, size_t n);

/* malloc'ed UTF-16 copy of s, or NULL. */
wchar_t *wide_from_utf8(const char *s);

#endif
