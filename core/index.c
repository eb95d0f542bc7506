/*
 * index.c - hash tables from presented name and thumbprint to certificates.
 *
 * Two open-addressing tables share one pool of postings (certificate,
 * next); each slot holds a key and the head of its posting list.  Names
 * are indexed the way names.c matches them: SAN dNSNames when there are
 * any, else the CN; lower case, one trailing dot dropped.  A wildcard is
 * indexed under its literal text ("*.example.test"), and a lookup for
 * a.example.test probes both "a.example.test" and "*.example.test".
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"

struct ix_slot {
	const uint8_t *key;            /* NULL: the slot is free */
	size_t len;
	uint64_t hash;
	int32_t head;                  /* first posting */
};

struct ix_post {
	uint32_t cert;                 /* index into inv->certs */
	int32_t next;                  /* next posting, or -1 */
};

static uint64_t
fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);

	while (n-- > 0)
		h = (h ^ *p++) * UINT64_C(1099511628211);
	return h;
}

static int
table_init(struct ix_table *t, size_t entries)
{
	size_t cap = 16;

	while (cap < 2 * entries)
		cap *= 2;
	t->slots = calloc(cap, sizeof(*t->slots));
	t->cap = cap;
	t->used = 0;
	return t->slots != NULL ? 0 : -1;
}

/* The slot for key: its own if present, else the free one to use. */
static struct ix_slot *
table_find(const struct ix_table *t, const uint8_t *key, size_t len,
    uint64_t hash)
{
	size_t i = (size_t)hash & (t->cap - 1);

	for (;;) {
		struct ix_slot *s = &t->slots[i];

		if (s->key == NULL || (s->hash == hash && s->len == len &&
		    memcmp(s->key, key, len) == 0))
			return s;
		i = (i + 1) & (t->cap - 1);
	}
}

static int
table_add(struct cert_index *ix, struct ix_table *t, const uint8_t *key,
    size_t len, uint32_t cert)
{
	uint64_t hash = fnv1a(key, len);
	struct ix_slot *s = table_find(t, key, len, hash);
	struct ix_post *p;

	if (ix->nposts == ix->capposts) {
		size_t cap = ix->capposts ? 2 * ix->capposts : 64;
		struct ix_post *v = realloc(ix->posts, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		ix->posts = v;
		ix->capposts = cap;
	}
	if (s->key == NULL) {
		s->key = key;
		s->len = len;
		s->hash = hash;
		s->head = -1;
		t->used++;
	}
	p = &ix->posts[ix->nposts];
	p->cert = cert;
	p->next = s->head;
	s->head = (int32_t)ix->nposts++;
	return 0;
}

static void
table_each(const struct cert_index *ix, const struct ix_table *t,
    const uint8_t *key, size_t len,
    void (*fn)(const struct cert *c, void *arg), void *arg)
{
	const struct ix_slot *s;
	int32_t i;

	if (t->slots == NULL)
		return;
	s = table_find(t, key, len, fnv1a(key, len));
	if (s->key == NULL)
		return;
	for (i = s->head; i >= 0; i = ix->posts[i].next)
		fn(&ix->inv->certs[ix->posts[i].cert], arg);
}

/* Lower case, without one trailing dot; NULL when out of memory. */
static char *
normalise(const char *name)
{
	size_t n = strlen(name), i;
	char *d;

	if (n > 0 && name[n - 1] == '.')
		n--;
	d = malloc(n + 1);
	if (d == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		d[i] = (char)tolower((unsigned char)name[i]);
	d[n] = '\0';
	return d;
}

static size_t
count_names(const struct inventory *inv)
{
	size_t i, n = 0;

	for (i = 0; i < inv->n; i++)
		n += inv->certs[i].ndns > 0 ? inv->certs[i].ndns :
		    (inv->certs[i].cn != NULL);
	return n;
}

static int
add_name(struct cert_index *ix, const char *name, uint32_t cert)
{
	char *key = normalise(name);

	if (key == NULL)
		return -1;
	ix->keys[ix->nkeys++] = key;
	return table_add(ix, &ix->names, (const uint8_t *)key, strlen(key),
	    cert);
}

int
index_build(struct cert_index *ix, const struct inventory *inv)
{
	size_t nnames = count_names(inv), i, j;

	memset(ix, 0, sizeof(*ix));
	ix->inv = inv;
	ix->keys = calloc(nnames ? nnames : 1, sizeof(char *));
	if (ix->keys == NULL || table_init(&ix->names, nnames) != 0 ||
	    table_init(&ix->thumbs, inv->n) != 0)
		goto fail;
	for (i = 0; i < inv->n; i++) {
		const struct cert *c = &inv->certs[i];

		if (table_add(ix, &ix->thumbs, c->thumb, THUMB_LEN,
		    (uint32_t)i) != 0)
			goto fail;
		for (j = 0; j < c->ndns; j++)
			if (add_name(ix, c->dns[j], (uint32_t)i) != 0)
				goto fail;
		if (c->ndns == 0 && c->cn != NULL &&
		    add_name(ix, c->cn, (uint32_t)i) != 0)
			goto fail;
	}
	return 0;
fail:
	index_free(ix);
	return -1;
}

void
index_free(struct cert_index *ix)
{
	size_t i;

	for (i = 0; i < ix->nkeys; i++)
		free(ix->keys[i]);
	free(ix->keys);
	free(ix->names.slots);
	free(ix->thumbs.slots);
	free(ix->posts);
	memset(ix, 0, sizeof(*ix));
}

void
index_by_name(const struct cert_index *ix, const char *host,
    void (*fn)(const struct cert *c, void *arg), void *arg)
{
	char wild[260];               /* "*" + the parent of a host name */
	const char *parent = strchr(host, '.');

	table_each(ix, &ix->names, (const uint8_t *)host, strlen(host), fn,
	    arg);
	if (parent == NULL || strlen(parent) + 2 > sizeof(wild))
		return;
	wild[0] = '*';
	strcpy(wild + 1, parent);
	table_each(ix, &ix->names, (const uint8_t *)wild, strlen(wild), fn,
	    arg);
}

void
index_by_thumb(const struct cert_index *ix, const uint8_t thumb[THUMB_LEN],
    void (*fn)(const struct cert *c, void *arg), void *arg)
{
	table_each(ix, &ix->thumbs, thumb, THUMB_LEN, fn, arg);
}
