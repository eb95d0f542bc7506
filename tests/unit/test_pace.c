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
	uint64_t now, last_event, first_unserved;
	bool reconciled;
	uint64_t last_end, last_cost, debounce;
	uint64_t want;
};

#define TOP UINT64_MAX

static const struct row rows[] = {
	/* now, last event, first unserved, reconciled, end, cost, debounce */
	{ "quiet spell: one change waits the debounce",
	  100000, 100000, 100000, true, 40000, 5, 50, 50 },
	{ "quiet spell: the debounce has passed",
	  100050, 100000, 100000, true, 40000, 5, 50, 0 },
	{ "quiet spell: part of the debounce has passed",
	  100030, 100000, 100000, true, 40000, 5, 50, 20 },
	{ "a second change starts the debounce again",
	  100040, 100040, 100000, true, 40000, 5, 50, 50 },
	{ "no reconcile yet: only the debounce counts",
	  200, 200, 200, false, 0, 0, 50, 50 },
	{ "no reconcile yet: its cost fields are not read",
	  250, 200, 200, false, 240, 1000, 50, 0 },
	{ "one a second: a cheap reconcile charges no wait",
	  11000, 11000, 11000, true, 10055, 5, 50, 50 },
	{ "one a second: served 50 ms after the write",
	  11050, 11000, 11000, true, 10055, 5, 50, 0 },
	{ "one a second with 100 ms reconciles: still the debounce",
	  12000, 12000, 12000, true, 11150, 100, 50, 50 },
	{ "change right after a 20 ms reconcile waits for its cost",
	  20010, 20010, 20010, true, 20000, 20, 50, 170 },
	{ "burst at 1 ms: nothing while changes keep coming",
	  30500, 30500, 30000, true, 29000, 5, 50, 50 },
	{ "burst at 1 ms: one reconcile 50 ms after the last",
	  31049, 30999, 30000, true, 29000, 5, 50, 0 },
	{ "never-ending stream: the cap is near",
	  39990, 39990, 30000, true, 29000, 5, 50, 10 },
	{ "never-ending stream: the cap has come",
	  40000, 40000, 30000, true, 29000, 5, 50, 0 },
	{ "never-ending stream: past the cap",
	  45000, 45000, 30000, true, 29000, 5, 50, 0 },
	{ "expensive 500 ms reconcile: 4.5 s of rest after it",
	  50100, 50100, 50100, true, 50000, 500, 50, 4400 },
	{ "expensive 500 ms reconcile: its rest is over",
	  54500, 50100, 50100, true, 50000, 500, 50, 0 },
	{ "a storm of expensive reconciles: at most one per 5 s",
	  50001, 50001, 50001, true, 50000, 500, 50, 4499 },
	{ "a 1.5 s reconcile: the cap comes before its rest ends",
	  50100, 50100, 50100, true, 50000, 1500, 50, 10000 },
	{ "debounce 0, long after the last reconcile: now",
	  70000, 70000, 70000, true, 1000, 10, 0, 0 },
	{ "debounce 0, right after a 10 ms reconcile: its rest",
	  1020, 1020, 1020, true, 1000, 10, 0, 70 },
	{ "debounce 0 and no cost: now",
	  5, 5, 5, true, 5, 0, 0, 0 },
	{ "debounce 10 s, as long as the cap",
	  0, 0, 0, false, 0, 0, 10000, 10000 },
	{ "clock at 0",
	  0, 0, 0, true, 0, 0, 50, 50 },
	{ "clock near the top: the sum saturates, no wrap to 0",
	  TOP - 10, TOP - 10, TOP - 10, true, TOP - 20, 5, 50, 10 },
	{ "huge cost: the product saturates, the cap holds",
	  1000, 1000, 1000, true, 900, TOP / 2, 50, 10000 },
	{ "huge debounce: the sum saturates",
	  1000, 1000, 1000, true, 0, 0, TOP, TOP - 1000 },
	{ "a reconcile ended after the event: its rest counts from its end",
	  6000, 5000, 5000, true, 6000, 100, 50, 900 },
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
		.first_unserved = r->first_unserved, .reconciled = r->reconciled,
		.last_end = r->last_end, .last_cost = r->last_cost,
		.debounce = r->debounce,
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

int
main(void)
{
	const struct CMUnitTest more[] = {
		cmocka_unit_test(test_note_event),
	};
	int rc = run_rows("pace", test_row, (void *)rows, sizeof(rows[0]),
	    NROWS(rows), row_name);

	return rc || cmocka_run_group_tests_name("pace bookkeeping", more,
	    NULL, NULL) ? 1 : 0;
}
