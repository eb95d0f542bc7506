/*
 * status.h - the drift report: every SSL record HTTP.sys has, declared or
 * not, against the store and the plan; and what the bindings of the other
 * targets hold.
 *
 * status_build() is pure, like plan_build(): from the records HTTP.sys
 * holds, the plan made from them and the time, it says for each record
 * which binding declares it, whether its certificate is in the store,
 * expired, expiring or archived, whether the plan would change it, and
 * which SNI records an IP-specific record on the same port takes
 * precedence over.
 */
#ifndef CERTBIND_STATUS_H
#define CERTBIND_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "probe.h"
#include "wakeup.h"

struct status_row {
	const struct ssl_record *rec;
	const struct plan_item *item;  /* the binding declaring it, or NULL */
	const struct cert *cert;       /* its certificate in the store, or NULL */
	bool has_hash;                 /* the record names a certificate */
	bool expired, expiring, archived;
	bool drift;                    /* the plan would change the record */
	const struct ssl_record **shadowed; /* SNI records this one shadows */
	size_t nshadowed;
};

/* A record HTTP.sys has and certbind could not read. */
struct status_broken {
	const struct broken_record *rec;   /* NULL: only the binding knows */
	const struct plan_item *item;  /* the binding declaring it, or NULL */
};

struct status {
	struct status_row *rows;       /* one per record, in endpoint order */
	size_t n;
	const struct plan_item **missing; /* declared, and HTTP.sys has none */
	size_t nmissing;
	const struct plan_item **targets; /* bindings of the other targets
	                                  (rdp, sqlserver) that could be read,
	                                  in policy order */
	size_t ntargets;
	struct status_broken *broken;  /* the records that cannot be read, then
	                                  the declared bindings whose record
	                                  cannot be read and no broken record
	                                  names */
	size_t nbroken;
	const struct loop_stats *service; /* the running service loop's
	                                  counts, or NULL when none runs
	                                  (set by the caller) */
	const struct probe_list *probe; /* what each binding's endpoint
	                                  serves (status --probe), or NULL
	                                  (set by the caller) */
};

/*
 * records must be every record HTTP.sys has, broken those of them that
 * could not be read, and plan built from the records (its items for
 * bindings whose record could not be read marked ACTION_UNREADABLE).
 * Returns 0, or -1 when out of memory.
 */
int status_build(const struct plan *plan, const struct ssl_record *records,
    size_t nrecords, const struct broken_record *broken, size_t nbroken,
    int64_t now, struct status *out);

void status_free(struct status *st);

#endif
