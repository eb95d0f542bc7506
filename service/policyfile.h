/*
 * policyfile.h - read a policy file from disk and hand it to core/.
 */
#ifndef CERTBIND_POLICYFILE_H
#define CERTBIND_POLICYFILE_H

#include <stdbool.h>

#include "../core/policy.h"

/* policyfile_load's result for a policy others may change (policyacl.h). */
#define POLICYFILE_INSECURE (-2)

/*
 * Load and check the policy at path (UTF-8), that the accounts its
 * key_access lists name exist here (keyaccess.h), and who may change it
 * (policyacl.h).  Returns 0, or -1 with err filled: I/O errors name the
 * file, policy errors FILE:LINE:COL; or POLICYFILE_INSECURE with err
 * filled when service.require_secure_policy refuses it.
 */
int policyfile_load(const char *path, struct policy *out,
    struct cb_error *err);

/*
 * How certbind runs, for service.require_secure_policy's default: true
 * under the Service Control Manager, false (the default) in a console.
 */
void policyfile_service_mode(bool on);

/*
 * Under the service, whether a policy others may change is loaded with a
 * warning (set from --allow-insecure-policy on the service's command
 * line, which `certbind service install --allow-insecure-policy` writes).
 * A `require_secure_policy: false` in the policy itself is not honoured
 * by the service: the file cannot lower the check that protects it.
 */
void policyfile_allow_insecure(bool on);

#endif
