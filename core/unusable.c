/*
 * unusable.c - certificates HTTP.sys refused for a binding; see unusable.h.
 *
 * The list is small (a handful of entries on a server with a broken key)
 * and searched linearly.  An entry outlives its backoff: a certificate
 * refused again after its retry backs off longer, and only binding it
 * successfully, or a reload that drops the binding, forgets it.
 */
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "unusable.h"

int64_t
unusable_backoff(int refusals)
{
	return backoff_wait(refusals > 1 ? (unsigned)refusals - 1 : 0,
	    UNUSABLE_BACKOFF_FIRST, UNUSABLE_BACKOFF_MAX);
}

static struct unusable *
find(const struct unusable_list *l, const char *binding,
    const uint8_t thumb[THUMB_LEN])
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].binding, binding) == 0 &&
		    memcmp(l->v[i].thumb, thumb, THUMB_LEN) == 0)
			return &l->v[i];
	return NULL;
}

static void
drop(struct unusable_list *l, size_t i)
{
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
	l->n--;
}

/* A new entry at the end; the oldest is dropped when the list is full. */
static struct unusable *
add(struct unusable_list *l)
{
	if (l->n == UNUSABLE_MAX)
		drop(l, 0);
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		struct unusable *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(*l->v));
	return &l->v[l->n++];
}

int64_t
unusable_note(struct unusable_list *l, const char *binding,
    const uint8_t thumb[THUMB_LEN], int64_t now)
{
	return unusable_note_cause(l, binding, thumb, now,
	    UNUSABLE_KEY_REFUSED);
}

enum unusable_cause
unusable_cause(const struct unusable_list *l, const char *binding,
    const uint8_t thumb[THUMB_LEN])
{
	const struct unusable *u = l != NULL ? find(l, binding, thumb) : NULL;

	return u != NULL ? u->cause : UNUSABLE_KEY_REFUSED;
}

int64_t
unusable_note_cause(struct unusable_list *l, const char *binding,
    const uint8_t thumb[THUMB_LEN], int64_t now, enum unusable_cause cause)
{
	struct unusable *u = find(l, binding, thumb);

	if (u == NULL) {
		if (strlen(binding) > BINDING_NAME_MAX || (u = add(l)) == NULL)
			return -1;
		strcpy(u->binding, binding);
		memcpy(u->thumb, thumb, THUMB_LEN);
	}
	u->refusals++;
	u->cause = cause;
	u->until = now + unusable_backoff(u->refusals);
	return u->until;
}

bool
unusable_now(const struct unusable_list *l, const char *binding,
    const uint8_t thumb[THUMB_LEN], int64_t now, int64_t *until)
{
	const struct unusable *u;

	if (l == NULL || (u = find(l, binding, thumb)) == NULL ||
	    now >= u->until)
		return false;
	if (until != NULL)
		*until = u->until;
	return true;
}

void
unusable_forget(struct unusable_list *l, const char *binding,
    const uint8_t thumb[THUMB_LEN])
{
	struct unusable *u = find(l, binding, thumb);

	if (u != NULL)
		drop(l, (size_t)(u - l->v));
}

void
unusable_prune(struct unusable_list *l, const struct policy *p)
{
	size_t i = 0, j;

	while (i < l->n) {
		for (j = 0; j < p->nbindings; j++)
			if (strcmp(l->v[i].binding, p->bindings[j].name) == 0)
				break;
		if (j < p->nbindings)
			i++;
		else
			drop(l, i);
	}
}

void
unusable_free(struct unusable_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
