/*
 * store.h - read a LocalMachine certificate store into core's inventory.
 */
#ifndef CERTBIND_STORE_H
#define CERTBIND_STORE_H

#include <windows.h>
#include <wincrypt.h>
#include <stdbool.h>
#include <stddef.h>

#include "../core/cert.h"
#include "../core/keymemo.h"
#include "../core/policy.h"

/* Called for each certificate that is skipped because it cannot be read. */
typedef void (*store_warn_fn)(const char *message);

/*
 * The stores `certbind run` keeps open between reconciles, so that a
 * reconcile does not open them again: each is opened once, asked to
 * resynchronize itself with CERT_STORE_CTRL_AUTO_RESYNC (Windows then
 * reads it again at the next enumeration only when it changed), or, where
 * that is refused, resynchronized with CERT_STORE_CTRL_RESYNC before each
 * reading.  store_open_close() makes the next reading open them afresh
 * (the service does that once per resync interval).
 */
struct store_open {
	HCERTSTORE h[2];               /* by enum cert_store; NULL: closed */
	bool auto_resync[2];
};

void store_open_close(struct store_open *o);

/*
 * The certificates of an inventory as crypt32 contexts, v[i] for
 * inv->certs[i], kept open after store_load so that the plan can open a
 * key when it needs one (store_key_probe); the keys found usable by
 * earlier reconciles of the service (memo), and the stores it keeps open
 * (open); both NULL for a one-shot command.
 */
struct store_certs {
	PCCERT_CONTEXT *v;
	size_t n, cap;
	struct key_memo *memo;
	struct store_open *open;
};

/*
 * Append the certificates of LocalMachine\My or \WebHosting to inv,
 * and their contexts to kept (start both empty, and load every store
 * into the same pair).  Chains are built only where policy examine_for
 * needs them (core/examine.h), and the keys it may need are left
 * key_unknown, for the plan to open through store_key_probe.  With
 * examine_for NULL every key is opened and every chain built now.
 * Returns 0, or -1 with a message in err.  Unreadable certificates are
 * skipped and passed to warn, never guessed at.
 */
int store_load(enum cert_store which, struct inventory *inv,
    struct store_certs *kept, const struct policy *examine_for,
    store_warn_fn warn, char *err, size_t errlen);

/*
 * A key_probe_fn (core/plan.h) over a struct store_certs: the key of
 * certificate cert opens.  Keys that open are remembered in kept->memo.
 */
bool store_key_probe(size_t cert, void *kept);

void store_certs_free(struct store_certs *kept);

#endif
