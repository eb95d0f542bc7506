/*
 * pin.c - hold a binding a rollback pinned; see pin.h.
 *
 * "Newer" is a later NotBefore than the certificate rolled away from: a
 * renewal issued after it, not a certificate that was already in the
 * store and merely expires later.  While pinned, a binding moves only to
 * such a certificate: the best of them, even when an older one ranks
 * higher.  Only a change of certificate is
 * held: a create (the record was deleted since) restores service, and
 * the policy's options still apply to the certificate that is kept.
 */
#include <string.h>

#include "pin.h"

/* Issued after the certificate the pin rolled away from. */
static bool
newer(const struct pin *p, const struct cert *c)
{
	return memcmp(c->thumb, p->away, THUMB_LEN) != 0 &&
	    c->not_before > p->away_not_before;
}

bool
pin_holds(const struct pin *p, const struct cert *chosen, bool force)
{
	if (p == NULL || force || chosen == NULL)
		return false;
	return !newer(p, chosen);
}

/*
 * The best qualifying certificate issued after the one rolled away from.
 * It ranks below the plan's choice, so its key may not have been opened:
 * it is opened now, and one that fails is passed over.
 */
static const struct cert *
best_newer(const struct plan_item *it, const struct pin *p)
{
	size_t i;

	for (i = 0; i < it->sel.n; i++)         /* best first */
		if (it->sel.cands[i].verdict == VERDICT_OK &&
		    newer(p, it->sel.cands[i].cert) &&
		    plan_key_opens(it->keys, it->sel.cands[i].cert))
			return it->sel.cands[i].cert;
	return NULL;
}

bool
pin_apply(struct plan_item *it, const struct pin *p, bool force)
{
	const struct cert *to;

	/* Kept only on a certificate still in the store, which the report
	 * can name; one that is gone is no reason to stay. */
	if (it->action != ACTION_UPDATE_HASH || it->sel.bound == NULL ||
	    !pin_holds(p, it->sel.chosen, force))
		return false;
	/* A newer certificate qualifies, if not the best: it may go. */
	if ((to = best_newer(it, p)) != NULL && to != it->sel.bound) {
		memcpy(it->desired.hash, to->thumb, THUMB_LEN);
		it->sel.chosen = to;
		it->held = to;
		return false;
	}
	/* desired is the current record with the options applied: keep its
	 * certificate. */
	memcpy(it->desired.hash, it->current.hash, sizeof(it->desired.hash));
	it->desired.hash_len = it->current.hash_len;
	it->desired.store = it->current.store;
	it->pinned = true;
	it->passed_over = it->sel.chosen;
	it->sel.chosen = it->sel.bound;
	it->held = it->sel.bound;
	it->action = record_same_options(&it->current, &it->desired) ?
	    ACTION_NONE : ACTION_UPDATE_OPTIONS;
	return true;
}
