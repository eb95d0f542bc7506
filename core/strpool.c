/*
 * strpool.c - one shared copy of each text a record names; see strpool.h.
 *
 * An open-addressing hash set of malloc'ed strings, FNV-1a over the
 * bytes, grown to keep it at most half full.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strpool.h"

static char **slots;
static size_t nslots, used;

static uint64_t
hash(const char *p, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

/* The slot that holds these bytes, or the empty one where they go. */
static char **
find(char **v, size_t nv, const char *p, size_t n)
{
	size_t i = (size_t)hash(p, n) & (nv - 1);

	while (v[i] != NULL && (strncmp(v[i], p, n) != 0 || v[i][n] != '\0'))
		i = (i + 1) & (nv - 1);
	return &v[i];
}

static int
grow(void)
{
	size_t nv = nslots ? nslots * 2 : 64, i;
	char **v = calloc(nv, sizeof(*v));

	if (v == NULL)
		return -1;
	for (i = 0; i < nslots; i++)
		if (slots[i] != NULL)
			*find(v, nv, slots[i], strlen(slots[i])) = slots[i];
	free(slots);
	slots = v;
	nslots = nv;
	return 0;
}

const char *
strpool_get(const char *p, size_t n)
{
	char **slot, *copy;

	if (n == 0)
		return "";
	if ((used + 1) * 2 > nslots && grow() != 0)
		return NULL;
	slot = find(slots, nslots, p, n);
	if (*slot != NULL)
		return *slot;
	if ((copy = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(copy, p, n);
	copy[n] = '\0';
	*slot = copy;
	used++;
	return copy;
}
