/*
 * world.h - what a reconcile reads before it decides: the policy, the
 * certificate stores, and what each binding's target holds now (through
 * its adapter, target.h).  Shared by the carry-out (apply.c) and the
 * read-only commands (commands.c).
 */
#ifndef CERTBIND_WORLD_H
#define CERTBIND_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/plan.h"
#include "../core/policy.h"
#include "../core/record.h"
#include "../core/unusable.h"
#include "store.h"

struct world {
	const struct policy *policy;
	struct policy own;             /* the policy, when loaded here */
	struct inventory inv;
	struct store_certs certs;      /* inv's contexts, for its keys */
	struct key_probe keys;         /* opens them as the plan asks */
	struct ssl_record *records;    /* HTTP.sys records that exist,
	                                  nrecords of them */
	size_t nrecords;
	struct held_thumb *held;       /* per binding: what a registry-backed
	                                  target holds */
	uint32_t *read_error;          /* per binding: reading its target */
	struct broken_record *broken;  /* records that cannot be read (status) */
	size_t nbroken;
};

/* How world_read() reads the targets. */
enum reading {
	READ_DECLARED,         /* what the policy's bindings hold */
	READ_ALL,              /* and every HTTP.sys record (status) */
	READ_REPAIR            /* finish an interrupted change, then as
	                          READ_DECLARED (apply) */
};

/*
 * The stores the policy uses; My always, so that status can see it.  With
 * every_cert, each certificate's key and chain are examined (certs);
 * otherwise only those the policy's choices depend on.  0, or -1 after
 * reporting.
 */
int world_stores(const struct policy *p, struct inventory *inv,
    struct store_certs *certs, bool every_cert);

/* The policy alone, into w->own.  0, or -1 after reporting. */
int world_policy(const char *path, struct world *w);

/* Stores and targets for policy p.  0, or -1 after reporting. */
int world_read(struct world *w, const struct policy *p, enum reading how);

/* Load everything, then plan as world_build() does.  0, or -1 after
 * reporting what failed. */
int world_plan(const char *path, enum reading how, struct world *w,
    struct plan *plan, int64_t now);

/*
 * The plan for what w read, passing over avoid's certificates (may be
 * NULL), with every item whose target could not be read marked so.  0,
 * or -1 with err set.
 */
int world_build(struct world *w, int64_t now,
    const struct unusable_list *avoid, struct plan *plan,
    struct cb_error *err);

void world_free(struct world *w);

#endif
