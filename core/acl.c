/*
 * acl.c - judge a security descriptor in SDDL; see acl.h.
 *
 * Deny ACEs are honoured only where they surely apply: to the same SID
 * as a later allowing ACE, or to Everyone, and only when they come first
 * (Windows evaluates ACEs in order).  Everything else errs on the side of
 * "someone else may write": a false alarm costs a warning, a missed
 * writer costs the machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "ascii.h"
#include "sdtext.h"

/* Access mask bits (winnt.h). */
#define R_DELETE 0x00010000u
#define R_WRITE_DAC 0x00040000u
#define R_WRITE_OWNER 0x00080000u
#define R_MAXIMUM_ALLOWED 0x02000000u
#define F_WRITE_DATA 0x0002u           /* FILE_ADD_FILE on a folder */
#define F_APPEND_DATA 0x0004u          /* FILE_ADD_SUBDIRECTORY */
#define F_DELETE_CHILD 0x0040u

#define MAX_ACES 256

/* What writing means for a file, and for a folder. */
#define WRITES_FILE (F_WRITE_DATA | F_APPEND_DATA | R_DELETE | \
	R_WRITE_DAC | R_WRITE_OWNER)
#define WRITES_FOLDER (WRITES_FILE | F_DELETE_CHILD)

struct ace {
	char type[4];                  /* "A", "D", ... */
	bool inherit_only;
	uint32_t rights;               /* generic rights mapped to file ones */
	char sid[ACL_SID_MAX + 1];
};

struct sd {
	char owner[ACL_SID_MAX + 1];
	bool has_dacl, null_dacl;
	struct ace *aces;
	size_t n;
};

/* Generic rights as the file system maps them. */
static uint32_t
map_generic(uint32_t r)
{
	if (r & SDT_GENERIC_ALL)
		r |= SDT_FILE_ALL;
	if (r & SDT_GENERIC_WRITE)
		r |= SDT_FILE_WRITE;
	if (r & SDT_GENERIC_READ)
		r |= SDT_FILE_READ;
	if (r & SDT_GENERIC_EXECUTE)
		r |= SDT_FILE_EXEC;
	return r & ~(SDT_GENERIC_ALL | SDT_GENERIC_WRITE |
	    SDT_GENERIC_READ | SDT_GENERIC_EXECUTE);
}

/* One ACE between its parentheses: type;flags;rights;guid;guid;sid[;...] */
static int
parse_ace(const char *s, size_t n, struct ace *a)
{
	struct sdtext_fields f;
	unsigned flags;

	if (sdtext_ace_split(s, n, &f) != 0 || f.len[0] == 0 ||
	    f.len[0] >= sizeof(a->type))
		return -1;
	memcpy(a->type, f.f[0], f.len[0]);
	a->type[f.len[0]] = '\0';
	if (sdtext_ace_flags(f.f[1], f.len[1], &flags) != 0 ||
	    sdtext_rights(f.f[2], f.len[2], &a->rights) != 0)
		return -1;
	a->inherit_only = (flags & SDT_ACE_INHERIT_ONLY) != 0;
	a->rights = map_generic(a->rights);
	/* A conditional ACE's condition follows the SID: the SID ends at ';'
	 * or at the end. */
	return sdtext_sid(f.f[5], f.len[5], a->sid);
}

static int
parse_dacl(const char *s, struct sd *sd, char *why, size_t len)
{
	const char *p = s;

	int used;

	sd->has_dacl = true;
	if ((used = sdtext_dacl_flags(p, &sd->null_dacl)) < 0) {
		snprintf(why, len, "unknown DACL flag at '%.12s'", p);
		return -1;
	}
	p += used;
	while (*p == '(') {
		const char *close = sdtext_ace_end(p);

		if (close == NULL || sd->n == MAX_ACES) {
			snprintf(why, len, close == NULL ? "unclosed ACE" :
			    "more than %d ACEs", MAX_ACES);
			return -1;
		}
		if (parse_ace(p + 1, (size_t)(close - p - 1), &sd->aces[sd->n])
		    != 0) {
			snprintf(why, len, "cannot read the ACE (%.*s)",
			    (int)(close - p - 1 > 80 ? 80 : close - p - 1), p + 1);
			return -1;
		}
		sd->n++;
		p = close + 1;
	}
	if (*p != '\0' && !sdtext_part_start(p)) {
		snprintf(why, len, "unexpected text after the DACL: '%.12s'", p);
		return -1;
	}
	return (int)(p - s);
}

static int
parse_sd(const char *sddl, struct sd *sd, char *why, size_t len)
{
	const char *p = sddl;

	while (*p != '\0') {
		char part = p[0];
		size_t n;
		int used;

		if (p[1] != ':') {
			snprintf(why, len, "expected O:, G:, D: or S: at '%.12s'",
			    p);
			return -1;
		}
		p += 2;
		if (part == 'D') {
			if ((used = parse_dacl(p, sd, why, len)) < 0)
				return -1;
			p += used;
			continue;
		}
		n = sdtext_part_length(p);
		if (part == 'O' && sdtext_sid(p, n, sd->owner) != 0) {
			snprintf(why, len, "cannot read the owner '%.*s'",
			    (int)(n > 80 ? 80 : n), p);
			return -1;
		}
		if (part != 'O' && part != 'G' && part != 'S') {
			snprintf(why, len, "unknown part '%c:'", part);
			return -1;
		}
		p += n;
	}
	return 0;
}

static bool
well_known_admin(const char *sid)
{
	return strcmp(sid, SID_SYSTEM) == 0 ||
	    strcmp(sid, SID_ADMINISTRATORS) == 0 ||
	    strcmp(sid, SID_TRUSTED_INSTALLER) == 0;
}

static bool
trusted(const char *sid, const struct sd *sd,
    bool (*is_admin)(const char *sid, void *arg), void *arg)
{
	bool owner_ok = sd->owner[0] != '\0' && (well_known_admin(sd->owner) ||
	    (is_admin != NULL && is_admin(sd->owner, arg)));

	if (well_known_admin(sid) || (strncmp(sid, "S-1-3-", 6) != 0 &&
	    is_admin != NULL && is_admin(sid, arg)))
		return true;
	/* OWNER RIGHTS (and CREATOR OWNER, were it left un-inherited) is the
	 * owner. */
	if (strcmp(sid, "S-1-3-4") == 0 || strcmp(sid, "S-1-3-0") == 0)
		return owner_ok;
	return strcmp(sid, sd->owner) == 0 && owner_ok;
}

/*
 * The rights deny ACEs before ace i take away from its SID.  A deny for
 * Everyone covers every SID but Anonymous Logon (S-1-5-7), which is not
 * in Everyone (EveryoneIncludesAnonymous is off by default).
 */
static uint32_t
denied_before(const struct sd *sd, size_t i)
{
	const char *sid = sd->aces[i].sid;
	uint32_t d = 0;
	size_t j;

	for (j = 0; j < i; j++) {
		const struct ace *x = &sd->aces[j];

		if (strcmp(x->type, "D") == 0 && !x->inherit_only &&
		    (strcmp(x->sid, sid) == 0 ||
		    (strcmp(x->sid, "S-1-1-0") == 0 &&
		    strcmp(sid, "S-1-5-7") != 0)))
			d |= x->rights;
	}
	return d;
}

/*
 * ACE types that never grant: plain denies (judged by denied_before),
 * deny types not honoured (a callback deny "XD" holds only when its
 * condition does, and an object deny "OD" only for its object; ignoring
 * them can only find more writers), and audit and label entries.
 */
static bool
never_grants(const char *type)
{
	static const char *const types[] = { "D", "XD", "OD", "AU", "AL",
	    "OU", "OL", "XU", "ML" };
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i]) == 0)
			return true;
	return false;
}

static int
judge(const struct sd *sd, bool folder,
    bool (*is_admin)(const char *sid, void *arg), void *arg,
    struct acl_finding *out)
{
	uint32_t writes = folder ? WRITES_FOLDER : WRITES_FILE;
	size_t i;

	if (!sd->has_dacl || sd->null_dacl) {
		strcpy(out->sid, "S-1-1-0");   /* no DACL: everyone */
		out->rights = writes;
		return 1;
	}
	/* The owner may always change the DACL (WRITE_DAC). */
	if (sd->owner[0] != '\0' && !trusted(sd->owner, sd, is_admin, arg)) {
		strcpy(out->sid, sd->owner);
		out->rights = R_WRITE_DAC;
		return 1;
	}
	for (i = 0; i < sd->n; i++) {
		const struct ace *a = &sd->aces[i];
		uint32_t r;

		/* Any other type grants what it names: an allow-callback
		 * ("XA") counts as an allow whatever its condition. */
		if (a->inherit_only || never_grants(a->type))
			continue;
		r = a->rights & ~denied_before(sd, i);
		if ((r & (writes | R_MAXIMUM_ALLOWED)) != 0 &&
		    !trusted(a->sid, sd, is_admin, arg)) {
			strcpy(out->sid, a->sid);
			out->rights = r & (writes | R_MAXIMUM_ALLOWED);
			return 1;
		}
	}
	return 0;
}

int
acl_judge(const char *sddl, bool folder,
    bool (*is_admin)(const char *sid, void *arg), void *arg,
    struct acl_finding *out, char *why, size_t len)
{
	struct sd sd;
	int rc;

	memset(&sd, 0, sizeof(sd));
	memset(out, 0, sizeof(*out));
	if ((sd.aces = calloc(MAX_ACES, sizeof(*sd.aces))) == NULL) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	rc = parse_sd(sddl, &sd, why, len) != 0 ? -1 :
	    judge(&sd, folder, is_admin, arg, out);
	free(sd.aces);
	return rc;
}

const char *
acl_rights_text(uint32_t rights, bool folder, char *buf, size_t len)
{
	static const struct { uint32_t bit; const char *file, *dir; } names[] = {
		{ F_WRITE_DATA, "FILE_WRITE_DATA", "FILE_ADD_FILE" },
		{ F_APPEND_DATA, "FILE_APPEND_DATA", "FILE_ADD_SUBDIRECTORY" },
		{ F_DELETE_CHILD, "FILE_DELETE_CHILD", "FILE_DELETE_CHILD" },
		{ R_DELETE, "DELETE", "DELETE" },
		{ R_WRITE_DAC, "WRITE_DAC", "WRITE_DAC" },
		{ R_WRITE_OWNER, "WRITE_OWNER", "WRITE_OWNER" },
		{ R_MAXIMUM_ALLOWED, "MAXIMUM_ALLOWED", "MAXIMUM_ALLOWED" },
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && n < len; i++)
		if (rights & names[i].bit)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
			    n > 0 ? "|" : "", folder ? names[i].dir :
			    names[i].file);
	return buf;
}

bool
acl_lock_owner_ok(const char *owner, const char *self)
{
	if (owner == NULL || owner[0] == '\0')
		return false;
	return ascii_equal_nocase(owner, SID_SYSTEM) ||
	    ascii_equal_nocase(owner, SID_ADMINISTRATORS) ||
	    (self != NULL && ascii_equal_nocase(owner, self));
}
