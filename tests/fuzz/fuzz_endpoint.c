/*
 * fuzz_endpoint.c - libFuzzer target: the endpoint parser (core/endpoint.c)
 * on arbitrary text, as a policy's `endpoint:` value reaches it.
 *
 * Checked beyond the sanitizers, for every text the parser takes:
 *  - its canonical form fits ENDPOINT_TEXT_MAX, parses again to the same
 *    endpoint and formats again to the same text (what plan and status
 *    print is what a policy may say);
 *  - an SNI host is a valid DNS name in lower case, an IPv4 endpoint has
 *    nothing in the unused address bytes, a ccs one no address at all;
 *  - the port is never 0.
 * A text refused comes with a reason.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"

static int
zero(const uint8_t *p, size_t n)
{
	while (n > 0)
		if (p[--n] != 0)
			return 0;
	return 1;
}

static void
check_parsed(const struct endpoint *ep)
{
	char text[ENDPOINT_TEXT_MAX + 1], again[ENDPOINT_TEXT_MAX + 1];
	char why[256];
	struct endpoint ep2;
	const char *h;

	memset(text, 'x', sizeof(text));
	endpoint_format(ep, text, sizeof(text));
	if (strlen(text) >= ENDPOINT_TEXT_MAX)
		abort();
	if (ep->port == 0)
		abort();
	switch (ep->kind) {
	case EP_IPV4:
		if (!zero(ep->addr + 4, 12) || ep->host[0] != '\0')
			abort();
		break;
	case EP_IPV6:
		if (ep->host[0] != '\0')
			abort();
		break;
	case EP_SNI:
		if (!hostname_valid(ep->host) || !zero(ep->addr, 16))
			abort();
		for (h = ep->host; *h; h++)
			if (isupper((unsigned char)*h))
				abort();
		break;
	case EP_CCS:
		if (!zero(ep->addr, 16) || ep->host[0] != '\0')
			abort();
		break;
	default:
		abort();
	}
	if (endpoint_parse(text, &ep2, why, sizeof(why)) != 0)
		abort();
	if (!endpoint_equal(ep, &ep2) || endpoint_compare(ep, &ep2) != 0)
		abort();
	endpoint_format(&ep2, again, sizeof(again));
	if (strcmp(text, again) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct endpoint ep;
	char why[256], *text;

	/* The policy loader hands over a C string: nothing after a NUL. */
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	why[0] = '\0';
	memset(&ep, 0, sizeof(ep));
	if (endpoint_parse(text, &ep, why, sizeof(why)) == 0)
		check_parsed(&ep);
	else if (why[0] == '\0')
		abort();
	free(text);
	return 0;
}
