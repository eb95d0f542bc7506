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

#endif
