/*
 * storeenum.c - the floor of the scale benchmark: `make bench`.
 *
 *   storeenum
 *
 * Opens LocalMachine\My as certbind does (read-only, archived
 * certificates included) and enumerates it, reading each certificate's
 * thumbprint and nothing else, then prints
 *   COUNT OPEN_MS ENUM_MS
 * Under Wine the open alone grows faster than the store (each certificate
 * read from the registry is added to a memory store that is searched for
 * a duplicate first), so no program that reads the store can reconcile
 * sooner than this; certbind's own share is what it takes beyond it.
 */
#include <windows.h>
#include <wincrypt.h>
#include <stdio.h>

static double
ms_since(LARGE_INTEGER t0, LARGE_INTEGER f)
{
	LARGE_INTEGER t;

	QueryPerformanceCounter(&t);
	return (double)(t.QuadPart - t0.QuadPart) * 1000.0 / (double)f.QuadPart;
}

int
wmain(void)
{
	LARGE_INTEGER f, t0;
	HCERTSTORE store;
	PCCERT_CONTEXT ctx = NULL;
	BYTE thumb[20];
	DWORD size;
	unsigned long n = 0;
	double open_ms;

	QueryPerformanceFrequency(&f);
	QueryPerformanceCounter(&t0);
	store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
	    CERT_SYSTEM_STORE_LOCAL_MACHINE | CERT_STORE_READONLY_FLAG |
	    CERT_STORE_OPEN_EXISTING_FLAG | CERT_STORE_ENUM_ARCHIVED_FLAG, L"MY");
	if (store == NULL) {
		fprintf(stderr, "storeenum: cannot open LocalMachine\\My: %lu\n",
		    (unsigned long)GetLastError());
		return 1;
	}
	open_ms = ms_since(t0, f);
	QueryPerformanceCounter(&t0);
	while ((ctx = CertEnumCertificatesInStore(store, ctx)) != NULL) {
		size = sizeof(thumb);
		if (CertGetCertificateContextProperty(ctx, CERT_SHA1_HASH_PROP_ID,
		    thumb, &size))
			n++;
	}
	printf("%lu %.0f %.0f\n", n, open_ms, ms_since(t0, f));
	CertCloseStore(store, 0);
	return 0;
}
