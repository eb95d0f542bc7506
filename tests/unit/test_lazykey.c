/*
 * test_lazykey.c - private keys opened in rank order, only for winners
 * (core/plan.c, struct key_probe).
 *
 * Every certificate of the store starts with its key unknown, as the
 * service's store reader leaves it.  Each row is a policy and which keys
 * would fail to open; the plan must pick the same certificates as if
 * every key had been opened first, while asking for the keys of winners
 * only, each certificate at most once.  Each row is planned twice: asking
 * one key at a time, and with a batch reader (key_batch_fn), which must be
 * asked for the bindings' first choices in one call and give the same
 * plan, with the same keys asked for in all.
 */
#include "unit.h"

#include "plan.h"
#include "report.h"

#define SRV EKU_SERVER_AUTH
#define A "a.example.test"
#define B "b.example.test"

/*
 * a.example.test: 1 (90 days left), 2 (60), 3 (30), 6 (expired);
 * b.example.test: 4; 5 is a wildcard over both, the longest-lived.
 */
static const struct testcert store[] = {
	{ 1, A, { A }, NOW - DAY, NOW + 90 * DAY, false, SRV },
	{ 2, A, { A }, NOW - DAY, NOW + 60 * DAY, false, SRV },
	{ 3, A, { A }, NOW - DAY, NOW + 30 * DAY, false, SRV },
	{ 4, B, { B }, NOW - DAY, NOW + 90 * DAY, false, SRV },
	{ 5, "w", { "*.example.test" }, NOW - DAY, NOW + 120 * DAY, false, SRV },
	{ 6, A, { A }, NOW - 90 * DAY, NOW - DAY, false, SRV },
};

#define BIND(name, host) "  - name: " name "\n    endpoint: " host ":443\n" \
    "    match: {dns: " host "}\n"

struct row {
	const char *name;
	const char *bindings;
	const char *fails;        /* ids whose key does not open */
	const char *winners;      /* the chosen id per binding, 0: none */
	const char *probed;       /* the ids asked for, in order */
	const char *batched;      /* with a batch reader: the ids it gets */
};

#define PIN2 "  - name: p2\n    endpoint: 10.0.0.2:443\n" \
    "    match: {dns: " A ", thumbprints: " \
    "['0202020202020202020202020202020202020202']}\n"

static const struct row rows[] = {
	{ "the best key opens: only it is opened",
	  BIND("b", B), "5", "4", "54", "5" },
	{ "the best candidate's key fails: the second wins",
	  BIND("a", A), "51", "2", "512", "5" },
	{ "two keys fail: the third is opened, none after it",
	  BIND("a", A), "512", "3", "5123", "5" },
	{ "every key fails: no candidate",
	  BIND("a", A), "5123", "0", "5123", "5" },
	{ "a certificate shared by many bindings is opened once",
	  BIND("a", A) BIND("b", B) BIND("c", "c.example.test"), "", "555",
	  "5", "5" },
	{ "a shared key that fails is asked for once, then each runner-up",
	  BIND("a", A) BIND("b", B) BIND("c", "c.example.test"), "5", "140",
	  "514", "5" },
	{ "one certificate for two bindings of the same name: opened once",
	  BIND("a", A) "  - name: a2\n    endpoint: 10.0.0.1:443\n"
	  "    match: {dns: " A "}\n", "5", "11", "51", "5" },
	{ "an expired certificate's key is never opened",
	  "  - name: a\n    endpoint: 0.0.0.0:443\n"
	  "    match: {dns: " A ", thumbprints: "
	  "['0606060606060606060606060606060606060606']}\n", "", "0", "", "" },
	{ "two first choices are batched; a runner-up is asked after them",
	  BIND("b", B) PIN2, "5", "42", "542", "52" },
	{ "a pinned first choice that fails leaves its binding without one",
	  BIND("b", B) PIN2, "2", "50", "52", "52" },
};

static const char *
row_name(const void *row)
{
	return ((const struct row *)row)->name;
}

/* What the probe saw, and what it answers. */
struct prober {
	const struct row *row;
	struct inventory *inv;
	char probed[32];
	size_t n;
	char batched[32];         /* what the batch reader was given */
	size_t batches;           /* how many times it was called */
};

/* A key that fails: with a reason for odd ids, as a key that is named
 * but cannot sign; none for even ones, as no key at all. */
#define FAIL_WHY "test: cannot sign"

static bool
probe(size_t i, void *arg, char **why)
{
	struct prober *p = arg;
	uint8_t id = p->inv->certs[i].thumb[0];

	assert_true(p->inv->certs[i].key_unknown);
	assert_true(p->n + 1 < sizeof(p->probed));
	p->probed[p->n++] = (char)('0' + id);
	if (strchr(p->row->fails, '0' + id) == NULL)
		return true;
	if (id % 2 == 1) {
		*why = malloc(sizeof(FAIL_WHY));
		assert_non_null(*why);
		strcpy(*why, FAIL_WHY);
	}
	return false;
}

/* A batch reader: the same answers as probe(), noting what it got. */
static void
probe_batch(const size_t *certs, size_t n, void *arg, bool *opens,
    char **why)
{
	struct prober *p = arg;
	size_t j, m = strlen(p->batched);

	p->batches++;
	for (j = 0; j < n; j++) {
		assert_null(why[j]);
		assert_true(m + 1 < sizeof(p->batched));
		p->batched[m++] = (char)('0' + p->inv->certs[certs[j]].thumb[0]);
		opens[j] = probe(certs[j], arg, &why[j]);
	}
}

/* s with its characters sorted, in out. */
static const char *
sorted(const char *s, char *out, size_t len)
{
	size_t i, j, n = strlen(s);
	char t;

	assert_true(n < len);
	strcpy(out, s);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && out[j - 1] > out[j]; j--) {
			t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return out;
}

static void
make_store(struct inventory *inv)
{
	size_t i;

	for (i = 0; i < NROWS(store); i++) {
		add_testcert(inv, &store[i]);
		inv->certs[i].key_unknown = true;
	}
}

static void
plan_row(const struct row *r, bool batch)
{
	struct inventory inv = { 0 };
	struct prober pr = { r, &inv, "", 0, "", 0 };
	struct key_probe keys = { probe, &pr, &inv, 0,
	    batch ? probe_batch : NULL };
	struct policy p;
	struct plan plan;
	struct cb_error err;
	char yaml[2048], winners[16] = "", why[256];
	size_t i, j;

	snprintf(yaml, sizeof(yaml), "version: 1\nbindings:\n%s", r->bindings);
	load_policy(yaml, &p);
	make_store(&inv);
	assert_int_equal(plan_build_probing(&p, NULL, 0, NOW, NULL, &keys,
	    &plan, &err), 0);
	for (i = 0; i < plan.n; i++) {
		const struct selection *s = &plan.items[i].sel;

		winners[i] = (char)(s->chosen ? '0' + s->chosen->thumb[0] : '0');
		/* A key that failed loses, with the probe's reason when it
		 * gave one, else as "no private key", as before. */
		for (j = 0; j < s->n; j++)
			if (strchr(r->fails, '0' + s->cands[j].cert->thumb[0]) &&
			    !s->cands[j].cert->key_unknown)
				assert_string_equal(verdict_text(s->cands[j].verdict,
				    plan.items[i].binding, s->cands[j].cert, NOW, why,
				    sizeof(why)), s->cands[j].cert->thumb[0] % 2 ?
				    "key-unusable: " FAIL_WHY : "no private key");
	}
	assert_string_equal(winners, r->winners);
	if (!batch)
		assert_string_equal(pr.probed, r->probed);
	else {
		char got[32], want[32];

		/* One call, with every first choice, before any other key;
		 * the same keys asked for in all. */
		assert_string_equal(pr.batched, r->batched);
		assert_int_equal(pr.batches, r->batched[0] != '\0');
		assert_memory_equal(pr.probed, r->batched, strlen(r->batched));
		assert_string_equal(sorted(pr.probed, got, sizeof(got)),
		    sorted(r->probed, want, sizeof(want)));
	}
	assert_int_equal(keys.probes, strlen(r->probed));
	plan_free(&plan);
	inventory_free(&inv);
	policy_free(&p);
}

static void
test_row(void **state)
{
	plan_row(*state, false);
	plan_row(*state, true);
}

/*
 * The same choices as when every key is opened first: for every subset of
 * failing keys over the store, against bindings for a, b and c and one
 * pinned to certificate 2, asking one key at a time and in a batch.
 */
static void
same_as_eager(bool batch)
{
	struct inventory lazy = { 0 }, eager = { 0 };
	struct row r = { "", "", NULL, NULL, NULL, NULL };
	struct policy p;
	struct cb_error err;
	unsigned mask;
	size_t i;

	load_policy("version: 1\nbindings:\n" BIND("a", A) BIND("b", B)
	    BIND("c", "c.example.test") PIN2, &p);
	for (mask = 0; mask < 1u << NROWS(store); mask++) {
		char fails[8] = "";
		size_t nf = 0;
		struct prober pr = { &r, &lazy, "", 0, "", 0 };
		struct key_probe keys = { probe, &pr, &lazy, 0,
		    batch ? probe_batch : NULL };
		struct plan pl, pe;

		for (i = 0; i < NROWS(store); i++)
			if (mask & (1u << i))
				fails[nf++] = (char)('0' + store[i].id);
		r.fails = fails;
		make_store(&lazy);
		for (i = 0; i < NROWS(store); i++) {
			add_testcert(&eager, &store[i]);
			eager.certs[i].has_key = !(mask & (1u << i));
		}
		assert_int_equal(plan_build_probing(&p, NULL, 0, NOW, NULL, &keys,
		    &pl, &err), 0);
		assert_int_equal(plan_build(&p, &eager, NULL, 0, NOW, &pe, &err),
		    0);
		for (i = 0; i < pl.n; i++) {
			const struct cert *l = pl.items[i].sel.chosen;
			const struct cert *e = pe.items[i].sel.chosen;

			assert_int_equal(l ? l->thumb[0] : 0, e ? e->thumb[0] : 0);
			assert_int_equal(pl.items[i].action, pe.items[i].action);
		}
		/* No more keys than the bindings' winners and losers, and
		 * none twice (probe() asserts that each is still unknown). */
		assert_true(keys.probes <= NROWS(store));
		assert_int_equal(keys.probes, strlen(pr.probed));
		plan_free(&pl);
		plan_free(&pe);
		inventory_free(&lazy);
		inventory_free(&eager);
	}
	policy_free(&p);
}

static void
test_same_as_eager(void **state)
{
	(void)state;
	same_as_eager(false);
	same_as_eager(true);
}

/*
 * HTTP.sys refused the winner (error 1312): planning the item again asks
 * for the next one's key, and not again for those already known.
 */
static void
test_replan_asks_next(void **state)
{
	struct inventory inv = { 0 };
	struct row r = { "", "", "5", NULL, NULL, NULL };
	struct prober pr = { &r, &inv, "", 0, "", 0 };
	struct key_probe keys = { probe, &pr, &inv, 0 };
	struct unusable_list avoid = { 0 };
	struct policy p;
	struct plan plan;
	struct cb_error err;

	(void)state;
	load_policy("version: 1\nbindings:\n" BIND("a", A), &p);
	make_store(&inv);
	assert_int_equal(plan_build_probing(&p, NULL, 0, NOW, &avoid, &keys,
	    &plan, &err), 0);
	assert_int_equal(plan.items[0].sel.chosen->thumb[0], 1);
	assert_true(unusable_note(&avoid, "a", plan.items[0].sel.chosen->thumb,
	    NOW) > NOW);
	assert_int_equal(plan_replan_item(&plan, 0, NOW, &avoid), 0);
	assert_int_equal(plan.items[0].sel.chosen->thumb[0], 2);
	assert_string_equal(pr.probed, "512");
	plan_free(&plan);
	unusable_free(&avoid);
	inventory_free(&inv);
	policy_free(&p);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_same_as_eager),
		cmocka_unit_test(test_replan_asks_next),
	};
	int failed;

	failed = run_rows("lazy keys", test_row, (void *)rows, sizeof(rows[0]),
	    NROWS(rows), row_name);
	failed += cmocka_run_group_tests(fixed, NULL, NULL);
	return failed ? 1 : 0;
}
