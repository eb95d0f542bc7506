/*
 * runtime.h - the loop that keeps the bindings right for as long as it
 * runs: `certbind run` in the foreground, and the service.
 */
#ifndef CERTBIND_RUNTIME_H
#define CERTBIND_RUNTIME_H

#include <windows.h>
#include <stdbool.h>
#include <stdint.h>

/* What the loop needs from whoever runs it. */
struct runtime_io {
	HANDLE stop;           /* set: finish the current step and return */
	HANDLE reload;         /* set: read the policy again (PARAMCHANGE) */
	bool service;          /* under the SCM: a bad policy at start waits */
	uint32_t lock_timeout_ms;     /* wait for another writer (lock.h) */
	void (*running)(void *arg);   /* called once the loop is running */
	void *arg;
};

/*
 * Load the policy at path, reconcile, then wait for store changes,
 * policy changes, the next moment the plan changes by itself, or the
 * resync interval, and reconcile again, until io->stop is set.  Returns
 * 0, or 1 when the policy could not be loaded at the start (foreground
 * only), the watches could not be set up, or the loop could no longer
 * wait (a failure, so that the SCM's recovery restarts the service).
 */
int runtime_loop(const char *path, const struct runtime_io *io);

#endif
