/*
 * report.c - render a plan as text or JSON.
 *
 * Output is built in a growable buffer (struct sbuf) that remembers when
 * an allocation failed, so the writers below need no error checks of
 * their own: the result is NULL at the end instead.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "report.h"
#include "text.h"

#define DAY_SECONDS 86400
/* Room for report_warning(): a binding name (64 bytes, each up to four
 * when escaped), a thumbprint, a store name and a date. */
#define WARNING_MAX 1024

struct sbuf {
	char *s;
	size_t len, cap;
	bool failed;
	char **held;        /* escaped values, freed with the buffer */
	size_t nheld;
};

CB_PRINTF(2, 3)
static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL,
		    b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if (b->s != NULL && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		} else {
			size_t cap = b->cap ? b->cap : 256;
			char *v;

			while (cap <= b->len + (size_t)n)
				cap *= 2;
			if ((v = realloc(b->s, cap)) == NULL) {
				b->failed = true;
				return;
			}
			b->s = v;
			b->cap = cap;
		}
	}
}

/* Free the escaped values sb_text() handed out. */
static void
sb_drop_held(struct sbuf *b)
{
	size_t i;

	for (i = 0; i < b->nheld; i++)
		free(b->held[i]);
	free(b->held);
	b->held = NULL;
	b->nheld = 0;
}

/*
 * v as a text report prints it: every string that comes from the policy,
 * a certificate or HTTP.sys goes through here, so that a control or
 * format character in it (a "\e[2J", a "\n" forging a line of its own)
 * is shown as \xHH and never acts on the operator's terminal or log (see
 * text.h).  The copy lives until the buffer is finished or released.
 */
static const char *
sb_text(struct sbuf *b, const char *v)
{
	char **held, *e;

	if (v == NULL || !text_needs_escape(v, 0))
		return v;
	held = realloc(b->held, (b->nheld + 1) * sizeof(*held));
	if (held == NULL || (e = text_escape_str(v, 0)) == NULL) {
		if (held != NULL)
			b->held = held;
		b->failed = true;
		return "";
	}
	b->held = held;
	b->held[b->nheld++] = e;
	return e;
}

/* Free everything b holds; for a buffer used only for sb_text(). */
static void
sb_release(struct sbuf *b)
{
	sb_drop_held(b);
	free(b->s);
	b->s = NULL;
}

static char *
sb_finish(struct sbuf *b)
{
	sb_drop_held(b);
	if (b->failed || b->s == NULL) {
		free(b->s);
		return NULL;
	}
	return b->s;
}

/* A JSON string, escaped; NULL becomes null. */
static void
sb_json_string(struct sbuf *b, const char *s)
{
	if (s == NULL) {
		sb_printf(b, "null");
		return;
	}
	sb_printf(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sb_printf(b, "\\%c", c);
		else if (c == '\n')
			sb_printf(b, "\\n");
		else if (c == '\t')
			sb_printf(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			sb_printf(b, "\\u%04x", c);
		else
			sb_printf(b, "%c", c);
	}
	sb_printf(b, "\"");
}

/* The head every JSON report shares: its time, then its list opens. */
static void
sb_json_head(struct sbuf *s, int64_t now, const char *list)
{
	char t[21];

	sb_printf(s, "{\n  \"time\": \"%s\",\n  \"%s\": [", utc_time(now, t),
	    list);
}

/* --- sentences -------------------------------------------------------- */

/*
 * report_cert() with its escaped subject held by s: inside a report, a
 * failure to escape it fails the report, instead of leaving the subject
 * out of a report that looks whole.
 */
static const char *
cert_sentence(struct sbuf *s, const struct cert *c, char *buf, size_t len)
{
	char hex[THUMB_HEX], date[11];

	snprintf(buf, len, "%s (%s, expires %s)", thumb_format(c->thumb, hex),
	    c->subject ? sb_text(s, c->subject) : "no subject",
	    utc_date(c->not_after, date));
	return buf;
}

const char *
report_cert(const struct cert *c, char *buf, size_t len)
{
	struct sbuf keep = { 0 };

	cert_sentence(&keep, c, buf, len);
	if (keep.failed)
		snprintf(buf, len, "(out of memory)");
	sb_release(&keep);
	return buf;
}

static const char *
record_thumb(const struct ssl_record *r, char hex[THUMB_HEX])
{
	if (r->hash_len == THUMB_LEN)
		return thumb_format(r->hash, hex);
	snprintf(hex, THUMB_HEX, "%s", r->hash_len ? "(not a SHA-1 hash)" :
	    "(no certificate)");
	return hex;
}

/* The thumbprint item it's target holds now, whatever the target. */
static const char *
current_thumb(const struct plan_item *it, char hex[THUMB_HEX])
{
	if (it->target == TARGET_HTTPSYS)
		return record_thumb(&it->current, hex);
	if (it->has_current_thumb)
		return thumb_format(it->current_thumb, hex);
	snprintf(hex, THUMB_HEX, "(no certificate)");
	return hex;
}

/* "flags 0x0 -> 0x10, cert store MY -> WebHosting", added to out. */
static void
option_changes(const struct ssl_record *a, const struct ssl_record *b,
    struct sbuf *out)
{
	struct sbuf s = { 0 };

	if (!record_same_store(a, b))
		sb_printf(&s, ", cert store %s -> %s",
		    sb_text(&s, record_store_name(a)),
		    sb_text(&s, record_store_name(b)));
	if (a->check_mode != b->check_mode)
		sb_printf(&s, ", check mode 0x%x -> 0x%x", (unsigned)a->check_mode,
		    (unsigned)b->check_mode);
	if (a->revocation_freshness != b->revocation_freshness)
		sb_printf(&s, ", revocation freshness %us -> %us",
		    (unsigned)a->revocation_freshness,
		    (unsigned)b->revocation_freshness);
	if (a->url_timeout != b->url_timeout)
		sb_printf(&s, ", URL retrieval timeout %ums -> %ums",
		    (unsigned)a->url_timeout, (unsigned)b->url_timeout);
	if (strcmp(record_text(a->ctl_identifier),
	    record_text(b->ctl_identifier)) != 0)
		sb_printf(&s, ", CTL identifier '%s' -> '%s'",
		    sb_text(&s, record_text(a->ctl_identifier)),
		    sb_text(&s, record_text(b->ctl_identifier)));
	if (strcmp(record_text(a->ctl_store), record_text(b->ctl_store)) != 0)
		sb_printf(&s, ", CTL store '%s' -> '%s'",
		    sb_text(&s, record_text(a->ctl_store)),
		    sb_text(&s, record_text(b->ctl_store)));
	if (a->flags != b->flags)
		sb_printf(&s, ", flags 0x%x -> 0x%x", (unsigned)a->flags,
		    (unsigned)b->flags);
	sb_printf(out, "%s", s.s && s.len > 2 ? s.s + 2 : "");
	out->failed |= s.failed;
	sb_release(&s);
}

/*
 * One item's sentence, added to s: as long as its content, whatever a
 * record's option changes hold.
 */
static void
item_text(struct sbuf *s, const struct plan_item *it)
{
	const struct binding *b = it->binding;
	char epbuf[ENDPOINT_TEXT_MAX], cert[512], hex[THUMB_HEX];
	char guid[GUID_TEXT], own[GUID_TEXT];
	const char *name = sb_text(s, b->name);
	const char *ep = sb_text(s, binding_where(b, epbuf, sizeof(epbuf)));

	switch (it->action) {
	case ACTION_NONE:
		if (b->endpoint.kind == EP_CCS)
			sb_printf(s, "%s (%s): as planned", name, ep);
		else
			sb_printf(s, "%s (%s): holds %s", name, ep,
			    cert_sentence(s, it->sel.chosen, cert, sizeof(cert)));
		break;
	case ACTION_CREATE:
		if (b->endpoint.kind == EP_CCS)
			sb_printf(s, "%s (%s): create the Central Certificate "
			    "Store binding", name, ep);
		else
			sb_printf(s, "%s (%s): create with %s", name, ep,
			    cert_sentence(s, it->sel.chosen, cert, sizeof(cert)));
		break;
	case ACTION_UPDATE_HASH:
		sb_printf(s, "%s (%s): update from %s to %s", name, ep,
		    current_thumb(it, hex),
		    cert_sentence(s, it->sel.chosen, cert, sizeof(cert)));
		break;
	case ACTION_UPDATE_OPTIONS:
		sb_printf(s, "%s (%s): update options: ", name, ep);
		option_changes(&it->current, &it->desired, s);
		break;
	case ACTION_CONFLICT:
		sb_printf(s, "%s (%s): conflict: the record belongs to AppId %s, "
		    "not %s; left alone (takeover: true adopts it)", name, ep,
		    guid_format(it->current.app_id, guid),
		    guid_format(b->app_id, own));
		break;
	case ACTION_NO_CANDIDATE:
		sb_printf(s, "%s (%s): no certificate in LocalMachine\\%s "
		    "qualifies for %s; %s", name, ep, store_name(b->store),
		    sb_text(s, b->match.dns), !it->has_current ?
		    "nothing is bound" : it->target == TARGET_HTTPSYS ?
		    "the record is kept as it is" : "the value is kept as it is");
		break;
	case ACTION_UNREADABLE:
		sb_printf(s, "%s (%s): the %s cannot be read (%s); left alone",
		    name, ep, it->target == TARGET_HTTPSYS ? "HTTP.sys record" :
		    "certificate it names", sb_text(s, it->read_reason));
		break;
	}
	if (it->pinned && it->passed_over != NULL)
		sb_printf(s, "; pinned by certbind rollback: not moved to %s "
		    "until a certificate issued after the one rolled away from "
		    "qualifies, or 'certbind apply --force'",
		    thumb_format(it->passed_over->thumb, hex));
	if (it->key_grant_due)
		sb_printf(s, "; read access to its private key is to be given "
		    "to the accounts it needs (key_access)");
}

const char *
report_item(const struct plan_item *it, char *buf, size_t len)
{
	struct sbuf s = { 0 };

	item_text(&s, it);
	snprintf(buf, len, "%s", s.failed || s.s == NULL ? "(out of memory)" :
	    s.s);
	sb_release(&s);
	return buf;
}

/* report_warning() with the escaped binding name held by s (see
 * cert_sentence()). */
static const char *
warning_sentence(struct sbuf *s, const struct plan_item *it,
    unsigned warning, int64_t now, char *buf, size_t len)
{
	const struct binding *b = it->binding;
	const char *name = sb_text(s, b->name);
	char hex[THUMB_HEX], date[11];

	if (warning == WARN_BOUND_MISSING) {
		snprintf(buf, len, "%s: the bound certificate %s is not in "
		    "LocalMachine\\%s", name, current_thumb(it, hex),
		    store_name(b->store));
	} else if (it->held != NULL && it->held->not_after < now) {
		snprintf(buf, len, "%s: certificate %s expired %s and no renewal "
		    "qualifies", name, thumb_format(it->held->thumb, hex),
		    utc_date(it->held->not_after, date));
	} else if (it->held != NULL) {
		snprintf(buf, len, "%s: certificate %s expires %s, in %lld "
		    "days, and no renewal qualifies", name,
		    thumb_format(it->held->thumb, hex),
		    utc_date(it->held->not_after, date),
		    (long long)((it->held->not_after - now) / DAY_SECONDS));
	} else {
		snprintf(buf, len, "%s: warning", name);
	}
	return buf;
}

const char *
report_warning(const struct plan_item *it, unsigned warning, int64_t now,
    char *buf, size_t len)
{
	struct sbuf keep = { 0 };

	warning_sentence(&keep, it, warning, now, buf, len);
	if (keep.failed)
		snprintf(buf, len, "(out of memory)");
	sb_release(&keep);
	return buf;
}

/* netsh's names for the record's switches, and the value each takes. */
static const struct {
	const char *name;
	bool check_mode;        /* a DefaultCertCheckMode bit, else a flag */
	uint32_t bit;
	const char *when_set;   /* netsh's value when the bit is set */
} netsh_switches[] = {
	{ "verifyclientcertrevocation", true, CHECK_NO_REVOCATION, "disable" },
	{ "verifyrevocationwithcachedclientcertonly", true, CHECK_CACHED_ONLY,
	  "enable" },
	{ "usagecheck", true, CHECK_NO_USAGE, "disable" },
	{ "dsmapperusage", false, SSL_FLAG_USE_DS_MAPPER, "enable" },
	{ "clientcertnegotiation", false, SSL_FLAG_NEGOTIATE_CLIENT_CERT,
	  "enable" },
	{ "reject", false, SSL_FLAG_REJECT, "enable" },
	{ "disablehttp2", false, SSL_FLAG_DISABLE_HTTP2, "enable" },
	{ "disablequic", false, SSL_FLAG_DISABLE_QUIC, "enable" },
	{ "disabletls13", false, SSL_FLAG_DISABLE_TLS13, "enable" },
	{ "disableocspstapling", false, SSL_FLAG_DISABLE_OCSP_STAPLING,
	  "enable" },
	{ "enabletokenbinding", false, SSL_FLAG_ENABLE_TOKEN_BINDING, "enable" },
	{ "logextendedevents", false, SSL_FLAG_LOG_EXTENDED_EVENTS, "enable" },
	{ "disablelegacytls", false, SSL_FLAG_DISABLE_LEGACY_TLS, "enable" },
	{ "enablesessionticket", false, SSL_FLAG_ENABLE_SESSION_TICKET,
	  "enable" },
	{ "disabletls12", false, SSL_FLAG_DISABLE_TLS12, "enable" },
	{ "disablesessionid", false, SSL_FLAG_DISABLE_SESSION_ID, "enable" },
};

/*
 * Why value cannot be given to netsh from both cmd.exe and PowerShell in
 * double quotes; NULL when it can.  cmd.exe expands %NAME% (and !NAME!
 * under delayed expansion) inside quotes; PowerShell expands $ and
 * escapes with ` inside them, and takes the typographic double quotes
 * for '"'; netsh's own argument splitting (the C runtime's) reads a
 * backslash before the closing quote as an escaped quote; a '"' or a
 * control character ends or breaks the command in both; bytes that are
 * not UTF-8 would reach netsh as some other text; and a format character
 * (a bidirectional override, a zero-width one) would make the command
 * an operator reads differ from the one pasted (see text.h).
 */
static bool
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static const char *
netsh_unsafe(const char *value)
{
	static const char *const typographic[] = { "\xe2\x80\x9c",
	    "\xe2\x80\x9d", "\xe2\x80\x9e" };
	const char *p;
	size_t i;

	if (!text_utf8_valid(value, strlen(value)))
		return "bytes that are not UTF-8";
	if (text_needs_escape(value, 0) && !has_control(value))
		return "a character that hides or reorders text (shown as \\xHH)";
	for (p = value; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "a control character";
		if (strchr("\"%!$`", *p) != NULL)
			return *p == '"' ? "'\"'" : *p == '%' ? "'%'" :
			    *p == '!' ? "'!'" : *p == '$' ? "'$'" : "'`'";
		for (i = 0; i < sizeof(typographic) / sizeof(typographic[0]); i++)
			if (strncmp(p, typographic[i], 3) == 0)
				return "a typographic double quote";
	}
	if (p > value && p[-1] == '\\')
		return "a final backslash";
	return NULL;
}

/*
 * name="value": every value in double quotes, which cmd.exe and
 * PowerShell both hand to netsh whole (spaces, braces, & | < > ^ ; and
 * parentheses included), once netsh_unsafe() has passed it.
 */
static void
netsh_param(struct sbuf *s, const char *name, const char *value,
    const char **bad_name, const char **bad_why)
{
	const char *why = netsh_unsafe(value);

	if (why != NULL && *bad_name == NULL) {
		*bad_name = name;
		*bad_why = why;
	}
	sb_printf(s, " %s=\"%s\"", name, value);
}

const char *
report_netsh(const struct ssl_record *r, char *buf, size_t len)
{
	struct sbuf s = { 0 };
	char ep[ENDPOINT_TEXT_MAX], hex[2 * RECORD_HASH_MAX + 1];
	char guid[GUID_TEXT], num[16];
	const char *bad_name = NULL, *bad_why = NULL;
	uint32_t i;

	endpoint_format(&r->endpoint, ep, sizeof(ep));
	sb_printf(&s, "netsh http add sslcert");
	if (r->endpoint.kind == EP_CCS) {
		snprintf(num, sizeof(num), "%u", (unsigned)r->endpoint.port);
		netsh_param(&s, "ccs", num, &bad_name, &bad_why);
	} else {
		netsh_param(&s, r->endpoint.kind == EP_SNI ? "hostnameport" :
		    "ipport", ep, &bad_name, &bad_why);
	}
	if (r->hash_len > 0 && r->hash_len <= RECORD_HASH_MAX) {
		for (i = 0; i < r->hash_len; i++)
			snprintf(hex + 2 * i, 3, "%02X", r->hash[i]);
		netsh_param(&s, "certhash", hex, &bad_name, &bad_why);
	}
	netsh_param(&s, "appid", guid_format(r->app_id, guid), &bad_name,
	    &bad_why);
	if (record_text(r->store)[0] != '\0')
		netsh_param(&s, "certstorename", r->store, &bad_name, &bad_why);
	if (r->revocation_freshness != 0) {
		snprintf(num, sizeof(num), "%u", (unsigned)r->revocation_freshness);
		netsh_param(&s, "revocationfreshnesstime", num, &bad_name,
		    &bad_why);
	}
	if (r->url_timeout != 0) {
		snprintf(num, sizeof(num), "%u", (unsigned)r->url_timeout);
		netsh_param(&s, "urlretrievaltimeout", num, &bad_name, &bad_why);
	}
	if (record_text(r->ctl_identifier)[0] != '\0')
		netsh_param(&s, "sslctlidentifier", r->ctl_identifier, &bad_name,
		    &bad_why);
	if (record_text(r->ctl_store)[0] != '\0')
		netsh_param(&s, "sslctlstorename", r->ctl_store, &bad_name,
		    &bad_why);
	for (i = 0; i < sizeof(netsh_switches) / sizeof(netsh_switches[0]); i++)
		if ((netsh_switches[i].check_mode ? r->check_mode : r->flags) &
		    netsh_switches[i].bit)
			netsh_param(&s, netsh_switches[i].name,
			    netsh_switches[i].when_set, &bad_name, &bad_why);
	if (s.failed || s.s == NULL)
		snprintf(buf, len, "(out of memory)");
	else if (bad_name != NULL)
		snprintf(buf, len, "(no command: the %s value holds %s, which "
		    "cmd.exe and PowerShell cannot both pass to netsh; recreate "
		    "the record by hand with%s)", bad_name, bad_why,
		    sb_text(&s, s.s + strlen("netsh http add sslcert")));
	else
		snprintf(buf, len, "%s", s.s);
	sb_release(&s);
	return buf;
}

/* --- text --------------------------------------------------------------- */

static const unsigned all_warnings[] = { WARN_BOUND_MISSING, WARN_EXPIRING };

static void
text_candidates(struct sbuf *s, const struct plan_item *it, int64_t now,
    bool explain)
{
	char hex[THUMB_HEX], date[11], why[512];
	size_t i;

	for (i = 0; i < it->sel.n; i++) {
		const struct candidate *c = &it->sel.cands[i];

		if (c->cert == it->sel.chosen)
			snprintf(why, sizeof(why), "chosen");
		else if (c->verdict == VERDICT_OK)
			select_why_lost(c->cert, it->sel.chosen, why, sizeof(why));
		else if (!explain && c->verdict == VERDICT_NAME)
			continue;
		else
			verdict_text(c->verdict, it->binding, c->cert, now, why,
			    sizeof(why));
		sb_printf(s, "    %s  expires %s  %s%s\n",
		    thumb_format(c->cert->thumb, hex),
		    utc_date(c->cert->not_after, date), sb_text(s, why),
		    c->successor ? " (renewal of the bound certificate)" : "");
	}
}

char *
report_text(const struct plan *plan, int64_t now, unsigned flags)
{
	struct sbuf s = { 0 };
	char line[WARNING_MAX];
	size_t i, j, changes = plan_changes(plan), unreadable = 0;

	for (i = 0; i < plan->n; i++) {
		const struct plan_item *it = &plan->items[i];

		item_text(&s, it);
		sb_printf(&s, "\n");
		for (j = 0; j < 2; j++)
			if (it->warnings & all_warnings[j])
				sb_printf(&s, "  warning: %s\n",
				    warning_sentence(&s, it, all_warnings[j], now,
				    line, sizeof(line)));
		if ((flags & REPORT_EXPLAIN) ||
		    it->action == ACTION_NO_CANDIDATE)
			text_candidates(&s, it, now, flags & REPORT_EXPLAIN);
		unreadable += it->action == ACTION_UNREADABLE;
	}
	if (unreadable > 0)
		sb_printf(&s, "%u record%s cannot be read\n", (unsigned)unreadable,
		    unreadable == 1 ? "" : "s");
	if (changes == 0)
		sb_printf(&s, "nothing to change\n");
	else
		sb_printf(&s, "%u change%s pending\n", (unsigned)changes,
		    changes == 1 ? "" : "s");
	return sb_finish(&s);
}

/* --- JSON ------------------------------------------------------------- */

static const char *
kind_name(enum endpoint_kind k)
{
	switch (k) {
	case EP_IPV4:
	case EP_IPV6:
		return "ip";
	case EP_SNI:
		return "sni";
	case EP_CCS:
		return "ccs";
	}
	return "?";
}

static void
json_cert(struct sbuf *s, const struct cert *c)
{
	char hex[THUMB_HEX], t[21];

	if (c == NULL) {
		sb_printf(s, "null");
		return;
	}
	sb_printf(s, "{\"thumbprint\": \"%s\", \"subject\": ",
	    thumb_format(c->thumb, hex));
	sb_json_string(s, c->subject);
	sb_printf(s, ", \"issuer\": ");
	sb_json_string(s, c->issuer);
	sb_printf(s, ", \"not_before\": \"%s\"", utc_time(c->not_before, t));
	sb_printf(s, ", \"not_after\": \"%s\"", utc_time(c->not_after, t));
	sb_printf(s, ", \"store\": \"%s\"}", store_name(c->store));
}

static void
json_record(struct sbuf *s, const struct ssl_record *r, bool present)
{
	char hex[THUMB_HEX], guid[GUID_TEXT];

	if (!present) {
		sb_printf(s, "null");
		return;
	}
	sb_printf(s, "{\"thumbprint\": ");
	sb_json_string(s, r->hash_len == THUMB_LEN ?
	    thumb_format(r->hash, hex) : NULL);
	sb_printf(s, ", \"app_id\": \"%s\", \"store\": ",
	    guid_format(r->app_id, guid));
	sb_json_string(s, record_text(r->store));
	sb_printf(s, ", \"check_mode\": %u, \"revocation_freshness_time\": %u"
	    ", \"url_retrieval_timeout\": %u, \"ssl_ctl_identifier\": ",
	    (unsigned)r->check_mode, (unsigned)r->revocation_freshness,
	    (unsigned)r->url_timeout);
	sb_json_string(s, record_text(r->ctl_identifier));
	sb_printf(s, ", \"ssl_ctl_store_name\": ");
	sb_json_string(s, record_text(r->ctl_store));
	sb_printf(s, ", \"flags\": %u}", (unsigned)r->flags);
}

static void
json_candidates(struct sbuf *s, const struct plan_item *it, int64_t now)
{
	char why[512];
	size_t i;

	sb_printf(s, ",\n      \"candidates\": [");
	for (i = 0; i < it->sel.n; i++) {
		const struct candidate *c = &it->sel.cands[i];

		if (c->verdict == VERDICT_OK && c->cert != it->sel.chosen)
			select_why_lost(c->cert, it->sel.chosen, why, sizeof(why));
		else
			verdict_text(c->verdict, it->binding, c->cert, now, why,
			    sizeof(why));
		sb_printf(s, "%s\n        {\"certificate\": ", i ? "," : "");
		json_cert(s, c->cert);
		sb_printf(s, ", \"verdict\": \"%s\", \"reason\": ",
		    verdict_name(c->verdict));
		sb_json_string(s, why);
		sb_printf(s, ", \"chosen\": %s, \"renewal\": %s}",
		    c->cert == it->sel.chosen ? "true" : "false",
		    c->successor ? "true" : "false");
	}
	sb_printf(s, "%s]", it->sel.n ? "\n      " : "");
}

/* null, or the error that kept an item's record from being read. */
static void
json_read_error(struct sbuf *s, const struct plan_item *it)
{
	if (it->action != ACTION_UNREADABLE) {
		sb_printf(s, "null");
		return;
	}
	sb_printf(s, "{\"code\": %u, \"reason\": ", (unsigned)it->read_error);
	sb_json_string(s, it->read_reason);
	sb_printf(s, "}");
}

/* {"thumbprint": "..."} or null. */
static void
json_thumb(struct sbuf *s, const uint8_t *thumb)
{
	char hex[THUMB_HEX];

	if (thumb == NULL) {
		sb_printf(s, "null");
		return;
	}
	sb_printf(s, "{\"thumbprint\": \"%s\"}", thumb_format(thumb, hex));
}

static void
json_item(struct sbuf *s, const struct plan_item *it, int64_t now,
    unsigned flags)
{
	char ep[ENDPOINT_TEXT_MAX], line[WARNING_MAX];
	struct sbuf summary = { 0 };
	bool writes = it->action == ACTION_CREATE ||
	    it->action == ACTION_UPDATE_HASH ||
	    it->action == ACTION_UPDATE_OPTIONS;
	size_t j, n = 0;

	sb_printf(s, "    {\n      \"name\": ");
	sb_json_string(s, it->binding->name);
	sb_printf(s, ",\n      \"target\": \"%s\"", target_kind_name(it->target));
	if (it->target == TARGET_HTTPSYS) {
		sb_printf(s, ",\n      \"endpoint\": ");
		sb_json_string(s, endpoint_format(&it->binding->endpoint, ep,
		    sizeof(ep)));
		sb_printf(s, ",\n      \"kind\": \"%s\"",
		    kind_name(it->binding->endpoint.kind));
	} else {
		sb_printf(s, ",\n      \"where\": ");
		sb_json_string(s, binding_where(it->binding, ep, sizeof(ep)));
		sb_printf(s, ",\n      \"instance\": ");
		sb_json_string(s, it->binding->instance);
	}
	sb_printf(s, ",\n      \"action\": \"%s\"", action_name(it->action));
	sb_printf(s, ",\n      \"summary\": ");
	item_text(&summary, it);
	sb_json_string(s, summary.s);
	s->failed |= summary.failed;
	sb_release(&summary);
	if (it->target == TARGET_HTTPSYS) {
		sb_printf(s, ",\n      \"current\": ");
		json_record(s, &it->current, it->has_current);
		sb_printf(s, ",\n      \"desired\": ");
		json_record(s, &it->desired, writes);
	} else {
		/* A registry value names a thumbprint and nothing else. */
		sb_printf(s, ",\n      \"current\": ");
		json_thumb(s, it->has_current_thumb ? it->current_thumb : NULL);
		sb_printf(s, ",\n      \"desired\": ");
		json_thumb(s, writes ? it->sel.chosen->thumb : NULL);
	}
	sb_printf(s, ",\n      \"chosen\": ");
	json_cert(s, it->sel.chosen);
	sb_printf(s, ",\n      \"pinned\": %s", it->pinned ? "true" : "false");
	sb_printf(s, ",\n      \"key_grant_due\": %s", it->key_grant_due ?
	    "true" : "false");
	sb_printf(s, ",\n      \"warnings\": [");
	for (j = 0; j < 2; j++)
		if (it->warnings & all_warnings[j]) {
			sb_printf(s, "%s", n++ ? ", " : "");
			sb_json_string(s, warning_sentence(s, it,
			    all_warnings[j], now, line, sizeof(line)));
		}
	sb_printf(s, "],\n      \"error\": ");
	json_read_error(s, it);
	if (flags & REPORT_EXPLAIN)
		json_candidates(s, it, now);
	sb_printf(s, "\n    }");
}

char *
report_json(const struct plan *plan, int64_t now, unsigned flags)
{
	struct sbuf s = { 0 };
	char t[21];
	size_t i;

	sb_printf(&s, "{\n  \"time\": \"%s\",\n  \"changes\": %u,\n"
	    "  \"bindings\": [\n", utc_time(now, t),
	    (unsigned)plan_changes(plan));
	for (i = 0; i < plan->n; i++) {
		json_item(&s, &plan->items[i], now, flags);
		sb_printf(&s, "%s\n", i + 1 < plan->n ? "," : "");
	}
	sb_printf(&s, "  ]\n}\n");
	return sb_finish(&s);
}

/* --- status --------------------------------------------------------------- */

/* What is wrong with a row, a line each. */
static void
row_notes(struct sbuf *s, const struct status_row *row, int64_t now)
{
	char date[11], ep[ENDPOINT_TEXT_MAX];
	size_t i;

	if (row->has_hash && row->cert == NULL)
		sb_printf(s, "     ! certificate not in the store\n");
	if (row->expired)
		sb_printf(s, "     ! certificate expired %s\n",
		    utc_date(row->cert->not_after, date));
	if (row->expiring)
		sb_printf(s, "     ! certificate expires %s, in %lld days\n",
		    utc_date(row->cert->not_after, date),
		    (long long)((row->cert->not_after - now) / DAY_SECONDS));
	if (row->archived)
		sb_printf(s, "     ! certificate archived\n");
	if (row->item != NULL && row->item->action == ACTION_CONFLICT)
		sb_printf(s, "     ! conflict: another AppId owns it\n");
	if (row->drift)
		sb_printf(s, "     ! differs from the plan (%s)\n",
		    action_name(row->item->action));
	for (i = 0; i < row->nshadowed; i++)
		sb_printf(s, "     ! takes precedence over SNI binding %s\n",
		    sb_text(s, endpoint_format(&row->shadowed[i]->endpoint, ep,
		    sizeof(ep))));
}

/* The kind, key and binding of a record that cannot be read, and why. */
static void
broken_fields(const struct status_broken *b, const char **kind,
    const char **key, const char **binding, uint32_t *error,
    const char **reason, char ep[ENDPOINT_TEXT_MAX])
{
	const struct plan_item *it = b->item;

	*binding = it ? it->binding->name : NULL;
	if (b->rec != NULL) {
		*kind = kind_name(b->rec->kind);
		*key = b->rec->key;
		*error = b->rec->error;
		*reason = b->rec->reason;
	} else {
		*kind = it->target == TARGET_HTTPSYS ?
		    kind_name(it->binding->endpoint.kind) :
		    target_kind_name(it->target);
		*key = binding_where(it->binding, ep, ENDPOINT_TEXT_MAX);
		*error = it->read_error;
		*reason = it->read_reason;
	}
}

static void
text_broken(struct sbuf *s, const struct status_broken *b)
{
	const char *kind, *key, *binding, *reason;
	char ep[ENDPOINT_TEXT_MAX];
	uint32_t error;

	broken_fields(b, &kind, &key, &binding, &error, &reason, ep);
	sb_printf(s, "%-4s %-26s cannot be read: %s %s\n", kind,
	    sb_text(s, key), sb_text(s, reason),
	    binding ? sb_text(s, binding) : "(not in the policy)");
}

/* The restarts waiting for a window (pending.c), after the records. */
static void
text_pending(struct sbuf *s, const struct pending_list *l, int64_t now)
{
	char *t;

	if (l == NULL || l->n == 0)
		return;
	t = pending_text(l, now);
	sb_printf(s, "%s", t != NULL ? t : "restart pending: (out of memory)\n");
	free(t);
}

/* A binding of another target: what it holds, and the plan. */
static void
text_target(struct sbuf *s, const struct plan_item *it)
{
	char where[ENDPOINT_TEXT_MAX], hex[THUMB_HEX];

	sb_printf(s, "%-9s %-30s %-40s %s (plan: %s)\n",
	    target_kind_name(it->target),
	    sb_text(s, binding_where(it->binding, where, sizeof(where))),
	    current_thumb(it, hex), sb_text(s, it->binding->name),
	    action_name(it->action));
	if (it->warnings & WARN_BOUND_MISSING)
		sb_printf(s, "     ! certificate not in the store\n");
	if (it->held != NULL && it->held == it->sel.bound &&
	    (it->warnings & WARN_EXPIRING))
		sb_printf(s, "     ! certificate expires soon or has expired\n");
}

static void
json_target(struct sbuf *s, const struct plan_item *it, size_t i)
{
	char where[ENDPOINT_TEXT_MAX];

	sb_printf(s, "%s\n    {\"binding\": ", i ? "," : "");
	sb_json_string(s, it->binding->name);
	sb_printf(s, ", \"target\": \"%s\", \"where\": ",
	    target_kind_name(it->target));
	sb_json_string(s, binding_where(it->binding, where, sizeof(where)));
	sb_printf(s, ", \"instance\": ");
	sb_json_string(s, it->binding->instance);
	sb_printf(s, ",\n     \"current\": ");
	json_thumb(s, it->has_current_thumb ? it->current_thumb : NULL);
	sb_printf(s, ", \"certificate\": ");
	json_cert(s, it->sel.bound);
	sb_printf(s, ", \"plan\": \"%s\"}", action_name(it->action));
}

char *
report_status_text(const struct status *st, int64_t now)
{
	struct sbuf s = { 0 };
	char ep[ENDPOINT_TEXT_MAX], hex[THUMB_HEX], guid[GUID_TEXT];
	size_t i;

	for (i = 0; i < st->n; i++) {
		const struct status_row *row = &st->rows[i];
		const struct ssl_record *r = row->rec;

		sb_printf(&s, "%-4s %-26s %-40s %s flags 0x%-5x %s\n",
		    kind_name(r->endpoint.kind),
		    sb_text(&s, endpoint_format(&r->endpoint, ep, sizeof(ep))),
		    record_thumb(r, hex), guid_format(r->app_id, guid),
		    (unsigned)r->flags, row->item ?
		    sb_text(&s, row->item->binding->name) : "(not in the policy)");
		row_notes(&s, row, now);
	}
	for (i = 0; i < st->nbroken; i++)
		text_broken(&s, &st->broken[i]);
	for (i = 0; i < st->nmissing; i++)
		sb_printf(&s, "%s (%s): declared, but HTTP.sys has no record "
		    "(plan: %s)\n", sb_text(&s, st->missing[i]->binding->name),
		    sb_text(&s, endpoint_format(&st->missing[i]->binding->endpoint,
		    ep, sizeof(ep))), action_name(st->missing[i]->action));
	for (i = 0; i < st->ntargets; i++)
		text_target(&s, st->targets[i]);
	sb_printf(&s, "%u SSL binding%s in HTTP.sys", (unsigned)st->n,
	    st->n == 1 ? "" : "s");
	if (st->nbroken > 0)
		sb_printf(&s, ", %u that cannot be read", (unsigned)st->nbroken);
	sb_printf(&s, "\n");
	text_pending(&s, st->pending, now);
	return sb_finish(&s);
}

static void
json_broken(struct sbuf *s, const struct status_broken *b, size_t i)
{
	const char *kind, *key, *binding, *reason;
	char ep[ENDPOINT_TEXT_MAX];
	uint32_t error;

	broken_fields(b, &kind, &key, &binding, &error, &reason, ep);
	sb_printf(s, "%s\n    {\"kind\": \"%s\", \"key\": ", i ? "," : "",
	    kind);
	sb_json_string(s, key);
	sb_printf(s, ", \"binding\": ");
	sb_json_string(s, binding);
	sb_printf(s, ", \"error\": %u, \"reason\": ", (unsigned)error);
	sb_json_string(s, reason);
	sb_printf(s, "}");
}

/* The running loop's counts: "service": {"wakeups": {...}, ...}. */
static void
json_service(struct sbuf *s, const struct loop_stats *ls)
{
	unsigned i;

	if (ls == NULL)
		return;
	sb_printf(s, ",\n  \"service\": {\"wakeups\": {");
	for (i = 0; i < WAKE_NCAUSES; i++)
		sb_printf(s, "%s\"%s\": %llu", i ? ", " : "",
		    wake_cause_name((enum wake_cause)i),
		    (unsigned long long)ls->wakeups[i]);
	sb_printf(s, "}, \"private_bytes\": %llu}",
	    (unsigned long long)ls->private_bytes);
}

/* What each binding's endpoint serves: "probe": [...] (probe.c). */
static void
json_probe(struct sbuf *s, const struct probe_list *l)
{
	char *a;

	if (l == NULL)
		return;
	a = probe_json_array(l);
	sb_printf(s, ",\n  \"probe\": %s", a != NULL ? a : "null");
	free(a);
}

/* Restarts waiting for a window: "pending_restarts": [...]. */
static void
json_pending(struct sbuf *s, const struct pending_list *l)
{
	char *a;

	if (l == NULL)
		return;
	a = pending_json_array(l);
	sb_printf(s, ",\n  \"pending_restarts\": %s", a != NULL ? a : "null");
	free(a);
}

char *
report_status_json(const struct status *st, int64_t now)
{
	struct sbuf s = { 0 };
	char ep[ENDPOINT_TEXT_MAX];
	size_t i, j;

	sb_json_head(&s, now, "records");
	for (i = 0; i < st->n; i++) {
		const struct status_row *row = &st->rows[i];

		sb_printf(&s, "%s\n    {\"kind\": \"%s\", \"endpoint\": ",
		    i ? "," : "", kind_name(row->rec->endpoint.kind));
		sb_json_string(&s, endpoint_format(&row->rec->endpoint, ep,
		    sizeof(ep)));
		sb_printf(&s, ", \"binding\": ");
		sb_json_string(&s, row->item ? row->item->binding->name : NULL);
		sb_printf(&s, ",\n     \"record\": ");
		json_record(&s, row->rec, true);
		sb_printf(&s, ",\n     \"certificate\": ");
		json_cert(&s, row->cert);
		sb_printf(&s, ",\n     \"in_store\": %s, \"expired\": %s, "
		    "\"expiring\": %s, \"archived\": %s, \"conflict\": %s, "
		    "\"drift\": ", row->cert || !row->has_hash ? "true" : "false",
		    row->expired ? "true" : "false",
		    row->expiring ? "true" : "false",
		    row->archived ? "true" : "false",
		    row->item && row->item->action == ACTION_CONFLICT ? "true" :
		    "false");
		sb_json_string(&s, row->drift ? action_name(row->item->action) :
		    NULL);
		sb_printf(&s, ", \"shadows\": [");
		for (j = 0; j < row->nshadowed; j++) {
			sb_printf(&s, "%s", j ? ", " : "");
			sb_json_string(&s, endpoint_format(&row->shadowed[j]->endpoint,
			    ep, sizeof(ep)));
		}
		sb_printf(&s, "]}");
	}
	sb_printf(&s, "%s],\n  \"missing\": [", st->n ? "\n  " : "");
	for (i = 0; i < st->nmissing; i++) {
		sb_printf(&s, "%s\n    {\"binding\": ", i ? "," : "");
		sb_json_string(&s, st->missing[i]->binding->name);
		sb_printf(&s, ", \"endpoint\": ");
		sb_json_string(&s, endpoint_format(&st->missing[i]->binding->endpoint,
		    ep, sizeof(ep)));
		sb_printf(&s, ", \"plan\": \"%s\"}",
		    action_name(st->missing[i]->action));
	}
	sb_printf(&s, "%s],\n  \"targets\": [", st->nmissing ? "\n  " : "");
	for (i = 0; i < st->ntargets; i++)
		json_target(&s, st->targets[i], i);
	sb_printf(&s, "%s],\n  \"unreadable\": [", st->ntargets ? "\n  " : "");
	for (i = 0; i < st->nbroken; i++)
		json_broken(&s, &st->broken[i], i);
	sb_printf(&s, "%s]", st->nbroken ? "\n  " : "");
	json_pending(&s, st->pending);
	json_service(&s, st->service);
	json_probe(&s, st->probe);
	sb_printf(&s, "\n}\n");
	return sb_finish(&s);
}

/* --- certs ---------------------------------------------------------------- */

static const char *
eku_text(const struct cert *c)
{
	if (!c->has_eku)
		return "any (no EKU extension)";
	if (c->eku & EKU_ANY)
		return "any (anyExtendedKeyUsage)";
	if (c->eku & EKU_SERVER_AUTH)
		return "serverAuth";
	if (c->eku == EKU_CLIENT_AUTH)
		return "clientAuth only";
	return "no serverAuth";
}

/* The names name matching uses: SAN dNSNames, else the CN. */
static void
text_names(struct sbuf *s, const struct cert *c)
{
	size_t i;

	if (c->ndns == 0) {
		sb_printf(s, "%s (CN; no SAN dNSName)", c->cn ? sb_text(s, c->cn) :
		    "none");
		return;
	}
	for (i = 0; i < c->ndns; i++)
		sb_printf(s, "%s%s", i ? ", " : "", sb_text(s, c->dns[i]));
}

/* The CAs above the certificate, for match.issuer_thumbprints. */
static void
text_chain(struct sbuf *s, const struct cert *c)
{
	char hex[THUMB_HEX];
	size_t i;

	if (c->nissuers == 0)
		return;
	sb_printf(s, "  chain    ");
	for (i = 0; i < c->nissuers; i++)
		sb_printf(s, " %s", thumb_format(c->issuers[i], hex));
	sb_printf(s, "\n");
}

char *
report_certs_text(const struct inventory *inv, int64_t now)
{
	struct sbuf s = { 0 };
	char hex[THUMB_HEX], nb[11], na[11];
	size_t i;

	for (i = 0; i < inv->n; i++) {
		const struct cert *c = &inv->certs[i];

		sb_printf(&s, "%s  LocalMachine\\%s\n", thumb_format(c->thumb, hex),
		    store_name(c->store));
		sb_printf(&s, "  subject   %s\n  issuer    %s\n  names     ",
		    c->subject ? sb_text(&s, c->subject) : "",
		    c->issuer ? sb_text(&s, c->issuer) : "");
		text_names(&s, c);
		sb_printf(&s, "\n  valid     %s to %s%s\n", utc_date(c->not_before, nb),
		    utc_date(c->not_after, na), now > c->not_after ? " (expired)" :
		    now < c->not_before ? " (not yet valid)" : "");
		sb_printf(&s, "  key       %s\n  EKU       %s\n",
		    c->has_key ? "private key present" : "NO PRIVATE KEY",
		    eku_text(c));
		if (c->template_name || c->template_oid)
			sb_printf(&s, "  template  %s%s%s\n",
			    c->template_name ? sb_text(&s, c->template_name) : "",
			    c->template_name && c->template_oid ? " " : "",
			    c->template_oid ? sb_text(&s, c->template_oid) : "");
		if (c->archived)
			sb_printf(&s, "  archived\n");
		if (c->has_renewal)
			sb_printf(&s, "  renewed by %s\n", thumb_format(c->renewal, hex));
		text_chain(&s, c);
	}
	sb_printf(&s, "%u certificate%s\n", (unsigned)inv->n,
	    inv->n == 1 ? "" : "s");
	return sb_finish(&s);
}

char *
report_certs_json(const struct inventory *inv, int64_t now)
{
	struct sbuf s = { 0 };
	char hex[THUMB_HEX], t[21];
	size_t i, j;

	sb_json_head(&s, now, "certificates");
	for (i = 0; i < inv->n; i++) {
		const struct cert *c = &inv->certs[i];

		sb_printf(&s, "%s\n    {\"thumbprint\": \"%s\", \"store\": \"%s\", "
		    "\"subject\": ", i ? "," : "", thumb_format(c->thumb, hex),
		    store_name(c->store));
		sb_json_string(&s, c->subject);
		sb_printf(&s, ", \"issuer\": ");
		sb_json_string(&s, c->issuer);
		sb_printf(&s, ",\n     \"cn\": ");
		sb_json_string(&s, c->cn);
		sb_printf(&s, ", \"dns\": [");
		for (j = 0; j < c->ndns; j++) {
			sb_printf(&s, "%s", j ? ", " : "");
			sb_json_string(&s, c->dns[j]);
		}
		sb_printf(&s, "], \"not_before\": \"%s\"",
		    utc_time(c->not_before, t));
		sb_printf(&s, ", \"not_after\": \"%s\",\n     \"has_private_key\": "
		    "%s, \"server_auth\": %s, \"eku\": ", utc_time(c->not_after, t),
		    c->has_key ? "true" : "false",
		    !c->has_eku || (c->eku & (EKU_SERVER_AUTH | EKU_ANY)) ?
		    "true" : "false");
		sb_json_string(&s, eku_text(c));
		sb_printf(&s, ", \"archived\": %s, \"template\": ",
		    c->archived ? "true" : "false");
		sb_json_string(&s, c->template_name);
		sb_printf(&s, ", \"template_oid\": ");
		sb_json_string(&s, c->template_oid);
		sb_printf(&s, ", \"renewed_by\": ");
		sb_json_string(&s, c->has_renewal ? thumb_format(c->renewal, hex) :
		    NULL);
		sb_printf(&s, ",\n     \"issuer_chain\": [");
		for (j = 0; j < c->nissuers; j++)
			sb_printf(&s, "%s\"%s\"", j ? ", " : "",
			    thumb_format(c->issuers[j], hex));
		sb_printf(&s, "]}");
	}
	sb_printf(&s, "%s]\n}\n", inv->n ? "\n  " : "");
	return sb_finish(&s);
}

/* --- history ---------------------------------------------------------- */

static void
text_history_row(struct sbuf *s, const struct history_row *row,
    char *fields, size_t len)
{
	char ep[ENDPOINT_TEXT_MAX], t[21], hex[THUMB_HEX], by[THUMB_HEX];
	struct ssl_record by_rec;
	size_t i;

	endpoint_format(&row->endpoint, ep, sizeof(ep));
	if (row->binding != NULL)
		sb_printf(s, "%s (%s)", sb_text(s, row->binding), ep);
	else
		sb_printf(s, "%s", ep);
	if (row->error != NULL) {
		sb_printf(s, ": cannot be read: %s\n", sb_text(s, row->error));
		return;
	}
	sb_printf(s, ": %u record%s replaced, newest first\n",
	    (unsigned)row->hist.n, row->hist.n == 1 ? "" : "s");
	if (row->pinned)
		sb_printf(s, "  pinned by certbind rollback at %s: not moved on "
		    "until a certificate issued after %s (the NotBefore of %s, "
		    "rolled away from) qualifies, or 'certbind apply --force'\n",
		    utc_time(row->pin.at, t), utc_time(row->pin.away_not_before,
		    by), thumb_format(row->pin.away, hex));
	for (i = 0; i < row->hist.n; i++) {
		const struct history_entry *e = &row->hist.v[i];

		memset(&by_rec, 0, sizeof(by_rec));
		memcpy(by_rec.hash, e->by, e->by_len);
		by_rec.hash_len = e->by_len;
		sb_printf(s, "  %zu. %s %s, replaced by %s\n     %s\n", i + 1,
		    utc_time(e->at, t), e->reason, record_thumb(&by_rec, hex),
		    record_fields(&e->record, fields, len));
	}
}

char *
report_history_text(const struct history_row *rows, size_t n)
{
	struct sbuf s = { 0 };
	char *fields = malloc(RECORD_TEXT_MAX);
	size_t i;

	if (fields == NULL)
		return NULL;
	if (n == 0)
		sb_printf(&s, "no history: certbind has replaced no record\n");
	for (i = 0; i < n; i++)
		text_history_row(&s, &rows[i], fields, RECORD_TEXT_MAX);
	free(fields);
	return sb_finish(&s);
}

static void
json_history_row(struct sbuf *s, const struct history_row *row)
{
	char ep[ENDPOINT_TEXT_MAX], t[21], hex[THUMB_HEX];
	struct ssl_record by_rec;
	size_t i;

	sb_printf(s, "    {\n      \"binding\": ");
	sb_json_string(s, row->binding);
	sb_printf(s, ",\n      \"endpoint\": ");
	sb_json_string(s, endpoint_format(&row->endpoint, ep, sizeof(ep)));
	sb_printf(s, ",\n      \"error\": ");
	sb_json_string(s, row->error);
	sb_printf(s, ",\n      \"pin\": ");
	if (row->pinned) {
		sb_printf(s, "{\"at\": \"%s\", ", utc_time(row->pin.at, t));
		sb_printf(s, "\"away\": \"%s\", ", thumb_format(row->pin.away,
		    hex));
		sb_printf(s, "\"away_not_before\": \"%s\"}",
		    utc_time(row->pin.away_not_before, t));
	} else
		sb_printf(s, "null");
	sb_printf(s, ",\n      \"history\": [");
	for (i = 0; i < row->hist.n; i++) {
		const struct history_entry *e = &row->hist.v[i];

		memset(&by_rec, 0, sizeof(by_rec));
		memcpy(by_rec.hash, e->by, e->by_len);
		by_rec.hash_len = e->by_len;
		sb_printf(s, "%s\n        {\"time\": \"%s\", \"reason\": ",
		    i ? "," : "", utc_time(e->at, t));
		sb_json_string(s, e->reason);
		sb_printf(s, ", \"replaced_by\": ");
		sb_json_string(s, by_rec.hash_len == THUMB_LEN ?
		    thumb_format(by_rec.hash, hex) : NULL);
		sb_printf(s, ", \"record\": ");
		json_record(s, &e->record, true);
		sb_printf(s, "}");
	}
	sb_printf(s, "%s]\n    }", row->hist.n ? "\n      " : "");
}

char *
report_history_json(const struct history_row *rows, size_t n, int64_t now)
{
	struct sbuf s = { 0 };
	size_t i;

	sb_json_head(&s, now, "endpoints");
	sb_printf(&s, "\n");
	for (i = 0; i < n; i++) {
		json_history_row(&s, &rows[i]);
		sb_printf(&s, "%s\n", i + 1 < n ? "," : "");
	}
	sb_printf(&s, "  ]\n}\n");
	return sb_finish(&s);
}
