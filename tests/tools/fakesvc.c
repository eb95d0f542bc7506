/*
 * fakesvc.c - a service for the restart tests (tests/integration/
 * test_restart.sh): registered with the SCM (Wine's, there), it records
 * every start and stop, and can be told to fail its start or to hang in
 * START_PENDING, so that restarts that fail can be tested.  It also
 * stands in for a SQL Server instance's service (MSSQLSERVER or
 * MSSQL$NAME).
 *
 *   fakesvc install NAME [--account ACCOUNT] [DEPENDENCY...]
 *       CreateService: NAME, own process, demand start, this program
 *       with "run NAME", depending on the DEPENDENCY services.
 *   fakesvc uninstall NAME
 *   fakesvc run NAME
 *       What the SCM starts.  Each start and stop appends "NAME start" or
 *       "NAME stop" to C:\fakesvc.log.  Its behaviour at start comes from
 *       HKLM\SOFTWARE\CertBindTest\FakeSvc\NAME, read at each start:
 *         FailStart (DWORD)   stop at once with this dwWin32ExitCode
 *         HangStart (DWORD)   stay START_PENDING (wait hint 1 s, no
 *                             progress) this many seconds, then stop
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define OPTIONS_KEY L"SOFTWARE\\CertBindTest\\FakeSvc\\"
#define LOG_PATH L"C:\\fakesvc.log"
#define HANG_HINT_MS 1000

static wchar_t *svc_name;
static SERVICE_STATUS_HANDLE status_handle;
static SERVICE_STATUS status;
static HANDLE stop_event;

/* One line to the shared log; FILE_APPEND_DATA writes whole lines. */
static void
log_line(const char *what)
{
	char line[512];
	DWORD n, done;
	HANDLE f;

	n = (DWORD)snprintf(line, sizeof(line), "%ls %s\r\n", svc_name, what);
	f = CreateFileW(LOG_PATH, FILE_APPEND_DATA, FILE_SHARE_READ |
	    FILE_SHARE_WRITE, NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
	if (f == INVALID_HANDLE_VALUE)
		return;
	WriteFile(f, line, n, &done, NULL);
	CloseHandle(f);
}

static DWORD
option(const wchar_t *value)
{
	wchar_t key[512];
	DWORD data = 0, len = sizeof(data);

	swprintf(key, sizeof(key) / sizeof(key[0]), L"%ls%ls", OPTIONS_KEY,
	    svc_name);
	if (RegGetValueW(HKEY_LOCAL_MACHINE, key, value, RRF_RT_REG_DWORD,
	    NULL, &data, &len) != ERROR_SUCCESS)
		return 0;
	return data;
}

static void
report(DWORD state, DWORD exit_code, DWORD hint)
{
	status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
	status.dwCurrentState = state;
	status.dwControlsAccepted = state == SERVICE_RUNNING ?
	    SERVICE_ACCEPT_STOP : 0;
	status.dwWin32ExitCode = exit_code;
	status.dwWaitHint = hint;
	status.dwCheckPoint = state == SERVICE_RUNNING ||
	    state == SERVICE_STOPPED ? 0 : 1;
	SetServiceStatus(status_handle, &status);
}

static DWORD WINAPI
handler(DWORD control, DWORD type, void *data, void *ctx)
{
	(void)type;
	(void)data;
	(void)ctx;
	if (control == SERVICE_CONTROL_STOP) {
		report(SERVICE_STOP_PENDING, 0, 3000);
		SetEvent(stop_event);
		return NO_ERROR;
	}
	return control == SERVICE_CONTROL_INTERROGATE ? NO_ERROR :
	    ERROR_CALL_NOT_IMPLEMENTED;
}

static void WINAPI
service_main(DWORD argc, wchar_t **argv)
{
	DWORD fail, hang;

	(void)argc;
	(void)argv;
	status_handle = RegisterServiceCtrlHandlerExW(svc_name, handler, NULL);
	if (status_handle == NULL)
		return;
	stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
	report(SERVICE_START_PENDING, 0, HANG_HINT_MS);
	log_line("start");
	fail = option(L"FailStart");
	hang = option(L"HangStart");
	if (fail != 0) {
		log_line("failed");
		report(SERVICE_STOPPED, fail, 0);
		return;
	}
	if (hang != 0) {
		Sleep(hang * 1000);    /* no progress: the hint runs out */
		log_line("gave up");
		report(SERVICE_STOPPED, ERROR_SERVICE_REQUEST_TIMEOUT, 0);
		return;
	}
	report(SERVICE_RUNNING, 0, 0);
	WaitForSingleObject(stop_event, INFINITE);
	log_line("stop");
	report(SERVICE_STOPPED, 0, 0);
}

static int
run(const wchar_t *name)
{
	SERVICE_TABLE_ENTRYW table[] = {
		{ (wchar_t *)name, service_main },
		{ NULL, NULL }
	};

	svc_name = (wchar_t *)name;
	if (!StartServiceCtrlDispatcherW(table)) {
		fprintf(stderr, "fakesvc: not started by the SCM (error %lu)\n",
		    GetLastError());
		return 1;
	}
	return 0;
}

/* "A\0B\0\0" from argv[from..argc). */
static wchar_t *
dependencies(int argc, wchar_t **argv, int from)
{
	size_t len = 1, off = 0;
	wchar_t *deps;
	int i;

	for (i = from; i < argc; i++)
		len += wcslen(argv[i]) + 1;
	if ((deps = calloc(len, sizeof(wchar_t))) == NULL)
		return NULL;
	for (i = from; i < argc; i++) {
		wcscpy(deps + off, argv[i]);
		off += wcslen(argv[i]) + 1;
	}
	return deps;
}

static int
install(int argc, wchar_t **argv)
{
	wchar_t self[MAX_PATH], cmd[MAX_PATH + 300], *deps, *account = NULL;
	SC_HANDLE scm, svc;
	int from = 3;

	if (argc > 4 && wcscmp(argv[3], L"--account") == 0) {
		account = argv[4];
		from = 5;
	}
	GetModuleFileNameW(NULL, self, MAX_PATH);
	swprintf(cmd, sizeof(cmd) / sizeof(cmd[0]), L"\"%ls\" run %ls", self,
	    argv[2]);
	deps = dependencies(argc, argv, from);
	scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CREATE_SERVICE);
	svc = scm == NULL ? NULL : CreateServiceW(scm, argv[2], argv[2],
	    SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS,
	    SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, cmd, NULL, NULL, deps,
	    account, NULL);
	if (svc == NULL) {
		fprintf(stderr, "fakesvc: cannot install %ls (error %lu)\n",
		    argv[2], GetLastError());
		return 1;
	}
	CloseServiceHandle(svc);
	CloseServiceHandle(scm);
	free(deps);
	return 0;
}

static int
uninstall(const wchar_t *name)
{
	SERVICE_STATUS st;
	SC_HANDLE scm, svc;
	BOOL ok;

	scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
	svc = scm == NULL ? NULL : OpenServiceW(scm, name, SERVICE_STOP |
	    DELETE);
	if (svc == NULL)
		return 1;
	ControlService(svc, SERVICE_CONTROL_STOP, &st);
	ok = DeleteService(svc);
	CloseServiceHandle(svc);
	CloseServiceHandle(scm);
	return ok ? 0 : 1;
}

int
wmain(int argc, wchar_t **argv)
{
	if (argc >= 3 && wcscmp(argv[1], L"run") == 0)
		return run(argv[2]);
	if (argc >= 3 && wcscmp(argv[1], L"install") == 0)
		return install(argc, argv);
	if (argc >= 3 && wcscmp(argv[1], L"uninstall") == 0)
		return uninstall(argv[2]);
	fprintf(stderr, "usage: fakesvc install NAME [--account ACCOUNT] "
	    "[DEPENDENCY...]\n       fakesvc uninstall NAME\n"
	    "       fakesvc run NAME\n");
	return 2;
}
