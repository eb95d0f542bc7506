/*
 * httpsys.c - the HTTP Server API configuration calls, and nothing else.
 *
 * HttpSetServiceConfiguration and friends take a configuration ID and a
 * structure whose layout depends on the record's kind:
 *   ip:port        HttpServiceConfigSSLCertInfo     key: a SOCKADDR pointer
 *   hostname:port  HttpServiceConfigSslSniCertInfo  key: port and host name
 *   ccs:port       HttpServiceConfigSslCcsCertInfo  key: port
 * (httpsys_decl.h declares the last two).  Every kind carries the same
 * HTTP_SERVICE_CONFIG_SSL_PARAM; this file converts struct ssl_record to
 * and from those layouts, makes the calls, and retries the failures that
 * can pass on a second try.
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
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/cert.h"
#include "../core/strpool.h"
#include "../core/schedule.h"
#include "httpsys.h"
#include "httpsys_decl.h"
#include "journal.h"
#include "out.h"
#include "winerr.h"
#include "wstr.h"

/* A busy call is tried again CALL_RETRIES times (core/schedule.h). */
#define RETRIES CALL_RETRIES

/*
 * A set structure of any kind, and what its pointers point at: the text
 * fields are malloc'd, each as long as its value (set_buf_free()).
 */
struct set_buf {
	union {
		HTTP_SERVICE_CONFIG_SSL_SET ip;
		HTTP_SERVICE_CONFIG_SSL_SNI_SET sni;
		HTTP_SERVICE_CONFIG_SSL_CCS_SET ccs;
	} u;
	SOCKADDR_STORAGE addr;
	wchar_t *host;
	uint8_t hash[RECORD_HASH_MAX];
	wchar_t *store;
	wchar_t *ctl_identifier;
	wchar_t *ctl_store;
};

union query_buf {
	HTTP_SERVICE_CONFIG_SSL_QUERY ip;
	HTTP_SERVICE_CONFIG_SSL_SNI_QUERY sni;
	HTTP_SERVICE_CONFIG_SSL_CCS_QUERY ccs;
};

static const enum endpoint_kind kinds[] = { EP_IPV4, EP_SNI, EP_CCS };

/* Each kind's configuration ID and the sizes of its structures. */
static const struct {
	HTTP_SERVICE_CONFIG_ID id;
	ULONG set_size, query_size;
} layouts[] = {
	[EP_IPV4] = { HttpServiceConfigSSLCertInfo,
	    sizeof(HTTP_SERVICE_CONFIG_SSL_SET),
	    sizeof(HTTP_SERVICE_CONFIG_SSL_QUERY) },
	[EP_IPV6] = { HttpServiceConfigSSLCertInfo,
	    sizeof(HTTP_SERVICE_CONFIG_SSL_SET),
	    sizeof(HTTP_SERVICE_CONFIG_SSL_QUERY) },
	[EP_SNI] = { HttpServiceConfigSslSniCertInfo,
	    sizeof(HTTP_SERVICE_CONFIG_SSL_SNI_SET),
	    sizeof(HTTP_SERVICE_CONFIG_SSL_SNI_QUERY) },
	[EP_CCS] = { HttpServiceConfigSslCcsCertInfo,
	    sizeof(HTTP_SERVICE_CONFIG_SSL_CCS_SET),
	    sizeof(HTTP_SERVICE_CONFIG_SSL_CCS_QUERY) },
};

/*
 * Ports are big-endian in a SOCKADDR.  Swapped here rather than with
 * htons(), which would add ws2_32.dll to the imports for one function.
 */
static uint16_t
net16(uint16_t v)
{
	return (uint16_t)((v >> 8) | (v << 8));
}

/* SNI and ccs keys carry only a port, on the IPv4 any-address. */
static void
to_sockaddr(const struct endpoint *ep, SOCKADDR_STORAGE *ss)
{
	uint16_t port_be = net16(ep->port);

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
		if (ep->kind == EP_IPV4)
			memcpy(&in->sin_addr, ep->addr, 4);
	}
}

/* The address and port of sa into ep (kind EP_IPV4 or EP_IPV6). */
static int
from_sockaddr(const SOCKADDR *sa, struct endpoint *ep)
{
	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET6) {
		const SOCKADDR_IN6 *in6 = (const SOCKADDR_IN6 *)sa;

		ep->kind = EP_IPV6;
		ep->port = net16(in6->sin6_port);
		memcpy(ep->addr, &in6->sin6_addr, 16);
		return 0;
	}
	if (sa->sa_family == AF_INET) {
		const SOCKADDR_IN *in = (const SOCKADDR_IN *)sa;

		ep->kind = EP_IPV4;
		ep->port = net16(in->sin_port);
		memcpy(ep->addr, &in->sin_addr, 4);
		return 0;
	}
	return -1;
}

/*
 * UTF-8 text for HTTP.sys as a malloc'd UTF-16 string, whole; "" is NULL
 * (no value).  ERROR_NO_UNICODE_TRANSLATION when s is not valid UTF-8.
 */
static ULONG
wide_field(const char *s, wchar_t **out)
{
	*out = NULL;
	if (s == NULL || s[0] == '\0')
		return NO_ERROR;
	if ((*out = wide_from_utf8(s)) == NULL)
		return ERROR_NO_UNICODE_TRANSLATION;
	return NO_ERROR;
}

/*
 * A string HTTP.sys returned into a UTF-8 field of cap bytes, whole, or
 * an error: never cut short, never "" for a value that did not fit.  NULL
 * is "".  ERROR_BUFFER_OVERFLOW when it has more than max UTF-16 units or
 * its UTF-8 does not fit; ERROR_NO_UNICODE_TRANSLATION when it is not
 * valid UTF-16 (an unpaired surrogate).
 */
static ULONG
field_from_wide(const wchar_t *s, size_t max, char *out, size_t cap)
{
	size_t n;
	int got;

	out[0] = '\0';
	if (s == NULL || (n = wcslen(s)) == 0)
		return NO_ERROR;
	if (n > max || cap > INT_MAX)
		return ERROR_BUFFER_OVERFLOW;
	got = WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, s, (int)n, out,
	    (int)cap - 1, NULL, NULL);
	if (got <= 0)
		return GetLastError() == ERROR_INSUFFICIENT_BUFFER ?
		    ERROR_BUFFER_OVERFLOW : ERROR_NO_UNICODE_TRANSLATION;
	out[got] = '\0';
	return NO_ERROR;
}

static HTTP_SERVICE_CONFIG_SSL_PARAM *
params_of(struct set_buf *b, enum endpoint_kind k)
{
	switch (k) {
	case EP_SNI:
		return &b->u.sni.ParamDesc;
	case EP_CCS:
		return &b->u.ccs.ParamDesc;
	default:
		return &b->u.ip.ParamDesc;
	}
}

static void
set_buf_free(struct set_buf *b)
{
	free(b->host);
	free(b->store);
	free(b->ctl_identifier);
	free(b->ctl_store);
}

/* r as a set structure in b; set_buf_free(b) afterwards, even on error. */
static ULONG
to_set(const struct ssl_record *r, struct set_buf *b)
{
	const struct endpoint *ep = &r->endpoint;
	HTTP_SERVICE_CONFIG_SSL_PARAM *p = params_of(b, ep->kind);
	ULONG rc = NO_ERROR;

	memset(b, 0, sizeof(*b));
	if (r->hash_len > RECORD_HASH_MAX)
		return ERROR_INVALID_DATA;
	switch (ep->kind) {
	case EP_SNI:
		to_sockaddr(ep, &b->u.sni.KeyDesc.IpPort);
		rc = wide_field(ep->host, &b->host);
		b->u.sni.KeyDesc.Host = b->host;
		break;
	case EP_CCS:
		to_sockaddr(ep, &b->u.ccs.KeyDesc.LocalAddress);
		break;
	default:
		to_sockaddr(ep, &b->addr);
		b->u.ip.KeyDesc.pIpPort = (PSOCKADDR)&b->addr;
		break;
	}
	memcpy(b->hash, r->hash, r->hash_len);
	p->SslHashLength = r->hash_len;
	p->pSslHash = r->hash_len ? b->hash : NULL;
	memcpy(&p->AppId, r->app_id, sizeof(p->AppId));
	if (rc == NO_ERROR)
		rc = wide_field(r->store, &b->store);
	if (rc == NO_ERROR)
		rc = wide_field(r->ctl_identifier, &b->ctl_identifier);
	if (rc == NO_ERROR)
		rc = wide_field(r->ctl_store, &b->ctl_store);
	p->pSslCertStoreName = b->store;
	p->DefaultCertCheckMode = r->check_mode;
	p->DefaultRevocationFreshnessTime = r->revocation_freshness;
	p->DefaultRevocationUrlRetrievalTimeout = r->url_timeout;
	p->pDefaultSslCtlIdentifier = b->ctl_identifier;
	p->pDefaultSslCtlStoreName = b->ctl_store;
	p->DefaultFlags = r->flags;
	return rc;
}

/*
 * A record's text HTTP.sys returned, whole (as field_from_wide), as a
 * shared copy (core/strpool.h) in *out.
 */
static ULONG
pooled_from_wide(const wchar_t *s, size_t max, const char **out)
{
	char text[RECORD_CTL_MAX];
	ULONG rc;

	*out = NULL;
	if ((rc = field_from_wide(s, max, text, sizeof(text))) != NO_ERROR)
		return rc;
	if ((*out = strpool_get(text, strlen(text))) == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	return NO_ERROR;
}

/* The fields every kind shares; an error when one cannot be kept whole. */
static ULONG
from_params(const HTTP_SERVICE_CONFIG_SSL_PARAM *p, struct ssl_record *r)
{
	ULONG rc;

	if (p->pSslHash != NULL && p->SslHashLength > RECORD_HASH_MAX)
		return ERROR_BUFFER_OVERFLOW;
	r->hash_len = p->pSslHash != NULL ? p->SslHashLength : 0;
	if (r->hash_len > 0)
		memcpy(r->hash, p->pSslHash, r->hash_len);
	memcpy(r->app_id, &p->AppId, sizeof(r->app_id));
	r->check_mode = p->DefaultCertCheckMode;
	r->revocation_freshness = p->DefaultRevocationFreshnessTime;
	r->url_timeout = p->DefaultRevocationUrlRetrievalTimeout;
	r->flags = p->DefaultFlags;
	if ((rc = pooled_from_wide(p->pSslCertStoreName, RECORD_STORE_CHARS,
	    &r->store)) != NO_ERROR ||
	    (rc = pooled_from_wide(p->pDefaultSslCtlIdentifier,
	    RECORD_CTL_CHARS, &r->ctl_identifier)) != NO_ERROR)
		return rc;
	return pooled_from_wide(p->pDefaultSslCtlStoreName, RECORD_STORE_CHARS,
	    &r->ctl_store);
}

/*
 * A record of kind k as Query returned it in buf.  The SNI host is kept
 * exactly as HTTP.sys holds it (its case too): Update, Delete and the
 * journal name the record HTTP.sys has, and endpoints compare ignoring
 * case.
 */
static ULONG
from_output(enum endpoint_kind k, const void *buf, struct ssl_record *r)
{
	ULONG rc;

	memset(r, 0, sizeof(*r));
	switch (k) {
	case EP_SNI: {
		const HTTP_SERVICE_CONFIG_SSL_SNI_SET *s = buf;

		r->endpoint.kind = EP_SNI;
		r->endpoint.port = net16(((const SOCKADDR_IN *)
		    &s->KeyDesc.IpPort)->sin_port);
		if ((rc = field_from_wide(s->KeyDesc.Host, ENDPOINT_HOST_MAX,
		    r->endpoint.host, sizeof(r->endpoint.host))) != NO_ERROR)
			return rc;
		if (r->endpoint.host[0] == '\0')
			return ERROR_INVALID_DATA;
		return from_params(&s->ParamDesc, r);
	}
	case EP_CCS: {
		const HTTP_SERVICE_CONFIG_SSL_CCS_SET *s = buf;

		r->endpoint.kind = EP_CCS;
		r->endpoint.port = net16(((const SOCKADDR_IN *)
		    &s->KeyDesc.LocalAddress)->sin_port);
		return from_params(&s->ParamDesc, r);
	}
	default: {
		const HTTP_SERVICE_CONFIG_SSL_SET *s = buf;

		if (from_sockaddr(s->KeyDesc.pIpPort, &r->endpoint) != 0)
			return ERROR_INVALID_DATA;
		return from_params(&s->ParamDesc, r);
	}
	}
}

static bool
transient(ULONG e)
{
	switch (e) {
	case ERROR_NOT_ENOUGH_MEMORY:
	case ERROR_OUTOFMEMORY:
	case ERROR_NO_SYSTEM_RESOURCES:
	case ERROR_SHARING_VIOLATION:
	case ERROR_LOCK_VIOLATION:
	case ERROR_BUSY:
	case ERROR_RETRY:
		return true;
	default:
		return false;
	}
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

/* The address family of an IP record Query returned in buf, or 0. */
static unsigned
family_of(enum endpoint_kind k, const void *buf)
{
	const HTTP_SERVICE_CONFIG_SSL_SET *s = buf;

	if (k == EP_SNI || k == EP_CCS || s->KeyDesc.pIpPort == NULL)
		return 0;
	return s->KeyDesc.pIpPort->sa_family;
}

/*
 * One query: exact for ep, or the token'th record of ep's kind.  The
 * buffer grows on ERROR_INSUFFICIENT_BUFFER; a record can grow between
 * two calls, so that is tried a few times.  When the record comes back
 * and cannot be parsed (ERROR_INVALID_DATA), *family (may be NULL) gets
 * its address family.
 */
static ULONG
query_record(const struct endpoint *ep, bool next, DWORD token,
    struct ssl_record *out, unsigned *family)
{
	union query_buf q;
	SOCKADDR_STORAGE addr;
	wchar_t *host = NULL;
	ULONG size = 1024, need = 0, rc = ERROR_NOT_ENOUGH_MEMORY;
	void *buf = NULL, *grown;
	int tries;

	memset(&q, 0, sizeof(q));
	switch (ep->kind) {
	case EP_SNI:
		q.sni.QueryDesc = next ? HttpServiceConfigQueryNext :
		    HttpServiceConfigQueryExact;
		to_sockaddr(ep, &q.sni.KeyDesc.IpPort);
		if (!next && (rc = wide_field(ep->host, &host)) != NO_ERROR)
			return rc;
		q.sni.KeyDesc.Host = host;
		q.sni.dwToken = token;
		break;
	case EP_CCS:
		q.ccs.QueryDesc = next ? HttpServiceConfigQueryNext :
		    HttpServiceConfigQueryExact;
		to_sockaddr(ep, &q.ccs.KeyDesc.LocalAddress);
		q.ccs.dwToken = token;
		break;
	default:
		q.ip.QueryDesc = next ? HttpServiceConfigQueryNext :
		    HttpServiceConfigQueryExact;
		to_sockaddr(ep, &addr);
		q.ip.KeyDesc.pIpPort = (PSOCKADDR)&addr;
		q.ip.dwToken = token;
		break;
	}
	for (tries = 0; tries < 4 + RETRIES; tries++) {
		if ((grown = realloc(buf, size)) == NULL) {
			rc = ERROR_NOT_ENOUGH_MEMORY;
			break;
		}
		buf = grown;
		rc = HttpQueryServiceConfiguration(NULL, layouts[ep->kind].id, &q,
		    layouts[ep->kind].query_size, buf, size, &need, NULL);
		if (rc == ERROR_INSUFFICIENT_BUFFER && need > size)
			size = need;
		else if (transient(rc) && tries < RETRIES) {
			out_flush();
			Sleep(schedule_call_retry_ms(tries));
		} else
			break;
	}
	if (rc == NO_ERROR && (rc = from_output(ep->kind, buf, out)) !=
	    NO_ERROR && family != NULL)
		*family = family_of(ep->kind, buf);
	free(buf);
	free(host);
	return rc;
}

static ULONG
query(const struct endpoint *ep, bool next, DWORD token,
    struct ssl_record *out)
{
	return query_record(ep, next, token, out, NULL);
}

uint32_t
httpsys_query(const struct endpoint *ep, struct ssl_record *out)
{
	return query(ep, false, 0, out);
}

/* Grow *v (of *cap elements of size) to hold one more than n. */
static int
grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *g;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? 2 * *cap : 16;
	if ((g = realloc(*v, c * size)) == NULL)
		return -1;
	*v = g;
	*cap = c;
	return 0;
}

/*
 * What is known of a record that could not be read: the token'th of its
 * kind failed with err, or Query returned it with an address family
 * (family, else 0) certbind cannot parse.
 */
static void
describe_broken(enum endpoint_kind k, DWORD token, ULONG err,
    unsigned family, struct broken_record *b)
{
	char why[200];

	memset(b, 0, sizeof(*b));
	b->kind = k;
	b->error = err;
	if (family != 0) {
		snprintf(b->key, sizeof(b->key), "(address family %u)", family);
		snprintf(b->reason, sizeof(b->reason), "its address family %u is "
		    "neither IPv4 nor IPv6 (error %u)", family, (unsigned)err);
		return;
	}
	snprintf(b->key, sizeof(b->key), "(record %lu of its kind)",
	    (unsigned long)token + 1);
	snprintf(b->reason, sizeof(b->reason), "%s",
	    httpsys_read_strerror(err, &(struct endpoint){ .kind = k }, why,
	    sizeof(why)));
}

/*
 * One table: every record, and those that cannot be read on their own.
 * A table whose every read fails is a failure of the whole listing.
 */
#define BROKEN_IN_A_ROW 16

static ULONG
list_kind(enum endpoint_kind k, struct ssl_record **v, size_t *n,
    size_t *cap, struct broken_record **bad, size_t *nbad, size_t *badcap)
{
	struct endpoint ep = { .kind = k };
	struct ssl_record r;
	DWORD token;
	ULONG rc;
	unsigned family;
	int in_a_row = 0;

	for (token = 0;; token++) {
		family = 0;
		rc = query_record(&ep, true, token, &r, &family);
		/* An older Windows has no table for the kind: nothing in it. */
		if (rc == ERROR_NO_MORE_ITEMS || (rc == ERROR_FILE_NOT_FOUND &&
		    token == 0) || (rc == ERROR_INVALID_PARAMETER && token == 0 &&
		    k != EP_IPV4))
			return NO_ERROR;
		/* Deleted since the previous call: gone, not broken. */
		if (rc == ERROR_FILE_NOT_FOUND && ++in_a_row < BROKEN_IN_A_ROW)
			continue;
		if (rc == NO_ERROR) {
			in_a_row = 0;
			if (grow((void **)v, cap, *n, sizeof(**v)) != 0)
				return ERROR_NOT_ENOUGH_MEMORY;
			(*v)[(*n)++] = r;
			continue;
		}
		if (rc == ERROR_NOT_ENOUGH_MEMORY || ++in_a_row >= BROKEN_IN_A_ROW)
			return rc;
		if (grow((void **)bad, badcap, *nbad, sizeof(**bad)) != 0)
			return ERROR_NOT_ENOUGH_MEMORY;
		describe_broken(k, token, rc, family, &(*bad)[(*nbad)++]);
	}
}

uint32_t
httpsys_list(struct ssl_record **out, size_t *n, struct broken_record **bad,
    size_t *nbad)
{
	size_t cap = 0, badcap = 0, k;
	ULONG rc = NO_ERROR;

	*out = NULL;
	*bad = NULL;
	*n = *nbad = 0;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && rc == NO_ERROR; k++)
		rc = list_kind(kinds[k], out, n, &cap, bad, nbad, &badcap);
	return rc;
}

enum op { OP_SET, OP_UPDATE, OP_DELETE };

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

static ULONG
call(enum op op, const struct ssl_record *r)
{
	enum endpoint_kind k = r->endpoint.kind;
	http_update_fn update;
	struct set_buf b;
	ULONG rc;
	int attempt;

	if ((rc = to_set(r, &b)) != NO_ERROR) {
		set_buf_free(&b);
		return rc;
	}
	for (attempt = 0;; attempt++) {
		rc = ERROR_INVALID_FUNCTION;
		switch (op) {
		case OP_SET:
			rc = HttpSetServiceConfiguration(NULL, layouts[k].id, &b.u,
			    layouts[k].set_size, NULL);
			break;
		case OP_UPDATE:
			if ((update = find_update()) != NULL)
				rc = update(NULL, layouts[k].id, &b.u,
				    layouts[k].set_size, NULL);
			break;
		case OP_DELETE:
			rc = HttpDeleteServiceConfiguration(NULL, layouts[k].id, &b.u,
			    layouts[k].set_size, NULL);
			break;
		}
		if (!transient(rc) || attempt == RETRIES)
			break;
		out_flush();
		Sleep(schedule_call_retry_ms(attempt));
	}
	set_buf_free(&b);
	return rc;
}

uint32_t
httpsys_create(const struct ssl_record *rec)
{
	return call(OP_SET, rec);
}

uint32_t
httpsys_delete(const struct ssl_record *rec)
{
	return call(OP_DELETE, rec);
}

/*
 * Put back old, a record HTTP.sys held until certbind deleted it.  Until
 * this passes the endpoint is unbound, and the record was one HTTP.sys
 * accepted a moment ago, so every error is tried again a few times
 * (schedule_restore_retry_ms), not only those of a busy call: a run of
 * failures that outlasts a call's retries must not leave the port
 * unbound.  ERROR_ALREADY_EXISTS is the end when the endpoint really has
 * a record (another program bound it meanwhile, and its record is left
 * as it is): it is not unbound.
 */
static ULONG
restore(const struct ssl_record *old)
{
	struct ssl_record now;
	unsigned attempt;
	ULONG rc;

	for (attempt = 0;; attempt++) {
		rc = call(OP_SET, old);
		if (rc == ERROR_ALREADY_EXISTS &&
		    httpsys_query(&old->endpoint, &now) == NO_ERROR)
			return NO_ERROR;
		if (rc == NO_ERROR || attempt == RESTORE_RETRIES)
			return rc;
		out_flush();
		Sleep(schedule_restore_retry_ms(attempt));
	}
}

void
httpsys_replace(const struct ssl_record *old, const struct ssl_record *rec,
    struct replace_result *res)
{
	memset(res, 0, sizeof(*res));
	if (find_update() != NULL) {
		res->used_update = true;
		res->step = "HttpUpdateServiceConfiguration";
		res->error = call(OP_UPDATE, rec);
		return;
	}
	/* Never Delete what the journal could not keep. */
	res->step = "writing the rotation journal";
	if ((res->error = journal_save(old)) != NO_ERROR)
		return;
	res->step = "HttpDeleteServiceConfiguration";
	if ((res->error = call(OP_DELETE, old)) != NO_ERROR) {
		journal_clear(&old->endpoint);
		return;
	}
	res->step = "HttpSetServiceConfiguration";
	if ((res->error = call(OP_SET, rec)) == NO_ERROR) {
		journal_clear(&old->endpoint);
		return;
	}
	res->restore_error = restore(old);
	res->restored = res->restore_error == NO_ERROR;
	/* A failed restore stays in the journal: the next start tries again. */
	if (res->restored)
		journal_clear(&old->endpoint);
}

void
httpsys_repair(repair_fn report, journal_bad_fn bad, void *arg)
{
	struct ssl_record *pending, now;
	size_t n, i;

	if (journal_load(&pending, &n, bad, arg) != 0)
		return;
	for (i = 0; i < n; i++) {
		ULONG rc = httpsys_query(&pending[i].endpoint, &now);

		if (rc == NO_ERROR) {
			/* The Set went through, or someone bound it since. */
			journal_clear(&pending[i].endpoint);
			continue;
		}
		if (rc != ERROR_FILE_NOT_FOUND) {
			report(&pending[i], rc, arg);
			continue;
		}
		rc = restore(&pending[i]);
		if (rc == NO_ERROR)
			journal_clear(&pending[i].endpoint);
		report(&pending[i], rc, arg);
	}
	free(pending);
}

/* Messages for the errors of the record path itself, or NULL. */
static const char *
record_strerror(uint32_t err)
{
	switch (err) {
	case ERROR_BUFFER_OVERFLOW:
		return "the record holds a value longer than certbind keeps "
		    "whole (a store name over 255 characters, a CTL identifier "
		    "over 1024, a host name over 253 bytes or a hash over 32 "
		    "bytes); certbind leaves the record as it is";
	case ERROR_NO_UNICODE_TRANSLATION:
		return "the record holds text that is not valid Unicode; "
		    "certbind leaves the record as it is";
	default:
		return NULL;
	}
}

const char *
httpsys_strerror(uint32_t err, const struct ssl_record *rec, char *buf,
    size_t len)
{
	char hex[THUMB_HEX], why[256], fields[RECORD_TEXT_MAX];

	if (err == ERROR_NO_SUCH_LOGON_SESSION && rec->hash_len == THUMB_LEN)
		snprintf(buf, len, "HTTP.sys cannot use the private key of "
		    "certificate %s (missing, or not readable by SYSTEM)",
		    thumb_format(rec->hash, hex));
	else if (err == ERROR_INVALID_PARAMETER)
		/* Which field is not said: flags this Windows does not know
		 * (see certbind check), a store or CTL that does not exist... */
		snprintf(buf, len, "HTTP.sys rejected the record: %s",
		    record_fields(rec, fields, sizeof(fields)));
	else if (record_strerror(err) != NULL)
		snprintf(buf, len, "%s", record_strerror(err));
	else
		snprintf(buf, len, "%s", win_strerror(err, why, sizeof(why)));
	return buf;
}

const char *
httpsys_read_strerror(uint32_t err, const struct endpoint *ep, char *buf,
    size_t len)
{
	char why[256];

	/* Before Windows Server 2012 HTTP.sys has no SNI or ccs table, and
	 * a Query of one fails with ERROR_INVALID_PARAMETER. */
	if (err == ERROR_INVALID_PARAMETER && ep->kind == EP_SNI)
		snprintf(buf, len, "this Windows version does not support SNI "
		    "bindings (hostname:port needs Windows Server 2012 or later)");
	else if (err == ERROR_INVALID_PARAMETER && ep->kind == EP_CCS)
		snprintf(buf, len, "this Windows version does not support Central "
		    "Certificate Store bindings (ccs:port needs Windows Server "
		    "2012 or later)");
	else if (record_strerror(err) != NULL)
		snprintf(buf, len, "%s", record_strerror(err));
	else
		snprintf(buf, len, "%s", win_strerror(err, why, sizeof(why)));
	return buf;
}
