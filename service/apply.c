/*
 * apply.c - the reconcile pipeline, run once: `certbind apply` and
 * `certbind plan` and `certbind status`.
 *
 *   policy file -> struct policy           (policyfile.c, core/policy.c)
 *   LocalMachine\My, \WebHosting -> struct inventory        (store.c)
 *   HTTP.sys records at the endpoints      (httpsys.c)
 *   -> struct plan                         (core/plan.c, core/select.c)
 *   -> HTTP.sys calls, one per binding     (httpsys.c)
 * apply prints every decision and sends it to the Event Log; plan prints
 * the plan and status every record HTTP.sys has, and neither changes
 * anything.  A record that cannot be read is reported as a row of its own
 * (action "unreadable") and left alone; the others go on.  A certificate
 * HTTP.sys refuses (error 1312: it cannot use the private key) is passed
 * over for that binding and the next qualifying one tried at once; one
 * that left the store after it was read (HTTP.sys answers 1312 for that
 * too) is planned without, and is not held against its key.
 * After a change, what the endpoint serves is checked (verify.c); a
 * change that broke serving is undone the same way, and the certificate
 * passed over for a while.
 */
#include <windows.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/due.h"
#include "../core/plan.h"
#include "../core/probe.h"
#include "../core/report.h"
#include "../core/schedule.h"
#include "../core/status.h"
#include "apply.h"
#include "eventlog.h"
#include "httpsys.h"
#include "lock.h"
#include "out.h"
#include "loopstats.h"
#include "policyfile.h"
#include "restarts.h"
#include "rollback.h"
#include "store.h"
#include "verify.h"
#include "winerr.h"

#define MSG_MAX 4096

/*
 * What the reconcile under way records as the reason of each change in
 * the history ("apply", "run", "service"), and whether `apply --force`
 * overrides rollback pins.  Set by reconcile()'s callers.
 */
static const char *change_reason = "apply";
static bool change_force;

/* What a reconcile reads before it decides. */
struct world {
	const struct policy *policy;
	struct policy own;             /* the policy, when loaded here */
	struct inventory inv;
	struct store_certs certs;      /* inv's contexts, for its keys */
	struct key_probe keys;         /* opens them as the plan asks */
	struct ssl_record *records;    /* those that exist, nrecords of them */
	size_t nrecords;
	uint32_t *read_error;          /* per binding: reading its record */
	struct broken_record *broken;  /* records that cannot be read (status) */
	size_t nbroken;
};

static void
warn_store(const char *message)
{
	say(EV_WARNING, EV_CERT_SKIPPED, "warning: %s", message);
}

/*
 * The stores the policy uses; My always, so that status can see it.  With
 * every_cert, each certificate's key and chain are examined (certs);
 * otherwise only those the policy's choices depend on.
 */
static int
load_stores(const struct policy *p, struct inventory *inv,
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
 * A declared endpoint the listing has no record for: ask for it exactly,
 * so that a record that is there but cannot be read is told apart from
 * one that is not there, as plan and apply tell them apart.  A record the
 * exact query finds is added: the listing can miss one that is there (a
 * call of it failed, or the record was rewritten while it ran), and a
 * declared binding must not be reported as having no record then.
 * 0, or -1 without memory.
 */
static int
check_declared(struct world *w)
{
	const struct policy *p = w->policy;
	struct ssl_record r;
	size_t i, j;

	for (i = 0; i < p->nbindings; i++) {
		for (j = 0; j < w->nrecords; j++)
			if (endpoint_compare(&w->records[j].endpoint,
			    &p->bindings[i].endpoint) == 0)
				break;
		if (j < w->nrecords)
			continue;
		w->read_error[i] = httpsys_query(&p->bindings[i].endpoint, &r);
		if (w->read_error[i] == NO_ERROR && add_record(w, &r) != 0)
			return -1;
		if (w->read_error[i] == NO_ERROR ||
		    w->read_error[i] == ERROR_FILE_NOT_FOUND)
			w->read_error[i] = 0;
	}
	return 0;
}

/* Every record HTTP.sys has, declared or not (status). */
static int
read_all_records(struct world *w)
{
	char why[256];
	uint32_t rc;

	w->read_error = calloc(w->policy->nbindings ? w->policy->nbindings : 1,
	    sizeof(*w->read_error));
	if (w->read_error == NULL) {
		say(EV_ERROR, EV_INTERNAL, "out of memory");
		return -1;
	}
	if ((rc = httpsys_list(&w->records, &w->nrecords, &w->broken,
	    &w->nbroken)) != NO_ERROR) {
		say(EV_ERROR, EV_HTTPSYS_FAILED, "cannot list the HTTP.sys SSL "
		    "records: %s", win_strerror(rc, why, sizeof(why)));
		return -1;
	}
	if (check_declared(w) != 0) {
		say(EV_ERROR, EV_INTERNAL, "out of memory");
		return -1;
	}
	return 0;
}

/* Read the record at every endpoint the policy names. */
static int
read_records(struct world *w)
{
	const struct policy *p = w->policy;
	char ep[ENDPOINT_TEXT_MAX], why[512];
	size_t i;

	w->records = calloc(p->nbindings, sizeof(*w->records));
	w->read_error = calloc(p->nbindings, sizeof(*w->read_error));
	if (w->records == NULL || w->read_error == NULL) {
		say(EV_ERROR, EV_INTERNAL, "out of memory");
		return -1;
	}
	for (i = 0; i < p->nbindings; i++) {
		uint32_t rc = httpsys_query(&p->bindings[i].endpoint,
		    &w->records[w->nrecords]);

		if (rc == NO_ERROR)
			w->nrecords++;
		else if (rc != ERROR_FILE_NOT_FOUND) {
			struct ssl_record key = { .endpoint = p->bindings[i].endpoint };

			w->read_error[i] = rc;
			say(EV_ERROR, EV_HTTPSYS_FAILED, "%s: cannot read the "
			    "HTTP.sys record for %s: %s", p->bindings[i].name,
			    endpoint_format(&p->bindings[i].endpoint, ep,
			    sizeof(ep)), httpsys_read_strerror(rc, &key.endpoint, why,
			    sizeof(why)));
		}
	}
	return 0;
}

static void
world_free(struct world *w)
{
	free(w->records);
	free(w->read_error);
	free(w->broken);
	store_certs_free(&w->certs);
	inventory_free(&w->inv);
	policy_free(&w->own);
}

/* A record an interrupted rotation left deleted: put back, or not. */
static void
report_repair(const struct ssl_record *old, uint32_t error, void *arg)
{
	char ep[ENDPOINT_TEXT_MAX], why[RECORD_TEXT_MAX + 512];
	char netsh[RECORD_TEXT_MAX];

	(void)arg;
	endpoint_format(&old->endpoint, ep, sizeof(ep));
	if (error == NO_ERROR)
		say(EV_WARNING, EV_RESTORE_DONE, "%s: an interrupted rotation had "
		    "left it unbound; the previous record was put back", ep);
	else
		say(EV_ERROR, EV_RESTORE_FAILED, "%s IS UNBOUND: an interrupted "
		    "rotation deleted its record and putting it back failed "
		    "(%s). Recreate it with: %s", ep,
		    httpsys_strerror(error, old, why, sizeof(why)),
		    report_netsh(old, netsh, sizeof(netsh)));
}

/* A journal value that is not an entry: say so, leave it, go on. */
static void
report_journal_bad(const char *name, const char *why, void *arg)
{
	(void)arg;
	if (name == NULL)
		say(EV_ERROR, EV_JOURNAL_UNREADABLE, "the rotation journal "
		    "(HKLM\\SOFTWARE\\CertBind\\Journal) cannot be read: %s; "
		    "an interrupted rotation may have left an endpoint unbound",
		    why);
	else
		say(EV_ERROR, EV_JOURNAL_UNREADABLE, "the rotation journal "
		    "entry '%s' (HKLM\\SOFTWARE\\CertBind\\Journal) cannot "
		    "be read: %s. It was left in place and the other entries "
		    "were repaired; if that endpoint has no record, recreate it "
		    "by hand, then delete the value", name, why);
}

void
apply_repair(void)
{
	httpsys_repair(report_repair, report_journal_bad, NULL);
}

/* How world_load() reads HTTP.sys. */
enum reading {
	READ_DECLARED,         /* the records at the policy's endpoints */
	READ_ALL,              /* every record (status) */
	READ_REPAIR            /* finish an interrupted rotation, then as
	                          READ_DECLARED (apply) */
};

/* Stores and records for policy p.  0, or -1 after reporting. */
static int
world_read(struct world *w, const struct policy *p, enum reading how)
{
	char text[256];
	uint32_t rc;

	w->policy = p;
	w->keys.fn = store_key_probe;
	w->keys.arg = &w->certs;
	w->keys.inv = &w->inv;
	if (load_stores(p, &w->inv, &w->certs, false) != 0)
		return -1;
	if ((rc = httpsys_open()) != NO_ERROR) {
		say(EV_ERROR, EV_HTTPSYS_FAILED, "HttpInitialize failed: %s",
		    win_strerror(rc, text, sizeof(text)));
		return -1;
	}
	if (how == READ_REPAIR)
		httpsys_repair(report_repair, report_journal_bad, NULL);
	rc = how == READ_ALL ? read_all_records(w) : read_records(w);
	httpsys_close();
	return rc == 0 ? 0 : -1;
}

/* The policy alone.  0, or -1 after reporting what is wrong with it. */
static int
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

/* Policy, stores, records.  0, or -1 after reporting what failed. */
static int
world_load(const char *path, struct world *w, enum reading how)
{
	if (world_policy(path, w) != 0)
		return -1;
	return world_read(w, &w->own, how);
}

/* Items whose record could not be read: a row of their own, no write. */
static void
mark_unreadable(const struct world *w, struct plan *plan)
{
	char why[256];
	size_t i;

	for (i = 0; i < plan->n; i++)
		if (w->read_error[i] != 0) {
			plan_mark_unreadable(plan, i, w->read_error[i],
			    httpsys_read_strerror(w->read_error[i],
			    &plan->items[i].binding->endpoint, why, sizeof(why)));
		}
}

/* --- apply ------------------------------------------------------------- */

/* No candidate: say why each certificate for the name was passed over. */
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

static int
report_replace_failure(const struct plan_item *it,
    const struct replace_result *res, const char *ep)
{
	char why[RECORD_TEXT_MAX + 512], netsh[RECORD_TEXT_MAX];

	say(EV_ERROR, EV_HTTPSYS_FAILED, "%s: %s failed for %s: %s",
	    it->binding->name, res->step, ep,
	    httpsys_strerror(res->error, &it->desired, why, sizeof(why)));
	if (res->restored)
		say(EV_WARNING, EV_RESTORE_DONE, "%s: the previous record for %s "
		    "was put back", it->binding->name, ep);
	else if (res->restore_error != 0)
		say(EV_ERROR, EV_RESTORE_FAILED, "%s: %s IS UNBOUND: restoring "
		    "the previous record failed (%s). Recreate it with: %s",
		    it->binding->name, ep, httpsys_strerror(res->restore_error,
		    &it->current, why, sizeof(why)),
		    report_netsh(&it->current, netsh, sizeof(netsh)));
	return APPLY_ERROR;
}

/*
 * carry_out(): HTTP.sys refused the chosen certificate because it cannot
 * use its private key (ERROR_NO_SUCH_LOGON_SESSION), and the record is as
 * it was before the call.
 */
#define CARRY_KEY_REFUSED (-2)

static bool
key_refused(const struct plan_item *it, uint32_t rc)
{
	return rc == ERROR_NO_SUCH_LOGON_SESSION && it->sel.chosen != NULL;
}

/*
 * carry_out(): HTTP.sys answered 1312 because the chosen certificate is
 * no longer in its store (deleted or replaced after certbind read the
 * store), and the record is as it was before the call.
 */
#define CARRY_CERT_GONE (-3)

/*
 * HTTP.sys answers ERROR_NO_SUCH_LOGON_SESSION for a certificate that is
 * not in the store it names as well as for a key it cannot use; only the
 * store can tell the two apart.
 */
static bool
cert_gone(const struct plan_item *it, uint32_t rc)
{
	return key_refused(it, rc) && !store_holds(it->sel.chosen->store,
	    it->sel.chosen->thumb);
}

static int
report_cert_gone(const struct plan_item *it, const char *ep, bool restored)
{
	char hex[THUMB_HEX];

	if (restored)
		say(EV_WARNING, EV_RESTORE_DONE, "%s: the previous record for %s "
		    "was put back", it->binding->name, ep);
	say(EV_WARNING, EV_CERT_GONE, "%s: certificate %s left "
	    "LocalMachine\\%s after certbind read the store; %s was left as "
	    "it was, and the binding is planned again without it",
	    it->binding->name, thumb_format(it->sel.chosen->thumb, hex),
	    store_name(it->sel.chosen->store), ep);
	return CARRY_CERT_GONE;
}

/*
 * Carry out one plan item; returns APPLY_OK, APPLY_CONFLICT, APPLY_ERROR,
 * CARRY_KEY_REFUSED or CARRY_CERT_GONE.
 */
static int
carry_out(const struct plan_item *it, int64_t now)
{
	char ep[ENDPOINT_TEXT_MAX], cert[512], old[THUMB_HEX];
	char why[REPORT_ITEM_MAX];
	struct replace_result res;
	uint32_t rc;

	endpoint_format(&it->binding->endpoint, ep, sizeof(ep));
	switch (it->action) {
	case ACTION_NONE:
		if (it->pinned) {
			say(EV_INFO, EV_PINNED, "%s", report_item(it, why,
			    sizeof(why)));
			return APPLY_OK;
		}
		say(EV_INFO, EV_ALREADY_HOLDS, "%s: %s already holds %s", it->binding->name, ep,
		    it->sel.chosen ? report_cert(it->sel.chosen, cert,
		    sizeof(cert)) : "the planned record");
		return APPLY_OK;
	case ACTION_NO_CANDIDATE:
		report_no_candidate(it, now);
		return APPLY_OK;
	case ACTION_CONFLICT:
		say(EV_WARNING, EV_CONFLICT, "%s", report_item(it, why,
		    sizeof(why)));
		return APPLY_CONFLICT;
	case ACTION_UNREADABLE:
		return APPLY_ERROR;     /* reported when it was read */
	case ACTION_CREATE:
		rc = httpsys_create(&it->desired);
		if (rc != NO_ERROR && cert_gone(it, rc))
			return report_cert_gone(it, ep, false);
		if (rc != NO_ERROR) {
			say(EV_ERROR, EV_HTTPSYS_FAILED, "%s: "
			    "HttpSetServiceConfiguration failed for %s: %s",
			    it->binding->name, ep, httpsys_strerror(rc, &it->desired,
			    why, sizeof(why)));
			return key_refused(it, rc) ? CARRY_KEY_REFUSED : APPLY_ERROR;
		}
		say(EV_INFO, EV_BINDING_CREATED, "%s: created %s with %s",
		    it->binding->name, ep, it->sel.chosen ? report_cert(
		    it->sel.chosen, cert, sizeof(cert)) : "no certificate (ccs)");
		return APPLY_OK;
	case ACTION_UPDATE_HASH:
	case ACTION_UPDATE_OPTIONS:
		report_item(it, why, sizeof(why));
		httpsys_replace(&it->current, &it->desired, &res);
		if (res.error != NO_ERROR && (res.used_update || res.restored) &&
		    cert_gone(it, res.error))
			return report_cert_gone(it, ep, res.restored);
		if (res.error != NO_ERROR) {
			report_replace_failure(it, &res, ep);
			/* The record is as it was: the next certificate may go. */
			return key_refused(it, res.error) && (res.used_update ||
			    res.restored) ? CARRY_KEY_REFUSED : APPLY_ERROR;
		}
		rollback_note_change(it, change_reason);
		if (it->action == ACTION_UPDATE_HASH)
			say(EV_INFO, EV_BINDING_UPDATED, "%s: updated %s from %s to "
			    "%s", it->binding->name, ep,
			    it->current.hash_len == THUMB_LEN ?
			    thumb_format(it->current.hash, old) : "(other hash)",
			    report_cert(it->sel.chosen, cert, sizeof(cert)));
		else
			say(EV_INFO, EV_BINDING_UPDATED, "%s", why);
		return APPLY_OK;
	}
	return APPLY_ERROR;
}

/* --- verify after a change -------------------------------------------- */

/*
 * carry_out_checked(): the change was made, the endpoint did not serve it
 * (mismatch or handshake-failed), and the previous record is back.
 */
#define CARRY_UNSERVED (-4)

static bool
writes(const struct plan_item *it)
{
	return it->action == ACTION_CREATE || it->action == ACTION_UPDATE_HASH ||
	    it->action == ACTION_UPDATE_OPTIONS;
}

/*
 * Put back the record it held before the change: the same replace as a
 * rotation (Update, or Delete then Set with the journal), or a Delete
 * when there was none.  0, or the Win32 error, after reporting.
 */
static uint32_t
roll_back(const struct plan_item *it, const char *ep)
{
	char why[RECORD_TEXT_MAX + 512], netsh[RECORD_TEXT_MAX];
	struct replace_result res;
	struct ssl_record now;
	uint32_t rc;

	/* The record as HTTP.sys holds it now, for Update and Delete. */
	if ((rc = httpsys_query(&it->binding->endpoint, &now)) != NO_ERROR)
		now = it->desired;
	if (!it->has_current) {
		if ((rc = httpsys_delete(&now)) != NO_ERROR)
			say(EV_ERROR, EV_HTTPSYS_FAILED, "%s: the record certbind "
			    "created for %s could not be deleted again: %s",
			    it->binding->name, ep, httpsys_strerror(rc, &now, why,
			    sizeof(why)));
		return rc;
	}
	httpsys_replace(&now, &it->current, &res);
	if (res.error == NO_ERROR)
		return NO_ERROR;
	if (res.restore_error != 0)
		say(EV_ERROR, EV_RESTORE_FAILED, "%s: %s IS UNBOUND: putting "
		    "back the previous record failed (%s). Recreate it with: %s",
		    it->binding->name, ep, httpsys_strerror(res.restore_error,
		    &it->current, why, sizeof(why)),
		    report_netsh(&it->current, netsh, sizeof(netsh)));
	else
		say(EV_ERROR, EV_HTTPSYS_FAILED, "%s: %s failed putting back "
		    "the previous record for %s: %s", it->binding->name, res.step,
		    ep, httpsys_strerror(res.error, &it->current, why,
		    sizeof(why)));
	return res.error;
}

/* Remember what the check said, for the metrics and the next check. */
static void
note_verify(struct binding_state *st, const struct verify_result *v,
    const struct verify_action *a)
{
	if (st == NULL)
		return;
	if (a->served >= 0)
		st->served = a->served;
	if (a->failure)
		st->verify_failures++;
	st->last_verify = (int)v->outcome;
}

/* The check failed: the message, with what to look at. */
static void
report_unserved(const struct plan_item *it, const struct verify_result *v,
    const char *target, uint32_t undo)
{
	char hex[THUMB_HEX];
	const char *thumb = it->sel.chosen != NULL ?
	    thumb_format(it->sel.chosen->thumb, hex) : "the new one";

	say(EV_ERROR, EV_VERIFY_FAILED, "%s: after the change, %s: %s (%s). "
	    "%s Check certificate %s: that its private key is in a provider "
	    "HTTP.sys can use (certutil -store My %s shows the provider) and "
	    "that SYSTEM may read it (certlm.msc, All Tasks, Manage Private "
	    "Keys). It is passed over for this binding for a while (10 s, "
	    "doubling, at most 1 h), and the next qualifying certificate is "
	    "tried", it->binding->name, target,
	    verify_outcome_name(v->outcome), v->text, undo == NO_ERROR ?
	    (it->has_current ? "The previous record was put back." :
	    "The record certbind created was deleted again.") :
	    "PUTTING THE PREVIOUS RECORD BACK FAILED (see the event before).",
	    thumb, thumb);
}

/*
 * Check what the endpoint serves after item it was carried out, and undo
 * the change when it broke serving.  APPLY_OK, CARRY_UNSERVED (undone),
 * or APPLY_ERROR (undoing failed too).
 */
static int
check_change(const struct plan_item *it, struct binding_state *st)
{
	struct verify_result v;
	struct verify_action a;
	char target[ENDPOINT_TEXT_MAX + 300], ep[ENDPOINT_TEXT_MAX];
	uint32_t undo;
	int last = st != NULL ? st->last_verify : -1;

	verify_binding(it->binding, &it->desired, &v);
	verify_decide(v.outcome, true, &a);
	note_verify(st, &v, &a);
	verify_target_text(it->binding, target, sizeof(target));
	if (!a.roll_back) {
		if (!verify_report_due(v.outcome, last))
			return APPLY_OK;
		if (a.report == VERIFY_REPORT_WARNING)
			say(EV_WARNING, EV_VERIFY_TIMEOUT, "%s: %s: %s (%s); the "
			    "change is kept", it->binding->name, target,
			    verify_outcome_name(v.outcome), v.text);
		else if (v.outcome == VERIFY_SERVED)
			say(EV_INFO, EV_VERIFY_SERVED, "%s: %s %s",
			    it->binding->name, target, v.text);
		else
			say(EV_INFO, EV_VERIFY_UNVERIFIED, "%s: %s: %s (%s); "
			    "nothing was verified and the change is kept",
			    it->binding->name, target,
			    verify_outcome_name(v.outcome), v.text);
		return APPLY_OK;
	}
	undo = roll_back(it, endpoint_format(&it->binding->endpoint, ep,
	    sizeof(ep)));
	report_unserved(it, &v, target, undo);
	/*
	 * A new certificate that is not served is passed over; new options
	 * on the same certificate are simply retried with the binding's
	 * backoff (a worse certificate would not serve better).
	 */
	if (undo != NO_ERROR || it->sel.chosen == NULL ||
	    it->action == ACTION_UPDATE_OPTIONS)
		return APPLY_ERROR;
	return CARRY_UNSERVED;
}

/* carry_out(), then check what a change serves. */
static int
carry_out_checked(const struct plan_item *it, int64_t now,
    struct binding_state *st)
{
	int r = carry_out(it, now);

	if (r != APPLY_OK || !writes(it))
		return r;
	return check_change(it, st);
}

/*
 * Another tool may have changed the record at item i's endpoint since it
 * was read: read it again right before writing, and if it differs, plan
 * the binding again on the record as it is now, so that no stale field
 * is written back.  (HTTP.sys has no compare-and-swap; this narrows the
 * window to the time between two calls.)  0, or -1 after reporting.
 */
static int
recheck(struct plan *plan, size_t i, int64_t now,
    const struct unusable_list *avoid)
{
	struct plan_item *it = &plan->items[i];
	struct ssl_record fresh;
	struct cb_error err;
	char ep[ENDPOINT_TEXT_MAX], why[256];
	uint32_t rc;

	if (it->action != ACTION_CREATE && it->action != ACTION_UPDATE_HASH &&
	    it->action != ACTION_UPDATE_OPTIONS)
		return 0;
	endpoint_format(&it->binding->endpoint, ep, sizeof(ep));
	rc = httpsys_query(&it->binding->endpoint, &fresh);
	if (rc != NO_ERROR && rc != ERROR_FILE_NOT_FOUND) {
		struct ssl_record key = { .endpoint = it->binding->endpoint };

		say(EV_ERROR, EV_HTTPSYS_FAILED, "%s: cannot read the HTTP.sys "
		    "record for %s again before writing it: %s",
		    it->binding->name, ep, httpsys_read_strerror(rc,
		    &key.endpoint, why, sizeof(why)));
		return -1;
	}
	if (!plan_stale(it, rc == NO_ERROR ? &fresh : NULL))
		return 0;
	say(EV_INFO, EV_RECORD_CHANGED, "%s: the record for %s changed after "
	    "certbind read it (another program wrote it); the binding was "
	    "planned again on the record as it is now", it->binding->name, ep);
	if (plan_redo(plan, i, rc == NO_ERROR ? &fresh : NULL, now, avoid,
	    &err) != 0) {
		say(EV_ERROR, EV_HTTPSYS_FAILED, "%s: %s", it->binding->name,
		    err.msg);
		return -1;
	}
	rollback_hold_item(it, change_force);
	return 0;
}

/* A stop was requested (the service's stop, or Ctrl+C in `run`). */
static bool
stopping(const struct runstate *rs)
{
	return rs != NULL && rs->stop != NULL &&
	    WaitForSingleObject((HANDLE)rs->stop, 0) == WAIT_OBJECT_0;
}

/* The state of binding name in rs, added when new; NULL without rs. */
static struct binding_state *
state_of(struct runstate *rs, const char *name)
{
	struct binding_state *v;
	size_t i;

	if (rs == NULL)
		return NULL;
	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->bindings[i].name, name) == 0)
			return &rs->bindings[i];
	if ((v = realloc(rs->bindings, (rs->n + 1) * sizeof(*v))) == NULL)
		return NULL;
	rs->bindings = v;
	memset(&v[rs->n], 0, sizeof(*v));
	v[rs->n].served = -1;
	v[rs->n].last_verify = -1;
	snprintf(v[rs->n].name, sizeof(v[rs->n].name), "%s", name);
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
    int64_t now, struct binding_state *st)
{
	const struct plan_item *it = &plan->items[i];
	struct unusable_list gone = { 0 };
	char hex[THUMB_HEX], t[21];
	int r = carry_out_checked(it, now, st), refused = 0, tries;
	int64_t until;

	for (tries = 0; r == CARRY_KEY_REFUSED || r == CARRY_UNSERVED ||
	    r == CARRY_CERT_GONE; tries++) {
		if (r == CARRY_CERT_GONE) {
			if (tries + 1 == REFUSED_MAX || unusable_note(&gone,
			    it->binding->name, it->sel.chosen->thumb, now) < 0 ||
			    replan(plan, i, now, avoid, &gone) != 0) {
				r = APPLY_ERROR;
				break;
			}
			rollback_hold_item(&plan->items[i], change_force);
			r = carry_out_checked(it, now, st);
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
		rollback_hold_item(&plan->items[i], change_force);
		r = carry_out_checked(it, now, st);
	}
	unusable_free(&gone);
	if (r == APPLY_OK && it->sel.chosen != NULL)
		unusable_forget(avoid, it->binding->name, it->sel.chosen->thumb);
	return refused > 0 ? APPLY_ERROR : r;
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
	uint32_t rc;

	if (plan_build_probing(w->policy, w->records, w->nrecords, now, avoid,
	    &w->keys, &plan, &err) != 0) {
		say(EV_ERROR, EV_INTERNAL, "%s", err.msg);
		return APPLY_ERROR;
	}
	mark_unreadable(w, &plan);
	rollback_hold_pinned(&plan, change_force);
	if (next != NULL)
		*next = plan_next_event(&plan, now);
	if ((rc = httpsys_open()) != NO_ERROR) {
		say(EV_ERROR, EV_HTTPSYS_FAILED, "HttpInitialize failed: %s",
		    win_strerror(rc, err.msg, sizeof(err.msg)));
		plan_free(&plan);
		return APPLY_ERROR;
	}
	for (i = 0; i < plan.n; i++) {
		const struct plan_item *it = &plan.items[i];
		struct binding_state *st;
		int r;

		if (stopping(rs)) {
			say(EV_INFO, EV_RECONCILE_STOPPED, "stopping: %zu of %zu "
			    "bindings were left for the next reconcile", plan.n - i,
			    plan.n);
			break;
		}
		st = state_of(rs, it->binding->name);
		if (st != NULL && !due(st->retry_at, now)) {
			failed = 1;            /* still backing off */
			if (next != NULL)
				*next = schedule_sooner(*next, st->retry_at);
			continue;
		}
		if (quiet_none(&plan.items[i], st, w->read_error[i]))
			r = APPLY_OK;
		else
			r = w->read_error[i] != 0 ||
			    recheck(&plan, i, now, avoid) != 0 ? APPLY_ERROR :
			    carry_out_or_next(&plan, i, avoid, now, st);
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
		/* A new certificate: the services that read it at start. */
		if (r == APPLY_OK && (it->action == ACTION_CREATE ||
		    it->action == ACTION_UPDATE_HASH) &&
		    restarts_after_change(it->binding) != 0)
			r = APPLY_ERROR;
		failed |= r == APPLY_ERROR;
		conflict |= r == APPLY_CONFLICT;
	}
	httpsys_close();
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
	/* Outside the writer lock: a restart may take a minute. */
	if (restarts_run_due(p, next) != 0)
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

/* --- plan -------------------------------------------------------------- */

/* Load everything, then plan.  0, or -1 after reporting what failed. */
static int
world_plan(const char *path, enum reading how, struct world *w,
    struct plan *plan, int64_t now)
{
	struct cb_error err;

	if (world_load(path, w, how) != 0)
		return -1;
	if (plan_build_probing(w->policy, w->records, w->nrecords, now, NULL,
	    &w->keys, plan, &err) != 0) {
		out_printf(OUT_STDERR, "certbind: %s\n", err.msg);
		return -1;
	}
	mark_unreadable(w, plan);
	rollback_hold_pinned(plan, false);
	return 0;
}

/* Print a report from report.c and free it; -1 when it could not be built. */
static int
print_report(char *text)
{
	if (text == NULL) {
		out_puts(OUT_STDERR, "certbind: out of memory\n");
		return -1;
	}
	out_puts(OUT_STDOUT, text);
	free(text);
	return 0;
}

int
plan_run(const char *path, bool json, bool explain)
{
	struct world w;
	struct plan plan;
	int64_t now = (int64_t)time(NULL);
	unsigned flags = explain ? REPORT_EXPLAIN : 0;
	size_t i;
	int result = PLAN_ERROR;

	if (world_plan(path, READ_DECLARED, &w, &plan, now) != 0) {
		world_free(&w);
		return PLAN_ERROR;
	}
	if (print_report(json ? report_json(&plan, now, flags) :
	    report_text(&plan, now, flags)) == 0)
		result = plan_changes(&plan) > 0 ? PLAN_CHANGES : PLAN_NOTHING;
	/* Everything was printed; a record that cannot be read is an error. */
	for (i = 0; i < plan.n; i++)
		if (plan.items[i].action == ACTION_UNREADABLE)
			result = PLAN_ERROR;
	plan_free(&plan);
	world_free(&w);
	return result;
}

/* --- verify, status --probe ------------------------------------------ */

/* What binding it's endpoint serves, against the record it has now. */
static void
probe_one(const struct plan_item *it, struct probe_row *row)
{
	struct verify_result v;
	char target[ENDPOINT_TEXT_MAX + 300];

	row->binding = it->binding->name;
	endpoint_format(&it->binding->endpoint, row->endpoint,
	    sizeof(row->endpoint));
	if (it->action == ACTION_UNREADABLE || !it->has_current) {
		row->outcome = VERIFY_NO_RECORD;
		snprintf(row->detail, sizeof(row->detail), "%s",
		    it->action == ACTION_UNREADABLE ? "its record cannot be "
		    "read" : "HTTP.sys has no record for it");
		return;
	}
	verify_binding(it->binding, &it->current, &v);
	row->outcome = v.outcome;
	snprintf(row->detail, sizeof(row->detail), "%s: %s",
	    verify_target_text(it->binding, target, sizeof(target)), v.text);
}

/* One row per binding of plan, or for the one named only.  0 or -1. */
static int
probe_build(const struct plan *plan, const char *only, struct probe_list *l)
{
	size_t i;

	memset(l, 0, sizeof(*l));
	if ((l->rows = calloc(plan->n ? plan->n : 1, sizeof(*l->rows))) == NULL)
		return -1;
	for (i = 0; i < plan->n; i++)
		if (only == NULL || strcmp(plan->items[i].binding->name, only) == 0)
			probe_one(&plan->items[i], &l->rows[l->n++]);
	return 0;
}

static bool
has_binding(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nbindings; i++)
		if (strcmp(p->bindings[i].name, name) == 0)
			return true;
	return false;
}

/* {"time": ..., "bindings": [...]}; 0, or -1 when out of memory. */
static int
print_verify_json(const struct probe_list *l, int64_t now)
{
	char t[21], *rows = probe_json_array(l);

	if (rows == NULL)
		return print_report(NULL);
	out_printf(OUT_STDOUT, "{\n  \"time\": \"%s\",\n  \"bindings\": %s\n}\n",
	    utc_time(now, t), rows);
	free(rows);
	return 0;
}

/* The status text, then what each endpoint serves; frees text. */
static char *
with_probe_text(char *text, const struct probe_list *l)
{
	char *lines = probe_text(l), *all = NULL;
	size_t a = strlen(text), b;

	if (lines != NULL) {
		b = strlen(lines);
		if ((all = malloc(a + b + 32)) != NULL)
			snprintf(all, a + b + 32, "%s\nwhat each endpoint serves:\n"
			    "%s", text, lines);
	}
	free(lines);
	free(text);
	return all;
}

int
verify_run(const char *path, const char *only, bool json)
{
	struct world w;
	struct plan plan;
	struct probe_list l;
	int64_t now = (int64_t)time(NULL);
	int result = 1;

	if (world_plan(path, READ_DECLARED, &w, &plan, now) != 0) {
		world_free(&w);
		return 1;
	}
	if (only != NULL && !has_binding(w.policy, only))
		out_printf(OUT_STDERR, "certbind verify: the policy has no "
		    "binding named '%s'\n", only);
	else if (probe_build(&plan, only, &l) != 0)
		print_report(NULL);
	else {
		if ((json ? print_verify_json(&l, now) :
		    print_report(probe_text(&l))) == 0)
			result = probe_failed(&l) ? 1 : 0;
		probe_free(&l);
	}
	plan_free(&plan);
	world_free(&w);
	return result;
}

/* --- status ------------------------------------------------------------ */

int
status_run(const char *path, bool json, bool probe)
{
	struct world w;
	struct plan plan;
	struct status st;
	struct loop_stats loop;
	struct probe_list pl = { 0 };
	struct pending_list pending = { 0 };
	int64_t now = (int64_t)time(NULL);
	char *text = NULL;
	int result = PLAN_ERROR;

	if (world_plan(path, READ_ALL, &w, &plan, now) != 0) {
		world_free(&w);
		return PLAN_ERROR;
	}
	if (status_build(&plan, w.records, w.nrecords, w.broken, w.nbroken, now,
	    &st) == 0) {
		/* The running service's counts, if one runs (loopstats.c). */
		if (loopstats_read(&loop))
			st.service = &loop;
		/* What each endpoint serves, checked now (verify.c). */
		if (probe && probe_build(&plan, NULL, &pl) == 0)
			st.probe = &pl;
		/* Restarts waiting for a window (restarts.c). */
		if (restarts_pending(w.policy, &pending) == 0)
			st.pending = &pending;
		text = json ? report_status_json(&st, now) :
		    report_status_text(&st, now);
		if (text != NULL && st.probe != NULL && !json)
			text = with_probe_text(text, &pl);
		/* Everything was printed; a record that cannot be read is an
		 * error, as for plan. */
		if (print_report(text) == 0)
			result = st.nbroken > 0 ? PLAN_ERROR : 0;
		status_free(&st);
	} else
		print_report(NULL);
	probe_free(&pl);
	pending_free(&pending);
	plan_free(&plan);
	world_free(&w);
	return result;
}

/* --- certs ------------------------------------------------------------- */

int
certs_run(const char *path, bool json)
{
	struct policy policy;
	struct inventory inv = { 0 };
	struct store_certs certs = { 0 };
	struct cb_error err;
	int64_t now = (int64_t)time(NULL);
	char msg[1024];
	int rc = 1;

	/* With a policy, WebHosting is read too when the policy uses it. */
	memset(&policy, 0, sizeof(policy));
	if (path != NULL && policyfile_load(path, &policy, &err) != 0) {
		out_printf(OUT_STDERR, "%s\n", cb_error_format(&err, msg,
		    sizeof(msg)));
		return 1;
	}
	if (load_stores(&policy, &inv, &certs, true) == 0 &&
	    print_report(json ? report_certs_json(&inv, now) :
	    report_certs_text(&inv, now)) == 0)
		rc = 0;
	policy_free(&policy);
	store_certs_free(&certs);
	inventory_free(&inv);
	return rc;
}
