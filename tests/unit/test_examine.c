/*
 * test_examine.c - which certificates a reconcile opens the key of and
 * builds the chain for (core/examine.c).
 *
 * A table of certificates against one policy, then the property that
 * makes skipping safe: for a certificate not marked, no binding's verdict
 * depends on the fact left unread (has_key either way, issuers none or
 * the listed CA).
 */
#include "unit.h"
#include "examine.h"
#include "index.h"
#include "select.h"

#define SRV EKU_SERVER_AUTH
#define CLI EKU_CLIENT_AUTH
#define WH STORE_WEBHOSTING
#define KEY EXAMINE_KEY
#define ISS EXAMINE_ISSUERS

/* a.example.test in My; b.example.test in WebHosting, chained to a CA. */
static const char policy_yaml[] =
    "version: 1\nbindings:\n"
    "  - name: a\n    endpoint: 0.0.0.0:443\n"
    "    match: {dns: a.example.test}\n"
    "  - name: b\n    endpoint: b.example.test:443\n"
    "    options: {cert_store: WebHosting}\n"
    "    match:\n      dns: b.example.test\n"
    "      issuer_thumbprints: ['cacacacacacacacacacacacacacacacacacacaca']\n"
    "  - name: c\n    endpoint: ccs:443\n";

struct row {
	const char *name;
	struct testcert cert;
	unsigned char want;
};

static const struct row rows[] = {
	{ "covers a, in My", { 1, "a.example.test", { "a.example.test" } },
	    KEY },
	{ "covers a by CN only", { 2, "a.example.test" }, KEY },
	{ "covers a, in WebHosting", { 3, "a.example.test", { "a.example.test" },
	    .store = WH }, 0 },
	{ "covers a, archived", { 4, "a.example.test", { "a.example.test" },
	    .archived = true }, 0 },
	{ "covers a, expired (the clock is not asked)", { 5, "x",
	    { "a.example.test" }, 0, 1 }, KEY },
	{ "covers a, clientAuth only (checked after the key)", { 6, "x",
	    { "a.example.test" }, .eku = CLI }, KEY },
	{ "covers b, in WebHosting", { 7, "x", { "b.example.test" },
	    .store = WH }, KEY | ISS },
	{ "covers b, in My", { 8, "x", { "b.example.test" } }, 0 },
	{ "wildcard over a and b, in My", { 9, "x", { "*.example.test" } },
	    KEY },
	{ "wildcard over a and b, in WebHosting", { 10, "x",
	    { "*.example.test" }, .store = WH }, KEY | ISS },
	{ "a and b by name, in WebHosting", { 11, "x",
	    { "a.example.test", "b.example.test" }, .store = WH }, KEY | ISS },
	{ "covers no binding", { 12, "c.example.test", { "c.example.test" } },
	    0 },
	{ "wildcard too deep", { 13, "x", { "*.test" } }, 0 },
	{ "a parent name only", { 14, "example.test", { "example.test" } }, 0 },
	{ "a renewal link does not make a candidate", { 15, "x",
	    { "z.example.test" }, .renewal = 1 }, 0 },
};

static const char *
row_name(const void *r)
{
	return ((const struct row *)r)->name;
}

static void
test_row(void **state)
{
	const struct row *r = *state;
	struct inventory inv = { 0 };
	struct testcert other = { 99, "q.example.test", { "q.example.test" } };
	struct cert_index ix;
	struct policy p;
	unsigned char needs[2];

	load_policy(policy_yaml, &p);
	add_testcert(&inv, &other);
	add_testcert(&inv, &r->cert);
	assert_int_equal(index_build(&ix, &inv), 0);
	memset(needs, 0xff, sizeof(needs));
	examine_needs(&p, &ix, needs);
	assert_int_equal(needs[0], 0);
	assert_int_equal(needs[1], r->want);
	index_free(&ix);
	inventory_free(&inv);
	policy_free(&p);
}

static uint32_t
next_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static const char *hosts[] = { "a.example.test", "b.example.test",
	"*.example.test", "c.b.example.test", "*.b.example.test",
	"example.test", "A.Example.Test", "d.example.test" };

/* Every binding's verdict on c, with successor either way, in out. */
static void
verdicts(const struct policy *p, const struct cert *c, enum verdict *out)
{
	size_t i;

	for (i = 0; i < p->nbindings; i++) {
		out[2 * i] = select_judge(&p->bindings[i], c, NOW, false);
		out[2 * i + 1] = select_judge(&p->bindings[i], c, NOW, true);
	}
}

/*
 * Random certificates against bindings with every filter: where a
 * certificate is not marked, flipping has_key (or giving it the listed
 * CA as issuer) changes no verdict of any binding.  And the rule is not
 * vacuous: some certificates are marked, some are not.
 */
static void
test_unread_never_decides(void **state)
{
	static const char yaml[] =
	    "version: 1\nbindings:\n"
	    "  - name: a\n    endpoint: 0.0.0.0:443\n"
	    "    match: {dns: a.example.test}\n"
	    "  - name: b\n    endpoint: 0.0.0.0:444\n"
	    "    match:\n      dns: c.b.example.test\n      issuer: test\n"
	    "      issuer_thumbprints: ['cacacacacacacacacacacacacacacacacacacaca']\n"
	    "  - name: d\n    endpoint: d.example.test:443\n"
	    "    options: {cert_store: WebHosting}\n"
	    "    match:\n      dns: d.example.test\n"
	    "      issuer_thumbprints: ['cacacacacacacacacacacacacacacacacacacaca']\n"
	    "      thumbprints: ['0101010101010101010101010101010101010101']\n";
	static uint8_t ca[1][THUMB_LEN];
	enum verdict before[6], after[6];
	struct inventory inv = { 0 };
	struct cert_index ix;
	struct policy p;
	unsigned char *needs;
	uint32_t seed = 4242;
	size_t i, marked[4] = { 0 };

	(void)state;
	memset(ca[0], 0xca, THUMB_LEN);
	load_policy(yaml, &p);
	for (i = 0; i < 600; i++) {
		struct testcert t = { 0 };

		t.id = (uint8_t)(i % 250 + 1);
		t.cn = hosts[next_random(&seed) % NROWS(hosts)];
		t.dns[0] = next_random(&seed) % 3 ? hosts[next_random(&seed) %
		    NROWS(hosts)] : NULL;
		t.not_before = NOW - (int64_t)(next_random(&seed) % 40) * DAY;
		t.not_after = NOW + ((int64_t)(next_random(&seed) % 100) - 20) * DAY;
		t.has_key = next_random(&seed) % 4 != 0;
		t.eku = next_random(&seed) % 5 == 0 ? CLI : SRV;
		t.archived = next_random(&seed) % 6 == 0;
		t.store = next_random(&seed) % 3 == 0 ? WH : STORE_MY;
		add_testcert(&inv, &t);
		inv.certs[inv.n - 1].thumb[1] = (uint8_t)(i >> 8);
	}
	assert_int_equal(index_build(&ix, &inv), 0);
	needs = malloc(inv.n);
	assert_non_null(needs);
	examine_needs(&p, &ix, needs);
	for (i = 0; i < inv.n; i++) {
		struct cert *c = &inv.certs[i];

		marked[needs[i] & (KEY | ISS)]++;
		verdicts(&p, c, before);
		if (!(needs[i] & KEY)) {
			c->has_key = !c->has_key;
			verdicts(&p, c, after);
			assert_memory_equal(before, after, sizeof(before));
			c->has_key = !c->has_key;
		}
		if (!(needs[i] & ISS)) {
			c->issuers = ca;
			c->nissuers = 1;
			verdicts(&p, c, after);
			assert_memory_equal(before, after, sizeof(before));
			c->issuers = NULL;
			c->nissuers = 0;
		}
	}
	assert_int_equal(marked[ISS], 0);     /* never a chain without a key */
	assert_true(marked[0] > 0);
	assert_true(marked[KEY] > 0);
	assert_true(marked[KEY | ISS] > 0);
	free(needs);
	index_free(&ix);
	inventory_free(&inv);
	policy_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unread_never_decides),
	};
	int rc;

	rc = run_rows("examine", test_row, (void *)rows, sizeof(rows[0]),
	    NROWS(rows), row_name);
	return rc | cmocka_run_group_tests(tests, NULL, NULL);
}
