/*
 * policyacl.c - read the policy's security descriptors and judge them;
 * see policyacl.h.
 *
 * The descriptor is read with GetNamedSecurityInfoW (owner and DACL) and
 * handed to core/acl.c as SDDL, so the judgement is the one the unit
 * tests check.  Wine 8 keeps a descriptor only for files whose security
 * was set through Win32; for others it makes one up (owner and a DACL
 * for the current user, SYSTEM and Administrators), so under Wine this
 * shows the plumbing, not Windows' inheritance.
 */
#include <windows.h>
#include <aclapi.h>
#include <ntsecapi.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/acl.h"
#include "eventlog.h"
#include "longpath.h"
#include "policyacl.h"
#include "winerr.h"
#include "wstr.h"

char *
policyacl_sddl(const wchar_t *path, unsigned long *code)
{
	PSECURITY_DESCRIPTOR sd = NULL;
	LPWSTR text = NULL;
	char *out;
	DWORD rc;

	rc = GetNamedSecurityInfoW(path, SE_FILE_OBJECT,
	    OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, NULL, NULL,
	    NULL, NULL, &sd);
	if (rc != ERROR_SUCCESS) {
		*code = rc;
		return NULL;
	}
	if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(sd,
	    SDDL_REVISION_1, OWNER_SECURITY_INFORMATION |
	    DACL_SECURITY_INFORMATION, &text, NULL)) {
		*code = GetLastError();
		LocalFree(sd);
		return NULL;
	}
	out = utf8_from_wide(text);
	if (out == NULL)
		*code = ERROR_NOT_ENOUGH_MEMORY;
	LocalFree(text);
	LocalFree(sd);
	return out;
}

/* The account certbind runs as is sid, and it is an administrator. */
static bool
running_admin(PSID sid)
{
	HANDLE token;
	BYTE buf[256];
	DWORD n, size;
	BYTE admins[SECURITY_MAX_SID_SIZE];
	BOOL member = FALSE;
	bool same = false;

	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
		return false;
	if (GetTokenInformation(token, TokenUser, buf, sizeof(buf), &n))
		same = EqualSid(((TOKEN_USER *)buf)->User.Sid, sid);
	CloseHandle(token);
	size = sizeof(admins);
	if (!same || !CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL,
	    admins, &size))
		return false;
	return CheckTokenMembership(NULL, admins, &member) && member;
}

/*
 * The SID of the machine's account domain (which) or of the domain it is
 * joined to, from the LSA; false when there is none (a workgroup machine
 * has no primary domain SID) or it cannot be read.
 */
static bool
domain_sid(POLICY_INFORMATION_CLASS which, BYTE out[SECURITY_MAX_SID_SIZE])
{
	LSA_OBJECT_ATTRIBUTES oa;
	LSA_HANDLE policy;
	void *info = NULL;
	PSID sid = NULL;
	bool ok = false;

	memset(&oa, 0, sizeof(oa));
	if (LsaOpenPolicy(NULL, &oa, POLICY_VIEW_LOCAL_INFORMATION, &policy) !=
	    0)
		return false;
	if (LsaQueryInformationPolicy(policy, which, &info) == 0 &&
	    info != NULL) {
		sid = which == PolicyAccountDomainInformation ?
		    ((POLICY_ACCOUNT_DOMAIN_INFO *)info)->DomainSid :
		    ((POLICY_PRIMARY_DOMAIN_INFO *)info)->Sid;
		ok = sid != NULL && IsValidSid(sid) &&
		    CopySid(SECURITY_MAX_SID_SIZE, out, sid);
	}
	if (info != NULL)
		LsaFreeMemory(info);
	LsaClose(policy);
	return ok;
}

/* sid is type (a domain-relative account or group) of domain. */
static bool
is_in_domain(PSID sid, WELL_KNOWN_SID_TYPE type, PSID domain)
{
	BYTE want[SECURITY_MAX_SID_SIZE];
	DWORD size = sizeof(want);

	return CreateWellKnownSid(type, domain, want, &size) &&
	    EqualSid(sid, want);
}

/*
 * The Administrator account of this machine or of its domain, or the
 * domain's Domain Admins or Enterprise Admins.  IsWellKnownSid cannot
 * say this: for these domain-relative types it looks at the RID alone
 * (any domain's 500, 512, 519, including a trusted foreign domain's), and
 * Wine 8's does not know them at all.  So the SIDs are built from the
 * machine's and the joined domain's SIDs and compared.  Enterprise Admins
 * belongs to the forest root domain, which is only checked when it is the
 * domain the machine is joined to; elsewhere it counts as anyone else
 * (a warning too many, never one too few).
 */
static bool
domain_admin(PSID sid)
{
	BYTE machine[SECURITY_MAX_SID_SIZE], domain[SECURITY_MAX_SID_SIZE];

	if (domain_sid(PolicyAccountDomainInformation, machine) &&
	    is_in_domain(sid, WinAccountAdministratorSid, machine))
		return true;
	if (!domain_sid(PolicyPrimaryDomainInformation, domain) ||
	    EqualSid(domain, machine))
		return false;
	return is_in_domain(sid, WinAccountAdministratorSid, domain) ||
	    is_in_domain(sid, WinAccountDomainAdminsSid, domain) ||
	    is_in_domain(sid, WinAccountEnterpriseAdminsSid, domain);
}

/*
 * An account counts as an administrator when it is the machine's or the
 * domain's Administrator account, Domain Admins or Enterprise Admins, or
 * (when arg points to true) the account certbind runs as when that one
 * is an administrator.  That last rule is for the process that loads the
 * policy: the service (LocalSystem, trusted anyway) or an administrator's
 * console.  `service install` judges without it: it runs as the
 * administrator installing, and the service that will load the policy
 * does not trust that account.  Who else is in Administrators cannot be
 * listed with what advapi32 offers, so other members count as anyone
 * else.
 */
static bool
is_admin(const char *sid, void *arg)
{
	const bool *trust_caller = arg;
	wchar_t *w = wide_from_utf8(sid);
	PSID psid = NULL;
	bool admin = false;

	if (w != NULL && ConvertStringSidToSidW(w, &psid))
		admin = domain_admin(psid) ||
		    (*trust_caller && running_admin(psid));
	if (psid != NULL)
		LocalFree(psid);
	free(w);
	return admin;
}

void
policyacl_account(const char *sid, char *out, size_t len)
{
	wchar_t *wsid = wide_from_utf8(sid), name[256], domain[256];
	DWORD nn = 256, dn = 256;
	SID_NAME_USE use;
	PSID psid = NULL;

	if (wsid != NULL && ConvertStringSidToSidW(wsid, &psid) &&
	    LookupAccountSidW(NULL, psid, name, &nn, domain, &dn, &use))
		snprintf(out, len, "%ls%s%ls (%s)", domain, dn ? "\\" : "", name,
		    sid);
	else
		snprintf(out, len, "%s", sid);
	if (psid != NULL)
		LocalFree(psid);
	free(wsid);
}

/* The SDDL in a message is cut here, visibly, so that the sentence
 * around it keeps its end. */
#define SDDL_SHOWN 200

/*
 * Judge one object, trusting the account certbind runs as when
 * trust_caller (see is_admin).  0 secure;
 * 1 someone else may write (sentence in why); -1 cannot be judged
 * (sentence in why).
 */
static int
judge(const wchar_t *wpath, const char *what, bool folder,
    bool trust_caller, char *why, size_t len)
{
	struct acl_finding f;
	unsigned long code = 0;
	char *sddl = policyacl_sddl(wpath, &code), text[256], who[512],
	    rights[256];
	int rc;

	if (sddl == NULL) {
		snprintf(why, len, "cannot read the security of %s: %s", what,
		    win_strerror((uint32_t)code, text, sizeof(text)));
		return -1;
	}
	rc = acl_judge(sddl, folder, is_admin, &trust_caller, &f, text,
	    sizeof(text));
	if (rc < 0)
		snprintf(why, len, "cannot judge the security of %s: %s (%.*s%s)",
		    what, text, SDDL_SHOWN, sddl, strlen(sddl) > SDDL_SHOWN ?
		    "..." : "");
	else if (rc > 0) {
		policyacl_account(f.sid, who, sizeof(who));
		snprintf(why, len, "%s may be changed by %s, which is not SYSTEM, "
		    "Administrators, TrustedInstaller or an administrator owner "
		    "(%s)", what, who, acl_rights_text(f.rights, folder, rights,
		    sizeof(rights)));
	}
	free(sddl);
	return rc;
}

int
policyacl_folder(const wchar_t *folder, char *why, size_t len)
{
	return judge(folder, "the folder", true, false, why, len);
}

DWORD
policyacl_create_folder(const wchar_t *folder)
{
	SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, FALSE };
	DWORD rc = 0;

	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(
	    POLICY_FOLDER_SDDL, SDDL_REVISION_1, &sa.lpSecurityDescriptor,
	    NULL))
		return GetLastError();
	if (!CreateDirectoryW(folder, &sa))
		rc = GetLastError();
	LocalFree(sa.lpSecurityDescriptor);
	return rc;
}

int
policyacl_check(const char *path, bool require, bool trust_caller,
    const char *because, struct cb_error *err)
{
	static const char *what[2] = { "the policy file", "its folder" };
	wchar_t *wpath = wide_from_utf8(path), *whole = NULL, *folder = NULL;
	char why[1024], text[256];
	DWORD code = 0;
	int rc = 0, i;

	/* The \\?\ form when the path is too long for the plain one, or
	 * GetNamedSecurityInfoW fails on a long policy path. */
	if (wpath == NULL || (whole = longpath_whole(wpath, &code)) == NULL ||
	    (folder = longpath_folder(whole)) == NULL) {
		snprintf(why, sizeof(why), "cannot read the security of %s: %s",
		    path, win_strerror(code ? code : ERROR_NOT_ENOUGH_MEMORY,
		    text, sizeof(text)));
		rc = -1;
	}
	for (i = 0; i < 2 && rc == 0; i++)
		rc = judge(i == 0 ? whole : folder, what[i], i == 1,
		    trust_caller, why, sizeof(why));
	free(wpath);
	free(whole);
	free(folder);
	if (rc == 0)
		return 0;
	if (require)
		return cb_error_set(err, path, 0, 0, "%s; the policy is not "
		    "loaded (%s)", why, because);
	say(EV_WARNING, EV_POLICY_ACL, "%s: warning: %s", path, why);
	return 0;
}
