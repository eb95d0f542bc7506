/*
 * target.h - the certificate consumers a binding can keep (the policy's
 * target:), each an adapter with the same few operations.
 *
 * The reconcile (world.c reads, carry.c carries out) and the read-only
 * commands never call a consumer's API themselves: they find the
 * binding's adapter with target_of() and go through it.  One file per
 * target: target_httpsys.c wraps httpsys.c; the registry-backed targets
 * (rdp, sqlserver) use regtarget.h.
 */
#ifndef CERTBIND_TARGET_H
#define CERTBIND_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/plan.h"
#include "../core/policy.h"
#include "../core/record.h"
#include "../core/unusable.h"

/*
 * What an adapter's apply returns besides APPLY_OK, APPLY_CONFLICT and
 * APPLY_ERROR (apply.h); each leaves the target as it was before.
 */
#define CARRY_KEY_REFUSED (-2)  /* the consumer cannot use the chosen
                                   certificate's private key */
#define CARRY_CERT_GONE (-3)    /* the chosen certificate left its store
                                   after certbind read it */
#define CARRY_UNSERVED (-4)     /* the change was made, what the consumer
                                   serves was checked and was wrong, and
                                   the previous value is back */

/* What a reconcile carries out a plan for. */
struct carry_ctx {
	const char *reason;            /* "apply", "run", "service": the
	                                  history's reason for a change */
	bool force;                    /* apply --force: pins do not hold */
	struct binding_state *st;      /* the service's memory of the
	                                  binding, or NULL (apply.h) */
	int64_t now;
};

/* What a binding's target holds now, as its adapter read it. */
struct target_read {
	bool present;                  /* a record, a value */
	struct ssl_record record;      /* httpsys: the record */
	struct held_thumb held;        /* the others: the thumbprint named */
};

struct target_ops {
	enum target_kind kind;
	const char *what;              /* "the HTTP.sys record for": what
	                                  describe()'s text holds, in messages */
	int event;                     /* the event ID of its failed calls */
	const char *open_call;         /* what open() calls, for its error */

	/* Get ready to read and write (HttpInitialize), and be done. */
	uint32_t (*open)(void);
	void (*close)(void);

	/*
	 * What b's target holds now into *out: 0 (out->present false when
	 * it holds nothing), or a Win32 error when it cannot be read.
	 */
	uint32_t (*read)(const struct binding *b, struct target_read *out);

	/* What a read error means, for the operator. */
	const char *(*read_strerror)(const struct binding *b, uint32_t err,
	    char *buf, size_t len);

	/*
	 * Read b's target again right before a change; when it holds
	 * something else than item i was planned on (another program wrote
	 * it), plan the item again on what it holds now.  0, or -1 after
	 * reporting.
	 */
	int (*recheck)(struct plan *plan, size_t i,
	    const struct unusable_list *avoid, const struct carry_ctx *c);

	/*
	 * Make the change item it plans (CREATE, UPDATE_*), putting back
	 * what the target held when the change fails, and report it.
	 * APPLY_OK, APPLY_ERROR, or a CARRY_* code.
	 */
	int (*apply)(const struct plan_item *it, const struct carry_ctx *c);

	/*
	 * Where b's certificate goes, in an operator's words, for messages,
	 * status and JSON: "0.0.0.0:443", "the RDP listener", "SQL Server
	 * instance MSSQLSERVER".
	 */
	const char *(*describe)(const struct binding *b, char *buf,
	    size_t len);

	/*
	 * Finish what an interrupted change left, from the journal (called
	 * before the targets are read, under the writer lock).
	 */
	void (*restore)(void);

	/* What the consumer serves can be checked after a change. */
	bool verifiable;
};

/* The adapter of target kind k; never NULL for a kind policy.h has. */
const struct target_ops *target_of(enum target_kind k);

/*
 * open() every target p's bindings use, and HTTP.sys always (status lists
 * its records whatever the policy); 0, or -1 after reporting, with those
 * opened closed again.
 */
int targets_open(const struct policy *p);
void targets_close(const struct policy *p);

/* restore() every target p's bindings use. */
void targets_restore(const struct policy *p);

/* The adapters, one file each. */
extern const struct target_ops target_httpsys;
extern const struct target_ops target_rdp;
extern const struct target_ops target_sql;

#endif
