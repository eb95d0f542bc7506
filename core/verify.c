/*
 * verify.c - where the TLS check connects and what each outcome means;
 * see verify.h.  The connection itself is service/verify.c.
 */
#include <stdio.h>
#include <string.h>

#include "verify.h"

static const struct {
	const char *name;
	struct verify_action after_change;
	struct verify_action on_demand;     /* verify, status --probe */
} outcomes[] = {
	[VERIFY_SERVED] = { "served",
	    { false, false, 1, VERIFY_REPORT_INFO },
	    { false, false, 1, VERIFY_REPORT_INFO } },
	/*
	 * The record names a certificate the endpoint does not serve, or
	 * the handshake fails with it: the change broke serving, so it is
	 * undone.
	 */
	[VERIFY_MISMATCH] = { "mismatch",
	    { true, true, 0, VERIFY_REPORT_ERROR },
	    { false, true, 0, VERIFY_REPORT_ERROR } },
	[VERIFY_HANDSHAKE_FAILED] = { "handshake-failed",
	    { true, true, 0, VERIFY_REPORT_ERROR },
	    { false, true, 0, VERIFY_REPORT_ERROR } },
	/*
	 * No application has a URL on the port: HTTP.sys does not listen,
	 * so nothing can be verified and nothing is wrong with the change.
	 */
	[VERIFY_NOT_LISTENING] = { "not-listening",
	    { false, false, -1, VERIFY_REPORT_NEWS },
	    { false, false, -1, VERIFY_REPORT_INFO } },
	/*
	 * Something accepted the connection and did not finish a handshake
	 * in time: too little is known to undo a change, so it is a warning.
	 */
	[VERIFY_TIMEOUT] = { "timeout",
	    { false, false, -1, VERIFY_REPORT_WARNING },
	    { false, false, -1, VERIFY_REPORT_WARNING } },
	[VERIFY_NOT_VERIFIABLE] = { "not-verifiable",
	    { false, false, -1, VERIFY_REPORT_NEWS },
	    { false, false, -1, VERIFY_REPORT_INFO } },
	[VERIFY_SKIPPED] = { "skipped",
	    { false, false, -1, VERIFY_REPORT_NEWS },
	    { false, false, -1, VERIFY_REPORT_INFO } },
	[VERIFY_NO_RECORD] = { "no-record",
	    { false, false, -1, VERIFY_REPORT_NEWS },
	    { false, false, -1, VERIFY_REPORT_INFO } },
};

#define NOUTCOMES (sizeof(outcomes) / sizeof(outcomes[0]))

const char *
verify_outcome_name(enum verify_outcome o)
{
	return (unsigned)o < NOUTCOMES ? outcomes[o].name : "?";
}

void
verify_decide(enum verify_outcome o, bool after_change,
    struct verify_action *a)
{
	if ((unsigned)o >= NOUTCOMES)
		o = VERIFY_HANDSHAKE_FAILED;    /* unknown: never "fine" */
	*a = after_change ? outcomes[o].after_change : outcomes[o].on_demand;
}

bool
verify_report_due(enum verify_outcome o, int last)
{
	struct verify_action a;

	verify_decide(o, true, &a);
	return a.report != VERIFY_REPORT_NEWS || last != (int)o;
}

/* The server name for an IP record: match.dns, a host name (policy.c). */
static int
sni_of_name(const char *dns, char *out, size_t len)
{
	int n = snprintf(out, len, "%s", dns != NULL ? dns : "");

	/* A name too long to send is not sent; the address still answers. */
	if (n < 0 || (size_t)n >= len)
		out[0] = '\0';
	return 0;
}

int
verify_target_of(const struct binding *b, struct verify_target *t)
{
	static const uint8_t any[16];
	const struct endpoint *ep = &b->endpoint;

	memset(t, 0, sizeof(*t));
	t->port = ep->port;
	switch (ep->kind) {
	case EP_CCS:
		return -1;
	case EP_SNI:
		t->addr[0] = 127;
		t->addr[3] = 1;
		snprintf(t->sni, sizeof(t->sni), "%s", ep->host);
		return 0;
	case EP_IPV4:
		if (memcmp(ep->addr, any, 4) == 0) {
			t->addr[0] = 127;
			t->addr[3] = 1;
		} else
			memcpy(t->addr, ep->addr, 4);
		return sni_of_name(b->match.dns, t->sni, sizeof(t->sni));
	case EP_IPV6:
		t->ipv6 = true;
		if (memcmp(ep->addr, any, 16) == 0)
			t->addr[15] = 1;
		else
			memcpy(t->addr, ep->addr, 16);
		return sni_of_name(b->match.dns, t->sni, sizeof(t->sni));
	}
	return -1;
}

bool
verify_link_local(const struct verify_target *t)
{
	return t->ipv6 && t->addr[0] == 0xfe && (t->addr[1] & 0xc0) == 0x80;
}

/* TLS alert descriptions (RFC 8446 section 6, RFC 5246 section 7.2). */
static const struct {
	unsigned code;
	const char *name;
} alerts[] = {
	{ 0, "close_notify" }, { 10, "unexpected_message" },
	{ 20, "bad_record_mac" }, { 21, "decryption_failed" },
	{ 22, "record_overflow" }, { 30, "decompression_failure" },
	{ 40, "handshake_failure" }, { 41, "no_certificate" },
	{ 42, "bad_certificate" }, { 43, "unsupported_certificate" },
	{ 44, "certificate_revoked" }, { 45, "certificate_expired" },
	{ 46, "certificate_unknown" }, { 47, "illegal_parameter" },
	{ 48, "unknown_ca" }, { 49, "access_denied" },
	{ 50, "decode_error" }, { 51, "decrypt_error" },
	{ 60, "export_restriction" }, { 70, "protocol_version" },
	{ 71, "insufficient_security" }, { 80, "internal_error" },
	{ 86, "inappropriate_fallback" }, { 90, "user_canceled" },
	{ 100, "no_renegotiation" }, { 109, "missing_extension" },
	{ 110, "unsupported_extension" }, { 112, "unrecognized_name" },
	{ 113, "bad_certificate_status_response" },
	{ 115, "unknown_psk_identity" }, { 116, "certificate_required" },
	{ 120, "no_application_protocol" },
};

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

const char *
verify_alert_text(const uint8_t *p, size_t n, char *buf, size_t len)
{
	uint32_t level, code;
	const char *name = "unknown";
	size_t i;

	if (n == 12 && le32(p) == 2) {          /* SCHANNEL_ALERT_TOKEN */
		level = le32(p + 4);
		code = le32(p + 8);
	} else if (n == 7 && p[0] == 21 && p[1] == 3 && p[3] == 0 &&
	    p[4] == 2) {                         /* a TLS alert record */
		level = p[5];
		code = p[6];
	} else if (n == 2) {                     /* an alert's two bytes */
		level = p[0];
		code = p[1];
	} else {
		if (len > 0)
			buf[0] = '\0';
		return buf;
	}
	for (i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++)
		if (alerts[i].code == code)
			name = alerts[i].name;
	snprintf(buf, len, "%s alert %s (%lu)", level == 1 ? "warning" :
	    level == 2 ? "fatal" : "an", name, (unsigned long)code);
	return buf;
}
