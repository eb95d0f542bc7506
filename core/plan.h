/*
 * plan.h - what certbind will do to each certificate consumer (target),
 * decided before doing it.
 *
 * plan_build() is a pure function of the policy, the certificate
 * inventory, what each target holds now (the records HTTP.sys holds, the
 * thumbprint a registry-backed target names), and the time.  The service
 * then carries the plan out item by item through its target adapters
 * (service/target.h); nothing in here touches Windows.
 */
#ifndef CERTBIND_PLAN_H
#define CERTBIND_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "error.h"
#include "index.h"
#include "policy.h"
#include "record.h"
#include "select.h"

enum action {
	ACTION_NONE,           /* the target holds what is planned */
	ACTION_CREATE,         /* it holds nothing: set it */
	ACTION_UPDATE_HASH,    /* it holds another certificate */
	ACTION_UPDATE_OPTIONS, /* right certificate, other declared options */
	ACTION_CONFLICT,       /* the record has another AppId: left alone */
	ACTION_NO_CANDIDATE,   /* no certificate qualifies: record kept */
	ACTION_UNREADABLE      /* HTTP.sys has a record certbind cannot
	                          read: left alone, reported */
};

/* Warnings a plan item can carry (struct plan_item.warnings). */
enum {
	WARN_EXPIRING = 1 << 0,      /* held cert expires within
	                                renew_warning_days, or has expired */
	WARN_BOUND_MISSING = 1 << 1  /* the record's cert is not in the store */
};

/*
 * What a target that names only a certificate holds now (rdp, sqlserver:
 * a registry value), read by its adapter.
 */
struct held_thumb {
	bool present;                  /* a value is there */
	uint8_t thumb[THUMB_LEN];
};

/*
 * One binding's plan.  The first fields are the same for every target;
 * current and desired are the httpsys target's detail (its HTTP.sys
 * record), left zero for the others.
 */
struct plan_item {
	const struct binding *binding;
	enum target_kind target;       /* binding->target */
	enum action action;
	struct selection sel;          /* the chosen cert and every candidate */
	bool has_current;              /* the target holds something now: an
	                                  HTTP.sys record, a registry value */
	bool has_current_thumb;        /* ... naming a certificate: */
	uint8_t current_thumb[THUMB_LEN];
	/* httpsys only: */
	struct ssl_record current;     /* valid when has_current */
	struct ssl_record desired;     /* what to write (CREATE, UPDATE_*) */
	unsigned warnings;             /* WARN_* */
	const struct cert *held;       /* the cert bound once the plan is
	                                  carried out, when it is known */
	uint32_t read_error;           /* ACTION_UNREADABLE: the Win32 error */
	char read_reason[256];         /* and what it means */
	bool pinned;                   /* kept on its certificate by a
	                                  rollback's pin (pin.h) */
	const struct cert *passed_over; /* pinned: the better certificate
	                                  it was not moved to */
	bool key_grant_due;            /* it stays on its certificate, whose
	                                  key does not yet give every account
	                                  it asks for read (key_access): the
	                                  reader of the key sets it */
	struct key_probe *keys;        /* the plan's: to ask about a
	                                  runner-up's key (pin.c) */
};

/*
 * Opening private keys lazily.  Opening a key is a provider call per
 * certificate (milliseconds each under Wine), so the store can leave
 * has_key unknown (struct cert.key_unknown) and let the plan ask for the
 * keys it needs, in rank order: a binding's candidates are ranked as if
 * an unknown key opened; when the winner's key is unknown, fn is asked
 * whether it opens, the answer is written into the inventory, and the
 * binding is selected again, so that a key that fails makes its
 * certificate a candidate that loses ("no private key"), and the next
 * one's key is asked for only then.  Each certificate is asked about at
 * most once per plan, however many bindings it serves.
 */
/* Whether inv->certs[cert]'s key opens; when it is named but fails, fn
 * may set *why to a malloc'd reason (plan --explain: key-unusable). */
typedef bool (*key_probe_fn)(size_t cert, void *arg, char **why);

/*
 * Optional: the same question for many certificates in one call, so that
 * the reader may open their keys side by side (each is milliseconds of a
 * provider's work, and a policy of a thousand bindings asks a thousand).
 * opens[j] and why[j] answer certs[j] as fn would (why[j] starts NULL).
 * Before its first binding the plan asks it for the first choice of every
 * binding, ranked as if unknown keys opened: the certificates fn would be
 * asked about first anyway, each once.  Runners-up, asked only when a
 * first choice fails, still go through fn one at a time.  Every binding
 * gets the certificate it would get one key at a time; what differs is
 * only that a runner-up whose key was asked for another binding's sake
 * shows, in --explain, what its key did rather than "not opened yet".
 */
typedef void (*key_batch_fn)(const size_t *certs, size_t n, void *arg,
    bool *opens, char **why);

struct key_probe {
	key_probe_fn fn;
	void *arg;
	struct inventory *inv;         /* the plan's inventory: its answers */
	size_t probes;                 /* keys asked for so far */
	key_batch_fn batch;            /* NULL: fn for every key */
};

/*
 * Whether c's key opens, asking keys (and keeping the answer) when it is
 * still unknown: for a runner-up chosen after the plan, as pin.c does.
 * With keys NULL an unknown key counts as one that opens, as in a plan
 * built without them.
 */
bool plan_key_opens(struct key_probe *keys, const struct cert *c);

struct plan {
	struct plan_item *items;       /* one per binding, in policy order */
	size_t n;
	int renew_warning_days;
	struct cert_index index;
	struct key_probe *keys;        /* NULL: an unknown key counts as one
	                                  that opens */
};

/*
 * records: the SSL records HTTP.sys holds now (any subset that includes
 * those at the policy's endpoints).  inv must outlive the plan.  Returns
 * 0, or -1 when out of memory.
 */
int plan_build(const struct policy *policy, const struct inventory *inv,
    const struct ssl_record *records, size_t nrecords, int64_t now,
    struct plan *out, struct cb_error *err);

/*
 * The same, passing over the certificates avoid lists for a binding
 * (HTTP.sys refused their key; see unusable.h).  avoid may be NULL.
 */
int plan_build_avoiding(const struct policy *policy,
    const struct inventory *inv, const struct ssl_record *records,
    size_t nrecords, int64_t now, const struct unusable_list *avoid,
    struct plan *out, struct cb_error *err);

/*
 * The same, opening the keys the plan needs through keys (see struct
 * key_probe); keys->inv is the inventory planned on, and keys must
 * outlive the plan, since planning an item again may ask for more.
 */
int plan_build_probing(const struct policy *policy,
    const struct ssl_record *records, size_t nrecords, int64_t now,
    const struct unusable_list *avoid, struct key_probe *keys,
    struct plan *out, struct cb_error *err);

/*
 * The same, for a policy whose bindings may have other targets: held[i]
 * is what binding i's target holds now when that target is not httpsys
 * (ignored for httpsys bindings, which are planned on records); held may
 * be NULL when the policy has only httpsys bindings.  For such a target
 * the plan is: nothing held, CREATE; another thumbprint, UPDATE_HASH; the
 * chosen one, NONE; no candidate, NO_CANDIDATE (a value is never
 * cleared).  keys may be NULL (as for plan_build_avoiding); when it is
 * given, inv is keys->inv.
 */
int plan_build_targets(const struct policy *policy,
    const struct inventory *inv, const struct ssl_record *records,
    size_t nrecords, const struct held_thumb *held, int64_t now,
    const struct unusable_list *avoid, struct key_probe *keys,
    struct plan *out, struct cb_error *err);

/*
 * Plan item i again against the same record (or held value), passing over what avoid
 * lists: after HTTP.sys refused the chosen certificate's key, the next
 * qualifying one.  Returns 0, or -1 when out of memory.
 */
int plan_replan_item(struct plan *plan, size_t i, int64_t now,
    const struct unusable_list *avoid);

/*
 * Item i's record exists but could not be read (error, with its meaning
 * in reason): the item becomes ACTION_UNREADABLE and writes nothing.
 */
void plan_mark_unreadable(struct plan *plan, size_t i, uint32_t error,
    const char *reason);

void plan_free(struct plan *plan);

/*
 * The record HTTP.sys holds now at item's endpoint (NULL: none) is not
 * the one the item was planned on: another tool changed it since.
 */
bool plan_stale(const struct plan_item *it, const struct ssl_record *now);

/* The same for a target that holds a thumbprint (NULL: nothing). */
bool plan_stale_held(const struct plan_item *it, const struct held_thumb *now);

/* plan_redo() for such a target, on what it holds now (NULL: nothing). */
int plan_redo_held(struct plan *plan, size_t i, const struct held_thumb *now,
    int64_t time_now, const struct unusable_list *avoid,
    struct cb_error *err);

/*
 * Plan item i again, as plan_build() would have, on the record HTTP.sys
 * holds now (NULL: none).  Returns 0, or -1 when out of memory (the item
 * is then a no-candidate with nothing to write).
 */
int plan_redo(struct plan *plan, size_t i, const struct ssl_record *now,
    int64_t time_now, const struct unusable_list *avoid,
    struct cb_error *err);

/*
 * The next moment after now at which the plan can change by itself, with
 * no store or policy change: a candidate becomes valid, a bound
 * certificate expires or falls below min_days_left, an expiry warning
 * becomes due, a certificate whose key HTTP.sys refused is due to be
 * tried again.  INT64_MAX when nothing is pending.  The service sets its
 * timer to this (or to the resync interval, if sooner).
 */
int64_t plan_next_event(const struct plan *plan, int64_t now);

/* How many items would change a target (create or update), or give an
 * account read on the key a binding holds (key_grant_due). */
size_t plan_changes(const struct plan *plan);

/* "none", "create", "update-hash", "update-options", "conflict",
 * "no-candidate", "unreadable" */
const char *action_name(enum action a);

#endif
