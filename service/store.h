/*
 * store.h - read a LocalMachine certificate store into core's inventory.
 */
#ifndef CERTBIND_STORE_H
#define CERTBIND_STORE_H

#include <windows.h>
#include <wincrypt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/cert.h"
#include "../core/keymemo.h"
#include "../core/policy.h"

/* Called for each certificate that is skipped because it cannot be read. */
typedef void (*store_warn_fn)(const char *message);

/*
 * The certificates of an inventory as crypt32 contexts, v[i] for
 * inv->certs[i], kept open after store_load so that the plan can open a
 * key when it needs one (store_key_probe); and the keys found usable by
 * earlier reconciles of the service (memo, NULL for a one-shot command).
 *
 * The stores themselves are opened afresh for each reconcile.  Windows
 * could keep one open and read it again only when it changed
 * (CertControlStore with CERT_STORE_CTRL_AUTO_RESYNC), but Wine 8 stubs
 * that, and its CERT_STORE_CTRL_RESYNC on a kept LocalMachine\My did not
 * show certificates added after the open, so neither could be tested here.
 */
struct store_certs {
	PCCERT_CONTEXT *v;
	size_t n, cap;
	struct key_memo *memo;
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
 * certificate cert opens and signs (keyprobe.h); when a key is named but
 * fails, *why is set to why (malloc'd; NULL without memory).  Keys that
 * open are remembered in kept->memo.
 */
bool store_key_probe(size_t cert, void *kept, char **why);

/*
 * A key_batch_fn (core/plan.h) over the same: the keys not remembered
 * are checked side by side (keyprobe.h, key_check_many).
 */
void store_key_batch(const size_t *certs, size_t n, void *kept,
    bool *opens, char **why);

void store_certs_free(struct store_certs *kept);

/*
 * Whether LocalMachine\My or \WebHosting still holds the certificate
 * with this thumbprint (archived ones included).  False only when the
 * store was read and the certificate is not there (or the store itself
 * is gone); true when the store cannot be read, as nothing is known.
 */
bool store_holds(enum cert_store which, const uint8_t thumb[THUMB_LEN]);

/*
 * The certificate with this thumbprint in LocalMachine\My or \WebHosting
 * (archived ones included): 0 and *out (free it with
 * CertFreeCertificateContext), or the error: CRYPT_E_NOT_FOUND when the
 * store has no such certificate, ERROR_FILE_NOT_FOUND when there is no
 * such store.
 */
uint32_t store_find(enum cert_store which, const uint8_t thumb[THUMB_LEN],
    PCCERT_CONTEXT *out);

#endif
