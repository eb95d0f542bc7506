/*
 * examine.c - which certificates a reconcile must examine; see examine.h.
 *
 * The rule mirrors the order of the checks in select_judge(): the name,
 * the store and the archived flag are decided before the private key,
 * and the key before the chain, so a certificate that fails one of the
 * first three never has its key or chain looked at.  The certificates a
 * binding can consider are all found under its name in the index (a
 * thumbprint allow-list or a renewal link adds certificates, but each
 * must still cover the name), which keeps this linear in the store.
 */
#include <string.h>

#include "examine.h"

struct mark {
	const struct binding *b;
	const struct cert *first;      /* the inventory's first certificate */
	unsigned char *needs;
};

static void
mark_candidate(const struct cert *c, void *arg)
{
	const struct mark *m = arg;
	unsigned char want = EXAMINE_KEY;

	if (c->store != m->b->store || c->archived ||
	    !cert_covers(c, m->b->match.dns))
		return;
	if (m->b->match.nissuer_thumbprints > 0)
		want |= EXAMINE_ISSUERS;
	m->needs[c - m->first] |= want;
}

void
examine_needs(const struct policy *p, const struct cert_index *ix,
    unsigned char *needs)
{
	struct mark m;
	size_t i;

	memset(needs, 0, ix->inv->n);
	m.first = ix->inv->certs;
	m.needs = needs;
	for (i = 0; i < p->nbindings; i++) {
		m.b = &p->bindings[i];
		if (m.b->match.dns == NULL)     /* ccs: nothing is selected */
			continue;
		index_by_name(ix, m.b->match.dns, mark_candidate, &m);
	}
}
