/*
 * httpsys.c - the HTTP Server API configuration calls, and nothing else.
 *
 * HttpSetServiceConfiguration and friends take an HTTP_SERVICE_CONFIG_SSL_SET
 * whose key is a SOCKADDR and whose strings are UTF-16; this file converts
 * struct ssl_record to and from that layout and makes the calls.
 *
 * Wine 8 stubs these functions (Set succeeds and stores nothing, Query
 * always answers ERROR_FILE_NOT_FOUND, HttpUpdateServiceConfiguration is
 * not exported).  certbind is written to the Windows contract; the test
 * suite supplies a stand-in httpapi.dll that keeps records as Windows does.
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <http.h>
#include <stdlib.h>
#include <string.h>

#include "httpsys.h"
#include "httpsys_decl.h"

/* An HTTP_SERVICE_CONFIG_SSL_SET with room for what its pointers point at. */
struct set_buf {
	HTTP_SERVICE_CONFIG_SSL_SET set;
	SOCKADDR_STORAGE addr;
	uint8_t hash[RECORD_HASH_MAX];
	wchar_t store[RECORD_STORE_MAX];
	wchar_t ctl_identifier[RECORD_CTL_MAX];
	wchar_t ctl_store[RECORD_STORE_MAX];
};

static void
to_sockaddr(const struct endpoint *ep, SOCKADDR_STORAGE *ss)
{
	uint16_t port_be = (uint16_t)((ep->port >> 8) | (ep->port << 8));

	memset(ss, 0, sizeof(*ss));
	if (ep->kind == EP_IPV6) {
		SOCKADDR_IN6 *in6 = (SOCKADDR_IN6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = port_be;
		memcpy(&in6->sin6_addr, ep->addr, 16);
	} else {
		SOCKADDR_IN *in = (SOCKADDR_IN *)ss;

		in->sin_family = AF_INET;
		in->sin_port = port_be;
		memcpy(&in->sin_addr, ep->addr, 4);
	}
}

/* UTF-8 into a fixed wide buffer; NULL for an empty string. */
static wchar_t *
to_wide(const char *s, wchar_t *buf, int cap)
{
	if (s[0] == '\0' ||
	    MultiByteToWideChar(CP_UTF8, 0, s, -1, buf, cap) == 0)
		return NULL;
	return buf;
}

static void
to_utf8(const wchar_t *s, char *buf, int cap)
{
	buf[0] = '\0';
	if (s != NULL && WideCharToMultiByte(CP_UTF8, 0, s, -1, buf, cap,
	    NULL, NULL) == 0)
		buf[0] = '\0';
}

static void
to_set(const struct ssl_record *r, struct set_buf *b)
{
	HTTP_SERVICE_CONFIG_SSL_PARAM *p = &b->set.ParamDesc;

	memset(b, 0, sizeof(*b));
	to_sockaddr(&r->endpoint, &b->addr);
	b->set.KeyDesc.pIpPort = (PSOCKADDR)&b->addr;
	memcpy(b->hash, r->hash, r->hash_len);
	p->SslHashLength = r->hash_len;
	p->pSslHash = b->hash;
	memcpy(&p->AppId, r->app_id, sizeof(p->AppId));
	p->pSslCertStoreName = to_wide(r->store, b->store, RECORD_STORE_MAX);
	p->DefaultCertCheckMode = r->check_mode;
	p->DefaultRevocationFreshnessTime = r->revocation_freshness;
	p->DefaultRevocationUrlRetrievalTimeout = r->url_timeout;
	p->pDefaultSslCtlIdentifier = to_wide(r->ctl_identifier,
	    b->ctl_identifier, RECORD_CTL_MAX);
	p->pDefaultSslCtlStoreName = to_wide(r->ctl_store, b->ctl_store,
	    RECORD_STORE_MAX);
	p->DefaultFlags = r->flags;
}

static void
from_set(const HTTP_SERVICE_CONFIG_SSL_SET *s, const struct endpoint *ep,
    struct ssl_record *r)
{
	const HTTP_SERVICE_CONFIG_SSL_PARAM *p = &s->ParamDesc;

	memset(r, 0, sizeof(*r));
	r->endpoint = *ep;
	r->hash_len = p->SslHashLength <= RECORD_HASH_MAX ?
	    p->SslHashLength : RECORD_HASH_MAX;
	if (p->pSslHash != NULL)
		memcpy(r->hash, p->pSslHash, r->hash_len);
	memcpy(r->app_id, &p->AppId, sizeof(r->app_id));
	to_utf8(p->pSslCertStoreName, r->store, RECORD_STORE_MAX);
	r->check_mode = p->DefaultCertCheckMode;
	r->revocation_freshness = p->DefaultRevocationFreshnessTime;
	r->url_timeout = p->DefaultRevocationUrlRetrievalTimeout;
	to_utf8(p->pDefaultSslCtlIdentifier, r->ctl_identifier, RECORD_CTL_MAX);
	to_utf8(p->pDefaultSslCtlStoreName, r->ctl_store, RECORD_STORE_MAX);
	r->flags = p->DefaultFlags;
}

uint32_t
httpsys_open(void)
{
	HTTPAPI_VERSION v = HTTPAPI_VERSION_1;

	return HttpInitialize(v, HTTP_INITIALIZE_CONFIG, NULL);
}

void
httpsys_close(void)
{
	HttpTerminate(HTTP_INITIALIZE_CONFIG, NULL);
}

uint32_t
httpsys_query(const struct endpoint *ep, struct ssl_record *out)
{
	HTTP_SERVICE_CONFIG_SSL_QUERY q;
	SOCKADDR_STORAGE addr;
	ULONG size = 4096, need = 0;
	void *buf = NULL, *grown;
	ULONG rc;
	int tries;

	if (ep->kind == EP_SNI || ep->kind == EP_CCS)
		return ERROR_NOT_SUPPORTED;
	memset(&q, 0, sizeof(q));
	to_sockaddr(ep, &addr);
	q.QueryDesc = HttpServiceConfigQueryExact;
	q.KeyDesc.pIpPort = (PSOCKADDR)&addr;
	/* The record can grow between calls; try a few times. */
	for (tries = 0; tries < 4; tries++) {
		if ((grown = realloc(buf, size)) == NULL) {
			rc = ERROR_NOT_ENOUGH_MEMORY;
			break;
		}
		buf = grown;
		rc = HttpQueryServiceConfiguration(NULL,
		    HttpServiceConfigSSLCertInfo, &q, sizeof(q), buf, size, &need,
		    NULL);
		if (rc != ERROR_INSUFFICIENT_BUFFER || need <= size)
			break;
		size = need;
	}
	if (rc == NO_ERROR)
		from_set(buf, ep, out);
	free(buf);
	return rc;
}

uint32_t
httpsys_create(const struct ssl_record *rec)
{
	struct set_buf b;

	if (rec->endpoint.kind == EP_SNI || rec->endpoint.kind == EP_CCS)
		return ERROR_NOT_SUPPORTED;
	to_set(rec, &b);
	return HttpSetServiceConfiguration(NULL, HttpServiceConfigSSLCertInfo,
	    &b.set, sizeof(b.set), NULL);
}

static uint32_t
delete_record(const struct ssl_record *rec)
{
	struct set_buf b;

	to_set(rec, &b);
	return HttpDeleteServiceConfiguration(NULL,
	    HttpServiceConfigSSLCertInfo, &b.set, sizeof(b.set), NULL);
}

/* HttpUpdateServiceConfiguration, where this Windows has it. */
static http_update_fn
find_update(void)
{
	HMODULE mod = GetModuleHandleW(L"httpapi.dll");

	if (mod == NULL)
		return NULL;
	return (http_update_fn)(void *)GetProcAddress(mod,
	    "HttpUpdateServiceConfiguration");
}

void
httpsys_replace(const struct ssl_record *old, const struct ssl_record *rec,
    struct replace_result *res)
{
	http_update_fn update = find_update();
	struct set_buf b;

	memset(res, 0, sizeof(*res));
	if (rec->endpoint.kind == EP_SNI || rec->endpoint.kind == EP_CCS) {
		res->step = "HttpUpdateServiceConfiguration";
		res->error = ERROR_NOT_SUPPORTED;
		return;
	}
	if (update != NULL) {
		res->used_update = true;
		res->step = "HttpUpdateServiceConfiguration";
		to_set(rec, &b);
		res->error = update(NULL, HttpServiceConfigSSLCertInfo, &b.set,
		    sizeof(b.set), NULL);
		return;
	}
	res->step = "HttpDeleteServiceConfiguration";
	if ((res->error = delete_record(old)) != NO_ERROR)
		return;
	res->step = "HttpSetServiceConfiguration";
	if ((res->error = httpsys_create(rec)) == NO_ERROR)
		return;
	res->restore_error = httpsys_create(old);
	res->restored = res->restore_error == NO_ERROR;
}
