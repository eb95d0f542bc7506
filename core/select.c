/*
 * select.c - the decision which certificate a binding gets.
 *
 * A certificate is a candidate for a binding when all of these hold:
 *   1. it covers the binding's match.dns (RFC 6125, see names.c);
 *   2. it is in the binding's store (My unless the policy says WebHosting);
 *   3. it is not archived (Windows archives a certificate it renewed);
 *   4. it is valid now: NotBefore <= now <= NotAfter;
 *   5. it has a private key that can be opened (HTTP.sys needs it); a key
 *      not opened yet (key_unknown) passes here, and the plan has the
 *      key of the winner opened and selects again if it fails (plan.c);
 *   6. its EKU allows server authentication (serverAuth, anyExtendedKeyUsage,
 *      or no EKU extension at all, which means any purpose);
 *   7. it passes the binding's filters: match.thumbprints, match.issuer,
 *      match.issuer_thumbprints, match.template and match.min_days_left.
 *      match.issuer is only a text filter on the issuer DN, which anyone
 *      making a self-signed certificate can write; issuer_thumbprints is
 *      the trust check: the certificate must chain (store.c builds the
 *      chain with CertGetCertificateChain) to one of those CAs;
 *   8. HTTP.sys has not refused its key for this binding lately (error
 *      1312; see unusable.h).
 * Among candidates the one that expires last wins, so that a renewed
 * certificate replaces the old one as soon as it is in the store.  Ties go
 * to the later NotBefore (the newer issue), then to the lower thumbprint,
 * so that the choice never depends on store enumeration order.
 *
 * Renewal: when the certificate a binding holds carries a renewal link
 * (CERT_RENEWAL_PROP_ID, set by certreq -renew and autoenrollment), the
 * certificate it links to - and its successor, and so on - is a candidate
 * even when a thumbprint allow-list does not name it: the operator pinned
 * a certificate, and Windows says this one replaces it.  Every other rule
 * still applies to a successor.
 *
 * Which certificates are looked at: those the index finds under the name,
 * those match.thumbprints names, and the renewal successors.  Looking no
 * further is what keeps planning linear in the size of the store.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "due.h"
#include "select.h"
#include "text.h"

#define DAY_SECONDS 86400
#define RENEWAL_HOPS 8             /* a renewal chain is followed this far */

static bool
contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;

	for (; *hay; hay++) {
		for (i = 0; i < n; i++)
			if (tolower((unsigned char)hay[i]) !=
			    tolower((unsigned char)needle[i]))
				break;
		if (i == n)
			return true;
	}
	return n == 0;
}

/* "1.3.6.1.4.1.311.21.8.1": digits and dots, starting with a digit. */
static bool
is_oid(const char *s)
{
	if (!isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && *s != '.')
			return false;
	return true;
}

static bool
template_matches(const char *want, const struct cert *c)
{
	if (is_oid(want))
		return c->template_oid != NULL &&
		    strcmp(c->template_oid, want) == 0;
	return c->template_name != NULL &&
	    ascii_equal_nocase(c->template_name, want);
}

/* One of the certificates above c in its chain is one of the listed CAs. */
static bool
issuer_listed(const struct match *m, const struct cert *c)
{
	size_t i, j;

	for (i = 0; i < c->nissuers; i++)
		for (j = 0; j < m->nissuer_thumbprints; j++)
			if (memcmp(c->issuers[i], m->issuer_thumbprints[j],
			    THUMB_LEN) == 0)
				return true;
	return false;
}

static bool
thumb_listed(const struct match *m, const struct cert *c)
{
	size_t i;

	for (i = 0; i < m->nthumbprints; i++)
		if (memcmp(m->thumbprints[i], c->thumb, THUMB_LEN) == 0)
			return true;
	return false;
}

enum verdict
select_judge(const struct binding *b, const struct cert *c, int64_t now,
    bool successor)
{
	const struct match *m = &b->match;

	if (!cert_covers(c, m->dns))
		return VERDICT_NAME;
	if (c->store != b->store)
		return VERDICT_STORE;
	if (c->archived)
		return VERDICT_ARCHIVED;
	if (!due(cert_valid_from(c), now))
		return VERDICT_NOT_YET_VALID;
	if (due(cert_expired_from(c), now))
		return VERDICT_EXPIRED;
	if (!c->has_key && !c->key_unknown)
		return c->key_error != NULL ? VERDICT_KEY_UNUSABLE :
		    VERDICT_NO_KEY;
	if (c->has_eku && !(c->eku & (EKU_SERVER_AUTH | EKU_ANY)))
		return VERDICT_EKU;
	if (m->nthumbprints > 0 && !successor && !thumb_listed(m, c))
		return VERDICT_THUMBPRINT;
	if (m->issuer != NULL &&
	    (c->issuer == NULL || !contains_nocase(c->issuer, m->issuer)))
		return VERDICT_ISSUER;
	if (m->nissuer_thumbprints > 0 && !issuer_listed(m, c))
		return VERDICT_ISSUER_THUMBPRINT;
	if (m->template != NULL && !template_matches(m->template, c))
		return VERDICT_TEMPLATE;
	if (m->min_days_left > 0 &&
	    due(cert_short_from(c, m->min_days_left), now))
		return VERDICT_DAYS_LEFT;
	return VERDICT_OK;
}

const char *
verdict_text(enum verdict v, const struct binding *b, const struct cert *c,
    int64_t now, char *buf, size_t len)
{
	/*
	 * A policy value, escaped into a fixed buffer rather than a copy on
	 * the heap, so that the sentence is whole even when memory is short;
	 * a value too long for it ends in "...", as buf would cut it anyway.
	 */
	char date[11], quoted[256];

	switch (v) {
	case VERDICT_OK:
		snprintf(buf, len, "qualifies");
		break;
	case VERDICT_NAME:
		snprintf(buf, len, "does not cover %s", b->match.dns);
		break;
	case VERDICT_STORE:
		snprintf(buf, len, "is in LocalMachine\\%s, the binding uses "
		    "LocalMachine\\%s", store_name(c->store), store_name(b->store));
		break;
	case VERDICT_ARCHIVED:
		snprintf(buf, len, "archived");
		break;
	case VERDICT_NOT_YET_VALID:
		snprintf(buf, len, "not valid before %s",
		    utc_date(c->not_before, date));
		break;
	case VERDICT_EXPIRED:
		snprintf(buf, len, "expired %s", utc_date(c->not_after, date));
		break;
	case VERDICT_NO_KEY:
		snprintf(buf, len, "no private key");
		break;
	case VERDICT_EKU:
		if (c->eku == EKU_CLIENT_AUTH)
			snprintf(buf, len, "EKU is clientAuth only");
		else
			snprintf(buf, len, "EKU does not allow server "
			    "authentication");
		break;
	case VERDICT_THUMBPRINT:
		snprintf(buf, len, "not in match.thumbprints");
		break;
	case VERDICT_ISSUER:
		text_escape_into(b->match.issuer, 0, quoted, sizeof(quoted));
		snprintf(buf, len, "issuer '%s' does not contain '%s'",
		    c->issuer ? c->issuer : "", quoted);
		break;
	case VERDICT_ISSUER_THUMBPRINT:
		snprintf(buf, len, "does not chain to a CA in "
		    "match.issuer_thumbprints");
		break;
	case VERDICT_TEMPLATE:
		text_escape_into(b->match.template, 0, quoted, sizeof(quoted));
		snprintf(buf, len, "template is %s, not %s",
		    c->template_name ? c->template_name :
		    c->template_oid ? c->template_oid : "none", quoted);
		break;
	case VERDICT_DAYS_LEFT:
		snprintf(buf, len, "expires %s, %lld days from now, fewer than "
		    "match.min_days_left (%d)", utc_date(c->not_after, date),
		    (long long)((c->not_after - now) / DAY_SECONDS),
		    b->match.min_days_left);
		break;
	case VERDICT_UNUSABLE:
		snprintf(buf, len, "HTTP.sys could not use its private key "
		    "(error 1312)");
		break;
	case VERDICT_KEY_UNUSABLE:
		snprintf(buf, len, "key-unusable: %s",
		    c->key_error != NULL ? c->key_error : "?");
		break;
	case VERDICT_UNSERVED:
		snprintf(buf, len, "once bound, the endpoint did not serve it "
		    "(verify); tried again after a backoff");
		break;
	}
	return buf;
}

const char *
verdict_name(enum verdict v)
{
	static const char *const names[] = {
		[VERDICT_OK] = "ok",
		[VERDICT_NAME] = "name",
		[VERDICT_STORE] = "store",
		[VERDICT_ARCHIVED] = "archived",
		[VERDICT_NOT_YET_VALID] = "not-yet-valid",
		[VERDICT_EXPIRED] = "expired",
		[VERDICT_NO_KEY] = "no-key",
		[VERDICT_EKU] = "eku",
		[VERDICT_THUMBPRINT] = "thumbprint",
		[VERDICT_ISSUER] = "issuer",
		[VERDICT_ISSUER_THUMBPRINT] = "issuer-thumbprint",
		[VERDICT_TEMPLATE] = "template",
		[VERDICT_DAYS_LEFT] = "days-left",
		[VERDICT_UNUSABLE] = "unusable",
		[VERDICT_KEY_UNUSABLE] = "key-unusable",
		[VERDICT_UNSERVED] = "unserved",
	};

	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

bool
select_better(const struct cert *a, const struct cert *b)
{
	if (a->not_after != b->not_after)
		return a->not_after > b->not_after;
	if (a->not_before != b->not_before)
		return a->not_before > b->not_before;
	return memcmp(a->thumb, b->thumb, THUMB_LEN) < 0;
}

const char *
select_why_lost(const struct cert *loser, const struct cert *winner,
    char *buf, size_t len)
{
	char date[11], hex[THUMB_HEX];

	if (loser->not_after != winner->not_after)
		snprintf(buf, len, "expires %s, before %s",
		    utc_date(loser->not_after, date),
		    thumb_format(winner->thumb, hex));
	else if (loser->not_before != winner->not_before)
		snprintf(buf, len, "same expiry as %s, issued earlier",
		    thumb_format(winner->thumb, hex));
	else
		snprintf(buf, len, "same dates as %s, higher thumbprint",
		    thumb_format(winner->thumb, hex));
	return buf;
}

/* --- gathering the certificates to judge ------------------------------ */

struct gather {
	struct selection *sel;
	bool successor;
	bool failed;
};

static void
add_candidate(const struct cert *c, void *arg)
{
	struct gather *g = arg;
	struct selection *s = g->sel;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct candidate *v = realloc(s->cands, cap * sizeof(*v));

		if (v == NULL) {
			g->failed = true;
			return;
		}
		s->cands = v;
		s->cap = cap;
	}
	s->cands[s->n].cert = c;
	s->cands[s->n].successor = g->successor;
	s->cands[s->n].retry_at = 0;
	s->n++;
}

/* The bound certificate: the one in the binding's store if there are two. */
struct bound_search {
	enum cert_store store;
	const struct cert *found;
};

static void
find_bound(const struct cert *c, void *arg)
{
	struct bound_search *bs = arg;

	if (bs->found == NULL ||
	    (c->store == bs->store && bs->found->store != bs->store))
		bs->found = c;
}

static void
first_cert(const struct cert *c, void *arg)
{
	const struct cert **out = arg;

	if (*out == NULL)
		*out = c;
}

/* Order: by certificate, successors first, so duplicates can be folded. */
static int
by_cert(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;

	if (a->cert != b->cert)
		return a->cert < b->cert ? -1 : 1;
	return (int)b->successor - (int)a->successor;
}

/* Order: qualifying ones first, each group best first. */
static int
by_rank(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;

	if ((a->verdict == VERDICT_OK) != (b->verdict == VERDICT_OK))
		return a->verdict == VERDICT_OK ? -1 : 1;
	if (select_better(a->cert, b->cert))
		return -1;
	if (select_better(b->cert, a->cert))
		return 1;
	return (int)a->cert->store - (int)b->cert->store;
}

static void
fold_duplicates(struct selection *s)
{
	size_t i, n = 0;

	if (s->n < 2)
		return;
	qsort(s->cands, s->n, sizeof(*s->cands), by_cert);
	for (i = 0; i < s->n; i++)
		if (n == 0 || s->cands[n - 1].cert != s->cands[i].cert)
			s->cands[n++] = s->cands[i];
	s->n = n;
}

static void
gather(const struct binding *b, const struct cert_index *ix,
    const uint8_t *bound, struct gather *g)
{
	struct bound_search bs = { b->store, NULL };
	const struct cert *c;
	size_t i;
	int hop;

	index_by_name(ix, b->match.dns, add_candidate, g);
	for (i = 0; i < b->match.nthumbprints; i++)
		index_by_thumb(ix, b->match.thumbprints[i], add_candidate, g);
	if (bound == NULL)
		return;
	index_by_thumb(ix, bound, find_bound, &bs);
	g->sel->bound = bs.found;
	g->successor = true;
	for (c = g->sel->bound, hop = 0; c != NULL && c->has_renewal &&
	    hop < RENEWAL_HOPS; hop++) {
		const struct cert *next = NULL;

		index_by_thumb(ix, c->renewal, first_cert, &next);
		if (next == NULL)
			break;
		add_candidate(next, g);
		c = next;
	}
	g->successor = false;
}

int
select_cert(const struct binding *b, const struct cert_index *ix,
    const uint8_t *bound, int64_t now, struct selection *out)
{
	return select_cert_avoiding(b, ix, bound, now, NULL, out);
}

int
select_cert_avoiding(const struct binding *b, const struct cert_index *ix,
    const uint8_t *bound, int64_t now, const struct unusable_list *avoid,
    struct selection *out)
{
	struct gather g = { out, false, false };
	size_t i;

	memset(out, 0, sizeof(*out));
	if (b->match.dns == NULL)       /* ccs: HTTP.sys picks certificates */
		return 0;
	gather(b, ix, bound, &g);
	if (g.failed) {
		selection_free(out);
		return -1;
	}
	fold_duplicates(out);
	for (i = 0; i < out->n; i++) {
		struct candidate *c = &out->cands[i];

		c->verdict = select_judge(b, c->cert, now, c->successor);
		if (c->verdict == VERDICT_OK && unusable_now(avoid, b->name,
		    c->cert->thumb, now, &c->retry_at))
			c->verdict = unusable_cause(avoid, b->name,
			    c->cert->thumb) == UNUSABLE_UNSERVED ?
			    VERDICT_UNSERVED : VERDICT_UNUSABLE;
		if (c->verdict == VERDICT_OK &&
		    (out->chosen == NULL || select_better(c->cert, out->chosen)))
			out->chosen = c->cert;
	}
	if (out->n > 1)
		qsort(out->cands, out->n, sizeof(*out->cands), by_rank);
	return 0;
}

void
selection_free(struct selection *s)
{
	free(s->cands);
	memset(s, 0, sizeof(*s));
}
