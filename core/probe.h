/*
 * probe.h - what each binding's endpoint serves, as `certbind verify` and
 * `certbind status --probe` print it.
 *
 * service/ fills the rows (one TLS check per binding, service/verify.c);
 * the text and JSON are built here, so that they are tested natively.
 */
#ifndef CERTBIND_PROBE_H
#define CERTBIND_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "endpoint.h"
#include "verify.h"

struct probe_row {
	const char *binding;           /* the policy's name for it */
	char endpoint[ENDPOINT_TEXT_MAX];
	enum verify_outcome outcome;
	char detail[600];              /* what happened, for people */
};

struct probe_list {
	struct probe_row *rows;
	size_t n;
};

/* Some row's outcome is a failure (mismatch, handshake-failed). */
bool probe_failed(const struct probe_list *l);

/* "api (0.0.0.0:8443): served: serves 0A0B..." lines; NULL: no memory. */
char *probe_text(const struct probe_list *l);

/*
 * The rows as a JSON array, [{"binding": ..., "endpoint": ...,
 * "outcome": ..., "detail": ...}]; NULL when out of memory.
 */
char *probe_json_array(const struct probe_list *l);

void probe_free(struct probe_list *l);

#endif
