/*
 * test_keymemo.c - usable keys remembered between reconciles
 * (core/keymemo.c): what is found again, and when the memo is dropped.
 */
#include "unit.h"

#include "keymemo.h"

#define HOUR INT64_C(3600000)

struct stale_row {
	const char *name;
	bool begun;
	uint64_t since, now;      /* ms: begun, the reconcile */
	int64_t resync;           /* ms */
	bool want;
};

static const struct stale_row stale_rows[] = {
	{ "never begun: begin it", false, 0, 10 * HOUR, HOUR, true },
	{ "just begun", true, 1000, 1000, HOUR, false },
	{ "a millisecond before the resync", true, 1000, 1000 + HOUR - 1, HOUR,
	  false },
	{ "at the resync interval", true, 1000, 1000 + HOUR, HOUR, true },
	{ "long after", true, 1000, 1000 + 5 * HOUR, HOUR, true },
	{ "a short resync interval", true, 1000, 61000, 60000, true },
	{ "the clock went back: dropped", true, 5000, 4000, HOUR, true },
	{ "no resync interval: never kept", true, 1000, 1000, 0, true },
};

static const char *
stale_name(const void *row)
{
	return ((const struct stale_row *)row)->name;
}

static void
test_stale(void **state)
{
	const struct stale_row *r = *state;
	struct key_memo m = { 0 };
	uint8_t t[THUMB_LEN];

	memset(t, 1, sizeof(t));
	if (r->begun)
		keymemo_begin(&m, r->since);
	assert_int_equal(keymemo_add(&m, t, "k", 1), 0);
	assert_int_equal(keymemo_stale(&m, r->now, r->resync), r->want);
	keymemo_clear(&m);
}

/* Found by thumbprint and location together, once each. */
static void
test_find(void **state)
{
	struct key_memo m = { 0 };
	uint8_t a[THUMB_LEN], b[THUMB_LEN];
	int i;

	(void)state;
	memset(a, 0xaa, sizeof(a));
	memset(b, 0x0b, sizeof(b));
	assert_false(keymemo_opens(&m, a, "c1", 2));
	assert_int_equal(keymemo_add(&m, a, "c1", 2), 0);
	assert_true(keymemo_opens(&m, a, "c1", 2));
	assert_false(keymemo_opens(&m, a, "c2", 2));   /* key moved */
	assert_false(keymemo_opens(&m, a, "c1x", 3));
	assert_false(keymemo_opens(&m, a, NULL, 0));   /* link removed */
	assert_false(keymemo_opens(&m, b, "c1", 2));
	assert_int_equal(keymemo_add(&m, b, NULL, 0), 0);
	assert_true(keymemo_opens(&m, b, NULL, 0));
	assert_int_equal(keymemo_add(&m, a, "c1", 2), 0);   /* again */
	assert_int_equal(m.n, 2);
	/* Many, added out of order, all found. */
	for (i = 0; i < 200; i++) {
		memset(a, (i * 37) & 0xff, sizeof(a));
		a[0] = (uint8_t)i;
		assert_int_equal(keymemo_add(&m, a, &i, sizeof(i)), 0);
	}
	for (i = 0; i < 200; i++) {
		memset(a, (i * 37) & 0xff, sizeof(a));
		a[0] = (uint8_t)i;
		assert_true(keymemo_opens(&m, a, &i, sizeof(i)));
	}
	keymemo_clear(&m);
	assert_int_equal(m.n, 0);
	assert_false(keymemo_opens(&m, b, NULL, 0));
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_find),
	};
	int failed;

	failed = run_rows("key memo is stale", test_stale, (void *)stale_rows,
	    sizeof(stale_rows[0]), NROWS(stale_rows), stale_name);
	failed += cmocka_run_group_tests(fixed, NULL, NULL);
	return failed ? 1 : 0;
}
