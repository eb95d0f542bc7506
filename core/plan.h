/*
 * plan.h - what certbind will do to HTTP.sys, decided before doing it.
 *
 * plan_build() is a pure function of the policy, the certificate
 * inventory, the records HTTP.sys holds now, and the time.  The service
 * then carries the plan out item by item; nothing in here touches Windows.
 */
#ifndef CERTBIND_PLAN_H
#define CERTBIND_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "error.h"
#include "policy.h"
#include "record.h"

enum action {
	ACTION_NONE,          /* the record already holds the chosen cert */
	ACTION_CREATE,        /* no record: create one */
	ACTION_UPDATE,        /* a record holds another cert: change its hash */
	ACTION_NO_CANDIDATE   /* no certificate qualifies: record kept as is */
};

struct plan_item {
	const struct binding *binding;
	enum action action;
	const struct cert *chosen;     /* NULL for ACTION_NO_CANDIDATE */
	bool has_current;              /* HTTP.sys has a record now */
	struct ssl_record current;     /* valid when has_current */
	struct ssl_record desired;     /* what to write (CREATE, UPDATE) */
};

struct plan {
	struct plan_item *items;       /* one per binding, in policy order */
	size_t n;
};

/*
 * records: the SSL records HTTP.sys holds now (any subset that includes
 * those at the policy's endpoints).  Returns 0, or -1 when out of memory.
 */
int plan_build(const struct policy *policy, const struct inventory *inv,
    const struct ssl_record *records, size_t nrecords, int64_t now,
    struct plan *out, struct cb_error *err);

void plan_free(struct plan *plan);

/* "create", "update", "none", "no-candidate" */
const char *action_name(enum action a);

#endif
