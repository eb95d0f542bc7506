/*
 * keyprobe.c - open a certificate's private key and sign with it, to see
 * that it can be used; see keyprobe.h.
 */
#include <windows.h>
#include <wincrypt.h>
#include <ncrypt.h>
#include <bcrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "keyprobe.h"
#include "winerr.h"

/* Why it failed: the call and its error code, for key_check(). */
struct fault {
	const char *call;
	DWORD error;
};

static bool
failed(struct fault *f, const char *call, DWORD error)
{
	f->call = call;
	f->error = error;
	return false;
}

void
key_release(struct key_handle *k)
{
	if (!k->owned)
		return;
	if (k->ncrypt != 0)
		NCryptFreeObject(k->ncrypt);
	if (k->capi != 0)
		CryptReleaseContext(k->capi, 0);
	memset(k, 0, sizeof(*k));
}

/*
 * Open the key named by CERT_KEY_PROV_INFO_PROP_ID ourselves.
 * Wine 8's CryptAcquireCertificatePrivateKey drops CRYPT_MACHINE_KEYSET
 * and so fails for every LocalMachine key; on Windows the first call in
 * key_open() already answers and this path is not reached for a good key.
 */
static bool
open_key_from_prov_info(PCCERT_CONTEXT ctx, struct key_handle *k, struct fault *f)
{
	CRYPT_KEY_PROV_INFO *info;
	NCRYPT_PROV_HANDLE prov;
	DWORD size = 0;
	SECURITY_STATUS st;
	bool ok = false;

	if (!CertGetCertificateContextProperty(ctx, CERT_KEY_PROV_INFO_PROP_ID,
	    NULL, &size))
		return failed(f, NULL, (DWORD)CRYPT_E_NO_KEY_PROPERTY);
	if ((info = malloc(size)) == NULL)
		return failed(f, "malloc", ERROR_NOT_ENOUGH_MEMORY);
	if (!CertGetCertificateContextProperty(ctx, CERT_KEY_PROV_INFO_PROP_ID,
	    info, &size)) {
		free(info);
		return failed(f, "CertGetCertificateContextProperty",
		    GetLastError());
	}
	k->owned = true;
	if (info->dwProvType == 0) {
		st = NCryptOpenStorageProvider(&prov, info->pwszProvName, 0);
		if (st != ERROR_SUCCESS)
			failed(f, "NCryptOpenStorageProvider", (DWORD)st);
		else {
			st = NCryptOpenKey(prov, &k->ncrypt,
			    info->pwszContainerName, info->dwKeySpec,
			    (info->dwFlags & NCRYPT_MACHINE_KEY_FLAG) |
			    NCRYPT_SILENT_FLAG);
			ok = st == ERROR_SUCCESS;
			if (!ok) {
				k->ncrypt = 0;
				failed(f, "NCryptOpenKey", (DWORD)st);
			}
			NCryptFreeObject(prov);
		}
	} else {
		HCRYPTKEY key;

		if (!CryptAcquireContextW(&k->capi, info->pwszContainerName,
		    info->pwszProvName, info->dwProvType,
		    (info->dwFlags & CRYPT_MACHINE_KEYSET) | CRYPT_SILENT)) {
			k->capi = 0;
			failed(f, "CryptAcquireContext", GetLastError());
		} else if (!CryptGetUserKey(k->capi, info->dwKeySpec, &key))
			failed(f, "CryptGetUserKey", GetLastError());
		else {
			CryptDestroyKey(key);
			k->spec = info->dwKeySpec;
			ok = true;
		}
	}
	free(info);
	return ok;
}

/* Open ctx's key, silently, with CryptAcquireCertificatePrivateKey's
 * flags how. */
static bool
key_open(PCCERT_CONTEXT ctx, DWORD how, struct key_handle *k,
    struct fault *f)
{
	HCRYPTPROV_OR_NCRYPT_KEY_HANDLE h;
	DWORD spec = 0;
	BOOL must_free = FALSE;

	memset(k, 0, sizeof(*k));
	if (CryptAcquireCertificatePrivateKey(ctx, CRYPT_ACQUIRE_SILENT_FLAG |
	    how, NULL, &h, &spec,
	    &must_free)) {
		if (spec == CERT_NCRYPT_KEY_SPEC)
			k->ncrypt = h;
		else
			k->capi = h;
		k->spec = spec;
		k->owned = must_free != FALSE;
		return true;
	}
	return open_key_from_prov_info(ctx, k, f);
}

/* A throwaway digest: its value does not matter, only that it signs. */
static BYTE digest[32] = { 'c', 'e', 'r', 't', 'b', 'i', 'n', 'd' };

static bool
sign_ncrypt(NCRYPT_KEY_HANDLE key, struct fault *f)
{
	BCRYPT_PKCS1_PADDING_INFO pkcs1 = { BCRYPT_SHA256_ALGORITHM };
	wchar_t group[32] = L"";
	DWORD size = 0, flags = NCRYPT_SILENT_FLAG;
	void *pad = NULL;
	SECURITY_STATUS st;
	BYTE *sig;

	/* RSA signs with a padding; ECDSA and DSA take none. */
	if (NCryptGetProperty(key, NCRYPT_ALGORITHM_GROUP_PROPERTY,
	    (BYTE *)group, sizeof(group) - sizeof(wchar_t), &size, 0) ==
	    ERROR_SUCCESS && wcscmp(group, NCRYPT_RSA_ALGORITHM_GROUP) == 0) {
		pad = &pkcs1;
		flags |= NCRYPT_PAD_PKCS1_FLAG;
	}
	size = 0;
	st = NCryptSignHash(key, pad, digest, sizeof(digest), NULL, 0, &size,
	    flags);
	if (st != ERROR_SUCCESS)
		return failed(f, "NCryptSignHash", (DWORD)st);
	if ((sig = malloc(size ? size : 1)) == NULL)
		return failed(f, "malloc", ERROR_NOT_ENOUGH_MEMORY);
	st = NCryptSignHash(key, pad, digest, sizeof(digest), sig, size, &size,
	    flags);
	free(sig);
	return st == ERROR_SUCCESS ? true : failed(f, "NCryptSignHash",
	    (DWORD)st);
}

static bool
sign_capi(HCRYPTPROV prov, DWORD spec, struct fault *f)
{
	HCRYPTHASH hash;
	ALG_ID alg = CALG_SHA_256;
	DWORD size = 0;
	BYTE *sig;
	BOOL ok;

	/*
	 * The base and strong providers (PROV_RSA_FULL) have no SHA-256;
	 * the key is as usable with a SHA-1 digest, which they sign.
	 */
	if (!CryptCreateHash(prov, alg, 0, 0, &hash)) {
		alg = CALG_SHA1;
		if (!CryptCreateHash(prov, alg, 0, 0, &hash))
			return failed(f, "CryptCreateHash", GetLastError());
	}
	if (!CryptSetHashParam(hash, HP_HASHVAL, digest, 0) ||
	    !CryptSignHashW(hash, spec, NULL, 0, NULL, &size)) {
		failed(f, "CryptSignHash", GetLastError());
		CryptDestroyHash(hash);
		return false;
	}
	if ((sig = malloc(size ? size : 1)) == NULL) {
		CryptDestroyHash(hash);
		return failed(f, "malloc", ERROR_NOT_ENOUGH_MEMORY);
	}
	ok = CryptSignHashW(hash, spec, NULL, 0, sig, &size);
	if (!ok)
		failed(f, "CryptSignHash", GetLastError());
	free(sig);
	CryptDestroyHash(hash);
	return ok != FALSE;
}

/* why: "NCryptSignHash: Keyset does not exist (0x80090016)". */
static void
fault_text(const struct fault *f, char *why, size_t len)
{
	char text[512];

	win_message(f->error, text, sizeof(text));
	snprintf(why, len, "%s: %s%s(0x%08lX)", f->call, text,
	    text[0] != '\0' ? " " : "", (unsigned long)f->error);
}

/*
 * CNG is preferred: it is what HTTP.sys (Schannel) uses, and it signs
 * SHA-256 with keys of the old CryptoAPI providers too.
 */
bool
key_check(PCCERT_CONTEXT ctx, char *why, size_t len)
{
	struct fault f = { NULL, 0 };
	struct key_handle k;
	bool ok;

	ok = key_open(ctx, CRYPT_ACQUIRE_PREFER_NCRYPT_KEY_FLAG, &k, &f) &&
	    (k.ncrypt != 0 ? sign_ncrypt(k.ncrypt, &f) :
	    sign_capi(k.capi, k.spec, &f));
	key_release(&k);
	if (why == NULL || len == 0)
		return ok;
	why[0] = '\0';
	if (ok || f.call == NULL)         /* usable, or no key named */
		return ok;
	fault_text(&f, why, len);
	return false;
}

uint32_t
key_acquire(PCCERT_CONTEXT ctx, DWORD how, struct key_handle *k, char *why,
    size_t len)
{
	struct fault f = { NULL, 0 };

	if (key_open(ctx, how, k, &f))
		return 0;
	key_release(k);
	if (f.call == NULL) {
		snprintf(why, len, "the certificate names no private key");
		return f.error != 0 ? f.error : (uint32_t)CRYPT_E_NO_KEY_PROPERTY;
	}
	fault_text(&f, why, len);
	return f.error != 0 ? f.error : (uint32_t)NTE_FAIL;
}

bool
key_usable(PCCERT_CONTEXT ctx)
{
	return key_check(ctx, NULL, 0);
}
