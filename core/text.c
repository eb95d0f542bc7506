/*
 * text.c - escape untrusted text for printing; see text.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/*
 * The length of the valid UTF-8 sequence at p (at most n bytes), or 0.
 * Overlong forms, surrogates and code points above U+10FFFF are invalid.
 */
static size_t
utf8_len(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t v, min;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		v = p[0] & 0x1f;
		min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		v = p[0] & 0x0f;
		min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		v = p[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/*
 * Code points that act on the text around them instead of showing as a
 * glyph: the controls (C0, DEL, C1), the line and paragraph separators,
 * and the format characters (Unicode general category Cf, 15.0) - the
 * bidirectional embeddings, overrides and isolates that reorder what
 * follows, the zero-width spaces and joiners, the byte order mark, the
 * soft hyphen, the invisible tags.  Any of them can make a name look like
 * another one.
 */
static const struct {
	uint32_t lo, hi;
} unsafe[] = {
	{ 0x0000, 0x001f }, { 0x007f, 0x009f }, { 0x00ad, 0x00ad },
	{ 0x0600, 0x0605 }, { 0x061c, 0x061c }, { 0x06dd, 0x06dd },
	{ 0x070f, 0x070f }, { 0x0890, 0x0891 }, { 0x08e2, 0x08e2 },
	{ 0x180e, 0x180e }, { 0x200b, 0x200f }, { 0x2028, 0x202e },
	{ 0x2060, 0x2064 }, { 0x2066, 0x206f }, { 0xfeff, 0xfeff },
	{ 0xfff9, 0xfffb }, { 0x110bd, 0x110bd }, { 0x110cd, 0x110cd },
	{ 0x13430, 0x1343f }, { 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a },
	{ 0xe0001, 0xe0001 }, { 0xe0020, 0xe007f },
};

static bool
is_unsafe(uint32_t cp)
{
	size_t i;

	for (i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++)
		if (cp >= unsafe[i].lo && cp <= unsafe[i].hi)
			return true;
	return false;
}

/*
 * Write the escaped form of the character at p (or of its first byte,
 * when it is not valid UTF-8 or must be shown as bytes) to out when out
 * is not NULL.  *in gets the bytes read; returns the bytes written.
 */
static size_t
escape_one(const unsigned char *p, size_t n, unsigned flags, char *out,
    size_t *in)
{
	size_t len, k;
	uint32_t cp = 0;

	len = utf8_len(p, n, &cp);
	if (len == 0 || (is_unsafe(cp) &&
	    !(cp == '\n' && (flags & TEXT_KEEP_NEWLINE)))) {
		/* An unsafe character as its bytes, like bad UTF-8. */
		*in = len ? len : 1;
		for (k = 0; k < *in; k++)
			if (out != NULL)
				snprintf(out + 4 * k, 5, "\\x%02x", p[k]);
		return 4 * *in;
	}
	*in = len;
	if ((flags & TEXT_BACKSLASH) && cp == '\\') {
		if (out != NULL)
			memcpy(out, "\\\\", 2);
		return 2;
	}
	if (out != NULL)
		memcpy(out, p, len);
	return len;
}

/*
 * Walk the n bytes at p; write the escaped text to out when it is not
 * NULL, stopping before the character whose escaped form would end past
 * max bytes.  Returns the escaped length; *whole says whether all of the
 * input fit.
 */
static size_t
escape(const char *p, size_t n, unsigned flags, char *out, size_t max,
    bool *whole)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, used = 0, in, len;

	*whole = true;
	while (i < n) {
		len = escape_one(s + i, n - i, flags, NULL, &in);
		if (used + len > max) {
			*whole = false;
			break;
		}
		escape_one(s + i, n - i, flags, out ? out + used : NULL, &in);
		used += len;
		i += in;
	}
	return used;
}

char *
text_escape(const char *p, size_t n, unsigned flags)
{
	bool whole;
	size_t len = escape(p, n, flags, NULL, SIZE_MAX, &whole);
	char *out = malloc(len + 1);

	if (out == NULL)
		return NULL;
	escape(p, n, flags, out, SIZE_MAX, &whole);
	out[len] = '\0';
	return out;
}

size_t
text_escape_into(const char *s, unsigned flags, char *buf, size_t size)
{
	bool whole;
	size_t len, k;

	if (size == 0)
		return 0;
	len = escape(s, strlen(s), flags, buf, size - 1, &whole);
	if (!whole) {
		/* Cut between characters, leaving room for the mark. */
		len = escape(s, strlen(s), flags, buf, size > 4 ? size - 4 : 0,
		    &whole);
		for (k = 0; k < 3 && len < size - 1; k++)
			buf[len++] = '.';
	}
	buf[len] = '\0';
	return len;
}

char *
text_escape_str(const char *s, unsigned flags)
{
	return text_escape(s, strlen(s), flags);
}

bool
text_needs_escape(const char *s, unsigned flags)
{
	size_t n = strlen(s);
	bool whole;

	return escape(s, n, flags, NULL, SIZE_MAX, &whole) != n;
}

bool
text_utf8_valid(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	uint32_t cp;
	size_t i = 0, len;

	while (i < n) {
		if ((len = utf8_len(u + i, n - i, &cp)) == 0)
			return false;
		i += len;
	}
	return true;
}
