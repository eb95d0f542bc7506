/*
 * policyacl.h - who may change the policy file and its folder.
 *
 * The policy is a security boundary: it decides which certificate serves
 * a port and where a LocalSystem service writes.  At every load the DACLs
 * of the file and its folder are read and judged (core/acl.c); anyone but
 * SYSTEM, Administrators, TrustedInstaller or an administrator owner who
 * may write the file, or create or delete files in the folder, is
 * reported (event 229), and with service.require_secure_policy the policy
 * is refused.
 */
#ifndef CERTBIND_POLICYACL_H
#define CERTBIND_POLICYACL_H

#include <windows.h>
#include <stdbool.h>
#include <stddef.h>

#include "../core/error.h"

/*
 * Judge the policy file at path and its folder.  trust_caller: the
 * account certbind runs as counts as an administrator when it is one
 * (right for the process that loads the policy; `service install` passes
 * false, to judge as the LocalSystem service will, not as the
 * administrator installing it).  Returns 0 when no one else may change them, or when
 * someone may and require is false (a warning, event 229, is reported);
 * -1 with err set ("WHY; the policy is not loaded (because)") when
 * someone may and require is true, or the security descriptors cannot
 * be read and require is true.
 */
int policyacl_check(const char *path, bool require, bool trust_caller,
    const char *because, struct cb_error *err);

/*
 * The DACL `service install` gives a policy folder it creates: full
 * control for SYSTEM and Administrators, read for Users, nothing
 * inherited from the parent (ProgramData lets Users create files).
 */
#define POLICY_FOLDER_SDDL \
	L"D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FRFX;;;BU)"

/* Create folder (its parent must exist) with POLICY_FOLDER_SDDL; 0 or a
 * Win32 error. */
DWORD policyacl_create_folder(const wchar_t *folder);

/*
 * Judge a folder alone, as the service will (not trusting the caller):
 * 0 only administrators may create files in it;
 * 1 someone else may, or -1 it cannot be judged, with the sentence in
 * why.
 */
int policyacl_folder(const wchar_t *folder, char *why, size_t len);

/*
 * The SDDL of the DACL (and owner) for path, as certbind judges it; NULL
 * with *code set on failure.  For `certbind check`'s messages and tests.
 */
char *policyacl_sddl(const wchar_t *path, unsigned long *code);

/* "BUILTIN\Users (S-1-5-32-545)", or the SID string alone when it has
 * no name here. */
void policyacl_account(const char *sid, char *out, size_t len);

#endif
