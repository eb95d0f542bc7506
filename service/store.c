/*
 * store.c - crypt32 adapter: a system store's certificates as struct cert.
 *
 * Everything the matcher needs is read here once per reconcile: the
 * thumbprint, subject and CN, SAN dNSNames, validity, EKU, and the chain,
 * the last only for the certificates core/examine.c says the policy needs
 * it for.  Whether a private key opens is asked later, by the plan, for
 * the certificates that would win (store_key_probe), so the contexts are
 * kept open until the plan is made.  Decisions are made in core/, not
 * here.
 */
#include <windows.h>
#include <wincrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/der.h"
#include "../core/examine.h"
#include "../core/index.h"
#include "keyprobe.h"
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

/*
 * A DN as text, sized from the length CertNameToStrW returns (which
 * counts the terminating NUL), so that nothing is cut at a fixed size and
 * a NUL inside a value shows as \x00.
 */
static char *
name_text(const CERT_NAME_BLOB *name)
{
	wchar_t *buf;
	DWORD n;
	char *out;

	n = CertNameToStrW(X509_ASN_ENCODING, (CERT_NAME_BLOB *)name,
	    CERT_X500_NAME_STR, NULL, 0);
	if (n <= 1)
		return text_from_wide(L"", 0);    /* an empty name */
	if ((buf = malloc(n * sizeof(wchar_t))) == NULL)
		return NULL;
	n = CertNameToStrW(X509_ASN_ENCODING, (CERT_NAME_BLOB *)name,
	    CERT_X500_NAME_STR, buf, n);
	out = n >= 1 ? text_from_wide(buf, n - 1) : NULL;
	free(buf);
	return out;
}

/*
 * The subject CN, read from the encoded name with its length: the
 * CertGetNameString result is NUL-terminated, so a CN holding a NUL would
 * come back cut short.  -1 when the name does not decode.
 */
static int
common_name(PCCERT_CONTEXT ctx, char **cn)
{
	const CERT_NAME_BLOB *name = &ctx->pCertInfo->Subject;
	struct der_string s;
	int rc;

	*cn = NULL;
	rc = der_name_cn(name->pbData, name->cbData, &s);
	if (rc <= 0)
		return rc;
	*cn = der_string_text(&s);
	return *cn != NULL ? 0 : -1;
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
add_dns_name(const struct der_string *name, void *arg)
{
	struct cert *c = arg;
	char **dns, *text;

	dns = realloc(c->dns, (c->ndns + 1) * sizeof(*dns));
	if (dns == NULL)
		return -1;
	c->dns = dns;
	if ((text = der_string_text(name)) == NULL)
		return -1;
	c->dns[c->ndns++] = text;
	return 0;
}

/*
 * SAN dNSNames, read from the extension's encoding with their lengths:
 * CryptDecodeObjectEx gives each as a NUL-terminated pwszDNSName, which
 * loses everything after a NUL inside the name.
 */
static int
read_dns_names(PCCERT_CONTEXT ctx, struct cert *c, BOOL *bad)
{
	PCERT_EXTENSION ext;

	ext = CertFindExtension(szOID_SUBJECT_ALT_NAME2,
	    ctx->pCertInfo->cExtension, ctx->pCertInfo->rgExtension);
	if (ext == NULL)
		return 0;
	if (der_san_dns(ext->Value.pbData, ext->Value.cbData, add_dns_name,
	    c) < 0) {
		*bad = TRUE;
		return -1;
	}
	return 0;
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
			c->template_name = text_from_wide(info->pwszName,
			    wcslen(info->pwszName));
		LocalFree(v2);
	}
	v1 = decode_extension(ctx, szOID_ENROLL_CERTTYPE_EXTENSION,
	    X509_UNICODE_ANY_STRING, bad);
	if (v1 != NULL) {
		/* A counted UTF-16 string: cbData bytes, no NUL needed. */
		if (c->template_name == NULL)
			c->template_name = text_from_wide(
			    (const wchar_t *)v1->Value.pbData,
			    v1->Value.cbData / sizeof(wchar_t));
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

/* ctx's thumbprint; false when it cannot be read. */
static bool
read_thumb(PCCERT_CONTEXT ctx, uint8_t thumb[THUMB_LEN])
{
	DWORD size = THUMB_LEN;

	return CertGetCertificateContextProperty(ctx, CERT_SHA1_HASH_PROP_ID,
	    thumb, &size) && size == THUMB_LEN;
}

/*
 * The certificates above ctx in the chain Windows builds from the
 * machine's stores (HCCE_LOCAL_MACHINE: Root, CA, My, ...), for
 * match.issuer_thumbprints.  Revocation is not checked (no
 * CERT_CHAIN_REVOCATION_* flag), and the chain is what the machine holds:
 * CERT_CHAIN_DISABLE_AIA alone stops only the fetching of missing CA
 * certificates from a certificate's AIA URLs, so URL retrieval is also
 * held to the cache (CERT_CHAIN_CACHE_ONLY_URL_RETRIEVAL) and the
 * automatic update of trusted roots from Windows Update is switched off
 * (CERT_CHAIN_DISABLE_AUTH_ROOT_AUTO_UPDATE): a reconcile never waits on
 * the network, and a root the machine does not hold is not added to it
 * behind the operator's back.  (Wine fetches nothing either way.)  The walk
 * stops below the first certificate whose signature does not verify, since
 * a CA above a broken link vouches for nothing under it.  No chain leaves
 * the list empty, which no issuer_thumbprints entry matches.
 */
static int
read_issuers(PCCERT_CONTEXT ctx, struct cert *c)
{
	CERT_CHAIN_PARA para;
	PCCERT_CHAIN_CONTEXT chain = NULL;
	PCERT_SIMPLE_CHAIN simple;
	DWORD i;

	memset(&para, 0, sizeof(para));
	para.cbSize = sizeof(para);
	if (!CertGetCertificateChain(HCCE_LOCAL_MACHINE, ctx, NULL, NULL, &para,
	    CERT_CHAIN_DISABLE_AIA | CERT_CHAIN_CACHE_ONLY_URL_RETRIEVAL |
	    CERT_CHAIN_DISABLE_AUTH_ROOT_AUTO_UPDATE, NULL, &chain))
		return 0;
	if (chain->cChain == 0 || chain->rgpChain[0]->cElement < 2) {
		CertFreeCertificateChain(chain);
		return 0;
	}
	simple = chain->rgpChain[0];
	c->issuers = calloc(simple->cElement - 1, sizeof(*c->issuers));
	for (i = 1; c->issuers != NULL && i < simple->cElement; i++) {
		if (simple->rgpElement[i - 1]->TrustStatus.dwErrorStatus &
		    CERT_TRUST_IS_NOT_SIGNATURE_VALID)
			break;
		if (!read_thumb(simple->rgpElement[i]->pCertContext,
		    c->issuers[c->nissuers]))
			break;
		c->nissuers++;
	}
	CertFreeCertificateChain(chain);
	return c->issuers != NULL ? 0 : -1;
}

/*
 * The serial number is not a positive integer.  RFC 5280 (4.1.2.2) says
 * it MUST be; crypt32 keeps it as a CRYPT_INTEGER_BLOB, little-endian,
 * as the DER INTEGER's two's complement, so its sign is the top bit of
 * the last byte.  Some TLS clients refuse such a certificate, so a site
 * bound to it would fail for them.
 */
static bool
serial_not_positive(const CRYPT_INTEGER_BLOB *serial)
{
	DWORD i;

	if (serial->cbData == 0 ||
	    (serial->pbData[serial->cbData - 1] & 0x80) != 0)
		return true;
	for (i = 0; i < serial->cbData; i++)
		if (serial->pbData[i] != 0)
			return false;
	return true;                    /* zero */
}

static const char DECODE_FAILED[] = "its names or extensions cannot be "
    "decoded";

/*
 * Fill c from ctx; NULL, or why the certificate is passed over: it
 * cannot be read faithfully, or it is one no client should be served.
 */
static const char *
read_cert(PCCERT_CONTEXT ctx, struct cert *c)
{
	BOOL bad = FALSE;

	memset(c, 0, sizeof(*c));
	if (!read_thumb(ctx, c->thumb))
		return "its thumbprint cannot be read";
	if (serial_not_positive(&ctx->pCertInfo->SerialNumber))
		return "its serial number is not a positive integer "
		    "(RFC 5280), which some TLS clients refuse";
	c->subject = name_text(&ctx->pCertInfo->Subject);
	c->issuer = name_text(&ctx->pCertInfo->Issuer);
	if (common_name(ctx, &c->cn) != 0)
		return DECODE_FAILED;
	c->not_before = unix_time(&ctx->pCertInfo->NotBefore);
	c->not_after = unix_time(&ctx->pCertInfo->NotAfter);
	if (read_dns_names(ctx, c, &bad) != 0)
		return DECODE_FAILED;
	read_eku(ctx, c, &bad);
	read_template(ctx, c, &bad);
	if (bad)
		return DECODE_FAILED;
	read_renewal(ctx, c);
	c->archived = is_archived(ctx);
	return NULL;
}

/*
 * The costly facts, for the certificates that need them (core/examine.c):
 * whether the private key opens, and the chain.  Each is a provider or
 * chain-engine call per certificate (and Wine's chain engine looks for
 * every issuer through all the machine's stores), so on a large store
 * reading them for all certificates was most of a reconcile.  A
 * certificate not examined keeps has_key false and no issuers, which no
 * binding's choice then depends on.  With lazy_key, the key of one that
 * is examined is left unknown, for the plan to ask about in rank order.
 */
static int
examine_cert(PCCERT_CONTEXT ctx, struct cert *c, unsigned needs,
    bool lazy_key)
{
	if ((needs & EXAMINE_ISSUERS) && read_issuers(ctx, c) != 0)
		return -1;
	/* Otherwise examine_keys() opens it, with the others. */
	if ((needs & EXAMINE_KEY) && lazy_key)
		c->key_unknown = true;
	return 0;
}

/*
 * Whether the keys that needs asks for open and sign, all of them side by
 * side (keyprobe.h, key_check_many); when a key is named but fails, why
 * (plan --explain and certs show it as key-unusable: ...).
 */
static int
examine_keys(struct inventory *inv, size_t first, PCCERT_CONTEXT *ctxs,
    const unsigned char *needs)
{
	size_t n = inv->n - first, cap = n ? n : 1, m = 0, i;
	PCCERT_CONTEXT *todo = calloc(cap, sizeof(*todo));
	size_t *at = calloc(cap, sizeof(*at));
	bool *ok = calloc(cap, sizeof(*ok));
	char **why = calloc(cap, sizeof(*why));
	int rc = -1;

	if (todo == NULL || at == NULL || ok == NULL || why == NULL)
		goto done;
	for (i = 0; i < n; i++)
		if (needs[i] & EXAMINE_KEY) {
			todo[m] = ctxs[i];
			at[m++] = first + i;
		}
	key_check_many(todo, m, ok, why);
	for (i = 0; i < m; i++) {
		inv->certs[at[i]].has_key = ok[i];
		inv->certs[at[i]].key_error = why[i];
	}
	rc = 0;
done:
	free(todo);
	free(at);
	free(ok);
	free(why);
	return rc;
}

/* Which certificates from first on need examining, for p (NULL: all). */
static int
needs_for(const struct policy *p, const struct inventory *inv, size_t first,
    unsigned char **needs)
{
	struct cert_index ix;
	unsigned char *all;

	if ((all = malloc(inv->n ? inv->n : 1)) == NULL)
		return -1;
	if (p == NULL)
		memset(all, EXAMINE_KEY | EXAMINE_ISSUERS, inv->n);
	else {
		if (index_build(&ix, inv) != 0) {
			free(all);
			return -1;
		}
		examine_needs(p, &ix, all);
		index_free(&ix);
	}
	memmove(all, all + first, inv->n - first);
	*needs = all;
	return 0;
}

/* Examine the certificates added from first on; ctxs holds theirs. */
static int
examine_added(const struct policy *p, struct inventory *inv, size_t first,
    PCCERT_CONTEXT *ctxs)
{
	unsigned char *needs;
	size_t i;
	int rc = 0;

	if (needs_for(p, inv, first, &needs) != 0)
		return -1;
	for (i = first; i < inv->n && rc == 0; i++)
		rc = examine_cert(ctxs[i - first], &inv->certs[i],
		    needs[i - first], p != NULL);
	if (rc == 0 && p == NULL)
		rc = examine_keys(inv, first, ctxs, needs);
	free(needs);
	return rc;
}

static int
keep_context(struct store_certs *k, PCCERT_CONTEXT ctx)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 64;
		PCCERT_CONTEXT *v = realloc(k->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n++] = CertDuplicateCertificateContext(ctx);
	return 0;
}

void
store_certs_free(struct store_certs *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		CertFreeCertificateContext(k->v[i]);
	free(k->v);
	k->v = NULL;
	k->n = k->cap = 0;
}

/*
 * Where the key of ctx lives, from CERT_KEY_PROV_INFO_PROP_ID, flattened
 * to bytes that compare equal when it is the same key (the property's
 * own bytes hold pointers): provider type, flags, key spec, container
 * and provider names.  NULL with *len 0 when the certificate has no such
 * link; NULL with *len 1 when it cannot be read.
 */
static unsigned char *
key_where(PCCERT_CONTEXT ctx, size_t *len)
{
	CRYPT_KEY_PROV_INFO *info;
	DWORD size = 0, head[3];
	size_t nc, np;
	unsigned char *out = NULL;

	*len = 0;
	if (!CertGetCertificateContextProperty(ctx, CERT_KEY_PROV_INFO_PROP_ID,
	    NULL, &size))
		return NULL;
	*len = 1;
	if ((info = malloc(size)) == NULL)
		return NULL;
	if (CertGetCertificateContextProperty(ctx, CERT_KEY_PROV_INFO_PROP_ID,
	    info, &size)) {
		nc = info->pwszContainerName ? wcslen(info->pwszContainerName) +
		    1 : 0;
		np = info->pwszProvName ? wcslen(info->pwszProvName) + 1 : 0;
		head[0] = info->dwProvType;
		head[1] = info->dwFlags;
		head[2] = info->dwKeySpec;
		if ((out = malloc(sizeof(head) + (nc + np) *
		    sizeof(wchar_t))) != NULL) {
			memcpy(out, head, sizeof(head));
			memcpy(out + sizeof(head), info->pwszContainerName,
			    nc * sizeof(wchar_t));
			memcpy(out + sizeof(head) + nc * sizeof(wchar_t),
			    info->pwszProvName, np * sizeof(wchar_t));
			*len = sizeof(head) + (nc + np) * sizeof(wchar_t);
		}
	}
	free(info);
	return out;
}

/*
 * ctx's thumbprint and where its key lives, the memo's key; false when
 * they cannot be read (the key is then checked and not remembered).
 */
static bool
memo_entry(PCCERT_CONTEXT ctx, uint8_t thumb[THUMB_LEN],
    unsigned char **where, size_t *len)
{
	*where = key_where(ctx, len);
	if ((*where == NULL && *len != 0) || !read_thumb(ctx, thumb)) {
		free(*where);
		*where = NULL;
		return false;
	}
	return true;
}

bool
store_key_probe(size_t cert, void *arg, char **why)
{
	struct store_certs *k = arg;
	PCCERT_CONTEXT ctx = k->v[cert];
	uint8_t thumb[THUMB_LEN];
	unsigned char *where;
	size_t len;
	bool ok;

	if (k->memo == NULL || !memo_entry(ctx, thumb, &where, &len))
		return key_check_reason(ctx, why);
	*why = NULL;
	ok = keymemo_opens(k->memo, thumb, where, len) ||
	    key_check_reason(ctx, why);
	/* Remembering is only a saving: out of memory, it is asked again. */
	if (ok)
		(void)keymemo_add(k->memo, thumb, where, len);
	free(where);
	return ok;
}

/* The memo of k says ctx's key opened. */
static bool
remembered(const struct store_certs *k, PCCERT_CONTEXT ctx)
{
	uint8_t thumb[THUMB_LEN];
	unsigned char *where;
	size_t len;
	bool ok;

	if (k->memo == NULL || !memo_entry(ctx, thumb, &where, &len))
		return false;
	ok = keymemo_opens(k->memo, thumb, where, len);
	free(where);
	return ok;
}

/* Remember that ctx's key opened; out of memory, it is asked again. */
static void
remember(struct store_certs *k, PCCERT_CONTEXT ctx)
{
	uint8_t thumb[THUMB_LEN];
	unsigned char *where;
	size_t len;

	if (k->memo == NULL || !memo_entry(ctx, thumb, &where, &len))
		return;
	(void)keymemo_add(k->memo, thumb, where, len);
	free(where);
}

/*
 * Whether a certificate of this thumbprint is in the batch already (the
 * same one in My and in WebHosting): it is then left for after the
 * batch, where the memo answers it as it would one key at a time, and
 * one key is not opened from two threads at once.
 */
static bool
batched_already(const uint8_t (*thumbs)[THUMB_LEN], size_t m,
    const uint8_t thumb[THUMB_LEN])
{
	size_t i;

	for (i = 0; i < m; i++)
		if (memcmp(thumbs[i], thumb, THUMB_LEN) == 0)
			return true;
	return false;
}

void
store_key_batch(const size_t *certs, size_t n, void *arg, bool *opens,
    char **why)
{
	struct store_certs *k = arg;
	size_t cap = n ? n : 1, j, m = 0, nlater = 0;
	PCCERT_CONTEXT *todo = calloc(cap, sizeof(*todo));
	uint8_t (*thumbs)[THUMB_LEN] = calloc(cap, sizeof(*thumbs));
	size_t *at = calloc(cap, sizeof(*at)), *later = calloc(cap,
	    sizeof(*later));
	bool *ok = calloc(cap, sizeof(*ok));
	char **whys = calloc(cap, sizeof(*whys));
	uint8_t thumb[THUMB_LEN];

	if (todo == NULL || thumbs == NULL || at == NULL || later == NULL ||
	    ok == NULL || whys == NULL) {
		for (j = 0; j < n; j++)
			opens[j] = store_key_probe(certs[j], arg, &why[j]);
		goto done;
	}
	for (j = 0; j < n; j++) {
		PCCERT_CONTEXT ctx = k->v[certs[j]];

		if ((opens[j] = remembered(k, ctx)))
			continue;
		/* A twin, or one whose thumbprint cannot be read, waits. */
		if (!read_thumb(ctx, thumb) || batched_already(
		    (const uint8_t (*)[THUMB_LEN])thumbs, m, thumb)) {
			later[nlater++] = j;
			continue;
		}
		memcpy(thumbs[m], thumb, THUMB_LEN);
		todo[m] = ctx;
		at[m++] = j;
	}
	key_check_many(todo, m, ok, whys);
	for (j = 0; j < m; j++) {
		opens[at[j]] = ok[j];
		why[at[j]] = whys[j];
		if (ok[j])
			remember(k, todo[j]);
	}
	for (j = 0; j < nlater; j++)
		opens[later[j]] = store_key_probe(certs[later[j]], arg,
		    &why[later[j]]);
done:
	free(todo);
	free(thumbs);
	free(at);
	free(later);
	free(ok);
	free(whys);
}

int
store_load(enum cert_store which, struct inventory *inv,
    struct store_certs *kept, const struct policy *examine_for,
    store_warn_fn warn, char *err, size_t errlen)
{
	const wchar_t *name = which == STORE_WEBHOSTING ? L"WebHosting" : L"MY";
	HCERTSTORE store;
	PCCERT_CONTEXT ctx = NULL;
	size_t first = inv->n;
	struct cert c;
	char msg[256], hex[THUMB_HEX];
	const char *skip;
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
		if ((skip = read_cert(ctx, &c)) != NULL) {
			snprintf(msg, sizeof(msg), "certificate %s in "
			    "LocalMachine\\%ls skipped: %s",
			    thumb_format(c.thumb, hex), name, skip);
			if (warn != NULL)
				warn(msg);
		} else {
			c.store = which;
			rc = keep_context(kept, ctx);
			if (rc == 0)
				rc = inventory_add(inv, &c);
			if (rc != 0)
				snprintf(err, errlen, "out of memory reading the "
				    "store");
		}
		cert_clear(&c);
		if (rc != 0) {
			CertFreeCertificateContext(ctx);
			break;
		}
	}
	if (rc == 0 && examine_added(examine_for, inv, first,
	    kept->v + first) != 0) {
		snprintf(err, errlen, "out of memory reading the store");
		rc = -1;
	}
	/* The contexts kept hold the certificates open after the store is
	 * closed (CertCloseStore without CERT_CLOSE_STORE_FORCE_FLAG). */
	CertCloseStore(store, 0);
	return rc;
}

uint32_t
store_find(enum cert_store which, const uint8_t thumb[THUMB_LEN],
    PCCERT_CONTEXT *out)
{
	const wchar_t *name = which == STORE_WEBHOSTING ? L"WebHosting" : L"MY";
	CRYPT_HASH_BLOB hash = { THUMB_LEN, (BYTE *)thumb };
	HCERTSTORE store;
	DWORD e = 0;

	*out = NULL;
	store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
	    CERT_SYSTEM_STORE_LOCAL_MACHINE | CERT_STORE_READONLY_FLAG |
	    CERT_STORE_OPEN_EXISTING_FLAG | CERT_STORE_ENUM_ARCHIVED_FLAG, name);
	if (store == NULL)
		return GetLastError();
	*out = CertFindCertificateInStore(store, X509_ASN_ENCODING, 0,
	    CERT_FIND_SHA1_HASH, &hash, NULL);
	if (*out == NULL)
		e = GetLastError();
	CertCloseStore(store, 0);
	return e;
}

bool
store_holds(enum cert_store which, const uint8_t thumb[THUMB_LEN])
{
	PCCERT_CONTEXT ctx;
	uint32_t e = store_find(which, thumb, &ctx);

	if (ctx != NULL)
		CertFreeCertificateContext(ctx);
	if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND)
		return false;
	return e != (uint32_t)CRYPT_E_NOT_FOUND;
}
