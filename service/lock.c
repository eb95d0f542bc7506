/*
 * lock.c - the HTTP.sys writer lock; see lock.h.
 *
 * A named mutex in the Global\ namespace, so that the service and an
 * operator's console, whose local namespaces differ, see the same one.
 * Creating a mutex there needs no privilege (SeCreateGlobalPrivilege is
 * needed only for file mappings and symbolic links, per "Kernel object
 * namespaces"), so any account could create it first: hold it forever,
 * or give it a DACL that shuts SYSTEM out.  And CreateMutexW opens an
 * existing mutex as it is, ignoring the security attributes.  So when the
 * mutex already exists its owner is read (GetSecurityInfo) and it is used
 * only when SYSTEM, Administrators or the account certbind runs as owns
 * it (core/acl.c, acl_lock_owner_ok); certbind creates it owned by
 * Administrators with a DACL for SYSTEM and Administrators only.  A
 * same-named object of another type, or one certbind may not open, is
 * refused too, naming its owner when it can be read (event 310).
 *
 * A mutex is released by Windows when its owner dies; the next waiter then
 * gets WAIT_ABANDONED and owns it.  That is the one case in which a
 * journal entry may be a crash's leftover, and the holder goes on to
 * repair the journal (apply.c does so under the lock every time).
 *
 * Who holds the lock is written to HKLM\SOFTWARE\CertBind, value
 * WriterLock ("pid 1234, certbind apply, since 2027-01-15T08:00:00Z")
 * while it is held, so that a writer that gives up can say whom it waited
 * for.
 */
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/acl.h"
#include "eventlog.h"
#include "lock.h"
#include "out.h"
#include "policyacl.h"
#include "winerr.h"
#include "wstr.h"

#define LOCK_NAME L"Global\\CertBindHttpSysWriter"
#define LOCK_SDDL L"O:BAD:P(A;;GA;;;SY)(A;;GA;;;BA)"
#define HOLDER_KEY L"SOFTWARE\\CertBind"
#define HOLDER_VALUE L"WriterLock"
#define HOLDER_MAX 256

/* The account this process runs as, as a SID string; NULL on failure. */
static char *
self_sid(void)
{
	HANDLE token;
	BYTE buf[SECURITY_MAX_SID_SIZE + sizeof(TOKEN_USER)];
	DWORD n;
	LPWSTR text = NULL;
	char *out = NULL;

	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
		return NULL;
	if (GetTokenInformation(token, TokenUser, buf, sizeof(buf), &n) &&
	    ConvertSidToStringSidW(((TOKEN_USER *)buf)->User.Sid, &text)) {
		out = utf8_from_wide(text);
		LocalFree(text);
	}
	CloseHandle(token);
	return out;
}

/* owner as a SID string; NULL when there is none. */
static char *
owner_text(PSID owner)
{
	LPWSTR text = NULL;
	char *out = NULL;

	if (owner != NULL && ConvertSidToStringSidW(owner, &text)) {
		out = utf8_from_wide(text);
		LocalFree(text);
	}
	return out;
}

/* The owner of the mutex h (or, h NULL, of the object named LOCK_NAME),
 * as a SID string; NULL with *err set when it cannot be read. */
static char *
lock_owner(HANDLE h, DWORD *err)
{
	PSECURITY_DESCRIPTOR sd = NULL;
	PSID owner = NULL;
	char *out;
	DWORD rc;

	if (h != NULL)
		rc = GetSecurityInfo(h, SE_KERNEL_OBJECT,
		    OWNER_SECURITY_INFORMATION, &owner, NULL, NULL, NULL, &sd);
	else
		rc = GetNamedSecurityInfoW(LOCK_NAME, SE_KERNEL_OBJECT,
		    OWNER_SECURITY_INFORMATION, &owner, NULL, NULL, NULL, &sd);
	if (rc != ERROR_SUCCESS) {
		*err = rc;
		return NULL;
	}
	if ((out = owner_text(owner)) == NULL)
		*err = ERROR_INVALID_OWNER;
	LocalFree(sd);
	return out;
}

/* "owned by BUILTIN\Users (S-1-5-32-545)", or why the owner is unknown. */
static const char *
owner_words(HANDLE h, char *out, size_t len)
{
	char who[512], why[256], *owner;
	DWORD err = 0;

	if ((owner = lock_owner(h, &err)) == NULL) {
		snprintf(out, len, "its owner cannot be read: %s",
		    win_strerror(err, why, sizeof(why)));
		return out;
	}
	policyacl_account(owner, who, sizeof(who));
	snprintf(out, len, "owned by %s", who);
	free(owner);
	return out;
}

/*
 * An existing mutex m is certbind's only when SYSTEM, Administrators or
 * this account owns it.  Closes m and says why when it is not.
 */
static bool
trusted_mutex(HANDLE m)
{
	char *owner, *self, who[512], why[256];
	DWORD err = 0;
	bool ok;

	if ((owner = lock_owner(m, &err)) == NULL) {
		say(EV_ERROR, EV_LOCK_FAILED, "the HTTP.sys writer lock %ls "
		    "exists, and its owner cannot be read: %s; it is not used, "
		    "and nothing was changed", LOCK_NAME, win_strerror(err, why,
		    sizeof(why)));
		CloseHandle(m);
		return false;
	}
	self = self_sid();
	ok = acl_lock_owner_ok(owner, self);
	if (!ok) {
		policyacl_account(owner, who, sizeof(who));
		say(EV_ERROR, EV_LOCK_FAILED, "the HTTP.sys writer lock %ls is "
		    "owned by %s, not by SYSTEM, Administrators or the account "
		    "certbind runs as: another program may have created it to "
		    "block or mislead certbind; it is not used, and nothing was "
		    "changed (end that program)", LOCK_NAME, who);
		CloseHandle(m);
	}
	free(owner);
	free(self);
	return ok;
}

/*
 * Open the mutex, creating it owned by Administrators with its DACL, or
 * checking the owner of the one that exists.  NULL when it cannot be
 * used, said (event 310).
 */
static HANDLE
open_mutex(void)
{
	SECURITY_ATTRIBUTES sa;
	PSECURITY_DESCRIPTOR sd = NULL;
	char why[256], owner[768];
	HANDLE m;
	DWORD err;

	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(LOCK_SDDL,
	    SDDL_REVISION_1, &sd, NULL)) {
		err = GetLastError();
		goto failed;
	}
	memset(&sa, 0, sizeof(sa));
	sa.nLength = sizeof(sa);
	sa.lpSecurityDescriptor = sd;
	sa.bInheritHandle = FALSE;
	/* An existing mutex is opened as it is; sa applies only to a new one. */
	m = CreateMutexW(&sa, FALSE, LOCK_NAME);
	err = GetLastError();
	LocalFree(sd);
	if (m != NULL)
		return err == ERROR_ALREADY_EXISTS && !trusted_mutex(m) ? NULL :
		    m;
	/*
	 * Documented for CreateMutexW: a same-named event, semaphore, timer,
	 * job or file mapping makes it fail with ERROR_INVALID_HANDLE.
	 */
	if (err == ERROR_INVALID_HANDLE) {
		say(EV_ERROR, EV_LOCK_FAILED, "%ls, the name of the HTTP.sys "
		    "writer lock, is taken by an object that is not a mutex (%s): "
		    "another program may have created it to block certbind; "
		    "nothing was changed (end that program)", LOCK_NAME,
		    owner_words(NULL, owner, sizeof(owner)));
		return NULL;
	}
	if (err == ERROR_ACCESS_DENIED) {
		say(EV_ERROR, EV_LOCK_FAILED, "the HTTP.sys writer lock %ls "
		    "exists and this account may not use it (%s): another "
		    "program may have created it to block certbind; nothing was "
		    "changed (end that program)", LOCK_NAME,
		    owner_words(NULL, owner, sizeof(owner)));
		return NULL;
	}
failed:
	say(EV_ERROR, EV_LOCK_FAILED, "cannot open the HTTP.sys writer lock "
	    "%ls: %s; nothing was changed", LOCK_NAME, win_strerror(err, why,
	    sizeof(why)));
	return NULL;
}

static void
write_holder(const char *command)
{
	char text[HOLDER_MAX], when[32];
	time_t now = time(NULL);
	struct tm tm;
	wchar_t *wide;
	HKEY key;

	gmtime_s(&tm, &now);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(text, sizeof(text), "pid %lu, certbind %s, since %s",
	    (unsigned long)GetCurrentProcessId(), command, when);
	if ((wide = wide_from_utf8(text)) == NULL)
		return;
	if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, HOLDER_KEY, 0, NULL, 0,
	    KEY_SET_VALUE, NULL, &key, NULL) == ERROR_SUCCESS) {
		RegSetValueExW(key, HOLDER_VALUE, 0, REG_SZ, (const BYTE *)wide,
		    (DWORD)((wcslen(wide) + 1) * sizeof(wchar_t)));
		RegCloseKey(key);
	}
	free(wide);
}

static void
clear_holder(void)
{
	HKEY key;

	if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, HOLDER_KEY, 0, KEY_SET_VALUE,
	    &key) != ERROR_SUCCESS)
		return;
	RegDeleteValueW(key, HOLDER_VALUE);
	RegCloseKey(key);
}

/* The holder as recorded, as UTF-8 in out; "not recorded" if none. */
static const char *
read_holder(char *out, size_t len)
{
	wchar_t text[HOLDER_MAX];
	DWORD size = sizeof(text) - sizeof(wchar_t), type;
	char *u = NULL;
	LONG rc;

	memset(text, 0, sizeof(text));
	rc = RegGetValueW(HKEY_LOCAL_MACHINE, HOLDER_KEY, HOLDER_VALUE,
	    RRF_RT_REG_SZ, &type, text, &size);
	if (rc == ERROR_SUCCESS)
		u = utf8_from_wide(text);
	snprintf(out, len, "%s", u != NULL ? u : "not recorded");
	free(u);
	return out;
}

int
lock_take(struct writer_lock *l, const char *command, uint32_t timeout_ms,
    HANDLE stop)
{
	char holder[HOLDER_MAX * 3], why[256];
	HANDLE h[2];
	DWORD r;

	if ((l->mutex = open_mutex()) == NULL)
		return -1;
	h[0] = l->mutex;
	h[1] = stop;
	r = WaitForSingleObject(l->mutex, 0);
	if (r == WAIT_TIMEOUT) {
		say(EV_WARNING, EV_LOCK_WAIT, "another certbind is changing "
		    "HTTP.sys (%s); waiting up to %lu s for it to finish",
		    read_holder(holder, sizeof(holder)),
		    (unsigned long)(timeout_ms / 1000));
		out_flush();
		r = WaitForMultipleObjects(stop != NULL ? 2 : 1, h, FALSE,
		    timeout_ms);
	}
	switch (r) {
	case WAIT_OBJECT_0:
		write_holder(command);
		return 0;
	case WAIT_ABANDONED_0:
		say(EV_WARNING, EV_LOCK_ABANDONED, "the certbind that was "
		    "changing HTTP.sys (%s) ended without finishing; what it "
		    "left in the rotation journal is repaired now",
		    read_holder(holder, sizeof(holder)));
		write_holder(command);
		return 0;
	case WAIT_OBJECT_0 + 1:
		CloseHandle(l->mutex);
		l->mutex = NULL;
		return 1;
	case WAIT_TIMEOUT:
		say(EV_ERROR, EV_LOCK_FAILED, "another certbind has been "
		    "changing HTTP.sys for more than %lu s (%s); nothing was "
		    "changed, try again when it has finished",
		    (unsigned long)(timeout_ms / 1000),
		    read_holder(holder, sizeof(holder)));
		break;
	default:
		say(EV_ERROR, EV_LOCK_FAILED, "cannot take the HTTP.sys writer "
		    "lock: %s; nothing was changed", win_strerror(GetLastError(),
		    why, sizeof(why)));
		break;
	}
	CloseHandle(l->mutex);
	l->mutex = NULL;
	return -1;
}

void
lock_release(struct writer_lock *l)
{
	if (l->mutex == NULL)
		return;
	clear_holder();
	ReleaseMutex(l->mutex);
	CloseHandle(l->mutex);
	l->mutex = NULL;
}
