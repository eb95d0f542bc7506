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
#include "policy.h"

/* Why a certificate can or cannot serve a binding, in the order checked. */
enum verdict {
	VERDICT_OK,
	VERDICT_NAME,              /* does not cover the binding's name */
	VERDICT_NOT_YET_VALID,     /* NotBefore is in the future */
	VERDICT_EXPIRED,           /* NotAfter is in the past */
	VERDICT_NO_KEY,            /* no usable private key */
	VERDICT_EKU                /* EKU does not allow server authentication */
};

/* Judge one certificate for one binding at time now. */
enum verdict select_judge(const struct binding *b, const struct cert *c,
    int64_t now);

/* A sentence for a verdict: "expired 2026-01-02", "no private key"... */
const char *verdict_text(enum verdict v, const struct binding *b,
    const struct cert *c, char *buf, size_t len);

/* a ranks above b: later NotAfter, then later NotBefore, then lower thumbprint. */
bool select_better(const struct cert *a, const struct cert *b);

/* The certificate the binding should hold now, or NULL if none qualifies. */
const struct cert *select_cert(const struct binding *b,
    const struct inventory *inv, int64_t now);

#endif
