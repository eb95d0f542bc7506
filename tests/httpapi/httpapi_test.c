/*
 * httpapi_test.c - checks that the stand-in httpapi.dll keeps the Windows
 * contract certbind is written to.  Runs under Wine with the stand-in
 * beside it (WINEDLLOVERRIDES=httpapi=n); prints TAP.
 *
 * If these pass against the stand-in but certbind misbehaves on Windows,
 * the stand-in is wrong: every expectation here is from the documentation
 * of HttpSetServiceConfiguration, HttpUpdateServiceConfiguration,
 * HttpDeleteServiceConfiguration and HttpQueryServiceConfiguration.
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef ULONG (WINAPI *update_fn)(HANDLE, HTTP_SERVICE_CONFIG_ID, PVOID,
    ULONG, LPOVERLAPPED);

static int tests, failures;

static void
check(int ok, const char *what, ULONG got)
{
	tests++;
	if (ok) {
		printf("ok %d - %s\n", tests, what);
	} else {
		failures++;
		printf("not ok %d - %s (got %lu)\n", tests, what,
		    (unsigned long)got);
	}
}

struct rec {
	HTTP_SERVICE_CONFIG_SSL_SET set;
	SOCKADDR_STORAGE addr;
	BYTE hash[20];
};

static void
make(struct rec *r, int family, const char *ip, USHORT port, BYTE fill)
{
	memset(r, 0, sizeof(*r));
	if (family == AF_INET) {
		SOCKADDR_IN *in = (SOCKADDR_IN *)&r->addr;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		inet_pton(AF_INET, ip, &in->sin_addr);
	} else {
		SOCKADDR_IN6 *in6 = (SOCKADDR_IN6 *)&r->addr;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &in6->sin6_addr);
	}
	memset(r->hash, fill, sizeof(r->hash));
	r->set.KeyDesc.pIpPort = (PSOCKADDR)&r->addr;
	r->set.ParamDesc.pSslHash = r->hash;
	r->set.ParamDesc.SslHashLength = sizeof(r->hash);
	r->set.ParamDesc.pSslCertStoreName = L"MY";
	r->set.ParamDesc.DefaultFlags = HTTP_SERVICE_CONFIG_SSL_FLAG_NEGOTIATE_CLIENT_CERT;
	r->set.ParamDesc.DefaultRevocationFreshnessTime = 600;
	r->set.ParamDesc.AppId.Data1 = 0x12345678;
}

static ULONG
set(struct rec *r)
{
	return HttpSetServiceConfiguration(NULL, HttpServiceConfigSSLCertInfo,
	    &r->set, sizeof(r->set), NULL);
}

static ULONG
del(struct rec *r)
{
	return HttpDeleteServiceConfiguration(NULL,
	    HttpServiceConfigSSLCertInfo, &r->set, sizeof(r->set), NULL);
}

static ULONG
query(struct rec *r, void *buf, ULONG len, ULONG *need)
{
	HTTP_SERVICE_CONFIG_SSL_QUERY q;

	memset(&q, 0, sizeof(q));
	q.QueryDesc = HttpServiceConfigQueryExact;
	q.KeyDesc.pIpPort = (PSOCKADDR)&r->addr;
	return HttpQueryServiceConfiguration(NULL, HttpServiceConfigSSLCertInfo,
	    &q, sizeof(q), buf, len, need, NULL);
}

static ULONG
query_next(DWORD token, void *buf, ULONG len, ULONG *need)
{
	HTTP_SERVICE_CONFIG_SSL_QUERY q;

	memset(&q, 0, sizeof(q));
	q.QueryDesc = HttpServiceConfigQueryNext;
	q.dwToken = token;
	return HttpQueryServiceConfiguration(NULL, HttpServiceConfigSSLCertInfo,
	    &q, sizeof(q), buf, len, need, NULL);
}

int
main(void)
{
	HTTPAPI_VERSION v = HTTPAPI_VERSION_1;
	update_fn update = (update_fn)(void *)GetProcAddress(
	    GetModuleHandleW(L"httpapi.dll"), "HttpUpdateServiceConfiguration");
	struct rec a, b, c;
	BYTE buf[4096];
	HTTP_SERVICE_CONFIG_SSL_SET *got = (void *)buf;
	ULONG rc, need = 0;
	DWORD token;
	HKEY key;

	check(HttpInitialize(v, HTTP_INITIALIZE_CONFIG, NULL) == NO_ERROR,
	    "HttpInitialize(CONFIG)", 0);
	make(&a, AF_INET, "0.0.0.0", 9443, 0xAA);
	make(&b, AF_INET6, "::", 9443, 0xBB);
	make(&c, AF_INET, "192.0.2.7", 443, 0xCC);

	rc = query(&a, buf, sizeof(buf), &need);
	check(rc == ERROR_FILE_NOT_FOUND, "query of a missing record: ERROR_FILE_NOT_FOUND", rc);
	rc = del(&a);
	check(rc == ERROR_FILE_NOT_FOUND, "delete of a missing record: ERROR_FILE_NOT_FOUND", rc);
	check(update != NULL, "HttpUpdateServiceConfiguration is exported", 0);
	rc = update ? update(NULL, HttpServiceConfigSSLCertInfo, &a.set,
	    sizeof(a.set), NULL) : 0;
	check(rc == ERROR_FILE_NOT_FOUND,
	    "update of a missing record: ERROR_FILE_NOT_FOUND", rc);

	rc = set(&a);
	check(rc == NO_ERROR, "set a new IPv4 record", rc);
	rc = set(&a);
	check(rc == ERROR_ALREADY_EXISTS, "set on an existing key: ERROR_ALREADY_EXISTS", rc);
	rc = set(&b);
	check(rc == NO_ERROR, "set a new IPv6 record", rc);
	rc = set(&c);
	check(rc == NO_ERROR, "set a second IPv4 record", rc);

	rc = query(&a, buf, 8, &need);
	check(rc == ERROR_INSUFFICIENT_BUFFER && need > sizeof(*got),
	    "short buffer: ERROR_INSUFFICIENT_BUFFER with the size needed", rc);
	rc = query(&a, buf, need, &need);
	check(rc == NO_ERROR, "query with the size it asked for", rc);
	check(rc == NO_ERROR && got->ParamDesc.SslHashLength == 20 &&
	    memcmp(got->ParamDesc.pSslHash, a.hash, 20) == 0 &&
	    got->ParamDesc.AppId.Data1 == 0x12345678 &&
	    got->ParamDesc.DefaultFlags == HTTP_SERVICE_CONFIG_SSL_FLAG_NEGOTIATE_CLIENT_CERT &&
	    got->ParamDesc.DefaultRevocationFreshnessTime == 600 &&
	    got->ParamDesc.pSslCertStoreName != NULL &&
	    wcscmp(got->ParamDesc.pSslCertStoreName, L"MY") == 0 &&
	    got->ParamDesc.pDefaultSslCtlIdentifier == NULL,
	    "query returns every field that was set", 0);

	memset(a.hash, 0xAB, sizeof(a.hash));
	rc = update ? update(NULL, HttpServiceConfigSSLCertInfo, &a.set,
	    sizeof(a.set), NULL) : 1;
	check(rc == NO_ERROR, "update an existing record", rc);
	rc = query(&a, buf, sizeof(buf), &need);
	check(rc == NO_ERROR && ((BYTE *)got->ParamDesc.pSslHash)[0] == 0xAB,
	    "query after update shows the new hash", rc);

	for (token = 0; query_next(token, buf, sizeof(buf), &need) == NO_ERROR;)
		token++;
	check(token == 3, "query-next enumerates all three records", token);
	rc = query_next(token, buf, sizeof(buf), &need);
	check(rc == ERROR_NO_MORE_ITEMS, "query-next past the end: ERROR_NO_MORE_ITEMS", rc);

	rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"SYSTEM\\CurrentControlSet\\"
	    L"Services\\HTTP\\Parameters\\SslBindingInfo\\[::]:9443", 0,
	    KEY_READ, &key);
	check(rc == ERROR_SUCCESS, "IPv6 record kept under SslBindingInfo\\[::]:9443",
	    (ULONG)rc);
	if (rc == ERROR_SUCCESS)
		RegCloseKey(key);

	rc = del(&a);
	check(rc == NO_ERROR, "delete an existing record", rc);
	rc = query(&a, buf, sizeof(buf), &need);
	check(rc == ERROR_FILE_NOT_FOUND, "query after delete: ERROR_FILE_NOT_FOUND", rc);
	del(&b);
	del(&c);
	HttpTerminate(HTTP_INITIALIZE_CONFIG, NULL);
	printf("1..%d\n", tests);
	return failures ? 1 : 0;
}
