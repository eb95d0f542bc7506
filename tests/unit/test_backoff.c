/*
 * test_backoff.c - capped exponential backoff (core/backoff.c), as the
 * service uses it to look for a policy folder that went away: 1 s,
 * doubling, at most 60 s.
 */
#include "unit.h"

#include "backoff.h"

struct row {
	const char *name;
	unsigned attempt;
	uint32_t first, cap, want;
};

static const struct row rows[] = {
	{ "first retry waits first", 0, 1000, 60000, 1000 },
	{ "second retry doubles", 1, 1000, 60000, 2000 },
	{ "sixth retry", 5, 1000, 60000, 32000 },
	{ "seventh retry reaches the cap", 6, 1000, 60000, 60000 },
	{ "later retries stay at the cap", 40, 1000, 60000, 60000 },
	{ "huge attempt counts do not overflow", 4000000000u, 1000, 60000,
	  60000 },
	{ "a first wait above the cap is cut to it", 0, 90000, 60000, 60000 },
	{ "doubling past 32 bits is capped", 3, 0x80000000u, 0xffffffffu,
	  0xffffffffu },
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

	assert_int_equal(backoff_wait(r->attempt, r->first, r->cap), r->want);
}

int
main(void)
{
	return run_rows("backoff", test_row, (void *)rows, sizeof(rows[0]),
	    NROWS(rows), row_name) ? 1 : 0;
}
