/*
 * certmk.c - put test certificates into LocalMachine\My (or WebHosting).
 *
 *   certmk [--store NAME] add --cn NAME [--dns NAME]... [--not-before DAYS]
 *              [--not-after DAYS] [--eku server|client|any|none] [--no-key]
 *              [--template NAME] [--count N] [--raw-cn TEXT]
 *              [--raw-dns TEXT] [--ca] [--issuer THUMBPRINT]
 *              [--forge-issuer THUMBPRINT] [--lose-key] [--many-dns N]
 *              [--raw-ext OID:HEX] [--serial HEX] [--key-of THUMBPRINT]
 *       Creates a self-signed certificate valid from now+not-before to
 *       now+not-after days (defaults -1 and 30), with the given SAN
 *       dNSNames and EKU (default server; none leaves the extension out),
 *       and prints its thumbprint.  Each key gets its own machine key
 *       container: Wine's PFX import puts every key in one shared container,
 *       so a second import would overwrite the first key.  --no-key stores
 *       the certificate alone and deletes the key.  --template adds a
 *       V1 certificate template extension with that name.  --count adds
 *       N such certificates in one go, sharing one key, as a burst of
 *       store writes.  --raw-cn (in place of --cn) and --raw-dns take
 *       ASCII with C escapes (\0, \xHH, \\) and encode the subject CN or
 *       a SAN dNSName themselves, byte for byte, so that a name can hold a
 *       NUL: good.example.test\0.evil.test.  --ca marks the certificate
 *       a CA (basicConstraints cA).  --issuer has the certificate issued
 *       (signed) by that certificate of LocalMachine\My, with its key,
 *       instead of self-signed.  --forge-issuer names that CA as the
 *       issuer (its subject, byte for byte) but signs with the new
 *       certificate's own key: an impostor whose issuer DN is the real
 *       CA's and whose signature no CA key made.
 *       For hostile certificates (tests/stress/part_hostile.sh):
 *       --lose-key stores the certificate naming its key container, then
 *       deletes the container (the key is gone, the link stays);
 *       --many-dns N gives it N dNSNames n1.many.example.test ...;
 *       --raw-ext OID:HEX adds an extension whose value is those bytes,
 *       as they are (a malformed one, say); --serial HEX sets the serial
 *       number's DER content bytes (80... is negative) and signs the
 *       certificate itself rather than through CertCreateSelfSignCertificate,
 *       which also keeps a NotAfter before NotBefore as given.
 *       --key-of THUMBPRINT links the certificate to that certificate's
 *       key (its CERT_KEY_PROV_INFO_PROP_ID) and deletes its own: a key
 *       that opens and signs but is not the certificate's.  The two
 *       then share one container, which `del` of either deletes.
 *   certmk renew OLD NEW      mark OLD renewed by NEW (CERT_RENEWAL_PROP_ID)
 *   certmk del THUMBPRINT     remove one certificate and its key
 *   certmk unlist THUMBPRINT  remove one certificate, leaving its key
 *   certmk clear [STORE...]   remove every certificate and key in the store,
 *                             or in each STORE named (one process for all:
 *                             a Wine start-up costs more than the work)
 *   certmk list               thumbprint and subject of each certificate
 *   certmk export THUMBPRINT PREFIX
 *       Writes the certificate to PREFIX.der and its private key, as a
 *       CryptoAPI PRIVATEKEYBLOB, to PREFIX.blob (openssl reads it with
 *       -inform MSBLOB), so that a test's TLS server can present it.
 *   certmk break-key THUMBPRINT
 *       Deletes the certificate's key container and keeps the certificate
 *       with its key property: a key that is named but does not open, as
 *       after an import for another account.
 *
 * Under Wine a delete or property change in a registry-backed system store
 * is saved only on CertControlStore(CERT_STORE_CTRL_COMMIT), so every
 * change here ends with one.
 */
#include <windows.h>
#include <wincrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define MAX_DNS 16
#define MAX_EXT 8
#define RAW_MAX 8192              /* a raw name's bytes */

struct options {
	const wchar_t *cn;
	const wchar_t *raw_cn;
	const wchar_t *raw_dns;
	const wchar_t *dns[MAX_DNS];
	int ndns;
	long not_before, not_after;   /* days from now */
	const wchar_t *eku;
	const wchar_t *template_name;
	const wchar_t *issuer;        /* thumbprint of the issuing CA */
	int forge;                    /* name the issuer, sign with own key */
	int ca;
	int no_key;
	long count;                   /* certificates to add, one per line */
	long first;                   /* the first number "{n}" becomes */
	int direct;                   /* write the registry key itself */
	int stamp;                    /* print the write's time too */
	int lose_key;                 /* delete the key, keep the link */
	long many_dns;                /* N generated dNSNames */
	const wchar_t *raw_ext;       /* OID:HEX */
	const wchar_t *serial;        /* HEX, big-endian as in DER */
	const wchar_t *key_of;        /* THUMBPRINT whose key to name */
};

/* A --count batch keeps one store open; see cmd_add. */
static HCERTSTORE batch_store;

static const wchar_t *store_name = L"MY";

static void
die(const char *what)
{
	fprintf(stderr, "certmk: %s failed (error 0x%08lx)\n", what,
	    (unsigned long)GetLastError());
	exit(1);
}

static HCERTSTORE
open_my(void)
{
	HCERTSTORE store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
	    CERT_SYSTEM_STORE_LOCAL_MACHINE | CERT_STORE_ENUM_ARCHIVED_FLAG,
	    store_name);

	if (store == NULL)
		die("CertOpenStore(LocalMachine)");
	return store;
}

static void
commit(HCERTSTORE store)
{
	if (!CertControlStore(store, 0, CERT_STORE_CTRL_COMMIT, NULL))
		die("CertControlStore(COMMIT)");
}

/* Now, in Unix microseconds: the clock the stand-in's call log uses. */
static unsigned long long
unix_us(void)
{
	FILETIME ft;
	ULARGE_INTEGER t;

	GetSystemTimePreciseAsFileTime(&ft);
	t.LowPart = ft.dwLowDateTime;
	t.HighPart = ft.dwHighDateTime;
	return t.QuadPart / 10 - 11644473600000000ULL;
}

static void
print_thumb(PCCERT_CONTEXT ctx)
{
	BYTE hash[20];
	DWORD n = sizeof(hash), i;

	if (!CertGetCertificateContextProperty(ctx, CERT_SHA1_HASH_PROP_ID, hash,
	    &n))
		die("CertGetCertificateContextProperty(SHA1)");
	for (i = 0; i < n; i++)
		printf("%02X", hash[i]);
}

/* now + days, as the SYSTEMTIME CertCreateSelfSignCertificate takes. */
static SYSTEMTIME
days_from_now(long days)
{
	FILETIME ft;
	ULARGE_INTEGER t;
	SYSTEMTIME st;

	GetSystemTimeAsFileTime(&ft);
	t.LowPart = ft.dwLowDateTime;
	t.HighPart = ft.dwHighDateTime;
	t.QuadPart += (ULONGLONG)((LONGLONG)days * 864000000000LL);
	ft.dwLowDateTime = t.LowPart;
	ft.dwHighDateTime = t.HighPart;
	FileTimeToSystemTime(&ft, &st);
	return st;
}

static void
encode(LPCSTR type, const void *info, CRYPT_DATA_BLOB *out)
{
	if (!CryptEncodeObjectEx(X509_ASN_ENCODING, type, info,
	    CRYPT_ENCODE_ALLOC_FLAG, NULL, &out->pbData, &out->cbData))
		die("CryptEncodeObjectEx");
}

/* ASCII with \0, \xHH and \\ escapes to bytes; returns the length. */
static DWORD
unescape(const wchar_t *in, BYTE *out, DWORD max)
{
	DWORD n = 0;

	for (; *in != L'\0'; in++) {
		if (*in > 0x7e || n == max) {
			fprintf(stderr, "certmk: raw names are ASCII, at most %lu "
			    "bytes\n", (unsigned long)max);
			exit(2);
		}
		if (*in != L'\\') {
			out[n++] = (BYTE)*in;
			continue;
		}
		in++;
		if (*in == L'0') {
			out[n++] = 0;
		} else if (*in == L'x' && iswxdigit(in[1]) && iswxdigit(in[2])) {
			out[n++] = (BYTE)wcstoul((wchar_t[]){ in[1], in[2], 0 },
			    NULL, 16);
			in += 2;
		} else if (*in == L'\\') {
			out[n++] = '\\';
		} else {
			fprintf(stderr, "certmk: bad escape in a raw name\n");
			exit(2);
		}
	}
	return n;
}

/* Wrap n content bytes in a DER tag and length; returns the new length. */
static DWORD
der_wrap(BYTE tag, const BYTE *content, DWORD n, BYTE *out)
{
	DWORD h = 0;

	out[h++] = tag;
	if (n < 0x80) {
		out[h++] = (BYTE)n;
	} else {
		out[h++] = 0x82;
		out[h++] = (BYTE)(n >> 8);
		out[h++] = (BYTE)n;
	}
	memmove(out + h, content, n);
	return h + n;
}

/* Name ::= SEQUENCE { SET { SEQUENCE { id-at-commonName, UTF8String } } } */
static void
raw_cn_name(const wchar_t *text, CERT_NAME_BLOB *name)
{
	static const BYTE oid_cn[] = { 0x06, 0x03, 0x55, 0x04, 0x03 };
	static BYTE raw[RAW_MAX], a[RAW_MAX + 64], b[RAW_MAX + 64];
	DWORD n = unescape(text, raw, sizeof(raw)), len;

	memcpy(a, oid_cn, sizeof(oid_cn));
	len = sizeof(oid_cn) + der_wrap(0x0c, raw, n, a + sizeof(oid_cn));
	len = der_wrap(0x30, a, len, b);
	len = der_wrap(0x31, b, len, a);
	name->pbData = malloc(len + 4);
	if (name->pbData == NULL)
		die("malloc");
	name->cbData = der_wrap(0x30, a, len, name->pbData);
}

/* GeneralNames ::= SEQUENCE { dNSName [2] IA5String }, byte for byte. */
static void
raw_dns_ext(const wchar_t *text, CERT_EXTENSION *ext)
{
	static BYTE raw[RAW_MAX], a[RAW_MAX + 64];
	DWORD n = unescape(text, raw, sizeof(raw)), len;

	len = der_wrap(0x82, raw, n, a);
	ext->Value.pbData = malloc(len + 4);
	if (ext->Value.pbData == NULL)
		die("malloc");
	ext->Value.cbData = der_wrap(0x30, a, len, ext->Value.pbData);
	ext->pszObjId = szOID_SUBJECT_ALT_NAME2;
	ext->fCritical = FALSE;
}

/* n dNSNames, n1.many.example.test ..., as crypt32 encodes them. */
static void
many_dns_ext(long n, CERT_EXTENSION *ext)
{
	CERT_ALT_NAME_ENTRY *names = calloc((size_t)n, sizeof(*names));
	wchar_t (*text)[32] = calloc((size_t)n, sizeof(*text));
	CERT_ALT_NAME_INFO san;
	long i;

	if (names == NULL || text == NULL)
		die("calloc");
	for (i = 0; i < n; i++) {
		swprintf(text[i], 32, L"n%ld.many.example.test", i + 1);
		names[i].dwAltNameChoice = CERT_ALT_NAME_DNS_NAME;
		names[i].pwszDNSName = text[i];
	}
	san.cAltEntry = (DWORD)n;
	san.rgAltEntry = names;
	ext->pszObjId = szOID_SUBJECT_ALT_NAME2;
	ext->fCritical = FALSE;
	encode(X509_ALTERNATE_NAME, &san, &ext->Value);
	free(names);
	free(text);
}

/* "OID:HEX": an extension holding exactly those bytes. */
static void
raw_ext(const wchar_t *spec, CERT_EXTENSION *ext)
{
	static char oid[64];
	const wchar_t *hex = wcschr(spec, L':');
	size_t i, n;

	if (hex == NULL || (size_t)(hex - spec) >= sizeof(oid) ||
	    wcslen(hex + 1) % 2 != 0) {
		fprintf(stderr, "certmk: --raw-ext takes OID:HEX\n");
		exit(2);
	}
	for (i = 0; spec + i < hex; i++)
		oid[i] = (char)spec[i];
	oid[i] = '\0';
	n = wcslen(hex + 1) / 2;
	if ((ext->Value.pbData = malloc(n + 1)) == NULL)
		die("malloc");
	for (i = 0; i < n; i++)
		ext->Value.pbData[i] = (BYTE)wcstoul((wchar_t[]){ hex[1 + 2 * i],
		    hex[2 + 2 * i], 0 }, NULL, 16);
	ext->Value.cbData = (DWORD)n;
	ext->pszObjId = oid;
	ext->fCritical = FALSE;
}

static DWORD
make_extensions(const struct options *o, CERT_EXTENSION *ext)
{
	static CERT_ALT_NAME_ENTRY names[MAX_DNS];
	static LPSTR oids[2];
	CERT_ALT_NAME_INFO san;
	CERT_ENHKEY_USAGE eku;
	DWORD n = 0;
	int i;

	if (o->raw_dns != NULL) {
		raw_dns_ext(o->raw_dns, &ext[n++]);
	} else if (o->many_dns > 0) {
		many_dns_ext(o->many_dns, &ext[n++]);
	} else if (o->ndns > 0) {
		for (i = 0; i < o->ndns; i++) {
			names[i].dwAltNameChoice = CERT_ALT_NAME_DNS_NAME;
			names[i].pwszDNSName = (LPWSTR)o->dns[i];
		}
		san.cAltEntry = (DWORD)o->ndns;
		san.rgAltEntry = names;
		ext[n].pszObjId = szOID_SUBJECT_ALT_NAME2;
		ext[n].fCritical = FALSE;
		encode(X509_ALTERNATE_NAME, &san, &ext[n++].Value);
	}
	if (wcscmp(o->eku, L"none") != 0) {
		if (wcscmp(o->eku, L"server") == 0)
			oids[0] = szOID_PKIX_KP_SERVER_AUTH;
		else if (wcscmp(o->eku, L"client") == 0)
			oids[0] = szOID_PKIX_KP_CLIENT_AUTH;
		else if (wcscmp(o->eku, L"any") == 0)
			oids[0] = "2.5.29.37.0";
		else {
			fprintf(stderr, "certmk: --eku takes server, client, any "
			    "or none\n");
			exit(2);
		}
		eku.cUsageIdentifier = 1;
		eku.rgpszUsageIdentifier = oids;
		ext[n].pszObjId = szOID_ENHANCED_KEY_USAGE;
		ext[n].fCritical = FALSE;
		encode(X509_ENHANCED_KEY_USAGE, &eku, &ext[n++].Value);
	}
	if (o->ca) {
		CERT_BASIC_CONSTRAINTS2_INFO bc = { TRUE, FALSE, 0 };

		ext[n].pszObjId = szOID_BASIC_CONSTRAINTS2;
		ext[n].fCritical = TRUE;
		encode(X509_BASIC_CONSTRAINTS2, &bc, &ext[n++].Value);
	}
	if (o->raw_ext != NULL)
		raw_ext(o->raw_ext, &ext[n++]);
	if (o->template_name != NULL) {
		CERT_NAME_VALUE v;

		v.dwValueType = CERT_RDN_BMP_STRING;
		v.Value.pbData = (BYTE *)o->template_name;
		v.Value.cbData = (DWORD)(wcslen(o->template_name) *
		    sizeof(wchar_t));
		ext[n].pszObjId = szOID_ENROLL_CERTTYPE_EXTENSION;
		ext[n].fCritical = FALSE;
		encode(X509_UNICODE_ANY_STRING, &v, &ext[n++].Value);
	}
	return n;
}

static PCCERT_CONTEXT find_cert(HCERTSTORE store, const wchar_t *hex);

/* The CSP handle of a stored certificate's key (Wine: see store.c). */
static HCRYPTPROV
cert_key(PCCERT_CONTEXT ctx, DWORD *spec)
{
	CRYPT_KEY_PROV_INFO *kpi;
	HCRYPTPROV prov;
	DWORD size = 0;

	if (!CertGetCertificateContextProperty(ctx, CERT_KEY_PROV_INFO_PROP_ID,
	    NULL, &size) || (kpi = malloc(size)) == NULL ||
	    !CertGetCertificateContextProperty(ctx, CERT_KEY_PROV_INFO_PROP_ID,
	    kpi, &size))
		die("CertGetCertificateContextProperty(KEY_PROV_INFO)");
	if (!CryptAcquireContextW(&prov, kpi->pwszContainerName,
	    kpi->pwszProvName, kpi->dwProvType,
	    kpi->dwFlags & CRYPT_MACHINE_KEYSET))
		die("CryptAcquireContext(issuer)");
	*spec = kpi->dwKeySpec;
	free(kpi);
	return prov;
}

/*
 * A certificate for the key in prov, issued by the CA whose thumbprint is
 * ca_hex (in LocalMachine\My) and signed with the CA's key - or, when
 * forge is set, naming that CA as its issuer but signed with prov's own
 * key, as an impostor would.
 */
static PCCERT_CONTEXT
issue(const wchar_t *ca_hex, int forge, const wchar_t *serial_hex,
    HCRYPTPROV prov, CERT_NAME_BLOB *name, CRYPT_KEY_PROV_INFO *kpi,
    SYSTEMTIME *start, SYSTEMTIME *end, CERT_EXTENSIONS *exts)
{
	const wchar_t *saved = store_name;
	CRYPT_ALGORITHM_IDENTIFIER alg = { szOID_RSA_SHA256RSA, { 0, NULL } };
	CERT_PUBLIC_KEY_INFO *pub;
	PCCERT_CONTEXT ca, ctx;
	HCERTSTORE store;
	HCRYPTPROV ca_prov;
	CERT_INFO info;
	LARGE_INTEGER serial;
	DWORD size = 0, spec;
	BYTE *der, given[32];

	store_name = L"MY";
	store = open_my();
	store_name = saved;
	/* No CA: self-signed, by the new key itself. */
	ca = ca_hex != NULL ? find_cert(store, ca_hex) : NULL;
	if (forge || ca == NULL) {
		ca_prov = prov;
		spec = AT_KEYEXCHANGE;
	} else {
		ca_prov = cert_key(ca, &spec);
	}
	if (!CryptExportPublicKeyInfo(prov, AT_KEYEXCHANGE, X509_ASN_ENCODING,
	    NULL, &size) || (pub = malloc(size)) == NULL ||
	    !CryptExportPublicKeyInfo(prov, AT_KEYEXCHANGE, X509_ASN_ENCODING,
	    pub, &size))
		die("CryptExportPublicKeyInfo");
	memset(&info, 0, sizeof(info));
	QueryPerformanceCounter(&serial);
	info.dwVersion = CERT_V3;
	info.SerialNumber.cbData = sizeof(serial.QuadPart);
	info.SerialNumber.pbData = (BYTE *)&serial.QuadPart;
	if (serial_hex != NULL) {
		/* CERT_INFO keeps the serial little-endian; DER big-endian. */
		size_t i, n = wcslen(serial_hex) / 2;

		if (n == 0 || n > sizeof(given))
			die("--serial");
		for (i = 0; i < n; i++)
			given[n - 1 - i] = (BYTE)wcstoul((wchar_t[]){
			    serial_hex[2 * i], serial_hex[2 * i + 1], 0 }, NULL, 16);
		info.SerialNumber.cbData = (DWORD)n;
		info.SerialNumber.pbData = given;
	}
	info.SignatureAlgorithm = alg;
	info.Issuer = ca != NULL ? ca->pCertInfo->Subject : *name;
	SystemTimeToFileTime(start, &info.NotBefore);
	SystemTimeToFileTime(end, &info.NotAfter);
	info.Subject = *name;
	info.SubjectPublicKeyInfo = *pub;
	info.cExtension = exts->cExtension;
	info.rgExtension = exts->rgExtension;
	size = 0;
	if (!CryptSignAndEncodeCertificate(ca_prov, spec, X509_ASN_ENCODING,
	    X509_CERT_TO_BE_SIGNED, &info, &alg, NULL, NULL, &size) ||
	    (der = malloc(size)) == NULL ||
	    !CryptSignAndEncodeCertificate(ca_prov, spec, X509_ASN_ENCODING,
	    X509_CERT_TO_BE_SIGNED, &info, &alg, NULL, der, &size))
		die("CryptSignAndEncodeCertificate");
	ctx = CertCreateCertificateContext(X509_ASN_ENCODING, der, size);
	if (ctx == NULL || !CertSetCertificateContextProperty(ctx,
	    CERT_KEY_PROV_INFO_PROP_ID, 0, kpi))
		die("CertCreateCertificateContext");
	free(der);
	free(pub);
	if (ca_prov != prov)
		CryptReleaseContext(ca_prov, 0);
	if (ca != NULL)
		CertFreeCertificateContext(ca);
	CertCloseStore(store, 0);
	return ctx;
}

/*
 * Write ctx (with its key's property) as the registry store keeps it:
 * HKLM\SOFTWARE\Microsoft\SystemCertificates\<store>\Certificates\
 * <THUMBPRINT>, value Blob, the serialized store element.  One key per
 * certificate, the single write Windows makes for an add.
 */
static int
add_direct(PCCERT_CONTEXT ctx, int stamp)
{
	wchar_t path[300];
	unsigned long long written;
	BYTE hash[20], *ser;
	DWORD n = sizeof(hash), size = 0, i;
	HKEY key;

	if (!CertGetCertificateContextProperty(ctx, CERT_SHA1_HASH_PROP_ID, hash,
	    &n) || !CertSerializeCertificateStoreElement(ctx, 0, NULL, &size) ||
	    (ser = malloc(size)) == NULL ||
	    !CertSerializeCertificateStoreElement(ctx, 0, ser, &size))
		die("CertSerializeCertificateStoreElement");
	i = (DWORD)swprintf(path, 300, L"SOFTWARE\\Microsoft\\SystemCertificates"
	    L"\\%ls\\Certificates\\", store_name);
	for (n = 0; n < 20 && i + 2 < 300; n++, i += 2)
		swprintf(path + i, 3, L"%02X", hash[n]);
	written = unix_us();
	if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, path, 0, NULL, 0, KEY_SET_VALUE,
	    NULL, &key, NULL) != ERROR_SUCCESS ||
	    RegSetValueExW(key, L"Blob", 0, REG_BINARY, ser, size) !=
	    ERROR_SUCCESS)
		die("RegSetValueEx(Blob)");
	RegCloseKey(key);
	free(ser);
	print_thumb(ctx);
	if (stamp)
		printf(" %llu", written);
	printf("\n");
	CertFreeCertificateContext(ctx);
	return 0;
}

/*
 * CertCreateSelfSignCertificate, again until the serial is positive:
 * Wine's takes 16 random bytes as a signed integer, so half of its
 * serials are negative, and certbind passes such a certificate over.
 */
static PCCERT_CONTEXT
self_signed(HCRYPTPROV prov, CERT_NAME_BLOB *name, CRYPT_KEY_PROV_INFO *kpi,
    SYSTEMTIME *start, SYSTEMTIME *end, CERT_EXTENSIONS *exts)
{
	PCCERT_CONTEXT ctx;
	const CRYPT_INTEGER_BLOB *serial;
	int tries;

	for (tries = 0; tries < 64; tries++) {
		ctx = CertCreateSelfSignCertificate(prov, name, 0, kpi, NULL,
		    start, end, exts);
		if (ctx == NULL)
			return NULL;
		serial = &ctx->pCertInfo->SerialNumber;
		if (serial->cbData > 0 &&
		    (serial->pbData[serial->cbData - 1] & 0x80) == 0)
			return ctx;
		CertFreeCertificateContext(ctx);
	}
	return NULL;
}

/* Below, with the commands that take a thumbprint. */
static PCCERT_CONTEXT find_cert(HCERTSTORE store, const wchar_t *hex);

/*
 * ctx names the key of the certificate hex instead of its own, which
 * (container) is deleted.
 */
static void
take_key_of(PCCERT_CONTEXT ctx, const wchar_t *hex, const wchar_t *container)
{
	HCERTSTORE store = open_my();
	PCCERT_CONTEXT other = find_cert(store, hex);
	CRYPT_KEY_PROV_INFO *kpi;
	HCRYPTPROV prov;
	DWORD size = 0;

	if (!CertGetCertificateContextProperty(other,
	    CERT_KEY_PROV_INFO_PROP_ID, NULL, &size) ||
	    (kpi = malloc(size)) == NULL ||
	    !CertGetCertificateContextProperty(other,
	    CERT_KEY_PROV_INFO_PROP_ID, kpi, &size))
		die("--key-of: CertGetCertificateContextProperty");
	if (!CertSetCertificateContextProperty(ctx, CERT_KEY_PROV_INFO_PROP_ID,
	    0, kpi))
		die("--key-of: CertSetCertificateContextProperty");
	free(kpi);
	CertFreeCertificateContext(other);
	CertCloseStore(store, 0);
	CryptAcquireContextW(&prov, container, MS_ENH_RSA_AES_PROV_W,
	    PROV_RSA_AES, CRYPT_DELETEKEYSET | CRYPT_MACHINE_KEYSET);
}

static int
cmd_add(const struct options *o)
{
	wchar_t container[96], x500[512];
	LARGE_INTEGER now;
	HCRYPTPROV prov;
	HCRYPTKEY key;
	CERT_NAME_BLOB name;
	CERT_EXTENSION ext[MAX_EXT];
	CERT_EXTENSIONS exts;
	CRYPT_KEY_PROV_INFO kpi;
	SYSTEMTIME start, end;
	PCCERT_CONTEXT ctx;
	HCERTSTORE store;
	unsigned long long written;
	BOOL added;

	/* A burst (--count) shares one key, so that the writes come fast. */
	static wchar_t shared[96];

	if (o->count > 1 && shared[0] != L'\0') {
		wcscpy(container, shared);
		if (!CryptAcquireContextW(&prov, container, MS_ENH_RSA_AES_PROV_W,
		    PROV_RSA_AES, CRYPT_MACHINE_KEYSET))
			die("CryptAcquireContext");
	} else {
		QueryPerformanceCounter(&now);
		swprintf(container, 96, L"certmk-%lu-%lld",
		    (unsigned long)GetCurrentProcessId(), (long long)now.QuadPart);
		if (!CryptAcquireContextW(&prov, container, MS_ENH_RSA_AES_PROV_W,
		    PROV_RSA_AES, CRYPT_NEWKEYSET | CRYPT_MACHINE_KEYSET))
			die("CryptAcquireContext(NEWKEYSET)");
		if (!CryptGenKey(prov, AT_KEYEXCHANGE, (1024 << 16) |
		    CRYPT_EXPORTABLE, &key))
			die("CryptGenKey");
		CryptDestroyKey(key);
		wcscpy(shared, container);
	}

	if (o->raw_cn != NULL) {
		raw_cn_name(o->raw_cn, &name);
	} else {
		swprintf(x500, 512, L"CN=%ls", o->cn);
		name.cbData = 0;
		if (!CertStrToNameW(X509_ASN_ENCODING, x500, CERT_X500_NAME_STR,
		    NULL, NULL, &name.cbData, NULL))
			die("CertStrToName");
		name.pbData = malloc(name.cbData);
		if (name.pbData == NULL || !CertStrToNameW(X509_ASN_ENCODING,
		    x500, CERT_X500_NAME_STR, NULL, name.pbData, &name.cbData,
		    NULL))
			die("CertStrToName");
	}

	exts.cExtension = make_extensions(o, ext);
	exts.rgExtension = ext;
	memset(&kpi, 0, sizeof(kpi));
	kpi.pwszContainerName = container;
	kpi.pwszProvName = MS_ENH_RSA_AES_PROV_W;
	kpi.dwProvType = PROV_RSA_AES;
	kpi.dwFlags = CRYPT_MACHINE_KEYSET;
	kpi.dwKeySpec = AT_KEYEXCHANGE;
	start = days_from_now(o->not_before);
	end = days_from_now(o->not_after);
	if (o->issuer != NULL || o->serial != NULL)
		ctx = issue(o->issuer, o->forge, o->serial, prov, &name, &kpi,
		    &start, &end, &exts);
	else
		ctx = self_signed(prov, &name, &kpi, &start, &end, &exts);
	if (ctx == NULL)
		die("CertCreateSelfSignCertificate");
	CryptReleaseContext(prov, 0);
	if (o->key_of != NULL)
		take_key_of(ctx, o->key_of, container);

	/*
	 * Under Wine a registry store writes its certificates on commit, all
	 * of them, so a batch keeps one store open rather than reading and
	 * writing the whole store again for each certificate.
	 */
	if (o->direct && !o->no_key) {
		free(name.pbData);
		return add_direct(ctx, o->stamp);
	}
	if (o->count > 1 && batch_store == NULL)
		batch_store = open_my();
	store = o->count > 1 ? batch_store : open_my();
	if (o->no_key) {
		added = CertAddEncodedCertificateToStore(store, X509_ASN_ENCODING,
		    ctx->pbCertEncoded, ctx->cbCertEncoded,
		    CERT_STORE_ADD_REPLACE_EXISTING, NULL);
		CryptAcquireContextW(&prov, container, MS_ENH_RSA_AES_PROV_W,
		    PROV_RSA_AES, CRYPT_DELETEKEYSET | CRYPT_MACHINE_KEYSET);
	} else {
		added = CertAddCertificateContextToStore(store, ctx,
		    CERT_STORE_ADD_REPLACE_EXISTING, NULL);
		/* The certificate still names the container; it is gone. */
		if (added && o->lose_key)
			CryptAcquireContextW(&prov, container,
			    MS_ENH_RSA_AES_PROV_W, PROV_RSA_AES,
			    CRYPT_DELETEKEYSET | CRYPT_MACHINE_KEYSET);
	}
	if (!added)
		die("CertAddCertificateContextToStore");
	written = unix_us();
	commit(store);
	print_thumb(ctx);
	if (o->stamp)
		printf(" %llu", written);
	printf("\n");
	CertFreeCertificateContext(ctx);
	if (o->count <= 1)
		CertCloseStore(store, 0);
	free(name.pbData);
	return 0;
}

static void
delete_key(PCCERT_CONTEXT ctx)
{
	CRYPT_KEY_PROV_INFO *kpi;
	HCRYPTPROV prov;
	DWORD size = 0;

	if (!CertGetCertificateContextProperty(ctx, CERT_KEY_PROV_INFO_PROP_ID,
	    NULL, &size) || (kpi = malloc(size)) == NULL)
		return;
	if (CertGetCertificateContextProperty(ctx, CERT_KEY_PROV_INFO_PROP_ID,
	    kpi, &size))
		CryptAcquireContextW(&prov, kpi->pwszContainerName,
		    kpi->pwszProvName, kpi->dwProvType,
		    CRYPT_DELETEKEYSET | (kpi->dwFlags & CRYPT_MACHINE_KEYSET));
	free(kpi);
}

static int
usage(void)
{
	fprintf(stderr, "usage: certmk [--store NAME] add --cn NAME "
	    "[--dns NAME]... [--not-before DAYS]\n"
	    "                  [--not-after DAYS] [--eku server|client|any|none]"
	    " [--no-key]\n                  [--template NAME] [--count N]"
	    " [--raw-cn TEXT] [--raw-dns TEXT]\n"
	    "                  [--ca] [--issuer THUMBPRINT]"
	    " [--forge-issuer THUMBPRINT]\n"
	    "                  [--first K] [--direct] [--stamp]\n"
	    "                  [--lose-key] [--many-dns N] [--raw-ext OID:HEX]"
	    " [--serial HEX]\n"
	    "                  [--key-of THUMBPRINT]\n"
	    "       certmk [--store NAME] renew OLD NEW | del THUMBPRINT |\n"
	    "                  unlist THUMBPRINT |\n"
	    "                  clear [STORE...] | list | export THUMBPRINT PREFIX |\n"
	    "                  break-key THUMBPRINT\n");
	return 2;
}

/* Remove a certificate (freeing ctx) and the key it names. */
static void
remove_cert(PCCERT_CONTEXT ctx)
{
	delete_key(ctx);
	if (!CertDeleteCertificateFromStore(ctx))
		die("CertDeleteCertificateFromStore");
}

/*
 * Each delete restarts the enumeration: deleting the context an
 * enumeration stands on does not end under Wine 8.
 */
static void
clear_store(void)
{
	HCERTSTORE store = open_my();
	PCCERT_CONTEXT ctx;

	while ((ctx = CertEnumCertificatesInStore(store, NULL)) != NULL)
		remove_cert(ctx);
	commit(store);
	CertCloseStore(store, 0);
}

/* Clear the store, or each of the NAMES (N of them) instead. */
static int
cmd_clear(int n, wchar_t **names)
{
	int i;

	if (n == 0)
		clear_store();
	for (i = 0; i < n; i++) {
		store_name = names[i];
		clear_store();
	}
	return 0;
}

static void
parse_hex(const wchar_t *hex, BYTE hash[20])
{
	DWORD i;

	if (wcslen(hex) != 40) {
		usage();
		exit(2);
	}
	for (i = 0; i < 20; i++)
		hash[i] = (BYTE)wcstoul((wchar_t[]){ hex[2 * i], hex[2 * i + 1], 0 },
		    NULL, 16);
}

/* The certificate with this thumbprint; exits when there is none. */
static PCCERT_CONTEXT
find_cert(HCERTSTORE store, const wchar_t *hex)
{
	PCCERT_CONTEXT ctx;
	CRYPT_HASH_BLOB blob;
	BYTE hash[20];

	parse_hex(hex, hash);
	blob.cbData = 20;
	blob.pbData = hash;
	ctx = CertFindCertificateInStore(store, X509_ASN_ENCODING, 0,
	    CERT_FIND_SHA1_HASH, &blob, NULL);
	if (ctx == NULL) {
		fprintf(stderr, "certmk: no certificate %ls\n", hex);
		exit(1);
	}
	return ctx;
}

static int
cmd_delete(const wchar_t *hex)
{
	HCERTSTORE store = open_my();

	remove_cert(find_cert(store, hex));
	commit(store);
	CertCloseStore(store, 0);
	return 0;
}

/*
 * Remove one certificate from the store but leave its private key, as a
 * tool that replaces a certificate does: what certbind read of it and its
 * key still holds, and only HTTP.sys finds it gone.
 */
static int
cmd_unlist(const wchar_t *hex)
{
	HCERTSTORE store = open_my();

	if (!CertDeleteCertificateFromStore(find_cert(store, hex)))
		die("CertDeleteCertificateFromStore");
	commit(store);
	CertCloseStore(store, 0);
	return 0;
}

/*
 * What certreq -renew leaves behind: the old certificate names its
 * successor.  Wine 8 writes a registry store's certificate back only when
 * it is added, not when a property changes, so the certificate is
 * serialized with its new property, removed and added back.
 */
static int
cmd_renew(const wchar_t *old, const wchar_t *new)
{
	HCERTSTORE store = open_my();
	PCCERT_CONTEXT ctx = find_cert(store, old);
	CRYPT_DATA_BLOB blob;
	BYTE hash[20], *ser;
	DWORD size = 0;

	parse_hex(new, hash);
	blob.cbData = 20;
	blob.pbData = hash;
	if (!CertSetCertificateContextProperty(ctx, CERT_RENEWAL_PROP_ID, 0,
	    &blob))
		die("CertSetCertificateContextProperty(RENEWAL)");
	if (!CertSerializeCertificateStoreElement(ctx, 0, NULL, &size) ||
	    (ser = malloc(size)) == NULL ||
	    !CertSerializeCertificateStoreElement(ctx, 0, ser, &size))
		die("CertSerializeCertificateStoreElement");
	if (!CertDeleteCertificateFromStore(ctx))
		die("CertDeleteCertificateFromStore");
	commit(store);
	if (!CertAddSerializedElementToStore(store, ser, size,
	    CERT_STORE_ADD_ALWAYS, 0, CERT_STORE_CERTIFICATE_CONTEXT_FLAG, NULL,
	    NULL))
		die("CertAddSerializedElementToStore");
	commit(store);
	free(ser);
	CertCloseStore(store, 0);
	return 0;
}

static void
write_file(const wchar_t *prefix, const wchar_t *ext, const BYTE *data,
    DWORD len)
{
	wchar_t path[1024];
	FILE *f;

	swprintf(path, 1024, L"%ls%ls", prefix, ext);
	if ((f = _wfopen(path, L"wb")) == NULL ||
	    fwrite(data, 1, len, f) != len || fclose(f) != 0)
		die("writing an exported file");
}

static int
cmd_export(const wchar_t *hex, const wchar_t *prefix)
{
	HCERTSTORE store = open_my();
	PCCERT_CONTEXT ctx = find_cert(store, hex);
	HCRYPTPROV prov;
	HCRYPTKEY key;
	DWORD spec, size = 0;
	BYTE *blob;

	write_file(prefix, L".der", ctx->pbCertEncoded, ctx->cbCertEncoded);
	prov = cert_key(ctx, &spec);
	if (!CryptGetUserKey(prov, spec, &key) ||
	    !CryptExportKey(key, 0, PRIVATEKEYBLOB, 0, NULL, &size) ||
	    (blob = malloc(size)) == NULL ||
	    !CryptExportKey(key, 0, PRIVATEKEYBLOB, 0, blob, &size))
		die("CryptExportKey");
	write_file(prefix, L".blob", blob, size);
	free(blob);
	CryptDestroyKey(key);
	CryptReleaseContext(prov, 0);
	CertFreeCertificateContext(ctx);
	CertCloseStore(store, 0);
	return 0;
}

static int
cmd_break_key(const wchar_t *hex)
{
	HCERTSTORE store = open_my();
	PCCERT_CONTEXT ctx = find_cert(store, hex);

	delete_key(ctx);
	CertFreeCertificateContext(ctx);
	CertCloseStore(store, 0);
	return 0;
}

static int
cmd_list(void)
{
	HCERTSTORE store = open_my();
	PCCERT_CONTEXT ctx = NULL;
	wchar_t subject[512];

	while ((ctx = CertEnumCertificatesInStore(store, ctx)) != NULL) {
		CertNameToStrW(X509_ASN_ENCODING, &ctx->pCertInfo->Subject,
		    CERT_X500_NAME_STR, subject, 512);
		print_thumb(ctx);
		printf(" %ls\n", subject);
	}
	CertCloseStore(store, 0);
	return 0;
}

/*
 * pattern with each "{n}" replaced by n, into out (cap wide characters);
 * a name that would not fit is refused, not cut short.
 */
static const wchar_t *
number_name(const wchar_t *pattern, long n, wchar_t *out, size_t cap)
{
	wchar_t num[24];
	size_t len = 0, k;
	const wchar_t *p;

	if (pattern == NULL)
		return NULL;
	swprintf(num, 24, L"%ld", n);
	for (p = pattern; *p != L'\0'; p++) {
		const wchar_t *piece = p;
		size_t plen = 1;

		if (wcsncmp(p, L"{n}", 3) == 0) {
			piece = num;
			plen = wcslen(num);
			p += 2;
		}
		if (len + plen >= cap) {
			fprintf(stderr, "certmk: a numbered name is too long\n");
			exit(2);
		}
		for (k = 0; k < plen; k++)
			out[len++] = piece[k];
	}
	out[len] = L'\0';
	return out;
}

/* Add o->count certificates (at least one), numbering their names. */
static int
add_batch(const struct options *o)
{
	wchar_t cn[256], dns[MAX_DNS][256];
	struct options one = *o;
	long i, count = o->count > 1 ? o->count : 1;
	int d;

	for (i = 0; i < count; i++) {
		one.cn = number_name(o->cn, o->first + i, cn, 256);
		for (d = 0; d < o->ndns; d++)
			one.dns[d] = number_name(o->dns[d], o->first + i, dns[d],
			    256);
		cmd_add(&one);
		fflush(stdout);
	}
	if (batch_store != NULL) {
		commit(batch_store);
		CertCloseStore(batch_store, 0);
	}
	return 0;
}

int
wmain(int argc, wchar_t **argv)
{
	struct options o = { .not_before = -1, .not_after = 30,
	    .eku = L"server" };
	int i;

	if (argc > 2 && wcscmp(argv[1], L"--store") == 0) {
		store_name = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc < 2)
		return usage();
	if (wcscmp(argv[1], L"renew") == 0)
		return argc == 4 ? cmd_renew(argv[2], argv[3]) : usage();
	if (wcscmp(argv[1], L"list") == 0)
		return cmd_list();
	if (wcscmp(argv[1], L"clear") == 0)
		return cmd_clear(argc - 2, argv + 2);
	if (wcscmp(argv[1], L"del") == 0)
		return argc == 3 ? cmd_delete(argv[2]) : usage();
	if (wcscmp(argv[1], L"unlist") == 0)
		return argc == 3 ? cmd_unlist(argv[2]) : usage();
	if (wcscmp(argv[1], L"export") == 0)
		return argc == 4 ? cmd_export(argv[2], argv[3]) : usage();
	if (wcscmp(argv[1], L"break-key") == 0)
		return argc == 3 ? cmd_break_key(argv[2]) : usage();
	if (wcscmp(argv[1], L"add") != 0)
		return usage();
	for (i = 2; i < argc; i++) {
		int more = i + 1 < argc;

		if (wcscmp(argv[i], L"--cn") == 0 && more)
			o.cn = argv[++i];
		else if (wcscmp(argv[i], L"--raw-cn") == 0 && more)
			o.raw_cn = argv[++i];
		else if (wcscmp(argv[i], L"--raw-dns") == 0 && more)
			o.raw_dns = argv[++i];
		else if (wcscmp(argv[i], L"--dns") == 0 && more &&
		    o.ndns < MAX_DNS)
			o.dns[o.ndns++] = argv[++i];
		else if (wcscmp(argv[i], L"--not-before") == 0 && more)
			o.not_before = wcstol(argv[++i], NULL, 10);
		else if (wcscmp(argv[i], L"--not-after") == 0 && more)
			o.not_after = wcstol(argv[++i], NULL, 10);
		else if (wcscmp(argv[i], L"--eku") == 0 && more)
			o.eku = argv[++i];
		else if (wcscmp(argv[i], L"--count") == 0 && more)
			o.count = wcstol(argv[++i], NULL, 10);
		else if (wcscmp(argv[i], L"--template") == 0 && more)
			o.template_name = argv[++i];
		else if (wcscmp(argv[i], L"--first") == 0 && more)
			o.first = wcstol(argv[++i], NULL, 10);
		else if (wcscmp(argv[i], L"--direct") == 0)
			o.direct = 1;
		else if (wcscmp(argv[i], L"--stamp") == 0)
			o.stamp = 1;
		else if (wcscmp(argv[i], L"--no-key") == 0)
			o.no_key = 1;
		else if (wcscmp(argv[i], L"--lose-key") == 0)
			o.lose_key = 1;
		else if (wcscmp(argv[i], L"--key-of") == 0 && more)
			o.key_of = argv[++i];
		else if (wcscmp(argv[i], L"--many-dns") == 0 && more)
			o.many_dns = wcstol(argv[++i], NULL, 10);
		else if (wcscmp(argv[i], L"--raw-ext") == 0 && more)
			o.raw_ext = argv[++i];
		else if (wcscmp(argv[i], L"--serial") == 0 && more)
			o.serial = argv[++i];
		else if (wcscmp(argv[i], L"--ca") == 0)
			o.ca = 1;
		else if (wcscmp(argv[i], L"--issuer") == 0 && more)
			o.issuer = argv[++i];
		else if (wcscmp(argv[i], L"--forge-issuer") == 0 && more) {
			o.issuer = argv[++i];
			o.forge = 1;
		}
		else
			return usage();
	}
	if (o.cn == NULL && o.raw_cn == NULL)
		return usage();
	/* --count N adds N at once: a burst, as a script importing them. */
	return add_batch(&o);
}
