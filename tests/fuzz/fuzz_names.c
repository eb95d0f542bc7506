/*
 * fuzz_names.c - libFuzzer target: RFC 6125 name matching and the name
 * index, on arbitrary pairs.
 *
 * Input: PRESENTED '\n' HOST.  Checked beyond the sanitizers:
 *  - a name without a wildcard matches only itself, ignoring case and one
 *    trailing dot (and always itself, when it is a valid DNS name);
 *  - a wildcard never matches a host with fewer labels than it has, nor
 *    an A-label in the wildcard's place;
 *  - the index finds every certificate that covers the host (a miss there
 *    would silently skip a renewal).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "endpoint.h"
#include "index.h"

static char *
copy(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static size_t
labels(const char *s)
{
	size_t n = 1;

	for (; *s; s++)
		n += *s == '.' && s[1] != '\0';
	return n;
}

static int
same_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	if (la != lb)
		return 0;
	for (i = 0; i < la; i++)
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* A DNS name, allowing one trailing dot. */
static int
valid_name(const char *s)
{
	size_t n = strlen(s);
	char *t = copy((const uint8_t *)s, n);
	int ok;

	if (n > 0 && t[n - 1] == '.')
		t[n - 1] = '\0';
	ok = hostname_valid(t);
	free(t);
	return ok;
}

static void
found(const struct cert *c, void *arg)
{
	(void)c;
	*(int *)arg = 1;
}

static void
check_index(char *presented, const char *host)
{
	struct inventory inv = { 0 };
	struct cert c;
	struct cert_index ix;
	int hit = 0;

	memset(&c, 0, sizeof(c));
	c.dns = &presented;
	c.ndns = 1;
	if (inventory_add(&inv, &c) != 0 || index_build(&ix, &inv) != 0)
		abort();
	index_by_name(&ix, host, found, &hit);
	if (cert_covers(&inv.certs[0], host) && !hit)
		abort();
	index_free(&ix);
	inventory_free(&inv);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	char *presented, *host;
	bool match;

	/* Names reach core/ as C strings: no NUL inside, and never empty. */
	if (nl == NULL || nl == data || nl + 1 == data + size ||
	    memchr(data, '\0', size) != NULL)
		return 0;
	presented = copy(data, (size_t)(nl - data));
	host = copy(nl + 1, size - (size_t)(nl - data) - 1);
	match = name_matches(presented, host);
	if (strchr(presented, '*') == NULL) {
		/* Never another name; always the same one, when it is a name. */
		if (match && !same_name(presented, host))
			abort();
		if (!match && same_name(presented, host) && valid_name(host))
			abort();
	}
	if (match && presented[0] == '*' && labels(host) != labels(presented))
		abort();
	if (match && presented[0] == '*' &&
	    strncmp(host, "xn--", 4) == 0)
		abort();
	/* The index is fed what the policy loader produces: a valid host. */
	if (hostname_valid(host) && strlen(host) > 0 &&
	    host[strlen(host) - 1] != '.') {
		char *p;

		for (p = host; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		check_index(presented, host);
	}
	free(presented);
	free(host);
	return 0;
}
