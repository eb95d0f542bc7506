/*
 * pin.c - hold a binding a rollback pinned; see pin.h.
 *
 * "Newer" is a later NotBefore than the certificate rolled away from: a
 * renewal issued after the rollback, not a certificate that was already
 * in the store and merely expires later.  Only a change of certificate is
 * held: a create (the record was deleted since) restores service, and
 * the policy's options still apply to the certificate that is kept.
 */
#include <string.h>

#include "pin.h"

bool
pin_holds(const struct pin *p, const struct cert *chosen, bool force)
{
	if (p == NULL || force || chosen == NULL)
		return false;
	return memcmp(chosen->thumb, p->away, THUMB_LEN) == 0 ||
	    chosen->not_before <= p->away_not_before;
}

bool
pin_apply(struct plan_item *it, const struct pin *p, bool force)
{
	/* Kept only on a certificate still in the store, which the report
	 * can name; one that is gone is no reason to stay. */
	if (it->action != ACTION_UPDATE_HASH || it->sel.bound == NULL ||
	    !pin_holds(p, it->sel.chosen, force))
		return false;
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
