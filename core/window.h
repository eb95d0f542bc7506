/*
 * window.h - restart windows: when a service restart after a change may
 * happen.  Pure: the caller passes the local time of day.
 */
#ifndef CERTBIND_WINDOW_H
#define CERTBIND_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "policy.h"                /* struct window */

#define DAY_MS (24LL * 60 * 60 * 1000)

/*
 * Parse "HH:MM-HH:MM" (24-hour, local time) into w.  Returns 0, or -1
 * with err's message set (no position: the caller adds the node's).
 */
int window_parse(const char *text, struct window *w, struct cb_error *err);

/*
 * How long from local time of day tod_ms (0 <= tod_ms < DAY_MS) until a
 * restart may run in w: 0 inside the window (start inclusive, end
 * exclusive), else the milliseconds to its next start.
 */
int64_t window_wait_ms(const struct window *w, int64_t tod_ms);

/* "02:00-04:00" into buf (at least 12 bytes); returns buf. */
const char *window_text(const struct window *w, char *buf, size_t len);

#endif
