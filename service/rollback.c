/*
 * rollback.c - `certbind rollback`, `certbind history`, and the two
 * things a reconcile does for them (rollback.h).
 *
 * A rollback is a change like any other: it takes the writer lock,
 * finishes an interrupted rotation first, and writes through
 * httpsys_replace(), so that on Windows without
 * HttpUpdateServiceConfiguration the journal covers it and a failed Set
 * puts the record back.  It reads everything it needs - each record and
 * each history - before it writes anything: a binding that is unknown, a
 * history that cannot be read or a record that cannot be read changes
 * nothing at all.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/pin.h"
#include "../core/report.h"
#include "../core/text.h"
#include "apply.h"
#include "eventlog.h"
#include "history.h"
#include "httpsys.h"
#include "lock.h"
#include "out.h"
#include "policyfile.h"
#include "rollback.h"
#include "store.h"
#include "winerr.h"

/* Remove the binding's pin; false after saying why it could not be. */
static bool
drop_pin(const struct plan_item *it)
{
	char ep[ENDPOINT_TEXT_MAX], err[256];
	uint32_t rc = pin_drop(&it->binding->endpoint);

	if (rc == NO_ERROR)
		return true;
	say(EV_ERROR, EV_PIN_NOT_DROPPED, "%s: the pin 'certbind rollback' "
	    "left, %s value '%s', could not be removed: %s; it may keep the "
	    "binding on the pinned certificate", it->binding->name,
	    PINNED_KEY_TEXT, endpoint_format(&it->binding->endpoint, ep,
	    sizeof(ep)), win_strerror(rc, err, sizeof(err)));
	return false;
}

void
rollback_note_change(const struct plan_item *it, const char *reason)
{
	char why[512];

	if (history_note(&it->current, &it->desired, reason,
	    (int64_t)time(NULL), why, sizeof(why)) != 0)
		say(EV_WARNING, EV_HISTORY_NOT_KEPT, "%s: the record it "
		    "replaced was not kept in its history: %s",
		    it->binding->name, why);
	/* Moved to another certificate: a newer one, or --force. */
	if (it->action == ACTION_UPDATE_HASH)
		drop_pin(it);
}

void
rollback_hold_item(struct plan_item *it, bool force)
{
	char why[512];
	struct pin pin;
	int found;

	/* History and pins are kept per HTTP.sys endpoint only. */
	if (it->target != TARGET_HTTPSYS ||
	    it->binding->endpoint.kind == EP_CCS || !it->has_current)
		return;
	found = pin_load(&it->binding->endpoint, &pin, why, sizeof(why));
	if (found < 0)
		say(EV_ERROR, EV_HISTORY_UNREADABLE, "%s: %s", it->binding->name,
		    why);
	else if (found > 0 && force) {
		if (drop_pin(it))
			out_printf(OUT_STDOUT, "%s: --force: the pin 'certbind "
			    "rollback' left was dropped\n", it->binding->name);
	} else if (found > 0)
		pin_apply(it, &pin, false);
}

void
rollback_hold_pinned(struct plan *plan, bool force)
{
	size_t i;

	if (!pin_any())
		return;
	for (i = 0; i < plan->n; i++)
		rollback_hold_item(&plan->items[i], force);
}

/* --- rollback ------------------------------------------------------ */

/* One binding's rollback, decided before anything is written. */
struct step {
	const struct binding *b;
	bool has_current;
	struct ssl_record current;
	struct history hist;
	int index;                     /* the entry to put back; -1 none */
};

/* The bindings asked for: all, or the one named.  0, or -1 if unknown. */
static int
select_steps(const struct policy *p, const char *name, const char *path,
    struct step **out, size_t *n)
{
	size_t i;

	*n = 0;
	if ((*out = calloc(p->nbindings, sizeof(**out))) == NULL) {
		out_puts(OUT_STDERR, "certbind: out of memory\n");
		return -1;
	}
	for (i = 0; i < p->nbindings; i++) {
		if (name != NULL && strcmp(p->bindings[i].name, name) != 0)
			continue;
		/* The history is kept per HTTP.sys endpoint: a registry
		 * target's previous value is not kept (README). */
		if (p->bindings[i].target == TARGET_HTTPSYS)
			(*out)[(*n)++].b = &p->bindings[i];
		else if (name != NULL) {
			out_printf(OUT_STDERR, "certbind rollback: '%s' is a "
			    "%s binding; rollback puts back HTTP.sys records "
			    "only; nothing was changed\n", name,
			    target_kind_name(p->bindings[i].target));
			return -1;
		}
	}
	if (*n == 0 && name == NULL) {
		out_puts(OUT_STDERR, "certbind rollback: the policy has no "
		    "HTTP.sys binding; nothing was changed\n");
		return -1;
	}
	if (*n == 0) {
		char *shown = text_escape_str(name, 0);

		out_printf(OUT_STDERR, "certbind rollback: %s has no binding "
		    "named '%s'; nothing was changed\n", path,
		    shown != NULL ? shown : "?");
		free(shown);
		return -1;
	}
	return 0;
}

/* Read one binding's record and history.  0, or -1 after reporting. */
static int
read_step(struct step *s)
{
	char ep[ENDPOINT_TEXT_MAX], why[512], guid[GUID_TEXT];
	uint32_t rc;

	endpoint_format(&s->b->endpoint, ep, sizeof(ep));
	rc = httpsys_query(&s->b->endpoint, &s->current);
	if (rc != NO_ERROR && rc != ERROR_FILE_NOT_FOUND) {
		say(EV_ERROR, EV_HTTPSYS_FAILED, "%s: cannot read the HTTP.sys "
		    "record for %s: %s", s->b->name, ep, httpsys_read_strerror(rc,
		    &s->b->endpoint, why, sizeof(why)));
		return -1;
	}
	s->has_current = rc == NO_ERROR;
	if (s->has_current && memcmp(s->current.app_id, s->b->app_id, 16) != 0 &&
	    !s->b->takeover) {
		say(EV_ERROR, EV_CONFLICT, "%s: the record for %s belongs to "
		    "AppId %s now, not this binding's: it is another program's, "
		    "and is not rolled back", s->b->name, ep,
		    guid_format(s->current.app_id, guid));
		return -1;
	}
	if (history_load(&s->b->endpoint, &s->hist, why, sizeof(why)) != 0) {
		say(EV_ERROR, EV_HISTORY_UNREADABLE, "%s: %s", s->b->name, why);
		return -1;
	}
	s->index = history_rollback_index(&s->hist, s->has_current ?
	    &s->current : NULL);
	return 0;
}

/* When the certificate rolled away from was issued, as far as known. */
static int64_t
away_not_before(const struct inventory *inv, const uint8_t *thumb,
    int64_t now)
{
	size_t i;

	for (i = 0; i < inv->n; i++)
		if (memcmp(inv->certs[i].thumb, thumb, THUMB_LEN) == 0)
			return inv->certs[i].not_before;
	return now;     /* gone: only one issued after the rollback is newer */
}

static void
report_failure(const struct step *s, const struct ssl_record *target,
    const struct replace_result *res, const char *ep)
{
	char why[RECORD_TEXT_MAX + 512], netsh[RECORD_TEXT_MAX];

	say(EV_ERROR, EV_HTTPSYS_FAILED, "%s: rollback: %s failed for %s: %s",
	    s->b->name, res->step, ep, httpsys_strerror(res->error, target,
	    why, sizeof(why)));
	if (res->restored)
		say(EV_WARNING, EV_RESTORE_DONE, "%s: the record for %s was put "
		    "back as it was before the rollback", s->b->name, ep);
	else if (res->restore_error != 0)
		say(EV_ERROR, EV_RESTORE_FAILED, "%s: %s IS UNBOUND: restoring "
		    "the record failed (%s). Recreate it with: %s", s->b->name,
		    ep, httpsys_strerror(res->restore_error, &s->current, why,
		    sizeof(why)), report_netsh(&s->current, netsh, sizeof(netsh)));
}

/* Pin the binding where it was put back; a note of what that means. */
static void
pin_step(const struct step *s, const struct ssl_record *target,
    const struct inventory *inv, int64_t now, char *note, size_t len)
{
	char hex[THUMB_HEX], t[21];
	struct pin pin;
	uint32_t rc;

	note[0] = '\0';
	if (s->b->endpoint.kind == EP_CCS || !s->has_current ||
	    s->current.hash_len != THUMB_LEN ||
	    (target->hash_len == THUMB_LEN &&
	    memcmp(target->hash, s->current.hash, THUMB_LEN) == 0))
		return;
	memset(&pin, 0, sizeof(pin));
	memcpy(pin.away, s->current.hash, THUMB_LEN);
	pin.away_not_before = away_not_before(inv, s->current.hash, now);
	pin.at = now;
	if ((rc = pin_store(&s->b->endpoint, &pin)) != NO_ERROR) {
		say(EV_WARNING, EV_HISTORY_NOT_KEPT, "%s: the pin could not be "
		    "written (%s): the service may move the binding back to %s",
		    s->b->name, win_strerror(rc, note, len),
		    thumb_format(pin.away, hex));
		note[0] = '\0';
		return;
	}
	snprintf(note, len, "; pinned: certbind will not move it to another "
	    "certificate until one issued after %s (when %s was) qualifies, "
	    "or 'certbind apply --force'", utc_time(pin.away_not_before, t),
	    thumb_format(pin.away, hex));
}

static const char *
record_hash_text(const struct ssl_record *r, char hex[THUMB_HEX])
{
	if (r->hash_len == THUMB_LEN)
		return thumb_format(r->hash, hex);
	return r->hash_len ? "(not a SHA-1 hash)" : "(no certificate)";
}

/* Put back one binding's record.  0, or -1 after reporting. */
static int
carry_step(const struct step *s, const struct inventory *inv, int64_t now)
{
	const struct history_entry *e = &s->hist.v[s->index];
	char ep[ENDPOINT_TEXT_MAX], why[512], note[512], t[21];
	char from[THUMB_HEX], to[THUMB_HEX];
	struct replace_result res;

	endpoint_format(&s->b->endpoint, ep, sizeof(ep));
	memset(&res, 0, sizeof(res));
	if (s->has_current)
		httpsys_replace(&s->current, &e->record, &res);
	else if ((res.error = httpsys_create(&e->record)) != NO_ERROR)
		res.step = "set";
	if (res.error != NO_ERROR) {
		report_failure(s, &e->record, &res, ep);
		return -1;
	}
	if (s->has_current && history_note(&s->current, &e->record,
	    "rollback", now, why, sizeof(why)) != 0)
		say(EV_WARNING, EV_HISTORY_NOT_KEPT, "%s: the record it "
		    "replaced was not kept in its history: %s", s->b->name, why);
	pin_step(s, &e->record, inv, now, note, sizeof(note));
	say(EV_INFO, EV_ROLLED_BACK, "%s: rolled back %s from %s to %s, the "
	    "record it held until certbind's change (%s) at %s%s", s->b->name,
	    ep, s->has_current ? record_hash_text(&s->current, from) :
	    "no record", record_hash_text(&e->record, to), e->reason,
	    utc_time(e->at, t), note);
	return 0;
}

static void
warn_store(const char *message)
{
	out_printf(OUT_STDERR, "certbind rollback: %s\n", message);
}

/* The stores the policy uses, for the pins; an empty one if unreadable. */
static void
load_inventory(const struct policy *p, struct inventory *inv)
{
	struct store_certs kept = { 0 };   /* no key is asked for */
	char text[512];

	if (store_load(STORE_MY, inv, &kept, p, warn_store, text,
	    sizeof(text)) != 0 || (policy_uses_store(p, STORE_WEBHOSTING) &&
	    store_load(STORE_WEBHOSTING, inv, &kept, p, warn_store, text,
	    sizeof(text)) != 0))
		out_printf(OUT_STDERR, "certbind rollback: %s; the pins take "
		    "the rollback's time as the certificates' issue time\n",
		    text);
	store_certs_free(&kept);
}

/* Read every step; then, if all could be read, carry them out. */
static int
rollback_steps(const struct policy *p, struct step *steps, size_t n,
    bool named)
{
	struct inventory inv = { 0 };
	int64_t now = (int64_t)time(NULL);
	size_t i, todo = 0;
	int failed = 0;

	for (i = 0; i < n; i++)
		failed |= read_step(&steps[i]) != 0;
	if (failed) {
		out_puts(OUT_STDERR, "certbind rollback: nothing was changed\n");
		return ROLLBACK_ERROR;
	}
	for (i = 0; i < n; i++) {
		if (steps[i].index >= 0) {
			todo++;
			continue;
		}
		out_printf(named ? OUT_STDERR : OUT_STDOUT, "%s: nothing to roll "
		    "back to: %s\n", steps[i].b->name, steps[i].hist.n == 0 ?
		    "its history is empty (certbind has replaced no record there)"
		    : "every record in its history is the one it holds");
	}
	if (todo == 0)
		return ROLLBACK_NOTHING;
	load_inventory(p, &inv);
	for (i = 0; i < n; i++)
		if (steps[i].index >= 0)
			failed |= carry_step(&steps[i], &inv, now) != 0;
	inventory_free(&inv);
	return failed ? ROLLBACK_ERROR : ROLLBACK_DONE;
}

int
rollback_run(const char *path, const char *binding, uint32_t lock_timeout_ms)
{
	struct policy policy;
	struct cb_error err;
	struct writer_lock lock;
	struct step *steps = NULL;
	char text[1024];
	size_t n = 0;
	uint32_t rc;
	int result = ROLLBACK_ERROR;

	evlog_open();
	if (policyfile_load(path, &policy, &err) != 0) {
		say(EV_ERROR, EV_POLICY_INVALID, "%s", cb_error_format(&err, text,
		    sizeof(text)));
		evlog_close();
		return ROLLBACK_ERROR;
	}
	if (select_steps(&policy, binding, path, &steps, &n) == 0 &&
	    lock_take(&lock, "rollback", lock_timeout_ms, NULL) == 0) {
		if ((rc = httpsys_open()) != NO_ERROR)
			say(EV_ERROR, EV_HTTPSYS_FAILED, "HttpInitialize failed: %s",
			    win_strerror(rc, text, sizeof(text)));
		else {
			apply_repair();
			result = rollback_steps(&policy, steps, n, binding != NULL);
			httpsys_close();
		}
		lock_release(&lock);
	}
	free(steps);
	policy_free(&policy);
	evlog_close();
	return result;
}

/* --- history ------------------------------------------------------- */

struct listed {
	struct history_row row;
	char why[512];
};

/* Fill one row from the registry; false when a value cannot be read. */
static bool
read_row(struct listed *l, const char *binding, const struct endpoint *ep)
{
	char pin_why[512];
	int found;

	l->row.binding = binding;
	l->row.endpoint = *ep;
	if (history_load(ep, &l->row.hist, l->why, sizeof(l->why)) != 0) {
		l->row.error = l->why;
		return false;
	}
	found = pin_load(ep, &l->row.pin, pin_why, sizeof(pin_why));
	if (found < 0) {
		snprintf(l->why, sizeof(l->why), "%s", pin_why);
		l->row.error = l->why;
		return false;
	}
	l->row.pinned = found > 0;
	return true;
}

static bool bad_name_seen;

static void
bad_name(const char *name, const char *why)
{
	bad_name_seen = true;
	out_printf(OUT_STDERR, "certbind history: the value '%s' under %s is "
	    "not named for an endpoint (%s); it was not used\n", name,
	    HISTORY_KEY_TEXT, why);
}

/* The rows for the policy's bindings, or every endpoint with a history. */
static int
list_rows(const struct policy *p, const char *binding, struct listed **out,
    size_t *n, bool *failed)
{
	struct endpoint *eps = NULL;
	char why[512];
	size_t i, neps = 0;

	*n = 0;
	if (p == NULL && history_endpoints(&eps, &neps, bad_name, why,
	    sizeof(why)) != 0) {
		out_printf(OUT_STDERR, "certbind history: %s\n", why);
		return -1;
	}
	*out = calloc(p != NULL ? p->nbindings + 1 : neps + 1, sizeof(**out));
	if (*out == NULL) {
		free(eps);
		out_puts(OUT_STDERR, "certbind: out of memory\n");
		return -1;
	}
	for (i = 0; p == NULL && i < neps; i++)
		*failed |= !read_row(&(*out)[(*n)++], NULL, &eps[i]);
	for (i = 0; p != NULL && i < p->nbindings; i++)
		if ((binding == NULL || strcmp(p->bindings[i].name, binding) == 0)
		    && p->bindings[i].target == TARGET_HTTPSYS)
			*failed |= !read_row(&(*out)[(*n)++], p->bindings[i].name,
			    &p->bindings[i].endpoint);
	free(eps);
	return 0;
}

int
history_run(const char *path, const char *binding, bool json)
{
	struct policy policy;
	struct cb_error err;
	struct listed *rows = NULL;
	struct history_row *plain = NULL;
	char text[1024], *report;
	size_t i, n = 0;
	bool failed = false;
	int rc = 1;

	memset(&policy, 0, sizeof(policy));
	if (binding != NULL && path == NULL) {
		out_puts(OUT_STDERR, "certbind history: --binding NAME needs "
		    "--config FILE, which names the bindings\n");
		return 1;
	}
	if (path != NULL && policyfile_load(path, &policy, &err) != 0) {
		out_printf(OUT_STDERR, "%s\n", cb_error_format(&err, text,
		    sizeof(text)));
		return 1;
	}
	bad_name_seen = false;
	if (list_rows(path != NULL ? &policy : NULL, binding, &rows, &n,
	    &failed) != 0)
		goto done;
	if (binding != NULL && n == 0) {
		char *shown = text_escape_str(binding, 0);

		out_printf(OUT_STDERR, "certbind history: %s has no binding "
		    "named '%s'\n", path, shown != NULL ? shown : "?");
		free(shown);
		goto done;
	}
	if ((plain = calloc(n + 1, sizeof(*plain))) == NULL)
		goto done;
	for (i = 0; i < n; i++)
		plain[i] = rows[i].row;
	report = json ? report_history_json(plain, n, (int64_t)time(NULL)) :
	    report_history_text(plain, n);
	if (report == NULL)
		out_puts(OUT_STDERR, "certbind: out of memory\n");
	else {
		out_puts(OUT_STDOUT, report);
		free(report);
		rc = failed || bad_name_seen ? 1 : 0;
	}
done:
	free(plain);
	free(rows);
	policy_free(&policy);
	return rc;
}
