/*
 * test_select.c - which certificate a binding gets (core/select.c), and
 * what the plan does with it (core/plan.c).
 */
#include "unit.h"

#include "plan.h"
#include "select.h"

#define SRV EKU_SERVER_AUTH
#define CLI EKU_CLIENT_AUTH
#define NAME "api.example.test"

/* Valid from 10 days ago until DAYS from NOW, with key, serverAuth. */
#define GOOD(id, days) { id, NAME, { NAME }, NOW - 10 * DAY, NOW + (days) * DAY, \
	true, SRV }

struct row {
	const char *name;
	struct testcert certs[6];
	size_t n;
	uint8_t want;        /* thumbprint byte of the winner; 0 for none */
};

static const struct row rows[] = {
	{ "single good certificate", { GOOD(1, 30) }, 1, 1 },
	{ "renewal expiring later wins", { GOOD(1, 30), GOOD(2, 60) }, 2, 2 },
	{ "order of the store does not matter", { GOOD(2, 60), GOOD(1, 30) }, 2, 2 },
	{ "tie on NotAfter: later NotBefore wins",
	  { GOOD(1, 30), { 2, NAME, { NAME }, NOW - 1 * DAY, NOW + 30 * DAY, true, SRV } },
	  2, 2 },
	{ "full tie: lower thumbprint wins",
	  { GOOD(7, 30), GOOD(3, 30) }, 2, 3 },
	{ "expired is skipped",
	  { GOOD(1, 30), { 2, NAME, { NAME }, NOW - 90 * DAY, NOW - DAY, true, SRV } },
	  2, 1 },
	{ "not yet valid is skipped",
	  { GOOD(1, 30), { 2, NAME, { NAME }, NOW + DAY, NOW + 90 * DAY, true, SRV } },
	  2, 1 },
	{ "keyless is skipped",
	  { GOOD(1, 30), { 2, NAME, { NAME }, NOW - DAY, NOW + 90 * DAY, false, SRV } },
	  2, 1 },
	{ "clientAuth-only is skipped",
	  { GOOD(1, 30), { 2, NAME, { NAME }, NOW - DAY, NOW + 90 * DAY, true, CLI } },
	  2, 1 },
	{ "no EKU extension means any purpose",
	  { GOOD(1, 30), { 2, NAME, { NAME }, NOW - DAY, NOW + 90 * DAY, true, 0 } },
	  2, 2 },
	{ "anyExtendedKeyUsage allows server auth",
	  { GOOD(1, 30), { 2, NAME, { NAME }, NOW - DAY, NOW + 90 * DAY, true, EKU_ANY } },
	  2, 2 },
	{ "server and client auth together is fine",
	  { GOOD(1, 30), { 2, NAME, { NAME }, NOW - DAY, NOW + 90 * DAY, true, SRV | CLI } },
	  2, 2 },
	{ "other name is skipped",
	  { GOOD(1, 30), { 2, "www.example.test", { "www.example.test" }, NOW - DAY,
	    NOW + 90 * DAY, true, SRV } }, 2, 1 },
	{ "wildcard covers the name",
	  { GOOD(1, 30), { 2, "wild", { "*.example.test" }, NOW - DAY,
	    NOW + 90 * DAY, true, SRV } }, 2, 2 },
	{ "CN ignored when SAN has dNSNames",
	  { { 2, NAME, { "www.example.test" }, NOW - DAY, NOW + 90 * DAY, true, SRV } },
	  1, 0 },
	{ "CN used when there is no SAN",
	  { { 2, NAME, { NULL }, NOW - DAY, NOW + 90 * DAY, true, SRV } }, 1, 2 },
	{ "valid exactly at NotAfter",
	  { { 2, NAME, { NAME }, NOW - DAY, NOW, true, SRV } }, 1, 2 },
	{ "valid exactly at NotBefore",
	  { { 2, NAME, { NAME }, NOW, NOW + DAY, true, SRV } }, 1, 2 },
	{ "nothing qualifies", { { 2, NAME, { NAME }, NOW - 9 * DAY, NOW - DAY, true,
	  SRV } }, 1, 0 },
	{ "empty store", { { 0 } }, 0, 0 },
};

static const char *
row_name(const void *row)
{
	return ((const struct row *)row)->name;
}

static struct binding
binding_for(const char *dns)
{
	struct binding b;

	memset(&b, 0, sizeof(b));
	b.name = "api";
	b.dns = (char *)dns;
	endpoint_parse("0.0.0.0:443", &b.endpoint, NULL, 0);
	return b;
}

static void
test_row(void **state)
{
	const struct row *r = *state;
	struct inventory inv = { 0 };
	struct binding b = binding_for(NAME);
	const struct cert *got;
	size_t i;

	for (i = 0; i < r->n; i++)
		add_testcert(&inv, &r->certs[i]);
	got = select_cert(&b, &inv, NOW);
	if (r->want == 0)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_int_equal(got->thumb[0], r->want);
	}
	inventory_free(&inv);
}

/* Every rejection says why, in words an operator can act on. */
static void
test_reasons(void **state)
{
	struct testcert t[] = {
		{ 1, NAME, { NAME }, NOW - 9 * DAY, INT64_C(1767312000), true, SRV },
		{ 2, NAME, { NAME }, INT64_C(1893456000), NOW + 99 * DAY, true, SRV },
		{ 3, NAME, { NAME }, NOW - DAY, NOW + DAY, false, SRV },
		{ 4, NAME, { NAME }, NOW - DAY, NOW + DAY, true, CLI },
		{ 5, "x", { "www.example.test" }, NOW - DAY, NOW + DAY, true, SRV },
		{ 6, NAME, { NAME }, NOW - DAY, NOW + DAY, true, SRV },
	};
	const char *want[] = {
		"expired 2026-01-02", "not valid before 2030-01-01",
		"no private key", "EKU does not allow server authentication "
		"(clientAuth only)", "does not cover api.example.test", "candidate",
	};
	struct inventory inv = { 0 };
	struct binding b = binding_for(NAME);
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(t); i++)
		add_testcert(&inv, &t[i]);
	for (i = 0; i < NROWS(t); i++) {
		const struct cert *c = &inv.certs[i];

		assert_string_equal(verdict_text(select_judge(&b, c, NOW), &b, c,
		    buf, sizeof(buf)), want[i]);
	}
	inventory_free(&inv);
}

/* A record for each action; existing fields survive an update. */
static void
test_plan_actions(void **state)
{
	struct testcert t[] = { GOOD(1, 30), GOOD(2, 60) };
	struct inventory inv = { 0 };
	struct policy p;
	struct binding b[3];
	struct ssl_record recs[2];
	struct plan plan;
	struct cb_error err;

	(void)state;
	add_testcert(&inv, &t[0]);
	add_testcert(&inv, &t[1]);
	b[0] = binding_for(NAME);              /* no record: create */
	b[1] = binding_for(NAME);              /* record with cert 1: update */
	endpoint_parse("10.0.0.1:443", &b[1].endpoint, NULL, 0);
	b[2] = binding_for("other.test");      /* nothing covers: keep */
	endpoint_parse("10.0.0.2:443", &b[2].endpoint, NULL, 0);
	p.version = 1;
	p.bindings = b;
	p.nbindings = 3;

	memset(recs, 0, sizeof(recs));
	recs[0].endpoint = b[1].endpoint;
	memset(recs[0].hash, 1, THUMB_LEN);
	recs[0].hash_len = THUMB_LEN;
	recs[0].flags = 2;
	recs[0].revocation_freshness = 600;
	recs[0].app_id[0] = 0x42;
	strcpy(recs[0].store, "WebHosting");
	recs[1].endpoint = b[2].endpoint;
	memset(recs[1].hash, 9, THUMB_LEN);
	recs[1].hash_len = THUMB_LEN;

	assert_int_equal(plan_build(&p, &inv, recs, 2, NOW, &plan, &err), 0);
	assert_int_equal(plan.n, 3);

	assert_int_equal(plan.items[0].action, ACTION_CREATE);
	assert_int_equal(plan.items[0].desired.hash[0], 2);
	assert_memory_equal(plan.items[0].desired.app_id, CERTBIND_APP_ID, 16);
	assert_string_equal(plan.items[0].desired.store, "MY");

	assert_int_equal(plan.items[1].action, ACTION_UPDATE);
	assert_int_equal(plan.items[1].desired.hash[0], 2);
	assert_int_equal(plan.items[1].desired.flags, 2);
	assert_int_equal(plan.items[1].desired.revocation_freshness, 600);
	assert_int_equal(plan.items[1].desired.app_id[0], 0x42);
	assert_string_equal(plan.items[1].desired.store, "MY");

	assert_int_equal(plan.items[2].action, ACTION_NO_CANDIDATE);
	assert_null(plan.items[2].chosen);
	plan_free(&plan);

	/* Once the record holds the winner, there is nothing to do. */
	memset(recs[0].hash, 2, THUMB_LEN);
	assert_int_equal(plan_build(&p, &inv, recs, 2, NOW, &plan, &err), 0);
	assert_int_equal(plan.items[1].action, ACTION_NONE);
	plan_free(&plan);
	inventory_free(&inv);
}

static void
test_thumb_and_dates(void **state)
{
	uint8_t t[THUMB_LEN];
	char hex[THUMB_HEX], date[11], guid[GUID_TEXT];

	(void)state;
	assert_int_equal(thumb_parse("a1 b2:c3d4e5f60718293a4b5c6d7e8f9001122334", t), 0);
	assert_string_equal(thumb_format(t, hex),
	    "A1B2C3D4E5F60718293A4B5C6D7E8F9001122334");
	assert_int_equal(thumb_parse("A1B2", t), -1);
	assert_int_equal(thumb_parse("A1B2C3D4E5F60718293A4B5C6D7E8F900112233445", t), -1);
	assert_int_equal(thumb_parse("g1B2C3D4E5F60718293A4B5C6D7E8F9001122334", t), -1);
	assert_string_equal(utc_date(0, date), "1970-01-01");
	assert_string_equal(utc_date(INT64_C(951782400), date), "2000-02-29");
	assert_string_equal(utc_date(INT64_C(1767312000), date), "2026-01-02");
	assert_string_equal(utc_date(-1, date), "1969-12-31");
	assert_string_equal(guid_format(CERTBIND_APP_ID, guid),
	    "{9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3c6}");
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_plan_actions),
		cmocka_unit_test(test_thumb_and_dates),
	};
	int failed;

	failed = run_rows("selection", test_row, (void *)rows, sizeof(rows[0]),
	    NROWS(rows), row_name);
	failed += cmocka_run_group_tests_name("select and plan", fixed, NULL,
	    NULL);
	return failed ? 1 : 0;
}
