/*
 * keymemo.c - usable private keys remembered between reconciles; see
 * keymemo.h.
 *
 * A sorted array: a service holds one entry per bound certificate, a few
 * thousand at most, and looks each winner up once per reconcile.
 */
#include <stdlib.h>
#include <string.h>

#include "keymemo.h"

static int
compare(const struct key_memo_entry *e, const uint8_t thumb[THUMB_LEN],
    const void *where, size_t len)
{
	int c = memcmp(e->thumb, thumb, THUMB_LEN);

	if (c != 0)
		return c;
	if (e->len != len)
		return e->len < len ? -1 : 1;
	return len == 0 ? 0 : memcmp(e->where, where, len);
}

/* The index of the entry, or of where it would go; *found says which. */
static size_t
search(const struct key_memo *m, const uint8_t thumb[THUMB_LEN],
    const void *where, size_t len, bool *found)
{
	size_t lo = 0, hi = m->n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = compare(&m->v[mid], thumb, where, len);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool
keymemo_opens(const struct key_memo *m, const uint8_t thumb[THUMB_LEN],
    const void *where, size_t len)
{
	bool found;

	search(m, thumb, where, len, &found);
	return found;
}

int
keymemo_add(struct key_memo *m, const uint8_t thumb[THUMB_LEN],
    const void *where, size_t len)
{
	struct key_memo_entry e;
	bool found;
	size_t at = search(m, thumb, where, len, &found);

	if (found)
		return 0;
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 16;
		struct key_memo_entry *v = realloc(m->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		m->v = v;
		m->cap = cap;
	}
	memcpy(e.thumb, thumb, THUMB_LEN);
	e.len = len;
	if ((e.where = malloc(len ? len : 1)) == NULL)
		return -1;
	if (len > 0)
		memcpy(e.where, where, len);
	memmove(&m->v[at + 1], &m->v[at], (m->n - at) * sizeof(*m->v));
	m->v[at] = e;
	m->n++;
	return 0;
}

bool
keymemo_stale(const struct key_memo *m, uint64_t now_ms, int64_t resync_ms)
{
	if (!m->begun || resync_ms <= 0 || now_ms < m->since_ms)
		return true;        /* no interval, or a clock gone back */
	return now_ms - m->since_ms >= (uint64_t)resync_ms;
}

void
keymemo_begin(struct key_memo *m, uint64_t now_ms)
{
	keymemo_clear(m);
	m->begun = true;
	m->since_ms = now_ms;
}

void
keymemo_clear(struct key_memo *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i].where);
	free(m->v);
	memset(m, 0, sizeof(*m));
}
