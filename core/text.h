/*
 * text.h - untrusted text made safe to print, and counted text made a C
 * string without losing any of it.
 *
 * Names from certificates and values from the policy reach terminals, log
 * files and the Event Log.  A control character there can rewrite what an
 * operator sees, and a NUL would cut the text short wherever it is used as
 * a C string, and a bidirectional override or a zero-width character can
 * reorder or hide part of a name.  Such characters are written as their
 * UTF-8 bytes, each as \xHH (U+202E is "\xe2\x80\xae"): one style for
 * everything, so the text is shown whole and can never equal a name that
 * lacks them.
 */
#ifndef CERTBIND_TEXT_H
#define CERTBIND_TEXT_H

#include <stdbool.h>
#include <stddef.h>

enum {
	TEXT_BACKSLASH = 1 << 0,       /* write a backslash as "\\" too */
	TEXT_KEEP_NEWLINE = 1 << 1     /* leave '\n' as it is */
};

/*
 * A malloc'ed C string holding the n bytes at p, with every control
 * character (C0, DEL, C1), NUL, line or paragraph separator (U+2028,
 * U+2029), format character (Unicode category Cf: bidirectional controls
 * U+202A-U+202E and U+2066-U+2069, zero-width U+200B-U+200F, U+FEFF, ...)
 * and byte that is not part of valid UTF-8 written as \xHH, byte by byte.  TEXT_BACKSLASH makes the escaped form unambiguous
 * (names read from certificates); TEXT_KEEP_NEWLINE is for messages laid
 * out on several lines on purpose.  NULL when out of memory.
 */
char *text_escape(const char *p, size_t n, unsigned flags);

/* The same for a C string. */
char *text_escape_str(const char *s, unsigned flags);

/*
 * text_escape_str(s, flags) into the size bytes at buf, NUL included.
 * When it does not fit, it is cut between two characters (never inside
 * an \xHH escape or a UTF-8 sequence) and ends with "..." so that the
 * cut shows.  Returns the length written.
 */
size_t text_escape_into(const char *s, unsigned flags, char *buf,
    size_t size);

/* s would change under text_escape_str(s, flags). */
bool text_needs_escape(const char *s, unsigned flags);

/*
 * The n bytes at p are valid UTF-8 (no overlong form, surrogate or code
 * point above U+10FFFF): what a conversion from UTF-16 can give.
 */
bool text_utf8_valid(const char *p, size_t n);

#endif
