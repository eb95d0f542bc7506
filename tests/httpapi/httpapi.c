/*
 * httpapi.c - a stand-in httpapi.dll that keeps HTTP.sys SSL records the
 * way Windows documents them, for running certbind's tests under Wine.
 *
 * Wine 8's own httpapi.dll stubs the configuration functions: Set returns
 * success and stores nothing, Query always answers not found, and
 * HttpUpdateServiceConfiguration is not exported.  This DLL is put beside
 * certbind.exe and loaded with WINEDLLOVERRIDES=httpapi=n.  It implements
 * the documented contract for the three SSL record kinds
 * (HttpServiceConfigSSLCertInfo, ...SslSniCertInfo, ...SslCcsCertInfo),
 * as strictly as Windows wherever certbind depends on it, so that a test
 * cannot pass on leniency:
 *   every   ERROR_INVALID_HANDLE before HttpInitialize(HTTP_INITIALIZE_CONFIG)
 *           or after the matching HttpTerminate; ERROR_INVALID_PARAMETER
 *           for a short structure, or an SNI or ccs key whose address is
 *           not the IPv4 wildcard 0.0.0.0
 *   Set, Update  ERROR_NO_SUCH_LOGON_SESSION when the certificate (hash)
 *           is not in LocalMachine\<store name> (none or "" is MY) or
 *           its private key cannot be opened
 *   Set     ERROR_ALREADY_EXISTS if the key has a record
 *   Update  ERROR_FILE_NOT_FOUND if it has none (Windows 10 1703 and later)
 *   Delete  ERROR_FILE_NOT_FOUND if it has none
 *   Query   exact: ERROR_FILE_NOT_FOUND if none; next: by dwToken, then
 *           ERROR_NO_MORE_ITEMS; a short buffer gets ERROR_INSUFFICIENT_BUFFER
 *           with the size needed in *pReturnLength
 * Records persist where Windows keeps them, one registry key per record
 * under HKLM\SYSTEM\CurrentControlSet\Services\HTTP\Parameters\:
 *   SslBindingInfo\0.0.0.0:443 or \[::]:443, SslSniBindingInfo\host:443,
 *   SslCcsBindingInfo\0.0.0.0:443
 * so `wine reg query` shows what certbind wrote, across processes.  As on
 * Windows, every string comes back whole, however long, and a host name
 * keeps the case it was set with while lookups ignore case.
 *
 * For tests, beyond Windows:
 *   - Built with -DNO_UPDATE (httpapi-noupdate.def) it lacks
 *     HttpUpdateServiceConfiguration, like Windows before 10 1703.
 *   - Fault injection: a REG_SZ value named after a call (Set, Update,
 *     Delete, Query) under HKLM\Software\CertBindStandIn\Faults makes the
 *     next calls fail.  "N ERROR" fails the next N calls with Win32 error
 *     ERROR (decimal); "N ERROR after M" lets M calls through first, so
 *     that the (M+1)th call fails; "crash" ends the process inside the
 *     call, as a power cut or a kill would; "delay MS" makes the next call
 *     do its work, log it, and then sleep MS milliseconds before it
 *     returns, so that a test can act between a call and the caller's
 *     next one.  "hold MS" is the same, but ends as soon as the file
 *     C:\httpapi-release exists: a test that must act while the call is
 *     held, however slow the machine, holds it long and releases it
 *     when done, instead of racing a fixed delay.  "Query" covers both
 *     kinds of query; "QueryNext" only the enumeration
 *     (HttpServiceConfigQueryNext).  A value named "CALL@KEY"
 *     ("Set@[::1]:8443", "QueryNext@www.example.test:443") applies to
 *     that record alone, KEY as in the call log, and is taken before the
 *     value for every record.  A fault fails the call before
 *     it changes anything, as a call Windows refuses does.
 *   - A REG_SZ value "Unusable" there, a list of thumbprints, makes Set
 *     and Update fail with ERROR_NO_SUCH_LOGON_SESSION for those
 *     certificates, as Windows does when the key exists but HTTP.sys
 *     (SYSTEM) cannot use it.
 *   - A REG_SZ value "Corrupt" there, naming a record key ("10.0.0.1:443"),
 *     makes Query return that record with address family 0xBEEF, as a
 *     record certbind cannot parse.
 *   - Every call is appended to C:\httpapi-calls.log:
 *     "MICROSECONDS CALL KIND KEY RESULT", the time from the system clock.
 *   - A REG_SZ value "Pause" there, "MS", makes every call sleep MS
 *     milliseconds before its work and again after it has logged it, and
 *     mark where it is in C:\httpapi-steps.log before each sleep
 *     ("MICROSECONDS enter CALL", then "MICROSECONDS leave CALL KIND
 *     KEY" once its work is done), so that a process killed at a random
 *     moment is often killed inside a call, and the marks say where.
 *   - When C:\httpapi-trace.log exists, every call is appended to it too,
 *     with what an invariant checker needs to replay the records
 *     (tests/stress/invariant.py): "MICROSECONDS PID CALL KIND KEY RESULT
 *     HASH", CALL being QueryNext for an enumeration, HASH the hash a Set
 *     or Update asked for, or the one a Query returned ("-" for none).
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <wincrypt.h>
#define HTTPAPI_LINKAGE    /* we define these functions, not import them */
#include "../../service/httpsys_decl.h"
#include "../../service/keyprobe.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define PARAMS L"SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters\\"
#define FAULTS L"Software\\CertBindStandIn\\Faults"
#define CALL_LOG "C:\\httpapi-calls.log"
#define STEP_LOG "C:\\httpapi-steps.log"
#define TRACE_LOG "C:\\httpapi-trace.log"
#define RELEASE_FILE "C:\\httpapi-release"
#define HOLD_STEP_MS 20
#define KEY_MAX 300

#ifndef NO_UPDATE
ULONG WINAPI HttpUpdateServiceConfiguration(HANDLE, HTTP_SERVICE_CONFIG_ID,
    PVOID, ULONG, LPOVERLAPPED);
#endif

/* The three record tables. */
enum kind { K_IP, K_SNI, K_CCS };

static const struct {
	HTTP_SERVICE_CONFIG_ID id;
	const wchar_t *root;
	const char *name;
	ULONG set_size, query_size;
	bool needs_hash;
} kinds[] = {
	[K_IP] = { HttpServiceConfigSSLCertInfo, PARAMS L"SslBindingInfo", "ip",
	    sizeof(HTTP_SERVICE_CONFIG_SSL_SET),
	    sizeof(HTTP_SERVICE_CONFIG_SSL_QUERY), true },
	[K_SNI] = { HttpServiceConfigSslSniCertInfo, PARAMS L"SslSniBindingInfo",
	    "sni", sizeof(HTTP_SERVICE_CONFIG_SSL_SNI_SET),
	    sizeof(HTTP_SERVICE_CONFIG_SSL_SNI_QUERY), true },
	[K_CCS] = { HttpServiceConfigSslCcsCertInfo, PARAMS L"SslCcsBindingInfo",
	    "ccs", sizeof(HTTP_SERVICE_CONFIG_SSL_CCS_SET),
	    sizeof(HTTP_SERVICE_CONFIG_SSL_CCS_QUERY), false },
};

static int
kind_of(HTTP_SERVICE_CONFIG_ID id)
{
	int k;

	for (k = 0; k < 3; k++)
		if (kinds[k].id == id)
			return k;
	return -1;
}

/* --- the call log and fault injection ---------------------------------- */

static DWORD delay_ms;          /* a "delay" fault taken by this call */
static bool delay_releasable;   /* it was "hold": RELEASE_FILE ends it */

static bool fault_text(const wchar_t *, wchar_t *, DWORD);

/* Microseconds since 1601, from the system clock, as the call log has them. */
static unsigned long long
now_us(void)
{
	FILETIME ft;
	ULARGE_INTEGER t;

	GetSystemTimePreciseAsFileTime(&ft);
	t.LowPart = ft.dwLowDateTime;
	t.HighPart = ft.dwHighDateTime;
	return t.QuadPart / 10;
}

/*
 * The "Pause" value: mark where the call is (step is "enter" or "leave";
 * key is NULL on entry, not known yet), then sleep.  The mark comes
 * first, so that a kill during the sleep finds it written.
 */
static void
pause_point(const char *step, const char *call, int kind, const wchar_t *key)
{
	wchar_t text[32];
	unsigned long ms;
	FILE *f;

	if (!fault_text(L"Pause", text, 32) || swscanf(text, L"%lu", &ms) != 1 ||
	    ms == 0 || (f = fopen(STEP_LOG, "a")) == NULL)
		return;
	if (key == NULL)
		fprintf(f, "%llu %s %s\n", now_us(), step, call);
	else
		fprintf(f, "%llu %s %s %s %ls\n", now_us(), step, call,
		    kind >= 0 ? kinds[kind].name : "?", key[0] ? key : L"-");
	fclose(f);
	Sleep(ms);
}

/* Sleep MS milliseconds; with RELEASABLE, less once RELEASE_FILE exists. */
static void
hold(DWORD ms, bool releasable)
{
	DWORD step;

	while (ms > 0) {
		if (releasable && GetFileAttributesA(RELEASE_FILE) !=
		    INVALID_FILE_ATTRIBUTES)
			return;
		step = ms < HOLD_STEP_MS || !releasable ? ms : HOLD_STEP_MS;
		Sleep(step);
		ms -= step;
	}
}

/* Log the call, then sleep if a "delay" or "hold" fault was taken. */
static void
log_call(const char *call, int kind, const wchar_t *key, ULONG rc)
{
	FILETIME ft;
	ULARGE_INTEGER t;
	FILE *f = fopen(CALL_LOG, "a");

	if (f == NULL)
		return;
	GetSystemTimePreciseAsFileTime(&ft);
	t.LowPart = ft.dwLowDateTime;
	t.HighPart = ft.dwHighDateTime;
	fprintf(f, "%llu %s %s %ls %lu\n", t.QuadPart / 10, call,
	    kind >= 0 ? kinds[kind].name : "?", key && key[0] ? key : L"-",
	    (unsigned long)rc);
	fclose(f);
	if (delay_ms != 0) {
		hold(delay_ms, delay_releasable);
		delay_ms = 0;
		delay_releasable = false;
	}
	pause_point("leave", call, kind, key);
}

/* Append the call to the trace log, when a test created it. */
static void
trace_call(const char *call, int kind, const wchar_t *key, ULONG rc,
    const BYTE *hash, DWORD hash_len)
{
	FILETIME ft;
	ULARGE_INTEGER t;
	DWORD i;
	FILE *f;

	if (GetFileAttributesA(TRACE_LOG) == INVALID_FILE_ATTRIBUTES ||
	    (f = fopen(TRACE_LOG, "a")) == NULL)
		return;
	GetSystemTimePreciseAsFileTime(&ft);
	t.LowPart = ft.dwLowDateTime;
	t.HighPart = ft.dwHighDateTime;
	fprintf(f, "%llu %lu %s %s %ls %lu ", t.QuadPart / 10,
	    (unsigned long)GetCurrentProcessId(), call,
	    kind >= 0 ? kinds[kind].name : "?", key && key[0] ? key : L"-",
	    (unsigned long)rc);
	if (hash == NULL || hash_len == 0)
		fputc('-', f);
	for (i = 0; hash != NULL && i < hash_len; i++)
		fprintf(f, "%02X", hash[i]);
	fputc('\n', f);
	fclose(f);
}

/*
 * Take the fault value name: the error the call must fail with, 0 when
 * it goes through; -1 when there is no such value.
 */
static long
take_fault(HKEY key, const wchar_t *name)
{
	wchar_t text[64];
	DWORD size = sizeof(text) - sizeof(wchar_t), type;
	unsigned long n, err, skip = 0;

	memset(text, 0, sizeof(text));
	if (RegQueryValueExW(key, name, NULL, &type, (BYTE *)text, &size) !=
	    ERROR_SUCCESS || type != REG_SZ)
		return -1;
	if (wcscmp(text, L"crash") == 0) {
		RegDeleteValueW(key, name);
		RegFlushKey(key);
		RegCloseKey(key);
		TerminateProcess(GetCurrentProcess(), 99);
	}
	if (swscanf(text, L"delay %lu", &n) == 1 ||
	    swscanf(text, L"hold %lu", &n) == 1) {
		RegDeleteValueW(key, name);
		delay_ms = (DWORD)n;
		delay_releasable = text[0] == L'h';
		return 0;
	}
	if (swscanf(text, L"%lu %lu after %lu", &n, &err, &skip) < 2 ||
	    n == 0) {
		RegDeleteValueW(key, name);
		return 0;
	}
	if (skip > 0) {
		swprintf(text, 64, L"%lu %lu after %lu", n, err, skip - 1);
		err = 0;
	} else if (--n == 0)
		RegDeleteValueW(key, name);
	else
		swprintf(text, 64, L"%lu %lu", n, err);
	if (skip > 0 || n > 0)
		RegSetValueExW(key, name, 0, REG_SZ, (const BYTE *)text,
		    (DWORD)((wcslen(text) + 1) * sizeof(wchar_t)));
	return (long)err;
}

/*
 * The error this call must fail with; 0 for none.  The value for the
 * record (CALL@KEY) comes first, then the call's own, then, for an
 * enumeration, the one for every query (also).
 */
static ULONG
fault_on(const wchar_t *call, const wchar_t *rec, const wchar_t *also)
{
	wchar_t name[KEY_MAX + 16];
	char tag[16];
	HKEY key;
	long err = -1;

	snprintf(tag, sizeof(tag), "%ls", call);
	pause_point("enter", tag, -1, NULL);
	if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, FAULTS, 0, KEY_ALL_ACCESS,
	    &key) != ERROR_SUCCESS)
		return 0;
	if (rec != NULL && rec[0] != L'\0') {
		swprintf(name, KEY_MAX + 16, L"%ls@%ls", call, rec);
		err = take_fault(key, name);
	}
	if (err < 0)
		err = take_fault(key, call);
	if (err < 0 && also != NULL)
		err = take_fault(key, also);
	RegCloseKey(key);
	return err > 0 ? (ULONG)err : 0;
}

static ULONG
fault(const wchar_t *call, const wchar_t *rec)
{
	return fault_on(call, rec, NULL);
}

/* A REG_SZ value under the faults key into text; false when absent. */
static bool
fault_text(const wchar_t *name, wchar_t *text, DWORD cap)
{
	DWORD size = (cap - 1) * sizeof(wchar_t), type;
	HKEY key;
	LONG rc;

	if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, FAULTS, 0, KEY_READ, &key) !=
	    ERROR_SUCCESS)
		return false;
	memset(text, 0, cap * sizeof(wchar_t));
	rc = RegQueryValueExW(key, name, NULL, &type, (BYTE *)text, &size);
	RegCloseKey(key);
	return rc == ERROR_SUCCESS && type == REG_SZ;
}

/* --- initialization --------------------------------------------------- */

/*
 * The configuration functions need HttpInitialize(HTTP_INITIALIZE_CONFIG)
 * first; calls may be nested, each matched by an HttpTerminate.  The
 * documentation says only that HttpInitialize comes "before calling any
 * other functions in the HTTP Server API", not what a call made outside
 * it returns; the stand-in refuses such a call with ERROR_INVALID_HANDLE
 * (the process holds no handle to the configuration store), so that a
 * missing HttpInitialize fails the tests instead of passing unnoticed.
 * Wine's own httpapi.dll checks nothing.
 */
static LONG config_users;

ULONG WINAPI
HttpInitialize(HTTPAPI_VERSION version, ULONG flags, PVOID reserved)
{
	(void)reserved;
	if (flags == 0 ||
	    (flags & ~(ULONG)(HTTP_INITIALIZE_CONFIG | HTTP_INITIALIZE_SERVER)) ||
	    version.HttpApiMajorVersion < 1 || version.HttpApiMajorVersion > 2)
		return ERROR_INVALID_PARAMETER;
	if (flags & HTTP_INITIALIZE_CONFIG)
		InterlockedIncrement(&config_users);
	return NO_ERROR;
}

ULONG WINAPI
HttpTerminate(ULONG flags, PVOID reserved)
{
	(void)reserved;
	if (flags == 0 ||
	    (flags & ~(ULONG)(HTTP_INITIALIZE_CONFIG | HTTP_INITIALIZE_SERVER)))
		return ERROR_INVALID_PARAMETER;
	if (flags & HTTP_INITIALIZE_CONFIG) {
		if (config_users == 0)
			return ERROR_INVALID_PARAMETER;
		InterlockedDecrement(&config_users);
	}
	return NO_ERROR;
}

static bool
initialized(void)
{
	return config_users > 0;
}

/* --- keys ------------------------------------------------------------- */

/* SNI and ccs keys carry only a port, on the IPv4 wildcard address. */
static bool
is_ipv4_wildcard(const SOCKADDR_STORAGE *ss)
{
	const SOCKADDR_IN *in = (const SOCKADDR_IN *)ss;

	return in->sin_family == AF_INET && in->sin_addr.s_addr == 0;
}

/* "0.0.0.0:443" or "[::1]:443"; 0 on success. */
static int
addr_name(const SOCKADDR *sa, wchar_t *out)
{
	wchar_t addr[64];

	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET) {
		const SOCKADDR_IN *in = (const SOCKADDR_IN *)sa;

		if (InetNtopW(AF_INET, &in->sin_addr, addr, 64) == NULL)
			return -1;
		swprintf(out, KEY_MAX, L"%ls:%u", addr, ntohs(in->sin_port));
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const SOCKADDR_IN6 *in6 = (const SOCKADDR_IN6 *)sa;

		if (InetNtopW(AF_INET6, &in6->sin6_addr, addr, 64) == NULL)
			return -1;
		swprintf(out, KEY_MAX, L"[%ls]:%u", addr, ntohs(in6->sin6_port));
		return 0;
	}
	return -1;
}

static USHORT
port_of(const SOCKADDR_STORAGE *ss)
{
	return ntohs(((const SOCKADDR_IN *)ss)->sin_port);
}

/* The registry key name of the record a set or query structure names. */
static int
key_name(int k, const void *key_desc, wchar_t *out)
{
	switch (k) {
	case K_SNI: {
		const HTTP_SERVICE_CONFIG_SSL_SNI_KEY *s = key_desc;

		/* Stored as given: HTTP.sys keeps the host's case, and finds
		 * it ignoring case (so does the registry, for key names). */
		if (s->Host == NULL || s->Host[0] == L'\0' ||
		    wcslen(s->Host) > 253 || !is_ipv4_wildcard(&s->IpPort))
			return -1;
		swprintf(out, KEY_MAX, L"%ls:%u", s->Host, port_of(&s->IpPort));
		return 0;
	}
	case K_CCS: {
		const HTTP_SERVICE_CONFIG_SSL_CCS_KEY *c = key_desc;

		if (!is_ipv4_wildcard(&c->LocalAddress))
			return -1;
		swprintf(out, KEY_MAX, L"0.0.0.0:%u", port_of(&c->LocalAddress));
		return 0;
	}
	default:
		return addr_name(((const HTTP_SERVICE_CONFIG_SSL_KEY *)key_desc)->
		    pIpPort, out);
	}
}

/* The inverse of addr_name(), for enumeration. */
static int
parse_addr_name(const wchar_t *name, SOCKADDR_STORAGE *ss)
{
	wchar_t addr[64];
	const wchar_t *colon = wcsrchr(name, L':');
	size_t len;
	USHORT port;

	if (colon == NULL || (len = (size_t)(colon - name)) >= 64)
		return -1;
	port = (USHORT)wcstoul(colon + 1, NULL, 10);
	memset(ss, 0, sizeof(*ss));
	if (name[0] == L'[') {
		SOCKADDR_IN6 *in6 = (SOCKADDR_IN6 *)ss;

		wmemcpy(addr, name + 1, len - 2);
		addr[len - 2] = L'\0';
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		return InetPtonW(AF_INET6, addr, &in6->sin6_addr) == 1 ? 0 : -1;
	}
	if (wcsspn(name, L"0123456789.") == len) {
		SOCKADDR_IN *in = (SOCKADDR_IN *)ss;

		wmemcpy(addr, name, len);
		addr[len] = L'\0';
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		return InetPtonW(AF_INET, addr, &in->sin_addr) == 1 ? 0 : -1;
	}
	/* host:port (SNI): the address part is the any-address. */
	((SOCKADDR_IN *)ss)->sin_family = AF_INET;
	((SOCKADDR_IN *)ss)->sin_port = htons(port);
	return 0;
}

static const wchar_t *
record_path(int k, const wchar_t *name, wchar_t path[400])
{
	swprintf(path, 400, L"%ls\\%ls", kinds[k].root, name);
	return path;
}

static LONG
open_key(int k, const wchar_t *name, REGSAM access, HKEY *key)
{
	wchar_t path[400];

	return RegOpenKeyExW(HKEY_LOCAL_MACHINE, record_path(k, name, path), 0,
	    access, key);
}

/*
 * HTTP.sys writes a record whole: a Set or an Update that a crash cuts
 * short has happened or has not.  The stand-in writes a record as
 * registry values one at a time, so the SslCertHash value (there, if
 * empty, on a ccs record) is its commit point: written last, and a key
 * without it is no record but a Set that did not finish, which no query
 * or listing shows, a Set completes and a listing drops.  (An Update cut
 * short still leaves the old certificate with some of the new options: a
 * record a reconcile plans from like any other, though Windows would
 * have kept all of the old one.)
 */
static bool
committed(HKEY key)
{
	return RegQueryValueExW(key, L"SslCertHash", NULL, NULL, NULL, NULL) ==
	    ERROR_SUCCESS;
}

/* The key of kind k at name is there but holds no whole record. */
static bool
unfinished(int k, const wchar_t *name)
{
	HKEY key;
	bool whole;

	if (open_key(k, name, KEY_READ, &key) != ERROR_SUCCESS)
		return false;
	whole = committed(key);
	RegCloseKey(key);
	return !whole;
}

/* Open the record of kind k at name: ERROR_FILE_NOT_FOUND when none. */
static LONG
open_record(int k, const wchar_t *name, REGSAM access, HKEY *key)
{
	LONG rc = open_key(k, name, access, key);

	if (rc == ERROR_SUCCESS && !committed(*key)) {
		RegCloseKey(*key);
		rc = ERROR_FILE_NOT_FOUND;
	}
	return rc;
}

/* --- writing ------------------------------------------------------------ */

static void
put_string(HKEY key, const wchar_t *name, const wchar_t *value)
{
	if (value == NULL)
		value = L"";
	RegSetValueExW(key, name, 0, REG_SZ, (const BYTE *)value,
	    (DWORD)((wcslen(value) + 1) * sizeof(wchar_t)));
}

static void
put_dword(HKEY key, const wchar_t *name, DWORD value)
{
	RegSetValueExW(key, name, 0, REG_DWORD, (const BYTE *)&value,
	    sizeof(value));
}

/* The hash goes last: it is the record's commit point (see committed). */
static void
write_params(HKEY key, const HTTP_SERVICE_CONFIG_SSL_PARAM *p)
{
	RegSetValueExW(key, L"AppId", 0, REG_BINARY, (const BYTE *)&p->AppId,
	    sizeof(GUID));
	put_string(key, L"SslCertStoreName", p->pSslCertStoreName);
	put_dword(key, L"DefaultSslCertCheckMode", p->DefaultCertCheckMode);
	put_dword(key, L"DefaultSslRevocationFreshnessTime",
	    p->DefaultRevocationFreshnessTime);
	put_dword(key, L"DefaultSslRevocationUrlRetrievalTimeout",
	    p->DefaultRevocationUrlRetrievalTimeout);
	put_string(key, L"DefaultSslCtlIdentifier", p->pDefaultSslCtlIdentifier);
	put_string(key, L"DefaultSslCtlStoreName", p->pDefaultSslCtlStoreName);
	put_dword(key, L"DefaultFlags", p->DefaultFlags);
	RegSetValueExW(key, L"SslCertHash", 0, REG_BINARY, p->pSslHash,
	    p->pSslHash ? p->SslHashLength : 0);
}

/* The parameters of a set structure of kind k. */
static const HTTP_SERVICE_CONFIG_SSL_PARAM *
params_of(int k, const void *info)
{
	switch (k) {
	case K_SNI:
		return &((const HTTP_SERVICE_CONFIG_SSL_SNI_SET *)info)->ParamDesc;
	case K_CCS:
		return &((const HTTP_SERVICE_CONFIG_SSL_CCS_SET *)info)->ParamDesc;
	default:
		return &((const HTTP_SERVICE_CONFIG_SSL_SET *)info)->ParamDesc;
	}
}

/* --- the certificate a record names ------------------------------------ */

/* The hash is listed in the "Unusable" fault value (hex, any separators). */
static bool
listed_unusable(const BYTE *hash, DWORD len)
{
	wchar_t text[1024], hex[2 * 64 + 1];
	DWORD i;

	if (len > 64 || !fault_text(L"Unusable", text, 1024))
		return false;
	for (i = 0; i < len; i++)
		swprintf(hex + 2 * i, 3, L"%02X", hash[i]);
	hex[2 * len] = L'\0';
	for (i = 0; text[i]; i++)
		text[i] = towupper(text[i]);
	return wcsstr(text, hex) != NULL;
}

/*
 * What HTTP.sys checks of the certificate a Set or Update names: it is
 * in LocalMachine\<pSslCertStoreName> (NULL or "" meaning MY) and its
 * private key can be used; ERROR_NO_SUCH_LOGON_SESSION otherwise.  The
 * key is opened by service/keyprobe.c, which certbind's store reader uses
 * too: under Wine the stand-in runs as the same account as certbind, as
 * HTTP.sys and the service both run as SYSTEM on Windows.
 */
/* The registry keys behind a LocalMachine system store, as in watch.c. */
static const wchar_t *const store_roots[] = {
	L"SOFTWARE\\Microsoft\\SystemCertificates",
	L"SOFTWARE\\Policies\\Microsoft\\SystemCertificates",
	L"SOFTWARE\\Microsoft\\EnterpriseCertificates",
};

/*
 * The certificate whose SHA-1 thumbprint is hash, read from its own
 * registry key under one of the store's keys (Certificates\<HEX>, value
 * Blob, a serialized store element, as Windows and Wine keep it), into
 * the memory store mem; NULL when no key holds it.  Opening the system
 * store instead reads every certificate in it under Wine, which made each
 * Set cost as much as the whole store and a 10,000-certificate benchmark
 * measure the stand-in rather than certbind.
 */
static PCCERT_CONTEXT
find_by_key(const wchar_t *store, const BYTE *hash, HCERTSTORE mem)
{
	wchar_t path[400], hex[41];
	PCCERT_CONTEXT ctx = NULL;
	BYTE got[20], *blob;
	DWORD i, size, glen;
	HKEY key;

	for (i = 0; i < 20; i++)
		swprintf(hex + 2 * i, 3, L"%02X", hash[i]);
	for (i = 0; ctx == NULL && i < ARRAYSIZE(store_roots); i++) {
		swprintf(path, 400, L"%ls\\%ls\\Certificates\\%ls",
		    store_roots[i], store, hex);
		if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_QUERY_VALUE,
		    &key) != ERROR_SUCCESS)
			continue;
		size = 0;
		if (RegQueryValueExW(key, L"Blob", NULL, NULL, NULL, &size) ==
		    ERROR_SUCCESS && (blob = malloc(size)) != NULL) {
			if (RegQueryValueExW(key, L"Blob", NULL, NULL, blob,
			    &size) == ERROR_SUCCESS)
				CertAddSerializedElementToStore(mem, blob, size,
				    CERT_STORE_ADD_ALWAYS, 0,
				    CERT_STORE_CERTIFICATE_CONTEXT_FLAG, NULL,
				    (const void **)&ctx);
			free(blob);
		}
		RegCloseKey(key);
		/* The key's name is no proof: the thumbprint must be the hash. */
		glen = sizeof(got);
		if (ctx != NULL && (!CertGetCertificateContextProperty(ctx,
		    CERT_SHA1_HASH_PROP_ID, got, &glen) || glen != 20 ||
		    memcmp(got, hash, 20) != 0)) {
			CertFreeCertificateContext(ctx);
			ctx = NULL;
		}
	}
	return ctx;
}

static ULONG
check_certificate(const HTTP_SERVICE_CONFIG_SSL_PARAM *p)
{
	const wchar_t *name = p->pSslCertStoreName;
	CRYPT_HASH_BLOB blob;
	PCCERT_CONTEXT ctx;
	HCERTSTORE store;
	bool ok;

	if (name == NULL || name[0] == L'\0')
		name = L"MY";
	if (listed_unusable(p->pSslHash, p->SslHashLength))
		return ERROR_NO_SUCH_LOGON_SESSION;
	if (p->SslHashLength == 20 && wcschr(name, L'\\') == NULL &&
	    wcslen(name) < 200) {
		store = CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, 0, NULL);
		if (store == NULL)
			return ERROR_NOT_ENOUGH_MEMORY;
		ctx = find_by_key(name, p->pSslHash, store);
		goto found;
	}
	store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
	    CERT_SYSTEM_STORE_LOCAL_MACHINE | CERT_STORE_OPEN_EXISTING_FLAG |
	    CERT_STORE_READONLY_FLAG, name);
	if (store == NULL)
		return ERROR_NO_SUCH_LOGON_SESSION;
	blob.cbData = p->SslHashLength;
	blob.pbData = p->pSslHash;
	ctx = CertFindCertificateInStore(store, X509_ASN_ENCODING, 0,
	    p->SslHashLength == 20 ? CERT_FIND_SHA1_HASH : CERT_FIND_HASH,
	    &blob, NULL);
found:
	ok = ctx != NULL && key_usable(ctx);
	if (ctx != NULL)
		CertFreeCertificateContext(ctx);
	CertCloseStore(store, 0);
	return ok ? NO_ERROR : ERROR_NO_SUCH_LOGON_SESSION;
}

/* Checks shared by Set, Update and Delete; fills kind and key name. */
static ULONG
check_set(HTTP_SERVICE_CONFIG_ID id, const void *info, ULONG len,
    bool need_params, int *k, wchar_t *name)
{
	const HTTP_SERVICE_CONFIG_SSL_PARAM *p;

	name[0] = L'\0';
	if (!initialized())
		return ERROR_INVALID_HANDLE;
	if ((*k = kind_of(id)) < 0 || info == NULL ||
	    len < kinds[*k].set_size)
		return ERROR_INVALID_PARAMETER;
	if (key_name(*k, info, name) != 0)
		return ERROR_INVALID_PARAMETER;
	p = params_of(*k, info);
	if (need_params && kinds[*k].needs_hash && (p->pSslHash == NULL ||
	    p->SslHashLength == 0 || p->SslHashLength > 64))
		return ERROR_INVALID_PARAMETER;
	if (need_params && kinds[*k].needs_hash)
		return check_certificate(p);
	return NO_ERROR;
}

/* Trace a Set, Update or Delete with the hash it asked for. */
static void
trace_write(const char *call, int k, const void *info, const wchar_t *name,
    ULONG rc)
{
	const HTTP_SERVICE_CONFIG_SSL_PARAM *p = NULL;

	/* A key name was made: the structure is long enough to read. */
	if (k >= 0 && name[0] != L'\0' && strcmp(call, "Delete") != 0)
		p = params_of(k, info);
	trace_call(call, k, name, rc, p ? p->pSslHash : NULL,
	    p && p->SslHashLength <= 64 ? p->SslHashLength : 0);
}

ULONG WINAPI
HttpSetServiceConfiguration(HANDLE handle, HTTP_SERVICE_CONFIG_ID id,
    PVOID info, ULONG len, LPOVERLAPPED overlapped)
{
	wchar_t name[KEY_MAX], path[400];
	DWORD disposition;
	HKEY key;
	ULONG rc;
	int k = -1;

	(void)handle;
	(void)overlapped;
	if ((rc = check_set(id, info, len, true, &k, name)) != NO_ERROR ||
	    (rc = fault(L"Set", name)) != NO_ERROR)
		goto done;
	if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, record_path(k, name, path), 0,
	    NULL, 0, KEY_ALL_ACCESS, NULL, &key, &disposition) != ERROR_SUCCESS) {
		rc = ERROR_ACCESS_DENIED;
		goto done;
	}
	if (disposition != REG_CREATED_NEW_KEY && committed(key))
		rc = ERROR_ALREADY_EXISTS;
	else
		write_params(key, params_of(k, info));
	RegCloseKey(key);
done:
	trace_write("Set", k, info, name, rc);
	log_call("Set", k, name, rc);
	return rc;
}

#ifndef NO_UPDATE
ULONG WINAPI
HttpUpdateServiceConfiguration(HANDLE handle, HTTP_SERVICE_CONFIG_ID id,
    PVOID info, ULONG len, LPOVERLAPPED overlapped)
{
	wchar_t name[KEY_MAX];
	HKEY key;
	ULONG rc;
	int k = -1;

	(void)handle;
	(void)overlapped;
	if ((rc = check_set(id, info, len, true, &k, name)) != NO_ERROR ||
	    (rc = fault(L"Update", name)) != NO_ERROR)
		goto done;
	if (open_record(k, name, KEY_ALL_ACCESS, &key) != ERROR_SUCCESS) {
		rc = ERROR_FILE_NOT_FOUND;
		goto done;
	}
	write_params(key, params_of(k, info));
	RegCloseKey(key);
done:
	trace_write("Update", k, info, name, rc);
	log_call("Update", k, name, rc);
	return rc;
}
#endif

ULONG WINAPI
HttpDeleteServiceConfiguration(HANDLE handle, HTTP_SERVICE_CONFIG_ID id,
    PVOID info, ULONG len, LPOVERLAPPED overlapped)
{
	wchar_t name[KEY_MAX], path[400];
	ULONG rc;
	int k = -1;

	(void)handle;
	(void)overlapped;
	if ((rc = check_set(id, info, len, false, &k, name)) == NO_ERROR &&
	    (rc = fault(L"Delete", name)) == NO_ERROR) {
		bool part = unfinished(k, name);

		if (RegDeleteKeyW(HKEY_LOCAL_MACHINE, record_path(k, name,
		    path)) != ERROR_SUCCESS || part)
			rc = ERROR_FILE_NOT_FOUND;
	}
	trace_write("Delete", k, info, name, rc);
	log_call("Delete", k, name, rc);
	return rc;
}

/* --- reading ------------------------------------------------------------ */

/* Read one value into dst (size bytes at most); its length, 0 if absent. */
static DWORD
get_value(HKEY key, const wchar_t *name, void *dst, DWORD size)
{
	if (RegQueryValueExW(key, name, NULL, NULL, dst, &size) != ERROR_SUCCESS)
		return 0;
	return size;
}

/*
 * A REG_SZ value, whole, however long: HTTP.sys returns what it was given.
 * malloc'd, "" when absent; NULL only without memory.
 */
static wchar_t *
get_string(HKEY key, const wchar_t *name)
{
	DWORD size = 0;
	wchar_t *s;

	if (RegQueryValueExW(key, name, NULL, NULL, NULL, &size) !=
	    ERROR_SUCCESS)
		size = 0;
	if ((s = calloc(size / sizeof(wchar_t) + 1, sizeof(wchar_t))) == NULL)
		return NULL;
	if (size > 0 && RegQueryValueExW(key, name, NULL, NULL, (BYTE *)s,
	    &size) != ERROR_SUCCESS)
		s[0] = L'\0';
	return s;
}

/* One record in the layout Query returns, built in a local buffer. */
struct record {
	SOCKADDR_STORAGE addr;
	wchar_t host[KEY_MAX];
	BYTE hash[64];
	DWORD hash_len;
	GUID app_id;
	DWORD check_mode, freshness, timeout, flags;
	wchar_t *store, *ctl_id, *ctl_store;
};

static void
free_record(struct record *r)
{
	free(r->store);
	free(r->ctl_id);
	free(r->ctl_store);
}

static ULONG
read_record(HKEY key, struct record *r)
{
	r->hash_len = get_value(key, L"SslCertHash", r->hash, sizeof(r->hash));
	get_value(key, L"AppId", &r->app_id, sizeof(r->app_id));
	r->store = get_string(key, L"SslCertStoreName");
	get_value(key, L"DefaultSslCertCheckMode", &r->check_mode,
	    sizeof(DWORD));
	get_value(key, L"DefaultSslRevocationFreshnessTime", &r->freshness,
	    sizeof(DWORD));
	get_value(key, L"DefaultSslRevocationUrlRetrievalTimeout", &r->timeout,
	    sizeof(DWORD));
	r->ctl_id = get_string(key, L"DefaultSslCtlIdentifier");
	r->ctl_store = get_string(key, L"DefaultSslCtlStoreName");
	get_value(key, L"DefaultFlags", &r->flags, sizeof(DWORD));
	return r->store && r->ctl_id && r->ctl_store ? NO_ERROR :
	    ERROR_NOT_ENOUGH_MEMORY;
}

static size_t
wbytes(const wchar_t *s)
{
	return s[0] ? (wcslen(s) + 1) * sizeof(wchar_t) : 0;
}

/* Copy a string into the output tail; NULL for an empty one. */
static wchar_t *
emit_string(BYTE **tail, const wchar_t *s)
{
	size_t n = wbytes(s);
	wchar_t *at = (wchar_t *)*tail;

	if (n == 0)
		return NULL;
	memcpy(at, s, n);
	*tail += n;
	return at;
}

/* Lay r out in buf as a set structure of kind k and what it points at. */
static ULONG
emit(int k, const struct record *r, void *buf, ULONG len, PULONG ret)
{
	size_t head = kinds[k].set_size;
	size_t need = head + sizeof(SOCKADDR_STORAGE) + wbytes(r->host) +
	    r->hash_len + wbytes(r->store) + wbytes(r->ctl_id) +
	    wbytes(r->ctl_store);
	HTTP_SERVICE_CONFIG_SSL_PARAM *p;
	BYTE *tail;

	if (ret != NULL)
		*ret = (ULONG)need;
	if (buf == NULL || len < need)
		return ERROR_INSUFFICIENT_BUFFER;
	memset(buf, 0, need);
	tail = (BYTE *)buf + head;
	p = (HTTP_SERVICE_CONFIG_SSL_PARAM *)params_of(k, buf);
	if (k == K_SNI) {
		HTTP_SERVICE_CONFIG_SSL_SNI_SET *s = buf;

		s->KeyDesc.IpPort = r->addr;
		s->KeyDesc.Host = emit_string(&tail, r->host);
	} else if (k == K_CCS) {
		((HTTP_SERVICE_CONFIG_SSL_CCS_SET *)buf)->KeyDesc.LocalAddress =
		    r->addr;
	} else {
		memcpy(tail, &r->addr, sizeof(SOCKADDR_STORAGE));
		((HTTP_SERVICE_CONFIG_SSL_SET *)buf)->KeyDesc.pIpPort =
		    (PSOCKADDR)tail;
		tail += sizeof(SOCKADDR_STORAGE);
	}
	if (r->hash_len > 0) {
		memcpy(tail, r->hash, r->hash_len);
		p->pSslHash = tail;
		p->SslHashLength = r->hash_len;
		tail += r->hash_len;
	}
	p->AppId = r->app_id;
	p->pSslCertStoreName = emit_string(&tail, r->store);
	p->DefaultCertCheckMode = r->check_mode;
	p->DefaultRevocationFreshnessTime = r->freshness;
	p->DefaultRevocationUrlRetrievalTimeout = r->timeout;
	p->pDefaultSslCtlIdentifier = emit_string(&tail, r->ctl_id);
	p->pDefaultSslCtlStoreName = emit_string(&tail, r->ctl_store);
	p->DefaultFlags = r->flags;
	return NO_ERROR;
}

/* The name of the token'th record of kind k, for QueryNext. */
static ULONG
nth_key(int k, DWORD token, wchar_t *name)
{
	HKEY root;
	DWORD n = KEY_MAX;
	LONG rc;

	if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, kinds[k].root, 0, KEY_READ,
	    &root) != ERROR_SUCCESS)
		return ERROR_NO_MORE_ITEMS;
	/* A Set that did not finish is dropped, and the next key takes its
	 * place in the listing (see committed). */
	while ((rc = RegEnumKeyExW(root, token, name, &n, NULL, NULL, NULL,
	    NULL)) == ERROR_SUCCESS && unfinished(k, name) &&
	    RegDeleteKeyW(root, name) == ERROR_SUCCESS)
		n = KEY_MAX;
	RegCloseKey(root);
	return rc == ERROR_SUCCESS ? NO_ERROR : ERROR_NO_MORE_ITEMS;
}

/*
 * The key's own name as the registry stores it, from its full path
 * (ZwQueryKey, KeyNameInformation: KEY_NAME_INFORMATION, NameLength in
 * bytes, not NUL-terminated).  false when ntdll does not answer.
 */
#define KEY_NAME_INFORMATION_CLASS 3    /* KeyNameInformation (wdm.h) */
typedef LONG (WINAPI *query_key_fn)(HANDLE, int, PVOID, ULONG, PULONG);

static bool
stored_key_name(HKEY key, wchar_t *name)
{
	static query_key_fn query_key;
	ULONG buf[(sizeof(ULONG) + 2 * 1024 * sizeof(wchar_t)) / sizeof(ULONG)];
	const wchar_t *full = (const wchar_t *)(buf + 1), *last;
	ULONG len = 0;
	size_t n, i;

	if (query_key == NULL)
		query_key = (query_key_fn)(void (*)(void))GetProcAddress(
		    GetModuleHandleW(L"ntdll.dll"), "NtQueryKey");
	if (query_key == NULL || query_key(key, KEY_NAME_INFORMATION_CLASS,
	    buf, sizeof(buf), &len) < 0 || buf[0] > sizeof(buf) - sizeof(ULONG))
		return false;
	n = buf[0] / sizeof(wchar_t);
	for (last = full, i = 0; i < n; i++)
		if (full[i] == L'\\')
			last = full + i + 1;
	n -= (size_t)(last - full);
	if (n != wcslen(name) || _wcsnicmp(last, name, n) != 0)
		return false;
	memcpy(name, last, n * sizeof(wchar_t));
	return true;
}

/*
 * The name of the record of kind k that name designates, as it is stored:
 * a host keeps the case it was set with, whatever case a query uses.
 * The record's key is opened (names compare without case) and asked its
 * name: HTTP.sys finds a record without going through all of them, and a
 * walk of every record per query made a reconcile of n bindings cost n^2
 * registry calls here.  The walk stays for when the key cannot say.
 */
static void
stored_name(int k, wchar_t *name)
{
	wchar_t found[KEY_MAX];
	DWORD i, n;
	HKEY root, key;
	bool known;

	if (open_record(k, name, KEY_READ, &key) != ERROR_SUCCESS)
		return;                 /* none: the query says so */
	known = stored_key_name(key, name);
	RegCloseKey(key);
	if (known ||
	    RegOpenKeyExW(HKEY_LOCAL_MACHINE, kinds[k].root, 0, KEY_READ,
	    &root) != ERROR_SUCCESS)
		return;
	for (i = 0; n = KEY_MAX, RegEnumKeyExW(root, i, found, &n, NULL, NULL,
	    NULL, NULL) == ERROR_SUCCESS; i++)
		if (_wcsicmp(found, name) == 0) {
			wcscpy(name, found);
			break;
		}
	RegCloseKey(root);
}

/* The query type, key and token of a query structure of kind k. */
static void
query_fields(int k, const void *input, HTTP_SERVICE_CONFIG_QUERY_TYPE *type,
    const void **key, DWORD *token)
{
	switch (k) {
	case K_SNI: {
		const HTTP_SERVICE_CONFIG_SSL_SNI_QUERY *q = input;

		*type = q->QueryDesc;
		*key = &q->KeyDesc;
		*token = q->dwToken;
		break;
	}
	case K_CCS: {
		const HTTP_SERVICE_CONFIG_SSL_CCS_QUERY *q = input;

		*type = q->QueryDesc;
		*key = &q->KeyDesc;
		*token = q->dwToken;
		break;
	}
	default: {
		const HTTP_SERVICE_CONFIG_SSL_QUERY *q = input;

		*type = q->QueryDesc;
		*key = &q->KeyDesc;
		*token = q->dwToken;
		break;
	}
	}
}

/* The "Corrupt" fault names this record. */
static bool
is_corrupt(const wchar_t *name)
{
	wchar_t text[KEY_MAX];

	return fault_text(L"Corrupt", text, KEY_MAX) &&
	    _wcsicmp(text, name) == 0;
}

/*
 * One query into output; name gets the record's key, *next whether it
 * was an enumeration, hash (64 bytes) and *hash_len what it returned.
 */
static ULONG
query(int k, const void *input, PVOID output, ULONG output_len, PULONG ret,
    wchar_t *name, bool *next, BYTE *hash, DWORD *hash_len)
{
	struct record r;
	HTTP_SERVICE_CONFIG_QUERY_TYPE type;
	const void *keydesc;
	DWORD token;
	HKEY key;
	ULONG rc;

	query_fields(k, input, &type, &keydesc, &token);
	*next = type == HttpServiceConfigQueryNext;
	if (type == HttpServiceConfigQueryExact) {
		if (key_name(k, keydesc, name) != 0)
			return ERROR_INVALID_PARAMETER;
		stored_name(k, name);
	} else if (type == HttpServiceConfigQueryNext) {
		if ((rc = nth_key(k, token, name)) != NO_ERROR)
			return rc;
	} else {
		return ERROR_INVALID_PARAMETER;
	}
	if ((rc = *next ? fault_on(L"QueryNext", name, L"Query") :
	    fault(L"Query", name)) != NO_ERROR)
		return rc;
	if (open_record(k, name, KEY_READ, &key) != ERROR_SUCCESS)
		return ERROR_FILE_NOT_FOUND;
	memset(&r, 0, sizeof(r));
	rc = read_record(key, &r);
	RegCloseKey(key);
	if (rc == NO_ERROR && parse_addr_name(name, &r.addr) != 0)
		rc = ERROR_INVALID_DATA;
	if (rc == NO_ERROR && k == K_SNI) {
		wcscpy(r.host, name);
		*wcsrchr(r.host, L':') = L'\0';
	}
	if (rc == NO_ERROR && is_corrupt(name))
		r.addr.ss_family = 0xBEEF;
	if (rc == NO_ERROR)
		rc = emit(k, &r, output, output_len, ret);
	if (rc == NO_ERROR) {
		memcpy(hash, r.hash, r.hash_len);
		*hash_len = r.hash_len;
	}
	free_record(&r);
	return rc;
}

ULONG WINAPI
HttpQueryServiceConfiguration(HANDLE handle, HTTP_SERVICE_CONFIG_ID id,
    PVOID input, ULONG input_len, PVOID output, ULONG output_len,
    PULONG ret, LPOVERLAPPED overlapped)
{
	wchar_t name[KEY_MAX] = L"";
	BYTE hash[64];
	DWORD hash_len = 0;
	ULONG rc;
	bool next = false;
	int k = kind_of(id);

	(void)handle;
	(void)overlapped;
	if (!initialized())
		rc = ERROR_INVALID_HANDLE;
	else if (k < 0 || input == NULL || input_len < kinds[k].query_size)
		rc = ERROR_INVALID_PARAMETER;
	else
		rc = query(k, input, output, output_len, ret, name, &next,
		    hash, &hash_len);
	trace_call(next ? "QueryNext" : "Query", k, name, rc, hash, hash_len);
	log_call("Query", k, name, rc);
	return rc;
}
