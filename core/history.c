/*
 * history.c - the replaced-record history's encoding and the pin
 * decision; see history.h.
 *
 * A history value is "CBH1", the entry count, then per entry: the time
 * (64 bits), the reason (its length in one byte, then its bytes), the
 * replacing hash (its length in 32 bits, then its bytes) and the record
 * (its length in 32 bits, then record_encode()'s bytes).  Every integer
 * is little-endian.  Nothing is taken on trust when decoding: the count,
 * every length, the reason's characters, each record (record_decode())
 * and its endpoint, which must be the one the value is named for, and
 * the value must end where its last entry does.
 */
#include <stdio.h>
#include <string.h>

#include "history.h"

#define HISTORY_MAGIC "CBH1"
#define PIN_MAGIC "CBP1"

struct cur {
	uint8_t *out;              /* NULL when decoding */
	const uint8_t *in;
	size_t len, pos;
	bool bad;
};

static void
put(struct cur *c, const void *p, size_t n)
{
	if (c->bad || n > c->len - c->pos) {
		c->bad = true;
		return;
	}
	memcpy(c->out + c->pos, p, n);
	c->pos += n;
}

static void
get(struct cur *c, void *p, size_t n)
{
	if (c->bad || n > c->len - c->pos) {
		c->bad = true;
		return;
	}
	memcpy(p, c->in + c->pos, n);
	c->pos += n;
}

static void
put_u64(struct cur *c, uint64_t v, size_t bytes)
{
	uint8_t b[8];
	size_t i;

	for (i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put(c, b, bytes);
}

static uint64_t
get_u64(struct cur *c, size_t bytes)
{
	uint8_t b[8] = { 0 };
	uint64_t v = 0;
	size_t i;

	get(c, b, bytes);
	for (i = 0; i < bytes; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

/* The length of s, at most max: a reason read back may hold no NUL. */
static size_t
bounded_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

static bool
reason_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > HISTORY_REASON_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

int
history_push(struct history *h, const struct history_entry *e)
{
	if (!reason_valid(e->reason, bounded_len(e->reason, sizeof(e->reason))) ||
	    e->by_len > RECORD_HASH_MAX)
		return -1;
	memmove(&h->v[1], &h->v[0], (HISTORY_KEEP - 1) * sizeof(h->v[0]));
	h->v[0] = *e;
	if (h->n < HISTORY_KEEP)
		h->n++;
	return 0;
}

static void
put_entry(struct cur *c, const struct history_entry *e)
{
	uint8_t rec[RECORD_ENCODED_MAX];
	size_t rlen = record_encode(&e->record, rec, sizeof(rec));
	size_t reason = bounded_len(e->reason, sizeof(e->reason));

	if (rlen == 0 || !reason_valid(e->reason, reason) ||
	    e->by_len > RECORD_HASH_MAX) {
		c->bad = true;
		return;
	}
	put_u64(c, (uint64_t)e->at, 8);
	put_u64(c, reason, 1);
	put(c, e->reason, reason);
	put_u64(c, e->by_len, 4);
	put(c, e->by, e->by_len);
	put_u64(c, rlen, 4);
	put(c, rec, rlen);
}

size_t
history_encode(const struct history *h, uint8_t *buf, size_t len)
{
	struct cur c = { buf, NULL, len, 0, false };
	size_t i;

	if (h->n > HISTORY_KEEP)
		return 0;
	put(&c, HISTORY_MAGIC, 4);
	put_u64(&c, h->n, 4);
	for (i = 0; i < h->n; i++)
		put_entry(&c, &h->v[i]);
	return c.bad ? 0 : c.pos;
}

/* One entry; NULL, or what is wrong with it. */
static const char *
get_entry(struct cur *c, const struct endpoint *ep, struct history_entry *e)
{
	uint64_t reason, rlen;

	memset(e, 0, sizeof(*e));
	e->at = (int64_t)get_u64(c, 8);
	reason = get_u64(c, 1);
	if (c->bad || reason > HISTORY_REASON_MAX)
		return "an entry's reason is cut short or too long";
	get(c, e->reason, (size_t)reason);
	if (c->bad || !reason_valid(e->reason, (size_t)reason))
		return "an entry's reason is not a word certbind writes";
	e->by_len = (uint32_t)get_u64(c, 4);
	if (c->bad || e->by_len > RECORD_HASH_MAX)
		return "an entry's replacing hash is too long";
	get(c, e->by, e->by_len);
	rlen = get_u64(c, 4);
	if (c->bad || rlen > c->len - c->pos)
		return "an entry is cut short";
	if (record_decode(c->in + c->pos, (size_t)rlen, &e->record) != 0)
		return "an entry's record is not one certbind wrote";
	c->pos += (size_t)rlen;
	if (ep != NULL && endpoint_compare(&e->record.endpoint, ep) != 0)
		return "an entry's record is for another endpoint";
	return NULL;
}

int
history_decode(const uint8_t *buf, size_t len, const struct endpoint *ep,
    struct history *h, char *why, size_t whylen)
{
	struct cur c = { NULL, buf, len, 0, false };
	const char *problem = NULL;
	char magic[4] = { 0 };
	uint64_t n;
	size_t i;

	memset(h, 0, sizeof(*h));
	get(&c, magic, 4);
	n = get_u64(&c, 4);
	if (c.bad || memcmp(magic, HISTORY_MAGIC, 4) != 0)
		problem = "it is not a history value of this certbind's version";
	else if (n == 0 || n > HISTORY_KEEP)
		problem = "its entry count is out of range";
	for (i = 0; problem == NULL && i < n; i++)
		problem = get_entry(&c, ep, &h->v[i]);
	if (problem == NULL && c.pos != len)
		problem = "it has bytes after its last entry";
	if (problem != NULL) {
		memset(h, 0, sizeof(*h));
		snprintf(why, whylen, "%s (%zu bytes)", problem, len);
		return -1;
	}
	h->n = (size_t)n;
	return 0;
}

bool
history_same_record(const struct ssl_record *a, const struct ssl_record *b)
{
	return endpoint_compare(&a->endpoint, &b->endpoint) == 0 &&
	    a->hash_len == b->hash_len &&
	    memcmp(a->hash, b->hash, a->hash_len) == 0 &&
	    memcmp(a->app_id, b->app_id, 16) == 0 &&
	    record_same_options(a, b);
}

int
history_rollback_index(const struct history *h, const struct ssl_record *now)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (now == NULL || !history_same_record(&h->v[i].record, now))
			return (int)i;
	return -1;
}

size_t
pin_encode(const struct pin *p, uint8_t *buf, size_t len)
{
	struct cur c = { buf, NULL, len, 0, false };

	put(&c, PIN_MAGIC, 4);
	put(&c, p->away, THUMB_LEN);
	put_u64(&c, (uint64_t)p->away_not_before, 8);
	put_u64(&c, (uint64_t)p->at, 8);
	return c.bad ? 0 : c.pos;
}

int
pin_decode(const uint8_t *buf, size_t len, struct pin *p, char *why,
    size_t whylen)
{
	struct cur c = { NULL, buf, len, 0, false };
	char magic[4] = { 0 };

	memset(p, 0, sizeof(*p));
	get(&c, magic, 4);
	get(&c, p->away, THUMB_LEN);
	p->away_not_before = (int64_t)get_u64(&c, 8);
	p->at = (int64_t)get_u64(&c, 8);
	if (c.bad || c.pos != len || memcmp(magic, PIN_MAGIC, 4) != 0) {
		memset(p, 0, sizeof(*p));
		snprintf(why, whylen, "it is not a pin certbind wrote (%zu "
		    "bytes)", len);
		return -1;
	}
	return 0;
}
