/*
 * text.h - untrusted text made safe to print, and counted text made a C
 * string without losing any of it.
 *
 * Names from certificates and values from the policy reach terminals, log
 * files and the Event Log.  A control character there can rewrite what an
 * operator sees, and a NUL would cut the text short wherever it is used as
 * a C string.  Such bytes are written as \xHH instead, so the text is
 * shown whole and can never equal a name that lacks them.
 */
#ifndef CERTBIND_TEXT_H
#define CERTBIND_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A malloc'ed C string holding the n bytes at p, with every control
 * character (C0, DEL, C1), NUL and byte that is not part of valid UTF-8
 * written as \xHH.  With backslash set, a backslash is written "\\" too,
 * so that the escaped form is unambiguous.  NULL when out of memory.
 */
char *text_escape(const char *p, size_t n, bool backslash);

/* The same, in place of a C string: NULL when out of memory. */
char *text_escape_str(const char *s, bool backslash);

/* s needs escaping (it holds a control character or invalid UTF-8). */
bool text_needs_escape(const char *s);

#endif
