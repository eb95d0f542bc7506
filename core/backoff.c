/*
 * backoff.c - capped exponential backoff; see backoff.h.
 */
#include "backoff.h"

uint32_t
backoff_wait(unsigned attempt, uint32_t first, uint32_t cap)
{
	uint64_t wait = first;

	while (attempt-- > 0 && wait < cap)
		wait *= 2;
	return wait < cap ? (uint32_t)wait : cap;
}
