/*
 * dacl.h - the merge behind key_access: which entries a private key's
 * DACL gets so that the accounts a binding names can read it.  Pure:
 * descriptors arrive and leave as SDDL strings; service/keyaccess.c
 * converts and writes them.
 */
#ifndef CERTBIND_DACL_H
#define CERTBIND_DACL_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/*
 * key_sddl: the key's security descriptor now (at least its D: part).
 * sids: string SIDs ("S-1-5-20") to be given read access.  prev_sddl:
 * the descriptor of the key the binding held before, or NULL; when
 * inherit is true its explicit allow entries are carried over as well,
 * except those for logon-session SIDs (S-1-5-5-...).  Every entry the key
 * has is kept.  *out is the merged descriptor (malloc'd), and *changed
 * says whether it differs from key_sddl.  Returns 0, or -1 with err set
 * (a descriptor that cannot be parsed).
 */
int dacl_merge(const char *key_sddl, const char *const *sids, size_t nsids,
    const char *prev_sddl, bool inherit, char **out, bool *changed,
    struct cb_error *err);

/*
 * For a key the binding already holds: whether one of sids lacks read on
 * it, so that a grant is due (*due).  The merge above with no previous
 * key; when it would leave the descriptor as it is, there is nothing to
 * do.  0, or -1 with err set as dacl_merge().
 */
int dacl_grant_due(const char *key_sddl, const char *const *sids,
    size_t nsids, bool *due, struct cb_error *err);

#endif
