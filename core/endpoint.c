/*
 * endpoint.c - parse and print HTTP.sys binding endpoints.
 *
 * The IPv4 and IPv6 parsers are written out here rather than taken from
 * inet_pton because core/ builds without any platform socket header and
 * because the accepted forms should be exactly the documented ones
 * (dotted-quad decimal only: no octal, hex or short forms).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ascii.h"
#include "endpoint.h"

static int
why_set(char *why, size_t whylen, const char *msg)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", msg);
	return -1;
}

static int
parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	const char *p;

	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v == 0 || v > 65535 || (s[0] == '0'))
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* Dotted quad, decimal, no leading zeros: "192.0.2.1". */
static int
parse_ipv4(const char *s, size_t len, uint8_t out[4])
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned v = 0;
		size_t start = i;

		while (i < len && isdigit((unsigned char)s[i])) {
			v = v * 10 + (unsigned)(s[i] - '0');
			if (v > 255 || i - start >= 3)
				return -1;
			i++;
		}
		if (i == start || (i - start > 1 && s[start] == '0'))
			return -1;
		out[part] = (uint8_t)v;
		if (part < 3) {
			if (i >= len || s[i] != '.')
				return -1;
			i++;
		}
	}
	return i == len ? 0 : -1;
}

/* RFC 4291 text form, including "::" and an embedded IPv4 tail. */
static int
parse_ipv6(const char *s, size_t len, uint8_t out[16])
{
	uint16_t words[8];
	int nwords = 0, gap = -1;
	size_t i = 0;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (len > 0 && s[0] == ':') {
		return -1;
	}
	while (i < len) {
		unsigned v = 0;
		size_t start = i;

		if (nwords == 8)
			return -1;
		while (i < len && ascii_hexval((unsigned char)s[i]) >= 0 &&
		    i - start < 4) {
			v = v * 16 + (unsigned)ascii_hexval((unsigned char)s[i]);
			i++;
		}
		if (i < len && s[i] == '.') {
			/* IPv4 tail: needs room for two words. */
			uint8_t v4[4];

			if (nwords > 6 || parse_ipv4(s + start, len - start,
			    v4) != 0)
				return -1;
			words[nwords++] = (uint16_t)(v4[0] << 8 | v4[1]);
			words[nwords++] = (uint16_t)(v4[2] << 8 | v4[3]);
			i = len;
			break;
		}
		if (i == start)
			return -1;
		words[nwords++] = (uint16_t)v;
		if (i == len)
			break;
		if (s[i] != ':')
			return -1;
		i++;
		if (i < len && s[i] == ':') {
			if (gap >= 0)
				return -1;
			gap = nwords;
			i++;
		} else if (i == len) {
			return -1;      /* trailing single colon */
		}
	}
	if (gap < 0 && nwords != 8)
		return -1;
	if (gap >= 0 && nwords > 7)
		return -1;
	memset(out, 0, 16);
	if (gap < 0)
		gap = nwords;
	for (int w = 0; w < gap; w++) {
		out[2 * w] = (uint8_t)(words[w] >> 8);
		out[2 * w + 1] = (uint8_t)words[w];
	}
	for (int w = gap; w < nwords; w++) {
		int at = 8 - (nwords - w);

		out[2 * at] = (uint8_t)(words[w] >> 8);
		out[2 * at + 1] = (uint8_t)words[w];
	}
	return 0;
}

bool
hostname_valid(const char *name)
{
	size_t len = strlen(name), label = 0, i;

	if (len == 0 || len > ENDPOINT_HOST_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			if (label == 0 || name[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-')
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && name[len - 1] != '-';
}

/* The last label is all digits: the text meant to be an IPv4 address. */
static bool
looks_numeric(const char *s, size_t len)
{
	size_t i = len;

	while (i > 0 && s[i - 1] != '.')
		i--;
	if (i == len)
		return false;
	for (; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int
parse_host_part(const char *host, size_t hlen, struct endpoint *ep,
    char *why, size_t whylen)
{
	size_t i;

	/* Keywords, like host names, are case-insensitive: CCS is ccs. */
	if (hlen == 3 && ascii_nequal_nocase(host, "ccs", 3)) {
		ep->kind = EP_CCS;
		return 0;
	}
	if (looks_numeric(host, hlen)) {
		ep->kind = EP_IPV4;
		if (parse_ipv4(host, hlen, ep->addr) != 0)
			return why_set(why, whylen, "invalid IPv4 address");
		return 0;
	}
	if (hlen > ENDPOINT_HOST_MAX)
		return why_set(why, whylen, "host name is too long");
	ep->kind = EP_SNI;
	for (i = 0; i < hlen; i++)
		ep->host[i] = (char)tolower((unsigned char)host[i]);
	ep->host[hlen] = '\0';
	if (hlen > 1 && ep->host[hlen - 1] == '.') {
		ep->host[hlen - 1] = '\0';
		if (hostname_valid(ep->host))
			return why_set(why, whylen, "remove the trailing "
			    "dot: HTTP.sys keys SNI bindings by the name "
			    "without it");
	}
	if (!hostname_valid(ep->host))
		return why_set(why, whylen,
		    "invalid host name (letters, digits, '-' and '.')");
	return 0;
}

int
endpoint_parse(const char *text, struct endpoint *ep, char *why,
    size_t whylen)
{
	const char *colon;

	memset(ep, 0, sizeof(*ep));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL)
			return why_set(why, whylen, "missing ']' after IPv6 address");
		if (close[1] != ':')
			return why_set(why, whylen, "expected ':port' after ']'");
		ep->kind = EP_IPV6;
		if (parse_ipv6(text + 1, (size_t)(close - text - 1),
		    ep->addr) != 0)
			return why_set(why, whylen, "invalid IPv6 address");
		colon = close + 1;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL)
			return why_set(why, whylen,
			    "expected ADDRESS:PORT, HOST:PORT or ccs:PORT");
		if (memchr(text, ':', (size_t)(colon - text)) != NULL)
			return why_set(why, whylen,
			    "an IPv6 address must be written in brackets: [::1]:443");
		if (colon == text)
			return why_set(why, whylen, "missing address before ':'");
		if (parse_host_part(text, (size_t)(colon - text), ep, why,
		    whylen) != 0)
			return -1;
	}
	if (parse_port(colon + 1, &ep->port) != 0)
		return why_set(why, whylen, "port must be a number from 1 to 65535");
	return 0;
}

/* ::ffff:0:0/96, an IPv4-mapped address (RFC 4291 section 2.5.5.2). */
static bool
ipv4_mapped(const uint8_t a[16])
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	return memcmp(a, prefix, sizeof(prefix)) == 0;
}

/*
 * RFC 5952: lower case, longest run (>1) of zero words as "::"; an
 * IPv4-mapped address ends in dotted decimal (section 5).
 */
static void
format_ipv6(const uint8_t a[16], char *buf, size_t len)
{
	int best = -1, bestlen = 0, w;
	size_t used = 0;

	if (ipv4_mapped(a)) {
		snprintf(buf, len, "::ffff:%u.%u.%u.%u", a[12], a[13], a[14],
		    a[15]);
		return;
	}
	for (w = 0; w < 8;) {
		int run = 0;

		while (w + run < 8 && a[2 * (w + run)] == 0 &&
		    a[2 * (w + run) + 1] == 0)
			run++;
		if (run > bestlen && run > 1) {
			best = w;
			bestlen = run;
		}
		w += run ? run : 1;
	}
	buf[0] = '\0';
	for (w = 0; w < 8 && used < len; w++) {
		if (w == best) {
			used += (size_t)snprintf(buf + used, len - used, "::");
			w += bestlen - 1;
			continue;
		}
		used += (size_t)snprintf(buf + used, len - used, "%s%x",
		    (w > 0 && w != best + bestlen) ? ":" : "",
		    (unsigned)(a[2 * w] << 8 | a[2 * w + 1]));
	}
}

const char *
endpoint_format(const struct endpoint *ep, char *buf, size_t len)
{
	char v6[48];

	switch (ep->kind) {
	case EP_IPV4:
		snprintf(buf, len, "%u.%u.%u.%u:%u", ep->addr[0], ep->addr[1],
		    ep->addr[2], ep->addr[3], ep->port);
		break;
	case EP_IPV6:
		format_ipv6(ep->addr, v6, sizeof(v6));
		snprintf(buf, len, "[%s]:%u", v6, ep->port);
		break;
	case EP_SNI:
		snprintf(buf, len, "%s:%u", ep->host, ep->port);
		break;
	case EP_CCS:
		snprintf(buf, len, "ccs:%u", ep->port);
		break;
	}
	return buf;
}

/*
 * Host names compare ignoring ASCII case, as DNS and HTTP.sys do: a record
 * HTTP.sys returns as "WWW.Example.test" is the binding's
 * "www.example.test", and keeps the case it was written with.
 */
static int
host_compare(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;

		x = x >= 'A' && x <= 'Z' ? (unsigned char)(x - 'A' + 'a') : x;
		y = y >= 'A' && y <= 'Z' ? (unsigned char)(y - 'A' + 'a') : y;
		if (x != y)
			return x < y ? -1 : 1;
		if (x == '\0')
			return 0;
	}
}

int
endpoint_compare(const struct endpoint *a, const struct endpoint *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	switch (a->kind) {
	case EP_IPV4:
		return memcmp(a->addr, b->addr, 4);
	case EP_IPV6:
		return memcmp(a->addr, b->addr, 16);
	case EP_SNI:
		return host_compare(a->host, b->host);
	case EP_CCS:
		return 0;
	}
	return 0;
}

bool
endpoint_equal(const struct endpoint *a, const struct endpoint *b)
{
	return endpoint_compare(a, b) == 0;
}
