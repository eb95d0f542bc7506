/*
 * initpolicy.c - write a policy for the records HTTP.sys has and the
 * certificates the registry-backed consumers name; see initpolicy.h.
 *
 * Options: every switch the loader knows (policy_switch_at()) is written
 * true or false as the record has it, so that the plan's
 * read-modify-write finds nothing to change; a value the policy cannot
 * hold exactly (a freshness time without its check bit, a CTL identifier
 * longer than the loader takes) is left out with a comment, and HTTP.sys
 * keeps it as it is, since certbind writes only what a policy declares.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "initpolicy.h"
#include "policy.h"
#include "textbuf.h"

#define LINES_MAX 48                   /* lines of one binding, at most */
#define CTL_ID_MAX 255                 /* what the loader takes, bytes */
#define CTL_STORE_MAX 63
#define FRESHNESS_MAX (365 * 24 * 60 * 60)   /* seconds */
#define URL_TIMEOUT_MAX (60 * 60 * 1000)     /* milliseconds */

/* ASCII only, whatever the locale. */
static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

/* One binding's lines, before it is known whether it is commented out. */
struct block {
	struct textbuf lines[LINES_MAX];
	size_t n;
	bool failed;
};

static struct textbuf *
block_line(struct block *b)
{
	if (b->n == LINES_MAX) {
		b->failed = true;
		return NULL;
	}
	memset(&b->lines[b->n], 0, sizeof(b->lines[b->n]));
	return &b->lines[b->n++];
}

static void
block_free(struct block *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		textbuf_free(&b->lines[i]);
	b->n = 0;
}

/*
 * The code point of the UTF-8 sequence at *p (advanced past it), or -1
 * for a byte that does not start a valid, shortest sequence of a scalar
 * value.
 */
static long
utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	long cp, min;
	int n, i;

	if (s[0] < 0x80) {
		*p += 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 1, cp = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 2, cp = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 3, cp = s[0] & 0x07, min = 0x10000;
	} else
		return -1;
	for (i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*p += n + 1;
	return cp;
}

/*
 * s as a YAML double-quoted scalar in printable ASCII: '"' and '\'
 * escaped, every other character outside 0x20-0x7e as \xHH, \uHHHH or
 * \UHHHHHHHH (YAML's escapes name code points; libyaml writes them back
 * as UTF-8).  -1 when s is not valid UTF-8, which no escape can carry.
 */
static int
yaml_quote(struct textbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	long cp;

	textbuf_add(b, "\"", 1);
	while (*p != '\0') {
		if ((cp = utf8_next(&p)) < 0)
			return -1;
		if (cp == '"' || cp == '\\')
			textbuf_printf(b, "\\%c", (int)cp);
		else if (cp >= 0x20 && cp < 0x7f)
			textbuf_printf(b, "%c", (int)cp);
		else if (cp < 0x100)
			textbuf_printf(b, "\\x%02x", (unsigned)cp);
		else if (cp < 0x10000)
			textbuf_printf(b, "\\u%04lx", (unsigned long)cp);
		else
			textbuf_printf(b, "\\U%08lx", (unsigned long)cp);
	}
	textbuf_add(b, "\"", 1);
	return 0;
}

/* A comment's text: printable ASCII, every other byte as \xHH. */
static void
comment_text(struct textbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\')
			textbuf_printf(b, "%c", c);
		else
			textbuf_printf(b, "\\x%02x", c);
	}
}

/*
 * A line built here, as it is: printable ASCII by construction (values
 * went through yaml_quote(), notes through comment_text()).  Any other
 * byte would be a mistake here, and is written as comment_text() would.
 */
static void
line_text(struct textbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f)
			textbuf_add(b, s, 1);
		else
			textbuf_printf(b, "\\x%02x", c);
	}
}

/* "key: " then s quoted, as a line; -1 (nothing added) if it cannot be. */
static int
line_quoted(struct block *bl, const char *indent, const char *key,
    const char *s)
{
	struct textbuf *t = block_line(bl);

	if (t == NULL)
		return -1;
	textbuf_printf(t, "%s%s: ", indent, key);
	if (yaml_quote(t, s) != 0) {
		textbuf_free(t);
		bl->n--;
		return -1;
	}
	return 0;
}

CB_PRINTF(3, 4)
static void
line_printf(struct block *bl, const char *indent, const char *fmt, ...)
{
	struct textbuf *t = block_line(bl);
	va_list ap;

	if (t == NULL)
		return;
	textbuf_add(t, indent, strlen(indent));
	va_start(ap, fmt);
	textbuf_vprintf(t, fmt, ap);
	va_end(ap);
}

/* A note in the binding: "# text", the text made safe. */
static void
line_note(struct block *bl, const char *indent, const char *text)
{
	struct textbuf *t = block_line(bl);

	if (t == NULL)
		return;
	textbuf_printf(t, "%s# ", indent);
	comment_text(t, text);
}

/* --- what a record becomes ------------------------------------------- */

/* base, or base-2, base-3...: a name not among names[0..n). */
static void
unique_name(const char *base, char **names, size_t n,
    char out[BINDING_NAME_MAX + 1])
{
	size_t k, suffix;

	snprintf(out, BINDING_NAME_MAX + 1, "%s", base);
	for (suffix = 2;; suffix++) {
		for (k = 0; k < n; k++)
			if (strcmp(names[k], out) == 0)
				break;
		if (k == n)
			return;
		snprintf(out, BINDING_NAME_MAX + 1, "%.*s-%zu",
		    BINDING_NAME_MAX - 12, base, suffix);
	}
}

/* prefix then text, each character a name cannot hold as '-'. */
static void
name_from(const char *prefix, const char *text,
    char base[BINDING_NAME_MAX + 1])
{
	size_t len;

	snprintf(base, BINDING_NAME_MAX + 1, "%s", prefix);
	for (len = strlen(base); *text != '\0' && len < BINDING_NAME_MAX;
	    text++) {
		if (*text == '[' || *text == ']')
			continue;
		base[len++] = name_char(*text) ? *text : '-';
	}
	base[len] = '\0';
}

/* The binding's name from its endpoint, unique among names[0..n). */
static void
binding_name(const struct endpoint *ep, char **names, size_t n,
    char out[BINDING_NAME_MAX + 1])
{
	static const char *const kind[] = { "ipv4-", "ipv6-", "sni-", "ccs-" };
	char text[ENDPOINT_TEXT_MAX], base[BINDING_NAME_MAX + 1];

	endpoint_format(ep, text, sizeof(text));
	name_from(kind[ep->kind], text + (ep->kind == EP_CCS ? 4 : 0), base);
	unique_name(base, names, n, out);
}

/* The store a record names, as a policy names it; NULL if it cannot. */
static const char *
policy_store(const struct ssl_record *r, enum cert_store *s)
{
	const char *name = record_store_name(r);

	if (ascii_equal_nocase(name, "MY")) {
		*s = STORE_MY;
		return "My";
	}
	if (ascii_equal_nocase(name, "WebHosting")) {
		*s = STORE_WEBHOSTING;
		return "WebHosting";
	}
	return NULL;
}

static const struct cert *
find_cert(const struct inventory *inv, const uint8_t thumb[THUMB_LEN],
    enum cert_store s)
{
	size_t i;

	for (i = 0; i < inv->n; i++)
		if (inv->certs[i].store == s &&
		    memcmp(inv->certs[i].thumb, thumb, THUMB_LEN) == 0)
			return &inv->certs[i];
	return NULL;
}

/* name as match.dns would hold it, if it is a host name c covers. */
static bool
usable_dns(const struct cert *c, const char *name, char *out, size_t len)
{
	size_t n;

	if (name == NULL || (n = strlen(name)) == 0 || n >= len)
		return false;
	for (n = 0; name[n] != '\0'; n++)
		out[n] = lower(name[n]);
	out[n] = '\0';
	if (out[n - 1] == '.')
		out[n - 1] = '\0';
	return hostname_valid(out) && cert_covers(c, out);
}

/* The first of c's names that match.dns can hold; false if none. */
static bool
pick_dns(const struct cert *c, char *out, size_t len)
{
	size_t i;

	for (i = 0; i < c->ndns; i++)
		if (usable_dns(c, c->dns[i], out, len))
			return true;
	return c->ndns == 0 && usable_dns(c, c->cn, out, len);
}

static void
switches(struct block *bl, const struct ssl_record *r)
{
	struct policy_switch sw;
	size_t i;

	for (i = 0; policy_switch_at(i, &sw); i++) {
		bool on = sw.check_bit ? (r->check_mode & sw.check_bit) != 0 :
		    (r->flags & sw.flag_bit) != 0;

		line_printf(bl, "    ", "%s: %s", sw.key, on != sw.inverted ?
		    "true" : "false");
	}
}

/* A text option, or a note on why it is left out. */
static void
text_option(struct block *bl, const char *key, const char *value,
    size_t max)
{
	char note[160];

	value = record_text(value);
	if (value[0] == '\0')
		return;        /* nothing to declare; an empty value is kept */
	if (strlen(value) > max)
		snprintf(note, sizeof(note), "%s is left out: longer than the "
		    "%zu bytes a policy takes; HTTP.sys keeps it as it is", key,
		    max);
	else if (line_quoted(bl, "    ", key, value) == 0)
		return;
	else
		snprintf(note, sizeof(note), "%s is left out: it is not valid "
		    "UTF-8; HTTP.sys keeps it as it is", key);
	line_note(bl, "    ", note);
}

static void
options(struct block *bl, const struct ssl_record *r, const char *store)
{
	char guid[GUID_TEXT];
	bool fresh = (r->check_mode & CHECK_FRESHNESS_TIME) != 0;

	line_printf(bl, "  ", "options:");
	line_printf(bl, "    ", "app_id: \"%s\"", guid_format(r->app_id, guid));
	if (store != NULL)
		line_printf(bl, "    ", "cert_store: %s", store);
	switches(bl, r);
	/* The freshness time turns its check bit on when it is not 0s. */
	if (fresh == (r->revocation_freshness > 0) &&
	    r->revocation_freshness <= FRESHNESS_MAX)
		line_printf(bl, "    ", "revocation_freshness_time: %us",
		    (unsigned)r->revocation_freshness);
	else
		line_note(bl, "    ", "revocation_freshness_time is left out: "
		    "the record's time and its check bit disagree, or the time "
		    "is over a year; HTTP.sys keeps them as they are");
	if (r->url_timeout <= URL_TIMEOUT_MAX)
		line_printf(bl, "    ", "url_retrieval_timeout: %ums",
		    (unsigned)r->url_timeout);
	else
		line_note(bl, "    ", "url_retrieval_timeout is left out: over "
		    "an hour; HTTP.sys keeps it as it is");
	text_option(bl, "ssl_ctl_identifier", r->ctl_identifier, CTL_ID_MAX);
	text_option(bl, "ssl_ctl_store_name", r->ctl_store, CTL_STORE_MAX);
}

/*
 * Why r's certificate cannot be declared, or NULL; then *store names its
 * store (NULL for ccs) and dns holds the name match.dns takes.
 */
static const char *
cert_problem(const struct ssl_record *r, const struct inventory *inv,
    const char **store, char *dns, size_t dnslen, char *why, size_t len)
{
	char hex[THUMB_HEX];
	const struct cert *c;
	enum cert_store s = STORE_MY;
	size_t i;

	*store = NULL;
	if (r->endpoint.kind == EP_CCS)
		return NULL;
	if ((*store = policy_store(r, &s)) == NULL) {
		snprintf(why, len, "its certificate store '%s' is not My or "
		    "WebHosting", record_store_name(r));
		return why;
	}
	if (r->hash_len != THUMB_LEN)
		return "it holds no SHA-1 thumbprint";
	if ((c = find_cert(inv, r->hash, s)) == NULL) {
		snprintf(why, len, "certificate %s is not in LocalMachine\\%s",
		    thumb_format(r->hash, hex), store_name(s));
		return why;
	}
	if (r->endpoint.kind != EP_SNI) {
		if (pick_dns(c, dns, dnslen))
			return NULL;
		snprintf(why, len, "certificate %s names no host name match.dns "
		    "can hold (a wildcard only, or none)",
		    thumb_format(r->hash, hex));
		return why;
	}
	/* The SNI host, whether the certificate covers it or not: plan says. */
	for (i = 0; r->endpoint.host[i] != '\0' && i + 1 < dnslen; i++)
		dns[i] = lower(r->endpoint.host[i]);
	dns[i] = '\0';
	if (!hostname_valid(dns))
		return "its host name cannot be a match.dns";
	return NULL;
}

/*
 * The binding for r into bl; NULL when it can be declared, or why not,
 * in which case bl holds what is known of it, to be commented out.
 */
static const char *
binding(struct block *bl, const struct ssl_record *r, const char *name,
    const struct inventory *inv, char *why, size_t len)
{
	char ep[ENDPOINT_TEXT_MAX], dns[ENDPOINT_HOST_MAX + 2];
	struct endpoint back;
	const char *store, *problem;

	endpoint_format(&r->endpoint, ep, sizeof(ep));
	line_printf(bl, "", "- name: \"%s\"", name);
	if (endpoint_parse(ep, &back, NULL, 0) != 0 ||
	    endpoint_compare(&back, &r->endpoint) != 0 ||
	    line_quoted(bl, "  ", "endpoint", ep) != 0)
		return "its endpoint cannot be written in a policy";
	problem = cert_problem(r, inv, &store, dns, sizeof(dns), why, len);
	if (problem == NULL && r->endpoint.kind != EP_CCS) {
		line_printf(bl, "  ", "match:");
		line_quoted(bl, "    ", "dns", dns);
	}
	options(bl, r, store);
	return problem;
}

static int
by_endpoint(const void *x, const void *y)
{
	const struct ssl_record *const *a = x, *const *b = y;

	return endpoint_compare(&(*a)->endpoint, &(*b)->endpoint);
}

/* The block into out, as it is or commented out after its reason. */
static void
emit(struct textbuf *out, const struct block *bl, const char *where,
    const char *problem)
{
	size_t i;

	if (problem != NULL) {
		textbuf_printf(out, "  # left out: ");
		comment_text(out, where);
		textbuf_printf(out, ": ");
		comment_text(out, problem);
		textbuf_printf(out, "\n");
	}
	for (i = 0; i < bl->n; i++) {
		textbuf_printf(out, problem != NULL ? "  # " : "  ");
		line_text(out, record_text(bl->lines[i].s));
		textbuf_printf(out, "\n");
	}
}

/*
 * bl into out after its reason (problem), counted, and freed; false when
 * a line of it ran out of memory.
 */
static bool
emit_block(struct textbuf *out, struct block *bl, const char *where,
    const char *problem, struct init_counts *counts)
{
	bool failed = bl->failed;
	size_t k;

	emit(out, bl, where, problem);
	for (k = 0; k < bl->n; k++)
		failed |= bl->lines[k].failed;
	block_free(bl);
	if (problem == NULL)
		counts->declared++;
	else
		counts->left_out++;
	return !failed;
}

/* A copy of name into names[i]; false when out of memory. */
static bool
take_name(char **names, size_t i, const char *name)
{
	if ((names[i] = malloc(strlen(name) + 1)) == NULL)
		return false;
	strcpy(names[i], name);
	return true;
}

/* The records, in endpoint order, into body; the names they take. */
static bool
write_records(struct textbuf *body, const struct ssl_record **sorted,
    size_t n, const struct inventory *inv, char **names,
    struct init_counts *counts)
{
	char name[BINDING_NAME_MAX + 1], ep[ENDPOINT_TEXT_MAX], why[512];
	struct block bl;
	const char *problem;
	bool ok = true;
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&bl, 0, sizeof(bl));
		binding_name(&sorted[i]->endpoint, names, i, name);
		if (!take_name(names, i, name))
			return false;
		problem = binding(&bl, sorted[i], name, inv, why, sizeof(why));
		endpoint_format(&sorted[i]->endpoint, ep, sizeof(ep));
		ok &= emit_block(body, &bl, ep, problem, counts);
	}
	return ok;
}

/* --- what a registry value becomes --------------------------------------- */

/* rdp first, then the SQL Server instances by name. */
static int
by_target(const void *x, const void *y)
{
	const struct held_value *const *a = x, *const *b = y;

	if ((*a)->target != (*b)->target)
		return (*a)->target < (*b)->target ? -1 : 1;
	if ((*a)->instance == NULL || (*b)->instance == NULL)
		return ((*a)->instance != NULL) - ((*b)->instance != NULL);
	return ascii_compare_nocase((*a)->instance, (*b)->instance);
}

/*
 * "the RDP listener", "SQL Server instance NAME", as messages say, whole
 * however long the name (it is the registry's); malloc'd, or NULL.
 */
static char *
value_where(const struct held_value *v)
{
	size_t len = (v->instance != NULL ? strlen(v->instance) : 0) + 64;
	char *buf = malloc(len);
	struct binding b;

	if (buf == NULL)
		return NULL;
	memset(&b, 0, sizeof(b));
	b.target = v->target;
	b.instance = (char *)v->instance;  /* only read */
	return (char *)binding_where(&b, buf, len);
}

/*
 * What match.dns holds for v's certificate c into dns: "" when c covers
 * the computer's DNS name (the default); else c's first name a policy can
 * match.  Why not, or NULL.
 */
static const char *
value_match(const struct held_value *v, const struct cert *c,
    const char *host_dns, char *dns, size_t dnslen, char *why, size_t len)
{
	char hex[THUMB_HEX];

	if (usable_dns(c, host_dns, dns, dnslen)) {
		dns[0] = '\0';
		return NULL;
	}
	if (pick_dns(c, dns, dnslen))
		return NULL;
	snprintf(why, len, "certificate %s does not cover the computer's DNS "
	    "name and names no host name match.dns can hold (a wildcard only, "
	    "or none)", thumb_format(v->thumb, hex));
	return why;
}

/*
 * The binding for v into bl; NULL when it can be declared, or why not,
 * in which case bl holds what is known of it, to be commented out.
 */
static const char *
value_binding(struct block *bl, const struct held_value *v,
    const char *name, const struct init_input *in, char *why, size_t len)
{
	char hex[THUMB_HEX], dns[ENDPOINT_HOST_MAX + 2];
	const char *problem;
	const struct cert *c;

	line_printf(bl, "", "- name: \"%s\"", name);
	line_printf(bl, "  ", "target: %s", target_kind_name(v->target));
	if (v->target == TARGET_SQLSERVER) {
		if (!policy_instance_ok(v->instance, strlen(v->instance)))
			return "its name cannot be a policy's instance: 1 "
			    "to 16 ASCII letters, digits, '$' or '_', "
			    "starting with a letter";
		if (!ascii_equal_nocase(v->instance, SQL_DEFAULT_INSTANCE))
			line_quoted(bl, "  ", "instance", v->instance);
	}
	if (v->problem != NULL) {
		snprintf(why, len, "its certificate cannot be read: %s",
		    v->problem);
		return why;
	}
	/* Registry-backed targets take certificates from My only. */
	if ((c = find_cert(in->inv, v->thumb, STORE_MY)) == NULL) {
		snprintf(why, len, "certificate %s is not in LocalMachine\\%s",
		    thumb_format(v->thumb, hex), store_name(STORE_MY));
		return why;
	}
	if ((problem = value_match(v, c, in->host_dns, dns, sizeof(dns), why,
	    len)) != NULL)
		return problem;
	if (dns[0] != '\0') {
		line_printf(bl, "  ", "match:");
		line_quoted(bl, "    ", "dns", dns);
	}
	return NULL;
}

/* A comment for a list of values that cannot be read. */
static void
unread_list(struct textbuf *body, const struct held_value *v,
    struct init_counts *counts)
{
	textbuf_printf(body, "  # left out: SQL Server instances: their list "
	    "cannot be read: ");
	comment_text(body, v->problem != NULL ? v->problem : "?");
	textbuf_printf(body, "\n");
	counts->left_out++;
}

/* The values, rdp then sqlserver, into body; names[n0...] they take. */
static bool
write_values(struct textbuf *body, const struct held_value **sorted,
    size_t n, const struct init_input *in, char **names, size_t n0,
    struct init_counts *counts)
{
	char name[BINDING_NAME_MAX + 1], base[BINDING_NAME_MAX + 1], why[1024];
	char *where;
	const struct held_value *v;
	struct block bl;
	const char *problem;
	bool ok = true;
	size_t i, used = n0;

	for (i = 0; i < n; i++) {
		if ((v = sorted[i])->target == TARGET_SQLSERVER &&
		    v->instance == NULL) {
			unread_list(body, v, counts);
			continue;
		}
		memset(&bl, 0, sizeof(bl));
		name_from(v->target == TARGET_RDP ? "rdp" : "sqlserver-",
		    v->target == TARGET_RDP ? "" : v->instance, base);
		unique_name(base, names, used, name);
		if (!take_name(names, used++, name))
			return false;
		problem = value_binding(&bl, v, name, in, why, sizeof(why));
		if ((where = value_where(v)) == NULL) {
			block_free(&bl);
			return false;
		}
		ok &= emit_block(body, &bl, where, problem, counts);
		free(where);
	}
	return ok;
}

/* --- the policy ----------------------------------------------------------- */

/* The comments for records HTTP.sys could not read. */
static void
write_broken(struct textbuf *body, const struct init_input *in,
    struct init_counts *counts)
{
	size_t i;

	for (i = 0; i < in->nbroken; i++) {
		textbuf_printf(body, "  # left out: ");
		comment_text(body, in->broken[i].key);
		textbuf_printf(body, ": the record cannot be read: ");
		comment_text(body, in->broken[i].reason);
		textbuf_printf(body, "\n");
		counts->left_out++;
	}
}

/* Every binding, record's and value's, into body. */
static bool
write_body(struct textbuf *body, const struct init_input *in, char **names,
    struct init_counts *counts)
{
	const struct ssl_record **recs = calloc(in->n + 1, sizeof(*recs));
	const struct held_value **vals = calloc(in->nvalues + 1,
	    sizeof(*vals));
	bool ok = recs != NULL && vals != NULL;
	size_t i;

	for (i = 0; ok && i < in->n; i++)
		recs[i] = &in->records[i];
	for (i = 0; ok && i < in->nvalues; i++)
		vals[i] = &in->values[i];
	if (ok) {
		qsort(recs, in->n, sizeof(*recs), by_endpoint);
		qsort(vals, in->nvalues, sizeof(*vals), by_target);
	}
	ok = ok && write_records(body, recs, in->n, in->inv, names, counts);
	if (ok)
		write_broken(body, in, counts);
	ok = ok && write_values(body, vals, in->nvalues, in, names, in->n,
	    counts);
	free(recs);
	free(vals);
	return ok;
}

char *
initpolicy_write(const struct init_input *in, int64_t now,
    struct init_counts *counts)
{
	struct textbuf out = { 0 }, body = { 0 };
	size_t nnames = in->n + in->nvalues, i;
	char **names = calloc(nnames + 1, sizeof(*names)), t[21];
	bool ok = names != NULL;

	memset(counts, 0, sizeof(*counts));
	ok = ok && write_body(&body, in, names, counts);
	textbuf_printf(&out, "# A policy written by 'certbind init' at %s "
	    "from HTTP.sys's SSL records\n# and the RDP listener's and SQL "
	    "Server's certificates: %zu declared, %zu left out\n# as comments, "
	    "each with why; see config/README.md for every key.\nversion: 1\n"
	    "bindings:\n", utc_time(now, t), counts->declared,
	    counts->left_out);
	textbuf_add(&out, record_text(body.s), body.len);
	for (i = 0; names != NULL && i < nnames; i++)
		free(names[i]);
	free(names);
	ok = ok && !body.failed && !out.failed;
	textbuf_free(&body);
	if (!ok) {
		textbuf_free(&out);
		return NULL;
	}
	return out.s;
}
