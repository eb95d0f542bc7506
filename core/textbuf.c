/*
 * textbuf.c - a growable text in memory; see textbuf.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "textbuf.h"

/* Room for n more bytes and a NUL; false (and b->failed) if there is none. */
static bool
reserve(struct textbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;
	char *s;

	if (b->failed)
		return false;
	if (n >= (size_t)-1 / 2 - b->len) {
		b->failed = true;
		return false;
	}
	if (b->s != NULL && b->len + n < b->cap)
		return true;
	while (cap <= b->len + n)
		cap *= 2;
	if ((s = realloc(b->s, cap)) == NULL) {
		b->failed = true;
		return false;
	}
	b->s = s;
	b->cap = cap;
	return true;
}

void
textbuf_add(struct textbuf *b, const char *p, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
textbuf_add_crlf(struct textbuf *b, const char *p, size_t n)
{
	const char *end = p + n, *nl;

	for (;;) {
		nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		if (nl == NULL) {
			textbuf_add(b, p, (size_t)(end - p));
			return;
		}
		textbuf_add(b, p, (size_t)(nl - p));
		textbuf_add(b, "\r\n", 2);
		p = nl + 1;
	}
}

void
textbuf_vprintf(struct textbuf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, again);
	va_end(again);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (!reserve(b, (size_t)n))
		return;
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
textbuf_printf(struct textbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	textbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
textbuf_reset(struct textbuf *b, size_t keep)
{
	if (b->cap > keep) {
		free(b->s);
		b->s = NULL;
		b->cap = 0;
	}
	b->len = 0;
	b->failed = false;
	if (b->s != NULL)
		b->s[0] = '\0';
}

void
textbuf_free(struct textbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* A text as a JSON string, escaped for people first. */
void
textbuf_json_string(struct textbuf *b, const char *s)
{
	char *safe = text_escape_str(s, TEXT_BACKSLASH);
	const char *p;

	if (safe == NULL) {
		b->failed = true;
		return;
	}
	textbuf_add(b, "\"", 1);
	for (p = safe; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			textbuf_add(b, "\\", 1);
		textbuf_add(b, p, 1);
	}
	textbuf_add(b, "\"", 1);
	free(safe);
}

/* A policy name or detail for a line of text: escaped, never NULL. */
void
textbuf_plain(struct textbuf *b, const char *s)
{
	char *safe = text_escape_str(s, 0);

	if (safe == NULL) {
		b->failed = true;
		return;
	}
	textbuf_printf(b, "%s", safe);
	free(safe);
}

char *
textbuf_finish(struct textbuf *b)
{
	if (b->failed || b->s == NULL) {
		textbuf_free(b);
		return NULL;
	}
	return b->s;
}
