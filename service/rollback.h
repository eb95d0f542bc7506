/*
 * rollback.h - `certbind rollback` and `certbind history`, and what the
 * reconcile does for them: keep each record it replaces in the history,
 * and hold the bindings a rollback pinned.
 */
#ifndef CERTBIND_ROLLBACK_H
#define CERTBIND_ROLLBACK_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/plan.h"

/* Exit codes of `certbind rollback`, documented in README.md. */
enum {
	ROLLBACK_DONE = 0,     /* every binding asked for was rolled back */
	ROLLBACK_ERROR = 1,    /* bad policy or binding name, a history that
	                          cannot be read, the lock, or a failed call */
	ROLLBACK_NOTHING = 2   /* no history to roll back to: nothing changed */
};

/*
 * The record at it's endpoint was just replaced by it->desired, for
 * reason ("apply", "run", "service"): keep the replaced record in the
 * history (event 234 when it cannot be), and drop a pin the change moved
 * the binding past.
 */
void rollback_note_change(const struct plan_item *it, const char *reason);

/*
 * Hold every item a rollback pinned (core/pin.h), reading the pins from
 * the registry; one that cannot be read is reported (event 320) and not
 * used.  With force (`apply --force`) nothing is held and the pins of
 * the plan's bindings are dropped.
 */
void rollback_hold_pinned(struct plan *plan, bool force);

/* The same for one item planned again (a record changed meanwhile, a
 * certificate HTTP.sys refused). */
void rollback_hold_item(struct plan_item *it, bool force);

/*
 * Put back, for every binding of the policy at path (or the one named),
 * the record it held before certbind's last change; an exit code.
 */
int rollback_run(const char *path, const char *binding,
    uint32_t lock_timeout_ms);

/*
 * List the history of the policy's bindings (or the one named), or, with
 * no policy, of every endpoint that has one; 0, or 1 on error.
 */
int history_run(const char *path, const char *binding, bool json);

#endif
