/*
 * names.c - does a certificate's name cover a host name (RFC 6125)?
 *
 * The rules, strict on purpose because a binding that matches too much
 * serves the wrong site:
 *  - SAN dNSName entries are used when there is at least one; the subject
 *    CN is looked at only when the certificate has no dNSName at all.
 *  - Comparison is ASCII case-insensitive; one trailing dot is ignored.
 *  - A wildcard is only a whole left-most label "*", it stands for exactly
 *    one non-empty label, it needs at least two labels after it
 *    ("*.test" covers nothing), and it never matches an A-label ("xn--"),
 *    since the Unicode form the user typed may not be what it covers.
 *  - A name holding anything but letters, digits, '-', '.' and the
 *    wildcard '*' never matches (RFC 1123 LDH): store.c writes a NUL or
 *    control character in a certificate's name as \xHH, so
 *    "good.example.test\x00.evil.test" is never good.example.test.
 */
#include <string.h>

#include "ascii.h"
#include "cert.h"

/* Length without one trailing dot. */
static size_t
trimmed_len(const char *s)
{
	size_t n = strlen(s);

	return (n > 0 && s[n - 1] == '.') ? n - 1 : n;
}

static size_t
count_labels(const char *s, size_t n)
{
	size_t i, labels = n > 0;

	for (i = 0; i < n; i++)
		if (s[i] == '.')
			labels++;
	return labels;
}

/* A letter, digit, '-' or '.': what a DNS name is made of (RFC 1123). */
static bool
is_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/*
 * n bytes of presented equal those of host, ASCII case aside, and are all
 * LDH.  Checked only once the lengths agree, so a name of another length
 * costs nothing on the hot path.
 */
static bool
equal_ldh(const char *presented, const char *host, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_ldh((unsigned char)presented[i]))
			return false;
	return ascii_nequal_nocase(presented, host, n);
}

bool
name_matches(const char *presented, const char *host)
{
	size_t plen = trimmed_len(presented), hlen = trimmed_len(host);
	const char *hdot;
	size_t first, i;

	if (plen == 0 || hlen == 0)
		return false;
	if (memchr(presented, '*', plen) == NULL)
		return plen == hlen && equal_ldh(presented, host, plen);

	/* Only "*.rest" with at least two labels in rest. */
	if (plen < 3 || presented[0] != '*' || presented[1] != '.' ||
	    memchr(presented + 1, '*', plen - 1) != NULL ||
	    count_labels(presented + 2, plen - 2) < 2)
		return false;
	hdot = memchr(host, '.', hlen);
	if (hdot == NULL)
		return false;
	first = (size_t)(hdot - host);
	if (first == 0 || hlen - first != plen - 1 ||
	    (first >= 4 && ascii_nequal_nocase(host, "xn--", 4)))
		return false;
	for (i = 0; i < first; i++)    /* the label the wildcard stands for */
		if (!is_ldh((unsigned char)host[i]) || host[i] == '.')
			return false;
	return equal_ldh(presented + 1, hdot, plen - 1);
}

bool
cert_covers(const struct cert *c, const char *host)
{
	size_t i;

	if (c->ndns == 0)
		return c->cn != NULL && name_matches(c->cn, host);
	for (i = 0; i < c->ndns; i++)
		if (name_matches(c->dns[i], host))
			return true;
	return false;
}
