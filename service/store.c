/*
 * store.c - crypt32 adapter: a system store's certificates as struct cert.
 *
 * Everything the matcher needs is read here once per reconcile: the
 * thumbprint, subject and CN, SAN dNSNames, validity, EKU, and whether a
 * usable private key is present.  Decisions are made in core/, not here.
 */
#include <windows.h>
#include <wincrypt.h>
#include <ncrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "winerr.h"
#include "wstr.h"

/* FILETIME (100 ns since 1601) to seconds since 1970. */
static int64_t
unix_time(const FILETIME *ft)
{
	int64_t t = (int64_t)(((uint64_t)ft->dwHighDateTime << 32) |
	    ft->dwLowDateTime);

	return (t - INT64_C(116444736000000000)) / 10000000;
}

static char *
name_text(const CERT_NAME_BLOB *name)
{
	wchar_t buf[1024];

	CertNameToStrW(X509_ASN_ENCODING, (CERT_NAME_BLOB *)name,
	    CERT_X500_NAME_STR, buf, 1024);
	return utf8_from_wide(buf);
}

static char *
common_name(PCCERT_CONTEXT ctx)
{
	wchar_t buf[512];
	DWORD n;

	n = CertGetNameStringW(ctx, CERT_NAME_ATTR_TYPE, 0,
	    (void *)szOID_COMMON_NAME, buf, 512);
	if (n <= 1)
		return NULL;
	return utf8_from_wide(buf);
}

/* Decode one extension; NULL when absent. *bad is set if it won't decode. */
static void *
decode_extension(PCCERT_CONTEXT ctx, const char *oid, LPCSTR type,
    BOOL *bad)
{
	PCERT_EXTENSION ext;
	void *info = NULL;
	DWORD size = 0;

	ext = CertFindExtension(oid, ctx->pCertInfo->cExtension,
	    ctx->pCertInfo->rgExtension);
	if (ext == NULL)
		return NULL;
	if (!CryptDecodeObjectEx(X509_ASN_ENCODING, type, ext->Value.pbData,
	    ext->Value.cbData, CRYPT_DECODE_ALLOC_FLAG, NULL, &info, &size)) {
		*bad = TRUE;
		return NULL;
	}
	return info;
}

static int
read_dns_names(PCCERT_CONTEXT ctx, struct cert *c, BOOL *bad)
{
	CERT_ALT_NAME_INFO *san;
	DWORD i;

	san = decode_extension(ctx, szOID_SUBJECT_ALT_NAME2,
	    X509_ALTERNATE_NAME, bad);
	if (san == NULL)
		return *bad ? -1 : 0;
	c->dns = calloc(san->cAltEntry ? san->cAltEntry : 1, sizeof(char *));
	for (i = 0; c->dns != NULL && i < san->cAltEntry; i++) {
		if (san->rgAltEntry[i].dwAltNameChoice != CERT_ALT_NAME_DNS_NAME)
			continue;
		c->dns[c->ndns] = utf8_from_wide(san->rgAltEntry[i].pwszDNSName);
		if (c->dns[c->ndns] != NULL)
			c->ndns++;
	}
	LocalFree(san);
	return c->dns != NULL ? 0 : -1;
}

static void
read_eku(PCCERT_CONTEXT ctx, struct cert *c, BOOL *bad)
{
	CERT_ENHKEY_USAGE *eku;
	DWORD i;

	eku = decode_extension(ctx, szOID_ENHANCED_KEY_USAGE,
	    X509_ENHANCED_KEY_USAGE, bad);
	if (eku == NULL)
		return;
	c->has_eku = true;
	for (i = 0; i < eku->cUsageIdentifier; i++) {
		const char *oid = eku->rgpszUsageIdentifier[i];

		if (strcmp(oid, szOID_PKIX_KP_SERVER_AUTH) == 0)
			c->eku |= EKU_SERVER_AUTH;
		else if (strcmp(oid, szOID_PKIX_KP_CLIENT_AUTH) == 0)
			c->eku |= EKU_CLIENT_AUTH;
		else if (strcmp(oid, "2.5.29.37.0") == 0)
			c->eku |= EKU_ANY;
		else
			c->eku |= EKU_OTHER;
	}
	LocalFree(eku);
}

/*
 * The certificate template: a V2 template extension names it by OID (and
 * the OID registry may know its name); a V1 extension carries the name.
 */
static void
read_template(PCCERT_CONTEXT ctx, struct cert *c, BOOL *bad)
{
	CERT_TEMPLATE_EXT *v2;
	CERT_NAME_VALUE *v1;

	v2 = decode_extension(ctx, szOID_CERTIFICATE_TEMPLATE,
	    X509_CERTIFICATE_TEMPLATE, bad);
	if (v2 != NULL) {
		PCCRYPT_OID_INFO info;

		c->template_oid = _strdup(v2->pszObjId);
		info = CryptFindOIDInfo(CRYPT_OID_INFO_OID_KEY, v2->pszObjId,
		    CRYPT_TEMPLATE_OID_GROUP_ID);
		if (info != NULL && info->pwszName != NULL)
			c->template_name = utf8_from_wide(info->pwszName);
		LocalFree(v2);
	}
	v1 = decode_extension(ctx, szOID_ENROLL_CERTTYPE_EXTENSION,
	    X509_UNICODE_ANY_STRING, bad);
	if (v1 != NULL) {
		if (c->template_name == NULL)
			c->template_name = utf8_from_wide(
			    (const wchar_t *)v1->Value.pbData);
		LocalFree(v1);
	}
}

/* CERT_RENEWAL_PROP_ID: the SHA-1 hash of the certificate that renewed it. */
static void
read_renewal(PCCERT_CONTEXT ctx, struct cert *c)
{
	DWORD size = THUMB_LEN;

	c->has_renewal = CertGetCertificateContextProperty(ctx,
	    CERT_RENEWAL_PROP_ID, c->renewal, &size) && size == THUMB_LEN;
}

/*
 * Windows archives a certificate that certreq or autoenrollment renewed.
 * Wine 8 refuses to set CERT_ARCHIVED_PROP_ID, so the Wine tests cannot
 * make one; the unit tests cover what an archived certificate means.
 */
static bool
is_archived(PCCERT_CONTEXT ctx)
{
	DWORD size = 0;

	return CertGetCertificateContextProperty(ctx, CERT_ARCHIVED_PROP_ID,
	    NULL, &size) != 0;
}

/*
 * Open the key named by CERT_KEY_PROV_INFO_PROP_ID ourselves.
 * Wine 8's CryptAcquireCertificatePrivateKey drops CRYPT_MACHINE_KEYSET
 * and so fails for every LocalMachine key; on Windows the first call in
 * has_private_key() already answers and this path is not reached for a
 * good key.
 */
static bool
open_key_from_prov_info(PCCERT_CONTEXT ctx)
{
	CRYPT_KEY_PROV_INFO *info;
	DWORD size = 0;
	bool ok = false;

	if (!CertGetCertificateContextProperty(ctx, CERT_KEY_PROV_INFO_PROP_ID,
	    NULL, &size) || (info = malloc(size)) == NULL)
		return false;
	if (!CertGetCertificateContextProperty(ctx, CERT_KEY_PROV_INFO_PROP_ID,
	    info, &size)) {
		free(info);
		return false;
	}
	if (info->dwProvType == 0) {
		NCRYPT_PROV_HANDLE prov;
		NCRYPT_KEY_HANDLE key;

		if (NCryptOpenStorageProvider(&prov, info->pwszProvName, 0) ==
		    ERROR_SUCCESS) {
			if (NCryptOpenKey(prov, &key, info->pwszContainerName,
			    info->dwKeySpec, (info->dwFlags & NCRYPT_MACHINE_KEY_FLAG) |
			    NCRYPT_SILENT_FLAG) == ERROR_SUCCESS) {
				NCryptFreeObject(key);
				ok = true;
			}
			NCryptFreeObject(prov);
		}
	} else {
		HCRYPTPROV prov;
		HCRYPTKEY key;

		if (CryptAcquireContextW(&prov, info->pwszContainerName,
		    info->pwszProvName, info->dwProvType,
		    (info->dwFlags & CRYPT_MACHINE_KEYSET) | CRYPT_SILENT)) {
			if (CryptGetUserKey(prov, info->dwKeySpec, &key)) {
				CryptDestroyKey(key);
				ok = true;
			}
			CryptReleaseContext(prov, 0);
		}
	}
	free(info);
	return ok;
}

static bool
has_private_key(PCCERT_CONTEXT ctx)
{
	HCRYPTPROV_OR_NCRYPT_KEY_HANDLE key;
	DWORD spec = 0;
	BOOL must_free = FALSE;

	if (CryptAcquireCertificatePrivateKey(ctx, CRYPT_ACQUIRE_SILENT_FLAG |
	    CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG, NULL, &key, &spec,
	    &must_free)) {
		if (must_free && spec == CERT_NCRYPT_KEY_SPEC)
			NCryptFreeObject(key);
		else if (must_free)
			CryptReleaseContext(key, 0);
		return true;
	}
	return open_key_from_prov_info(ctx);
}

/* Fill c from ctx; -1 when the certificate cannot be read faithfully. */
static int
read_cert(PCCERT_CONTEXT ctx, struct cert *c)
{
	DWORD size = THUMB_LEN;
	BOOL bad = FALSE;

	memset(c, 0, sizeof(*c));
	if (!CertGetCertificateContextProperty(ctx, CERT_SHA1_HASH_PROP_ID,
	    c->thumb, &size) || size != THUMB_LEN)
		return -1;
	c->subject = name_text(&ctx->pCertInfo->Subject);
	c->issuer = name_text(&ctx->pCertInfo->Issuer);
	c->cn = common_name(ctx);
	c->not_before = unix_time(&ctx->pCertInfo->NotBefore);
	c->not_after = unix_time(&ctx->pCertInfo->NotAfter);
	if (read_dns_names(ctx, c, &bad) != 0)
		return -1;
	read_eku(ctx, c, &bad);
	read_template(ctx, c, &bad);
	if (bad)
		return -1;
	read_renewal(ctx, c);
	c->archived = is_archived(ctx);
	c->has_key = has_private_key(ctx);
	return 0;
}

int
store_load(enum cert_store which, struct inventory *inv, store_warn_fn warn,
    char *err, size_t errlen)
{
	const wchar_t *name = which == STORE_WEBHOSTING ? L"WebHosting" : L"MY";
	HCERTSTORE store;
	PCCERT_CONTEXT ctx = NULL;
	struct cert c;
	char msg[256], hex[THUMB_HEX];
	int rc = 0;

	/*
	 * Archived certificates are listed too: a renewed certificate is
	 * archived, and the plan wants to say so rather than not see it.  A
	 * store that does not exist is empty: WebHosting exists only where
	 * IIS created it, and in a new Wine prefix even My appears only with
	 * its first certificate.
	 */
	store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
	    CERT_SYSTEM_STORE_LOCAL_MACHINE | CERT_STORE_READONLY_FLAG |
	    CERT_STORE_OPEN_EXISTING_FLAG | CERT_STORE_ENUM_ARCHIVED_FLAG, name);
	if (store == NULL) {
		DWORD e = GetLastError();
		char why[256];

		if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND)
			return 0;
		snprintf(err, errlen, "cannot open certificate store "
		    "LocalMachine\\%ls: %s", name,
		    win_strerror(e, why, sizeof(why)));
		return -1;
	}
	while ((ctx = CertEnumCertificatesInStore(store, ctx)) != NULL) {
		if (read_cert(ctx, &c) != 0) {
			snprintf(msg, sizeof(msg), "certificate %s in "
			    "LocalMachine\\%ls skipped: its extensions cannot be "
			    "decoded", thumb_format(c.thumb, hex), name);
			if (warn != NULL)
				warn(msg);
		} else {
			c.store = which;
			if (inventory_add(inv, &c) != 0) {
				snprintf(err, errlen, "out of memory reading the "
				    "store");
				rc = -1;
			}
		}
		cert_clear(&c);
		if (rc != 0) {
			CertFreeCertificateContext(ctx);
			break;
		}
	}
	CertCloseStore(store, 0);
	return rc;
}
