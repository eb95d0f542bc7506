/*
 * dacl.c - the DACL merge behind key_access; see dacl.h.
 *
 * The key's descriptor is kept as text and only added to: every part and
 * every ACE it has stays byte for byte, so that an entry certbind cannot
 * read the meaning of (an object or callback ACE, an alias of a domain
 * SID) is still never lost.  What is read is what the merge decides on:
 * the DACL's flags and its ACEs' type, flags, rights and SID.
 *
 * Read is 0x80120089, GENERIC_READ with FILE_GENERIC_READ: what the
 * certificate snap-in's "Manage Private Keys" writes for Read, and the
 * mask Microsoft's own key descriptors give NETWORK SERVICE
 * ("D:PAI(A;;0xd01f01ff;;;SY)(A;;0xd01f01ff;;;BA)(A;;0x80120089;;;NS)").
 * CNG keys and CryptoAPI key containers are both files to their
 * providers, which map generic rights as the file system does; so an
 * entry with GR, GA or all of FR already gives read.
 *
 * New entries go after the key's explicit ones and before any inherited
 * one (ID), the order Windows keeps an ACL in.  A plain deny for the same
 * SID, or for Everyone, that takes read away is refused: an allow after
 * it would change nothing, and removing it is not certbind's to decide.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "dacl.h"
#include "sdtext.h"

#define KEY_READ_MASK 0x80120089u      /* GENERIC_READ | FILE_GENERIC_READ */
#define READ_DATA 0x00000001u         /* FILE_READ_DATA */
#define MAX_ACES 4096                  /* a 64 KiB ACL of 16-byte ACEs */
#define EVERYONE "S-1-1-0"
#define LOGON_SESSION_PREFIX "S-1-5-5-"

struct ace {
	const char *text;              /* from '(' to ')', in the input */
	size_t len;
	char type[4];                  /* "A", "D", "OA", ... */
	unsigned flags;                /* SDT_ACE_* */
	uint32_t rights;               /* as written, generic bits kept */
	char sid[SDT_SID_MAX + 1];
};

struct dacl {
	bool null_dacl;                /* D:NO_ACCESS_CONTROL */
	const char *insert_at;         /* where new explicit entries go */
	struct ace *v;
	size_t n;
};

/* Rights mapped as a key file's provider maps them, for comparing. */
static uint32_t
mapped(uint32_t r)
{
	if (r & SDT_GENERIC_ALL)
		r |= SDT_FILE_ALL | SDT_GENERIC_READ | SDT_GENERIC_WRITE |
		    SDT_GENERIC_EXECUTE;
	if (r & SDT_GENERIC_READ)
		r |= SDT_FILE_READ;
	if ((r & SDT_FILE_READ) == SDT_FILE_READ)
		r |= SDT_GENERIC_READ;
	if (r & SDT_GENERIC_WRITE)
		r |= SDT_FILE_WRITE;
	if (r & SDT_GENERIC_EXECUTE)
		r |= SDT_FILE_EXEC;
	return r;
}

static int
parse_ace(const char *s, size_t n, struct ace *a)
{
	struct sdtext_fields f;

	if (sdtext_ace_split(s, n, &f) != 0 || f.len[0] == 0 ||
	    f.len[0] >= sizeof(a->type))
		return -1;
	memcpy(a->type, f.f[0], f.len[0]);
	a->type[f.len[0]] = '\0';
	/* Only callback and resource-attribute ACEs carry more fields. */
	if (f.rest != NULL && a->type[0] != 'X' && a->type[0] != 'Z' &&
	    strcmp(a->type, "RA") != 0)
		return -1;
	if (sdtext_ace_flags(f.f[1], f.len[1], &a->flags) != 0 ||
	    sdtext_rights(f.f[2], f.len[2], &a->rights) != 0)
		return -1;
	return sdtext_sid(f.f[5], f.len[5], a->sid);
}

static int
add_ace(struct dacl *d, const char *text, size_t len, const char *what,
    struct cb_error *err)
{
	struct ace *a;

	if (d->n == MAX_ACES)
		return cb_error_set(err, NULL, 0, 0, "%s: more than %d ACEs",
		    what, MAX_ACES);
	if (d->n % 16 == 0) {
		struct ace *v = realloc(d->v, (d->n + 16) * sizeof(*v));

		if (v == NULL)
			return cb_error_set(err, NULL, 0, 0, "out of memory");
		d->v = v;
	}
	a = &d->v[d->n];
	memset(a, 0, sizeof(*a));
	a->text = text;
	a->len = len;
	if (parse_ace(text + 1, len - 2, a) != 0)
		return cb_error_set(err, NULL, 0, 0, "%s: cannot read the ACE "
		    "%.*s", what, (int)(len > 80 ? 80 : len), text);
	d->n++;
	return 0;
}

/* The D: part's flags and ACEs, from p (after "D:"); the end in *end. */
static int
parse_dacl(const char *p, struct dacl *d, const char **end, const char *what,
    struct cb_error *err)
{
	int used = sdtext_dacl_flags(p, &d->null_dacl);

	if (used < 0)
		return cb_error_set(err, NULL, 0, 0, "%s: unknown DACL flag at "
		    "'%.12s'", what, p);
	p += used;
	d->insert_at = NULL;
	while (*p == '(') {
		const char *close = sdtext_ace_end(p);

		if (close == NULL)
			return cb_error_set(err, NULL, 0, 0, "%s: unclosed ACE "
			    "'%.40s'", what, p);
		if (add_ace(d, p, (size_t)(close - p + 1), what, err) != 0)
			return -1;
		if (d->insert_at == NULL &&
		    (d->v[d->n - 1].flags & SDT_ACE_INHERITED))
			d->insert_at = p;
		p = close + 1;
	}
	if (*p != '\0' && !sdtext_part_start(p))
		return cb_error_set(err, NULL, 0, 0, "%s: unexpected text after "
		    "the DACL: '%.12s'", what, p);
	if (d->null_dacl && d->n > 0)
		return cb_error_set(err, NULL, 0, 0, "%s: NO_ACCESS_CONTROL "
		    "with ACEs", what);
	if (d->insert_at == NULL)
		d->insert_at = p;
	*end = p;
	return 0;
}

/* Read the descriptor sddl; only its D: part is kept in d. */
static int
parse_sd(const char *sddl, struct dacl *d, const char *what,
    struct cb_error *err)
{
	const char *p = sddl;
	bool seen = false;

	memset(d, 0, sizeof(*d));
	while (*p != '\0') {
		if (!sdtext_part_start(p))
			return cb_error_set(err, NULL, 0, 0, "%s: expected O:, G:, "
			    "D: or S: at '%.12s'", what, p);
		if (p[0] != 'D') {
			p += 2 + sdtext_part_length(p + 2);
			continue;
		}
		if (seen)
			return cb_error_set(err, NULL, 0, 0, "%s: two DACLs",
			    what);
		seen = true;
		if (parse_dacl(p + 2, d, &p, what, err) != 0)
			return -1;
	}
	if (!seen)
		return cb_error_set(err, NULL, 0, 0, "%s: no DACL (D:)", what);
	return 0;
}

static bool
same_sid(const char *a, const char *b)
{
	return ascii_equal_nocase(a, b);
}

/* An entry of d, or of the n added ones, already allows sid rights. */
static bool
allowed(const struct dacl *d, const struct ace *added, size_t n,
    const char *sid, uint32_t rights)
{
	uint32_t want = mapped(rights);
	size_t i;

	for (i = 0; i < d->n + n; i++) {
		const struct ace *a = i < d->n ? &d->v[i] : &added[i - d->n];

		if (strcmp(a->type, "A") == 0 &&
		    !(a->flags & SDT_ACE_INHERIT_ONLY) &&
		    same_sid(a->sid, sid) && (mapped(a->rights) & want) == want)
			return true;
	}
	return false;
}

/*
 * A plain deny that applies here takes reading the key away from sid:
 * it denies GENERIC_READ or FILE_READ_DATA (a deny of READ_CONTROL or
 * SYNCHRONIZE alone, as FW carries, does not stop the key being used).
 */
static const struct ace *
denied(const struct dacl *d, const char *sid)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct ace *a = &d->v[i];

		if (strcmp(a->type, "D") == 0 &&
		    !(a->flags & SDT_ACE_INHERIT_ONLY) &&
		    (same_sid(a->sid, sid) || same_sid(a->sid, EVERYONE)) &&
		    (mapped(a->rights) & (SDT_GENERIC_READ | READ_DATA)) != 0)
			return a;
	}
	return NULL;
}

/* What the merge adds: each entry's text and what it means. */
struct additions {
	struct ace *v;
	char (*text)[SDT_SID_MAX + 32];
	size_t n;
};

static void
add_read(struct additions *x, const char *sid)
{
	struct ace *a = &x->v[x->n];

	memset(a, 0, sizeof(*a));
	strcpy(a->type, "A");
	a->rights = KEY_READ_MASK;
	snprintf(a->sid, sizeof(a->sid), "%s", sid);
	snprintf(x->text[x->n], sizeof(x->text[0]), "(A;;0x%08x;;;%s)",
	    (unsigned)KEY_READ_MASK, sid);
	a->text = x->text[x->n];
	a->len = strlen(a->text);
	x->n++;
}

static int
add_sids(const struct dacl *d, const char *const *sids, size_t nsids,
    struct additions *x, struct cb_error *err)
{
	char sid[SDT_SID_MAX + 1];
	const struct ace *deny;
	size_t i;

	for (i = 0; i < nsids; i++) {
		size_t n = sids[i] != NULL ? strlen(sids[i]) : 0;

		if (n < 4 || sdtext_sid(sids[i], n, sid) != 0 ||
		    strncmp(sid, "S-1-", 4) != 0)
			return cb_error_set(err, NULL, 0, 0, "not a SID: "
			    "'%.40s'", sids[i] != NULL ? sids[i] : "");
		if ((deny = denied(d, sid)) != NULL)
			return cb_error_set(err, NULL, 0, 0, "the key's DACL "
			    "denies read to %s (%.*s); an allow after a deny "
			    "changes nothing", sid, (int)(deny->len > 80 ? 80 :
			    deny->len), deny->text);
		if (!allowed(d, x->v, x->n, sid, KEY_READ_MASK))
			add_read(x, sid);
	}
	return 0;
}

/*
 * inherit: prev's explicit plain allows, except for logon sessions (a
 * SID that no longer means anyone once the session is gone), where the
 * key does not already allow as much.  Their text is kept as written.
 */
static void
add_inherited(const struct dacl *d, const struct dacl *prev,
    struct additions *x)
{
	size_t i;

	for (i = 0; i < prev->n; i++) {
		const struct ace *a = &prev->v[i];

		if (strcmp(a->type, "A") != 0 || (a->flags &
		    (SDT_ACE_INHERITED | SDT_ACE_INHERIT_ONLY)) ||
		    ascii_nequal_nocase(a->sid, LOGON_SESSION_PREFIX,
		    strlen(LOGON_SESSION_PREFIX)) ||
		    allowed(d, x->v, x->n, a->sid, a->rights))
			continue;
		x->v[x->n++] = *a;
	}
}

static int
join(const char *key_sddl, const struct dacl *d, const struct additions *x,
    char **out, struct cb_error *err)
{
	size_t head = (size_t)(d->insert_at - key_sddl), n = strlen(key_sddl);
	size_t i, len = n + 1;
	char *s, *p;

	for (i = 0; i < x->n; i++)
		len += x->v[i].len;
	if ((s = malloc(len)) == NULL)
		return cb_error_set(err, NULL, 0, 0, "out of memory");
	memcpy(s, key_sddl, head);
	p = s + head;
	for (i = 0; i < x->n; i++) {
		memcpy(p, x->v[i].text, x->v[i].len);
		p += x->v[i].len;
	}
	memcpy(p, key_sddl + head, n - head + 1);
	*out = s;
	return 0;
}

int
dacl_merge(const char *key_sddl, const char *const *sids, size_t nsids,
    const char *prev_sddl, bool inherit, char **out, bool *changed,
    struct cb_error *err)
{
	struct dacl key, prev;
	struct additions x;
	size_t room = nsids;
	int rc = -1;

	*out = NULL;
	*changed = false;
	memset(&prev, 0, sizeof(prev));
	memset(&x, 0, sizeof(x));
	if (key_sddl == NULL)
		return cb_error_set(err, NULL, 0, 0, "the key's descriptor: "
		    "none");
	if (parse_sd(key_sddl, &key, "the key's descriptor", err) != 0)
		goto done;
	if (inherit && prev_sddl != NULL) {
		if (parse_sd(prev_sddl, &prev, "the previous key's descriptor",
		    err) != 0)
			goto done;
		room += prev.n;
	}
	x.v = calloc(room + 1, sizeof(*x.v));
	x.text = calloc(nsids + 1, sizeof(*x.text));
	if (x.v == NULL || x.text == NULL) {
		cb_error_set(err, NULL, 0, 0, "out of memory");
		goto done;
	}
	/* No DACL at all lets everyone in: there is nothing to add. */
	if (!key.null_dacl) {
		if (add_sids(&key, sids, nsids, &x, err) != 0)
			goto done;
		add_inherited(&key, &prev, &x);
	}
	if ((rc = join(key_sddl, &key, &x, out, err)) == 0)
		*changed = x.n > 0;
done:
	free(key.v);
	free(prev.v);
	free(x.v);
	free(x.text);
	return rc;
}

int
dacl_grant_due(const char *key_sddl, const char *const *sids, size_t nsids,
    bool *due, struct cb_error *err)
{
	char *merged;
	int rc = dacl_merge(key_sddl, sids, nsids, NULL, false, &merged, due,
	    err);

	free(merged);
	return rc;
}
