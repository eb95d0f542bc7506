/*
 * keyprobe.c - open a certificate's private key to see that it can be
 * used; see keyprobe.h.
 */
#include <windows.h>
#include <wincrypt.h>
#include <ncrypt.h>
#include <stdlib.h>

#include "keyprobe.h"

/*
 * Open the key named by CERT_KEY_PROV_INFO_PROP_ID ourselves.
 * Wine 8's CryptAcquireCertificatePrivateKey drops CRYPT_MACHINE_KEYSET
 * and so fails for every LocalMachine key; on Windows the first call in
 * key_usable() already answers and this path is not reached for a
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

bool
key_usable(PCCERT_CONTEXT ctx)
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
