/*
 * acl.c - judge a security descriptor in SDDL; see acl.h.
 *
 * Deny ACEs are honoured only where they surely apply: to the same SID
 * as a later allowing ACE, or to Everyone, and only when they come first
 * (Windows evaluates ACEs in order).  Everything else errs on the side of
 * "someone else may write": a false alarm costs a warning, a missed
 * writer costs the machine.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "ascii.h"

/* Access mask bits (winnt.h). */
#define R_DELETE 0x00010000u
#define R_WRITE_DAC 0x00040000u
#define R_WRITE_OWNER 0x00080000u
#define R_MAXIMUM_ALLOWED 0x02000000u
#define R_GENERIC_ALL 0x10000000u
#define R_GENERIC_EXECUTE 0x20000000u
#define R_GENERIC_WRITE 0x40000000u
#define R_GENERIC_READ 0x80000000u
#define F_WRITE_DATA 0x0002u           /* FILE_ADD_FILE on a folder */
#define F_APPEND_DATA 0x0004u          /* FILE_ADD_SUBDIRECTORY */
#define F_DELETE_CHILD 0x0040u
#define FILE_ALL 0x001F01FFu
#define FILE_READ 0x00120089u
#define FILE_WRITE 0x00120116u
#define FILE_EXEC 0x001200A0u

#define MAX_ACES 256

/* What writing means for a file, and for a folder. */
#define WRITES_FILE (F_WRITE_DATA | F_APPEND_DATA | R_DELETE | \
	R_WRITE_DAC | R_WRITE_OWNER)
#define WRITES_FOLDER (WRITES_FILE | F_DELETE_CHILD)

static const struct { const char *code; uint32_t bits; } right_codes[] = {
	{ "GA", R_GENERIC_ALL }, { "GR", R_GENERIC_READ },
	{ "GW", R_GENERIC_WRITE }, { "GX", R_GENERIC_EXECUTE },
	{ "FA", FILE_ALL }, { "FR", FILE_READ }, { "FW", FILE_WRITE },
	{ "FX", FILE_EXEC },
	{ "SD", R_DELETE }, { "RC", 0x00020000u }, { "WD", R_WRITE_DAC },
	{ "WO", R_WRITE_OWNER },
	{ "CC", 0x1 }, { "DC", 0x2 }, { "LC", 0x4 }, { "SW", 0x8 },
	{ "RP", 0x10 }, { "WP", 0x20 }, { "DT", 0x40 }, { "LO", 0x80 },
	{ "CR", 0x100 },
	{ "KA", 0x000F003Fu }, { "KR", 0x00020019u }, { "KW", 0x00020006u },
	{ "KX", 0x00020019u }, { "MA", R_MAXIMUM_ALLOWED },
};

static const struct { const char *alias, *sid; } sid_aliases[] = {
	{ "SY", SID_SYSTEM }, { "BA", SID_ADMINISTRATORS },
	{ "BU", "S-1-5-32-545" }, { "BG", "S-1-5-32-546" },
	{ "PU", "S-1-5-32-547" }, { "WD", "S-1-1-0" }, { "AU", "S-1-5-11" },
	{ "IU", "S-1-5-4" }, { "NU", "S-1-5-2" }, { "SU", "S-1-5-6" },
	{ "AN", "S-1-5-7" }, { "LS", "S-1-5-19" }, { "NS", "S-1-5-20" },
	{ "CO", "S-1-3-0" }, { "CG", "S-1-3-1" }, { "OW", "S-1-3-4" },
	{ "AC", "S-1-15-2-1" }, { "RD", "S-1-5-32-555" },
	{ "RU", "S-1-5-32-554" }, { "PS", "S-1-5-10" }, { "IS", "S-1-5-32-568" },
	{ "TI", SID_TRUSTED_INSTALLER },
};

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
	if (r & R_GENERIC_ALL)
		r |= FILE_ALL;
	if (r & R_GENERIC_WRITE)
		r |= FILE_WRITE;
	if (r & R_GENERIC_READ)
		r |= FILE_READ;
	if (r & R_GENERIC_EXECUTE)
		r |= FILE_EXEC;
	return r & ~(R_GENERIC_ALL | R_GENERIC_WRITE | R_GENERIC_READ |
	    R_GENERIC_EXECUTE);
}

/*
 * A SID string or alias from s (n chars) to out: "S-1-..." for a SID
 * and the aliases of fixed SIDs; other aliases (LA, DA, EA and the rest,
 * whose SIDs depend on the machine or domain) stay as they are, for
 * is_admin() to judge.
 */
static int
parse_sid(const char *s, size_t n, char out[ACL_SID_MAX + 1])
{
	size_t i;

	if (n == 2) {
		for (i = 0; i < sizeof(sid_aliases) / sizeof(sid_aliases[0]); i++)
			if (strncmp(s, sid_aliases[i].alias, 2) == 0) {
				strcpy(out, sid_aliases[i].sid);
				return 0;
			}
		if (!isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1]))
			return -1;
		memcpy(out, s, 2);
		out[2] = '\0';
		return 0;
	}
	if (n < 4 || n > ACL_SID_MAX || strncmp(s, "S-1-", 4) != 0)
		return -1;
	for (i = 4; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && s[i] != '-' &&
		    !(s[i] == 'x' || s[i] == 'X' ||
		    isxdigit((unsigned char)s[i])))
			return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

static int
parse_rights(const char *s, size_t n, uint32_t *out)
{
	char buf[16], *end;
	size_t i;

	*out = 0;
	if (n > 0 && isdigit((unsigned char)s[0])) {
		unsigned long v;

		if (n >= sizeof(buf))
			return -1;
		memcpy(buf, s, n);
		buf[n] = '\0';
		v = strtoul(buf, &end, 0);
		if (*end != '\0' || v > 0xffffffffu)
			return -1;
		*out = map_generic((uint32_t)v);
		return 0;
	}
	if (n % 2 != 0)
		return -1;
	for (; n > 0; s += 2, n -= 2) {
		for (i = 0; i < sizeof(right_codes) / sizeof(right_codes[0]); i++)
			if (strncmp(s, right_codes[i].code, 2) == 0)
				break;
		if (i == sizeof(right_codes) / sizeof(right_codes[0]))
			return -1;
		*out |= right_codes[i].bits;
	}
	*out = map_generic(*out);
	return 0;
}

/* "OICIIOID": is IO among the two-letter flags? */
static int
parse_flags(const char *s, size_t n, bool *inherit_only)
{
	static const char *const known[] = { "OI", "CI", "NP", "IO", "ID",
	    "SA", "FA", "TP", "CR" };
	size_t i;

	*inherit_only = false;
	if (n % 2 != 0)
		return -1;
	for (; n > 0; s += 2, n -= 2) {
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strncmp(s, known[i], 2) == 0)
				break;
		if (i == sizeof(known) / sizeof(known[0]))
			return -1;
		if (strncmp(s, "IO", 2) == 0)
			*inherit_only = true;
	}
	return 0;
}

/* One ACE between its parentheses: type;flags;rights;guid;guid;sid[;...] */
static int
parse_ace(const char *s, size_t n, struct ace *a)
{
	const char *f[6];
	size_t len[6], k = 0;
	const char *p = s, *end = s + n;

	while (k < 6) {
		const char *semi = memchr(p, ';', (size_t)(end - p));

		f[k] = p;
		len[k] = (semi != NULL ? semi : end) - p;
		k++;
		if (semi == NULL)
			break;
		p = semi + 1;
	}
	if (k < 6 || len[0] == 0 || len[0] >= sizeof(a->type))
		return -1;
	memcpy(a->type, f[0], len[0]);
	a->type[len[0]] = '\0';
	if (parse_flags(f[1], len[1], &a->inherit_only) != 0 ||
	    parse_rights(f[2], len[2], &a->rights) != 0)
		return -1;
	/* A conditional ACE's condition follows the SID: the SID ends at ';'
	 * or at the end. */
	return parse_sid(f[5], len[5], a->sid);
}

/*
 * The ')' that closes the ACE opening at p, or NULL.  A conditional
 * (callback) ACE carries its condition in parentheses of its own, with
 * strings that may hold any character: (XA;;FA;;;WD;(Title == ")")).
 */
static const char *
ace_end(const char *p)
{
	int depth = 0;
	bool quoted = false;

	for (; *p != '\0'; p++) {
		if (quoted) {
			if (*p == '"')
				quoted = false;
		} else if (*p == '"')
			quoted = true;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p;
	}
	return NULL;
}

static int
parse_dacl(const char *s, struct sd *sd, char *why, size_t len)
{
	const char *p = s;

	sd->has_dacl = true;
	while (*p != '\0' && *p != '(' && !(p[1] == ':' && isupper(
	    (unsigned char)p[0]))) {
		if (strncmp(p, "NO_ACCESS_CONTROL", 17) == 0) {
			sd->null_dacl = true;
			p += 17;
		} else if (*p == 'P' || *p == 'A' || *p == 'R' || *p == 'I')
			p++;
		else {
			snprintf(why, len, "unknown DACL flag at '%.12s'", p);
			return -1;
		}
	}
	while (*p == '(') {
		const char *close = ace_end(p);

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
	if (*p != '\0' && !(p[1] == ':' && isupper((unsigned char)p[0]))) {
		snprintf(why, len, "unexpected text after the DACL: '%.12s'", p);
		return -1;
	}
	return (int)(p - s);
}

/* O:, G: and S: run to the next part (outside an ACE's parentheses). */
static size_t
part_length(const char *p)
{
	size_t n = 0;
	int depth = 0;

	for (; p[n] != '\0'; n++) {
		if (p[n] == '(')
			depth++;
		else if (p[n] == ')' && depth > 0)
			depth--;
		else if (depth == 0 && p[n + 1] == ':' &&
		    strchr("OGDS", p[n]) != NULL)
			break;
	}
	return n;
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
		n = part_length(p);
		if (part == 'O' && parse_sid(p, n, sd->owner) != 0) {
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
