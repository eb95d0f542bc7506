/*
 * verify.h - what the endpoint really serves: the outcomes of the TLS
 * check certbind makes after it changes a record, where it connects, and
 * what it does about each outcome.
 *
 * A record that names the new thumbprint is not yet a site that works:
 * HTTP.sys takes a certificate whose private key it cannot use at
 * handshake time, and then every new connection fails.  service/verify.c
 * opens a TLS connection to the endpoint as a client, reads the
 * certificate the server presents and compares its thumbprint with the
 * record's.  Everything that decides - the address and name to use, and
 * whether an outcome rolls the change back - is here, pure, and tested
 * in tables (tests/unit/test_verify.c).
 */
#ifndef CERTBIND_VERIFY_H
#define CERTBIND_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "endpoint.h"
#include "policy.h"

enum verify_outcome {
	VERIFY_SERVED,           /* the record's certificate is served */
	VERIFY_MISMATCH,         /* another certificate is served */
	VERIFY_HANDSHAKE_FAILED, /* the TLS handshake failed */
	VERIFY_NOT_LISTENING,    /* connection refused: no application has a
	                            URL on that port, nothing to verify */
	VERIFY_TIMEOUT,          /* no answer within verify_timeout */
	VERIFY_NOT_VERIFIABLE,   /* nothing can be compared: a ccs record
	                            (it names no certificate), a server that
	                            insists on a client certificate, a
	                            link-local IPv6 address */
	VERIFY_SKIPPED,          /* the binding says verify: false */
	VERIFY_NO_RECORD         /* certbind verify: no record to check */
};

/* "served", "mismatch", "handshake-failed"...: stable words for output. */
const char *verify_outcome_name(enum verify_outcome o);

/* Where the check connects, and the name it sends. */
struct verify_target {
	bool ipv6;
	uint8_t addr[16];              /* network order; 4 bytes for IPv4 */
	uint16_t port;
	char sni[ENDPOINT_HOST_MAX + 1]; /* server name sent; "" for none */
};

/*
 * The target for binding b: the loopback address for a wildcard (0.0.0.0
 * or [::], and SNI records, whose key is 0.0.0.0), the address itself
 * otherwise; as server name the endpoint's host for an SNI record, and
 * match.dns (a host name the certificate covers) for an IP record.
 * Returns 0, or -1 for a ccs record, which cannot be verified
 * (VERIFY_NOT_VERIFIABLE).
 */
int verify_target_of(const struct binding *b, struct verify_target *t);

/*
 * t is an IPv6 link-local address (fe80::/10): it is reached only
 * through a named interface (a scope id), which neither a policy endpoint
 * nor an HTTP.sys record carries, so it is not checked
 * (VERIFY_NOT_VERIFIABLE) rather than tried on an interface guessed.
 */
bool verify_link_local(const struct verify_target *t);

/*
 * The alert Schannel returns in a SECBUFFER_ALERT buffer (n bytes at p),
 * for people: "fatal alert handshake_failure (40)".  Microsoft documents
 * that the buffer holds "information about that alert" but not its form,
 * so three are read: a SCHANNEL_ALERT_TOKEN (12 bytes: type 2, level,
 * number, little-endian), a TLS alert record (7 bytes, content type 21),
 * and the alert's own two bytes (level, description).  Anything else
 * gives "".  Returns buf.
 */
const char *verify_alert_text(const uint8_t *p, size_t n, char *buf,
    size_t len);

/* How an outcome is reported. */
enum verify_report {
	VERIFY_REPORT_INFO,      /* information */
	VERIFY_REPORT_NEWS,      /* information, only when the outcome is new
	                            for the binding (said once, not at every
	                            change) */
	VERIFY_REPORT_WARNING,
	VERIFY_REPORT_ERROR
};

/* What certbind does about an outcome. */
struct verify_action {
	bool roll_back;          /* after a change: put the previous record back */
	bool failure;            /* the binding failed: apply exits 1, the
	                            certificate is passed over for a while */
	int served;              /* certbind_binding_served: 1, 0, or -1 when
	                            the outcome says nothing about it */
	enum verify_report report;
};

/*
 * The action for outcome o; after_change is true for the check that
 * follows a change certbind made (only then is anything rolled back).
 */
void verify_decide(enum verify_outcome o, bool after_change,
    struct verify_action *a);

/*
 * Whether outcome o is reported, given the outcome the binding had at its
 * previous check (last, or -1 when none): VERIFY_REPORT_NEWS outcomes
 * only when they differ from last.
 */
bool verify_report_due(enum verify_outcome o, int last);

/* The binding's verify_timeout bounds: 1 s to 60 s, default 5 s. */
#define VERIFY_TIMEOUT_DEFAULT_MS 5000
#define VERIFY_TIMEOUT_MIN_MS 1000
#define VERIFY_TIMEOUT_MAX_MS 60000

#endif
