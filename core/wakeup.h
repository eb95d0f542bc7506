/*
 * wakeup.h - why the service loop woke, counted by cause, for the
 * metrics file and `certbind status --json`.  A loop with nothing to do
 * wakes only for its timer; any other count that grows while nothing
 * changes is a bug.
 */
#ifndef CERTBIND_WAKEUP_H
#define CERTBIND_WAKEUP_H

#include <stdbool.h>
#include <stdint.h>

enum wake_cause {
	WAKE_TIMER,            /* the plan's next event, a retry, the resync */
	WAKE_STORE,            /* a certificate store changed */
	WAKE_PACE,             /* the wait after store changes is over */
	WAKE_FOLDER,           /* the policy file's folder changed */
	WAKE_RETRY,            /* time to look for a lost policy folder */
	WAKE_RELOAD,           /* `certbind service reload`, PARAMCHANGE */
	WAKE_STOP,             /* a stop request, Ctrl+C */
	WAKE_NCAUSES
};

/* What the loop reports about itself. */
struct loop_stats {
	uint64_t wakeups[WAKE_NCAUSES];
	uint64_t private_bytes;        /* the process's, when last counted */
};

/* The cause's name, a lower-case word: "timer", "store", ... */
const char *wake_cause_name(enum wake_cause c);

#endif
