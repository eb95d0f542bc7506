/*
 * world.c - what a reconcile reads before it decides (world.h):
 *
 *   policy file -> struct policy           (policyfile.c, core/policy.c)
 *   LocalMachine\My, \WebHosting -> struct inventory        (store.c)
 *   what each binding's target holds now   (its adapter, target.h)
 *   -> struct plan                         (core/plan.c, core/select.c)
 *
 * A target that cannot be read is reported and its binding becomes a row
 * of its own (action "unreadable") that writes nothing; the others go on.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventlog.h"
#include "httpsys.h"
#include "out.h"
#include "policyfile.h"
#include "rollback.h"
#include "target.h"
#include "winerr.h"
#include "world.h"

static void
warn_store(const char *message)
{
	say(EV_WARNING, EV_CERT_SKIPPED, "warning: %s", message);
}

int
world_stores(const struct policy *p, struct inventory *inv,
    struct store_certs *certs, bool every_cert)
{
	const struct policy *examine_for = every_cert ? NULL : p;
	char text[512];

	if (store_load(STORE_MY, inv, certs, examine_for, warn_store, text,
	    sizeof(text)) != 0 ||
	    (policy_uses_store(p, STORE_WEBHOSTING) &&
	    store_load(STORE_WEBHOSTING, inv, certs, examine_for, warn_store,
	    text, sizeof(text)) != 0)) {
		say(EV_ERROR, EV_STORE_FAILED, "%s", text);
		return -1;
	}
	return 0;
}

/* Add r to the records read; -1 without memory. */
static int
add_record(struct world *w, const struct ssl_record *r)
{
	struct ssl_record *v;

	v = realloc(w->records, (w->nrecords + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	w->records = v;
	w->records[w->nrecords++] = *r;
	return 0;
}

/*
 * Read binding i's target through its adapter into w: a record joins
 * w->records, a registry value goes to w->held[i].  A read that fails is
 * kept in w->read_error[i], and reported when loud.  0, or -1 without
 * memory.
 */
static int
read_target(struct world *w, size_t i, bool loud)
{
	const struct binding *b = &w->policy->bindings[i];
	const struct target_ops *t = target_of(b->target);
	struct target_read r;
	char where[ENDPOINT_TEXT_MAX + 64], why[512];
	uint32_t rc;

	memset(&r, 0, sizeof(r));
	if ((rc = t->read(b, &r)) != NO_ERROR) {
		w->read_error[i] = rc;
		if (loud)
			say(EV_ERROR, b->target == TARGET_HTTPSYS ?
			    EV_HTTPSYS_FAILED : EV_TARGET_FAILED,
			    "%s: cannot read %s %s: %s",
			    b->name, t->what, t->describe(b, where,
			    sizeof(where)), t->read_strerror(b, rc, why,
			    sizeof(why)));
		return 0;
	}
	if (r.present && b->target == TARGET_HTTPSYS)
		return add_record(w, &r.record);
	if (r.present)
		w->held[i] = r.held;
	return 0;
}

/*
 * A declared endpoint the listing has no record for: ask for it exactly,
 * so that a record that is there but cannot be read is told apart from
 * one that is not there, as plan and apply tell them apart.  A record the
 * exact query finds is added: the listing can miss one that is there (a
 * call of it failed, or the record was rewritten while it ran), and a
 * declared binding must not be reported as having no record then.
 * 0, or -1 without memory.
 */
static int
check_declared(struct world *w, size_t i)
{
	const struct binding *b = &w->policy->bindings[i];
	size_t j;

	for (j = 0; j < w->nrecords; j++)
		if (endpoint_compare(&w->records[j].endpoint, &b->endpoint) == 0)
			return 0;
	return read_target(w, i, false);
}

/* Every record HTTP.sys has, declared or not, and what the other
 * targets hold (status). */
static int
read_all(struct world *w)
{
	const struct policy *p = w->policy;
	char why[256];
	uint32_t rc;
	size_t i;

	if ((rc = httpsys_list(&w->records, &w->nrecords, &w->broken,
	    &w->nbroken)) != NO_ERROR) {
		say(EV_ERROR, EV_HTTPSYS_FAILED, "cannot list the HTTP.sys SSL "
		    "records: %s", win_strerror(rc, why, sizeof(why)));
		return -1;
	}
	for (i = 0; i < p->nbindings; i++)
		if ((p->bindings[i].target == TARGET_HTTPSYS ?
		    check_declared(w, i) : read_target(w, i, false)) != 0) {
			say(EV_ERROR, EV_INTERNAL, "out of memory");
			return -1;
		}
	return 0;
}

/* What the target of every binding of the policy holds. */
static int
read_declared(struct world *w)
{
	size_t i;

	for (i = 0; i < w->policy->nbindings; i++)
		if (read_target(w, i, true) != 0) {
			say(EV_ERROR, EV_INTERNAL, "out of memory");
			return -1;
		}
	return 0;
}

void
world_free(struct world *w)
{
	free(w->records);
	free(w->held);
	free(w->read_error);
	free(w->broken);
	store_certs_free(&w->certs);
	inventory_free(&w->inv);
	policy_free(&w->own);
}

int
world_read(struct world *w, const struct policy *p, enum reading how)
{
	size_t n = p->nbindings ? p->nbindings : 1;
	int rc;

	w->policy = p;
	w->keys.fn = store_key_probe;
	w->keys.batch = store_key_batch;
	w->keys.arg = &w->certs;
	w->keys.inv = &w->inv;
	if (world_stores(p, &w->inv, &w->certs, false) != 0)
		return -1;
	w->read_error = calloc(n, sizeof(*w->read_error));
	w->held = calloc(n, sizeof(*w->held));
	if (w->read_error == NULL || w->held == NULL) {
		say(EV_ERROR, EV_INTERNAL, "out of memory");
		return -1;
	}
	if (targets_open(p) != 0)
		return -1;
	if (how == READ_REPAIR)
		targets_restore(p);
	rc = how == READ_ALL ? read_all(w) : read_declared(w);
	targets_close(p);
	return rc == 0 ? 0 : -1;
}

int
world_policy(const char *path, struct world *w)
{
	struct cb_error err;
	char text[1024];

	memset(w, 0, sizeof(*w));
	if (policyfile_load(path, &w->own, &err) != 0) {
		say(EV_ERROR, EV_POLICY_INVALID, "%s",
		    cb_error_format(&err, text, sizeof(text)));
		return -1;
	}
	return 0;
}

/* Items whose target could not be read: a row of their own, no write. */
static void
mark_unreadable(const struct world *w, struct plan *plan)
{
	char why[256];
	size_t i;

	for (i = 0; i < plan->n; i++)
		if (w->read_error[i] != 0) {
			const struct binding *b = plan->items[i].binding;

			plan_mark_unreadable(plan, i, w->read_error[i],
			    target_of(b->target)->read_strerror(b,
			    w->read_error[i], why, sizeof(why)));
		}
}

int
world_build(struct world *w, int64_t now, const struct unusable_list *avoid,
    struct plan *plan, struct cb_error *err)
{
	if (plan_build_targets(w->policy, &w->inv, w->records, w->nrecords,
	    w->held, now, avoid, &w->keys, plan, err) != 0)
		return -1;
	mark_unreadable(w, plan);
	return 0;
}

int
world_plan(const char *path, enum reading how, struct world *w,
    struct plan *plan, int64_t now)
{
	struct cb_error err;

	if (world_policy(path, w) != 0 || world_read(w, &w->own, how) != 0)
		return -1;
	if (world_build(w, now, NULL, plan, &err) != 0) {
		out_printf(OUT_STDERR, "certbind: %s\n", err.msg);
		return -1;
	}
	rollback_hold_pinned(plan, false);
	return 0;
}
