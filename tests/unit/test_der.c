/*
 * test_der.c - the commonName and dNSNames certbind reads from DER itself
 * (core/der.c), with crafted encodings: embedded NULs, other string types,
 * and broken lengths.
 */
#include "unit.h"

#include "der.h"

/* Encodings are written as hex with spaces, for readability. */
static size_t
unhex(const char *hex, uint8_t *out)
{
	size_t n = 0;
	unsigned v;

	while (*hex != '\0') {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		assert_int_equal(sscanf(hex, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

struct cn_row {
	const char *name;
	const char *der;        /* a Name, hex */
	int rc;                 /* der_name_cn's result */
	const char *want;       /* the CN's text when rc is 1 */
};

/* "good.example.test" is 676f6f642e6578616d706c652e74657374 (17 bytes). */
#define GOOD "676f6f642e6578616d706c652e74657374"
#define EVIL "2e6576696c2e74657374"    /* ".evil.test" */

static const struct cn_row cn_rows[] = {
	{ "UTF8String CN", "30 1c 31 1a 30 18 06 03 55 04 03 0c 11 " GOOD,
	  1, "good.example.test" },
	{ "CN with an embedded NUL",
	  "30 27 31 25 30 23 06 03 55 04 03 0c 1c " GOOD " 00 " EVIL,
	  1, "good.example.test\\x00.evil.test" },
	{ "PrintableString CN", "30 0e 31 0c 30 0a 06 03 55 04 03 13 03 61 2e 62",
	  1, "a.b" },
	{ "BMPString CN with a NUL",
	  "30 13 31 11 30 0f 06 03 55 04 03 1e 08 00 61 00 00 00 2e 00 62",
	  1, "a\\x00.b" },
	{ "UniversalString CN", "30 13 31 11 30 0f 06 03 55 04 03 1c 08 "
	  "00 00 00 61 00 00 00 e9", 1, "a\xc3\xa9" },
	{ "CN after O, in its own RDN", "30 1a 31 0a 30 08 06 03 55 04 0a 0c 01 "
	  "4f 31 0c 30 0a 06 03 55 04 03 0c 03 61 2e 62", 1, "a.b" },
	{ "the first of two CNs", "30 1c 31 0c 30 0a 06 03 55 04 03 0c 03 61 2e "
	  "62 31 0c 30 0a 06 03 55 04 03 0c 03 63 2e 64", 1, "a.b" },
	{ "multi-valued RDN", "30 18 31 16 30 08 06 03 55 04 0a 0c 01 4f 30 0a "
	  "06 03 55 04 03 0c 03 61 2e 62", 1, "a.b" },
	{ "control characters and a backslash",
	  "30 0e 31 0c 30 0a 06 03 55 04 03 0c 03 1b 5c 62", 1, "\\x1b\\\\b" },
	{ "no CN", "30 0c 31 0a 30 08 06 03 55 04 0a 0c 01 4f", 0, NULL },
	{ "empty name", "30 00", 0, NULL },
	{ "CN value length past its end",
	  "30 0e 31 0c 30 0a 06 03 55 04 03 0c 04 61 2e 62", -1, NULL },
	{ "name length past the input", "30 0f 31 0c 30 0a 06 03 55 04 03 0c 03 "
	  "61 2e 62", -1, NULL },
	{ "bytes after the name", "30 0e 31 0c 30 0a 06 03 55 04 03 0c 03 61 2e "
	  "62 00", -1, NULL },
	{ "indefinite length", "30 80 31 0c 30 0a 06 03 55 04 03 0c 03 61 2e 62 "
	  "00 00", -1, NULL },
	{ "length of five octets", "30 85 00 00 00 00 0e", -1, NULL },
	{ "huge long-form length", "30 84 ff ff ff f0 31", -1, NULL },
	{ "multi-byte tag", "3f 01 00", -1, NULL },
	{ "truncated", "30", -1, NULL },
	{ "CN that is not a string", "30 0c 31 0a 30 08 06 03 55 04 03 02 01 05",
	  -1, NULL },
	{ "empty RDN", "30 02 31 00", -1, NULL },
	{ "malformed RDN after the CN", "30 10 31 0c 30 0a 06 03 55 04 03 0c 03 "
	  "61 2e 62 31 00", -1, NULL },
	{ "attribute without a value", "30 09 31 07 30 05 06 03 55 04 03",
	  -1, NULL },
	{ "attribute with an extra value", "30 10 31 0e 30 0c 06 03 55 04 03 "
	  "0c 01 61 0c 01 62", -1, NULL },
};

static const char *
cn_row_name(const void *row)
{
	return ((const struct cn_row *)row)->name;
}

static void
test_cn(void **state)
{
	const struct cn_row *r = *state;
	uint8_t der[256];
	size_t n = unhex(r->der, der);
	struct der_string cn;
	char *text;

	assert_int_equal(der_name_cn(der, n, &cn), r->rc);
	if (r->rc != 1)
		return;
	text = der_string_text(&cn);
	assert_non_null(text);
	assert_string_equal(text, r->want);
	free(text);
}

struct collected {
	char *names[8];
	size_t n;
	int fail_at;            /* make the callback fail at this call; -1 */
};

static int
collect(const struct der_string *s, void *arg)
{
	struct collected *c = arg;

	if ((int)c->n == c->fail_at)
		return -1;
	assert_int_equal(s->tag, DER_IA5_STRING);
	c->names[c->n] = der_string_text(s);
	assert_non_null(c->names[c->n]);
	c->n++;
	return 0;
}

static void
collected_free(struct collected *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->names[i]);
}

/* dNSNames in order, other GeneralNames skipped, a NUL kept and escaped. */
static void
test_san(void **state)
{
	uint8_t der[256];
	size_t n = unhex("30 3c "
	    "82 1c " GOOD " 00 " EVIL         /* dNSName with a NUL */
	    "87 04 c0 00 02 01 "               /* iPAddress */
	    "a0 08 06 02 2a 03 a0 02 0c 00 "   /* otherName */
	    "82 03 61 2e 62 "                  /* dNSName a.b */
	    "81 07 61 40 62 2e 74 65 73",      /* rfc822Name */
	    der);
	struct collected c = { .fail_at = -1 };

	(void)state;
	assert_int_equal(der_san_dns(der, n, collect, &c), 2);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.names[0], "good.example.test\\x00.evil.test");
	assert_string_equal(c.names[1], "a.b");
	collected_free(&c);
}

static void
test_san_malformed(void **state)
{
	static const char *const bad[] = {
		"",                          /* nothing */
		"31 05 82 03 61 2e 62",      /* a SET, not a SEQUENCE */
		"30 05 82 04 61 2e 62",      /* dNSName past its parent */
		"30 06 82 03 61 2e 62 00",   /* a lone byte inside */
		"30 05 82 03 61 2e 62 00",   /* bytes after the sequence */
		"30 82 00",                  /* long form cut short */
	};
	uint8_t der[64];
	size_t i, n;

	(void)state;
	for (i = 0; i < NROWS(bad); i++) {
		struct collected c = { .fail_at = -1 };

		n = unhex(bad[i], der);
		assert_int_equal(der_san_dns(der, n, collect, &c), -1);
		collected_free(&c);
	}
}

/* A callback's failure (out of memory) is the reader's failure. */
static void
test_san_callback_fails(void **state)
{
	uint8_t der[64];
	size_t n = unhex("30 0a 82 03 61 2e 62 82 03 63 2e 64", der);
	struct collected c = { .fail_at = 1 };

	(void)state;
	assert_int_equal(der_san_dns(der, n, collect, &c), -1);
	assert_int_equal(c.n, 1);
	collected_free(&c);
}

/* An empty SAN has no dNSName; an odd BMPString ends in U+FFFD. */
static void
test_edges(void **state)
{
	uint8_t der[64];
	size_t n = unhex("30 00", der);
	struct collected c = { .fail_at = -1 };
	struct der_string odd = { DER_BMP_STRING, (const uint8_t *)"\0a\0", 3 };
	char *text;

	(void)state;
	assert_int_equal(der_san_dns(der, n, collect, &c), 0);
	text = der_string_text(&odd);
	assert_string_equal(text, "a\xef\xbf\xbd");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_san),
		cmocka_unit_test(test_san_malformed),
		cmocka_unit_test(test_san_callback_fails),
		cmocka_unit_test(test_edges),
	};
	int failed;

	failed = run_rows("commonName", test_cn, (void *)cn_rows,
	    sizeof(cn_rows[0]), NROWS(cn_rows), cn_row_name);
	failed += cmocka_run_group_tests_name("der", fixed, NULL, NULL);
	return failed ? 1 : 0;
}
