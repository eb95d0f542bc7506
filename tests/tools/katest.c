/*
 * katest.c - drive service/keyaccess.c directly, for
 * tests/integration/test_keyaccess.sh: resolve account names, give a
 * certificate's key read access as a binding would, and read or set the
 * key's DACL, so that the suite can look at what the grant wrote.
 *
 *   katest sid NAME...               a line per name: the SID, or
 *                                    "error CODE: text"
 *   katest grant THUMB [--target rdp|sqlserver] [--inherit PREV]
 *                [--also ACCOUNT] [ACCOUNT...]
 *   katest sddl THUMB                the key's DACL in SDDL
 *   katest set-sddl THUMB SDDL       write it (CryptoAPI keys)
 *   katest cng THUMB                 make the certificate name its key as
 *                                    a CNG key of the software KSP
 *
 * Exit status: 0 done, 1 the call failed (the message on stdout), 2 usage.
 */
#include <windows.h>
#include <wincrypt.h>
#include <ncrypt.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/cert.h"
#include "../../core/policy.h"
#include "../../service/keyaccess.h"
#include "../../service/keyprobe.h"
#include "../../service/store.h"
#include "../../service/winerr.h"
#include "../../service/wstr.h"

static int
usage(void)
{
	fprintf(stderr, "usage: katest sid NAME | grant THUMB [--target "
	    "rdp|sqlserver] [--inherit PREV] [--also ACCOUNT] [ACCOUNT...] |\n"
	    "       sddl THUMB | set-sddl THUMB SDDL | cng THUMB\n");
	return 2;
}

static int
report(uint32_t rc, const char *why)
{
	char text[256];

	printf("error 0x%08lX: %s%s%s\n", (unsigned long)rc, why ? why : "",
	    why ? ": " : "", win_strerror(rc, text, sizeof(text)));
	return 1;
}

static bool
parse_thumb(const char *hex, uint8_t out[THUMB_LEN])
{
	return strlen(hex) == 2 * THUMB_LEN &&
	    thumb_parse(hex, out) == 0;
}

/* One line per name: "SID", or "error CODE: text". */
static int
cmd_sid(int argc, char **argv)
{
	char text[256], *sid;
	int i, failed = 0;

	for (i = 2; i < argc; i++) {
		uint32_t rc = account_sid(argv[i], &sid);

		if (rc != 0) {
			printf("error 0x%08lX: %s\n", (unsigned long)rc,
			    win_strerror(rc, text, sizeof(text)));
			failed = 1;
			continue;
		}
		printf("%s\n", sid);
		free(sid);
	}
	return failed;
}

static int
cmd_grant(int argc, char **argv)
{
	struct binding b;
	struct named names[16];
	uint8_t thumb[THUMB_LEN], prev[THUMB_LEN];
	const char *also = NULL;
	bool has_prev = false;
	char *why = NULL;
	uint32_t rc;
	int i;

	memset(&b, 0, sizeof(b));
	b.name = "katest";
	b.key_access = names;
	if (argc < 3 || !parse_thumb(argv[2], thumb))
		return usage();
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--target") == 0 && i + 1 < argc) {
			i++;
			b.target = strcmp(argv[i], "rdp") == 0 ? TARGET_RDP :
			    strcmp(argv[i], "sqlserver") == 0 ? TARGET_SQLSERVER :
			    TARGET_HTTPSYS;
		} else if (strcmp(argv[i], "--inherit") == 0 && i + 1 < argc) {
			if (!parse_thumb(argv[++i], prev))
				return usage();
			has_prev = true;
			b.key_access_inherit = true;
		} else if (strcmp(argv[i], "--also") == 0 && i + 1 < argc)
			also = argv[++i];
		else if (b.nkey_access < 16)
			names[b.nkey_access++].name = argv[i];
	}
	rc = keyaccess_grant_also(&b, also, STORE_MY, thumb,
	    has_prev ? prev : NULL, &why);
	if (rc != 0) {
		printf("error 0x%08lX: %s\n", (unsigned long)rc,
		    why ? why : "(no reason)");
		free(why);
		return 1;
	}
	printf("ok\n");
	return 0;
}

/* The key of the certificate thumb, opened as the grant opens it. */
static uint32_t
open_key(const char *hex, PCCERT_CONTEXT *ctx, struct key_handle *k)
{
	uint8_t thumb[THUMB_LEN];
	char why[512];
	uint32_t rc;

	if (!parse_thumb(hex, thumb))
		return ERROR_INVALID_PARAMETER;
	if ((rc = store_find(STORE_MY, thumb, ctx)) != 0)
		return rc;
	rc = key_acquire(*ctx, CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG, k, why,
	    sizeof(why));
	if (rc != 0)
		printf("%s\n", why);
	return rc;
}

static int
cmd_sddl(const char *hex)
{
	PCCERT_CONTEXT ctx = NULL;
	struct key_handle k;
	DWORD n = 0;
	BYTE *sd = NULL;
	wchar_t *w;
	uint32_t rc = open_key(hex, &ctx, &k);

	if (rc == 0 && k.capi == 0)
		rc = ERROR_NOT_SUPPORTED;
	if (rc == 0 && !CryptGetProvParam(k.capi, PP_KEYSET_SEC_DESCR, NULL,
	    &n, DACL_SECURITY_INFORMATION))
		rc = GetLastError();
	if (rc == 0 && (sd = malloc(n)) == NULL)
		rc = ERROR_NOT_ENOUGH_MEMORY;
	if (rc == 0 && !CryptGetProvParam(k.capi, PP_KEYSET_SEC_DESCR, sd, &n,
	    DACL_SECURITY_INFORMATION))
		rc = GetLastError();
	if (rc == 0 && !ConvertSecurityDescriptorToStringSecurityDescriptorW(sd,
	    SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &w, NULL))
		rc = GetLastError();
	if (rc == 0) {
		printf("%ls\n", w);
		LocalFree(w);
	}
	free(sd);
	key_release(&k);
	if (ctx != NULL)
		CertFreeCertificateContext(ctx);
	return rc == 0 ? 0 : report(rc, "sddl");
}

static int
cmd_set_sddl(const char *hex, const char *sddl)
{
	PCCERT_CONTEXT ctx = NULL;
	struct key_handle k;
	PSECURITY_DESCRIPTOR sd = NULL;
	wchar_t *w = wide_from_utf8(sddl);
	uint32_t rc = open_key(hex, &ctx, &k);

	if (rc == 0 && k.capi == 0)
		rc = ERROR_NOT_SUPPORTED;
	if (rc == 0 && (w == NULL ||
	    !ConvertStringSecurityDescriptorToSecurityDescriptorW(w,
	    SDDL_REVISION_1, &sd, NULL)))
		rc = w == NULL ? ERROR_INVALID_PARAMETER : GetLastError();
	if (rc == 0 && !CryptSetProvParam(k.capi, PP_KEYSET_SEC_DESCR, sd,
	    DACL_SECURITY_INFORMATION))
		rc = GetLastError();
	if (sd != NULL)
		LocalFree(sd);
	free(w);
	key_release(&k);
	if (ctx != NULL)
		CertFreeCertificateContext(ctx);
	return rc == 0 ? 0 : report(rc, "set-sddl");
}

/*
 * Name the certificate's key as a machine key of the Microsoft Software
 * Key Storage Provider, the way a CNG key is named (dwProvType 0).
 */
static int
cmd_cng(const char *hex)
{
	uint8_t thumb[THUMB_LEN];
	CRYPT_HASH_BLOB hash = { THUMB_LEN, thumb };
	CRYPT_KEY_PROV_INFO kpi;
	PCCERT_CONTEXT ctx, copy;
	HCERTSTORE store;
	uint32_t rc = 0;

	if (!parse_thumb(hex, thumb))
		return usage();
	store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
	    CERT_SYSTEM_STORE_LOCAL_MACHINE, L"MY");
	if (store == NULL)
		return report(GetLastError(), "CertOpenStore");
	ctx = CertFindCertificateInStore(store, X509_ASN_ENCODING, 0,
	    CERT_FIND_SHA1_HASH, &hash, NULL);
	if (ctx == NULL) {
		rc = GetLastError();
		CertCloseStore(store, 0);
		return report(rc, "CertFindCertificateInStore");
	}
	memset(&kpi, 0, sizeof(kpi));
	kpi.pwszContainerName = L"certbind-katest-cng";
	kpi.pwszProvName = (wchar_t *)MS_KEY_STORAGE_PROVIDER;
	kpi.dwFlags = NCRYPT_MACHINE_KEY_FLAG;
	/*
	 * A copy with the new property replaces the certificate: Wine 8
	 * does not write back a property set on a stored certificate.
	 * (The old key container is left behind; the suite's prefix is
	 * thrown away.)
	 */
	copy = CertCreateCertificateContext(X509_ASN_ENCODING,
	    ctx->pbCertEncoded, ctx->cbCertEncoded);
	if (copy == NULL ||
	    !CertSetCertificateContextProperty(copy, CERT_KEY_PROV_INFO_PROP_ID,
	    0, &kpi) || !CertDeleteCertificateFromStore(ctx) ||
	    !CertAddCertificateContextToStore(store, copy, CERT_STORE_ADD_NEW,
	    NULL) || !CertControlStore(store, 0, CERT_STORE_CTRL_COMMIT, NULL))
		rc = GetLastError();
	if (copy != NULL)
		CertFreeCertificateContext(copy);
	CertCloseStore(store, 0);
	return rc == 0 ? 0 : report(rc, "CertSetCertificateContextProperty");
}

int
main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	if (strcmp(argv[1], "sid") == 0)
		return cmd_sid(argc, argv);
	if (strcmp(argv[1], "grant") == 0)
		return cmd_grant(argc, argv);
	if (strcmp(argv[1], "sddl") == 0)
		return cmd_sddl(argv[2]);
	if (strcmp(argv[1], "set-sddl") == 0 && argc == 4)
		return cmd_set_sddl(argv[2], argv[3]);
	if (strcmp(argv[1], "cng") == 0)
		return cmd_cng(argv[2]);
	return usage();
}
