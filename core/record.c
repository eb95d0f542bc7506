/*
 * record.c - helpers for struct ssl_record: GUIDs, comparison, and the
 * byte encoding the rotation journal keeps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "record.h"
#include "strpool.h"
#include "text.h"

/* Data1..Data3 little-endian, Data4 as bytes: how a GUID lies in memory. */
const uint8_t CERTBIND_APP_ID[16] = {
	0x5a, 0x3f, 0x1d, 0x9c, 0x2e, 0x6b, 0x8f, 0x4e,
	0xa0, 0xc4, 0x7d, 0x2b, 0x95, 0xe1, 0xf3, 0xc6
};

const char *
guid_format(const uint8_t g[16], char out[GUID_TEXT])
{
	snprintf(out, GUID_TEXT,
	    "{%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x}",
	    g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6],
	    g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
	return out;
}

bool
record_holds(const struct ssl_record *r, const uint8_t thumb[THUMB_LEN])
{
	return r->hash_len == THUMB_LEN &&
	    memcmp(r->hash, thumb, THUMB_LEN) == 0;
}

int
guid_parse(const char *text, uint8_t g[16])
{
	/* Text order of the 16 bytes: Data1..Data3 are little-endian. */
	static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6,
	    8, 9, 10, 11, 12, 13, 14, 15 };
	size_t len = strlen(text), i;
	int byte = 0;

	if (len == 38 && text[0] == '{' && text[37] == '}') {
		text++;
		len = 36;
	}
	if (len != 36)
		return -1;
	for (i = 0; i < 36; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (text[i] != '-')
				return -1;
			continue;
		}
		hi = ascii_hexval((unsigned char)text[i]);
		lo = ascii_hexval((unsigned char)text[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		g[order[byte++]] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	return 0;
}

const char *
record_store_name(const struct ssl_record *r)
{
	return record_text(r->store)[0] != '\0' ? r->store : "MY";
}

bool
record_same_store(const struct ssl_record *a, const struct ssl_record *b)
{
	return ascii_equal_nocase(record_store_name(a), record_store_name(b));
}

bool
record_same_options(const struct ssl_record *a, const struct ssl_record *b)
{
	return record_same_store(a, b) &&
	    a->check_mode == b->check_mode &&
	    a->revocation_freshness == b->revocation_freshness &&
	    a->url_timeout == b->url_timeout &&
	    strcmp(record_text(a->ctl_identifier),
	    record_text(b->ctl_identifier)) == 0 &&
	    ascii_equal_nocase(record_text(a->ctl_store),
	    record_text(b->ctl_store)) &&
	    a->flags == b->flags;
}

const char *
record_fields(const struct ssl_record *r, char *buf, size_t len)
{
	char ep[ENDPOINT_TEXT_MAX], guid[GUID_TEXT], hex[2 * RECORD_HASH_MAX + 1];
	char *host, *store, *ctl_id, *ctl_store;
	uint32_t i, n = r->hash_len <= RECORD_HASH_MAX ? r->hash_len : 0;

	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02X", r->hash[i]);
	hex[2 * n] = '\0';
	/* Values from HTTP.sys or the policy are printed escaped (text.h). */
	host = text_escape_str(endpoint_format(&r->endpoint, ep, sizeof(ep)), 0);
	store = text_escape_str(record_text(r->store)[0] ? r->store :
	    "(none: MY)", 0);
	ctl_id = text_escape_str(record_text(r->ctl_identifier), 0);
	ctl_store = text_escape_str(record_text(r->ctl_store), 0);
	if (host == NULL || store == NULL || ctl_id == NULL || ctl_store == NULL)
		snprintf(buf, len, "(out of memory)");
	else
		snprintf(buf, len, "%s=%s certhash=%s appid=%s certstorename=%s "
		    "checkmode=0x%x revocationfreshnesstime=%u "
		    "urlretrievaltimeout=%u sslctlidentifier='%s' "
		    "sslctlstorename='%s' flags=0x%x",
		    r->endpoint.kind == EP_SNI ? "hostnameport" :
		    r->endpoint.kind == EP_CCS ? "ccs" : "ipport", host,
		    n ? hex : "(none)", guid_format(r->app_id, guid), store,
		    (unsigned)r->check_mode, (unsigned)r->revocation_freshness,
		    (unsigned)r->url_timeout, ctl_id, ctl_store,
		    (unsigned)r->flags);
	free(host);
	free(store);
	free(ctl_id);
	free(ctl_store);
	return buf;
}

/* --- encoding -------------------------------------------------------- */

#define RECORD_MAGIC "CBR1"

struct cursor {
	uint8_t *out;              /* NULL when decoding */
	const uint8_t *in;
	size_t len, pos;
	bool bad;
};

static void
put_bytes(struct cursor *c, const void *p, size_t n)
{
	if (c->bad || c->pos + n > c->len) {
		c->bad = true;
		return;
	}
	memcpy(c->out + c->pos, p, n);
	c->pos += n;
}

static void
get_bytes(struct cursor *c, void *p, size_t n)
{
	if (c->bad || c->pos + n > c->len) {
		c->bad = true;
		return;
	}
	memcpy(p, c->in + c->pos, n);
	c->pos += n;
}

static void
put_u32(struct cursor *c, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 24) };

	put_bytes(c, b, 4);
}

static uint32_t
get_u32(struct cursor *c)
{
	uint8_t b[4] = { 0 };

	get_bytes(c, b, 4);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
}

/* A string: its length in 16 bits, then its bytes without the NUL. */
static void
put_text(struct cursor *c, const char *s)
{
	size_t n;
	uint8_t b[2];

	s = record_text(s);
	n = strlen(s);
	b[0] = (uint8_t)n;
	b[1] = (uint8_t)(n >> 8);

	if (n > 0xffff) {
		c->bad = true;         /* the length would not fit: refuse */
		return;
	}
	put_bytes(c, b, 2);
	put_bytes(c, s, n);
}

/* The length of a string, refused at cap or more. */
static size_t
get_text_len(struct cursor *c, size_t cap)
{
	uint8_t b[2] = { 0 };
	size_t n;

	get_bytes(c, b, 2);
	n = (size_t)b[0] | (size_t)b[1] << 8;
	if (n >= cap || c->pos + n > c->len)
		c->bad = true;
	return c->bad ? 0 : n;
}

/* A string into the cap bytes at s; one holding a NUL is refused. */
static void
get_text(struct cursor *c, char *s, size_t cap)
{
	size_t n = get_text_len(c, cap);

	get_bytes(c, s, n);
	if (!c->bad && (memchr(s, '\0', n) != NULL || !text_utf8_valid(s, n)))
		c->bad = true;
	s[c->bad ? 0 : n] = '\0';
}

/*
 * A string shared through core/strpool.c, shorter than cap bytes; one
 * holding a NUL is refused, and so is everything when out of memory.
 */
static const char *
get_pooled(struct cursor *c, size_t cap)
{
	size_t n = get_text_len(c, cap);
	const char *p = (const char *)c->in + c->pos, *s;

	if (c->bad || memchr(p, '\0', n) != NULL || !text_utf8_valid(p, n) ||
	    (s = strpool_get(p, n)) == NULL) {
		c->bad = true;
		return NULL;
	}
	c->pos += n;
	return s;
}

size_t
record_encode(const struct ssl_record *r, uint8_t *buf, size_t len)
{
	struct cursor c = { buf, NULL, len, 0, false };

	put_bytes(&c, RECORD_MAGIC, 4);
	put_u32(&c, (uint32_t)r->endpoint.kind);
	put_u32(&c, r->endpoint.port);
	put_bytes(&c, r->endpoint.addr, 16);
	put_text(&c, r->endpoint.host);
	put_u32(&c, r->hash_len);
	put_bytes(&c, r->hash, r->hash_len <= RECORD_HASH_MAX ? r->hash_len :
	    RECORD_HASH_MAX + 1);
	put_bytes(&c, r->app_id, 16);
	put_text(&c, r->store);
	put_u32(&c, r->check_mode);
	put_u32(&c, r->revocation_freshness);
	put_u32(&c, r->url_timeout);
	put_text(&c, r->ctl_identifier);
	put_text(&c, r->ctl_store);
	put_u32(&c, r->flags);
	return c.bad ? 0 : c.pos;
}

int
record_decode(const uint8_t *buf, size_t len, struct ssl_record *r)
{
	struct cursor c = { NULL, buf, len, 0, false };
	char magic[4] = { 0 };
	uint32_t kind, port;

	memset(r, 0, sizeof(*r));
	get_bytes(&c, magic, 4);
	if (c.bad || memcmp(magic, RECORD_MAGIC, 4) != 0)
		return -1;
	kind = get_u32(&c);
	port = get_u32(&c);
	if (kind > EP_CCS || port > 65535)
		return -1;
	r->endpoint.kind = (enum endpoint_kind)kind;
	r->endpoint.port = (uint16_t)port;
	get_bytes(&c, r->endpoint.addr, 16);
	get_text(&c, r->endpoint.host, sizeof(r->endpoint.host));
	r->hash_len = get_u32(&c);
	if (r->hash_len > RECORD_HASH_MAX)
		return -1;
	get_bytes(&c, r->hash, r->hash_len);
	get_bytes(&c, r->app_id, 16);
	r->store = get_pooled(&c, RECORD_STORE_MAX);
	r->check_mode = get_u32(&c);
	r->revocation_freshness = get_u32(&c);
	r->url_timeout = get_u32(&c);
	r->ctl_identifier = get_pooled(&c, RECORD_CTL_MAX);
	r->ctl_store = get_pooled(&c, RECORD_STORE_MAX);
	r->flags = get_u32(&c);
	return c.bad || c.pos != len ? -1 : 0;
}
