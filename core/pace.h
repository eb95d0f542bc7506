/*
 * pace.h - when the service reconciles after the certificate stores
 * changed: soon after a change, yet never so often that reconciling
 * takes more than a tenth of the machine's time.
 *
 * A store write signals before the writer has finished, so a reconcile
 * waits for service.debounce after the last store event.  Beyond that the
 * only limit is cost, kept as a budget rather than a rest after each
 * reconcile: every reconcile of d ms is paid for by PACE_IDLE_SHARE * d ms
 * of idle time, and the loop may run ahead of what it has paid for by at
 * most PACE_CREDIT_MS.  So reconciling never takes more than
 * 1 / (PACE_IDLE_SHARE + 1) of wall time in the long run, plus
 * PACE_CREDIT_MS / (PACE_IDLE_SHARE + 1) in any window, however fast
 * changes come; yet a renewal that follows the last one by a second is
 * not held for the cost of the last reconcile, since that second has
 * already paid for it.  A store that never stops changing is still
 * reconciled PACE_CAP_MS after the first change not yet served.
 *
 * (A rest of PACE_IDLE_SHARE * d after each reconcile bounds the share
 * too, but charges it to every change that comes soon after one: with
 * 100 ms reconciles, as under Wine, renewals one a second each waited
 * up to 900 ms.)
 *
 * Times are milliseconds of a monotonic clock (GetTickCount64 in the
 * service) and are inputs: pace_wait() reads no clock.
 */
#ifndef CERTBIND_PACE_H
#define CERTBIND_PACE_H

#include <stdbool.h>
#include <stdint.h>

#define PACE_IDLE_SHARE 9              /* idle ms per ms of reconcile */
#define PACE_CREDIT_MS 5000            /* how far ahead of its budget the
                                          loop may run */
#define PACE_CAP_MS 10000              /* the longest a change waits */

struct pace {
	uint64_t now;
	uint64_t last_event;           /* the latest store event */
	uint64_t first_unserved;       /* the first store event no reconcile
	                                  has read since */
	uint64_t paid_until;           /* when the reconciles so far are paid
	                                  for by idle time (0 before the
	                                  first; pace_note_reconcile) */
	uint64_t debounce;             /* service.debounce */
};

/*
 * How long to wait before reconciling for the store events p describes:
 * 0 to reconcile now.  Never more than the cap left (PACE_CAP_MS, or the
 * debounce if longer, after first_unserved).  Any clock values are safe:
 * sums saturate at the top of the clock instead of wrapping to 0.
 */
uint64_t pace_wait(const struct pace *p);

/*
 * A store event at now: the latest one, and the first unserved one too
 * unless an earlier one is still waiting.
 */
static inline void
pace_note_event(struct pace *p, uint64_t now, bool waiting)
{
	if (!waiting)
		p->first_unserved = now;
	p->last_event = now;
}

/*
 * A reconcile ran from start to end: charge its cost, PACE_IDLE_SHARE + 1
 * times its duration from its start or from the end of what was already
 * charged, whichever is later.  Sums saturate.
 */
void pace_note_reconcile(struct pace *p, uint64_t start, uint64_t end);

#endif
