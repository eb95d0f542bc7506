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

/*
 * Why it failed, for check(): a call and its error code, or a
 * sentence of its own (text) when no call's error says it.
 */
struct fault {
	const char *call;
	DWORD error;
	char text[160];
};

/* The kinds of public key a certificate HTTP.sys serves can hold. */
enum key_kind { KIND_RSA, KIND_ECDSA, KIND_OTHER };

static bool
failed(struct fault *f, const char *call, DWORD error)
{
	f->call = call;
	f->error = error;
	return false;
}

static bool
failed_text(struct fault *f, const char *text)
{
	f->call = "";
	snprintf(f->text, sizeof(f->text), "%s", text);
	return false;
}

static bool
mismatch(struct fault *f)
{
	return failed_text(f, "the private key does not match the "
	    "certificate");
}

/*
 * The kind of key from the certificate's SubjectPublicKeyInfo: what the
 * certificate says is the authority, not what the provider reports of
 * the key it opened (that key may be the wrong one).
 */
static enum key_kind
cert_kind(PCCERT_CONTEXT ctx)
{
	const char *oid = ctx->pCertInfo->SubjectPublicKeyInfo.Algorithm.pszObjId;

	if (oid == NULL)
		return KIND_OTHER;
	if (strcmp(oid, szOID_RSA_RSA) == 0)
		return KIND_RSA;
	if (strcmp(oid, szOID_ECC_PUBLIC_KEY) == 0)
		return KIND_ECDSA;
	return KIND_OTHER;
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

/*
 * Open ctx's key.  CNG is preferred: it is what HTTP.sys (Schannel) uses,
 * and it signs SHA-256 with keys of the old CryptoAPI providers too.
 * CRYPT_ACQUIRE_COMPARE_KEY_FLAG has the provider's public key compared
 * with the certificate's (NTE_BAD_PUBLIC_KEY when they differ).  Wine 8
 * ignores the flag (and fails LocalMachine keys before it, see
 * open_key_from_prov_info()), which is why check() also verifies its
 * signature with the certificate's public key.
 */
static bool
key_open(PCCERT_CONTEXT ctx, DWORD how, struct key_handle *k,
    struct fault *f)
{
	HCRYPTPROV_OR_NCRYPT_KEY_HANDLE h;
	DWORD spec = 0;
	BOOL must_free = FALSE;

	memset(k, 0, sizeof(*k));
	if (CryptAcquireCertificatePrivateKey(ctx, CRYPT_ACQUIRE_SILENT_FLAG |
	    how, NULL, &h, &spec, &must_free)) {
		if (spec == CERT_NCRYPT_KEY_SPEC)
			k->ncrypt = h;
		else
			k->capi = h;
		k->spec = spec;
		k->owned = must_free != FALSE;
		return true;
	}
	if (GetLastError() == (DWORD)NTE_BAD_PUBLIC_KEY)
		return mismatch(f);
	return open_key_from_prov_info(ctx, k, f);
}

/* A throwaway digest: its value does not matter, only that it signs. */
static BYTE digest[32] = { 'c', 'e', 'r', 't', 'b', 'i', 'n', 'd' };

/* A signature made by the key, to verify with the certificate's. */
struct sig {
	BYTE *p;
	DWORD len;
	ALG_ID alg;                    /* CryptoAPI: the hash it signs */
};

/*
 * RSA signs with PKCS #1 v1.5 padding (flag: NCRYPT_PAD_PKCS1_FLAG or
 * BCRYPT_PAD_PKCS1); ECDSA takes none.
 */
static void *
cng_padding(enum key_kind kind, BCRYPT_PKCS1_PADDING_INFO *pkcs1,
    DWORD pkcs1_flag, DWORD *flags)
{
	if (kind != KIND_RSA)
		return NULL;
	pkcs1->pszAlgId = BCRYPT_SHA256_ALGORITHM;
	*flags |= pkcs1_flag;
	return pkcs1;
}

static bool
sign_ncrypt(NCRYPT_KEY_HANDLE key, enum key_kind kind, struct sig *s,
    struct fault *f)
{
	BCRYPT_PKCS1_PADDING_INFO pkcs1;
	DWORD size = 0, flags = NCRYPT_SILENT_FLAG;
	void *pad = cng_padding(kind, &pkcs1, NCRYPT_PAD_PKCS1_FLAG, &flags);
	SECURITY_STATUS st;

	st = NCryptSignHash(key, pad, digest, sizeof(digest), NULL, 0, &size,
	    flags);
	if (st != ERROR_SUCCESS)
		return failed(f, "NCryptSignHash", (DWORD)st);
	if ((s->p = malloc(size ? size : 1)) == NULL)
		return failed(f, "malloc", ERROR_NOT_ENOUGH_MEMORY);
	st = NCryptSignHash(key, pad, digest, sizeof(digest), s->p, size,
	    &size, flags);
	s->len = size;
	return st == ERROR_SUCCESS ? true : failed(f, "NCryptSignHash",
	    (DWORD)st);
}

/*
 * The signature checks out with the certificate's public key.  Any
 * failure of the check itself (STATUS_INVALID_SIGNATURE, or a signature
 * of another length) means that the key signed for another public key.
 */
static bool
verify_cng(PCCERT_CONTEXT ctx, enum key_kind kind, const struct sig *s,
    struct fault *f)
{
	BCRYPT_PKCS1_PADDING_INFO pkcs1;
	BCRYPT_KEY_HANDLE pub;
	DWORD flags = 0;
	void *pad = cng_padding(kind, &pkcs1, BCRYPT_PAD_PKCS1, &flags);
	NTSTATUS st;

	if (!CryptImportPublicKeyInfoEx2(X509_ASN_ENCODING,
	    &ctx->pCertInfo->SubjectPublicKeyInfo, 0, NULL, &pub))
		return failed(f, "CryptImportPublicKeyInfoEx2", GetLastError());
	st = BCryptVerifySignature(pub, pad, digest, sizeof(digest), s->p,
	    s->len, flags);
	BCryptDestroyKey(pub);
	return BCRYPT_SUCCESS(st) ? true : mismatch(f);
}

/* A hash object of prov holding the digest, as alg. */
static bool
capi_hash(HCRYPTPROV prov, ALG_ID alg, HCRYPTHASH *hash, struct fault *f)
{
	if (!CryptCreateHash(prov, alg, 0, 0, hash))
		return failed(f, "CryptCreateHash", GetLastError());
	if (CryptSetHashParam(*hash, HP_HASHVAL, digest, 0))
		return true;
	failed(f, "CryptSetHashParam", GetLastError());
	CryptDestroyHash(*hash);
	return false;
}

static bool
sign_capi(HCRYPTPROV prov, DWORD spec, struct sig *s, struct fault *f)
{
	HCRYPTHASH hash;
	DWORD size = 0;
	bool ok = false;

	/*
	 * The base and strong providers (PROV_RSA_FULL) have no SHA-256;
	 * the key is as usable with a SHA-1 digest, which they sign.
	 */
	s->alg = CALG_SHA_256;
	if (!CryptCreateHash(prov, s->alg, 0, 0, &hash))
		s->alg = CALG_SHA1;
	else
		CryptDestroyHash(hash);
	if (!capi_hash(prov, s->alg, &hash, f))
		return false;
	if (!CryptSignHashW(hash, spec, NULL, 0, NULL, &size))
		failed(f, "CryptSignHash", GetLastError());
	else if ((s->p = malloc(size ? size : 1)) == NULL)
		failed(f, "malloc", ERROR_NOT_ENOUGH_MEMORY);
	else if (!CryptSignHashW(hash, spec, NULL, 0, s->p, &size))
		failed(f, "CryptSignHash", GetLastError());
	else {
		s->len = size;
		ok = true;
	}
	CryptDestroyHash(hash);
	return ok;
}

/*
 * The same for a CryptoAPI signature, in a context of its own: the public
 * key is imported there and not into the key's container.  A CryptoAPI
 * key is RSA here (kind is checked first), and PROV_RSA_AES has both
 * hashes sign_capi() may have used.
 */
static bool
verify_capi(PCCERT_CONTEXT ctx, const struct sig *s, struct fault *f)
{
	HCRYPTPROV prov;
	HCRYPTKEY pub;
	HCRYPTHASH hash;
	bool ok = false;

	if (!CryptAcquireContextW(&prov, NULL, NULL, PROV_RSA_AES,
	    CRYPT_VERIFYCONTEXT | CRYPT_SILENT))
		return failed(f, "CryptAcquireContext", GetLastError());
	if (!CryptImportPublicKeyInfo(prov, X509_ASN_ENCODING,
	    &ctx->pCertInfo->SubjectPublicKeyInfo, &pub))
		failed(f, "CryptImportPublicKeyInfo", GetLastError());
	else {
		if (capi_hash(prov, s->alg, &hash, f)) {
			ok = CryptVerifySignatureW(hash, s->p, s->len, pub, NULL,
			    0) ? true : mismatch(f);
			CryptDestroyHash(hash);
		}
		CryptDestroyKey(pub);
	}
	CryptReleaseContext(prov, 0);
	return ok;
}

/* k signs, and its signature is one of ctx's public key. */
static bool
key_signs_for(PCCERT_CONTEXT ctx, const struct key_handle *k, struct fault *f)
{
	enum key_kind kind = cert_kind(ctx);
	struct sig s = { NULL, 0, 0 };
	bool ok;

	if (kind == KIND_OTHER)
		return failed_text(f, "the certificate's public key is neither "
		    "RSA nor ECDSA, the kinds HTTP.sys serves");
	/* CryptoAPI providers hold RSA or DSS keys, never ECDSA ones. */
	if (k->ncrypt == 0 && kind != KIND_RSA)
		return mismatch(f);
	if (k->ncrypt != 0)
		ok = sign_ncrypt(k->ncrypt, kind, &s, f) &&
		    verify_cng(ctx, kind, &s, f);
	else
		ok = sign_capi(k->capi, k->spec, &s, f) &&
		    verify_capi(ctx, &s, f);
	free(s.p);
	return ok;
}

/*
 * What f says, in a string of its own size: "NCryptSignHash: Keyset does
 * not exist (0x80090016)", or the fault's own sentence when no call's
 * error says it.  NULL without memory.
 */
static char *
fault_string(const struct fault *f)
{
	/* win_message() reads at most 256 UTF-16 units: 768 bytes. */
	char text[1024], *out;
	int n;

	if (f->text[0] != '\0') {
		if ((out = malloc(strlen(f->text) + 1)) != NULL)
			strcpy(out, f->text);
		return out;
	}
	win_message(f->error, text, sizeof(text));
	n = snprintf(NULL, 0, "%s: %s%s(0x%08lX)", f->call, text,
	    text[0] != '\0' ? " " : "", (unsigned long)f->error);
	if (n < 0 || (out = malloc((size_t)n + 1)) == NULL)
		return NULL;
	snprintf(out, (size_t)n + 1, "%s: %s%s(0x%08lX)", f->call, text,
	    text[0] != '\0' ? " " : "", (unsigned long)f->error);
	return out;
}

/* Whether ctx's key opens and signs for it; f says why not. */
static bool
check(PCCERT_CONTEXT ctx, struct fault *f)
{
	struct key_handle k;
	bool ok;

	ok = key_open(ctx, CRYPT_ACQUIRE_PREFER_NCRYPT_KEY_FLAG |
	    CRYPT_ACQUIRE_COMPARE_KEY_FLAG, &k, f) &&
	    key_signs_for(ctx, &k, f);
	key_release(&k);
	return ok;
}

bool
key_check_reason(PCCERT_CONTEXT ctx, char **why)
{
	struct fault f = { NULL, 0, "" };

	*why = NULL;
	if (check(ctx, &f))
		return true;
	if (f.call != NULL)               /* a key is named, and failed */
		*why = fault_string(&f);
	return false;
}

/* fault_string() into why, for callers with a buffer of their own. */
static void
fault_text(const struct fault *f, char *why, size_t len)
{
	char *s = fault_string(f);

	snprintf(why, len, "%s", s != NULL ? s : "out of memory");
	free(s);
}

uint32_t
key_acquire(PCCERT_CONTEXT ctx, DWORD how, struct key_handle *k, char *why,
    size_t len)
{
	struct fault f = { NULL, 0, "" };

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
	struct fault f = { NULL, 0, "" };

	return check(ctx, &f);
}

/* The checks of one key_check_many() slice, taken in turn by its threads. */
struct key_batch {
	const PCCERT_CONTEXT *ctx;
	bool *ok;
	char **why;
	volatile LONG next;            /* the next index to take */
	LONG n;
};

/* The most checks in one slice: a LONG counts them. */
#define KEY_BATCH_MAX 0x10000

static DWORD WINAPI
check_keys(void *arg)
{
	struct key_batch *b = arg;
	LONG i;

	while ((i = InterlockedIncrement(&b->next) - 1) < b->n)
		b->ok[i] = key_check_reason(b->ctx[i], &b->why[i]);
	return 0;
}

/*
 * Check b on up to want threads, the calling one among them, and return
 * when every one is done: b is on the caller's stack.  Where CreateThread
 * fails, those already started and the caller share the work.
 */
static void
run_batch(struct key_batch *b, size_t want)
{
	HANDLE threads[KEY_CHECK_THREADS - 1];
	size_t started, i;

	for (started = 0; started + 1 < want; started++)
		if ((threads[started] = CreateThread(NULL, 0, check_keys, b, 0,
		    NULL)) == NULL)
			break;
	check_keys(b);
	/*
	 * A handle from CreateThread has every access, so the wait does not
	 * fail; were it to, returning would leave the thread reading b after
	 * the caller's frame is gone, so it is tried again instead.
	 */
	for (i = 0; i < started; i++) {
		while (WaitForSingleObject(threads[i], INFINITE) != WAIT_OBJECT_0)
			Sleep(100);
		CloseHandle(threads[i]);
	}
}

void
key_check_many(const PCCERT_CONTEXT *ctx, size_t n, bool *ok, char **why)
{
	SYSTEM_INFO si;
	size_t cpus, done, chunk;

	GetSystemInfo(&si);
	cpus = si.dwNumberOfProcessors > 0 ? si.dwNumberOfProcessors : 1;
	if (cpus > KEY_CHECK_THREADS)
		cpus = KEY_CHECK_THREADS;
	for (done = 0; done < n; done += chunk) {
		struct key_batch b;

		chunk = n - done > KEY_BATCH_MAX ? KEY_BATCH_MAX : n - done;
		b.ctx = ctx + done;
		b.ok = ok + done;
		b.why = why + done;
		b.next = 0;
		b.n = (LONG)chunk;
		run_batch(&b, cpus < chunk ? cpus : chunk);
	}
}
