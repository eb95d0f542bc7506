/*
 * keyprobe.h - can a certificate's private key be used?
 *
 * The matcher passes over a certificate without a usable key (store.c),
 * and the test suite's stand-in HTTP.sys refuses one with error 1312 as
 * Windows does; both ask this one question the same way.  Usable means
 * that the key opens, silently, for the account certbind runs as (the
 * service: LocalSystem, the account HTTP.sys uses the key as) and that it
 * signs a throwaway SHA-256 digest with a signature that the
 * certificate's public key verifies: a key that opens but cannot sign
 * (no signing usage, a provider that cannot reach it), and one that
 * signs but is not the certificate's (a certificate linked to another
 * key), fail the TLS handshake all the same.
 */
#ifndef CERTBIND_KEYPROBE_H
#define CERTBIND_KEYPROBE_H

#include <windows.h>
#include <wincrypt.h>
#include <ncrypt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An open key: CNG or CryptoAPI. */
struct key_handle {
	NCRYPT_KEY_HANDLE ncrypt;      /* or 0 */
	HCRYPTPROV capi;               /* or 0 */
	DWORD spec;                    /* CryptoAPI: AT_KEYEXCHANGE... */
	bool owned;                    /* key_release frees it */
};

/*
 * Open the private key of ctx silently, with CryptAcquireCertificate-
 * PrivateKey's flags how (CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG: in the
 * provider that keeps it).  0, or the error with why set (the call that
 * failed); CRYPT_E_NO_KEY_PROPERTY when the certificate names no key.
 */
uint32_t key_acquire(PCCERT_CONTEXT ctx, DWORD how, struct key_handle *k,
    char *why, size_t len);
void key_release(struct key_handle *k);

/* The key of ctx opens, silently (no UI), and signs, for this account. */
bool key_usable(PCCERT_CONTEXT ctx);

/*
 * The same, saying why not: false with *why NULL when the certificate
 * names no private key at all (or without memory), false with *why set,
 * malloc'd ("NCryptSignHash: Keyset does not exist (0x80090016)", "the
 * private key does not match the certificate"), when it names one that
 * does not open, sign, or match.
 */
bool key_check_reason(PCCERT_CONTEXT ctx, char **why);

/*
 * key_check_reason() for n certificates, side by side: ok[i] and why[i]
 * answer ctx[i].  Each check is a provider's work of milliseconds,
 * independent of the others, so up to one thread per processor take them
 * in turn; where no thread can be started the caller does them all.  At
 * most KEY_CHECK_THREADS: beyond a few, more threads only queue on the
 * provider (on Windows, the key isolation service that holds machine
 * keys) instead of checking sooner.
 */
#define KEY_CHECK_THREADS 8
void key_check_many(const PCCERT_CONTEXT *ctx, size_t n, bool *ok,
    char **why);

#endif
