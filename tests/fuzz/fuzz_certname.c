/*
 * fuzz_certname.c - libFuzzer target: a certificate's names as certbind
 * reads them, from the DER of its subject Name and of its subjectAltName
 * extension as crypt32 hands them over (CERT_INFO.Subject and the
 * extension's Value), through to the matcher and the name index.
 *
 * Input: two bytes (big-endian) giving the subject's length, the subject,
 * then the SAN extension's value; either may be empty or malformed, hold
 * NULs, or give lengths past its end.  The names are read as
 * service/store.c reads them (der_name_cn, der_san_dns, der_string_text)
 * into a struct cert.  Checked beyond the sanitizers:
 *  - every name is printable text (no NUL or control character raw);
 *  - a name whose bytes hold a NUL or a control character covers no host,
 *    in particular not what comes before or after that byte;
 *  - the CN counts only when there is no dNSName;
 *  - the index finds the certificate for every host it covers.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "der.h"
#include "endpoint.h"
#include "index.h"
#include "text.h"

struct names {
	struct cert c;
	int raw_bad[64];               /* the name's bytes hold a NUL or
	                                  a control character */
	struct der_string cn;
};

static int
bytes_bad(const struct der_string *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->p[i] < 0x20 || s->p[i] == 0x7f)
			return 1;
	return 0;
}

static int
add_dns(const struct der_string *s, void *arg)
{
	struct names *nm = arg;
	char **v, *text;

	if (nm->c.ndns >= 64)
		return 0;
	if ((text = der_string_text(s)) == NULL)
		abort();
	if ((v = realloc(nm->c.dns, (nm->c.ndns + 1) * sizeof(*v))) == NULL)
		abort();
	nm->c.dns = v;
	nm->raw_bad[nm->c.ndns] = bytes_bad(s);
	v[nm->c.ndns++] = text;
	return 0;
}

static void
found(const struct cert *c, void *arg)
{
	(void)c;
	*(int *)arg = 1;
}

/* The hosts a name might be taken for: its bytes up to and after the
 * first NUL or control character, lower case, when they are a name. */
static void
near_hosts(const struct der_string *s, char hosts[2][ENDPOINT_HOST_MAX + 1])
{
	size_t i, cut = s->n, k, n;

	hosts[0][0] = hosts[1][0] = '\0';
	for (i = 0; i < s->n; i++)
		if (s->p[i] < 0x20 || s->p[i] == 0x7f) {
			cut = i;
			break;
		}
	for (k = 0; k < 2; k++) {
		const uint8_t *p = k == 0 ? s->p : s->p + cut + 1;

		n = k == 0 ? cut : cut < s->n ? s->n - cut - 1 : 0;
		if (n == 0 || n > ENDPOINT_HOST_MAX)
			continue;
		for (i = 0; i < n; i++)
			hosts[k][i] = (char)tolower(p[i]);
		hosts[k][n] = '\0';
		if (!hostname_valid(hosts[k]))
			hosts[k][0] = '\0';
	}
}

static void
check_host(const struct inventory *inv, const struct cert_index *ix,
    const char *host)
{
	int hit = 0;
	const char *p;

	/* The index is asked what the policy loader produces: a valid host
	 * name in lower case. */
	if (host[0] == '\0' || !hostname_valid(host))
		return;
	for (p = host; *p; p++)
		if (isupper((unsigned char)*p))
			return;
	index_by_name(ix, host, found, &hit);
	if (cert_covers(&inv->certs[0], host) && !hit)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct names nm;
	struct inventory inv = { 0 };
	struct cert_index ix;
	char hosts[2][ENDPOINT_HOST_MAX + 1];
	const uint8_t *subject, *san;
	size_t slen, sanlen, i, k;
	int has_cn;

	if (size < 2)
		return 0;
	slen = (size_t)data[0] << 8 | data[1];
	if (slen > size - 2)
		slen = size - 2;
	subject = data + 2;
	san = subject + slen;
	sanlen = size - 2 - slen;

	memset(&nm, 0, sizeof(nm));
	has_cn = der_name_cn(subject, slen, &nm.cn) == 1;
	if (has_cn && (nm.c.cn = der_string_text(&nm.cn)) == NULL)
		abort();
	if (der_san_dns(san, sanlen, add_dns, &nm) < 0) {
		/* store.c drops every dNSName of a SAN it cannot read. */
		for (i = 0; i < nm.c.ndns; i++)
			free(nm.c.dns[i]);
		nm.c.ndns = 0;
	}
	if (nm.c.cn != NULL && text_needs_escape(nm.c.cn, 0))
		abort();
	for (i = 0; i < nm.c.ndns; i++)
		if (text_needs_escape(nm.c.dns[i], 0))
			abort();
	if (inventory_add(&inv, &nm.c) != 0 || index_build(&ix, &inv) != 0)
		abort();

	/* A CN with a bad byte, or any CN beside a dNSName, covers nothing
	 * of its own. */
	if (has_cn) {
		near_hosts(&nm.cn, hosts);
		for (k = 0; k < 2; k++) {
			int by_dns = 0;

			if (hosts[k][0] == '\0')
				continue;
			for (i = 0; i < nm.c.ndns; i++)
				by_dns |= name_matches(nm.c.dns[i], hosts[k]);
			if (cert_covers(&inv.certs[0], hosts[k]) && !by_dns &&
			    (nm.c.ndns > 0 || bytes_bad(&nm.cn)))
				abort();
			check_host(&inv, &ix, hosts[k]);
		}
	}
	/* A dNSName with a bad byte matches nothing. */
	for (i = 0; i < nm.c.ndns; i++) {
		if (!nm.raw_bad[i])
			continue;
		if (name_matches(nm.c.dns[i], "example.test") ||
		    name_matches(nm.c.dns[i], "a.example.test"))
			abort();
	}
	if (nm.c.ndns > 0)
		check_host(&inv, &ix, nm.c.dns[0]);
	check_host(&inv, &ix, "a.example.test");

	index_free(&ix);
	inventory_free(&inv);
	free(nm.c.cn);
	for (i = 0; i < nm.c.ndns; i++)
		free(nm.c.dns[i]);
	free(nm.c.dns);
	return 0;
}
