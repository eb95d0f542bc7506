/*
 * svc.c - certbind as a Windows service: the Service Control Manager's
 * side of the runtime loop, and `certbind service install|uninstall|
 * reload`.
 *
 * The service is CertBind: LocalSystem, automatic (delayed) start,
 * restarted by the SCM after 1, 5 and 15 minutes when it dies, with a
 * preshutdown notification so that a rotation in progress finishes before
 * Windows stops.  Its command line is `certbind.exe service run --config
 * FILE`, with --allow-insecure-policy when install was given it: the
 * service's command line (ImagePath) is where only administrators can
 * lower the policy's security check, never the policy itself.  The Event Log source CertBind is registered with certbind.exe as
 * its message file (the message table from messages.mc).
 *
 * One thread talks to the SCM: service_main runs the loop in a thread of
 * its own and reports every state itself, advancing dwCheckPoint every
 * CHECKPOINT_MS while it starts or stops, as the SCM expects within
 * dwWaitHint; the control handler only sets events.  A reconcile checks
 * the stop event between bindings, so a stop does not wait for a long
 * reconcile to end.
 *
 * The delayed start, failure actions and preshutdown timeout are
 * applied by svcconfig.c, where they differ, at install, by `service
 * configure`, and by the service itself at each start: an MSI installs
 * the service without them.  A setting Windows (or Wine, which stubs
 * some) does not take is a warning (event 305), never a failure.
 */
#include <windows.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "eventlog.h"
#include "longpath.h"
#include "out.h"
#include "policyacl.h"
#include "policyfile.h"
#include "runtime.h"
#include "svc.h"
#include "svcconfig.h"
#include "winerr.h"
#include "wstr.h"

#define SERVICE_NAME L"CertBind"
#define DISPLAY_NAME L"CertBind - HTTP.sys certificate bindings"
#define EVENT_KEY L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\" \
    L"Application\\CertBind"
#define STOP_WAIT_MS 10000
#define CHECKPOINT_MS 1000             /* a pending state reports this often */
#define PENDING_HINT_MS 3000           /* dwWaitHint: a few checkpoints */

/* --- running under the SCM --------------------------------------------- */

static SERVICE_STATUS_HANDLE status_handle;
static SERVICE_STATUS status;
static HANDLE stop_event, reload_event, running_event;
static char *service_config;

/*
 * Tell the SCM the service's state; only service_main's thread calls
 * this.  specific is dwServiceSpecificExitCode, which the SCM reads when
 * exit_code is ERROR_SERVICE_SPECIFIC_ERROR.
 */
static void
report(DWORD state, DWORD exit_code, DWORD specific, DWORD wait_hint)
{
	status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
	status.dwCurrentState = state;
	status.dwWin32ExitCode = exit_code;
	status.dwServiceSpecificExitCode = specific;
	status.dwWaitHint = wait_hint;
	status.dwControlsAccepted = state == SERVICE_RUNNING ?
	    SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_PRESHUTDOWN |
	    SERVICE_ACCEPT_PARAMCHANGE : 0;
	if (state == SERVICE_RUNNING || state == SERVICE_STOPPED)
		status.dwCheckPoint = 0;
	else
		status.dwCheckPoint++;
	SetServiceStatus(status_handle, &status);
}

static DWORD WINAPI
on_control(DWORD control, DWORD type, LPVOID data, LPVOID context)
{
	(void)type;
	(void)data;
	(void)context;
	/* Events only: service_main's thread does the reporting. */
	switch (control) {
	case SERVICE_CONTROL_STOP:
	case SERVICE_CONTROL_PRESHUTDOWN:
		SetEvent(stop_event);
		return NO_ERROR;
	case SERVICE_CONTROL_PARAMCHANGE:
		SetEvent(reload_event);
		return NO_ERROR;
	case SERVICE_CONTROL_INTERROGATE:
		/* The SCM knows the state last reported; nothing to do. */
		return NO_ERROR;
	default:
		return ERROR_CALL_NOT_IMPLEMENTED;
	}
}

static void
now_running(void *arg)
{
	(void)arg;
	SetEvent(running_event);
}

static DWORD WINAPI
loop_thread(LPVOID arg)
{
	return (DWORD)runtime_loop(service_config, arg);
}

/*
 * Report the loop's progress until its thread ends: RUNNING when it says
 * so, STOP_PENDING once a stop is asked for, and a new checkpoint every
 * CHECKPOINT_MS while starting or stopping.  The loop's exit code.
 */
static DWORD
supervise(HANDLE thread)
{
	HANDLE h[3] = { thread, running_event, stop_event };
	DWORD state = SERVICE_START_PENDING, code = 1, r;

	for (;;) {
		r = WaitForMultipleObjects(state == SERVICE_STOP_PENDING ? 1 : 3,
		    h, FALSE, state == SERVICE_RUNNING ? INFINITE : CHECKPOINT_MS);
		if (r == WAIT_OBJECT_0 || r == WAIT_FAILED)
			break;
		if (r == WAIT_OBJECT_0 + 1)
			state = SERVICE_RUNNING;
		else if (r == WAIT_OBJECT_0 + 2)
			state = SERVICE_STOP_PENDING;
		report(state, NO_ERROR, 0, state == SERVICE_RUNNING ? 0 :
		    PENDING_HINT_MS);
	}
	if (r == WAIT_FAILED || !GetExitCodeThread(thread, &code))
		code = 1;
	return code;
}

/*
 * Put the service's own settings in place, where they differ: LocalSystem
 * may change its own service.  A failure is a warning (event 305); the
 * start goes on.
 */
static void
configure_self(void)
{
	SC_HANDLE scm, svc = NULL;
	DWORD e = 0;
	char why[256];

	evlog_open();
	scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
	if (scm == NULL || (svc = OpenServiceW(scm, SERVICE_NAME,
	    SVCCONFIG_ACCESS)) == NULL)
		e = GetLastError();
	if (svc != NULL) {
		svcconfig_apply(svc);
		CloseServiceHandle(svc);
	} else
		say(EV_WARNING, EV_SERVICE_SETTING, "certbind: warning: the "
		    "service cannot open its own settings: %s; it runs "
		    "without checking them", win_strerror(e, why, sizeof(why)));
	if (scm != NULL)
		CloseServiceHandle(scm);
}

static void WINAPI
service_main(DWORD argc, LPWSTR *argv)
{
	static struct runtime_io io;
	HANDLE thread;
	DWORD rc;

	(void)argc;
	(void)argv;
	status_handle = RegisterServiceCtrlHandlerExW(SERVICE_NAME, on_control,
	    NULL);
	if (status_handle == NULL)
		return;
	report(SERVICE_START_PENDING, NO_ERROR, 0, PENDING_HINT_MS);
	stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
	reload_event = CreateEventW(NULL, FALSE, FALSE, NULL);
	running_event = CreateEventW(NULL, FALSE, FALSE, NULL);
	if (stop_event == NULL || reload_event == NULL ||
	    running_event == NULL) {
		report(SERVICE_STOPPED, GetLastError(), 0, 0);
		return;
	}
	configure_self();
	memset(&io, 0, sizeof(io));
	io.stop = stop_event;
	io.reload = reload_event;
	io.service = true;
	io.running = now_running;
	thread = CreateThread(NULL, 0, loop_thread, &io, 0, NULL);
	if (thread == NULL) {
		report(SERVICE_STOPPED, GetLastError(), 0, 0);
		return;
	}
	rc = supervise(thread);
	CloseHandle(thread);
	out_flush();              /* the SCM may end the process once stopped */
	/* The loop's own code (1: it could not be set up) for the SCM. */
	report(SERVICE_STOPPED, rc == 0 ? NO_ERROR :
	    ERROR_SERVICE_SPECIFIC_ERROR, rc, 0);
}

int
svc_run(const char *config, bool allow_insecure)
{
	SERVICE_TABLE_ENTRYW table[] = {
		{ SERVICE_NAME, service_main },
		{ NULL, NULL },
	};
	char why[256];

	service_config = (char *)config;
	policyfile_allow_insecure(allow_insecure);
	if (!StartServiceCtrlDispatcherW(table)) {
		out_printf(OUT_STDERR, "certbind service run: not started by "
		    "the Service Control Manager (%s); use 'certbind run' in a "
		    "console\n",
		    win_strerror(GetLastError(), why, sizeof(why)));
		return 1;
	}
	return 0;
}

/* --- install, uninstall, reload ----------------------------------------- */

/* The Event Log source, with certbind.exe as its message file. */
static LONG
register_source(const wchar_t *exe)
{
	DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE |
	    EVENTLOG_INFORMATION_TYPE;
	HKEY key;
	LONG rc;

	rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, EVENT_KEY, 0, NULL, 0,
	    KEY_SET_VALUE, NULL, &key, NULL);
	if (rc != ERROR_SUCCESS)
		return rc;
	rc = RegSetValueExW(key, L"EventMessageFile", 0, REG_EXPAND_SZ,
	    (const BYTE *)exe, (DWORD)((wcslen(exe) + 1) * sizeof(wchar_t)));
	if (rc == ERROR_SUCCESS)
		rc = RegSetValueExW(key, L"TypesSupported", 0, REG_DWORD,
		    (const BYTE *)&types, sizeof(types));
	RegCloseKey(key);
	return rc;
}

/* An absolute path for the policy: the service does not start in "." */
static wchar_t *
full_path(const char *path)
{
	wchar_t *w = wide_from_utf8(path), *full;
	DWORD n;

	if (w == NULL)
		return NULL;
	n = GetFullPathNameW(w, 0, NULL, NULL);
	full = n ? malloc(n * sizeof(wchar_t)) : NULL;
	if (full != NULL && GetFullPathNameW(w, n, full, NULL) == 0) {
		free(full);
		full = NULL;
	}
	free(w);
	return full;
}

static int
fail(const char *what, DWORD err)
{
	char why[256];

	out_printf(OUT_STDERR, "certbind: %s: %s\n", what,
	    win_strerror(err, why, sizeof(why)));
	return 1;
}

/*
 * The path of certbind.exe, whole: GetModuleFileNameW cuts the name
 * short, with ERROR_INSUFFICIENT_BUFFER, when the buffer is too small.
 */
static wchar_t *
exe_path(void)
{
	DWORD cap = MAX_PATH, n;
	wchar_t *buf = NULL, *grown;

	for (;;) {
		if ((grown = realloc(buf, cap * sizeof(wchar_t))) == NULL) {
			free(buf);
			return NULL;
		}
		buf = grown;
		n = GetModuleFileNameW(NULL, buf, cap);
		if (n == 0) {
			free(buf);
			return NULL;
		}
		if (n < cap)
			return buf;
		if (cap >= 32768) {
			free(buf);
			return NULL;
		}
		cap *= 2;
	}
}

/*
 * A policy that does not exist yet: the service watches its folder, so
 * the folder must exist (install creates it, writable by administrators
 * only, when its parent exists), and no one but administrators may
 * create files there, or someone else could write the policy first.
 */
static int
missing_policy(const wchar_t *policy)
{
	wchar_t *folder = longpath_folder(policy);
	const wchar_t *name = wcsrchr(policy, L'\\');
	char why[1024];
	DWORD attr, rc;
	int judged, bad = 1;

	if (folder == NULL)
		return fail("cannot install", ERROR_NOT_ENOUGH_MEMORY);
	attr = GetFileAttributesW(folder);
	if (attr == INVALID_FILE_ATTRIBUTES) {
		if ((rc = policyacl_create_folder(folder)) != 0)
			out_printf(OUT_STDERR, "certbind: cannot create the "
			    "folder %ls (create it and the policy first): %s\n",
			    folder,
			    win_strerror(rc, why, sizeof(why)));
		else {
			out_printf(OUT_STDOUT, "created %ls, which only SYSTEM "
			    "and Administrators may change\n", folder);
			bad = 0;
		}
	} else if (!(attr & FILE_ATTRIBUTE_DIRECTORY))
		out_printf(OUT_STDERR, "certbind: %ls is not a folder\n",
		    folder);
	else if ((judged = policyacl_folder(folder, why, sizeof(why))) != 0)
		out_printf(OUT_STDERR, "certbind: %ls does not exist, and %s: "
		    "%s; create the policy first, or give the folder an ACL that "
		    "lets only administrators change it\n", name + 1,
		    judged > 0 ? "someone else could create it" :
		    "who may create it is unknown", why);
	else
		bad = 0;
	free(folder);
	if (!bad)
		out_printf(OUT_STDERR, "certbind: warning: %ls does not exist "
		    "yet; the service waits for it\n", policy);
	return bad;
}

static int create_service(const wchar_t *exe, const wchar_t *cmd);

int
svc_install(const char *config, bool allow_insecure)
{
	wchar_t *exe, *cmd, *policy;
	size_t len;
	int rc;

	if ((exe = exe_path()) == NULL)
		return fail("cannot find certbind.exe", GetLastError());
	if ((policy = full_path(config)) == NULL) {
		free(exe);
		return fail("bad --config path", ERROR_INVALID_NAME);
	}
	if (GetFileAttributesW(policy) == INVALID_FILE_ATTRIBUTES) {
		if (missing_policy(policy) != 0) {
			free(exe);
			free(policy);
			return 1;
		}
	} else {
		struct cb_error err;

		/* Warn now about what the service will refuse: judged as
		 * the LocalSystem service will, which does not trust the
		 * administrator installing it as an owner. */
		policyacl_check(config, false, false, NULL, &err);
	}
	len = wcslen(exe) + wcslen(policy) + 64;
	if ((cmd = malloc(len * sizeof(wchar_t))) == NULL) {
		free(exe);
		free(policy);
		return fail("cannot install", ERROR_NOT_ENOUGH_MEMORY);
	}
	swprintf(cmd, len, L"\"%ls\" service run %ls--config \"%ls\"", exe,
	    allow_insecure ? L"--allow-insecure-policy " : L"", policy);
	free(policy);
	rc = create_service(exe, cmd);
	free(exe);
	free(cmd);
	return rc;
}

/* Register the service to run cmd, and the event source exe. */
static int
create_service(const wchar_t *exe, const wchar_t *cmd)
{
	SC_HANDLE scm, svc;
	LONG rc;

	scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CREATE_SERVICE);
	if (scm == NULL)
		return fail("cannot open the Service Control Manager (run as "
		    "an administrator)", GetLastError());
	svc = CreateServiceW(scm, SERVICE_NAME, DISPLAY_NAME,
	    SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
	    SERVICE_ERROR_NORMAL, cmd, NULL, NULL, NULL, NULL, NULL);
	if (svc == NULL) {
		DWORD e = GetLastError();

		CloseServiceHandle(scm);
		return fail("cannot create service CertBind", e);
	}
	if ((rc = register_source(exe)) != ERROR_SUCCESS) {
		CloseServiceHandle(svc);
		CloseServiceHandle(scm);
		return fail("cannot register the Event Log source CertBind",
		    (DWORD)rc);
	}
	evlog_open();
	svcconfig_apply(svc);
	evlog_close();
	CloseServiceHandle(svc);
	CloseServiceHandle(scm);
	out_printf(OUT_STDOUT, "service CertBind installed: %ls\n", cmd);
	out_puts(OUT_STDOUT, "start it with: sc start CertBind\n");
	return 0;
}

/* Ask a running service to stop and wait for it, up to STOP_WAIT_MS. */
static void
stop_service(SC_HANDLE svc)
{
	SERVICE_STATUS st;
	DWORD waited = 0;

	if (!ControlService(svc, SERVICE_CONTROL_STOP, &st))
		return;
	while (st.dwCurrentState != SERVICE_STOPPED && waited < STOP_WAIT_MS &&
	    QueryServiceStatus(svc, &st)) {
		out_flush();
		Sleep(100);
		waited += 100;
	}
}

int
svc_configure(void)
{
	SC_HANDLE scm, svc;
	DWORD e;
	int missed;

	scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
	if (scm == NULL)
		return fail("cannot open the Service Control Manager (run as "
		    "an administrator)", GetLastError());
	svc = OpenServiceW(scm, SERVICE_NAME, SVCCONFIG_ACCESS);
	if (svc == NULL) {
		e = GetLastError();
		CloseServiceHandle(scm);
		return fail("cannot open service CertBind", e);
	}
	evlog_open();
	missed = svcconfig_apply(svc);
	evlog_close();
	CloseServiceHandle(svc);
	CloseServiceHandle(scm);
	if (missed == 0)
		out_puts(OUT_STDOUT, "service CertBind: its settings are in place\n");
	return 0;
}

/*
 * DeleteService only marks a service for deletion: the SCM removes it once
 * it has stopped and every handle to it is closed (services.msc or an sc
 * query holding one keeps it), and until then an install under its name
 * fails with ERROR_SERVICE_MARKED_FOR_DELETE.  Wait for it to go, up to
 * STOP_WAIT_MS; true when it is gone.
 */
static bool
wait_deleted(SC_HANDLE scm)
{
	SC_HANDLE svc;
	DWORD waited = 0;

	for (;;) {
		svc = OpenServiceW(scm, SERVICE_NAME, SERVICE_QUERY_STATUS);
		if (svc != NULL)
			CloseServiceHandle(svc);
		else if (GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST)
			return true;
		else if (GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE)
			return false;
		if (waited >= STOP_WAIT_MS)
			return false;
		Sleep(100);
		waited += 100;
	}
}

int
svc_uninstall(void)
{
	SC_HANDLE scm, svc;
	DWORD e;
	bool gone;

	scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
	if (scm == NULL)
		return fail("cannot open the Service Control Manager (run as "
		    "an administrator)", GetLastError());
	svc = OpenServiceW(scm, SERVICE_NAME, SERVICE_STOP | DELETE |
	    SERVICE_QUERY_STATUS);
	if (svc == NULL) {
		e = GetLastError();
		CloseServiceHandle(scm);
		return fail("cannot open service CertBind", e);
	}
	stop_service(svc);
	if (!DeleteService(svc)) {
		e = GetLastError();
		CloseServiceHandle(svc);
		CloseServiceHandle(scm);
		return fail("cannot delete service CertBind", e);
	}
	CloseServiceHandle(svc);
	gone = wait_deleted(scm);
	CloseServiceHandle(scm);
	RegDeleteKeyW(HKEY_LOCAL_MACHINE, EVENT_KEY);
	if (gone)
		out_puts(OUT_STDOUT, "service CertBind removed\n");
	else
		out_puts(OUT_STDOUT, "service CertBind is marked for deletion: "
		    "Windows removes it once it has stopped and every program "
		    "that has it open (the Services console, sc) has closed "
		    "it; until then it cannot be installed again\n");
	return 0;
}

int
svc_reload(void)
{
	SC_HANDLE scm, svc;
	SERVICE_STATUS st;
	DWORD e = 0;

	scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
	if (scm == NULL)
		return fail("cannot open the Service Control Manager",
		    GetLastError());
	svc = OpenServiceW(scm, SERVICE_NAME, SERVICE_PAUSE_CONTINUE);
	if (svc == NULL || !ControlService(svc, SERVICE_CONTROL_PARAMCHANGE,
	    &st))
		e = GetLastError();
	if (svc != NULL)
		CloseServiceHandle(svc);
	CloseServiceHandle(scm);
	if (e != 0)
		return fail("cannot ask service CertBind to reload", e);
	out_puts(OUT_STDOUT, "service CertBind is reading its policy again\n");
	return 0;
}
