/*
 * test_pending.c - service restarts waiting for a restart window
 * (core/pending.c): when each is due for a clock given as input, which
 * window governs it (its binding's, none when the binding is gone), and
 * how `status` shows the list in text and JSON (core/report.c).
 */
#include "unit.h"

#include "pending.h"
#include "report.h"
#include "status.h"

#define NOW INT64_C(1800000000)        /* 2027-01-15T08:00:00Z */
#define H(h, m) ((int64_t)((h) * 60 + (m)) * 60 * 1000)

/* --- pending_due: the clock as input ------------------------------------ */

struct due_row {
	const char *name;
	bool has_window;
	int start_min, end_min;
	int64_t tod_ms;                /* local time of day */
	int64_t due;                   /* seconds after NOW */
};

static const struct due_row due_rows[] = {
	{ "no window: now", false, 0, 0, H(13, 0), 0 },
	{ "inside: now", true, 120, 240, H(3, 0), 0 },
	{ "at the start: now", true, 120, 240, H(2, 0), 0 },
	{ "at the end: the next day's start", true, 120, 240, H(4, 0),
	  22 * 3600 },
	{ "before: the start", true, 120, 240, H(1, 30), 30 * 60 },
	{ "after: tomorrow's start", true, 120, 240, H(13, 0), 13 * 3600 },
	{ "a second before the start", true, 120, 240, H(2, 0) - 1000, 1 },
	{ "part of a second before: rounded up", true, 120, 240,
	  H(2, 0) - 1, 1 },
	{ "across midnight, inside before it", true, 1380, 60, H(23, 30), 0 },
	{ "across midnight, inside after it", true, 1380, 60, H(0, 30), 0 },
	{ "across midnight, outside", true, 1380, 60, H(12, 0), 11 * 3600 },
	{ "a time past the day is folded in", true, 120, 240,
	  H(24, 0) + H(1, 0), 3600 },
};

static void
test_due(void **state)
{
	const struct due_row *r = *state;
	struct window w = { r->start_min, r->end_min };

	assert_int_equal(pending_due(r->has_window ? &w : NULL, NOW, r->tod_ms),
	    NOW + r->due);
}

static const char *
due_name(const void *row)
{
	return ((const struct due_row *)row)->name;
}

/* --- pending_resolve: the binding's window, or none --------------------- */

static void
test_resolve(void **state)
{
	struct binding b[2];
	struct policy p;
	struct pending_list l = { 0 };

	(void)state;
	memset(b, 0, sizeof(b));
	memset(&p, 0, sizeof(p));
	b[0].name = "web";
	b[0].has_restart_window = true;
	b[0].restart_window.start_min = 120;
	b[0].restart_window.end_min = 240;
	b[1].name = "sql";
	p.bindings = b;
	p.nbindings = 2;
	assert_int_equal(pending_add(&l, "W3SVC", "web"), 0);
	assert_int_equal(pending_add(&l, "MSSQLSERVER", "sql"), 0);
	assert_int_equal(pending_add(&l, "Old", "removed"), 0);
	pending_resolve(&l, &p, NOW, H(12, 0));
	assert_true(l.v[0].has_window);
	assert_int_equal(l.v[0].window.start_min, 120);
	assert_int_equal(l.v[0].due, NOW + 14 * 3600);
	assert_false(l.v[1].has_window);
	assert_int_equal(l.v[1].due, NOW);
	assert_false(l.v[2].has_window);   /* its binding is gone */
	assert_int_equal(l.v[2].due, NOW);
	assert_ptr_equal(pending_binding(&p, "sql"), &b[1]);
	assert_null(pending_binding(&p, "removed"));
	pending_free(&l);
	assert_int_equal(l.n, 0);
}

/* --- status: text and JSON ------------------------------------------------ */

static void
make_list(struct pending_list *l)
{
	memset(l, 0, sizeof(*l));
	assert_int_equal(pending_add(l, "W3SVC", "web"), 0);
	assert_int_equal(pending_add(l, "MSSQL$\"X\"", "sql\n1"), 0);
	l->v[0].has_window = true;
	l->v[0].window.start_min = 120;
	l->v[0].window.end_min = 240;
	l->v[0].due = NOW + 3600;
	l->v[1].due = NOW;
}

static void
test_text(void **state)
{
	struct pending_list l;
	struct status st;
	char *out;

	(void)state;
	make_list(&l);
	memset(&st, 0, sizeof(st));
	st.pending = &l;
	out = report_status_text(&st, NOW);
	assert_non_null(out);
	assert_string_equal(out, "0 SSL bindings in HTTP.sys\n"
	    "restart pending: service W3SVC after a change of binding web, "
	    "waits for the restart window 02:00-04:00 (local time), at "
	    "2027-01-15T09:00:00Z\n"
	    "restart pending: service MSSQL$\"X\" after a change of binding "
	    "sql\\x0a1, due now (the service runs it)\n");
	free(out);
	st.pending = NULL;
	out = report_status_text(&st, NOW);
	assert_string_equal(out, "0 SSL bindings in HTTP.sys\n");
	free(out);
	pending_free(&l);
}

static void
test_json(void **state)
{
	struct pending_list l, none = { 0 };
	struct status st;
	char *out;

	(void)state;
	make_list(&l);
	memset(&st, 0, sizeof(st));
	st.pending = &l;
	out = report_status_json(&st, NOW);
	assert_non_null(out);
	if (strstr(out, "\"unreadable\": [],\n  \"pending_restarts\": [\n"
	    "    {\"service\": \"W3SVC\", \"binding\": \"web\", \"window\": "
	    "\"02:00-04:00\", \"due\": \"2027-01-15T09:00:00Z\"},\n"
	    "    {\"service\": \"MSSQL$\\\"X\\\"\", \"binding\": \"sql\\\\x0a1\", "
	    "\"window\": null, \"due\": \"2027-01-15T08:00:00Z\"}\n  ]\n}\n")
	    == NULL)
		fail_msg("got %s", out);
	free(out);
	st.pending = &none;
	out = report_status_json(&st, NOW);
	assert_non_null(strstr(out, "\"pending_restarts\": []\n}\n"));
	free(out);
	st.pending = NULL;
	out = report_status_json(&st, NOW);
	assert_null(strstr(out, "pending_restarts"));
	free(out);
	pending_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
	};
	int rc = 0;

	rc |= run_rows("pending_due", test_due, (void *)due_rows,
	    sizeof(due_rows[0]), NROWS(due_rows), due_name);
	rc |= cmocka_run_group_tests_name("pending", tests, NULL, NULL);
	return rc;
}
