/*
 * lock.c - the HTTP.sys writer lock; see lock.h.
 *
 * A named mutex in the Global\ namespace, so that the service and an
 * operator's console, whose local namespaces differ, see the same one.  It
 * is created with a DACL for SYSTEM and Administrators only: creating a
 * Global\ object from an interactive logon needs SeCreateGlobalPrivilege,
 * which administrators and services have, so no other account can create
 * it first or open it to hold it.
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
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eventlog.h"
#include "lock.h"
#include "winerr.h"
#include "wstr.h"

#define LOCK_NAME L"Global\\CertBindHttpSysWriter"
#define LOCK_SDDL L"D:P(A;;GA;;;SY)(A;;GA;;;BA)"
#define HOLDER_KEY L"SOFTWARE\\CertBind"
#define HOLDER_VALUE L"WriterLock"
#define HOLDER_MAX 256

/* Open the mutex, creating it with its DACL; NULL and *err on failure. */
static HANDLE
open_mutex(DWORD *err)
{
	SECURITY_ATTRIBUTES sa;
	PSECURITY_DESCRIPTOR sd = NULL;
	HANDLE m;

	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(LOCK_SDDL,
	    SDDL_REVISION_1, &sd, NULL)) {
		*err = GetLastError();
		return NULL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.nLength = sizeof(sa);
	sa.lpSecurityDescriptor = sd;
	sa.bInheritHandle = FALSE;
	/* An existing mutex is opened as it is; sa applies only to a new one. */
	m = CreateMutexW(&sa, FALSE, LOCK_NAME);
	if (m == NULL)
		*err = GetLastError();
	LocalFree(sd);
	return m;
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
	DWORD err = 0, r;

	l->mutex = open_mutex(&err);
	if (l->mutex == NULL) {
		say(EV_ERROR, EV_LOCK_FAILED, "cannot open the HTTP.sys writer "
		    "lock %ls: %s; nothing was changed", LOCK_NAME,
		    win_strerror(err, why, sizeof(why)));
		return -1;
	}
	h[0] = l->mutex;
	h[1] = stop;
	r = WaitForSingleObject(l->mutex, 0);
	if (r == WAIT_TIMEOUT) {
		say(EV_WARNING, EV_LOCK_WAIT, "another certbind is changing "
		    "HTTP.sys (%s); waiting up to %lu s for it to finish",
		    read_holder(holder, sizeof(holder)),
		    (unsigned long)(timeout_ms / 1000));
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
