/*
 * policy.h - the binding policy: which endpoints certbind keeps bound, and
 * what a certificate must cover to be bound there.
 *
 * A policy is loaded whole or not at all: policy_parse() either returns a
 * complete, checked struct policy or an error with the file position of
 * the offending node, and never half of one.
 */
#ifndef CERTBIND_POLICY_H
#define CERTBIND_POLICY_H

#include <stddef.h>

#include "endpoint.h"
#include "error.h"

#define POLICY_VERSION 1
#define BINDING_NAME_MAX 64

struct binding {
	char *name;               /* unique, [A-Za-z0-9._-]+ */
	struct endpoint endpoint;
	char *dns;                /* match.dns: the name to cover, lower case */
	int line, col;            /* where the binding starts in the file */
};

struct policy {
	int version;
	struct binding *bindings;
	size_t nbindings;
};

/*
 * Parse and check a policy.  file names the source in messages; buf holds
 * len bytes of UTF-8 YAML.  Returns 0, or -1 with err set and *out zeroed.
 */
int policy_parse(const char *file, const char *buf, size_t len,
    struct policy *out, struct cb_error *err);

void policy_free(struct policy *p);

#endif
