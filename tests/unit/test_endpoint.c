/*
 * test_endpoint.c - endpoint parsing and canonical formatting.
 */
#include "unit.h"

#include "endpoint.h"

struct row {
	const char *text;
	const char *want;   /* canonical form, or "!reason" for an error */
};

static const struct row rows[] = {
	{ "0.0.0.0:443", "0.0.0.0:443" },
	{ "192.0.2.10:8443", "192.0.2.10:8443" },
	{ "[::]:443", "[::]:443" },
	{ "[::1]:443", "[::1]:443" },
	{ "[2001:DB8:0:0:0:0:0:1]:443", "[2001:db8::1]:443" },
	{ "[2001:db8:0:0:1:0:0:1]:443", "[2001:db8::1:0:0:1]:443" },
	{ "[fe80::1:2]:1", "[fe80::1:2]:1" },
	{ "[1:2:3:4:5:6:7:8]:65535", "[1:2:3:4:5:6:7:8]:65535" },
	{ "[::ffff:192.0.2.1]:443", "[::ffff:192.0.2.1]:443" },
	{ "[::FFFF:c000:201]:443", "[::ffff:192.0.2.1]:443" },
	{ "[::fffe:c000:201]:443", "[::fffe:c000:201]:443" },
	{ "[::ffff:0:c000:201]:443", "[::ffff:0:c000:201]:443" },
	{ "[1::]:443", "[1::]:443" },
	{ "Www.Example.Test:443", "www.example.test:443" },
	{ "ccs:443", "ccs:443" },
	{ "CCS:443", "ccs:443" },
	{ "Ccs:8443", "ccs:8443" },
	{ "www.example.test.:443", "!remove the trailing dot: HTTP.sys keys SNI "
	  "bindings by the name without it" },
	{ "a..test.:443", "!invalid host name (letters, digits, '-' and '.')" },
	{ "0.0.0.0", "!expected ADDRESS:PORT, HOST:PORT or ccs:PORT" },
	{ "0.0.0.0:", "!port must be a number from 1 to 65535" },
	{ "0.0.0.0:0", "!port must be a number from 1 to 65535" },
	{ "0.0.0.0:65536", "!port must be a number from 1 to 65535" },
	{ "0.0.0.0:0443", "!port must be a number from 1 to 65535" },
	{ "0.0.0.0:44x", "!port must be a number from 1 to 65535" },
	{ ":443", "!missing address before ':'" },
	{ "256.0.0.1:443", "!invalid IPv4 address" },
	{ "1.2.3:443", "!invalid IPv4 address" },
	{ "01.2.3.4:443", "!invalid IPv4 address" },
	{ "1.2.3.4.5:443", "!invalid IPv4 address" },
	{ "[::1:443", "!missing ']' after IPv6 address" },
	{ "[::1]443", "!expected ':port' after ']'" },
	{ "[1:2:3:4:5:6:7:8:9]:443", "!invalid IPv6 address" },
	{ "[1::2::3]:443", "!invalid IPv6 address" },
	{ "[:1::2]:443", "!invalid IPv6 address" },
	{ "[12345::]:443", "!invalid IPv6 address" },
	{ "[g::]:443", "!invalid IPv6 address" },
	{ "::1:443", "!an IPv6 address must be written in brackets: [::1]:443" },
	{ "bad_name.test:443", "!invalid host name (letters, digits, '-' and '.')" },
	{ "-a.test:443", "!invalid host name (letters, digits, '-' and '.')" },
	{ "a..test:443", "!invalid host name (letters, digits, '-' and '.')" },
};

static const char *
row_name(const void *row)
{
	return ((const struct row *)row)->text;
}

static void
test_row(void **state)
{
	const struct row *r = *state;
	struct endpoint ep;
	char why[128], text[ENDPOINT_TEXT_MAX];
	int rc = endpoint_parse(r->text, &ep, why, sizeof(why));

	if (r->want[0] == '!') {
		assert_int_equal(rc, -1);
		assert_string_equal(why, r->want + 1);
		return;
	}
	assert_int_equal(rc, 0);
	assert_string_equal(endpoint_format(&ep, text, sizeof(text)), r->want);
}

static void
test_equal(void **state)
{
	struct endpoint a, b;

	(void)state;
	assert_int_equal(endpoint_parse("[0::0]:443", &a, NULL, 0), 0);
	assert_int_equal(endpoint_parse("[::]:443", &b, NULL, 0), 0);
	assert_true(endpoint_equal(&a, &b));
	assert_int_equal(endpoint_parse("[::]:444", &b, NULL, 0), 0);
	assert_false(endpoint_equal(&a, &b));
	assert_int_equal(endpoint_parse("0.0.0.0:443", &b, NULL, 0), 0);
	assert_false(endpoint_equal(&a, &b));
}

/*
 * A host as HTTP.sys returns it keeps its case and still is the policy's
 * endpoint; the order stays total (sorting and binary search agree).
 */
static void
test_host_case(void **state)
{
	struct endpoint parsed, held, other;

	(void)state;
	assert_int_equal(endpoint_parse("www.example.test:443", &parsed, NULL,
	    0), 0);
	held = parsed;
	strcpy(held.host, "WWW.Example.test");
	assert_true(endpoint_equal(&parsed, &held));
	assert_int_equal(endpoint_compare(&held, &parsed), 0);
	other = held;
	strcpy(other.host, "WWW.Example.tesu");
	assert_true(endpoint_compare(&held, &other) < 0);
	assert_true(endpoint_compare(&other, &parsed) > 0);
	strcpy(other.host, "www.example.tes");
	assert_true(endpoint_compare(&held, &other) > 0);
	assert_true(endpoint_compare(&other, &held) < 0);
}

/* Host names compare without case, however the host was spelt. */
static void
test_equal_host_case(void **state)
{
	struct endpoint a, b;

	(void)state;
	assert_int_equal(endpoint_parse("www.example.test:443", &a, NULL, 0), 0);
	b = a;
	memcpy(b.host, "WWW.Example.TEST", 17);
	assert_true(endpoint_equal(&a, &b));
	assert_int_equal(endpoint_compare(&a, &b), 0);
	memcpy(b.host, "WWW.Example.TESTS", 18);
	assert_false(endpoint_equal(&a, &b));
	assert_true(endpoint_compare(&a, &b) < 0);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_host_case),
		cmocka_unit_test(test_equal_host_case),
	};
	int failed;

	failed = run_rows("endpoints", test_row, (void *)rows, sizeof(rows[0]),
	    NROWS(rows), row_name);
	failed += cmocka_run_group_tests_name("endpoint", fixed, NULL, NULL);
	return failed ? 1 : 0;
}
