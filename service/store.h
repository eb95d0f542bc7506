/*
 * store.h - read a LocalMachine certificate store into core's inventory.
 */
#ifndef CERTBIND_STORE_H
#define CERTBIND_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/cert.h"
#include "../core/policy.h"

/* Called for each certificate that is skipped because it cannot be read. */
typedef void (*store_warn_fn)(const char *message);

/*
 * Append the certificates of LocalMachine\My or \WebHosting to inv.
 * Their private keys are opened and chains built only where policy
 * examine_for needs them (core/examine.h), or for every certificate when
 * examine_for is NULL.  Returns 0, or -1 with a message in err.
 * Unreadable certificates are skipped and passed to warn, never guessed
 * at.
 */
int store_load(enum cert_store which, struct inventory *inv,
    const struct policy *examine_for, store_warn_fn warn, char *err,
    size_t errlen);

/*
 * Whether LocalMachine\My or \WebHosting still holds the certificate
 * with this thumbprint (archived ones included).  False only when the
 * store was read and the certificate is not there (or the store itself
 * is gone); true when the store cannot be read, as nothing is known.
 */
bool store_holds(enum cert_store which, const uint8_t thumb[THUMB_LEN]);

#endif
