/*
 * keyaccess.h - giving accounts read access to a certificate's private
 * key (key_access:), CNG and CAPI keys alike.
 */
#ifndef CERTBIND_KEYACCESS_H
#define CERTBIND_KEYACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/cert.h"
#include "../core/error.h"
#include "../core/keymemo.h"
#include "../core/plan.h"
#include "../core/policy.h"
#include "regtarget.h"

/*
 * The string SID for an account name or SID (LookupAccountNameW): 0 and
 * *sid malloc'd, or a Win32 error (ERROR_NONE_MAPPED: no such account).
 */
uint32_t account_sid(const char *account, char **sid);

/*
 * Every key_access name of p is an account; else -1 with err at the
 * name's line:col, for `certbind check` and loading the policy.  A name
 * whose lookup gets no answer now (core/account.h: a domain controller
 * out of reach) is a warning (event 235) at its line:col, not an error:
 * it is looked up again when its binding must move, and by
 * keyaccess_converge.
 */
int keyaccess_check(const char *file, const struct policy *p,
    struct cb_error *err);

/*
 * Give b's key_access accounts read access to the private key of the
 * certificate thumb in store, keeping the key's entries; with
 * key_access_inherit also those of the key of prev (NULL: none).  0 when
 * done or nothing to do, else a Win32 error with *why (malloc'd) saying
 * which step failed.
 */
uint32_t keyaccess_grant(const struct binding *b, enum cert_store store,
    const uint8_t thumb[THUMB_LEN], const uint8_t *prev, char **why);

/*
 * The same, giving the account also (NULL: none) read as well: the
 * service account of a SQL Server instance, which only its target knows.
 * A target's fixed account (NETWORK SERVICE for rdp) is added by both.
 * An information event names the accounts when the DACL changed.
 */
uint32_t keyaccess_grant_also(const struct binding *b, const char *also,
    enum cert_store store, const uint8_t thumb[THUMB_LEN],
    const uint8_t *prev, char **why);

/*
 * Before binding b is moved to the certificate chosen (NULL: none, as
 * for ccs), from the certificate whose thumbprint is prev (NULL: none):
 * keyaccess_grant_also, and on failure an error event (335) saying the
 * binding was not moved.  0 to go on with the change, -1 to leave the
 * binding where it is.
 */
int keyaccess_before_change(const struct binding *b, const char *also,
    const struct cert *chosen, const uint8_t *prev);

/*
 * For binding b holding the certificate thumb already: whether an account
 * it asks for (as keyaccess_grant_also) lacks read on the key (*due).
 * An account whose lookup gets no answer now is left out of the answer,
 * as keyaccess_converge leaves it out, and named in *unresolved
 * (malloc'd; NULL when none).  Reads only, for `certbind plan`.  0, or a
 * Win32 error with *why.
 */
uint32_t keyaccess_due(const struct binding *b, const char *also,
    enum cert_store store, const uint8_t thumb[THUMB_LEN], bool *due,
    char **why, char **unresolved);

/* A SQL Server instance's service account, which only its target knows,
 * in in->account (NULL for the other targets); sql_instance_free(in). */
void keyaccess_target_account(const struct plan_item *it,
    struct sql_instance *in);

/*
 * Item it stays on the certificate its binding holds (nothing to write,
 * or its options alone): give the accounts it asks for read on the key
 * when one lacks it (event 25), so that an account added to key_access,
 * or a SQL Server instance whose service account changed, gets it without
 * waiting for a renewal.  A key found in order is remembered in memo
 * (NULL: none) by thumbprint and the accounts asked for, and not opened
 * again until the memo is dropped (the resync interval).  An account
 * whose lookup gets no answer now (core/account.h) is left out with a
 * warning (event 235) and the others get read; it is looked up again
 * when the memo is dropped.  0, or -1 after an error event (335);
 * nothing is moved either way.
 */
int keyaccess_converge(const struct plan_item *it, struct key_memo *memo);

/*
 * For `certbind plan`, which writes nothing: set it->key_grant_due when
 * keyaccess_converge would write the key's DACL.  A key that cannot be
 * read counts as due (apply would try) and is printed to stderr; -1 then.
 */
int keyaccess_plan(struct plan_item *it);

#endif
