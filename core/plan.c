/*
 * plan.c - compare what each binding should hold with what HTTP.sys holds.
 *
 * A new record gets the chosen certificate from store MY and certbind's
 * AppId.  An existing record is copied and only its hash and store are
 * changed, so every other field an operator set stays as it was.  When no
 * certificate qualifies, the existing record is left alone: a binding to
 * an old certificate serves until it expires, while no binding serves
 * nothing at all.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "select.h"

static const struct ssl_record *
find_record(const struct ssl_record *records, size_t n,
    const struct endpoint *ep)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (endpoint_equal(&records[i].endpoint, ep))
			return &records[i];
	return NULL;
}

static void
point_at(struct ssl_record *r, const struct cert *c)
{
	memset(r->hash, 0, sizeof(r->hash));
	memcpy(r->hash, c->thumb, THUMB_LEN);
	r->hash_len = THUMB_LEN;
	strcpy(r->store, "MY");
}

static void
plan_one(struct plan_item *it, const struct binding *b,
    const struct inventory *inv, const struct ssl_record *current,
    int64_t now)
{
	it->binding = b;
	it->chosen = select_cert(b, inv, now);
	it->has_current = current != NULL;
	if (current != NULL)
		it->current = *current;
	if (it->chosen == NULL) {
		it->action = ACTION_NO_CANDIDATE;
		return;
	}
	if (current == NULL) {
		memset(&it->desired, 0, sizeof(it->desired));
		it->desired.endpoint = b->endpoint;
		memcpy(it->desired.app_id, CERTBIND_APP_ID, 16);
		point_at(&it->desired, it->chosen);
		it->action = ACTION_CREATE;
		return;
	}
	it->desired = *current;
	point_at(&it->desired, it->chosen);
	it->action = record_holds(current, it->chosen->thumb) ?
	    ACTION_NONE : ACTION_UPDATE;
}

int
plan_build(const struct policy *policy, const struct inventory *inv,
    const struct ssl_record *records, size_t nrecords, int64_t now,
    struct plan *out, struct cb_error *err)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->items = calloc(policy->nbindings ? policy->nbindings : 1,
	    sizeof(*out->items));
	if (out->items == NULL)
		return cb_error_set(err, NULL, 0, 0, "out of memory");
	for (i = 0; i < policy->nbindings; i++) {
		const struct binding *b = &policy->bindings[i];

		plan_one(&out->items[i], b, inv,
		    find_record(records, nrecords, &b->endpoint), now);
	}
	out->n = policy->nbindings;
	return 0;
}

void
plan_free(struct plan *plan)
{
	free(plan->items);
	memset(plan, 0, sizeof(*plan));
}

const char *
action_name(enum action a)
{
	switch (a) {
	case ACTION_NONE:
		return "none";
	case ACTION_CREATE:
		return "create";
	case ACTION_UPDATE:
		return "update";
	case ACTION_NO_CANDIDATE:
		return "no-candidate";
	}
	return "?";
}
