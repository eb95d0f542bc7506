/*
 * plan.c - compare what each binding should hold with what its target
 * holds: an HTTP.sys record, or the thumbprint a registry value names.
 *
 * A new record gets the chosen certificate, the binding's AppId and the
 * options the policy declares.  An existing record is copied and only the
 * hash, the store and the declared options are changed, so that every
 * other field an operator set stays as it was (read-modify-write).
 *
 * Three cases leave a record alone: it carries another AppId and the
 * binding does not say takeover (a conflict: someone else owns it); no
 * certificate qualifies (a binding to an old certificate serves until it
 * expires, while no binding serves nothing at all); or it already is what
 * the plan wants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "due.h"
#include "plan.h"

static int
by_endpoint(const void *x, const void *y)
{
	const struct ssl_record *const *a = x, *const *b = y;

	return endpoint_compare(&(*a)->endpoint, &(*b)->endpoint);
}

/* The record at ep, by binary search over records sorted by endpoint. */
static const struct ssl_record *
find_record(const struct ssl_record **sorted, size_t n,
    const struct endpoint *ep)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = endpoint_compare(&sorted[mid]->endpoint, ep);

		if (c == 0)
			return sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void
point_at(struct ssl_record *r, const struct cert *c, enum cert_store store)
{
	memset(r->hash, 0, sizeof(r->hash));
	memcpy(r->hash, c->thumb, THUMB_LEN);
	r->hash_len = THUMB_LEN;
	/* "MY" is how netsh and IIS write the default store's name. */
	r->store = store == STORE_WEBHOSTING ? "WebHosting" : "MY";
}

/* The declared options, on top of whatever the record holds. */
static void
apply_options(struct ssl_record *r, const struct options *o)
{
	r->check_mode = (r->check_mode & ~o->check_mask) | o->check_bits;
	r->flags = (r->flags & ~o->flag_mask) | o->flag_bits;
	if (o->set & OPT_REVOCATION_FRESHNESS)
		r->revocation_freshness = o->revocation_freshness;
	if (o->set & OPT_URL_TIMEOUT)
		r->url_timeout = o->url_timeout;
	/* The policy's own text: a plan lives no longer than its policy. */
	if (o->set & OPT_CTL_IDENTIFIER)
		r->ctl_identifier = o->ctl_identifier;
	if (o->set & OPT_CTL_STORE)
		r->ctl_store = o->ctl_store;
}

static void
new_record(struct ssl_record *r, const struct binding *b)
{
	memset(r, 0, sizeof(*r));
	r->endpoint = b->endpoint;
	memcpy(r->app_id, b->app_id, 16);
}

/* ccs:port records name no certificate; only the options are ours. */
static void
plan_ccs(struct plan_item *it, const struct binding *b)
{
	if (!it->has_current) {
		new_record(&it->desired, b);
		apply_options(&it->desired, &b->options);
		it->action = ACTION_CREATE;
		return;
	}
	it->desired = it->current;
	apply_options(&it->desired, &b->options);
	it->action = record_same_options(&it->current, &it->desired) ?
	    ACTION_NONE : ACTION_UPDATE_OPTIONS;
}

static void
plan_cert(struct plan_item *it, const struct binding *b)
{
	const struct cert *chosen = it->sel.chosen;

	if (chosen == NULL) {
		it->action = ACTION_NO_CANDIDATE;
		it->held = it->sel.bound;
		return;
	}
	it->held = chosen;
	if (!it->has_current) {
		new_record(&it->desired, b);
		point_at(&it->desired, chosen, b->store);
		apply_options(&it->desired, &b->options);
		it->action = ACTION_CREATE;
		return;
	}
	it->desired = it->current;
	point_at(&it->desired, chosen, b->store);
	apply_options(&it->desired, &b->options);
	if (!record_holds(&it->current, chosen->thumb))
		it->action = ACTION_UPDATE_HASH;
	else if (!record_same_options(&it->current, &it->desired))
		it->action = ACTION_UPDATE_OPTIONS;
	else
		it->action = ACTION_NONE;
}

/*
 * A target that names only a certificate (a registry value) has no
 * options, no AppId and no owner to conflict with: it holds the chosen
 * certificate or not.  Without a candidate the value is kept, as a
 * record is: an old certificate serves until it expires.
 */
static void
plan_value(struct plan_item *it)
{
	const struct cert *chosen = it->sel.chosen;

	it->held = chosen != NULL ? chosen : it->sel.bound;
	if (chosen == NULL)
		it->action = ACTION_NO_CANDIDATE;
	else if (!it->has_current_thumb)
		it->action = ACTION_CREATE;
	else if (memcmp(it->current_thumb, chosen->thumb, THUMB_LEN) != 0)
		it->action = ACTION_UPDATE_HASH;
	else
		it->action = ACTION_NONE;
}

/* The target names a certificate that is not in the store. */
static bool
bound_missing(const struct plan_item *it)
{
	const struct ssl_record *r = &it->current;

	if (it->sel.bound != NULL)
		return false;
	if (it->target != TARGET_HTTPSYS)
		return it->has_current_thumb;
	return it->binding->endpoint.kind != EP_CCS && it->has_current &&
	    r->hash_len > 0;
}

static void
add_warnings(struct plan_item *it, int warn_days, int64_t now)
{

	/*
	 * A conflict's record belongs to another tool: its certificate is
	 * that tool's business (status still shows it), and the conflict is
	 * reported on its own, with no warning about that certificate.
	 */
	if (it->action == ACTION_CONFLICT)
		return;
	if (bound_missing(it))
		it->warnings |= WARN_BOUND_MISSING;
	if (it->held != NULL && warn_days > 0 &&
	    due(cert_warning_from(it->held, warn_days), now))
		it->warnings |= WARN_EXPIRING;
}

/* Keep the answer for inventory certificate i; why is taken over. */
static void
keep_answer(struct key_probe *k, size_t i, bool opens, char *why)
{
	struct cert *known = &k->inv->certs[i];

	known->has_key = opens;
	known->key_unknown = false;
	if (!known->has_key && known->key_error == NULL)
		known->key_error = why;
	else
		free(why);
	k->probes++;
}

/* Ask whether c's key opens, and keep the answer in the inventory. */
static void
probe_key(struct key_probe *k, const struct cert *c)
{
	size_t i = (size_t)(c - k->inv->certs);
	char *why = NULL;
	bool opens = k->fn(i, k->arg, &why);

	keep_answer(k, i, opens, why);
}

bool
plan_key_opens(struct key_probe *keys, const struct cert *c)
{
	if (c->key_unknown && keys != NULL)
		probe_key(keys, c);
	return c->has_key || c->key_unknown;
}

/*
 * Select for b; while the winner's key is unknown, open it and select
 * again.  Every round settles one certificate, so this ends.
 */
static int
select_probing(struct plan *plan, const struct binding *b,
    const uint8_t *bound, int64_t now, const struct unusable_list *avoid,
    struct selection *sel)
{
	if (select_cert_avoiding(b, &plan->index, bound, now, avoid, sel) != 0)
		return -1;
	while (plan->keys != NULL && sel->chosen != NULL &&
	    sel->chosen->key_unknown) {
		probe_key(plan->keys, sel->chosen);
		selection_free(sel);
		if (select_cert_avoiding(b, &plan->index, bound, now, avoid,
		    sel) != 0)
			return -1;
	}
	return 0;
}

/* What the target holds now, from its record (httpsys) or value. */
static void
hold(struct plan_item *it, const struct ssl_record *current,
    const struct held_thumb *held)
{
	if (it->target == TARGET_HTTPSYS) {
		it->has_current = current != NULL;
		if (current == NULL)
			return;
		it->current = *current;
		it->has_current_thumb = current->hash_len == THUMB_LEN;
		if (it->has_current_thumb)
			memcpy(it->current_thumb, current->hash, THUMB_LEN);
		return;
	}
	it->has_current = it->has_current_thumb = held != NULL &&
	    held->present;
	if (it->has_current)
		memcpy(it->current_thumb, held->thumb, THUMB_LEN);
}

static int
plan_one(struct plan *plan, struct plan_item *it, const struct binding *b,
    const struct ssl_record *current, const struct held_thumb *held,
    int64_t now, const struct unusable_list *avoid)
{
	it->binding = b;
	it->target = b->target;
	it->keys = plan->keys;
	hold(it, current, held);
	if (select_probing(plan, b, it->has_current_thumb ? it->current_thumb :
	    NULL, now, avoid, &it->sel) != 0)
		return -1;
	if (b->target != TARGET_HTTPSYS)
		plan_value(it);
	else if (current != NULL && memcmp(current->app_id, b->app_id, 16) != 0 &&
	    !b->takeover) {
		it->action = ACTION_CONFLICT;
		it->held = it->sel.bound;
	} else if (b->endpoint.kind == EP_CCS)
		plan_ccs(it, b);
	else
		plan_cert(it, b);
	add_warnings(it, plan->renew_warning_days, now);
	return 0;
}

/*
 * The certificate binding b would get if every unknown key opened, when
 * its key is unknown: the first one select_probing() would ask about.
 * SIZE_MAX when there is none, or without memory.
 */
static size_t
first_unknown_choice(const struct plan *plan, const struct binding *b,
    const struct ssl_record *current, const struct held_thumb *held,
    int64_t now, const struct unusable_list *avoid)
{
	struct plan_item it;
	struct selection sel;
	size_t i = SIZE_MAX;

	memset(&it, 0, sizeof(it));
	it.target = b->target;
	hold(&it, current, held);
	if (select_cert_avoiding(b, &plan->index, it.has_current_thumb ?
	    it.current_thumb : NULL, now, avoid, &sel) != 0)
		return SIZE_MAX;
	if (sel.chosen != NULL && sel.chosen->key_unknown)
		i = (size_t)(sel.chosen - plan->keys->inv->certs);
	selection_free(&sel);
	return i;
}

/*
 * Ask keys->batch, in one call, about every binding's first choice whose
 * key is unknown (see key_batch_fn).  Each of them would be asked about
 * as the bindings are planned: a failed key only takes candidates away,
 * so a binding's first choice is still its choice when its turn comes,
 * unless its key is known by then.  The choices are the same; only the
 * questions come together.  Without memory nothing is asked here, and
 * the bindings ask one by one as before.
 */
static void
probe_first_choices(struct plan *plan, const struct policy *policy,
    const struct ssl_record **sorted, size_t nrecords,
    const struct held_thumb *held, int64_t now,
    const struct unusable_list *avoid)
{
	struct key_probe *k = plan->keys;
	size_t nb = policy->nbindings, n = 0, i, c;
	bool *asked = calloc(k->inv->n ? k->inv->n : 1, sizeof(*asked));
	size_t *certs = calloc(nb ? nb : 1, sizeof(*certs));
	bool *opens = calloc(nb ? nb : 1, sizeof(*opens));
	char **why = calloc(nb ? nb : 1, sizeof(*why));

	if (asked == NULL || certs == NULL || opens == NULL || why == NULL)
		goto done;
	for (i = 0; i < nb; i++) {
		const struct binding *b = &policy->bindings[i];

		c = first_unknown_choice(plan, b, b->target == TARGET_HTTPSYS ?
		    find_record(sorted, nrecords, &b->endpoint) : NULL,
		    held != NULL ? &held[i] : NULL, now, avoid);
		if (c != SIZE_MAX && !asked[c]) {
			asked[c] = true;
			certs[n++] = c;
		}
	}
	if (n > 0)
		k->batch(certs, n, k->arg, opens, why);
	for (i = 0; i < n; i++)
		keep_answer(k, certs[i], opens[i], why[i]);
done:
	free(asked);
	free(certs);
	free(opens);
	free(why);
}

static int
plan_build_with(const struct policy *policy, const struct inventory *inv,
    const struct ssl_record *records, size_t nrecords,
    const struct held_thumb *held, int64_t now,
    const struct unusable_list *avoid, struct key_probe *keys,
    struct plan *out, struct cb_error *err)
{
	const struct ssl_record **sorted;
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->renew_warning_days = policy->defaults.renew_warning_days;
	out->items = calloc(policy->nbindings ? policy->nbindings : 1,
	    sizeof(*out->items));
	sorted = calloc(nrecords ? nrecords : 1, sizeof(*sorted));
	if (out->items == NULL || sorted == NULL ||
	    index_build(&out->index, inv) != 0) {
		free(out->items);
		free(sorted);
		memset(out, 0, sizeof(*out));
		return cb_error_set(err, NULL, 0, 0, "out of memory");
	}
	out->keys = keys;
	for (i = 0; i < nrecords; i++)
		sorted[i] = &records[i];
	qsort(sorted, nrecords, sizeof(*sorted), by_endpoint);
	if (keys != NULL && keys->batch != NULL)
		probe_first_choices(out, policy, sorted, nrecords, held, now,
		    avoid);
	for (i = 0; i < policy->nbindings && rc == 0; i++) {
		const struct binding *b = &policy->bindings[i];

		out->n++;
		rc = plan_one(out, &out->items[i], b,
		    b->target == TARGET_HTTPSYS ? find_record(sorted, nrecords,
		    &b->endpoint) : NULL, held != NULL ? &held[i] : NULL, now,
		    avoid);
	}
	free(sorted);
	if (rc != 0) {
		plan_free(out);
		return cb_error_set(err, NULL, 0, 0, "out of memory");
	}
	return 0;
}

int
plan_build(const struct policy *policy, const struct inventory *inv,
    const struct ssl_record *records, size_t nrecords, int64_t now,
    struct plan *out, struct cb_error *err)
{
	return plan_build_avoiding(policy, inv, records, nrecords, now, NULL,
	    out, err);
}

int
plan_build_avoiding(const struct policy *policy,
    const struct inventory *inv, const struct ssl_record *records,
    size_t nrecords, int64_t now, const struct unusable_list *avoid,
    struct plan *out, struct cb_error *err)
{
	return plan_build_with(policy, inv, records, nrecords, NULL, now, avoid,
	    NULL, out, err);
}

int
plan_build_probing(const struct policy *policy,
    const struct ssl_record *records, size_t nrecords, int64_t now,
    const struct unusable_list *avoid, struct key_probe *keys,
    struct plan *out, struct cb_error *err)
{
	return plan_build_with(policy, keys->inv, records, nrecords, NULL, now,
	    avoid, keys, out, err);
}

int
plan_build_targets(const struct policy *policy,
    const struct inventory *inv, const struct ssl_record *records,
    size_t nrecords, const struct held_thumb *held, int64_t now,
    const struct unusable_list *avoid, struct key_probe *keys,
    struct plan *out, struct cb_error *err)
{
	return plan_build_with(policy, keys != NULL ? keys->inv : inv, records,
	    nrecords, held, now, avoid, keys, out, err);
}

/* What item it held when it was planned, as a held value. */
static void
held_of(const struct plan_item *it, struct held_thumb *out)
{
	out->present = it->has_current_thumb;
	memcpy(out->thumb, it->current_thumb, THUMB_LEN);
}

int
plan_replan_item(struct plan *plan, size_t i, int64_t now,
    const struct unusable_list *avoid)
{
	struct plan_item *it = &plan->items[i];
	const struct binding *b = it->binding;
	struct ssl_record current = it->current;
	struct held_thumb held;
	bool had = it->has_current;

	held_of(it, &held);
	selection_free(&it->sel);
	memset(it, 0, sizeof(*it));
	return plan_one(plan, it, b, had ? &current : NULL, &held, now, avoid);
}

void
plan_mark_unreadable(struct plan *plan, size_t i, uint32_t error,
    const char *reason)
{
	struct plan_item *it = &plan->items[i];

	it->action = ACTION_UNREADABLE;
	it->has_current = it->has_current_thumb = false;
	memset(&it->current, 0, sizeof(it->current));
	memset(&it->desired, 0, sizeof(it->desired));
	it->held = NULL;
	it->warnings = 0;
	it->read_error = error;
	snprintf(it->read_reason, sizeof(it->read_reason), "%s", reason);
}

void
plan_free(struct plan *plan)
{
	size_t i;

	for (i = 0; i < plan->n; i++)
		selection_free(&plan->items[i].sel);
	free(plan->items);
	index_free(&plan->index);
	memset(plan, 0, sizeof(*plan));
}

bool
plan_stale(const struct plan_item *it, const struct ssl_record *now)
{
	const struct ssl_record *was = &it->current;

	if (now == NULL || !it->has_current)
		return (now != NULL) != it->has_current;
	return endpoint_compare(&now->endpoint, &was->endpoint) != 0 ||
	    now->hash_len != was->hash_len ||
	    memcmp(now->hash, was->hash, was->hash_len) != 0 ||
	    memcmp(now->app_id, was->app_id, 16) != 0 ||
	    !record_same_options(now, was);
}

bool
plan_stale_held(const struct plan_item *it, const struct held_thumb *now)
{
	if (now == NULL || !now->present || !it->has_current_thumb)
		return (now != NULL && now->present) != it->has_current_thumb;
	return memcmp(now->thumb, it->current_thumb, THUMB_LEN) != 0;
}

/* Plan item i again on what its target holds now. */
static int
redo(struct plan *plan, size_t i, const struct ssl_record *now,
    const struct held_thumb *held, int64_t time_now,
    const struct unusable_list *avoid, struct cb_error *err)
{
	struct plan_item *it = &plan->items[i];
	const struct binding *b = it->binding;

	selection_free(&it->sel);
	memset(it, 0, sizeof(*it));
	if (plan_one(plan, it, b, now, held, time_now, avoid) != 0) {
		selection_free(&it->sel);
		memset(it, 0, sizeof(*it));
		it->binding = b;
		it->target = b->target;
		it->action = ACTION_NO_CANDIDATE;
		return cb_error_set(err, NULL, 0, 0, "out of memory");
	}
	return 0;
}

int
plan_redo(struct plan *plan, size_t i, const struct ssl_record *now,
    int64_t time_now, const struct unusable_list *avoid, struct cb_error *err)
{
	return redo(plan, i, now, NULL, time_now, avoid, err);
}

int
plan_redo_held(struct plan *plan, size_t i, const struct held_thumb *now,
    int64_t time_now, const struct unusable_list *avoid,
    struct cb_error *err)
{
	return redo(plan, i, NULL, now, time_now, avoid, err);
}

static void
sooner(int64_t *next, int64_t t, int64_t now)
{
	if (t > now && t < *next)
		*next = t;
}

int64_t
plan_next_event(const struct plan *plan, int64_t now)
{
	int64_t next = INT64_MAX;
	size_t i, j;

	for (i = 0; i < plan->n; i++) {
		const struct plan_item *it = &plan->items[i];
		const struct cert *held = it->held;

		/* Nothing certbind would do for a conflict falls due. */
		if (it->action == ACTION_CONFLICT)
			continue;
		for (j = 0; j < it->sel.n; j++)
			if (it->sel.cands[j].verdict == VERDICT_NOT_YET_VALID)
				sooner(&next, cert_valid_from(it->sel.cands[j].cert),
				    now);
			else if (it->sel.cands[j].verdict == VERDICT_UNUSABLE ||
			    it->sel.cands[j].verdict == VERDICT_UNSERVED)
				sooner(&next, it->sel.cands[j].retry_at, now);
		if (held == NULL)
			continue;
		sooner(&next, cert_expired_from(held), now);
		if (plan->renew_warning_days > 0)
			sooner(&next, cert_warning_from(held,
			    plan->renew_warning_days), now);
		if (it->binding->match.min_days_left > 0)
			sooner(&next, cert_short_from(held,
			    it->binding->match.min_days_left), now);
	}
	return next;
}

size_t
plan_changes(const struct plan *plan)
{
	size_t i, n = 0;

	for (i = 0; i < plan->n; i++)
		switch (plan->items[i].action) {
		case ACTION_CREATE:
		case ACTION_UPDATE_HASH:
		case ACTION_UPDATE_OPTIONS:
			n++;
			break;
		default:
			/* A key's DACL to write is a change as well. */
			n += plan->items[i].key_grant_due;
			break;
		}
	return n;
}

const char *
action_name(enum action a)
{
	switch (a) {
	case ACTION_NONE:
		return "none";
	case ACTION_CREATE:
		return "create";
	case ACTION_UPDATE_HASH:
		return "update-hash";
	case ACTION_UPDATE_OPTIONS:
		return "update-options";
	case ACTION_CONFLICT:
		return "conflict";
	case ACTION_NO_CANDIDATE:
		return "no-candidate";
	case ACTION_UNREADABLE:
		return "unreadable";
	}
	return "?";
}
