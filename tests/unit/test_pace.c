/*
 * test_pace.c - when the service reconciles after store changes
 * (core/pace.c): the debounce after the last change, the cost bound
 * after the last reconcile (9 ms idle per ms of work), and the 10 s cap
 * from the first change not yet served.  Times are milliseconds of a
 * monotonic clock, given in each row.
 */
#include "unit.h"

#include "pace.h"

struct row {
	const char *name;
	uint64_t now, last_event, first_unserved, paid_until, debounce;
	uint64_t want;
};

#define TOP UINT64_MAX
#define CREDIT PACE_CREDIT_MS

static const struct row rows[] = {
	/* now, last event, first unserved, paid until, debounce, want */
	{ "quiet spell: one change waits the debounce",
	  100000, 100000, 100000, 40050, 50, 50 },
	{ "quiet spell: the debounce has passed",
	  100050, 100000, 100000, 40050, 50, 0 },
	{ "quiet spell: part of the debounce has passed",
	  100030, 100000, 100000, 40050, 50, 20 },
	{ "a second change starts the debounce again",
	  100040, 100040, 100000, 40050, 50, 50 },
	{ "no reconcile yet: only the debounce counts",
	  200, 200, 200, 0, 50, 50 },
	{ "paid until less than the credit: only the debounce counts",
	  200, 200, 200, CREDIT - 1, 50, 50 },
	{ "one a second: a cheap reconcile charges no wait",
	  11000, 11000, 11000, 10100, 50, 50 },
	{ "one a second: served 50 ms after the write",
	  11050, 11000, 11000, 10100, 50, 0 },
	{ "one a second with 100 ms reconciles: still the debounce",
	  12000, 12000, 12000, 12100, 50, 50 },
	{ "right after a 20 ms reconcile: its cost is within the credit",
	  20010, 20010, 20010, 20180, 50, 50 },
	{ "budget overdrawn by the credit and 170 ms: 170 ms more",
	  20010, 20010, 20010, 20010 + CREDIT + 170, 50, 170 },
	{ "budget overdrawn by exactly the credit: the debounce",
	  20010, 20010, 20010, 20010 + CREDIT, 50, 50 },
	{ "burst at 1 ms: nothing while changes keep coming",
	  30500, 30500, 30000, 29050, 50, 50 },
	{ "burst at 1 ms: one reconcile 50 ms after the last",
	  31049, 30999, 30000, 29050, 50, 0 },
	{ "never-ending stream: the cap is near",
	  39990, 39990, 30000, 29050, 50, 10 },
	{ "never-ending stream: the cap has come",
	  40000, 40000, 30000, 29050, 50, 0 },
	{ "never-ending stream: past the cap",
	  45000, 45000, 30000, 29050, 50, 0 },
	{ "a storm of 500 ms reconciles, budget 9.5 s ahead: 4.5 s",
	  50100, 50100, 50100, 59600, 50, 4500 },
	{ "a storm of 500 ms reconciles: its rest is over",
	  54600, 50100, 50100, 59600, 50, 0 },
	{ "budget far ahead: the cap comes first",
	  50100, 50100, 50100, 80000, 50, 10000 },
	{ "debounce 0, budget long paid: now",
	  70000, 70000, 70000, 1100, 0, 0 },
	{ "debounce 0, budget 70 ms beyond the credit: 70 ms",
	  1020, 1020, 1020, 1020 + CREDIT + 70, 0, 70 },
	{ "debounce 0 and nothing charged: now",
	  5, 5, 5, 0, 0, 0 },
	{ "debounce 10 s, as long as the cap",
	  0, 0, 0, 0, 10000, 10000 },
	{ "clock at 0",
	  0, 0, 0, 0, 50, 50 },
	{ "clock near the top: the sum saturates, no wrap to 0",
	  TOP - 10, TOP - 10, TOP - 10, TOP - 20, 50, 10 },
	{ "budget saturated at the top: the cap holds",
	  1000, 1000, 1000, TOP, 50, 10000 },
	{ "huge debounce: the sum saturates",
	  1000, 1000, 1000, 0, TOP, TOP - 1000 },
};

static const char *
row_name(const void *row)
{
	return ((const struct row *)row)->name;
}

static void
test_row(void **state)
{
	const struct row *r = *state;
	struct pace p = {
		.now = r->now, .last_event = r->last_event,
		.first_unserved = r->first_unserved,
		.paid_until = r->paid_until, .debounce = r->debounce,
	};

	assert_int_equal(pace_wait(&p), r->want);
}

/* The loop's bookkeeping: the first unserved change is kept while
 * changes keep coming, and taken anew once it was served. */
static void
test_note_event(void **state)
{
	struct pace p = { 0 };

	(void)state;
	pace_note_event(&p, 100, false);
	assert_int_equal(p.first_unserved, 100);
	assert_int_equal(p.last_event, 100);
	pace_note_event(&p, 180, true);
	assert_int_equal(p.first_unserved, 100);
	assert_int_equal(p.last_event, 180);
	pace_note_event(&p, 900, false);
	assert_int_equal(p.first_unserved, 900);
}

/* pace_note_reconcile(): what a reconcile adds to the budget. */
struct charge {
	const char *name;
	uint64_t paid_until, start, end, want;
};

static const struct charge charges[] = {
	{ "first reconcile: ten times its cost from its start",
	  0, 1000, 1100, 2000 },
	{ "budget long paid: counted from the start",
	  500, 1000, 1100, 2000 },
	{ "budget ahead: counted from the end of what was charged",
	  5000, 1000, 1100, 6000 },
	{ "no cost: nothing added",
	  0, 1000, 1000, 1000 },
	{ "an end before the start (clock misread): no cost",
	  0, 1000, 900, 1000 },
	{ "huge cost: saturates at the top",
	  0, 0, TOP / 2, TOP },
	{ "budget at the top stays there",
	  TOP, 10, 20, TOP },
};

static const char *
charge_name(const void *row)
{
	return ((const struct charge *)row)->name;
}

static void
test_charge(void **state)
{
	const struct charge *c = *state;
	struct pace p = { .paid_until = c->paid_until };

	pace_note_reconcile(&p, c->start, c->end);
	assert_int_equal(p.paid_until, c->want);
}

/*
 * The rule driven as the service loop drives it: store events at the
 * given times, each reconcile costing `cost` ms, except every tenth that
 * costs `cost10` ms (0: the same); events that come during a reconcile
 * are seen when it ends.
 */
struct sim {
	uint64_t reconciles;
	uint64_t busy;                 /* ms spent reconciling */
	uint64_t wall;                 /* ms from 0 to the last reconcile's end */
	uint64_t worst;                /* the longest an event waited */
};

static struct sim
simulate_mixed(const uint64_t *ev, size_t n, uint64_t cost, uint64_t cost10,
    uint64_t debounce)
{
	struct pace p = { .debounce = debounce };
	struct sim r = { 0 };
	uint64_t t = 0, w, d;
	size_t i = 0;
	bool waiting = false;

	while (i < n || waiting) {
		if (!waiting || (i < n && ev[i] <= t)) {
			t = ev[i] > t ? ev[i] : t;
			pace_note_event(&p, t, waiting);
			waiting = true;
			i++;
			continue;
		}
		p.now = t;
		w = pace_wait(&p);
		if (i < n && ev[i] <= t + w) {
			t = ev[i] > t ? ev[i] : t;
			continue;      /* the next event comes first */
		}
		t += w;
		if (t - p.first_unserved > r.worst)
			r.worst = t - p.first_unserved;
		d = cost10 != 0 && r.reconciles % 10 == 9 ? cost10 : cost;
		pace_note_reconcile(&p, t, t + d);
		t += d;
		r.reconciles++;
		r.busy += d;
		waiting = false;
	}
	r.wall = t;
	return r;
}

static struct sim
simulate(const uint64_t *ev, size_t n, uint64_t cost, uint64_t debounce)
{
	return simulate_mixed(ev, n, cost, 0, debounce);
}

static uint64_t events[20000];

static size_t
every(uint64_t from, uint64_t step, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		events[i] = from + i * step;
	return n;
}

/* Renewals a second apart with 100 ms reconciles (a tenth of the time,
 * as under Wine): each is served at the debounce, none is held. */
static void
test_sim_one_a_second(void **state)
{
	struct sim r;

	(void)state;
	r = simulate(events, every(1000, 1000, 120), 100, 50);
	assert_int_equal(r.reconciles, 120);
	assert_int_equal(r.worst, 50);
}

/* The same with uneven costs, 60 ms but every tenth 400 ms (a tenth of
 * the time on average): one slow reconcile holds no renewal after it. */
static void
test_sim_uneven(void **state)
{
	struct sim r;

	(void)state;
	r = simulate_mixed(events, every(1000, 1000, 120), 60, 400, 50);
	assert_int_equal(r.reconciles, 120);
	assert_int_equal(r.worst, 50);
}

/* Reconciles that cost more than a tenth of the time between renewals:
 * the credit serves the first ones at once, then the share holds. */
static void
test_sim_over_budget(void **state)
{
	struct sim r;

	(void)state;
	r = simulate(events, every(1000, 1000, 300), 250, 50);
	assert_true(r.busy * (PACE_IDLE_SHARE + 1) <=
	    r.wall + PACE_CREDIT_MS + 250 * (PACE_IDLE_SHARE + 1));
	assert_true(r.worst <= PACE_CAP_MS);
	assert_true(r.reconciles < 300);
	/* the first renewals came within the credit: served at once */
	r = simulate(events, every(1000, 1000, 3), 250, 50);
	assert_int_equal(r.worst, 50);
}

/* A burst of 1,000 writes 1 ms apart: one reconcile, after the last. */
static void
test_sim_burst(void **state)
{
	struct sim r;

	(void)state;
	r = simulate(events, every(5000, 1, 1000), 5, 50);
	assert_int_equal(r.reconciles, 1);
	assert_int_equal(r.worst, 999 + 50);
}

/* A storm of writes every 60 ms (longer than the debounce) with 500 ms
 * reconciles, as a large store under Wine: a few back to back on the
 * credit, then one every 5 s; never a tenth of the time exceeded by more
 * than the credit. */
static void
test_sim_storm(void **state)
{
	struct sim r;

	(void)state;
	r = simulate(events, every(0, 60, 1000), 500, 50);
	assert_true(r.busy * (PACE_IDLE_SHARE + 1) <=
	    r.wall + PACE_CREDIT_MS + 500 * (PACE_IDLE_SHARE + 1));
	assert_true(r.reconciles <= r.wall / 5000 + PACE_CREDIT_MS / 5000 + 2);
	assert_true(r.worst <= PACE_CAP_MS);
}

/* A store that never stops changing (every 10 ms): the cap serves it
 * every 10 s. */
static void
test_sim_endless(void **state)
{
	struct sim r;

	(void)state;
	r = simulate(events, every(0, 10, 6000), 5, 50);
	assert_int_equal(r.worst, PACE_CAP_MS);
	assert_true(r.reconciles >= 6 && r.reconciles <= 7);
}

int
main(void)
{
	const struct CMUnitTest more[] = {
		cmocka_unit_test(test_note_event),
		cmocka_unit_test(test_sim_one_a_second),
		cmocka_unit_test(test_sim_uneven),
		cmocka_unit_test(test_sim_over_budget),
		cmocka_unit_test(test_sim_burst),
		cmocka_unit_test(test_sim_storm),
		cmocka_unit_test(test_sim_endless),
	};
	int rc = run_rows("pace", test_row, (void *)rows, sizeof(rows[0]),
	    NROWS(rows), row_name);

	rc |= run_rows("pace charge", test_charge, (void *)charges,
	    sizeof(charges[0]), NROWS(charges), charge_name);

	rc |= cmocka_run_group_tests_name("pace bookkeeping", more, NULL,
	    NULL);
	return rc ? 1 : 0;
}
