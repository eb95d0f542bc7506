/*
 * apply.c - carrying out a plan: `certbind apply`, and each reconcile of
 * the service.
 *
 * The world is read (world.c) and planned (core/plan.c); then each item
 * is carried out through its binding's target adapter (target.h), one
 * binding at a time, and every decision is printed and sent to the Event
 * Log.  A certificate the consumer refuses (its key cannot be used), one
 * that left the store, and one that is not served once bound are passed
 * over for that binding and the next qualifying one is tried at once
 * (unusable.h).  Around each change are two hooks, before_change() and
 * after_change(), for what a change needs beside the consumer itself.
 */
#include <windows.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/due.h"
#include "../core/plan.h"
#include "../core/report.h"
#include "../core/schedule.h"
#include "apply.h"
#include "eventlog.h"
#include "keyaccess.h"
#include "lock.h"
#include "loopstats.h"
#include "out.h"
#include "restarts.h"
#include "regtarget.h"
#include "rollback.h"
#include "store.h"
#include "target.h"
#include "world.h"

#define MSG_MAX 4096

/*
 * What the reconcile under way records as the reason of each change in
 * the history ("apply", "run", "service"), and whether `apply --force`
 * overrides rollback pins.  Set by reconcile()'s callers.
 */
static const char *change_reason = "apply";
static bool change_force;

void
apply_repair(void)
{
	target_httpsys.restore();
}

static void
report_no_candidate(const struct plan_item *it, int64_t now)
{
	char text[MSG_MAX], why[512], hex[THUMB_HEX];
	size_t used, i;

	report_item(it, text, sizeof(text));
	used = strlen(text);
	for (i = 0; i < it->sel.n && used < sizeof(text); i++) {
		const struct candidate *c = &it->sel.cands[i];

		if (c->verdict == VERDICT_NAME)
			continue;
		used += (size_t)snprintf(text + used, sizeof(text) - used,
		    "\n  %s: %s", thumb_format(c->cert->thumb, hex),
		    verdict_text(c->verdict, it->binding, c->cert, now, why,
		    sizeof(why)));
	}
	say(EV_WARNING, EV_NO_CANDIDATE, "%s", text);
}

static void
report_warnings(const struct plan_item *it, int64_t now)
{
	char text[1024];

	if (it->warnings & WARN_BOUND_MISSING)
		say(EV_WARNING, EV_BOUND_MISSING, "%s", report_warning(it,
		    WARN_BOUND_MISSING, now, text, sizeof(text)));
	if (it->warnings & WARN_EXPIRING)
		say(EV_WARNING, EV_EXPIRING, "%s", report_warning(it,
		    WARN_EXPIRING, now, text, sizeof(text)));
}

static bool
writes(const struct plan_item *it)
{
	return it->action == ACTION_CREATE || it->action == ACTION_UPDATE_HASH ||
	    it->action == ACTION_UPDATE_OPTIONS;
}

/*
 * The hook before a change to it's target: what the consumer needs
 * before it is given the certificate.  The accounts the binding names in
 * key_access, and the one its target runs as (NETWORK SERVICE for rdp,
 * the instance's service account for sqlserver), get read access to the
 * new certificate's private key (keyaccess.h); with key_access: inherit
 * also those of the key it held.  0 to go on; anything else stops the
 * change, which is then an error for the binding, after this reported
 * why.  A change of options alone keeps the key.
 */
static int
before_change(const struct plan_item *it, const struct carry_ctx *c)
{
	struct sql_instance in;
	int r;

	(void)c;
	if (it->action == ACTION_UPDATE_OPTIONS)
		return 0;
	keyaccess_target_account(it, &in);
	r = keyaccess_before_change(it->binding, in.account, it->sel.chosen,
	    it->has_current_thumb ? it->current_thumb : NULL);
	sql_instance_free(&in);
	return r;
}

/*
 * The hook after a change to it's target was made (and, where the target
 * is verifiable, served): what must follow it.  A new certificate asks
 * for the restarts of the services that read it only at start
 * (restarts.c): they are recorded here and run once the writer lock is
 * released, or when the binding's restart window opens.  A failure is
 * reported there and makes the binding's result an error, but the change
 * is kept: it is not rolled back.  0 when done.
 */
static int
after_change(const struct plan_item *it, const struct carry_ctx *c)
{
	(void)c;
	if (it->action != ACTION_CREATE && it->action != ACTION_UPDATE_HASH)
		return 0;              /* the same certificate: nothing to reread */
	return restarts_after_change(it->binding);
}

/*
 * Carry out one plan item through its target's adapter; returns
 * APPLY_OK, APPLY_CONFLICT, APPLY_ERROR, or a CARRY_* code (target.h).
 */
static int
carry_out(const struct plan_item *it, const struct carry_ctx *c)
{
	const struct target_ops *t = target_of(it->target);
	char where[ENDPOINT_TEXT_MAX + 64], cert[512], why[REPORT_ITEM_MAX];
	int r;

	t->describe(it->binding, where, sizeof(where));
	switch (it->action) {
	case ACTION_NONE:
		if (it->pinned) {
			say(EV_INFO, EV_PINNED, "%s", report_item(it, why,
			    sizeof(why)));
			return APPLY_OK;
		}
		say(EV_INFO, EV_ALREADY_HOLDS, "%s: %s already holds %s",
		    it->binding->name, where, it->sel.chosen ? report_cert(
		    it->sel.chosen, cert, sizeof(cert)) : "the planned record");
		return APPLY_OK;
	case ACTION_NO_CANDIDATE:
		report_no_candidate(it, c->now);
		return APPLY_OK;
	case ACTION_CONFLICT:
		say(EV_WARNING, EV_CONFLICT, "%s", report_item(it, why,
		    sizeof(why)));
		return APPLY_CONFLICT;
	case ACTION_UNREADABLE:
		return APPLY_ERROR;     /* reported when it was read */
	case ACTION_CREATE:
	case ACTION_UPDATE_HASH:
	case ACTION_UPDATE_OPTIONS:
		break;
	}
	if (before_change(it, c) != 0)
		return APPLY_ERROR;
	if ((r = t->apply(it, c)) != APPLY_OK)
		return r;
	return after_change(it, c) == 0 ? APPLY_OK : APPLY_ERROR;
}

static bool
stopping(const struct runstate *rs)
{
	return rs != NULL && rs->stop != NULL &&
	    WaitForSingleObject((HANDLE)rs->stop, 0) == WAIT_OBJECT_0;
}

/* The state of binding b in rs, added when new; NULL without rs. */
static struct binding_state *
state_of(struct runstate *rs, const struct binding *b)
{
	struct binding_state *v;
	size_t i;

	if (rs == NULL)
		return NULL;
	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->bindings[i].name, b->name) == 0) {
			rs->bindings[i].target = b->target;   /* may be reloaded */
			return &rs->bindings[i];
		}
	if ((v = realloc(rs->bindings, (rs->n + 1) * sizeof(*v))) == NULL)
		return NULL;
	rs->bindings = v;
	memset(&v[rs->n], 0, sizeof(*v));
	v[rs->n].served = -1;
	v[rs->n].last_verify = -1;
	v[rs->n].target = b->target;
	snprintf(v[rs->n].name, sizeof(v[rs->n].name), "%s", b->name);
	return &v[rs->n++];
}

static void
note_result(struct binding_state *st, int result, int64_t now)
{
	if (st == NULL)
		return;
	if (result != APPLY_ERROR) {
		st->failures = 0;
		st->retry_at = 0;
		return;
	}
	st->failures++;
	st->retry_at = schedule_binding_retry(st->failures, now);
}

/*
 * The NotAfter of the certificate HTTP.sys holds for it after carrying it
 * out, for the metrics.  it->held is what the plan binds; when carrying it
 * out failed, the record is as it was (an Update changes nothing when it
 * fails, a Delete+Set is rolled back), so it holds what it held before.
 */
static int64_t
held_not_after(const struct plan_item *it, int result)
{
	const struct cert *c = result == APPLY_ERROR ? it->sel.bound : it->held;

	return c != NULL ? c->not_after : 0;
}

/* Warnings: every time for apply; once a day per binding for the service. */
static void
warn_item(const struct plan_item *it, struct binding_state *st, int64_t now)
{
	if (it->warnings == 0)
		return;
	if (st != NULL && !schedule_warning_due(st->warned_at, now))
		return;
	report_warnings(it, now);
	if (st != NULL)
		st->warned_at = now;
}

/* At most this many certificates are refused in a row for one binding. */
#define REFUSED_MAX 4

/*
 * avoid and the certificates that left the store during this reconcile,
 * as one list to plan with; out->v is malloc'd.  -1 without memory.
 */
static int
avoid_merge(const struct unusable_list *avoid, const struct unusable_list *gone,
    struct unusable_list *out)
{
	out->n = out->cap = avoid->n + gone->n;
	if ((out->v = malloc((out->n ? out->n : 1) * sizeof(*out->v))) == NULL)
		return -1;
	if (avoid->n != 0)
		memcpy(out->v, avoid->v, avoid->n * sizeof(*out->v));
	if (gone->n != 0)
		memcpy(out->v + avoid->n, gone->v, gone->n * sizeof(*out->v));
	return 0;
}

/* Plan item i again, passing over avoid's and gone's certificates. */
static int
replan(struct plan *plan, size_t i, int64_t now,
    const struct unusable_list *avoid, const struct unusable_list *gone)
{
	struct unusable_list both;
	int rc;

	if (avoid_merge(avoid, gone, &both) != 0)
		return -1;
	rc = plan_replan_item(plan, i, now, &both);
	free(both.v);
	return rc;
}

/*
 * Carry out item i; when HTTP.sys refuses the chosen certificate's key,
 * or the endpoint does not serve it once bound (the change was undone),
 * pass it over for the binding (unusable.h) and carry out the plan for
 * the next qualifying one, a few times at most.  A refusal makes the
 * binding's result an error (the service backs off), even when another
 * certificate was bound.  A certificate that left the store since it was
 * read is only passed over in this reconcile: it was not refused, and
 * it is no error (the store's change wakes the service anyway).
 */
static int
carry_out_or_next(struct plan *plan, size_t i, struct unusable_list *avoid,
    const struct carry_ctx *c)
{
	const struct plan_item *it = &plan->items[i];
	struct unusable_list gone = { 0 };
	char hex[THUMB_HEX], t[21];
	int r = carry_out(it, c), refused = 0, tries;
	int64_t until, now = c->now;

	for (tries = 0; r == CARRY_KEY_REFUSED || r == CARRY_UNSERVED ||
	    r == CARRY_CERT_GONE; tries++) {
		if (r == CARRY_CERT_GONE) {
			if (tries + 1 == REFUSED_MAX || unusable_note(&gone,
			    it->binding->name, it->sel.chosen->thumb, now) < 0 ||
			    replan(plan, i, now, avoid, &gone) != 0) {
				r = APPLY_ERROR;
				break;
			}
			rollback_hold_item(&plan->items[i], c->force);
			r = carry_out(it, c);
			continue;
		}
		refused++;
		if (r == CARRY_UNSERVED) {
			/* Reported with the check (event 317). */
			until = unusable_note_cause(avoid, it->binding->name,
			    it->sel.chosen->thumb, now, UNUSABLE_UNSERVED);
		} else {
			until = unusable_note(avoid, it->binding->name,
			    it->sel.chosen->thumb, now);
			say(EV_WARNING, EV_KEY_REFUSED, "%s: HTTP.sys cannot use "
			    "the private key of certificate %s (error 1312); it "
			    "is passed over for this binding until %s%s",
			    it->binding->name,
			    thumb_format(it->sel.chosen->thumb, hex),
			    until < 0 ? "the next run" : utc_time(until, t),
			    tries + 1 < REFUSED_MAX ?
			    ", and the next qualifying certificate is tried" : "");
		}
		if (until < 0 || tries + 1 == REFUSED_MAX ||
		    replan(plan, i, now, avoid, &gone) != 0) {
			r = APPLY_ERROR;
			break;
		}
		rollback_hold_item(&plan->items[i], c->force);
		r = carry_out(it, c);
	}
	unusable_free(&gone);
	if (r == APPLY_OK && it->sel.chosen != NULL)
		unusable_forget(avoid, it->binding->name, it->sel.chosen->thumb);
	return refused > 0 ? APPLY_ERROR : r;
}

/*
 * Read item i's target again right before a change (its adapter plans
 * it again when another program changed it meanwhile).  0, or -1 after
 * reporting.
 */
static int
recheck(struct plan *plan, size_t i, const struct unusable_list *avoid,
    const struct carry_ctx *c)
{
	const struct plan_item *it = &plan->items[i];

	if (!writes(it))
		return 0;
	return target_of(it->target)->recheck(plan, i, avoid, c);
}

/*
 * The service says that a binding already holds its certificate (event
 * 10) when that is news: at its first reconcile, and after the binding
 * was anything else.  Said at every resync it would bury the events that
 * matter under thousands of entries a day.
 */
static bool
quiet_none(const struct plan_item *it, const struct binding_state *st,
    uint32_t read_error)
{
	return it->action == ACTION_NONE && read_error == 0 && st != NULL &&
	    st->as_planned;
}

static int
reconcile(struct world *w, struct runstate *rs, int64_t *next)
{
	struct plan plan;
	struct cb_error err;
	struct unusable_list own = { 0 };
	struct unusable_list *avoid = rs != NULL ? &rs->unusable : &own;
	int64_t now = (int64_t)time(NULL);
	size_t i;
	int failed = 0, conflict = 0;

	if (world_build(w, now, avoid, &plan, &err) != 0) {
		say(EV_ERROR, EV_INTERNAL, "%s", err.msg);
		return APPLY_ERROR;
	}
	rollback_hold_pinned(&plan, change_force);
	if (next != NULL)
		*next = plan_next_event(&plan, now);
	if (targets_open(w->policy) != 0) {
		plan_free(&plan);
		return APPLY_ERROR;
	}
	for (i = 0; i < plan.n; i++) {
		const struct plan_item *it = &plan.items[i];
		struct binding_state *st;
		struct carry_ctx c;
		int r;

		if (stopping(rs)) {
			say(EV_INFO, EV_RECONCILE_STOPPED, "stopping: %zu of %zu "
			    "bindings were left for the next reconcile", plan.n - i,
			    plan.n);
			break;
		}
		st = state_of(rs, it->binding);
		if (st != NULL && !due(st->retry_at, now)) {
			failed = 1;            /* still backing off */
			if (next != NULL)
				*next = schedule_sooner(*next, st->retry_at);
			continue;
		}
		c.reason = change_reason;
		c.force = change_force;
		c.st = st;
		c.now = now;
		if (quiet_none(&plan.items[i], st, w->read_error[i]))
			r = APPLY_OK;
		else
			r = w->read_error[i] != 0 ||
			    recheck(&plan, i, avoid, &c) != 0 ? APPLY_ERROR :
			    carry_out_or_next(&plan, i, avoid, &c);
		if (r == APPLY_OK && w->read_error[i] == 0 &&
		    keyaccess_converge(it, rs != NULL ? &rs->granted : NULL) != 0)
			r = APPLY_ERROR;
		if (r != APPLY_ERROR && w->read_error[i] == 0)
			warn_item(it, st, now);
		note_result(st, r, now);
		if (st != NULL) {
			st->not_after = held_not_after(it, r);
			st->as_planned = r == APPLY_OK &&
			    it->action != ACTION_NO_CANDIDATE;
		}
		if (st != NULL && r == APPLY_ERROR && next != NULL)
			*next = schedule_sooner(*next, st->retry_at);
		if (rs != NULL && r == APPLY_OK && (it->action == ACTION_CREATE ||
		    it->action == ACTION_UPDATE_HASH ||
		    it->action == ACTION_UPDATE_OPTIONS))
			rs->rebinds++;
		failed |= r == APPLY_ERROR;
		conflict |= r == APPLY_CONFLICT;
	}
	targets_close(w->policy);
	if (next != NULL)               /* a refused key's retry, if planned */
		*next = schedule_sooner(*next, plan_next_event(&plan, now));
	plan_free(&plan);
	unusable_free(&own);
	if (rs != NULL) {
		rs->reconciles++;
		rs->errors += failed;
	}
	return failed ? APPLY_ERROR : conflict ? APPLY_CONFLICT : APPLY_OK;
}

/* Forget bindings the policy no longer has (a reload may drop some). */
static void
prune_states(struct runstate *rs, const struct policy *p)
{
	size_t i, j, kept = 0;

	for (i = 0; i < rs->n; i++) {
		for (j = 0; j < p->nbindings; j++)
			if (strcmp(rs->bindings[i].name, p->bindings[j].name) == 0)
				break;
		if (j < p->nbindings)
			rs->bindings[kept++] = rs->bindings[i];
	}
	rs->n = kept;
}

/* The writer lock for a reconcile of the loop; as lock_take(). */
static int
take_lock(struct writer_lock *lock, const struct runstate *rs)
{
	if (rs == NULL)
		return lock_take(lock, "run", LOCK_TIMEOUT_MS, NULL);
	return lock_take(lock, rs->command != NULL ? rs->command : "run",
	    rs->lock_timeout_ms != 0 ? rs->lock_timeout_ms : LOCK_TIMEOUT_MS,
	    rs->stop);
}

int
apply_once(const struct policy *p, struct runstate *rs, int64_t *next)
{
	struct world w;
	struct writer_lock lock;
	int result = APPLY_ERROR, locked;

	if (rs != NULL) {
		prune_states(rs, p);
		unusable_prune(&rs->unusable, p);
	}
	memset(&w, 0, sizeof(w));
	*next = INT64_MAX;
	if (rs != NULL) {
		/* Usable keys are remembered up to the resync interval. */
		if (keymemo_stale(&rs->keys, GetTickCount64(),
		    p->service.resync_ms))
			keymemo_begin(&rs->keys, GetTickCount64());
		w.certs.memo = &rs->keys;
		if (keymemo_stale(&rs->granted, GetTickCount64(),
		    p->service.resync_ms))
			keymemo_begin(&rs->granted, GetTickCount64());
	}
	locked = take_lock(&lock, rs);
	if (locked > 0)
		return APPLY_OK;       /* stopping: nothing was looked at */
	change_reason = rs != NULL && rs->command != NULL ? rs->command : "run";
	change_force = false;
	if (locked == 0 && world_read(&w, p, READ_REPAIR) == 0)
		result = reconcile(&w, rs, next);
	else {
		if (rs != NULL) {
			rs->reconciles++;
			rs->errors++;
		}
		if (locked < 0)        /* another writer: try again soon */
			*next = schedule_lock_retry((int64_t)time(NULL));
	}
	lock_release(&lock);
	/* Outside the writer lock: a restart may take a minute.  Not while
	 * stopping: they stay recorded for the next start. */
	if (!stopping(rs) && restarts_run_due(p, next) != 0)
		result = APPLY_ERROR;
	world_free(&w);
	return result;
}

void
runstate_free(struct runstate *rs)
{
	free(rs->bindings);
	unusable_free(&rs->unusable);
	keymemo_clear(&rs->keys);
	keymemo_clear(&rs->granted);
	memset(rs, 0, sizeof(*rs));
}

int
apply_run(const char *path, uint32_t lock_timeout_ms, bool force)
{
	struct world w;
	struct writer_lock lock;
	int result = APPLY_ERROR;

	evlog_open();
	/* A bad policy fails at once; the records are read under the lock. */
	if (world_policy(path, &w) == 0 &&
	    lock_take(&lock, "apply", lock_timeout_ms, NULL) == 0) {
		change_reason = "apply";
		change_force = force;
		if (world_read(&w, &w.own, READ_REPAIR) == 0)
			result = reconcile(&w, NULL, NULL);
		lock_release(&lock);
		/* Those outside their window are left to the service. */
		if (restarts_run_due(&w.own, NULL) != 0)
			result = APPLY_ERROR;
	}
	world_free(&w);
	evlog_close();
	return result;
}