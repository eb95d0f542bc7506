/*
 * target_httpsys.c - the httpsys target: a binding's SSL record in
 * HTTP.sys, read and written through httpsys.c.
 *
 * A certificate HTTP.sys refuses (error 1312: it cannot use the private
 * key) is reported as CARRY_KEY_REFUSED, so that the carry-out passes it
 * over and tries the next qualifying one at once; one that left the store
 * after it was read (HTTP.sys answers 1312 for that too) is
 * CARRY_CERT_GONE.  After a change, what the endpoint serves is checked
 * (verify.c); a change that broke serving is undone the same way
 * (CARRY_UNSERVED).
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/report.h"
#include "apply.h"
#include "eventlog.h"
#include "httpsys.h"
#include "rollback.h"
#include "store.h"
#include "target.h"
#include "verify.h"
#include "winerr.h"

/* --- reading --------------------------------------------------------- */

static uint32_t
http_read(const struct binding *b, struct target_read *out)
{
	uint32_t rc = httpsys_query(&b->endpoint, &out->record);

	out->present = rc == NO_ERROR;
	return rc == ERROR_FILE_NOT_FOUND ? NO_ERROR : rc;
}

static const char *
http_read_strerror(const struct binding *b, uint32_t err, char *buf,
    size_t len)
{
	return httpsys_read_strerror(err, &b->endpoint, buf, len);
}

/* --- restoring from the journal --------------------------------------- */

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

static void
http_restore(void)
{
	httpsys_repair(report_repair, report_journal_bad, NULL);
}

/* --- writing ------------------------------------------------------------ */

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
 * HTTP.sys refused the chosen certificate because it cannot use its
 * private key (ERROR_NO_SUCH_LOGON_SESSION).
 */
static bool
key_refused(const struct plan_item *it, uint32_t rc)
{
	return rc == ERROR_NO_SUCH_LOGON_SESSION && it->sel.chosen != NULL;
}

/*
 * HTTP.sys answers ERROR_NO_SUCH_LOGON_SESSION for a certificate that is
 * not in the store it names (deleted or replaced after certbind read the
 * store) as well as for a key it cannot use; only the store can tell the
 * two apart.
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

/* A new record; APPLY_OK, APPLY_ERROR, CARRY_KEY_REFUSED, CARRY_CERT_GONE. */
static int
create(const struct plan_item *it, const char *ep)
{
	char cert[512], why[REPORT_ITEM_MAX];
	uint32_t rc;

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
}

/* The record replaced; as create(). */
static int
replace(const struct plan_item *it, const char *ep, const char *reason)
{
	char cert[512], old[THUMB_HEX], why[REPORT_ITEM_MAX];
	struct replace_result res;

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
	rollback_note_change(it, reason);
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

/* --- verify after a change -------------------------------------------- */

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

/* Create or replace the record, then check what the endpoint serves. */
static int
http_apply(const struct plan_item *it, const struct carry_ctx *c)
{
	char ep[ENDPOINT_TEXT_MAX];
	int r;

	endpoint_format(&it->binding->endpoint, ep, sizeof(ep));
	r = it->action == ACTION_CREATE ? create(it, ep) :
	    replace(it, ep, c->reason);
	if (r != APPLY_OK)
		return r;
	return check_change(it, c->st);
}

/*
 * Another tool may have changed the record at item i's endpoint since it
 * was read: read it again right before writing, and if it differs, plan
 * the binding again on the record as it is now, so that no stale field
 * is written back.  (HTTP.sys has no compare-and-swap; this narrows the
 * window to the time between two calls.)  0, or -1 after reporting.
 */
static int
http_recheck(struct plan *plan, size_t i, const struct unusable_list *avoid,
    const struct carry_ctx *c)
{
	struct plan_item *it = &plan->items[i];
	struct ssl_record fresh;
	struct cb_error err;
	char ep[ENDPOINT_TEXT_MAX], why[256];
	uint32_t rc;

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
	if (plan_redo(plan, i, rc == NO_ERROR ? &fresh : NULL, c->now, avoid,
	    &err) != 0) {
		say(EV_ERROR, EV_HTTPSYS_FAILED, "%s: %s", it->binding->name,
		    err.msg);
		return -1;
	}
	rollback_hold_item(it, c->force);
	return 0;
}

static uint32_t
http_open(void)
{
	return httpsys_open();
}

const struct target_ops target_httpsys = {
	.kind = TARGET_HTTPSYS,
	.what = "the HTTP.sys record for",
	.event = EV_HTTPSYS_FAILED,
	.open_call = "HttpInitialize",
	.open = http_open,
	.close = httpsys_close,
	.read = http_read,
	.read_strerror = http_read_strerror,
	.recheck = http_recheck,
	.apply = http_apply,
	.describe = binding_where,
	.restore = http_restore,
	.verifiable = true,
};
