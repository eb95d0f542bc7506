/*
 * select.h - which certificate a binding gets.
 *
 * This is the whole selection rule; see select.c.
 */
#ifndef CERTBIND_SELECT_H
#define CERTBIND_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "index.h"
#include "policy.h"
#include "unusable.h"

/* Why a certificate can or cannot serve a binding, in the order checked. */
enum verdict {
	VERDICT_OK,
	VERDICT_NAME,              /* does not cover the binding's name */
	VERDICT_STORE,             /* is in another store than the binding's */
	VERDICT_ARCHIVED,          /* archived (replaced by a renewal) */
	VERDICT_NOT_YET_VALID,     /* NotBefore is in the future */
	VERDICT_EXPIRED,           /* NotAfter is in the past */
	VERDICT_NO_KEY,            /* no usable private key */
	VERDICT_EKU,               /* EKU does not allow server authentication */
	VERDICT_THUMBPRINT,        /* not in match.thumbprints */
	VERDICT_ISSUER,            /* issuer does not contain match.issuer */
	VERDICT_ISSUER_THUMBPRINT, /* chains to no CA in
	                              match.issuer_thumbprints */
	VERDICT_TEMPLATE,          /* not from match.template */
	VERDICT_DAYS_LEFT,         /* expires sooner than match.min_days_left */
	VERDICT_UNUSABLE,          /* qualifies, but HTTP.sys refused its key
	                              (error 1312) and its backoff runs */
	VERDICT_KEY_UNUSABLE,      /* its key is named but does not open or
	                              sign (checked where VERDICT_NO_KEY is) */
	VERDICT_UNSERVED           /* qualifies, but once bound the endpoint
	                              did not serve it (core/verify.h) and its
	                              backoff runs */
};

/* One certificate considered for a binding, and how it fared. */
struct candidate {
	const struct cert *cert;
	enum verdict verdict;
	bool successor;            /* reached by the bound cert's renewal link */
	int64_t retry_at;          /* VERDICT_UNUSABLE: tried again then */
};

struct selection {
	const struct cert *chosen;     /* NULL when none qualifies */
	const struct cert *bound;      /* the cert the record holds, if found */
	struct candidate *cands;       /* every cert considered, best first */
	size_t n, cap;
};

/*
 * Judge one certificate for one binding at time now.  A successor (see
 * struct candidate) passes match.thumbprints even when not listed.
 */
enum verdict select_judge(const struct binding *b, const struct cert *c,
    int64_t now, bool successor);

/* A phrase for a verdict: "expired 2026-01-02", "no private key"... */
const char *verdict_text(enum verdict v, const struct binding *b,
    const struct cert *c, int64_t now, char *buf, size_t len);

/* "ok", "name", "expired"...: a stable word for JSON output. */
const char *verdict_name(enum verdict v);

/* a ranks above b: later NotAfter, then later NotBefore, then lower thumbprint. */
bool select_better(const struct cert *a, const struct cert *b);

/* Why a qualifying certificate lost to the winner: "expires earlier"... */
const char *select_why_lost(const struct cert *loser,
    const struct cert *winner, char *buf, size_t len);

/*
 * Choose the certificate binding b should hold at time now.  bound is the
 * thumbprint the binding's HTTP.sys record holds, or NULL without one.
 * Fills out (free it with selection_free); returns 0, or -1 when out of
 * memory.
 */
int select_cert(const struct binding *b, const struct cert_index *ix,
    const uint8_t *bound, int64_t now, struct selection *out);

/*
 * The same, passing over the certificates avoid lists for b at time now
 * (VERDICT_UNUSABLE); avoid may be NULL.
 */
int select_cert_avoiding(const struct binding *b, const struct cert_index *ix,
    const uint8_t *bound, int64_t now, const struct unusable_list *avoid,
    struct selection *out);

void selection_free(struct selection *s);

#endif
