/*
 * fuzz_der.c - libFuzzer target: the DER reader for a Name's commonName and
 * a subjectAltName's dNSNames (core/der.c), on arbitrary bytes.
 *
 * The input is read both ways.  Checked beyond the sanitizers:
 *  - every string found lies inside the input;
 *  - its text holds no control character and no NUL before its end (a
 *    name is never cut short or printed raw);
 *  - a name whose bytes hold a NUL never covers a host name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "der.h"
#include "text.h"

static const uint8_t *in_start;
static size_t in_size;

static void
check_string(const struct der_string *s)
{
	char *text;

	if (s->p < in_start || s->n > in_size ||
	    (size_t)(s->p - in_start) > in_size - s->n)
		abort();
	text = der_string_text(s);
	if (text == NULL)
		abort();
	if (text_needs_escape(text, 0))
		abort();
	if (memchr(s->p, '\0', s->n) != NULL &&
	    (name_matches(text, "a.example.test") ||
	    name_matches(text, "example.test")))
		abort();
	free(text);
}

static int
on_dns(const struct der_string *s, void *arg)
{
	(void)arg;
	check_string(s);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct der_string cn;

	in_start = data;
	in_size = size;
	if (der_name_cn(data, size, &cn) == 1)
		check_string(&cn);
	(void)der_san_dns(data, size, on_dns, NULL);
	return 0;
}
