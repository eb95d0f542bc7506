/*
 * test_names.c - RFC 6125 name coverage (core/names.c).
 */
#include "unit.h"

struct row {
	const char *presented;     /* a SAN dNSName or CN */
	const char *host;          /* the binding's name */
	bool want;
};

static const struct row rows[] = {
	{ "api.example.test", "api.example.test", true },
	{ "API.Example.TEST", "api.example.test", true },
	{ "api.example.test.", "api.example.test", true },
	{ "api.example.test", "api.example.test.", true },
	{ "api.example.test", "api.example.tes", false },
	{ "api.example.test", "www.example.test", false },
	{ "*.example.test", "a.example.test", true },
	{ "*.example.test", "A.EXAMPLE.TEST", true },
	{ "*.example.test", "example.test", false },
	{ "*.example.test", "a.b.example.test", false },
	{ "*.example.test", ".example.test", false },
	{ "*.test", "a.test", false },
	{ "a*.example.test", "ab.example.test", false },
	{ "*a.example.test", "ba.example.test", false },
	{ "a.*.example.test", "a.b.example.test", false },
	{ "*.*.example.test", "a.b.example.test", false },
	{ "*", "a", false },
	{ "*.example.test", "xn--caf-dma.example.test", false },
	{ "xn--caf-dma.example.test", "xn--caf-dma.example.test", true },
	{ "a_b.example.test", "a_b.example.test", false },
	{ "a b.example.test", "a b.example.test", false },
	{ "caf\xc3\xa9.example.test", "caf\xc3\xa9.example.test", false },
	{ "*.ex\\x00ample.test", "a.ex\\x00ample.test", false },
	{ "good.example.test\\x00.evil.test", "good.example.test", false },
	{ "", "a.test", false },
	{ "a.test", "", false },
};

static const char *
row_name(const void *row)
{
	static char names[NROWS(rows)][128];
	const struct row *r = row;
	size_t i = (size_t)(r - rows);

	snprintf(names[i], sizeof(names[i]), "'%s' %s '%s'", r->presented,
	    r->want ? "covers" : "does not cover", r->host);
	return names[i];
}

static void
test_row(void **state)
{
	const struct row *r = *state;

	assert_int_equal(name_matches(r->presented, r->host), r->want);
}

/* SAN dNSNames win; the CN counts only when there is no dNSName. */
static void
test_cn_fallback(void **state)
{
	struct inventory inv = { 0 };
	struct testcert only_cn = { 1, "api.example.test", { NULL }, 0, 1, 1, 0 };
	struct testcert san = { 2, "api.example.test", { "www.example.test" },
	    0, 1, 1, 0 };

	(void)state;
	add_testcert(&inv, &only_cn);
	add_testcert(&inv, &san);
	assert_true(cert_covers(&inv.certs[0], "api.example.test"));
	assert_false(cert_covers(&inv.certs[1], "api.example.test"));
	assert_true(cert_covers(&inv.certs[1], "www.example.test"));
	inventory_free(&inv);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_cn_fallback),
	};
	int failed;

	failed = run_rows("name coverage", test_row, (void *)rows,
	    sizeof(rows[0]), NROWS(rows), row_name);
	failed += cmocka_run_group_tests_name("names", fixed, NULL, NULL);
	return failed ? 1 : 0;
}
