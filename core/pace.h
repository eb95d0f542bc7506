/*
 * pace.h - when the service reconciles after the certificate stores
 * changed: soon after a change, yet never so often that reconciling
 * takes more than a tenth of the machine's time.
 *
 * A store write signals before the writer has finished, so a reconcile
 * waits for service.debounce after the last store event.  Beyond that the
 * only limit is cost: after a reconcile that took d ms, the next one
 * starts no sooner than PACE_IDLE_SHARE * d ms after it ended, so the loop
 * spends at most 1 / (PACE_IDLE_SHARE + 1) of wall time reconciling
 * however fast changes come.  A store that never stops changing is still
 * reconciled PACE_CAP_MS after the first change not yet served.
 *
 * Times are milliseconds of a monotonic clock (GetTickCount64 in the
 * service) and are inputs: pace_wait() reads no clock.
 */
#ifndef CERTBIND_PACE_H
#define CERTBIND_PACE_H

#include <stdbool.h>
#include <stdint.h>

#define PACE_IDLE_SHARE 9              /* idle ms per ms of reconcile */
#define PACE_CAP_MS 10000              /* the longest a change waits */

struct pace {
	uint64_t now;
	uint64_t last_event;           /* the latest store event */
	uint64_t first_unserved;       /* the first store event no reconcile
	                                  has read since */
	bool reconciled;               /* a reconcile has run: the next two
	                                  fields hold */
	uint64_t last_end;             /* when the last reconcile ended */
	uint64_t last_cost;            /* how long it took */
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

#endif
