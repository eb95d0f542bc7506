/*
 * schedule.c - the service's timers and retries; see schedule.h.
 */
#include "backoff.h"
#include "due.h"
#include "schedule.h"

int64_t
schedule_sooner(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

int64_t
schedule_timer_ms(int64_t next, int64_t now, int64_t resync_ms)
{
	if (resync_ms < 1)
		resync_ms = 1;
	if (next == SCHEDULE_NEVER)
		return resync_ms;
	if (due(next, now))
		return resync_ms < PAST_EVENT_RETRY_MS ? resync_ms :
		    PAST_EVENT_RETRY_MS;
	/* next - now > 0 cannot overflow; compare in seconds first so that
	 * a moment centuries away is not multiplied past INT64_MAX. */
	if (next - now >= resync_ms / 1000 + 1)
		return resync_ms;
	return (next - now) * 1000 < resync_ms ? (next - now) * 1000 :
	    resync_ms;
}

int64_t
schedule_binding_retry(int failures, int64_t now)
{
	return now + backoff_wait(failures > 1 ? (unsigned)failures - 1 : 0,
	    BINDING_RETRY_FIRST_S, BINDING_RETRY_MAX_S);
}

int64_t
schedule_lock_retry(int64_t now)
{
	return now + LOCK_RETRY_S;
}

uint32_t
schedule_folder_retry_ms(unsigned tries)
{
	return backoff_wait(tries, FOLDER_RETRY_FIRST_MS, FOLDER_RETRY_MAX_MS);
}

uint32_t
schedule_call_retry_ms(unsigned attempt)
{
	return backoff_wait(attempt, CALL_RETRY_FIRST_MS,
	    CALL_RETRY_FIRST_MS << (CALL_RETRIES - 1));
}

uint32_t
schedule_restore_retry_ms(unsigned attempt)
{
	return backoff_wait(attempt, RESTORE_RETRY_FIRST_MS,
	    RESTORE_RETRY_FIRST_MS << (RESTORE_RETRIES - 1));
}

uint32_t
schedule_own_write_ms(unsigned seen)
{
	return seen == 0 ? OWN_WRITE_FIRST_MS : OWN_WRITE_MORE_MS;
}

bool
schedule_warning_due(int64_t warned_at, int64_t now)
{
	return warned_at == 0 || now - warned_at >= WARN_EVERY_S ||
	    now < warned_at;
}
