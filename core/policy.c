/*
 * policy.c - turn a YAML tree into a checked struct policy.
 *
 * Each YAML mapping is described by a table of its keys (struct field):
 * the key's name, whether it must be present, the function that reads its
 * value, and where in the model the value goes.  parse_map() does the
 * common work for every table - unknown keys (with a did-you-mean),
 * duplicate keys, missing required keys - so adding a key to the policy is
 * one table row, and usually no new code.
 *
 * After the keys, what involves several keys is checked (a binding needs a
 * name to cover; names and endpoints are unique), then each binding's
 * AppId and store are resolved from its options and the defaults.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "policy.h"
#include "record.h"
#include "verify.h"
#include "window.h"
#include "winpath.h"
#include "yaml_tree.h"

#define MAX_FIELDS 32

struct loader {
	const char *file;
	struct cb_error *err;
	struct policy *policy;
	const char *prefix;     /* "match." etc., for messages */
};

struct field;

struct table {
	const char *where;      /* "a binding", for messages */
	const char *prefix;     /* "options.", for messages */
	const struct field *fields;
	size_t n;
};

struct field {
	const char *key;
	bool required;
	int (*read)(struct loader *l, const struct ynode *v, void *target,
	    const struct field *f);
	size_t offset;          /* where read() stores the value in target */
	int64_t min, max;       /* range of a number or duration */
	uint32_t check_bit;     /* a switch: its DefaultCertCheckMode bit */
	uint32_t flag_bit;      /* a switch: its DefaultFlags bit */
	bool inverted;          /* a switch: true clears the bit */
	unsigned opt;           /* an option: its OPT_* bit in options.set */
	const struct table *child;  /* a nested mapping's keys */
	bool list;              /* the value is a list of child mappings */
};

#define AT(type, target, f) ((type *)((char *)(target) + (f)->offset))

CB_PRINTF(3, 4)
static int
fail(struct loader *l, const struct ynode *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cb_error_vset(l->err, l->file, at ? at->line : 0, at ? at->col : 0,
	    fmt, ap);
	va_end(ap);
	return -1;
}

/* Levenshtein distance, small strings only (keys). */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[64];

	if (la >= 64 || lb >= 64)
		return 64;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]));

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static int
unknown_key(struct loader *l, const struct ynode *key, const struct table *t)
{
	const char *guess = NULL;
	size_t best = 3, i;

	for (i = 0; i < t->n; i++) {
		size_t d = edit_distance(key->text, t->fields[i].key);

		if (d < best) {
			best = d;
			guess = t->fields[i].key;
		}
	}
	if (guess != NULL)
		return fail(l, key, "unknown key '%s' in %s (did you mean "
		    "'%s'?)", key->text, t->where, guess);
	return fail(l, key, "unknown key '%s' in %s", key->text, t->where);
}

/* Read every key of a mapping through its table row. */
static int
parse_map(struct loader *l, const struct ynode *map, const struct table *t,
    void *target)
{
	const struct ynode *seen[MAX_FIELDS] = { 0 };
	const char *outer = l->prefix;
	size_t i, f;

	if (map->kind != YNODE_MAP)
		return fail(l, map, "expected a mapping (key: value) for %s",
		    t->where);
	for (i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *key = map->items[i];

		for (f = 0; f < t->n; f++)
			if (strcmp(key->text, t->fields[f].key) == 0)
				break;
		if (f == t->n)
			return unknown_key(l, key, t);
		if (seen[f] != NULL)
			return fail(l, key, "duplicate key '%s' (first given at "
			    "line %d)", key->text, seen[f]->line);
		seen[f] = key;
		l->prefix = t->prefix;
		if (t->fields[f].read(l, map->items[i + 1], target,
		    &t->fields[f]) != 0)
			return -1;
		l->prefix = outer;
	}
	for (f = 0; f < t->n; f++)
		if (t->fields[f].required && seen[f] == NULL)
			return fail(l, map, "%s is missing the required key '%s'",
			    t->where, t->fields[f].key);
	return 0;
}

static const struct ynode *
map_value(const struct ynode *map, const char *key)
{
	size_t i;

	for (i = 0; i + 1 < map->n; i += 2)
		if (strcmp(map->items[i]->text, key) == 0)
			return map->items[i + 1];
	return NULL;
}

/* --- value readers, shared by the tables ------------------------------ */

static int
copy_string(struct loader *l, const struct ynode *v, char **out,
    const struct field *f)
{
	if (v->kind != YNODE_SCALAR || v->len == 0)
		return fail(l, v, "expected a non-empty string for %s%s",
		    l->prefix, f->key);
	*out = malloc(v->len + 1);
	if (*out == NULL)
		return fail(l, NULL, "out of memory");
	memcpy(*out, v->text, v->len + 1);
	return 0;
}

static int
read_string(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	char **out = AT(char *, target, f);

	if (copy_string(l, v, out, f) != 0)
		return -1;
	if (f->max > 0 && (int64_t)v->len > f->max)
		return fail(l, v, "%s%s is longer than %" PRId64 " bytes",
		    l->prefix, f->key, f->max);
	return 0;
}

/* YAML 1.2 core schema booleans, plain (unquoted) only. */
static int
scalar_bool(const struct ynode *v, bool *out)
{
	static const char *const yes[] = { "true", "True", "TRUE" };
	static const char *const no[] = { "false", "False", "FALSE" };
	size_t i;

	if (v->kind != YNODE_SCALAR || !v->plain)
		return -1;
	for (i = 0; i < 3; i++) {
		if (strcmp(v->text, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(v->text, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int
bad_bool(struct loader *l, const struct ynode *v, const struct field *f)
{
	if (v->kind == YNODE_SCALAR)
		return fail(l, v, "%s%s must be true or false, not '%s'",
		    l->prefix, f->key, v->text);
	return fail(l, v, "%s%s must be true or false", l->prefix, f->key);
}

static int
read_bool(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	if (scalar_bool(v, AT(bool, target, f)) != 0)
		return bad_bool(l, v, f);
	return 0;
}

/* A plain decimal number in [min, max]. */
static int
scalar_number(const struct ynode *v, int64_t min, int64_t max, int64_t *out)
{
	int64_t n = 0;
	size_t i;

	if (v->kind != YNODE_SCALAR || !v->plain || v->len == 0 || v->len > 12)
		return -1;
	for (i = 0; i < v->len; i++) {
		if (!isdigit((unsigned char)v->text[i]))
			return -1;
		n = n * 10 + (v->text[i] - '0');
	}
	if (n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static int
read_int(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	int64_t n;

	if (scalar_number(v, f->min, f->max, &n) != 0)
		return fail(l, v, "%s%s must be a whole number from %" PRId64
		    " to %" PRId64, l->prefix, f->key, f->min, f->max);
	*AT(int, target, f) = (int)n;
	return 0;
}

static const struct {
	const char *suffix;
	int64_t ms;
} units[] = {
	{ "ms", 1 },
	{ "s", 1000 },
	{ "m", 60 * 1000 },
	{ "h", 60 * 60 * 1000 },
	{ "d", 24 * 60 * 60 * 1000 },
};

/* "90s", "15m", "1h", "7d", "50ms" to milliseconds; -1 if malformed. */
static int64_t
parse_duration(const char *text)
{
	int64_t n = 0;
	const char *p = text;
	size_t i;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		n = n * 10 + (*p - '0');
		if (n > INT64_C(1000000000))
			return -1;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(p, units[i].suffix) == 0)
			return n * units[i].ms;
	return -1;
}

/* The largest unit that divides ms: 60000 is "1m". */
static const char *
format_duration(int64_t ms, char *buf, size_t len)
{
	size_t i = sizeof(units) / sizeof(units[0]);

	if (ms == 0) {
		snprintf(buf, len, "0s");
		return buf;
	}
	while (--i > 0)
		if (ms % units[i].ms == 0)
			break;
	snprintf(buf, len, "%" PRId64 "%s", ms / units[i].ms,
	    units[i].suffix);
	return buf;
}

/* A duration in [min, max] milliseconds, as int64_t milliseconds. */
static int
duration_value(struct loader *l, const struct ynode *v,
    const struct field *f, int64_t *out)
{
	char lo[24], hi[24];
	int64_t ms = -1;

	if (v->kind == YNODE_SCALAR && v->plain)
		ms = parse_duration(v->text);
	if (ms < f->min || ms > f->max)
		return fail(l, v, "%s%s must be a duration from %s to %s, "
		    "written like 90s, 15m, 1h or 7d", l->prefix, f->key,
		    format_duration(f->min, lo, sizeof(lo)),
		    format_duration(f->max, hi, sizeof(hi)));
	*out = ms;
	return 0;
}

static int
read_duration(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	return duration_value(l, v, f, AT(int64_t, target, f));
}

static int
read_store(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	enum cert_store *out = AT(enum cert_store, target, f);

	if (v->kind == YNODE_SCALAR && ascii_equal_nocase(v->text, "My"))
		*out = STORE_MY;
	else if (v->kind == YNODE_SCALAR &&
	    ascii_equal_nocase(v->text, "WebHosting"))
		*out = STORE_WEBHOSTING;
	else
		return fail(l, v, "%s%s must be My or WebHosting (a "
		    "LocalMachine store HTTP.sys can use)", l->prefix, f->key);
	return 0;
}

static int
guid_value(struct loader *l, const struct ynode *v, const struct field *f,
    uint8_t out[16])
{
	static const uint8_t null_guid[16];

	if (v->kind != YNODE_SCALAR || guid_parse(v->text, out) != 0)
		return fail(l, v, "%s%s must be a GUID such as "
		    "{9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3c6}", l->prefix, f->key);
	if (memcmp(out, null_guid, 16) == 0)
		return fail(l, v, "%s%s must not be the null GUID", l->prefix,
		    f->key);
	return 0;
}

/* --- restarts and key access --------------------------------------------- */

/*
 * restart_services: and key_access: name services and accounts that go to
 * the SCM and to LookupAccountName as they are written, and a policy may
 * hold anything.  So each name is checked here for what would make it
 * misread or unreadable in a message: emptiness, length, control and
 * invisible characters, and a name given twice.  Whether a service or an
 * account exists is a question for the machine, asked by `check`
 * (service/svcrestart.c, service/keyaccess.c).
 */
#define NAMES_MAX 64              /* names in one list */
#define NAME_UNITS_MAX 256        /* MAX_SERVICE_NAME_LENGTH, in UTF-16
                                     units as Windows counts them */
#define SID_SUBAUTH_MAX 15        /* SID_MAX_SUB_AUTHORITIES */

/* What a list holds, for messages and the few rules that differ. */
struct name_kind {
	const char *what;             /* "service", "account" */
	const char *forbidden;        /* characters it may not hold, or NULL */
	bool sid;                     /* "S-1-..." must be a well-formed SID */
};

static const struct name_kind service_names = { "service", "/\\", false };
static const struct name_kind account_names = { "account", NULL, true };

/* The code point of the valid UTF-8 sequence at *p; *p moves past it. */
static uint32_t
next_code_point(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t c = *s++;
	int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;

	c &= more == 3 ? 0x07 : more == 2 ? 0x0f : more == 1 ? 0x1f : 0x7f;
	for (; more > 0 && (*s & 0xc0) == 0x80; more--)
		c = (c << 6) | (*s++ & 0x3f);
	*p = s;
	return c;
}

/*
 * Control characters (C0, DEL, C1) and the invisible format characters
 * that make two names look alike or a name read backwards: zero-width
 * spaces and joiners, direction marks and overrides, the byte order mark.
 */
static bool
unseen(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
	    (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2060 && c <= 0x2064) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0xfeff;
}

/*
 * The name's length in UTF-16 units, as Windows counts it, into *units;
 * false with the character in *bad when it holds an unseen one.
 */
static bool
name_units(const char *name, size_t *units, uint32_t *bad)
{
	const unsigned char *p = (const unsigned char *)name;

	*units = 0;
	while (*p != '\0') {
		uint32_t c = next_code_point(&p);

		if (unseen(c)) {
			*bad = c;
			return false;
		}
		*units += c >= 0x10000 ? 2 : 1;
	}
	return true;
}

/* Decimal digits at *p, at most max in value; *p moves past them. */
static bool
sid_number(const char **p, uint64_t max)
{
	uint64_t n = 0;
	const char *s = *p;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		n = n * 10 + (uint64_t)(*s - '0');
		if (n > max)
			return false;
	}
	*p = s;
	return true;
}

/*
 * "S-1-5-21-...", as [MS-DTYP] 2.4.2.1 writes a SID: revision 1, the
 * 48-bit authority in decimal or as 0x and 12 hex digits, then 1 to 15
 * sub-authorities of 32 bits (SID_MAX_SUB_AUTHORITIES).  The grammar's
 * literal "S-1-" is case-insensitive, as ABNF strings are.
 */
static bool
sid_well_formed(const char *s)
{
	int subs = 0;
	size_t hex = 0;

	if ((s[0] != 'S' && s[0] != 's') || strncmp(s + 1, "-1-", 3) != 0)
		return false;
	s += 4;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (s += 2; ascii_hexval((unsigned char)*s) >= 0; s++)
			hex++;
		if (hex != 12)
			return false;
	} else if (!sid_number(&s, UINT64_C(0xffffffffffff))) {
		return false;
	}
	for (; *s == '-'; subs++) {
		s++;
		if (subs == SID_SUBAUTH_MAX || !sid_number(&s, UINT32_MAX))
			return false;
	}
	return subs > 0 && *s == '\0';
}

/* One name of key's list: well-formed, or -1 with the reason. */
static int
check_name(struct loader *l, const struct ynode *t, const struct field *f,
    const struct name_kind *k)
{
	size_t units;
	uint32_t bad;

	if (t->kind != YNODE_SCALAR || t->len == 0)
		return fail(l, t, "each %s in %s%s must be a non-empty name",
		    k->what, l->prefix, f->key);
	/* Not quoted: an invisible character would garble the message. */
	if (!name_units(t->text, &units, &bad))
		return fail(l, t, "a %s name in %s%s holds U+%04" PRIX32 ", a "
		    "control or invisible character", k->what, l->prefix,
		    f->key, bad);
	if (units > NAME_UNITS_MAX)
		return fail(l, t, "a name in %s%s is longer than %d "
		    "characters", l->prefix, f->key, NAME_UNITS_MAX);
	if (k->forbidden != NULL && strpbrk(t->text, k->forbidden) != NULL)
		return fail(l, t, "%s name '%s' in %s%s holds '/' or '\\', "
		    "which no Windows service name does", k->what, t->text,
		    l->prefix, f->key);
	if (k->sid && (t->text[0] == 'S' || t->text[0] == 's') &&
	    t->text[1] == '-' && isdigit((unsigned char)t->text[2]) &&
	    !sid_well_formed(t->text))
		return fail(l, t, "'%s' in %s%s is not a well-formed SID such "
		    "as S-1-5-20", t->text, l->prefix, f->key);
	return 0;
}

/*
 * Windows compares service and account names without regard to case;
 * so does this, for ASCII letters (a name differing only in the case of
 * other letters is caught by the machine check, not here).
 */
static int
check_unique_name(struct loader *l, const struct ynode *t,
    const struct field *f, const struct name_kind *k,
    const struct named *seen, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ascii_equal_nocase(seen[i].name, t->text))
			return fail(l, t, "%s '%s' is listed twice in %s%s (first "
			    "at line %d)", k->what, t->text, l->prefix, f->key,
			    seen[i].line);
	return 0;
}

static int
add_named(struct loader *l, const struct ynode *t, struct named *out)
{
	out->name = malloc(t->len + 1);
	if (out->name == NULL)
		return fail(l, NULL, "out of memory");
	memcpy(out->name, t->text, t->len + 1);
	out->line = t->line;
	out->col = t->col;
	return 0;
}

/*
 * A list of names into *out, *n.  When inherit is not NULL the keyword
 * inherit may be one of the items; it sets *inherit instead of being a
 * name (an account called inherit is written .\inherit or DOMAIN\inherit).
 */
static int
named_list(struct loader *l, const struct ynode *v, const struct field *f,
    const struct name_kind *k, struct named **out, size_t *n, bool *inherit)
{
	const struct ynode *keyword = NULL;
	size_t i;

	if (v->kind != YNODE_SEQ || v->n == 0)
		return fail(l, v, "%s%s must be a list of at least one %s name",
		    l->prefix, f->key, k->what);
	if (v->n > NAMES_MAX)
		return fail(l, v, "%s%s lists more than %d names", l->prefix,
		    f->key, NAMES_MAX);
	*out = calloc(v->n, sizeof(**out));
	if (*out == NULL)
		return fail(l, NULL, "out of memory");
	for (i = 0; i < v->n; i++) {
		const struct ynode *t = v->items[i];

		if (inherit != NULL && t->kind == YNODE_SCALAR &&
		    ascii_equal_nocase(t->text, "inherit")) {
			if (keyword != NULL)
				return fail(l, t, "inherit is listed twice in "
				    "%s%s (first at line %d)", l->prefix, f->key,
				    keyword->line);
			keyword = t;
			*inherit = true;
			continue;
		}
		if (check_name(l, t, f, k) != 0 ||
		    check_unique_name(l, t, f, k, *out, *n) != 0 ||
		    add_named(l, t, &(*out)[*n]) != 0)
			return -1;
		(*n)++;
	}
	return 0;
}

static int
read_restart_services(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct binding *b = target;

	return named_list(l, v, f, &service_names, &b->restart_services,
	    &b->nrestart_services, NULL);
}

/* key_access: inherit, or a list of accounts that may include inherit. */
static int
read_key_access(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct binding *b = target;

	if (v->kind == YNODE_SCALAR && ascii_equal_nocase(v->text, "inherit")) {
		b->key_access_inherit = true;
		return 0;
	}
	if (v->kind != YNODE_SEQ)
		return fail(l, v, "%s%s must be inherit or a list of accounts "
		    "(names or SIDs), such as [\"NT AUTHORITY\\NETWORK "
		    "SERVICE\"]", l->prefix, f->key);
	return named_list(l, v, f, &account_names, &b->key_access,
	    &b->nkey_access, &b->key_access_inherit);
}

static int
window_value(struct loader *l, const struct ynode *v, const struct field *f,
    struct window *w)
{
	struct cb_error why;

	if (v->kind != YNODE_SCALAR)
		return fail(l, v, "%s%s must be a window such as "
		    "\"02:00-04:00\"", l->prefix, f->key);
	if (window_parse(v->text, w, &why) != 0)
		return fail(l, v, "%s%s: %s", l->prefix, f->key, why.msg);
	return 0;
}

static int
read_default_window(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct defaults *d = target;

	d->has_restart_window = true;
	return window_value(l, v, f, &d->restart_window);
}

/* The binding's own window; resolve() gives the others the default. */
static int
read_binding_window(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct binding *b = target;

	b->has_restart_window = true;
	return window_value(l, v, f, &b->restart_window);
}

/*
 * What restarts and key access need beyond their own keys: a binding's
 * own restart_window must have a restart to time (its restart_services,
 * or a SQL Server instance's service), since a window that times nothing
 * is most likely a restart_services left out or misplaced; a default
 * window is fine where nothing restarts.  A ccs endpoint's certificates
 * come from the Central Certificate Store's files, not from a key in the
 * machine's store, so key_access has nothing to act on there.
 */
static int
check_restarts_keys(struct loader *l, const struct ynode *node,
    const struct binding *b)
{
	if (b->has_restart_window && b->nrestart_services == 0 &&
	    b->target != TARGET_SQLSERVER)
		return fail(l, map_value(node, "restart_window"),
		    "binding '%s' has a restart_window but restarts nothing: "
		    "add restart_services, or put the window in defaults",
		    b->name);
	if (b->endpoint.kind == EP_CCS &&
	    (b->nkey_access > 0 || b->key_access_inherit))
		return fail(l, map_value(node, "key_access"), "a ccs endpoint "
		    "takes its certificates from the Central Certificate "
		    "Store; key_access does not apply to it");
	return 0;
}

static void
free_named(struct named *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i].name);
	free(list);
}

/* --- defaults: and service: ------------------------------------------- */

static int
read_default_app_id(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct defaults *d = target;

	d->has_app_id = true;
	return guid_value(l, v, f, d->app_id);
}

static int
read_log(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	enum log_target *out = AT(enum log_target, target, f);

	if (v->kind == YNODE_SCALAR && ascii_equal_nocase(v->text, "eventlog"))
		*out = LOG_EVENTLOG;
	else if (v->kind == YNODE_SCALAR &&
	    ascii_equal_nocase(v->text, "stderr"))
		*out = LOG_STDERR;
	else
		return fail(l, v, "service.log must be eventlog or stderr");
	return 0;
}

/*
 * C:\dir\file or \\server\share\file: a service has no useful cwd.  A
 * file the service writes, so no device, data stream or folder either
 * (core/winpath.c).
 */
static int
read_abs_path(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	char **out = AT(char *, target, f);
	char why[256];
	const char *p;

	if (copy_string(l, v, out, f) != 0)
		return -1;
	p = *out;
	if (winpath_check_metrics(p, NULL, why, sizeof(why)) == 0)
		return 0;
	return fail(l, v, "%s%s %s", l->prefix, f->key, why);
}

/* Where the metrics file is, and where the policy says so (policyfile.c
 * compares it with the policy file's own path). */
static int
read_metrics_file(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct service_conf *s = target;

	s->metrics_line = v->line;
	s->metrics_col = v->col;
	return read_abs_path(l, v, target, f);
}

static const struct field defaults_fields[] = {
	{ .key = "store", .read = read_store,
	  .offset = offsetof(struct defaults, store) },
	{ .key = "app_id", .read = read_default_app_id },
	{ .key = "renew_warning_days", .read = read_int,
	  .offset = offsetof(struct defaults, renew_warning_days),
	  .min = 0, .max = 365 },
	{ .key = "verify", .read = read_bool,
	  .offset = offsetof(struct defaults, verify) },
	{ .key = "verify_timeout", .read = read_duration,
	  .offset = offsetof(struct defaults, verify_timeout_ms),
	  .min = VERIFY_TIMEOUT_MIN_MS, .max = VERIFY_TIMEOUT_MAX_MS },
	{ .key = "restart_window", .read = read_default_window },
};

static const struct table defaults_table = { "defaults", "defaults.",
	defaults_fields, sizeof(defaults_fields) / sizeof(defaults_fields[0]) };

/* Set or not: when it is not, the default depends on how certbind runs. */
static int
read_secure_policy(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct service_conf *s = target;

	if (read_bool(l, v, target, f) != 0)
		return -1;
	s->secure_policy_set = true;
	return 0;
}

static const struct field service_fields[] = {
	{ .key = "resync_interval", .read = read_duration,
	  .offset = offsetof(struct service_conf, resync_ms),
	  .min = 10 * 1000, .max = INT64_C(7) * 24 * 60 * 60 * 1000 },
	{ .key = "debounce", .read = read_duration,
	  .offset = offsetof(struct service_conf, debounce_ms),
	  .min = 0, .max = 10 * 1000 },
	{ .key = "log", .read = read_log,
	  .offset = offsetof(struct service_conf, log) },
	{ .key = "metrics_file", .read = read_metrics_file,
	  .offset = offsetof(struct service_conf, metrics_file) },
	{ .key = "require_secure_policy", .read = read_secure_policy,
	  .offset = offsetof(struct service_conf, require_secure_policy) },
};

static const struct table service_table = { "service", "service.",
	service_fields, sizeof(service_fields) / sizeof(service_fields[0]) };

static int
read_defaults(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	(void)f;
	return parse_map(l, v, &defaults_table,
	    &((struct policy *)target)->defaults);
}

static int
read_service(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	(void)f;
	return parse_map(l, v, &service_table,
	    &((struct policy *)target)->service);
}

/* --- match: ----------------------------------------------------------- */

/* A host name as match.dns keeps it: lower case, no final dot. */
static void
host_lower(char *s)
{
	char *p;

	for (p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (p > s && p[-1] == '.')
		p[-1] = '\0';
}

/* A malloc'd copy of s, or NULL. */
static char *
text_copy(const char *s)
{
	size_t n = strlen(s) + 1;
	char *c = malloc(n);

	if (c != NULL)
		memcpy(c, s, n);
	return c;
}

static int
read_match_dns(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct match *m = target;

	if (copy_string(l, v, &m->dns, f) != 0)
		return -1;
	host_lower(m->dns);
	if (!hostname_valid(m->dns))
		return fail(l, v,
		    "match.dns must be a DNS host name such as api.example.test, "
		    "not '%s'", v->text);
	return 0;
}

/* A list of thumbprints for match.KEY, as out and *n. */
static int
thumb_list(struct loader *l, const struct ynode *v, const char *key,
    uint8_t (**out)[THUMB_LEN], size_t *n)
{
	size_t i;

	if (v->kind != YNODE_SEQ || v->n == 0)
		return fail(l, v, "match.%s must be a list of at least one "
		    "thumbprint", key);
	*out = calloc(v->n, sizeof(**out));
	if (*out == NULL)
		return fail(l, NULL, "out of memory");
	for (i = 0; i < v->n; i++) {
		const struct ynode *t = v->items[i];

		if (t->kind == YNODE_SCALAR && strstr(t->text, "\xe2\x80\x8e"))
			return fail(l, t, "thumbprint '%s' holds an invisible "
			    "left-to-right mark (U+200E), as the Certificates "
			    "snap-in copies it; type the thumbprint again",
			    t->text);
		if (t->kind != YNODE_SCALAR || thumb_parse(t->text, (*out)[i]) != 0)
			return fail(l, t, "a thumbprint must be 40 hex digits "
			    "(spaces and colons are ignored)");
		(*n)++;
	}
	return 0;
}

static int
read_thumbprints(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct match *m = target;

	return thumb_list(l, v, f->key, &m->thumbprints, &m->nthumbprints);
}

static int
read_issuer_thumbprints(struct loader *l, const struct ynode *v,
    void *target, const struct field *f)
{
	struct match *m = target;

	return thumb_list(l, v, f->key, &m->issuer_thumbprints,
	    &m->nissuer_thumbprints);
}

static const struct field match_fields[] = {
	{ .key = "dns", .read = read_match_dns },
	{ .key = "issuer", .read = read_string,
	  .offset = offsetof(struct match, issuer), .max = 1024 },
	{ .key = "thumbprints", .read = read_thumbprints },
	{ .key = "issuer_thumbprints", .read = read_issuer_thumbprints },
	{ .key = "template", .read = read_string,
	  .offset = offsetof(struct match, template), .max = 256 },
	{ .key = "min_days_left", .read = read_int,
	  .offset = offsetof(struct match, min_days_left),
	  .min = 0, .max = 3650 },
};

static const struct table match_table = { "match", "match.", match_fields,
	sizeof(match_fields) / sizeof(match_fields[0]) };

/* --- options: ---------------------------------------------------------- */

/* A switch: a boolean that sets or clears one bit of the record. */
static int
read_switch(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct options *o = target;
	bool on;

	if (scalar_bool(v, &on) != 0)
		return bad_bool(l, v, f);
	if (f->inverted)
		on = !on;
	if (f->check_bit != 0) {
		o->check_mask |= f->check_bit;
		o->check_bits |= on ? f->check_bit : 0;
	} else {
		o->flag_mask |= f->flag_bit;
		o->flag_bits |= on ? f->flag_bit : 0;
	}
	return 0;
}

static int
read_option_app_id(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct options *o = target;

	o->set |= f->opt;
	return guid_value(l, v, f, o->app_id);
}

static int
read_option_store(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	((struct options *)target)->set |= f->opt;
	return read_store(l, v, target, f);
}

/* The freshness time only counts when CHECK_FRESHNESS_TIME is set. */
static int
read_freshness(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct options *o = target;
	int64_t ms;

	if (duration_value(l, v, f, &ms) != 0)
		return -1;
	if (ms % 1000 != 0)
		return fail(l, v, "options.%s must be whole seconds", f->key);
	o->set |= f->opt;
	o->revocation_freshness = (uint32_t)(ms / 1000);
	o->check_mask |= CHECK_FRESHNESS_TIME;
	o->check_bits |= ms > 0 ? CHECK_FRESHNESS_TIME : 0;
	return 0;
}

static int
read_url_timeout(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct options *o = target;
	int64_t ms;

	if (duration_value(l, v, f, &ms) != 0)
		return -1;
	o->set |= f->opt;
	o->url_timeout = (uint32_t)ms;
	return 0;
}

static int
read_ctl(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	((struct options *)target)->set |= f->opt;
	return read_string(l, v, target, f);
}

#define SWITCH_CHECK(name, bit, inv) \
	{ .key = name, .read = read_switch, .check_bit = bit, .inverted = inv }
#define SWITCH_FLAG(name, bit) \
	{ .key = name, .read = read_switch, .flag_bit = bit }

/* netsh http add sslcert's parameters, in its order, in snake_case. */
static const struct field options_fields[] = {
	{ .key = "app_id", .read = read_option_app_id, .opt = OPT_APP_ID },
	{ .key = "cert_store", .read = read_option_store,
	  .offset = offsetof(struct options, cert_store), .opt = OPT_CERT_STORE },
	SWITCH_CHECK("verify_client_cert_revocation", CHECK_NO_REVOCATION, true),
	SWITCH_CHECK("verify_revocation_with_cached_client_cert_only",
	    CHECK_CACHED_ONLY, false),
	SWITCH_CHECK("usage_check", CHECK_NO_USAGE, true),
	{ .key = "revocation_freshness_time", .read = read_freshness,
	  .min = 0, .max = INT64_C(365) * 24 * 60 * 60 * 1000,
	  .opt = OPT_REVOCATION_FRESHNESS },
	{ .key = "url_retrieval_timeout", .read = read_url_timeout,
	  .min = 0, .max = 60 * 60 * 1000, .opt = OPT_URL_TIMEOUT },
	{ .key = "ssl_ctl_identifier", .read = read_ctl,
	  .offset = offsetof(struct options, ctl_identifier), .max = 255,
	  .opt = OPT_CTL_IDENTIFIER },
	{ .key = "ssl_ctl_store_name", .read = read_ctl,
	  .offset = offsetof(struct options, ctl_store), .max = 63,
	  .opt = OPT_CTL_STORE },
	SWITCH_FLAG("ds_mapper_usage", SSL_FLAG_USE_DS_MAPPER),
	SWITCH_FLAG("client_cert_negotiation", SSL_FLAG_NEGOTIATE_CLIENT_CERT),
	SWITCH_FLAG("reject", SSL_FLAG_REJECT),
	SWITCH_FLAG("disable_http2", SSL_FLAG_DISABLE_HTTP2),
	SWITCH_FLAG("disable_quic", SSL_FLAG_DISABLE_QUIC),
	SWITCH_FLAG("disable_tls12", SSL_FLAG_DISABLE_TLS12),
	SWITCH_FLAG("disable_tls13", SSL_FLAG_DISABLE_TLS13),
	SWITCH_FLAG("disable_legacy_tls", SSL_FLAG_DISABLE_LEGACY_TLS),
	SWITCH_FLAG("disable_ocsp_stapling", SSL_FLAG_DISABLE_OCSP_STAPLING),
	SWITCH_FLAG("enable_token_binding", SSL_FLAG_ENABLE_TOKEN_BINDING),
	SWITCH_FLAG("log_extended_events", SSL_FLAG_LOG_EXTENDED_EVENTS),
	SWITCH_FLAG("enable_session_ticket", SSL_FLAG_ENABLE_SESSION_TICKET),
	SWITCH_FLAG("disable_session_id", SSL_FLAG_DISABLE_SESSION_ID),
};

static const struct table options_table = { "options", "options.",
	options_fields, sizeof(options_fields) / sizeof(options_fields[0]) };

/* --- a binding ------------------------------------------------------- */

static int
read_name(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct binding *b = target;
	const char *p;

	if (copy_string(l, v, &b->name, f) != 0)
		return -1;
	if (v->len > BINDING_NAME_MAX)
		return fail(l, v, "name is longer than 64 characters");
	for (p = b->name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return fail(l, v,
			    "name '%s' may hold only letters, digits, '.', '_' "
			    "and '-'", b->name);
	return 0;
}

static int
read_endpoint(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct binding *b = target;
	char why[128];

	(void)f;
	if (v->kind != YNODE_SCALAR || v->len == 0)
		return fail(l, v, "expected an endpoint such as 0.0.0.0:443");
	if (endpoint_parse(v->text, &b->endpoint, why, sizeof(why)) != 0)
		return fail(l, v, "endpoint '%s': %s", v->text, why);
	return 0;
}

static int
read_match(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	(void)f;
	return parse_map(l, v, &match_table, &((struct binding *)target)->match);
}

static int
read_options(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	(void)f;
	return parse_map(l, v, &options_table,
	    &((struct binding *)target)->options);
}

/* A binding's own verify and verify_timeout: set, or from defaults. */
static int
read_binding_verify(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct binding *b = target;

	b->verify_set = true;
	return read_bool(l, v, target, f);
}

static int
read_binding_verify_timeout(struct loader *l, const struct ynode *v,
    void *target, const struct field *f)
{
	struct binding *b = target;

	b->verify_timeout_set = true;
	return read_duration(l, v, target, f);
}

static const struct {
	const char *name;
	enum target_kind kind;
} targets[] = {
	{ "httpsys", TARGET_HTTPSYS },
	{ "rdp", TARGET_RDP },
	{ "sqlserver", TARGET_SQLSERVER },
};

const char *
target_kind_name(enum target_kind t)
{
	size_t i;

	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (targets[i].kind == t)
			return targets[i].name;
	return "?";
}

const char *
binding_where(const struct binding *b, char *buf, size_t len)
{
	switch (b->target) {
	case TARGET_HTTPSYS:
		return endpoint_format(&b->endpoint, buf, len);
	case TARGET_RDP:
		snprintf(buf, len, "the RDP listener");
		return buf;
	case TARGET_SQLSERVER:
		snprintf(buf, len, "SQL Server instance %s", b->instance);
		return buf;
	}
	snprintf(buf, len, "?");
	return buf;
}

static int
read_target(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct binding *b = target;
	size_t i;

	(void)f;
	if (v->kind == YNODE_SCALAR)
		for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
			if (strcmp(v->text, targets[i].name) == 0) {
				b->target = targets[i].kind;
				return 0;
			}
	return fail(l, v, "target must be httpsys, rdp or sqlserver%s%s%s",
	    v->kind == YNODE_SCALAR ? ", not '" : "",
	    v->kind == YNODE_SCALAR ? v->text : "",
	    v->kind == YNODE_SCALAR ? "'" : "");
}

/*
 * A SQL Server instance name, as setup accepts it: at most 16
 * characters, a letter first, then letters, digits, '$' and '_'.  Setup
 * also allows letters beyond ASCII; certbind takes ASCII only, since the
 * name becomes part of a registry lookup and of a service name.
 */
bool
policy_instance_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > SQL_INSTANCE_MAX ||
	    !isalpha((unsigned char)s[0]) || (unsigned char)s[0] > 0x7f)
		return false;
	for (i = 1; i < len; i++)
		if ((unsigned char)s[i] > 0x7f || (!isalnum((unsigned char)s[i]) &&
		    s[i] != '$' && s[i] != '_'))
			return false;
	return true;
}

static int
read_instance(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct binding *b = target;

	if (v->kind != YNODE_SCALAR || strlen(v->text) != v->len ||
	    !policy_instance_ok(v->text, v->len))
		return fail(l, v, "instance must be a SQL Server instance name: "
		    "1 to 16 ASCII letters, digits, '$' or '_', starting with "
		    "a letter (MSSQLSERVER for the default instance)");
	return copy_string(l, v, &b->instance, f);
}

static const struct field binding_fields[] = {
	{ .key = "name", .required = true, .read = read_name },
	{ .key = "target", .read = read_target },
	{ .key = "endpoint", .read = read_endpoint },
	{ .key = "instance", .read = read_instance },
	{ .key = "match", .read = read_match, .child = &match_table },
	{ .key = "options", .read = read_options, .child = &options_table },
	{ .key = "takeover", .read = read_bool,
	  .offset = offsetof(struct binding, takeover) },
	{ .key = "verify", .read = read_binding_verify,
	  .offset = offsetof(struct binding, verify) },
	{ .key = "verify_timeout", .read = read_binding_verify_timeout,
	  .offset = offsetof(struct binding, verify_timeout_ms),
	  .min = VERIFY_TIMEOUT_MIN_MS, .max = VERIFY_TIMEOUT_MAX_MS },
	{ .key = "restart_services", .read = read_restart_services },
	{ .key = "restart_window", .read = read_binding_window },
	{ .key = "key_access", .read = read_key_access },
};

static const struct table binding_table = { "a binding", "", binding_fields,
	sizeof(binding_fields) / sizeof(binding_fields[0]) };

/*
 * The keys an rdp or sqlserver binding refuses: they describe an HTTP.sys
 * record (an endpoint, its options, its owner) or a check of what an
 * endpoint serves, which such a target has not.
 */
static const struct {
	const char *key;
	const char *why;
} record_only[] = {
	{ "endpoint", "it has no endpoint: the certificate is named in the "
	  "registry" },
	{ "options", "options are settings of an HTTP.sys record" },
	{ "takeover", "takeover adopts an HTTP.sys record of another AppId" },
	{ "verify_timeout", "what it serves is not checked after a change "
	  "(not verifiable)" },
};

/* A registry-backed target: none of record_only, verify not true. */
static int
check_registry_binding(struct loader *l, const struct ynode *node,
    struct binding *b)
{
	const char *t = target_kind_name(b->target);
	const struct ynode *v;
	size_t i;

	for (i = 0; i < sizeof(record_only) / sizeof(record_only[0]); i++)
		if ((v = map_value(node, record_only[i].key)) != NULL)
			return fail(l, v, "%s does not apply to a %s binding: %s",
			    record_only[i].key, t, record_only[i].why);
	if ((v = map_value(node, "verify")) != NULL && b->verify)
		return fail(l, v, "verify: true does not apply to a %s binding: "
		    "what it serves is not checked after a change (not "
		    "verifiable)", t);
	if (b->target == TARGET_RDP && b->instance != NULL)
		return fail(l, map_value(node, "instance"), "instance applies "
		    "to a sqlserver binding only");
	if (b->target == TARGET_SQLSERVER && b->instance == NULL &&
	    (b->instance = text_copy(SQL_DEFAULT_INSTANCE)) == NULL)
		return fail(l, NULL, "out of memory");
	/* match.dns may be left out: policy_default_dns() fills it. */
	return 0;
}

/* What a binding needs beyond its own keys being well-formed. */
static int
check_binding(struct loader *l, const struct ynode *node, struct binding *b)
{
	const struct ynode *match = map_value(node, "match");
	const struct ynode *options = map_value(node, "options");

	if (b->target != TARGET_HTTPSYS)
		return check_registry_binding(l, node, b);
	if (map_value(node, "endpoint") == NULL)
		return fail(l, node, "a binding is missing the required key "
		    "'endpoint'");
	if (b->instance != NULL)
		return fail(l, map_value(node, "instance"), "instance applies "
		    "to a sqlserver binding only");
	if (b->endpoint.kind == EP_CCS) {
		if (match != NULL)
			return fail(l, match, "a ccs endpoint takes its "
			    "certificates from the Central Certificate Store; "
			    "match does not apply to it");
		if (b->options.set & OPT_CERT_STORE)
			return fail(l, map_value(options, "cert_store"),
			    "a ccs endpoint takes its certificates from the "
			    "Central Certificate Store; cert_store does not "
			    "apply to it");
		return 0;
	}
	if (b->match.dns == NULL && b->endpoint.kind == EP_SNI) {
		b->match.dns = malloc(strlen(b->endpoint.host) + 1);
		if (b->match.dns == NULL)
			return fail(l, NULL, "out of memory");
		strcpy(b->match.dns, b->endpoint.host);
	}
	if (b->match.dns == NULL)
		return fail(l, match ? match : node,
		    "binding '%s' needs match.dns: the name its certificate "
		    "must cover", b->name);
	return 0;
}

/*
 * Two bindings of one registry-backed consumer: the listener has one
 * certificate, and so has a SQL Server instance (its names are not case
 * sensitive).  The error points at the second.
 */
static int
check_same_consumer(struct loader *l, const struct ynode *node,
    const struct binding *b, const struct binding *first)
{
	if (b->target != first->target)
		return 0;
	if (b->target == TARGET_RDP)
		return fail(l, map_value(node, "target"), "only one rdp binding "
		    "may be given: the Remote Desktop listener has one "
		    "certificate ('%s', line %d, keeps it)", first->name,
		    first->line);
	if (b->target == TARGET_SQLSERVER &&
	    ascii_equal_nocase(b->instance, first->instance))
		return fail(l, map_value(node, "target"), "SQL Server instance "
		    "%s is already kept by '%s' (line %d): one sqlserver "
		    "binding per instance", b->instance, first->name,
		    first->line);
	return 0;
}

/* Names and endpoints must be unique; the error points at the second. */
static int
check_unique(struct loader *l, const struct ynode *seq)
{
	const struct policy *p = l->policy;
	char text[ENDPOINT_TEXT_MAX];
	size_t i, j;

	for (i = 1; i < p->nbindings; i++) {
		const struct ynode *node = seq->items[i];

		for (j = 0; j < i; j++) {
			if (strcmp(p->bindings[i].name, p->bindings[j].name) == 0)
				return fail(l, map_value(node, "name"),
				    "duplicate binding name '%s' (first used at "
				    "line %d)", p->bindings[i].name,
				    p->bindings[j].line);
			if (check_same_consumer(l, node, &p->bindings[i],
			    &p->bindings[j]) != 0)
				return -1;
			if (p->bindings[i].target != TARGET_HTTPSYS ||
			    p->bindings[j].target != TARGET_HTTPSYS)
				continue;
			if (endpoint_equal(&p->bindings[i].endpoint,
			    &p->bindings[j].endpoint))
				return fail(l, map_value(node, "endpoint"),
				    "endpoint %s is already bound by '%s' (line %d)",
				    endpoint_format(&p->bindings[i].endpoint, text,
				    sizeof(text)), p->bindings[j].name,
				    p->bindings[j].line);
		}
	}
	return 0;
}

static int
read_bindings(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct policy *p = target;
	size_t i;

	(void)f;
	if (v->kind != YNODE_SEQ || v->n == 0)
		return fail(l, v,
		    "bindings must be a list with at least one binding");
	p->bindings = calloc(v->n, sizeof(*p->bindings));
	if (p->bindings == NULL)
		return fail(l, NULL, "out of memory");
	for (i = 0; i < v->n; i++) {
		struct binding *b = &p->bindings[i];

		p->nbindings++;
		b->line = v->items[i]->line;
		b->col = v->items[i]->col;
		if (parse_map(l, v->items[i], &binding_table, b) != 0)
			return -1;
		if (check_binding(l, v->items[i], b) != 0)
			return -1;
		if (check_restarts_keys(l, v->items[i], b) != 0)
			return -1;
	}
	return check_unique(l, v);
}

/* --- top level -------------------------------------------------------- */

static int
read_version(struct loader *l, const struct ynode *v, void *target,
    const struct field *f)
{
	struct policy *p = target;

	(void)f;
	if (v->kind != YNODE_SCALAR || !v->plain || strcmp(v->text, "1") != 0)
		return fail(l, v, "version must be 1 (the only policy version "
		    "this certbind reads)");
	p->version = POLICY_VERSION;
	return 0;
}

static const struct field top_fields[] = {
	{ .key = "version", .required = true, .read = read_version },
	{ .key = "defaults", .read = read_defaults, .child = &defaults_table },
	{ .key = "service", .read = read_service, .child = &service_table },
	{ .key = "bindings", .required = true, .read = read_bindings,
	  .child = &binding_table, .list = true },
};

static const struct table top_table = { "the policy", "", top_fields,
	sizeof(top_fields) / sizeof(top_fields[0]) };

/* Each binding's AppId and store: its own option, the default, built-in. */
static void
resolve(struct policy *p)
{
	size_t i;

	for (i = 0; i < p->nbindings; i++) {
		struct binding *b = &p->bindings[i];

		if (b->options.set & OPT_APP_ID)
			memcpy(b->app_id, b->options.app_id, 16);
		else if (p->defaults.has_app_id)
			memcpy(b->app_id, p->defaults.app_id, 16);
		else
			memcpy(b->app_id, CERTBIND_APP_ID, 16);
		b->store = (b->options.set & OPT_CERT_STORE) ?
		    b->options.cert_store : p->defaults.store;
		/* The listener and SQL Server read LocalMachine\My only. */
		if (b->target != TARGET_HTTPSYS)
			b->store = STORE_MY;
		if (!b->verify_set)
			b->verify = p->defaults.verify;
		if (!b->verify_timeout_set)
			b->verify_timeout_ms = p->defaults.verify_timeout_ms;
		if (!b->has_restart_window && p->defaults.has_restart_window) {
			b->has_restart_window = true;
			b->restart_window = p->defaults.restart_window;
		}
	}
}

void
policy_free(struct policy *p)
{
	size_t i;

	for (i = 0; i < p->nbindings; i++) {
		struct binding *b = &p->bindings[i];

		free(b->name);
		free(b->instance);
		free(b->match.dns);
		free(b->match.issuer);
		free(b->match.thumbprints);
		free(b->match.issuer_thumbprints);
		free(b->match.template);
		free(b->options.ctl_identifier);
		free(b->options.ctl_store);
		free_named(b->restart_services, b->nrestart_services);
		free_named(b->key_access, b->nkey_access);
	}
	free(p->bindings);
	free(p->service.metrics_file);
	memset(p, 0, sizeof(*p));
}

int
policy_parse(const char *file, const char *buf, size_t len,
    struct policy *out, struct cb_error *err)
{
	struct loader l;
	struct ynode *root;
	int rc;

	memset(out, 0, sizeof(*out));
	root = ytree_parse(file, buf, len, err);
	if (root == NULL)
		return -1;
	out->defaults.store = STORE_MY;
	out->defaults.renew_warning_days = DEFAULT_RENEW_WARNING_DAYS;
	out->defaults.verify = true;
	out->defaults.verify_timeout_ms = VERIFY_TIMEOUT_DEFAULT_MS;
	out->service.resync_ms = DEFAULT_RESYNC_MS;
	out->service.debounce_ms = DEFAULT_DEBOUNCE_MS;
	out->service.log = LOG_EVENTLOG;
	l.file = file;
	l.err = err;
	l.policy = out;
	l.prefix = "";
	rc = parse_map(&l, root, &top_table, out);
	ytree_free(root);
	if (rc != 0)
		policy_free(out);
	else
		resolve(out);
	return rc;
}

bool
policy_uses_store(const struct policy *p, enum cert_store s)
{
	size_t i;

	for (i = 0; i < p->nbindings; i++)
		if (p->bindings[i].store == s &&
		    (p->bindings[i].target != TARGET_HTTPSYS ||
		    p->bindings[i].endpoint.kind != EP_CCS))
			return true;
	return false;
}

int
policy_default_dns(struct policy *p, const char *dns, struct cb_error *err,
    const char *file)
{
	size_t i;

	for (i = 0; i < p->nbindings; i++) {
		struct binding *b = &p->bindings[i];

		if (b->target == TARGET_HTTPSYS || b->match.dns != NULL)
			continue;
		if (dns == NULL || *dns == '\0')
			return cb_error_set(err, file, b->line, b->col, "binding "
			    "'%s' needs match.dns: the computer's DNS name, its "
			    "default, is not known", b->name);
		if ((b->match.dns = text_copy(dns)) == NULL)
			return cb_error_set(err, NULL, 0, 0, "out of memory");
		host_lower(b->match.dns);
		if (!hostname_valid(b->match.dns))
			return cb_error_set(err, file, b->line, b->col, "binding "
			    "'%s' needs match.dns: the computer's DNS name '%s' "
			    "is not a DNS host name", b->name, dns);
	}
	return 0;
}

static void
walk_keys(const struct table *t, const char *prefix,
    void (*fn)(const char *path, void *arg), void *arg)
{
	char path[256];
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct field *f = &t->fields[i];

		snprintf(path, sizeof(path), "%s%s", prefix, f->key);
		fn(path, arg);
		if (f->child != NULL) {
			snprintf(path, sizeof(path), "%s%s%s.", prefix, f->key,
			    f->list ? "[]" : "");
			walk_keys(f->child, path, fn, arg);
		}
	}
}

void
policy_keys(void (*fn)(const char *path, void *arg), void *arg)
{
	walk_keys(&top_table, "", fn, arg);
}

bool
policy_switch_at(size_t i, struct policy_switch *out)
{
	size_t f, seen = 0;

	for (f = 0; f < options_table.n; f++) {
		const struct field *fd = &options_table.fields[f];

		if (fd->read != read_switch || seen++ != i)
			continue;
		out->key = fd->key;
		out->check_bit = fd->check_bit;
		out->flag_bit = fd->flag_bit;
		out->inverted = fd->inverted;
		return true;
	}
	return false;
}
