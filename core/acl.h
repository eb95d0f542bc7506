/*
 * acl.h - who may change the policy: a judgement over a security
 * descriptor in SDDL, so that it can be tested in a table.
 *
 * The policy decides which certificate serves a port and where a
 * LocalSystem service writes; whoever can change it is as powerful as
 * an administrator.  service/policyacl.c reads the descriptors of the
 * policy file and its folder, converts them to SDDL with
 * ConvertSecurityDescriptorToStringSecurityDescriptorW, and asks
 * acl_judge() whether anyone else may write there.
 *
 * The SDDL read is the subset a file's descriptor uses: O: and G: with a
 * SID string or alias, D: with its flags (P, AI, AR, NO_ACCESS_CONTROL)
 * and ACEs (type;flags;rights;object;inherit object;SID), S: skipped.
 * ACE types A and D are judged; any other allowing type (object and
 * callback ACEs, whatever their condition) counts as granting what it
 * names, and other deny types (callback "XD", object "OD") are ignored:
 * either way only more writers can be found.  A callback ACE's condition
 * is skipped by its parentheses and quoted strings.  A deny for Everyone
 * is not taken to cover Anonymous Logon, which Everyone leaves out.  Rights are hex or
 * decimal numbers or two-letter codes (FA FR FW FX, GA GR GW GX, SD RC
 * WD WO, and the directory-service letters CC DC LC SW RP WP DT LO CR
 * that Windows writes for file rights too).
 */
#ifndef CERTBIND_ACL_H
#define CERTBIND_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sdtext.h"

#define ACL_SID_MAX SDT_SID_MAX      /* longest SID string accepted */

/* Well-known SIDs, as SDDL writes them. */
#define SID_SYSTEM "S-1-5-18"
#define SID_ADMINISTRATORS "S-1-5-32-544"
#define SID_TRUSTED_INSTALLER \
	"S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"

struct acl_finding {
	char sid[ACL_SID_MAX + 1];     /* who may write, as a SID string */
	uint32_t rights;               /* the writing rights it has */
};

/*
 * May anyone but SYSTEM, Administrators, TrustedInstaller, an account
 * is_admin() says is an administrator, or the owner when it is one of
 * those, change the object sddl describes?  is_admin gets a SID string,
 * or a two-letter SDDL alias whose SID depends on the machine or domain
 * (LA, DA, EA, DU, ...); it may be NULL.  For a folder
 * (folder true) that means creating or deleting files in it too.
 * Inherit-only ACEs are skipped: they do not apply to the object.
 *
 * Returns 0 when no one else may; 1 with the first such account in *out;
 * -1 when sddl cannot be read (why says where), which the caller treats
 * as not secure.
 */
int acl_judge(const char *sddl, bool folder,
    bool (*is_admin)(const char *sid, void *arg), void *arg,
    struct acl_finding *out, char *why, size_t len);

/* The writing rights in rights, as text ("FILE_WRITE_DATA|DELETE"). */
const char *acl_rights_text(uint32_t rights, bool folder, char *buf,
    size_t len);

/*
 * May certbind use a writer lock (service/lock.c) whose owner is the SID
 * string owner?  Only when SYSTEM, Administrators or self (the account
 * certbind runs as) owns it: creating a named mutex in Global\ needs no
 * privilege, so a standard user could create it first and hold it, or
 * give it a DACL that shuts SYSTEM out.
 */
bool acl_lock_owner_ok(const char *owner, const char *self);

#endif
