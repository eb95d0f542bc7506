/*
 * status.c - build the drift report; see status.h.
 *
 * Shadowing: for a TLS connection HTTP.sys looks for a record in this
 * order - the connection's own IP address and port, then the host name
 * the client sent (SNI) and port, then the Central Certificate Store
 * port, then the any-address (0.0.0.0 or [::]) and port.  A record for a
 * specific address therefore hides every SNI record on its port from the
 * clients that connect to that address, which is easy to miss when the
 * SNI records are the ones being kept current.
 */
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "due.h"
#include "status.h"

static int
by_endpoint(const void *x, const void *y)
{
	const struct status_row *a = x, *b = y;

	return endpoint_compare(&a->rec->endpoint, &b->rec->endpoint);
}

static bool
is_any_address(const struct endpoint *ep)
{
	static const uint8_t zero[16];

	return memcmp(ep->addr, zero, ep->kind == EP_IPV4 ? 4 : 16) == 0;
}

/* The store's copy of the record's certificate; the record's store first. */
struct cert_search {
	const struct ssl_record *rec;
	const struct cert *found;
};

static void
find_cert(const struct cert *c, void *arg)
{
	struct cert_search *s = arg;
	bool webhosting = ascii_equal_nocase(record_store_name(s->rec),
	    "WebHosting");

	if (s->found == NULL ||
	    (c->store == STORE_WEBHOSTING) == webhosting)
		s->found = c;
}

static void
judge_cert(const struct plan *plan, struct status_row *row, int64_t now)
{
	struct cert_search s = { row->rec, NULL };

	row->has_hash = row->rec->hash_len > 0;
	if (row->rec->hash_len != THUMB_LEN)
		return;
	index_by_thumb(&plan->index, row->rec->hash, find_cert, &s);
	row->cert = s.found;
	if (s.found == NULL)
		return;
	row->expired = due(cert_expired_from(s.found), now);
	row->expiring = !row->expired && plan->renew_warning_days > 0 &&
	    due(cert_warning_from(s.found, plan->renew_warning_days), now);
	row->archived = s.found->archived;
}

/* SNI records on the port of an IP-specific row. */
static int
find_shadowed(struct status *st, struct status_row *row)
{
	const struct endpoint *ep = &row->rec->endpoint;
	size_t i;

	if ((ep->kind != EP_IPV4 && ep->kind != EP_IPV6) || is_any_address(ep))
		return 0;
	for (i = 0; i < st->n; i++) {
		const struct ssl_record *r = st->rows[i].rec;

		if (r->endpoint.kind != EP_SNI || r->endpoint.port != ep->port)
			continue;
		if (row->shadowed == NULL &&
		    (row->shadowed = calloc(st->n, sizeof(*row->shadowed))) ==
		    NULL)
			return -1;
		row->shadowed[row->nshadowed++] = r;
	}
	return 0;
}

static void
match_items(const struct plan *plan, struct status *st)
{
	size_t i;

	for (i = 0; i < plan->n; i++) {
		const struct plan_item *it = &plan->items[i];
		struct status_row key, *row;
		struct ssl_record probe;

		if (it->action == ACTION_UNREADABLE)
			continue;               /* see match_broken() */
		if (it->target != TARGET_HTTPSYS) {
			st->targets[st->ntargets++] = it;
			continue;
		}
		if (!it->has_current) {
			st->missing[st->nmissing++] = it;
			continue;
		}
		probe.endpoint = it->binding->endpoint;
		key.rec = &probe;
		row = bsearch(&key, st->rows, st->n, sizeof(*st->rows),
		    by_endpoint);
		if (row == NULL)
			continue;
		row->item = it;
		row->drift = it->action == ACTION_UPDATE_HASH ||
		    it->action == ACTION_UPDATE_OPTIONS;
	}
}

/*
 * Broken records, each with the binding that declares it when its key is
 * known; then the bindings whose record could not be read that no broken
 * record names.
 */
static void
match_broken(const struct plan *plan, const struct broken_record *broken,
    size_t nbroken, struct status *st)
{
	size_t i, j;

	for (i = 0; i < nbroken; i++) {
		struct status_broken *row = &st->broken[st->nbroken++];

		row->rec = &broken[i];
		for (j = 0; j < plan->n && broken[i].has_endpoint; j++)
			if (endpoint_compare(&plan->items[j].binding->endpoint,
			    &broken[i].endpoint) == 0)
				row->item = &plan->items[j];
	}
	for (j = 0; j < plan->n; j++) {
		if (plan->items[j].action != ACTION_UNREADABLE)
			continue;
		for (i = 0; i < nbroken; i++)
			if (st->broken[i].item == &plan->items[j])
				break;
		if (i == nbroken)
			st->broken[st->nbroken++].item = &plan->items[j];
	}
}

int
status_build(const struct plan *plan, const struct ssl_record *records,
    size_t nrecords, const struct broken_record *broken, size_t nbroken,
    int64_t now, struct status *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->rows = calloc(nrecords ? nrecords : 1, sizeof(*out->rows));
	out->missing = calloc(plan->n ? plan->n : 1, sizeof(*out->missing));
	out->targets = calloc(plan->n ? plan->n : 1, sizeof(*out->targets));
	out->broken = calloc(nbroken + plan->n + 1, sizeof(*out->broken));
	if (out->rows == NULL || out->missing == NULL || out->broken == NULL ||
	    out->targets == NULL)
		goto fail;
	for (i = 0; i < nrecords; i++)
		out->rows[i].rec = &records[i];
	out->n = nrecords;
	if (nrecords > 1)
		qsort(out->rows, nrecords, sizeof(*out->rows), by_endpoint);
	match_items(plan, out);
	match_broken(plan, broken, nbroken, out);
	for (i = 0; i < out->n; i++) {
		judge_cert(plan, &out->rows[i], now);
		if (find_shadowed(out, &out->rows[i]) != 0)
			goto fail;
	}
	return 0;
fail:
	status_free(out);
	return -1;
}

void
status_free(struct status *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		free(st->rows[i].shadowed);
	free(st->rows);
	free(st->missing);
	free(st->targets);
	free(st->broken);
	memset(st, 0, sizeof(*st));
}
