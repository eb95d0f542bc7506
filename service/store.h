/*
 * store.h - read a LocalMachine certificate store into core's inventory.
 */
#ifndef CERTBIND_STORE_H
#define CERTBIND_STORE_H

#include <stddef.h>

#include "../core/cert.h"

/* Called for each certificate that is skipped because it cannot be read. */
typedef void (*store_warn_fn)(const char *message);

/*
 * Append the certificates of LocalMachine\My or \WebHosting to inv.
 * Returns 0, or -1 with a message in err.  Unreadable certificates are
 * skipped and passed to warn, never guessed at.
 */
int store_load(enum cert_store which, struct inventory *inv,
    store_warn_fn warn, char *err, size_t errlen);

#endif
