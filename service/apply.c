/*
 * apply.c - the reconcile pipeline, run once.
 *
 *   policy file -> struct policy           (policyfile.c, core/policy.c)
 *   LocalMachine\My -> struct inventory    (store.c)
 *   HTTP.sys records at the endpoints      (httpsys.c)
 *   -> struct plan                         (core/plan.c, core/select.c)
 *   -> HTTP.sys calls, one per binding     (httpsys.c)
 * Every decision is printed and sent to the Event Log.  Nothing is written
 * to HTTP.sys until the policy, the store and the current records have all
 * been read without error.
 */
#include <windows.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/plan.h"
#include "../core/select.h"
#include "apply.h"
#include "eventlog.h"
#include "httpsys.h"
#include "policyfile.h"
#include "store.h"
#include "winerr.h"

#define MSG_MAX 4096

/* Print a decision (info to stdout, the rest to stderr) and log it. */
CB_PRINTF(3, 4)
static void
say(enum ev_level level, uint32_t id, const char *fmt, ...)
{
	char text[MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fprintf(level == EV_INFO ? stdout : stderr, "%s\n", text);
	fflush(level == EV_INFO ? stdout : stderr);
	if (id != 0)
		evlog_write(level, id, text);
}

static void
warn_store(const char *message)
{
	say(EV_WARNING, 0, "warning: %s", message);
}

static const char *
describe(const struct cert *c, char *buf, size_t len)
{
	char hex[THUMB_HEX], date[11];

	snprintf(buf, len, "%s (%s, expires %s)", thumb_format(c->thumb, hex),
	    c->subject ? c->subject : "no subject", utc_date(c->not_after, date));
	return buf;
}

/* No candidate: say why each certificate for the name was passed over. */
static void
report_no_candidate(const struct plan_item *it, const struct inventory *inv,
    int64_t now)
{
	char text[MSG_MAX], ep[ENDPOINT_TEXT_MAX], why[128], hex[THUMB_HEX];
	size_t used, i;

	used = (size_t)snprintf(text, sizeof(text),
	    "%s: no certificate in LocalMachine\\My qualifies for %s; %s left "
	    "as it is", it->binding->name, it->binding->dns,
	    endpoint_format(&it->binding->endpoint, ep, sizeof(ep)));
	for (i = 0; i < inv->n && used < sizeof(text); i++) {
		const struct cert *c = &inv->certs[i];
		enum verdict v = select_judge(it->binding, c, now);

		if (v == VERDICT_NAME)
			continue;
		used += (size_t)snprintf(text + used, sizeof(text) - used,
		    "\n  %s: %s", thumb_format(c->thumb, hex),
		    verdict_text(v, it->binding, c, why, sizeof(why)));
	}
	say(EV_WARNING, EV_NO_CANDIDATE, "%s", text);
}

static int
report_replace_failure(const struct plan_item *it,
    const struct replace_result *res, const char *ep)
{
	char why[256], hex[THUMB_HEX], guid[GUID_TEXT];

	say(EV_ERROR, EV_HTTPSYS_FAILED, "%s: %s failed for %s: %s",
	    it->binding->name, res->step, ep,
	    win_strerror(res->error, why, sizeof(why)));
	if (res->restored)
		say(EV_WARNING, EV_RESTORE_DONE, "%s: the previous record for %s "
		    "was put back", it->binding->name, ep);
	else if (res->restore_error != 0)
		say(EV_ERROR, EV_RESTORE_FAILED, "%s: %s IS UNBOUND: restoring "
		    "the previous record failed (%s). Recreate it with: netsh "
		    "http add sslcert ipport=%s certhash=%s appid=%s "
		    "certstorename=%s", it->binding->name, ep,
		    win_strerror(res->restore_error, why, sizeof(why)), ep,
		    thumb_format(it->current.hash, hex),
		    guid_format(it->current.app_id, guid), it->current.store);
	return -1;
}

/* Carry out one plan item; 0 when the binding ends as planned. */
static int
carry_out(const struct plan_item *it, const struct inventory *inv,
    int64_t now)
{
	char ep[ENDPOINT_TEXT_MAX], cert[512], old[THUMB_HEX], why[256];
	struct replace_result res;
	uint32_t rc;

	endpoint_format(&it->binding->endpoint, ep, sizeof(ep));
	switch (it->action) {
	case ACTION_NONE:
		say(EV_INFO, 0, "%s: %s already holds %s", it->binding->name, ep,
		    describe(it->chosen, cert, sizeof(cert)));
		return 0;
	case ACTION_NO_CANDIDATE:
		report_no_candidate(it, inv, now);
		return 0;
	case ACTION_CREATE:
		rc = httpsys_create(&it->desired);
		if (rc != NO_ERROR) {
			say(EV_ERROR, EV_HTTPSYS_FAILED, "%s: "
			    "HttpSetServiceConfiguration failed for %s: %s",
			    it->binding->name, ep, win_strerror(rc, why, sizeof(why)));
			return -1;
		}
		say(EV_INFO, EV_BINDING_CREATED, "%s: created %s with %s",
		    it->binding->name, ep, describe(it->chosen, cert, sizeof(cert)));
		return 0;
	case ACTION_UPDATE:
		httpsys_replace(&it->current, &it->desired, &res);
		if (res.error != NO_ERROR)
			return report_replace_failure(it, &res, ep);
		say(EV_INFO, EV_BINDING_UPDATED, "%s: updated %s from %s to %s",
		    it->binding->name, ep,
		    it->current.hash_len == THUMB_LEN ?
		    thumb_format(it->current.hash, old) : "(other hash)",
		    describe(it->chosen, cert, sizeof(cert)));
		return 0;
	}
	return -1;
}

/* Read the records at every endpoint the policy names. */
static int
read_records(const struct policy *p, struct ssl_record *records,
    size_t *n)
{
	char ep[ENDPOINT_TEXT_MAX], why[256];
	size_t i;

	*n = 0;
	for (i = 0; i < p->nbindings; i++) {
		uint32_t rc = httpsys_query(&p->bindings[i].endpoint,
		    &records[*n]);

		if (rc == NO_ERROR)
			(*n)++;
		else if (rc != ERROR_FILE_NOT_FOUND) {
			say(EV_ERROR, EV_HTTPSYS_FAILED, "cannot read the HTTP.sys "
			    "record for %s: %s", endpoint_format(
			    &p->bindings[i].endpoint, ep, sizeof(ep)),
			    win_strerror(rc, why, sizeof(why)));
			return -1;
		}
	}
	return 0;
}

static int
reconcile(const struct policy *p, const struct inventory *inv)
{
	struct ssl_record *records;
	struct plan plan;
	struct cb_error err;
	int64_t now = (int64_t)time(NULL);
	size_t n, i;
	int failed = 0;

	records = calloc(p->nbindings, sizeof(*records));
	if (records == NULL) {
		say(EV_ERROR, 0, "out of memory");
		return APPLY_ERROR;
	}
	if (read_records(p, records, &n) != 0) {
		free(records);
		return APPLY_ERROR;
	}
	if (plan_build(p, inv, records, n, now, &plan, &err) != 0) {
		say(EV_ERROR, 0, "%s", err.msg);
		free(records);
		return APPLY_ERROR;
	}
	for (i = 0; i < plan.n; i++)
		if (carry_out(&plan.items[i], inv, now) != 0)
			failed = 1;
	plan_free(&plan);
	free(records);
	return failed ? APPLY_ERROR : APPLY_OK;
}

int
apply_run(const char *path)
{
	struct policy policy;
	struct inventory inv = { 0 };
	struct cb_error err;
	char text[1024];
	uint32_t rc;
	int result;

	evlog_open();
	if (policyfile_load(path, &policy, &err) != 0) {
		say(EV_ERROR, EV_POLICY_INVALID, "%s",
		    cb_error_format(&err, text, sizeof(text)));
		evlog_close();
		return APPLY_ERROR;
	}
	if (store_load(L"MY", &inv, warn_store, text, sizeof(text)) != 0) {
		say(EV_ERROR, EV_STORE_FAILED, "%s", text);
		result = APPLY_ERROR;
	} else if ((rc = httpsys_open()) != NO_ERROR) {
		say(EV_ERROR, EV_HTTPSYS_FAILED, "HttpInitialize failed: %s",
		    win_strerror(rc, text, sizeof(text)));
		result = APPLY_ERROR;
	} else {
		result = reconcile(&policy, &inv);
		httpsys_close();
	}
	inventory_free(&inv);
	policy_free(&policy);
	evlog_close();
	return result;
}
