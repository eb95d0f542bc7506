/*
 * svcrestart.h - restarting a service through the SCM after its
 * certificate changed (restart_services:, SQL Server).  Never a shell.
 */
#ifndef CERTBIND_SVCRESTART_H
#define CERTBIND_SVCRESTART_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/error.h"
#include "../core/policy.h"

#define RESTART_WAIT_MAX_MS 60000

struct restart_result {
	uint32_t error;                /* 0: the service is RUNNING again */
	const char *step;              /* "open", "stop", "start", "wait" */
	uint32_t exit_code;            /* its Win32 exit code, when it
	                                  stopped and did not come back */
	char *service;                 /* which one failed (malloc'd):
	                                  the service or a dependent */
	bool left_stopped;             /* it was not running: left so */
};

/*
 * Stop name (its running dependents first, as the SCM requires), wait
 * for STOPPED within its wait hint (RESTART_WAIT_MAX_MS at most), start
 * it and the dependents that were running, and wait for RUNNING.
 */
uint32_t service_restart(const char *name, struct restart_result *res);

void restart_result_free(struct restart_result *res);

/*
 * Every restart_services name of p is an installed service; else -1
 * with err at the name's line:col.
 */
int restart_check(const char *file, const struct policy *p,
    struct cb_error *err);

#endif
