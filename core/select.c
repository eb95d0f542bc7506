/*
 * select.c - the decision which certificate a binding gets.
 *
 * A certificate is a candidate for a binding when all of these hold:
 *   1. it covers the binding's match.dns (RFC 6125, see names.c);
 *   2. it is valid now: NotBefore <= now <= NotAfter;
 *   3. it has a private key that can be opened (HTTP.sys needs it);
 *   4. its EKU allows server authentication (serverAuth, anyExtendedKeyUsage,
 *      or no EKU extension at all, which means any purpose).
 * Among candidates the one that expires last wins, so that a renewed
 * certificate replaces the old one as soon as it is in the store.  Ties go
 * to the later NotBefore (the newer issue), then to the lower thumbprint,
 * so that the choice never depends on store enumeration order.
 */
#include <stdio.h>
#include <string.h>

#include "select.h"

enum verdict
select_judge(const struct binding *b, const struct cert *c, int64_t now)
{
	if (!cert_covers(c, b->dns))
		return VERDICT_NAME;
	if (now < c->not_before)
		return VERDICT_NOT_YET_VALID;
	if (now > c->not_after)
		return VERDICT_EXPIRED;
	if (!c->has_key)
		return VERDICT_NO_KEY;
	if (c->has_eku && !(c->eku & (EKU_SERVER_AUTH | EKU_ANY)))
		return VERDICT_EKU;
	return VERDICT_OK;
}

const char *
verdict_text(enum verdict v, const struct binding *b, const struct cert *c,
    char *buf, size_t len)
{
	char date[11];

	switch (v) {
	case VERDICT_OK:
		snprintf(buf, len, "candidate");
		break;
	case VERDICT_NAME:
		snprintf(buf, len, "does not cover %s", b->dns);
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
		snprintf(buf, len, "EKU does not allow server authentication%s",
		    (c->eku & EKU_CLIENT_AUTH) ? " (clientAuth only)" : "");
		break;
	}
	return buf;
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

const struct cert *
select_cert(const struct binding *b, const struct inventory *inv,
    int64_t now)
{
	const struct cert *best = NULL;
	size_t i;

	for (i = 0; i < inv->n; i++) {
		const struct cert *c = &inv->certs[i];

		if (select_judge(b, c, now) != VERDICT_OK)
			continue;
		if (best == NULL || select_better(c, best))
			best = c;
	}
	return best;
}
