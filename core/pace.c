/*
 * pace.c - when to reconcile after store changes; see pace.h.
 */
#include "pace.h"

static uint64_t
add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t
mul_sat(uint64_t a, uint64_t b)
{
	return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

static uint64_t
max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

uint64_t
pace_wait(const struct pace *p)
{
	uint64_t start = add_sat(p->last_event, p->debounce), cap;

	if (p->paid_until > PACE_CREDIT_MS)
		start = max64(start, p->paid_until - PACE_CREDIT_MS);
	cap = add_sat(p->first_unserved, max64(PACE_CAP_MS, p->debounce));
	if (cap < start)
		start = cap;
	return start > p->now ? start - p->now : 0;
}

void
pace_note_reconcile(struct pace *p, uint64_t start, uint64_t end)
{
	uint64_t cost = end > start ? end - start : 0;

	p->paid_until = add_sat(max64(p->paid_until, start),
	    mul_sat(cost, PACE_IDLE_SHARE + 1));
}
