/*
 * httpapi_test.c - checks that the stand-in httpapi.dll keeps the Windows
 * contract certbind is written to.  Runs under Wine with the stand-in
 * beside it (WINEDLLOVERRIDES=httpapi=n); prints TAP.
 *
 * If these pass against the stand-in but certbind misbehaves on Windows,
 * the stand-in is wrong: every expectation here is from the documentation
 * of HttpSetServiceConfiguration, HttpUpdateServiceConfiguration,
 * HttpDeleteServiceConfiguration and HttpQueryServiceConfiguration, for
 * IP, SNI and Central Certificate Store records.  The last checks cover
 * the stand-in's own fault injection, which tests rely on.
 *
 *   httpapi_test KEYED KEYED2 KEYLESS WEBHOSTING
 * takes the thumbprints of certificates the caller put in the store
 * (tests/integration/lib.sh, stand_in_contract): two in LocalMachine\My
 * with a private key, one there without, one in LocalMachine\WebHosting
 * with a key.  HTTP.sys refuses a record whose certificate it cannot use,
 * so every record set here names a real one.
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <http.h>
#include "../../service/httpsys_decl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef ULONG (WINAPI *update_fn)(HANDLE, HTTP_SERVICE_CONFIG_ID, PVOID,
    ULONG, LPOVERLAPPED);

static int tests, failures;

/* The certificates from the command line. */
static BYTE keyed[20], keyed2[20], keyless[20], webhosting[20];

static int
parse_thumb(const char *hex, BYTE out[20])
{
	unsigned v;
	int i;

	if (strlen(hex) != 40)
		return -1;
	for (i = 0; i < 20; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (BYTE)v;
	}
	return 0;
}

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
make(struct rec *r, int family, const char *ip, USHORT port,
    const BYTE *hash)
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
	memcpy(r->hash, hash, sizeof(r->hash));
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

/* SNI (hostname:port) and ccs:port records, in their own tables. */
static void
test_sni_ccs(void)
{
	HTTP_SERVICE_CONFIG_SSL_SNI_SET sni;
	HTTP_SERVICE_CONFIG_SSL_SNI_QUERY sq;
	HTTP_SERVICE_CONFIG_SSL_CCS_SET ccs;
	HTTP_SERVICE_CONFIG_SSL_CCS_QUERY cq;
	HTTP_SERVICE_CONFIG_SSL_SNI_SET *sgot;
	HTTP_SERVICE_CONFIG_SSL_CCS_SET *cgot;
	BYTE buf[4096], *hash = keyed;
	ULONG rc, need = 0;
	HKEY key;

	memset(&sni, 0, sizeof(sni));
	((SOCKADDR_IN *)&sni.KeyDesc.IpPort)->sin_family = AF_INET;
	((SOCKADDR_IN *)&sni.KeyDesc.IpPort)->sin_port = htons(443);
	sni.KeyDesc.Host = L"WWW.Example.Test";
	sni.ParamDesc.pSslHash = hash;
	sni.ParamDesc.SslHashLength = 20;
	sni.ParamDesc.DefaultFlags = 0x10;
	rc = HttpSetServiceConfiguration(NULL, HttpServiceConfigSslSniCertInfo,
	    &sni, sizeof(sni), NULL);
	check(rc == NO_ERROR, "set an SNI record", rc);
	rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"SYSTEM\\CurrentControlSet\\"
	    L"Services\\HTTP\\Parameters\\SslSniBindingInfo\\"
	    L"www.example.test:443", 0, KEY_READ, &key);
	check(rc == ERROR_SUCCESS, "SNI record kept under SslSniBindingInfo\\"
	    "www.example.test:443", (ULONG)rc);
	if (rc == ERROR_SUCCESS)
		RegCloseKey(key);
	/* Found ignoring case, and returned with the case it was set with. */
	memset(&sq, 0, sizeof(sq));
	sq.QueryDesc = HttpServiceConfigQueryExact;
	sq.KeyDesc = sni.KeyDesc;
	sq.KeyDesc.Host = L"www.example.test";
	rc = HttpQueryServiceConfiguration(NULL, HttpServiceConfigSslSniCertInfo,
	    &sq, sizeof(sq), buf, sizeof(buf), &need, NULL);
	sgot = (void *)buf;
	check(rc == NO_ERROR && sgot->KeyDesc.Host != NULL &&
	    wcscmp(sgot->KeyDesc.Host, L"WWW.Example.Test") == 0 &&
	    ntohs(((SOCKADDR_IN *)&sgot->KeyDesc.IpPort)->sin_port) == 443 &&
	    sgot->ParamDesc.DefaultFlags == 0x10 &&
	    memcmp(sgot->ParamDesc.pSslHash, hash, 20) == 0,
	    "query an SNI record by host and port, in any case; its host "
	    "comes back as set", rc);
	sq.QueryDesc = HttpServiceConfigQueryNext;
	sq.dwToken = 1;
	rc = HttpQueryServiceConfiguration(NULL, HttpServiceConfigSslSniCertInfo,
	    &sq, sizeof(sq), buf, sizeof(buf), &need, NULL);
	check(rc == ERROR_NO_MORE_ITEMS, "SNI query-next ends after one", rc);

	memset(&ccs, 0, sizeof(ccs));
	((SOCKADDR_IN *)&ccs.KeyDesc.LocalAddress)->sin_family = AF_INET;
	((SOCKADDR_IN *)&ccs.KeyDesc.LocalAddress)->sin_port = htons(443);
	ccs.ParamDesc.DefaultFlags = 0x400;
	rc = HttpSetServiceConfiguration(NULL, HttpServiceConfigSslCcsCertInfo,
	    &ccs, sizeof(ccs), NULL);
	check(rc == NO_ERROR, "set a ccs record, which names no certificate", rc);
	memset(&cq, 0, sizeof(cq));
	cq.QueryDesc = HttpServiceConfigQueryNext;
	rc = HttpQueryServiceConfiguration(NULL, HttpServiceConfigSslCcsCertInfo,
	    &cq, sizeof(cq), buf, sizeof(buf), &need, NULL);
	cgot = (void *)buf;
	check(rc == NO_ERROR && cgot->ParamDesc.pSslHash == NULL &&
	    cgot->ParamDesc.DefaultFlags == 0x400 &&
	    ntohs(((SOCKADDR_IN *)&cgot->KeyDesc.LocalAddress)->sin_port) == 443,
	    "enumerate the ccs record", rc);
	rc = HttpDeleteServiceConfiguration(NULL, HttpServiceConfigSslSniCertInfo,
	    &sni, sizeof(sni), NULL);
	check(rc == NO_ERROR, "delete the SNI record", rc);
	rc = HttpDeleteServiceConfiguration(NULL, HttpServiceConfigSslCcsCertInfo,
	    &ccs, sizeof(ccs), NULL);
	check(rc == NO_ERROR, "delete the ccs record", rc);
}

/* Faults: "N ERROR" fails the next N calls, then calls pass again. */
/*
 * Strings come back whole however long, and a record set with no store
 * name comes back with none (NULL: "MY" to HTTP.sys).
 */
static void
test_long_strings(void)
{
	static BYTE buf[65536];
	static wchar_t id[2001], store[301];
	HTTP_SERVICE_CONFIG_SSL_SET *got = (void *)buf;
	struct rec r;
	ULONG rc, need = 0;
	int i;

	for (i = 0; i < 2000; i++)
		id[i] = (wchar_t)(L'A' + i % 26);
	for (i = 0; i < 300; i++)
		store[i] = (wchar_t)(L'a' + i % 26);
	make(&r, AF_INET, "10.7.7.7", 443, keyed);
	r.set.ParamDesc.pDefaultSslCtlIdentifier = id;
	r.set.ParamDesc.pDefaultSslCtlStoreName = store;
	r.set.ParamDesc.pSslCertStoreName = NULL;
	rc = set(&r);
	check(rc == NO_ERROR, "set a record with long CTL values, no store", rc);
	rc = query(&r, buf, sizeof(buf), &need);
	check(rc == NO_ERROR && got->ParamDesc.pDefaultSslCtlIdentifier != NULL &&
	    wcscmp(got->ParamDesc.pDefaultSslCtlIdentifier, id) == 0,
	    "a 2000-character CTL identifier comes back whole", rc);
	check(rc == NO_ERROR && got->ParamDesc.pDefaultSslCtlStoreName != NULL &&
	    wcscmp(got->ParamDesc.pDefaultSslCtlStoreName, store) == 0,
	    "a 300-character CTL store name comes back whole", rc);
	check(rc == NO_ERROR && got->ParamDesc.pSslCertStoreName == NULL,
	    "no store name comes back as none", rc);
	del(&r);
}

static void
test_faults(struct rec *r)
{
	HKEY key;
	ULONG rc1, rc2, rc3;

	RegCreateKeyExW(HKEY_LOCAL_MACHINE, L"Software\\CertBindStandIn\\Faults",
	    0, NULL, 0, KEY_ALL_ACCESS, NULL, &key, NULL);
	RegSetValueExW(key, L"Set", 0, REG_SZ, (const BYTE *)L"2 1450",
	    7 * sizeof(wchar_t));
	RegCloseKey(key);
	rc1 = set(r);
	rc2 = set(r);
	rc3 = set(r);
	check(rc1 == 1450 && rc2 == 1450, "a fault fails the next N calls",
	    rc1);
	check(rc3 == NO_ERROR, "and then calls pass again", rc3);
	del(r);
}

/* Every configuration call needs HttpInitialize(HTTP_INITIALIZE_CONFIG). */
static void
test_uninitialized(struct rec *r, const char *when)
{
	char what[128];
	BYTE buf[4096];
	ULONG rc, need = 0;

	rc = set(r);
	snprintf(what, sizeof(what), "set %s: ERROR_INVALID_HANDLE", when);
	check(rc == ERROR_INVALID_HANDLE, what, rc);
	rc = query(r, buf, sizeof(buf), &need);
	snprintf(what, sizeof(what), "query %s: ERROR_INVALID_HANDLE", when);
	check(rc == ERROR_INVALID_HANDLE, what, rc);
	rc = del(r);
	snprintf(what, sizeof(what), "delete %s: ERROR_INVALID_HANDLE", when);
	check(rc == ERROR_INVALID_HANDLE, what, rc);
}

/* Set and Update name a certificate HTTP.sys must be able to use. */
static void
test_certificate_checks(struct rec *r, update_fn update)
{
	static const BYTE unknown[20] = { 0x11, 0x22, 0x33 };
	BYTE buf[4096];
	HTTP_SERVICE_CONFIG_SSL_SET *got = (void *)buf;
	ULONG rc, need = 0;

	memcpy(r->hash, unknown, 20);
	rc = set(r);
	check(rc == ERROR_NO_SUCH_LOGON_SESSION,
	    "set with a certificate not in the store: 1312", rc);
	memcpy(r->hash, keyless, 20);
	rc = set(r);
	check(rc == ERROR_NO_SUCH_LOGON_SESSION,
	    "set with a certificate without a private key: 1312", rc);
	memcpy(r->hash, webhosting, 20);
	rc = set(r);
	check(rc == ERROR_NO_SUCH_LOGON_SESSION,
	    "set naming MY with a certificate in WebHosting: 1312", rc);
	r->set.ParamDesc.pSslCertStoreName = L"WebHosting";
	rc = set(r);
	check(rc == NO_ERROR, "set naming WebHosting with a certificate there",
	    rc);
	del(r);
	memcpy(r->hash, keyed, 20);
	r->set.ParamDesc.pSslCertStoreName = NULL;
	rc = set(r);
	check(rc == NO_ERROR, "set with no store name means MY", rc);
	r->set.ParamDesc.pSslCertStoreName = L"";
	rc = del(r);
	check(rc == NO_ERROR, "delete needs no usable certificate", rc);
	rc = set(r);
	check(rc == NO_ERROR, "set with an empty store name means MY", rc);
	r->set.ParamDesc.pSslCertStoreName = L"MY";
	if (update != NULL) {
		memcpy(r->hash, keyless, 20);
		rc = update(NULL, HttpServiceConfigSSLCertInfo, &r->set,
		    sizeof(r->set), NULL);
		check(rc == ERROR_NO_SUCH_LOGON_SESSION,
		    "update to a certificate without a private key: 1312", rc);
		rc = query(r, buf, sizeof(buf), &need);
		check(rc == NO_ERROR &&
		    memcmp(got->ParamDesc.pSslHash, keyed, 20) == 0,
		    "and the record is unchanged", rc);
	}
	rc = HttpSetServiceConfiguration(NULL, HttpServiceConfigSSLCertInfo,
	    &r->set, sizeof(r->set) - 1, NULL);
	check(rc == ERROR_INVALID_PARAMETER,
	    "set with a short structure: ERROR_INVALID_PARAMETER", rc);
	{
		HTTP_SERVICE_CONFIG_SSL_QUERY q;

		memset(&q, 0, sizeof(q));
		q.QueryDesc = HttpServiceConfigQueryExact;
		q.KeyDesc.pIpPort = (PSOCKADDR)&r->addr;
		rc = HttpQueryServiceConfiguration(NULL,
		    HttpServiceConfigSSLCertInfo, &q, sizeof(q) - 1, buf,
		    sizeof(buf), &need, NULL);
		check(rc == ERROR_INVALID_PARAMETER,
		    "query with a short structure: ERROR_INVALID_PARAMETER", rc);
	}
	memcpy(r->hash, keyed, 20);
	del(r);
}

/* SNI and ccs keys must carry the IPv4 wildcard address. */
static void
test_key_checks(void)
{
	HTTP_SERVICE_CONFIG_SSL_SNI_SET sni;
	HTTP_SERVICE_CONFIG_SSL_CCS_SET ccs;
	ULONG rc;

	memset(&sni, 0, sizeof(sni));
	((SOCKADDR_IN *)&sni.KeyDesc.IpPort)->sin_family = AF_INET;
	((SOCKADDR_IN *)&sni.KeyDesc.IpPort)->sin_port = htons(443);
	inet_pton(AF_INET, "127.0.0.1",
	    &((SOCKADDR_IN *)&sni.KeyDesc.IpPort)->sin_addr);
	sni.KeyDesc.Host = L"www.example.test";
	sni.ParamDesc.pSslHash = keyed;
	sni.ParamDesc.SslHashLength = 20;
	rc = HttpSetServiceConfiguration(NULL, HttpServiceConfigSslSniCertInfo,
	    &sni, sizeof(sni), NULL);
	check(rc == ERROR_INVALID_PARAMETER,
	    "SNI key on 127.0.0.1: ERROR_INVALID_PARAMETER", rc);
	memset(&ccs, 0, sizeof(ccs));
	((SOCKADDR_IN6 *)&ccs.KeyDesc.LocalAddress)->sin6_family = AF_INET6;
	((SOCKADDR_IN6 *)&ccs.KeyDesc.LocalAddress)->sin6_port = htons(443);
	rc = HttpSetServiceConfiguration(NULL, HttpServiceConfigSslCcsCertInfo,
	    &ccs, sizeof(ccs), NULL);
	check(rc == ERROR_INVALID_PARAMETER,
	    "ccs key on [::]: ERROR_INVALID_PARAMETER", rc);
	rc = HttpDeleteServiceConfiguration(NULL, HttpServiceConfigSslCcsCertInfo,
	    &ccs, sizeof(ccs), NULL);
	check(rc == ERROR_INVALID_PARAMETER,
	    "delete of a ccs key on [::]: ERROR_INVALID_PARAMETER", rc);
}

static void
set_fault(const wchar_t *name, const wchar_t *text)
{
	HKEY key;

	RegCreateKeyExW(HKEY_LOCAL_MACHINE, L"Software\\CertBindStandIn\\Faults",
	    0, NULL, 0, KEY_ALL_ACCESS, NULL, &key, NULL);
	if (text != NULL)
		RegSetValueExW(key, name, 0, REG_SZ, (const BYTE *)text,
		    (DWORD)((wcslen(text) + 1) * sizeof(wchar_t)));
	else
		RegDeleteValueW(key, name);
	RegCloseKey(key);
}

/* "Unusable": a certificate with a key HTTP.sys nonetheless cannot use. */
static void
test_unusable_fault(struct rec *r)
{
	wchar_t text[64];
	ULONG rc;
	int i;

	for (i = 0; i < 20; i++)
		swprintf(text + 2 * i, 3, L"%02x", keyed[i]);
	set_fault(L"Unusable", text);
	rc = set(r);
	check(rc == ERROR_NO_SUCH_LOGON_SESSION,
	    "a certificate listed as Unusable: 1312", rc);
	set_fault(L"Unusable", NULL);
	rc = set(r);
	check(rc == NO_ERROR, "and usable again once unlisted", rc);
	del(r);
}

/* "Corrupt": one record comes back with an address family of 0xBEEF. */
static void
test_corrupt_fault(struct rec *r)
{
	BYTE buf[4096];
	HTTP_SERVICE_CONFIG_SSL_SET *got = (void *)buf;
	ULONG rc, need = 0;

	set(r);
	set_fault(L"Corrupt", L"192.0.2.7:443");
	rc = query(r, buf, sizeof(buf), &need);
	check(rc == NO_ERROR && got->KeyDesc.pIpPort->sa_family == 0xBEEF,
	    "a record named Corrupt has address family 0xBEEF", rc);
	set_fault(L"Corrupt", NULL);
	del(r);
}

int
main(int argc, char **argv)
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

	if (argc != 5 || parse_thumb(argv[1], keyed) != 0 ||
	    parse_thumb(argv[2], keyed2) != 0 ||
	    parse_thumb(argv[3], keyless) != 0 ||
	    parse_thumb(argv[4], webhosting) != 0) {
		fprintf(stderr, "usage: httpapi_test KEYED KEYED2 KEYLESS "
		    "WEBHOSTING (thumbprints)\n");
		return 2;
	}
	make(&a, AF_INET, "0.0.0.0", 9443, keyed);
	make(&b, AF_INET6, "::", 9443, keyed);
	make(&c, AF_INET, "192.0.2.7", 443, keyed);
	test_uninitialized(&a, "before HttpInitialize");
	check(HttpInitialize(v, HTTP_INITIALIZE_CONFIG, NULL) == NO_ERROR,
	    "HttpInitialize(CONFIG)", 0);

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

	memcpy(a.hash, keyed2, sizeof(a.hash));
	rc = update ? update(NULL, HttpServiceConfigSSLCertInfo, &a.set,
	    sizeof(a.set), NULL) : 1;
	check(rc == NO_ERROR, "update an existing record", rc);
	rc = query(&a, buf, sizeof(buf), &need);
	check(rc == NO_ERROR && memcmp(got->ParamDesc.pSslHash, keyed2, 20) == 0,
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
	test_sni_ccs();
	test_long_strings();
	test_certificate_checks(&a, update);
	test_key_checks();
	test_faults(&a);
	test_unusable_fault(&a);
	test_corrupt_fault(&c);
	check(HttpTerminate(HTTP_INITIALIZE_CONFIG, NULL) == NO_ERROR,
	    "HttpTerminate(CONFIG)", 0);
	test_uninitialized(&a, "after HttpTerminate");
	printf("1..%d\n", tests);
	return failures ? 1 : 0;
}
