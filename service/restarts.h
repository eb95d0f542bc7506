/*
 * restarts.h - the service restarts a certificate change asks for
 * (restart_services:, and a SQL Server instance's service), each run at
 * once or, outside its binding's restart window, when the window opens.
 *
 * Every restart is first recorded under HKLM\SOFTWARE\CertBind\
 * PendingRestarts, so that `certbind status` (another process) shows it,
 * an `apply` outside the window leaves it to the service, and a restart
 * that a crash or a stop interrupted is still done.
 */
#ifndef CERTBIND_RESTARTS_H
#define CERTBIND_RESTARTS_H

#include <stdint.h>

#include "../core/pending.h"
#include "../core/policy.h"

/*
 * Binding b's certificate changed: record the restarts it asks for.  0,
 * or -1 after reporting a restart that could not be recorded.
 */
int restarts_after_change(const struct binding *b);

/*
 * Run the recorded restarts that are due: their binding's window is open
 * (or it has none, or p no longer has the binding).  When next is not
 * NULL, *next becomes the sooner of itself and the time the next one
 * waiting is due (UTC seconds), for the service's timer.  0, or -1 when
 * one failed (reported; the binding keeps its certificate).
 */
int restarts_run_due(const struct policy *p, int64_t *next);

/* The recorded restarts, with their windows and due times from p. */
uint32_t restarts_pending(const struct policy *p, struct pending_list *out);

#endif
