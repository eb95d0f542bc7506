/*
 * verify.h - what the endpoint really serves: a TLS handshake as a client
 * (Schannel) against a binding's endpoint, and the certificate the server
 * presents.  What each outcome means is core/verify.h.
 */
#ifndef CERTBIND_SERVICE_VERIFY_H
#define CERTBIND_SERVICE_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/cert.h"
#include "../core/policy.h"
#include "../core/record.h"
#include "../core/verify.h"

struct verify_result {
	enum verify_outcome outcome;
	uint32_t status;               /* the SECURITY_STATUS or Winsock error
	                                  behind the outcome, or 0 */
	char text[512];                /* what happened, for people */
	bool served_known;             /* a certificate was presented: */
	uint8_t served[THUMB_LEN];     /* its thumbprint */
};

/*
 * Connect to t, shake hands with t->sni as the server name, and compare
 * the thumbprint of the certificate presented with thumb; all within
 * timeout_ms.  Nothing about trust is checked (only the thumbprint
 * matters) and no HTTP request is sent.
 */
void verify_endpoint(const struct verify_target *t,
    const uint8_t thumb[THUMB_LEN], uint32_t timeout_ms,
    struct verify_result *r);

/*
 * Check binding b, whose record is rec: VERIFY_SKIPPED when the binding
 * says verify: false, VERIFY_NOT_VERIFIABLE for a ccs record (it names no
 * certificate), else verify_endpoint() with the binding's verify_timeout.
 */
void verify_binding(const struct binding *b, const struct ssl_record *rec,
    struct verify_result *r);

/* "0.0.0.0:8443 (127.0.0.1:8443, server name api.example.test)". */
const char *verify_target_text(const struct binding *b, char *buf,
    size_t len);

#endif
