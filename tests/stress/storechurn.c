/*
 * storechurn.c - change LocalMachine\My many times in bursts, for the churn
 * part of `make stress` (tests/stress/part_churn.sh).
 *
 *   storechurn save FILE THUMBPRINT...
 *       Keeps each certificate (its registry Blob, the serialized store
 *       element with its properties) in FILE, then removes it from the
 *       store: the pool the churn adds and removes again.
 *   storechurn del THUMBPRINT...
 *       Removes each certificate from the store (its key stays).
 *   storechurn read COUNT MS
 *       Opens LocalMachine\My, reads every certificate and closes it,
 *       COUNT times, MS apart: a plain store reader, to run beside
 *       certbind during a churn.  Prints its private bytes (as
 *       certbind_private_bytes measures them) and the bytes in use in its
 *       heap, after the first read and after the last: "private bytes
 *       before N", "private bytes after N", "heap in use before N",
 *       "heap in use after N".  Under Wine, reading a registry store
 *       that changes leaves memory behind in crypt32 itself; this shows
 *       how much, with no certbind code in the process.
 *   storechurn run FILE CHANGES BURST PAUSE_MS SEED
 *       Makes CHANGES store changes, BURST at a time with PAUSE_MS
 *       between bursts: adds (a pool certificate not in the store, for
 *       the first time or again), deletes, and property changes (a new
 *       friendly name).  At the end it removes every pool certificate
 *       still there, so the store is back to its contents before the
 *       churn.  Prints one count a line: "adds N", "re-adds N",
 *       "deletes N", "property changes N", "bursts N".
 *
 * A system store lives in the registry, one key per certificate under
 * HKLM\SOFTWARE\Microsoft\SystemCertificates\MY\Certificates\<THUMBPRINT>
 * with the element in its value Blob; CertAddCertificateContextToStore
 * and CertDeleteCertificateFromStore on Windows write and delete that
 * key.  This writes the key itself, one change one write, as Windows
 * does: under Wine a store commit rewrites every certificate of the store.
 */
#include <windows.h>
#include <wincrypt.h>
#include <psapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define MY_KEY L"SOFTWARE\\Microsoft\\SystemCertificates\\MY\\Certificates\\"

struct cert {
	wchar_t path[128];      /* its registry key under HKLM */
	BYTE *blob;
	DWORD size;
	int present;            /* in the store now */
	int added;              /* added at least once by the churn */
};

static void
die(const char *what, LONG err)
{
	fprintf(stderr, "storechurn: %s failed (error %ld)\n", what, (long)err);
	exit(1);
}

/* The registry key of the certificate with thumbprint hex. */
static void
cert_path(const wchar_t *hex, wchar_t *out)
{
	size_t i;

	if (wcslen(hex) != 40) {
		fprintf(stderr, "storechurn: %ls is not a thumbprint\n", hex);
		exit(2);
	}
	swprintf(out, 128, L"%ls%ls", MY_KEY, hex);
	for (i = wcslen(MY_KEY); out[i] != L'\0'; i++)
		out[i] = towupper(out[i]);
}

/* The Blob value of key path, malloc'd. */
static BYTE *
read_blob(const wchar_t *path, DWORD *size)
{
	HKEY key;
	BYTE *b;
	LONG rc;

	if ((rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_READ, &key)) !=
	    ERROR_SUCCESS)
		die("RegOpenKeyEx", rc);
	*size = 0;
	if ((rc = RegQueryValueExW(key, L"Blob", NULL, NULL, NULL, size)) !=
	    ERROR_SUCCESS)
		die("RegQueryValueEx(Blob)", rc);
	if ((b = malloc(*size)) == NULL)
		die("malloc", ERROR_OUTOFMEMORY);
	if ((rc = RegQueryValueExW(key, L"Blob", NULL, NULL, b, size)) !=
	    ERROR_SUCCESS)
		die("RegQueryValueEx(Blob)", rc);
	RegCloseKey(key);
	return b;
}

static void
write_blob(const wchar_t *path, const BYTE *b, DWORD size)
{
	HKEY key;
	LONG rc;

	if ((rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, path, 0, NULL, 0,
	    KEY_SET_VALUE, NULL, &key, NULL)) != ERROR_SUCCESS)
		die("RegCreateKeyEx", rc);
	if ((rc = RegSetValueExW(key, L"Blob", 0, REG_BINARY, b, size)) !=
	    ERROR_SUCCESS)
		die("RegSetValueEx(Blob)", rc);
	RegCloseKey(key);
}

static void
delete_cert(const wchar_t *path)
{
	LONG rc = RegDeleteKeyW(HKEY_LOCAL_MACHINE, path);

	if (rc != ERROR_SUCCESS)
		die("RegDeleteKey", rc);
}

/* save: the file holds, per certificate, its key path and its Blob. */
static int
cmd_save(const wchar_t *file, int argc, wchar_t **argv)
{
	FILE *f = _wfopen(file, L"wb");
	struct cert c;
	int i;

	if (f == NULL)
		die("opening the pool file", (LONG)GetLastError());
	for (i = 0; i < argc; i++) {
		cert_path(argv[i], c.path);
		c.blob = read_blob(c.path, &c.size);
		if (fwrite(c.path, sizeof(c.path), 1, f) != 1 ||
		    fwrite(&c.size, sizeof(c.size), 1, f) != 1 ||
		    fwrite(c.blob, c.size, 1, f) != 1)
			die("writing the pool file", 0);
		free(c.blob);
		delete_cert(c.path);
	}
	if (fclose(f) != 0)
		die("writing the pool file", 0);
	return 0;
}

static int
cmd_del(int argc, wchar_t **argv)
{
	wchar_t path[128];
	int i;

	for (i = 0; i < argc; i++) {
		cert_path(argv[i], path);
		delete_cert(path);
	}
	return 0;
}

static struct cert *
load_pool(const wchar_t *file, size_t *n)
{
	FILE *f = _wfopen(file, L"rb");
	struct cert *v = NULL, c, *grown;
	size_t cap = 0;

	if (f == NULL)
		die("opening the pool file", (LONG)GetLastError());
	*n = 0;
	memset(&c, 0, sizeof(c));
	while (fread(c.path, sizeof(c.path), 1, f) == 1) {
		if (fread(&c.size, sizeof(c.size), 1, f) != 1 ||
		    c.size > (1u << 20) || (c.blob = malloc(c.size)) == NULL ||
		    fread(c.blob, c.size, 1, f) != 1)
			die("reading the pool file", 0);
		c.path[127] = L'\0';
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((grown = realloc(v, cap * sizeof(*v))) == NULL)
				die("realloc", ERROR_OUTOFMEMORY);
			v = grown;
		}
		v[(*n)++] = c;
	}
	fclose(f);
	return v;
}

/* A new friendly name on c, as CertSetCertificateContextProperty sets it. */
static void
rename_cert(struct cert *c, unsigned long n)
{
	HCERTSTORE mem;
	PCCERT_CONTEXT ctx;
	CRYPT_DATA_BLOB name;
	wchar_t text[48];
	DWORD size = 0, cur;
	BYTE *b, *now;

	now = read_blob(c->path, &cur);
	mem = CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, 0, NULL);
	if (mem == NULL || !CertAddSerializedElementToStore(mem, now, cur,
	    CERT_STORE_ADD_ALWAYS, 0, CERT_STORE_CERTIFICATE_CONTEXT_FLAG, NULL,
	    (const void **)&ctx))
		die("CertAddSerializedElementToStore", (LONG)GetLastError());
	swprintf(text, 48, L"churn %lu", n);
	name.pbData = (BYTE *)text;
	name.cbData = (DWORD)((wcslen(text) + 1) * sizeof(wchar_t));
	if (!CertSetCertificateContextProperty(ctx, CERT_FRIENDLY_NAME_PROP_ID,
	    0, &name) ||
	    !CertSerializeCertificateStoreElement(ctx, 0, NULL, &size) ||
	    (b = malloc(size)) == NULL ||
	    !CertSerializeCertificateStoreElement(ctx, 0, b, &size))
		die("CertSerializeCertificateStoreElement", (LONG)GetLastError());
	write_blob(c->path, b, size);
	free(b);
	free(now);
	CertFreeCertificateContext(ctx);
	CertCloseStore(mem, 0);
}

static int usage(void);

static unsigned long long rng;

static unsigned long
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned long)(rng >> 11);
}

/* A pool certificate with present == want, at random; NULL if none. */
static struct cert *
pick(struct cert *v, size_t n, int want)
{
	size_t i, start = next_random() % n;

	for (i = 0; i < n; i++)
		if (v[(start + i) % n].present == want)
			return &v[(start + i) % n];
	return NULL;
}

static int
cmd_run(const wchar_t *file, long changes, long burst, long pause_ms,
    unsigned long long seed)
{
	unsigned long adds = 0, readds = 0, deletes = 0, props = 0, bursts = 0;
	struct cert *v, *c;
	size_t n, i;
	long done;

	v = load_pool(file, &n);
	if (n == 0 || changes < 0 || burst < 1 || pause_ms < 0) {
		fprintf(stderr, "storechurn: nothing to churn\n");
		return 2;
	}
	rng = seed ? seed : 88172645463325252ULL;
	for (done = 0; done < changes; done++) {
		unsigned long r = next_random() % 4;

		if (done > 0 && done % burst == 0) {
			bursts++;
			Sleep((DWORD)pause_ms);
		}
		if (r == 2 && (c = pick(v, n, 1)) != NULL) {
			delete_cert(c->path);
			c->present = 0;
			deletes++;
		} else if (r == 3 && (c = pick(v, n, 1)) != NULL) {
			rename_cert(c, (unsigned long)done);
			props++;
		} else if ((c = pick(v, n, 0)) != NULL) {
			write_blob(c->path, c->blob, c->size);
			c->present = 1;
			if (c->added)
				readds++;
			else
				adds++;
			c->added = 1;
		} else {
			c = pick(v, n, 1);
			rename_cert(c, (unsigned long)done);
			props++;
		}
	}
	if (changes > 0)
		bursts++;
	/* Back to the contents before the churn. */
	for (i = 0; i < n; i++)
		if (v[i].present) {
			delete_cert(v[i].path);
			v[i].present = 0;
			deletes++;
		}
	printf("adds %lu\nre-adds %lu\ndeletes %lu\nproperty changes %lu\n"
	    "bursts %lu\n", adds, readds, deletes, props, bursts);
	for (i = 0; i < n; i++)
		free(v[i].blob);
	free(v);
	return 0;
}

/* As service/loopstats.c: PrivateUsage, which Wine 8 leaves 0, else
 * PagefileUsage (Windows documents the two as the same). */
static unsigned long long
private_bytes(void)
{
	PROCESS_MEMORY_COUNTERS_EX pmc;

	memset(&pmc, 0, sizeof(pmc));
	pmc.cb = sizeof(pmc);
	if (!GetProcessMemoryInfo(GetCurrentProcess(),
	    (PROCESS_MEMORY_COUNTERS *)&pmc, sizeof(pmc)))
		return 0;
	return pmc.PrivateUsage != 0 ? pmc.PrivateUsage : pmc.PagefileUsage;
}

/* The bytes of the busy blocks of the process heap. */
static unsigned long long
heap_in_use(void)
{
	PROCESS_HEAP_ENTRY e;
	unsigned long long n = 0;
	HANDLE h = GetProcessHeap();

	memset(&e, 0, sizeof(e));
	if (!HeapLock(h))
		return 0;
	while (HeapWalk(h, &e))
		if (e.wFlags & PROCESS_HEAP_ENTRY_BUSY)
			n += e.cbData;
	HeapUnlock(h);
	return n;
}

static void
read_store(void)
{
	HCERTSTORE s = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
	    CERT_SYSTEM_STORE_LOCAL_MACHINE | CERT_STORE_READONLY_FLAG |
	    CERT_STORE_OPEN_EXISTING_FLAG | CERT_STORE_ENUM_ARCHIVED_FLAG,
	    L"MY");
	PCCERT_CONTEXT ctx = NULL;
	BYTE hash[20];
	DWORD size;

	if (s == NULL)
		return;
	while ((ctx = CertEnumCertificatesInStore(s, ctx)) != NULL) {
		size = sizeof(hash);
		CertGetCertificateContextProperty(ctx, CERT_SHA1_HASH_PROP_ID,
		    hash, &size);
	}
	CertCloseStore(s, 0);
}

static int
cmd_read(long count, long ms)
{
	unsigned long long priv0, heap0;
	long i;

	if (count < 1 || ms < 0)
		return usage();
	read_store();
	priv0 = private_bytes();
	heap0 = heap_in_use();
	for (i = 1; i < count; i++) {
		Sleep((DWORD)ms);
		read_store();
	}
	printf("private bytes before %llu\nprivate bytes after %llu\n"
	    "heap in use before %llu\nheap in use after %llu\n", priv0,
	    private_bytes(), heap0, heap_in_use());
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: storechurn save FILE THUMBPRINT...\n"
	    "       storechurn del THUMBPRINT...\n"
	    "       storechurn read COUNT MS\n"
	    "       storechurn run FILE CHANGES BURST PAUSE_MS SEED\n");
	return 2;
}

int
wmain(int argc, wchar_t **argv)
{
	if (argc >= 3 && wcscmp(argv[1], L"save") == 0)
		return cmd_save(argv[2], argc - 3, argv + 3);
	if (argc >= 2 && wcscmp(argv[1], L"del") == 0)
		return cmd_del(argc - 2, argv + 2);
	if (argc == 4 && wcscmp(argv[1], L"read") == 0)
		return cmd_read(wcstol(argv[2], NULL, 10),
		    wcstol(argv[3], NULL, 10));
	if (argc == 7 && wcscmp(argv[1], L"run") == 0)
		return cmd_run(argv[2], wcstol(argv[3], NULL, 10),
		    wcstol(argv[4], NULL, 10), wcstol(argv[5], NULL, 10),
		    wcstoull(argv[6], NULL, 10));
	return usage();
}
