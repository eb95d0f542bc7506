/*
 * window.c - restart windows ("02:00-04:00"): reading one from a policy,
 * and how long a restart must wait for it.
 *
 * The format is strict on purpose: exactly two digits for each hour and
 * minute, 24-hour clock.  "2:00-4:00" or "02:00 - 04:00" would be easy to
 * accept, but a window is when a production service may go down, and a
 * value that reads two ways (is "12:00-1:00" an hour or thirteen?) is
 * better refused at `certbind check` than guessed at 3 in the morning.
 *
 * Time zones and daylight saving time are the caller's business: these
 * functions see only a local time of day.  On the day the clocks change,
 * the local day is 23 or 25 hours long, so a wait computed here in
 * wall-clock terms may end an hour early or late.  The caller therefore
 * takes the wait as a timer, reads the local time again when it fires,
 * and asks again: a wait that ended early yields another wait; one that
 * ended late is still inside (or past) the window on the next call.
 * Keeping the clock out makes every case here a row of a table.
 */
#include <stdio.h>

#include "window.h"

#define MIN_MS (60 * 1000)

static int
digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : -1;
}

/* Two digits at p, 00 to max, as a number; -1 if not. */
static int
two_digits(const char *p, int max)
{
	int hi = digit(p[0]), lo;

	if (hi < 0)
		return -1;
	lo = digit(p[1]);
	if (lo < 0 || hi * 10 + lo > max)
		return -1;
	return hi * 10 + lo;
}

/* "HH:MM" at p, as minutes after midnight; -1 with err set if not. */
static int
clock_minutes(const char *p, const char *which, struct cb_error *err)
{
	int h = two_digits(p, 23), m;

	if (h < 0)
		return cb_error_set(err, NULL, 0, 0, "the %s hour of a restart "
		    "window must be two digits from 00 to 23", which);
	m = two_digits(p + 3, 59);
	if (m < 0)
		return cb_error_set(err, NULL, 0, 0, "the %s minute of a "
		    "restart window must be two digits from 00 to 59", which);
	return h * 60 + m;
}

/* Only digits where digits go and ':' '-' where they go: the shape. */
static bool
well_shaped(const char *t)
{
	static const char shape[] = "dd:dd-dd:dd";
	size_t i;

	for (i = 0; shape[i] != '\0'; i++) {
		if (t[i] == '\0')
			return false;
		if (shape[i] == 'd' ? digit(t[i]) < 0 : t[i] != shape[i])
			return false;
	}
	return t[i] == '\0';
}

int
window_parse(const char *text, struct window *w, struct cb_error *err)
{
	int start, end;

	if (text == NULL || !well_shaped(text))
		return cb_error_set(err, NULL, 0, 0, "a restart window is "
		    "written HH:MM-HH:MM in 24-hour local time, such as "
		    "02:00-04:00");
	if ((start = clock_minutes(text, "start", err)) < 0 ||
	    (end = clock_minutes(text + 6, "end", err)) < 0)
		return -1;
	if (start == end)
		return cb_error_set(err, NULL, 0, 0, "a restart window must not "
		    "start and end at the same time (to allow restarts at any "
		    "time, leave restart_window out)");
	w->start_min = start;
	w->end_min = end;
	return 0;
}

/* t is in [start, end), where the window may wrap past midnight. */
static bool
inside(const struct window *w, int64_t t)
{
	int64_t start = (int64_t)w->start_min * MIN_MS;
	int64_t end = (int64_t)w->end_min * MIN_MS;

	if (start < end)
		return t >= start && t < end;
	return t >= start || t < end;
}

int64_t
window_wait_ms(const struct window *w, int64_t tod_ms)
{
	int64_t t = tod_ms % DAY_MS;
	int64_t start = (int64_t)w->start_min * MIN_MS;

	/* Out-of-range times are folded into the day, not trusted. */
	if (t < 0)
		t += DAY_MS;
	if (inside(w, t))
		return 0;
	return (start - t + DAY_MS) % DAY_MS;
}

const char *
window_text(const struct window *w, char *buf, size_t len)
{
	snprintf(buf, len, "%02d:%02d-%02d:%02d", w->start_min / 60,
	    w->start_min % 60, w->end_min / 60, w->end_min % 60);
	return buf;
}
