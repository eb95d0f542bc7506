/*
 * test_window.c - restart windows (core/window.c): the strict
 * "HH:MM-HH:MM" reader, its text form, and how long a restart waits at
 * each time of day, inside, before, after, across midnight and on the
 * edges.
 */
#include "unit.h"

#include "window.h"

#define H(h, m) ((int64_t)((h) * 60 + (m)) * 60 * 1000)

/* --- window_parse ------------------------------------------------------ */

struct parse_row {
	const char *text;
	int start_min, end_min;  /* when it parses */
	const char *error;       /* a part of the message, or NULL */
};

static const struct parse_row parse_rows[] = {
	{ "02:00-04:00", 120, 240, NULL },
	{ "00:00-23:59", 0, 1439, NULL },
	{ "23:59-00:00", 1439, 0, NULL },
	{ "22:30-01:15", 1350, 75, NULL },
	{ "04:00-02:00", 240, 120, NULL },
	{ "12:05-12:06", 725, 726, NULL },
	{ "02:00-02:00", 0, 0, "must not start and end at the same time" },
	{ "00:00-00:00", 0, 0, "must not start and end at the same time" },
	{ "24:00-02:00", 0, 0, "start hour of a restart window must be two "
	  "digits from 00 to 23" },
	{ "02:00-24:00", 0, 0, "end hour" },
	{ "02:60-04:00", 0, 0, "start minute of a restart window must be two "
	  "digits from 00 to 59" },
	{ "02:00-04:61", 0, 0, "end minute" },
	{ "99:99-99:99", 0, 0, "start hour" },
	{ "2:00-4:00", 0, 0, "written HH:MM-HH:MM in 24-hour local time" },
	{ "02:00 - 04:00", 0, 0, "written HH:MM-HH:MM" },
	{ "02:00-04:00 ", 0, 0, "written HH:MM-HH:MM" },
	{ " 02:00-04:00", 0, 0, "written HH:MM-HH:MM" },
	{ "02:00-04:00x", 0, 0, "written HH:MM-HH:MM" },
	{ "02:00-04", 0, 0, "written HH:MM-HH:MM" },
	{ "02.00-04.00", 0, 0, "written HH:MM-HH:MM" },
	{ "02:00–04:00", 0, 0, "written HH:MM-HH:MM" },  /* en dash */
	{ "０2:00-04:00", 0, 0, "written HH:MM-HH:MM" }, /* fullwidth 0 */
	{ "+2:00-04:00", 0, 0, "written HH:MM-HH:MM" },
	{ "02:00-04:00\n", 0, 0, "written HH:MM-HH:MM" },
	{ "02:00", 0, 0, "written HH:MM-HH:MM" },
	{ "", 0, 0, "written HH:MM-HH:MM" },
	{ "2am-4am", 0, 0, "written HH:MM-HH:MM" },
};

static void
test_parse(void **state)
{
	const struct parse_row *r = *state;
	struct window w = { -1, -1 };
	struct cb_error err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = window_parse(r->text, &w, &err);
	if (r->error == NULL) {
		if (rc != 0)
			fail_msg("'%s': %s", r->text, err.msg);
		assert_int_equal(w.start_min, r->start_min);
		assert_int_equal(w.end_min, r->end_min);
		return;
	}
	assert_int_equal(rc, -1);
	if (strstr(err.msg, r->error) == NULL)
		fail_msg("'%s': got '%s', want '%s'", r->text, err.msg,
		    r->error);
	/* Refused input leaves the window as it was. */
	assert_int_equal(w.start_min, -1);
	assert_int_equal(w.end_min, -1);
	assert_int_equal(err.line, 0);
}

static const char *
parse_name(const void *row)
{
	return ((const struct parse_row *)row)->text;
}

/* NULL is refused, not read. */
static void
test_parse_null(void **state)
{
	struct window w = { -1, -1 };
	struct cb_error err;

	(void)state;
	assert_int_equal(window_parse(NULL, &w, &err), -1);
	assert_int_equal(w.start_min, -1);
}

/* --- window_text ------------------------------------------------------- */

static void
test_text(void **state)
{
	static const char *const texts[] = {
		"02:00-04:00", "23:59-00:00", "00:00-23:59", "22:30-01:15",
		"09:05-17:45",
	};
	struct window w;
	char buf[12];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(texts); i++) {
		assert_int_equal(window_parse(texts[i], &w, NULL), 0);
		assert_string_equal(window_text(&w, buf, sizeof(buf)), texts[i]);
	}
}

/* A short buffer is cut and terminated, never overrun. */
static void
test_text_short(void **state)
{
	struct window w = { 120, 240 };
	char buf[6];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_string_equal(window_text(&w, buf, sizeof(buf)), "02:00");
}

/* --- window_wait_ms ---------------------------------------------------- */

struct wait_row {
	const char *name;
	const char *window;
	int64_t tod_ms;
	int64_t want_ms;
};

static const struct wait_row wait_rows[] = {
	/* 02:00-04:00: a window inside one day. */
	{ "inside", "02:00-04:00", H(3, 0), 0 },
	{ "at the start", "02:00-04:00", H(2, 0), 0 },
	{ "one ms before the start", "02:00-04:00", H(2, 0) - 1, 1 },
	{ "one ms before the end", "02:00-04:00", H(4, 0) - 1, 0 },
	{ "at the end", "02:00-04:00", H(4, 0), H(22, 0) },
	{ "just after the end", "02:00-04:00", H(4, 0) + 1, H(22, 0) - 1 },
	{ "before, same day", "02:00-04:00", H(1, 30), H(0, 30) },
	{ "midnight", "02:00-04:00", 0, H(2, 0) },
	{ "after, next day", "02:00-04:00", H(13, 15), H(12, 45) },
	{ "last ms of the day", "02:00-04:00", DAY_MS - 1, H(2, 0) + 1 },
	/* 22:00-02:00: a window across midnight. */
	{ "wrap: before midnight", "22:00-02:00", H(23, 0), 0 },
	{ "wrap: midnight", "22:00-02:00", 0, 0 },
	{ "wrap: after midnight", "22:00-02:00", H(1, 59), 0 },
	{ "wrap: at the start", "22:00-02:00", H(22, 0), 0 },
	{ "wrap: at the end", "22:00-02:00", H(2, 0), H(20, 0) },
	{ "wrap: afternoon", "22:00-02:00", H(15, 0), H(7, 0) },
	{ "wrap: one ms before", "22:00-02:00", H(22, 0) - 1, 1 },
	{ "wrap: last ms of the day", "22:00-02:00", DAY_MS - 1, 0 },
	/* Windows that touch midnight. */
	{ "to midnight: inside", "23:00-00:00", H(23, 59), 0 },
	{ "to midnight: at midnight", "23:00-00:00", 0, H(23, 0) },
	{ "from midnight: at midnight", "00:00-01:00", 0, 0 },
	{ "from midnight: late", "00:00-01:00", H(23, 0), H(1, 0) },
	/* The widest windows: all day but one minute. */
	{ "widest: inside", "00:00-23:59", H(23, 58), 0 },
	{ "widest: the minute out", "00:00-23:59", H(23, 59), H(0, 1) },
	{ "widest wrap: the minute out", "12:01-12:00", H(12, 0), H(0, 1) },
	{ "widest wrap: inside", "12:01-12:00", H(11, 59), 0 },
	/* A one-minute window. */
	{ "one minute: inside", "03:00-03:01", H(3, 0) + 59999, 0 },
	{ "one minute: after", "03:00-03:01", H(3, 1), H(23, 59) },
	/* Times outside the day are folded into it, not trusted. */
	{ "a day late", "02:00-04:00", DAY_MS + H(3, 0), 0 },
	{ "negative", "02:00-04:00", -H(1, 0), H(3, 0) },
	{ "a day past midnight", "02:00-04:00", DAY_MS, H(2, 0) },
};

static void
test_wait(void **state)
{
	const struct wait_row *r = *state;
	struct window w;
	int64_t got;

	assert_int_equal(window_parse(r->window, &w, NULL), 0);
	got = window_wait_ms(&w, r->tod_ms);
	if (got != r->want_ms)
		fail_msg("%s: %s at %lld ms: waits %lld, want %lld", r->name,
		    r->window, (long long)r->tod_ms, (long long)got,
		    (long long)r->want_ms);
}

static const char *
wait_name(const void *row)
{
	return ((const struct wait_row *)row)->name;
}

/*
 * Over every minute of the day, for a few windows: the wait is 0 exactly
 * inside, never a day or more, and where it is not 0 it ends at the
 * window's start.
 */
static void
test_wait_every_minute(void **state)
{
	static const char *const windows[] = {
		"02:00-04:00", "22:00-02:00", "00:00-00:01", "23:59-00:00",
	};
	size_t i;
	int64_t t;

	(void)state;
	for (i = 0; i < NROWS(windows); i++) {
		struct window w;

		assert_int_equal(window_parse(windows[i], &w, NULL), 0);
		for (t = 0; t < DAY_MS; t += 60 * 1000) {
			int64_t min = t / 60000, wait = window_wait_ms(&w, t);
			bool in = w.start_min < w.end_min ?
			    min >= w.start_min && min < w.end_min :
			    min >= w.start_min || min < w.end_min;

			assert_true(wait >= 0 && wait < DAY_MS);
			assert_int_equal(wait == 0, in);
			if (wait != 0)
				assert_int_equal((t + wait) % DAY_MS,
				    (int64_t)w.start_min * 60000);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_null),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_short),
		cmocka_unit_test(test_wait_every_minute),
	};
	int rc = 0;

	rc |= run_rows("window_parse", test_parse, (void *)parse_rows,
	    sizeof(parse_rows[0]), NROWS(parse_rows), parse_name);
	rc |= run_rows("window_wait_ms", test_wait, (void *)wait_rows,
	    sizeof(wait_rows[0]), NROWS(wait_rows), wait_name);
	rc |= cmocka_run_group_tests_name("window", tests, NULL, NULL);
	return rc;
}
