/*
 * test_wakeup.c - the service loop's counts in `certbind status --json`
 * (core/report.c): a "service" object with one wake-up count per cause
 * and the private bytes while the loop runs, and no such object when it
 * does not.
 */
#include "unit.h"

#include "report.h"
#include "status.h"
#include "wakeup.h"

#define NOW INT64_C(1800000000)

static void
test_running(void **state)
{
	struct status st;
	struct loop_stats ls;
	char *out;

	(void)state;
	memset(&st, 0, sizeof(st));
	memset(&ls, 0, sizeof(ls));
	ls.wakeups[WAKE_TIMER] = 3;
	ls.wakeups[WAKE_STORE] = 12;
	ls.wakeups[WAKE_PACE] = 4;
	ls.wakeups[WAKE_STOP] = 1;
	ls.private_bytes = UINT64_C(3145728);
	st.service = &ls;
	out = report_status_json(&st, NOW);
	assert_non_null(out);
	assert_non_null(strstr(out, "\"unreadable\": [],\n  \"service\": "
	    "{\"wakeups\": {\"timer\": 3, \"store\": 12, \"pace\": 4, "
	    "\"folder\": 0, \"retry\": 0, \"reload\": 0, \"stop\": 1}, "
	    "\"private_bytes\": 3145728}\n}\n"));
	free(out);
}

static void
test_not_running(void **state)
{
	struct status st;
	char *out;

	(void)state;
	memset(&st, 0, sizeof(st));
	out = report_status_json(&st, NOW);
	assert_non_null(out);
	assert_null(strstr(out, "\"service\""));
	assert_non_null(strstr(out, "\"unreadable\": []\n}\n"));
	free(out);
}

/* Counts past 32 bits print whole. */
static void
test_large(void **state)
{
	struct status st;
	struct loop_stats ls;
	char *out;

	(void)state;
	memset(&st, 0, sizeof(st));
	memset(&ls, 0, sizeof(ls));
	ls.wakeups[WAKE_TIMER] = UINT64_MAX;
	ls.private_bytes = UINT64_C(5000000000);
	st.service = &ls;
	out = report_status_json(&st, NOW);
	assert_non_null(out);
	assert_non_null(strstr(out, "\"timer\": 18446744073709551615,"));
	assert_non_null(strstr(out, "\"private_bytes\": 5000000000}"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_running),
		cmocka_unit_test(test_not_running),
		cmocka_unit_test(test_large),
	};

	return cmocka_run_group_tests_name("wakeup", tests, NULL, NULL);
}
