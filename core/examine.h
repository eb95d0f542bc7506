/*
 * examine.h - which of a certificate's costly facts a reconcile needs.
 *
 * Reading a certificate's names, dates and extensions is cheap; opening
 * its private key (has_key) and building its chain (issuers) are not:
 * each is a provider or chain-engine call per certificate, and on a store
 * of thousands they were most of a reconcile.  Selection (select.c) looks
 * at has_key only for a certificate that covers a binding's name, is in
 * that binding's store and is not archived, and at issuers only when that
 * binding also has match.issuer_thumbprints.  So only those are examined;
 * `certbind certs` examines every certificate.
 */
#ifndef CERTBIND_EXAMINE_H
#define CERTBIND_EXAMINE_H

#include "cert.h"
#include "index.h"
#include "policy.h"

enum {
	EXAMINE_KEY = 1 << 0,          /* open the private key: has_key */
	EXAMINE_ISSUERS = 1 << 1       /* build the chain: issuers */
};

/*
 * For each certificate of the inventory ix indexes, what policy p needs
 * examined: needs[i] (EXAMINE_* bits) for ix->inv->certs[i].  The answer
 * does not depend on the clock, so an inventory examined once stays right
 * however long it is kept.
 */
void examine_needs(const struct policy *p, const struct cert_index *ix,
    unsigned char *needs);

#endif
