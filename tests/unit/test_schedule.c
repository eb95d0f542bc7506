/*
 * test_schedule.c - the service's timers and retries (core/schedule.c)
 * and the names of its wake-up causes (core/wakeup.c), one table per
 * decision, with the clock as an input.
 */
#include "unit.h"

#include "schedule.h"
#include "wakeup.h"

#define HOUR_MS (60 * 60 * 1000)
#define T0 INT64_C(1800000000)          /* 2027-01-15T08:00:00Z */
#define NEVER SCHEDULE_NEVER

/* --- the timer ------------------------------------------------------- */

struct timer_row {
	const char *name;
	int64_t next, now, resync_ms, want;
};

static const struct timer_row timer_rows[] = {
	{ "nothing planned: the resync", NEVER, T0, HOUR_MS, HOUR_MS },
	{ "an event in 10 s", T0 + 10, T0, HOUR_MS, 10000 },
	{ "an event in 1 s", T0 + 1, T0, HOUR_MS, 1000 },
	{ "an event after the resync: the resync", T0 + 7200, T0, HOUR_MS,
	  HOUR_MS },
	{ "an event exactly at the resync", T0 + 3600, T0, HOUR_MS, HOUR_MS },
	{ "an event a second before the resync", T0 + 3599, T0, HOUR_MS,
	  3599000 },
	{ "an event now: a second later, never a spin", T0, T0, HOUR_MS,
	  1000 },
	{ "an event in the past: a second later", T0 - 50, T0, HOUR_MS, 1000 },
	{ "an event in the past, resync shorter than a second", T0 - 1, T0,
	  500, 500 },
	{ "a short resync", T0 + 60, T0, 10000, 10000 },
	{ "an event centuries away does not overflow", INT64_MAX - 1, T0,
	  HOUR_MS, HOUR_MS },
	{ "an event at the far past", INT64_MIN, T0, HOUR_MS, 1000 },
	{ "a resync of 0 still waits", NEVER, T0, 0, 1 },
	{ "a resync of 7 days", T0 + DAY, T0, 7LL * DAY * 1000,
	  (int64_t)DAY * 1000 },
};

static const char *
timer_name(const void *row)
{
	return ((const struct timer_row *)row)->name;
}

static void
test_timer(void **state)
{
	const struct timer_row *r = *state;

	assert_int_equal(schedule_timer_ms(r->next, r->now, r->resync_ms),
	    r->want);
}

/* --- a failed binding, the lock ------------------------------------------ */

struct retry_row {
	const char *name;
	int failures;
	int64_t now, want;
};

static const struct retry_row retry_rows[] = {
	{ "first failure: 10 s", 1, T0, T0 + 10 },
	{ "second failure: 20 s", 2, T0, T0 + 20 },
	{ "fifth failure: 160 s", 5, T0, T0 + 160 },
	{ "ninth failure: 2560 s", 9, T0, T0 + 2560 },
	{ "tenth failure reaches the hour", 10, T0, T0 + 3600 },
	{ "a thousand failures stay at the hour", 1000, T0, T0 + 3600 },
	{ "INT_MAX failures stay at the hour", 2147483647, T0, T0 + 3600 },
	{ "a count of 0 is taken as the first", 0, T0, T0 + 10 },
	{ "a negative count is taken as the first", -3, T0, T0 + 10 },
};

static const char *
retry_name(const void *row)
{
	return ((const struct retry_row *)row)->name;
}

static void
test_retry(void **state)
{
	const struct retry_row *r = *state;

	assert_int_equal(schedule_binding_retry(r->failures, r->now), r->want);
}

static void
test_lock_retry(void **state)
{
	(void)state;
	assert_int_equal(schedule_lock_retry(T0), T0 + 10);
	assert_int_equal(schedule_lock_retry(0), 10);
}

/* --- waits in milliseconds ------------------------------------------------ */

struct wait_row {
	const char *name;
	uint32_t (*fn)(unsigned);
	unsigned attempt;
	uint32_t want;
};

static const struct wait_row wait_rows[] = {
	{ "folder: first look after 1 s", schedule_folder_retry_ms, 0, 1000 },
	{ "folder: then 2 s", schedule_folder_retry_ms, 1, 2000 },
	{ "folder: 32 s at the sixth", schedule_folder_retry_ms, 5, 32000 },
	{ "folder: at most 60 s", schedule_folder_retry_ms, 6, 60000 },
	{ "folder: still 60 s after days", schedule_folder_retry_ms,
	  4000000000u, 60000 },
	{ "call: first retry after 100 ms", schedule_call_retry_ms, 0, 100 },
	{ "call: second after 200 ms", schedule_call_retry_ms, 1, 200 },
	{ "call: third after 400 ms", schedule_call_retry_ms, 2, 400 },
	{ "call: never more than 400 ms", schedule_call_retry_ms, 9, 400 },
	{ "restore: first retry after 100 ms", schedule_restore_retry_ms, 0,
	  100 },
	{ "restore: fifth after 1.6 s", schedule_restore_retry_ms, 4, 1600 },
	{ "restore: never more than 1.6 s", schedule_restore_retry_ms, 9,
	  1600 },
	{ "own write: the first report may take 200 ms",
	  schedule_own_write_ms, 0, 200 },
	{ "own write: the next ones follow within 20 ms",
	  schedule_own_write_ms, 1, 20 },
	{ "own write: still 20 ms later on", schedule_own_write_ms, 7, 20 },
};

static const char *
wait_name(const void *row)
{
	return ((const struct wait_row *)row)->name;
}

static void
test_wait(void **state)
{
	const struct wait_row *r = *state;

	assert_int_equal(r->fn(r->attempt), r->want);
}

/* --- expiry warnings -------------------------------------------------- */

struct warn_row {
	const char *name;
	int64_t warned_at, now;
	bool want;
};

static const struct warn_row warn_rows[] = {
	{ "never warned: now", 0, T0, true },
	{ "warned a second ago: not again", T0 - 1, T0, false },
	{ "warned just now: not again", T0, T0, false },
	{ "warned almost a day ago: not again", T0 - DAY + 1, T0, false },
	{ "warned a day ago: again", T0 - DAY, T0, true },
	{ "warned a week ago: again", T0 - 7 * DAY, T0, true },
	{ "the clock was set back before the warning: again", T0 + 3600, T0,
	  true },
};

static const char *
warn_name(const void *row)
{
	return ((const struct warn_row *)row)->name;
}

static void
test_warn(void **state)
{
	const struct warn_row *r = *state;

	assert_int_equal(schedule_warning_due(r->warned_at, r->now), r->want);
}

static void
test_sooner(void **state)
{
	(void)state;
	assert_int_equal(schedule_sooner(T0, T0 + 1), T0);
	assert_int_equal(schedule_sooner(NEVER, T0), T0);
	assert_int_equal(schedule_sooner(T0, NEVER), T0);
	assert_int_equal(schedule_sooner(NEVER, NEVER), NEVER);
}

/* The names the metrics file and status --json print; tools read them. */
static void
test_cause_names(void **state)
{
	static const char *const want[WAKE_NCAUSES] = {
		"timer", "store", "pace", "folder", "retry", "reload", "stop",
	};
	unsigned i;

	(void)state;
	for (i = 0; i < WAKE_NCAUSES; i++)
		assert_string_equal(wake_cause_name((enum wake_cause)i), want[i]);
	assert_string_equal(wake_cause_name(WAKE_NCAUSES), "unknown");
}

int
main(void)
{
	const struct CMUnitTest more[] = {
		cmocka_unit_test(test_lock_retry),
		cmocka_unit_test(test_sooner),
		cmocka_unit_test(test_cause_names),
	};
	int rc = 0;

	rc |= run_rows("timer", test_timer, (void *)timer_rows,
	    sizeof(timer_rows[0]), NROWS(timer_rows), timer_name);
	rc |= run_rows("binding retry", test_retry, (void *)retry_rows,
	    sizeof(retry_rows[0]), NROWS(retry_rows), retry_name);
	rc |= run_rows("waits", test_wait, (void *)wait_rows,
	    sizeof(wait_rows[0]), NROWS(wait_rows), wait_name);
	rc |= run_rows("warnings", test_warn, (void *)warn_rows,
	    sizeof(warn_rows[0]), NROWS(warn_rows), warn_name);
	rc |= cmocka_run_group_tests_name("schedule", more, NULL, NULL);
	return rc ? 1 : 0;
}
