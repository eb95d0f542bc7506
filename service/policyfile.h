/*
 * policyfile.h - read a policy file from disk and hand it to core/.
 */
#ifndef CERTBIND_POLICYFILE_H
#define CERTBIND_POLICYFILE_H

#include "../core/policy.h"

/*
 * Load and check the policy at path (UTF-8).  Returns 0, or -1 with err
 * filled: I/O errors name the file, policy errors FILE:LINE:COL.
 */
int policyfile_load(const char *path, struct policy *out,
    struct cb_error *err);

#endif
