/*
 * textbuf.h - a growable text in memory, written out in one piece.
 *
 * certbind's output (service/out.c) and the files it writes are built
 * here and handed to the system whole: one write per report or file
 * instead of one per line or per character.  An allocation that fails is
 * remembered, so that callers check once, at the end.
 */
#ifndef CERTBIND_TEXTBUF_H
#define CERTBIND_TEXTBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct textbuf {
	char *s;                  /* NUL-terminated once anything was added */
	size_t len, cap;
	bool failed;              /* out of memory once: s is incomplete */
};

/* Add the n bytes at p. */
void textbuf_add(struct textbuf *b, const char *p, size_t n);

/*
 * Add the n bytes at p with every '\n' written "\r\n", as the C runtime's
 * text mode writes stdout and stderr on Windows.
 */
void textbuf_add_crlf(struct textbuf *b, const char *p, size_t n);

void textbuf_printf(struct textbuf *b, const char *fmt, ...) CB_PRINTF(2, 3);
void textbuf_vprintf(struct textbuf *b, const char *fmt, va_list ap)
    CB_PRINTF(2, 0);

/* Empty it for reuse; memory beyond keep bytes is given back. */
void textbuf_reset(struct textbuf *b, size_t keep);

void textbuf_free(struct textbuf *b);

/* s as a JSON string, escaped for people first (core/text.h). */
void textbuf_json_string(struct textbuf *b, const char *s);

/* s for a line of text: escaped, never NULL. */
void textbuf_plain(struct textbuf *b, const char *s);

/* The text, or NULL (and freed) when out of memory or empty. */
char *textbuf_finish(struct textbuf *b);

#endif
