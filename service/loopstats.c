/*
 * loopstats.c - the loop's counts in the registry; see loopstats.h.
 *
 * HKLM\SOFTWARE\CertBind\Service is volatile (it does not survive a
 * restart of Windows) and holds: pid (REG_DWORD) and started (REG_QWORD,
 * the process's creation FILETIME), which together tell a running loop
 * from one that died without clearing them and whose id was reused;
 * command (REG_SZ, "service" or "run"); private_bytes and one
 * wakeups_<cause> per cause (REG_QWORD).  The loop rewrites them at each
 * wake-up, when they change.
 */
#include <windows.h>
#include <psapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopstats.h"
#include "wstr.h"

#define PARENT_KEY L"SOFTWARE\\CertBind"
#define STATS_KEY PARENT_KEY L"\\Service"

uint64_t
loopstats_private_bytes(void)
{
	PROCESS_MEMORY_COUNTERS_EX pmc;

	/* With _WIN32_WINNT >= 0x0601 psapi.h makes this
	 * K32GetProcessMemoryInfo, in kernel32: no psapi.dll import. */
	memset(&pmc, 0, sizeof(pmc));
	pmc.cb = sizeof(pmc);
	if (!GetProcessMemoryInfo(GetCurrentProcess(),
	    (PROCESS_MEMORY_COUNTERS *)&pmc, sizeof(pmc)))
		return 0;
	/* Windows documents PrivateUsage as the same as PagefileUsage (the
	 * commit charge); Wine 8 fills only the latter. */
	return (uint64_t)(pmc.PrivateUsage != 0 ? pmc.PrivateUsage :
	    pmc.PagefileUsage);
}

/* The creation time of process h, as a number; 0 when unknown. */
static uint64_t
started(HANDLE h)
{
	FILETIME created, exited, kernel, user;

	if (!GetProcessTimes(h, &created, &exited, &kernel, &user))
		return 0;
	return ((uint64_t)created.dwHighDateTime << 32) |
	    created.dwLowDateTime;
}

static void
set_qword(HKEY k, const wchar_t *name, uint64_t v)
{
	RegSetValueExW(k, name, 0, REG_QWORD, (const BYTE *)&v, sizeof(v));
}

/* "wakeups_timer" and so on; the names are short ASCII words. */
static void
cause_value(enum wake_cause c, wchar_t *name, size_t len)
{
	swprintf(name, len, L"wakeups_%hs", wake_cause_name(c));
}

void
loopstats_publish(const struct loop_stats *s, const char *command)
{
	wchar_t name[64], *wcommand;
	DWORD pid = GetCurrentProcessId();
	HKEY k;
	unsigned i;

	/*
	 * The parent first, as a lasting key: created volatile along with
	 * Service, it could hold no lasting subkey (the rotation journal,
	 * the writer lock's value), ERROR_CHILD_MUST_BE_VOLATILE.
	 */
	if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, PARENT_KEY, 0, NULL,
	    REG_OPTION_NON_VOLATILE, KEY_CREATE_SUB_KEY, NULL, &k, NULL) !=
	    ERROR_SUCCESS)
		return;                /* status then shows no counts */
	RegCloseKey(k);
	if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, STATS_KEY, 0, NULL,
	    REG_OPTION_VOLATILE, KEY_SET_VALUE, NULL, &k, NULL) !=
	    ERROR_SUCCESS)
		return;
	RegSetValueExW(k, L"pid", 0, REG_DWORD, (const BYTE *)&pid,
	    sizeof(pid));
	set_qword(k, L"started", started(GetCurrentProcess()));
	if ((wcommand = wide_from_utf8(command)) != NULL) {
		RegSetValueExW(k, L"command", 0, REG_SZ, (const BYTE *)wcommand,
		    (DWORD)((wcslen(wcommand) + 1) * sizeof(wchar_t)));
		free(wcommand);
	}
	set_qword(k, L"private_bytes", s->private_bytes);
	for (i = 0; i < WAKE_NCAUSES; i++) {
		cause_value((enum wake_cause)i, name, sizeof(name) /
		    sizeof(name[0]));
		set_qword(k, name, s->wakeups[i]);
	}
	RegCloseKey(k);
}

/* A value of exactly size bytes and type type; false otherwise. */
static bool
get_value(HKEY k, const wchar_t *name, DWORD type, void *out, DWORD size)
{
	DWORD t, n = size;

	return RegQueryValueExW(k, name, NULL, &t, out, &n) == ERROR_SUCCESS &&
	    t == type && n == size;
}

static bool
get_qword(HKEY k, const wchar_t *name, uint64_t *out)
{
	return get_value(k, name, REG_QWORD, out, sizeof(*out));
}

/*
 * Process pid runs and was created at when.  A process handle is
 * signalled when the process ends; GetExitCodeProcess's STILL_ACTIVE
 * would be ambiguous (a process may exit with 259), and Wine 8 answers 0
 * for a running process started from the Unix side.
 */
static bool
alive(DWORD pid, uint64_t when)
{
	HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE,
	    FALSE, pid);
	bool yes;

	if (h == NULL)
		return false;
	yes = WaitForSingleObject(h, 0) == WAIT_TIMEOUT && started(h) == when;
	CloseHandle(h);
	return yes;
}

bool
loopstats_read(struct loop_stats *out)
{
	wchar_t name[64];
	uint64_t when = 0;
	DWORD pid = 0;
	bool ok;
	HKEY k;
	unsigned i;

	memset(out, 0, sizeof(*out));
	if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, STATS_KEY, 0, KEY_QUERY_VALUE,
	    &k) != ERROR_SUCCESS)
		return false;
	ok = get_value(k, L"pid", REG_DWORD, &pid, sizeof(pid)) &&
	    get_qword(k, L"started", &when) && alive(pid, when) &&
	    get_qword(k, L"private_bytes", &out->private_bytes);
	for (i = 0; ok && i < WAKE_NCAUSES; i++) {
		cause_value((enum wake_cause)i, name, sizeof(name) /
		    sizeof(name[0]));
		ok = get_qword(k, name, &out->wakeups[i]);
	}
	RegCloseKey(k);
	if (!ok)
		memset(out, 0, sizeof(*out));
	return ok;
}

void
loopstats_clear(void)
{
	DWORD pid = 0;
	HKEY k;
	bool ours;

	if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, STATS_KEY, 0, KEY_QUERY_VALUE,
	    &k) != ERROR_SUCCESS)
		return;
	ours = get_value(k, L"pid", REG_DWORD, &pid, sizeof(pid)) &&
	    pid == GetCurrentProcessId();
	RegCloseKey(k);
	/* Another loop started since publishes its own: leave those. */
	if (ours)
		RegDeleteKeyW(HKEY_LOCAL_MACHINE, STATS_KEY);
}
