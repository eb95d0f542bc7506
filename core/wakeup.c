/*
 * wakeup.c - the names of the loop's wake-up causes; see wakeup.h.
 */
#include "wakeup.h"

static const char *const names[WAKE_NCAUSES] = {
	[WAKE_TIMER] = "timer",
	[WAKE_STORE] = "store",
	[WAKE_PACE] = "pace",
	[WAKE_FOLDER] = "folder",
	[WAKE_RETRY] = "retry",
	[WAKE_RELOAD] = "reload",
	[WAKE_STOP] = "stop",
};

const char *
wake_cause_name(enum wake_cause c)
{
	return (unsigned)c < WAKE_NCAUSES ? names[c] : "unknown";
}
