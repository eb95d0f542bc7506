/*
 * backoff.h - how long to wait before trying again.
 */
#ifndef CERTBIND_BACKOFF_H
#define CERTBIND_BACKOFF_H

#include <stdint.h>

/*
 * The wait before try number attempt (0: the first retry): first,
 * doubled for each further attempt, never more than cap, in the unit of
 * first and cap (milliseconds for the folder watch, seconds for a
 * binding's retries).  Any attempt count is safe: the doubling stops at
 * cap.
 */
uint32_t backoff_wait(unsigned attempt, uint32_t first, uint32_t cap);

#endif
