/*
 * policy.c - turn a YAML tree into a checked struct policy.
 *
 * Each YAML mapping is described by a table of its keys (struct field):
 * the key's name, whether it must be present, and the function that reads
 * its value into the model.  parse_map() does the common work for every
 * table - unknown keys (with a did-you-mean), duplicate keys, missing
 * required keys - so adding a key to the policy is one table row and one
 * small reader function.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "yaml_tree.h"

struct loader {
	const char *file;
	struct cb_error *err;
	struct policy *policy;
};

struct field {
	const char *key;
	bool required;
	int (*read)(struct loader *l, const struct ynode *value, void *target);
};

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
unknown_key(struct loader *l, const struct ynode *key,
    const struct field *fields, size_t nfields, const char *where)
{
	const char *guess = NULL;
	size_t best = 3, i;

	for (i = 0; i < nfields; i++) {
		size_t d = edit_distance(key->text, fields[i].key);

		if (d < best) {
			best = d;
			guess = fields[i].key;
		}
	}
	if (guess != NULL)
		return cb_error_set(l->err, l->file, key->line, key->col,
		    "unknown key '%s' in %s (did you mean '%s'?)", key->text,
		    where, guess);
	return cb_error_set(l->err, l->file, key->line, key->col,
	    "unknown key '%s' in %s", key->text, where);
}

/* Read every key of a mapping through its table row. */
static int
parse_map(struct loader *l, const struct ynode *map,
    const struct field *fields, size_t nfields, void *target,
    const char *where)
{
	const struct ynode *seen[16] = { 0 };
	size_t i, f;

	if (map->kind != YNODE_MAP)
		return fail(l, map, "expected a mapping (key: value) for %s",
		    where);
	for (i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *key = map->items[i];

		for (f = 0; f < nfields; f++)
			if (strcmp(key->text, fields[f].key) == 0)
				break;
		if (f == nfields)
			return unknown_key(l, key, fields, nfields, where);
		if (seen[f] != NULL)
			return cb_error_set(l->err, l->file, key->line, key->col,
			    "duplicate key '%s' (first given at line %d)",
			    key->text, seen[f]->line);
		seen[f] = key;
		if (fields[f].read(l, map->items[i + 1], target) != 0)
			return -1;
	}
	for (f = 0; f < nfields; f++)
		if (fields[f].required && seen[f] == NULL)
			return cb_error_set(l->err, l->file, map->line, map->col,
			    "%s is missing the required key '%s'", where,
			    fields[f].key);
	return 0;
}

static int
read_string(struct loader *l, const struct ynode *v, char **out,
    const char *what)
{
	if (v->kind != YNODE_SCALAR || v->len == 0)
		return fail(l, v, "expected a non-empty string for %s", what);
	if (strlen(v->text) != v->len)
		return fail(l, v, "%s contains a NUL character", what);
	*out = malloc(v->len + 1);
	if (*out == NULL)
		return fail(l, NULL, "out of memory");
	memcpy(*out, v->text, v->len + 1);
	return 0;
}

/* --- match: --------------------------------------------------------- */

static int
read_match_dns(struct loader *l, const struct ynode *v, void *target)
{
	struct binding *b = target;
	char *p;

	if (read_string(l, v, &b->dns, "match.dns") != 0)
		return -1;
	for (p = b->dns; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (p > b->dns && p[-1] == '.')
		p[-1] = '\0';
	if (!hostname_valid(b->dns))
		return fail(l, v,
		    "match.dns must be a DNS host name such as api.example.test, "
		    "not '%s'", v->text);
	return 0;
}

static const struct field match_fields[] = {
	{ "dns", false, read_match_dns },
};

static int
read_match(struct loader *l, const struct ynode *v, void *target)
{
	return parse_map(l, v, match_fields,
	    sizeof(match_fields) / sizeof(match_fields[0]), target, "match");
}

/* --- a binding ------------------------------------------------------ */

static int
read_name(struct loader *l, const struct ynode *v, void *target)
{
	struct binding *b = target;
	const char *p;

	if (read_string(l, v, &b->name, "name") != 0)
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
read_endpoint(struct loader *l, const struct ynode *v, void *target)
{
	struct binding *b = target;
	char why[128];

	if (v->kind != YNODE_SCALAR || v->len == 0)
		return fail(l, v, "expected an endpoint such as 0.0.0.0:443");
	if (endpoint_parse(v->text, &b->endpoint, why, sizeof(why)) != 0)
		return cb_error_set(l->err, l->file, v->line, v->col,
		    "endpoint '%s': %s", v->text, why);
	return 0;
}

static const struct field binding_fields[] = {
	{ "name", true, read_name },
	{ "endpoint", true, read_endpoint },
	{ "match", false, read_match },
};

static const struct ynode *
map_value(const struct ynode *map, const char *key)
{
	size_t i;

	for (i = 0; i + 1 < map->n; i += 2)
		if (strcmp(map->items[i]->text, key) == 0)
			return map->items[i + 1];
	return NULL;
}

/* What a binding needs beyond its own keys being well-formed. */
static int
check_binding(struct loader *l, const struct ynode *node, struct binding *b)
{
	const struct ynode *match = map_value(node, "match");

	/* The parser knows every kind; the HTTP.sys adapter binds IP ones. */
	if (b->endpoint.kind == EP_SNI || b->endpoint.kind == EP_CCS)
		return fail(l, map_value(node, "endpoint"),
		    "SNI and ccs endpoints are not supported by this version "
		    "of certbind; use ADDRESS:PORT");
	if (b->dns == NULL)
		return fail(l, match ? match : node,
		    "binding '%s' needs match.dns: the name its certificate "
		    "must cover", b->name);
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
				return cb_error_set(l->err, l->file,
				    map_value(node, "name")->line,
				    map_value(node, "name")->col,
				    "duplicate binding name '%s' (first used at "
				    "line %d)", p->bindings[i].name,
				    p->bindings[j].line);
			if (endpoint_equal(&p->bindings[i].endpoint,
			    &p->bindings[j].endpoint))
				return cb_error_set(l->err, l->file,
				    map_value(node, "endpoint")->line,
				    map_value(node, "endpoint")->col,
				    "endpoint %s is already bound by '%s' (line %d)",
				    endpoint_format(&p->bindings[i].endpoint, text,
				    sizeof(text)), p->bindings[j].name,
				    p->bindings[j].line);
		}
	}
	return 0;
}

static int
read_bindings(struct loader *l, const struct ynode *v, void *target)
{
	struct policy *p = target;
	size_t i;

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
		if (parse_map(l, v->items[i], binding_fields,
		    sizeof(binding_fields) / sizeof(binding_fields[0]), b,
		    "a binding") != 0)
			return -1;
		if (check_binding(l, v->items[i], b) != 0)
			return -1;
	}
	return check_unique(l, v);
}

/* --- top level ------------------------------------------------------ */

static int
read_version(struct loader *l, const struct ynode *v, void *target)
{
	struct policy *p = target;

	if (v->kind != YNODE_SCALAR || !v->plain || strcmp(v->text, "1") != 0)
		return fail(l, v, "version must be 1 (the only policy version "
		    "this certbind reads)");
	p->version = POLICY_VERSION;
	return 0;
}

static const struct field top_fields[] = {
	{ "version", true, read_version },
	{ "bindings", true, read_bindings },
};

void
policy_free(struct policy *p)
{
	size_t i;

	for (i = 0; i < p->nbindings; i++) {
		free(p->bindings[i].name);
		free(p->bindings[i].dns);
	}
	free(p->bindings);
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
	l.file = file;
	l.err = err;
	l.policy = out;
	rc = parse_map(&l, root, top_fields,
	    sizeof(top_fields) / sizeof(top_fields[0]), out, "the policy");
	ytree_free(root);
	if (rc != 0)
		policy_free(out);
	return rc;
}
