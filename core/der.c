/*
 * der.c - read a Name's commonName and a subjectAltName's dNSNames from
 * DER with counted lengths; see der.h.
 *
 * Only what these two structures need is accepted: one-byte tags and
 * definite lengths (DER has no others), every length inside its parent.
 * Anything else is "malformed", and the caller treats the certificate as
 * unreadable rather than guess.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "der.h"
#include "text.h"

#define TAG_SEQUENCE 0x30
#define TAG_SET 0x31
#define TAG_OID 0x06
#define TAG_DNS_NAME 0x82       /* [2] IMPLICIT IA5String, RFC 5280 */

/* A stretch of encoding still to be read. */
struct cursor {
	const uint8_t *p;
	size_t n;
};

/* Read one tag-length-value; its content goes to val.  -1 if malformed. */
static int
next_tlv(struct cursor *in, uint8_t *tag, struct cursor *val)
{
	size_t len, i, nlen;

	if (in->n < 2 || (in->p[0] & 0x1f) == 0x1f)
		return -1;      /* truncated, or a multi-byte tag */
	*tag = in->p[0];
	if (in->p[1] < 0x80) {
		len = in->p[1];
		i = 2;
	} else {
		nlen = in->p[1] & 0x7f;
		if (nlen == 0 || nlen > 4 || in->n < 2 + nlen)
			return -1;  /* indefinite, or longer than we read */
		for (len = 0, i = 0; i < nlen; i++)
			len = len << 8 | in->p[2 + i];
		i = 2 + nlen;
	}
	if (len > in->n - i)
		return -1;
	val->p = in->p + i;
	val->n = len;
	in->p += i + len;
	in->n -= i + len;
	return 0;
}

/* The whole input is one TLV with this tag; its content goes to val. */
static int
only_tlv(const uint8_t *der, size_t len, uint8_t want, struct cursor *val)
{
	struct cursor in = { der, len };
	uint8_t tag;

	if (next_tlv(&in, &tag, val) != 0 || tag != want || in.n != 0)
		return -1;
	return 0;
}

static bool
is_string_tag(uint8_t tag)
{
	switch (tag) {
	case DER_UTF8_STRING:
	case DER_NUMERIC_STRING:
	case DER_PRINTABLE_STRING:
	case DER_TELETEX_STRING:
	case DER_IA5_STRING:
	case DER_VISIBLE_STRING:
	case DER_UNIVERSAL_STRING:
	case DER_BMP_STRING:
		return true;
	}
	return false;
}

/*
 * One AttributeTypeAndValue: SEQUENCE { OID, value }.  1 and cn filled
 * when it is the commonName, 0 when another attribute, -1 if malformed.
 */
static int
read_attribute(struct cursor *set, struct der_string *cn)
{
	static const uint8_t oid_cn[] = { 0x55, 0x04, 0x03 };
	struct cursor atv, oid, val;
	uint8_t tag;

	if (next_tlv(set, &tag, &atv) != 0 || tag != TAG_SEQUENCE ||
	    next_tlv(&atv, &tag, &oid) != 0 || tag != TAG_OID ||
	    next_tlv(&atv, &tag, &val) != 0 || atv.n != 0)
		return -1;
	if (oid.n != sizeof(oid_cn) || memcmp(oid.p, oid_cn, oid.n) != 0)
		return 0;
	if (!is_string_tag(tag))
		return -1;
	cn->tag = tag;
	cn->p = val.p;
	cn->n = val.n;
	return 1;
}

int
der_name_cn(const uint8_t *der, size_t len, struct der_string *cn)
{
	struct cursor name, set;
	uint8_t tag;
	int found = 0, rc;

	if (only_tlv(der, len, TAG_SEQUENCE, &name) != 0)
		return -1;
	/* Every RDN is read, so that a malformed one fails even after a CN. */
	while (name.n > 0) {
		if (next_tlv(&name, &tag, &set) != 0 || tag != TAG_SET ||
		    set.n == 0)
			return -1;
		while (set.n > 0) {
			struct der_string s;

			if ((rc = read_attribute(&set, &s)) < 0)
				return -1;
			if (rc == 1 && !found) {
				*cn = s;
				found = 1;
			}
		}
	}
	return found;
}

int
der_san_dns(const uint8_t *der, size_t len,
    int (*fn)(const struct der_string *s, void *arg), void *arg)
{
	struct cursor names, val;
	struct der_string s;
	uint8_t tag;
	int count = 0;

	if (only_tlv(der, len, TAG_SEQUENCE, &names) != 0)
		return -1;
	while (names.n > 0) {
		if (next_tlv(&names, &tag, &val) != 0)
			return -1;
		if (tag != TAG_DNS_NAME)
			continue;
		s.tag = DER_IA5_STRING;
		s.p = val.p;
		s.n = val.n;
		if (fn(&s, arg) != 0)
			return -1;
		count++;
	}
	return count;
}

/* Append code point cp as UTF-8; not a character: U+FFFD. */
static size_t
put_utf8(uint32_t cp, uint8_t *out)
{
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xc0 | cp >> 6);
		out[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (uint8_t)(0xe0 | cp >> 12);
		out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (uint8_t)(0xf0 | cp >> 18);
	out[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * UCS-2 (BMPString, surrogate pairs allowed as in UTF-16) or UCS-4
 * (UniversalString), big-endian, to UTF-8.  A trailing partial unit is
 * U+FFFD.  Returns the UTF-8 length; out holds at least 2 * n bytes.
 */
static size_t
ucs_to_utf8(const uint8_t *p, size_t n, size_t unit, uint8_t *out)
{
	size_t i = 0, used = 0, k;
	uint32_t cp;

	while (i < n) {
		if (n - i < unit) {
			used += put_utf8(0xfffd, out + used);
			break;
		}
		for (cp = 0, k = 0; k < unit; k++)
			cp = cp << 8 | p[i + k];
		i += unit;
		if (unit == 2 && cp >= 0xd800 && cp <= 0xdbff && n - i >= 2) {
			uint32_t lo = (uint32_t)p[i] << 8 | p[i + 1];

			if (lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 2;
			}
		}
		used += put_utf8(cp, out + used);
	}
	return used;
}

char *
der_string_text(const struct der_string *s)
{
	size_t unit = s->tag == DER_BMP_STRING ? 2 :
	    s->tag == DER_UNIVERSAL_STRING ? 4 : 0;
	uint8_t *utf8;
	size_t n;
	char *out;

	if (unit == 0)
		return text_escape((const char *)s->p, s->n, TEXT_BACKSLASH);
	/* 2 bytes of UCS-2 make at most 3 of UTF-8; 4 of UCS-4 at most 4. */
	utf8 = malloc(2 * s->n + 4);
	if (utf8 == NULL)
		return NULL;
	n = ucs_to_utf8(s->p, s->n, unit, utf8);
	out = text_escape((const char *)utf8, n, TEXT_BACKSLASH);
	free(utf8);
	return out;
}
