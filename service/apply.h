/*
 * apply.h - one reconcile: policy -> inventory -> plan -> HTTP.sys.
 */
#ifndef CERTBIND_APPLY_H
#define CERTBIND_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/keymemo.h"
#include "../core/policy.h"
#include "../core/unusable.h"
#include "../core/wakeup.h"

/* Exit codes of `certbind apply`, documented in README.md. */
enum {
	APPLY_OK = 0,          /* every binding is as planned, or was left
	                          for lack of a candidate */
	APPLY_ERROR = 1,       /* bad policy (nothing changed) or a failed call */
	APPLY_CONFLICT = 3     /* nothing failed, but a binding was left in
	                          conflict with a record of another AppId */
};

/* Exit codes of `certbind plan`. */
enum {
	PLAN_NOTHING = 0,      /* HTTP.sys is as the policy wants */
	PLAN_ERROR = 1,
	PLAN_CHANGES = 2       /* apply would create or update records */
};

/*
 * Load the policy at path, bring HTTP.sys in line, report; an exit code.
 * Waits up to lock_timeout_ms for another certbind that is changing
 * HTTP.sys (lock.h).  force overrides the pins `certbind rollback` left
 * (rollback.h) and drops them.
 */
int apply_run(const char *path, uint32_t lock_timeout_ms, bool force);

/*
 * Finish what an interrupted rotation left (httpsys_repair), reporting as
 * apply does; for another writer of HTTP.sys (rollback.c), which holds
 * the writer lock and has HTTP.sys open.
 */
void apply_repair(void);

/* What the service remembers about a binding between reconciles. */
struct binding_state {
	char name[BINDING_NAME_MAX + 1];
	enum target_kind target;       /* its consumer, for the metrics */
	int failures;                  /* failed attempts in a row */
	int64_t retry_at;              /* no new attempt before this time */
	int64_t warned_at;             /* last expiry warning (once a day) */
	int64_t not_after;             /* the bound certificate's, or 0 */
	bool as_planned;               /* holds what the plan chose */
	uint64_t verify_failures;      /* checks after a change that failed */
	int served;                    /* the last check: 1 served, 0 not,
	                                  -1 none that says (core/verify.h) */
	int last_verify;               /* its enum verify_outcome, or -1 */
};

/* What the service remembers between reconciles. */
struct runstate {
	struct binding_state *bindings;
	size_t n;
	uint64_t reconciles, rebinds, errors;   /* totals, for the metrics */
	struct unusable_list unusable; /* certificates HTTP.sys refused */
	struct key_memo keys;          /* keys found usable (keymemo.h) */
	struct key_memo granted;       /* keys found giving a binding's
	                                  accounts read (keyaccess.h) */
	void *stop;                    /* event: set, stop between bindings */
	const char *command;           /* "run" or "service", for the lock */
	uint32_t lock_timeout_ms;      /* wait for another writer this long */
	struct loop_stats loop;        /* the loop's wake-ups, for the metrics */
};

/*
 * One reconcile of an already loaded policy, for the service: failures
 * are retried with capped exponential backoff per binding, expiry
 * warnings go out once a day per binding.  *next is when the plan can
 * next change by itself (plan_next_event).  It holds the writer lock
 * (lock.h) while it reads and writes HTTP.sys, and returns between two
 * bindings when rs->stop is set.  An exit code as apply_run's.
 */
int apply_once(const struct policy *p, struct runstate *rs, int64_t *next);

void runstate_free(struct runstate *rs);

/* Print what apply would do, as text or JSON; an exit code. */
int plan_run(const char *path, bool json, bool explain);

/* Print every certificate in LocalMachine\My (and WebHosting when the
 * policy at path, which may be NULL, uses it) as the matcher sees it. */
int certs_run(const char *path, bool json);

/*
 * Print every SSL record HTTP.sys has against the policy; 0 or 1.  With
 * probe, also what each binding's endpoint serves (verify.c).
 */
int status_run(const char *path, bool json, bool probe);

/*
 * Check what each binding's endpoint serves (or the binding named only's)
 * against the record HTTP.sys has now, and print it; 1 when one serves
 * another certificate or fails the handshake, or on error, else 0.
 */
int verify_run(const char *path, const char *only, bool json);

#endif
