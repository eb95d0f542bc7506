/*
 * httpapi.c - a stand-in httpapi.dll that keeps HTTP.sys SSL records the
 * way Windows documents them, for running certbind's tests under Wine.
 *
 * Wine 8's own httpapi.dll stubs the configuration functions: Set returns
 * success and stores nothing, Query always answers not found, and
 * HttpUpdateServiceConfiguration is not exported.  This DLL is put beside
 * certbind.exe and loaded with WINEDLLOVERRIDES=httpapi=n.  It implements
 * the documented contract for HttpServiceConfigSSLCertInfo:
 *   Set     ERROR_ALREADY_EXISTS if the key has a record
 *   Update  ERROR_FILE_NOT_FOUND if it has none (Windows 10 1703 and later)
 *   Delete  ERROR_FILE_NOT_FOUND if it has none
 *   Query   exact: ERROR_FILE_NOT_FOUND if none; next: by dwToken, then
 *           ERROR_NO_MORE_ITEMS; a short buffer gets ERROR_INSUFFICIENT_BUFFER
 *           with the size needed in *pReturnLength
 * Records persist where Windows keeps them, one registry key per endpoint:
 *   HKLM\SYSTEM\CurrentControlSet\Services\HTTP\Parameters\SslBindingInfo\
 *   0.0.0.0:443 (IPv4) or [::]:443 (IPv6)
 * so `wine reg query` shows what certbind wrote, across processes.
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#define HTTPAPI_LINKAGE    /* we define these functions, not import them */
#include <http.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#define SSL_ROOT L"SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters\\" \
    L"SslBindingInfo"
#define KEY_MAX 80

ULONG WINAPI HttpUpdateServiceConfiguration(HANDLE, HTTP_SERVICE_CONFIG_ID,
    PVOID, ULONG, LPOVERLAPPED);

ULONG WINAPI
HttpInitialize(HTTPAPI_VERSION version, ULONG flags, PVOID reserved)
{
	(void)version;
	(void)reserved;
	if (flags & ~(ULONG)(HTTP_INITIALIZE_CONFIG | HTTP_INITIALIZE_SERVER))
		return ERROR_INVALID_PARAMETER;
	return NO_ERROR;
}

ULONG WINAPI
HttpTerminate(ULONG flags, PVOID reserved)
{
	(void)flags;
	(void)reserved;
	return NO_ERROR;
}

/* "0.0.0.0:443" or "[::1]:443"; 0 on success. */
static int
key_name(const SOCKADDR *sa, wchar_t *out)
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

/* The inverse of key_name(), for enumeration. */
static int
parse_key_name(const wchar_t *name, SOCKADDR_STORAGE *ss)
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
	} else {
		SOCKADDR_IN *in = (SOCKADDR_IN *)ss;

		wmemcpy(addr, name, len);
		addr[len] = L'\0';
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		return InetPtonW(AF_INET, addr, &in->sin_addr) == 1 ? 0 : -1;
	}
}

/* HKLM-relative path of the record for key name. */
static const wchar_t *
record_path(const wchar_t *name, wchar_t path[256])
{
	swprintf(path, 256, L"%ls\\%ls", SSL_ROOT, name);
	return path;
}

static LONG
open_record(const wchar_t *name, REGSAM access, HKEY *key)
{
	wchar_t path[256];

	return RegOpenKeyExW(HKEY_LOCAL_MACHINE, record_path(name, path), 0,
	    access, key);
}

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

static void
write_params(HKEY key, const HTTP_SERVICE_CONFIG_SSL_PARAM *p)
{
	RegSetValueExW(key, L"SslCertHash", 0, REG_BINARY, p->pSslHash,
	    p->SslHashLength);
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
}

/* Checks shared by Set, Update and Delete; fills the key name. */
static ULONG
check_set(HTTP_SERVICE_CONFIG_ID id, const void *info, ULONG len,
    bool need_params, wchar_t *name)
{
	const HTTP_SERVICE_CONFIG_SSL_SET *set = info;

	if (id != HttpServiceConfigSSLCertInfo)
		return ERROR_INVALID_PARAMETER;
	if (set == NULL || len < sizeof(*set))
		return ERROR_INVALID_PARAMETER;
	if (key_name(set->KeyDesc.pIpPort, name) != 0)
		return ERROR_INVALID_PARAMETER;
	if (need_params && (set->ParamDesc.pSslHash == NULL ||
	    set->ParamDesc.SslHashLength == 0 ||
	    set->ParamDesc.SslHashLength > 64))
		return ERROR_INVALID_PARAMETER;
	return NO_ERROR;
}

ULONG WINAPI
HttpSetServiceConfiguration(HANDLE handle, HTTP_SERVICE_CONFIG_ID id,
    PVOID info, ULONG len, LPOVERLAPPED overlapped)
{
	const HTTP_SERVICE_CONFIG_SSL_SET *set = info;
	wchar_t name[KEY_MAX], path[256];
	DWORD disposition;
	HKEY key;
	ULONG rc;

	(void)handle;
	(void)overlapped;
	if ((rc = check_set(id, info, len, true, name)) != NO_ERROR)
		return rc;
	if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, record_path(name, path), 0,
	    NULL, 0, KEY_ALL_ACCESS, NULL, &key, &disposition) != ERROR_SUCCESS)
		return ERROR_ACCESS_DENIED;
	if (disposition != REG_CREATED_NEW_KEY) {
		RegCloseKey(key);
		return ERROR_ALREADY_EXISTS;
	}
	write_params(key, &set->ParamDesc);
	RegCloseKey(key);
	return NO_ERROR;
}

ULONG WINAPI
HttpUpdateServiceConfiguration(HANDLE handle, HTTP_SERVICE_CONFIG_ID id,
    PVOID info, ULONG len, LPOVERLAPPED overlapped)
{
	const HTTP_SERVICE_CONFIG_SSL_SET *set = info;
	wchar_t name[KEY_MAX];
	HKEY key;
	ULONG rc;

	(void)handle;
	(void)overlapped;
	if ((rc = check_set(id, info, len, true, name)) != NO_ERROR)
		return rc;
	if (open_record(name, KEY_ALL_ACCESS, &key) != ERROR_SUCCESS)
		return ERROR_FILE_NOT_FOUND;
	write_params(key, &set->ParamDesc);
	RegCloseKey(key);
	return NO_ERROR;
}

ULONG WINAPI
HttpDeleteServiceConfiguration(HANDLE handle, HTTP_SERVICE_CONFIG_ID id,
    PVOID info, ULONG len, LPOVERLAPPED overlapped)
{
	wchar_t name[KEY_MAX], path[256];
	ULONG rc;

	(void)handle;
	(void)overlapped;
	if ((rc = check_set(id, info, len, false, name)) != NO_ERROR)
		return rc;
	if (RegDeleteKeyW(HKEY_LOCAL_MACHINE, record_path(name, path)) !=
	    ERROR_SUCCESS)
		return ERROR_FILE_NOT_FOUND;
	return NO_ERROR;
}

/* Read one value into dst (size bytes at most); its length, 0 if absent. */
static DWORD
get_value(HKEY key, const wchar_t *name, void *dst, DWORD size)
{
	if (RegQueryValueExW(key, name, NULL, NULL, dst, &size) != ERROR_SUCCESS)
		return 0;
	return size;
}

/* One record in the layout Query returns, built in a local buffer. */
struct record {
	SOCKADDR_STORAGE addr;
	BYTE hash[64];
	DWORD hash_len;
	GUID app_id;
	DWORD check_mode, freshness, timeout, flags;
	wchar_t store[128], ctl_id[256], ctl_store[128];
};

static void
read_record(HKEY key, struct record *r)
{
	r->hash_len = get_value(key, L"SslCertHash", r->hash, sizeof(r->hash));
	get_value(key, L"AppId", &r->app_id, sizeof(r->app_id));
	get_value(key, L"SslCertStoreName", r->store, sizeof(r->store));
	get_value(key, L"DefaultSslCertCheckMode", &r->check_mode,
	    sizeof(DWORD));
	get_value(key, L"DefaultSslRevocationFreshnessTime", &r->freshness,
	    sizeof(DWORD));
	get_value(key, L"DefaultSslRevocationUrlRetrievalTimeout", &r->timeout,
	    sizeof(DWORD));
	get_value(key, L"DefaultSslCtlIdentifier", r->ctl_id,
	    sizeof(r->ctl_id));
	get_value(key, L"DefaultSslCtlStoreName", r->ctl_store,
	    sizeof(r->ctl_store));
	get_value(key, L"DefaultFlags", &r->flags, sizeof(DWORD));
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

/* Lay r out in buf as an HTTP_SERVICE_CONFIG_SSL_SET and what it points at. */
static ULONG
emit(const struct record *r, void *buf, ULONG len, PULONG ret)
{
	HTTP_SERVICE_CONFIG_SSL_SET *set = buf;
	size_t need = sizeof(*set) + sizeof(SOCKADDR_STORAGE) + r->hash_len +
	    wbytes(r->store) + wbytes(r->ctl_id) + wbytes(r->ctl_store);
	BYTE *tail;

	if (ret != NULL)
		*ret = (ULONG)need;
	if (buf == NULL || len < need)
		return ERROR_INSUFFICIENT_BUFFER;
	memset(buf, 0, need);
	tail = (BYTE *)(set + 1);
	memcpy(tail, &r->addr, sizeof(SOCKADDR_STORAGE));
	set->KeyDesc.pIpPort = (PSOCKADDR)tail;
	tail += sizeof(SOCKADDR_STORAGE);
	memcpy(tail, r->hash, r->hash_len);
	set->ParamDesc.pSslHash = tail;
	set->ParamDesc.SslHashLength = r->hash_len;
	tail += r->hash_len;
	set->ParamDesc.AppId = r->app_id;
	set->ParamDesc.pSslCertStoreName = emit_string(&tail, r->store);
	set->ParamDesc.DefaultCertCheckMode = r->check_mode;
	set->ParamDesc.DefaultRevocationFreshnessTime = r->freshness;
	set->ParamDesc.DefaultRevocationUrlRetrievalTimeout = r->timeout;
	set->ParamDesc.pDefaultSslCtlIdentifier = emit_string(&tail, r->ctl_id);
	set->ParamDesc.pDefaultSslCtlStoreName = emit_string(&tail, r->ctl_store);
	set->ParamDesc.DefaultFlags = r->flags;
	return NO_ERROR;
}

/* The name of the dwToken'th record, for HttpServiceConfigQueryNext. */
static ULONG
nth_key(DWORD token, wchar_t *name)
{
	HKEY root;
	DWORD n = KEY_MAX;
	LONG rc;

	if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, SSL_ROOT, 0, KEY_READ, &root) !=
	    ERROR_SUCCESS)
		return ERROR_NO_MORE_ITEMS;
	rc = RegEnumKeyExW(root, token, name, &n, NULL, NULL, NULL, NULL);
	RegCloseKey(root);
	return rc == ERROR_SUCCESS ? NO_ERROR : ERROR_NO_MORE_ITEMS;
}

ULONG WINAPI
HttpQueryServiceConfiguration(HANDLE handle, HTTP_SERVICE_CONFIG_ID id,
    PVOID input, ULONG input_len, PVOID output, ULONG output_len,
    PULONG ret, LPOVERLAPPED overlapped)
{
	const HTTP_SERVICE_CONFIG_SSL_QUERY *q = input;
	static struct record r;     /* large; one caller at a time in tests */
	wchar_t name[KEY_MAX];
	HKEY key;
	ULONG rc;

	(void)handle;
	(void)overlapped;
	if (id != HttpServiceConfigSSLCertInfo || q == NULL ||
	    input_len < sizeof(*q))
		return ERROR_INVALID_PARAMETER;
	if (q->QueryDesc == HttpServiceConfigQueryExact) {
		if (key_name(q->KeyDesc.pIpPort, name) != 0)
			return ERROR_INVALID_PARAMETER;
	} else if (q->QueryDesc == HttpServiceConfigQueryNext) {
		if ((rc = nth_key(q->dwToken, name)) != NO_ERROR)
			return rc;
	} else {
		return ERROR_INVALID_PARAMETER;
	}
	if (open_record(name, KEY_READ, &key) != ERROR_SUCCESS)
		return ERROR_FILE_NOT_FOUND;
	memset(&r, 0, sizeof(r));
	read_record(key, &r);
	RegCloseKey(key);
	if (parse_key_name(name, &r.addr) != 0)
		return ERROR_INVALID_DATA;
	return emit(&r, output, output_len, ret);
}
