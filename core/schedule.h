/*
 * schedule.h - the service's other time decisions: when its timer fires,
 * when a failed binding, a lost policy folder, a busy writer lock or a
 * busy HTTP.sys call is tried again, and when an expiry warning is said
 * again.  (When to reconcile after store changes is pace.h's.)
 *
 * All are pure: the clock is an argument.  Moments of the plan are UTC
 * seconds since 1970 (as due.h); waits are in the unit each name says.
 * SCHEDULE_NEVER is "no such moment".
 */
#ifndef CERTBIND_SCHEDULE_H
#define CERTBIND_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#define SCHEDULE_NEVER INT64_MAX

#define BINDING_RETRY_FIRST_S 10       /* a failed binding, doubling */
#define BINDING_RETRY_MAX_S (60 * 60)
#define LOCK_RETRY_S 10                /* another writer held the lock */
#define FOLDER_RETRY_FIRST_MS 1000     /* looking for a lost policy folder */
#define FOLDER_RETRY_MAX_MS 60000
#define WARN_EVERY_S (24 * 60 * 60)    /* an expiry warning, per binding */
#define CALL_RETRIES 3                 /* a busy HTTP.sys call, after the
                                          first try */
#define CALL_RETRY_FIRST_MS 100        /* doubling: 100, 200, 400 ms */
#define RESTORE_RETRIES 5              /* putting back a deleted record,
                                          after the first try */
#define RESTORE_RETRY_FIRST_MS 100     /* doubling: 100 ms ... 1.6 s */
#define PAST_EVENT_RETRY_MS 1000       /* a moment the plan could not
                                          clear yet (see below) */
#define OWN_WRITE_FIRST_MS 200         /* the folder's report of certbind's
                                          own metrics write (below) */
#define OWN_WRITE_MORE_MS 20
#define OWN_WRITE_MAX_SIGNALS 8

/* The sooner of two moments. */
int64_t schedule_sooner(int64_t a, int64_t b);

/*
 * The timer's wait in milliseconds, at now: until next (the plan's next
 * event and the bindings' retries, schedule_sooner'd), or resync_ms if
 * that is sooner or next is SCHEDULE_NEVER.  A next at or before now (a
 * moment the reconcile just made could not clear, as when its clock
 * read a second earlier) waits PAST_EVENT_RETRY_MS, not 0, so that the
 * loop never spins.  The wait is at least 1 ms and never above resync_ms.
 */
int64_t schedule_timer_ms(int64_t next, int64_t now, int64_t resync_ms);

/* When a binding that failed failures times in a row (>= 1) at now is
 * tried again. */
int64_t schedule_binding_retry(int failures, int64_t now);

/* When the lock is tried again after another certbind held it at now. */
int64_t schedule_lock_retry(int64_t now);

/* The wait before looking for a lost policy folder the tries+1-th time. */
uint32_t schedule_folder_retry_ms(unsigned tries);

/* The wait before retry number attempt (0: the first) of a busy
 * HTTP.sys call. */
uint32_t schedule_call_retry_ms(unsigned attempt);

/*
 * The wait before retry number attempt (0: the first) of putting back a
 * record a failed Delete+Set rotation deleted: whatever the error, since
 * the endpoint is unbound until it passes.
 */
uint32_t schedule_restore_retry_ms(unsigned attempt);

/*
 * How long the loop waits for the folder watch to report the metrics
 * file it has just written into the policy's folder, when it has taken
 * seen reports of it so far: one write makes several changes (the
 * temporary file, its content, the rename) that Windows reports at once
 * and Wine one after another, a little later.
 */
uint32_t schedule_own_write_ms(unsigned seen);

/* An expiry warning last said at warned_at (0: never) is said again at
 * now: a day later, or at once when the clock was set back before it. */
bool schedule_warning_due(int64_t warned_at, int64_t now);

#endif
