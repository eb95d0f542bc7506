/*
 * svcrestart.c - restarting a service through the SCM after its
 * certificate changed; see svcrestart.h.  Never a shell, never a script.
 *
 * The order is the SCM's: a service with running dependents cannot be
 * stopped (ERROR_DEPENDENT_SERVICES_RUNNING), so they are stopped first,
 * in the order EnumDependentServicesW returns them (the reverse of their
 * start order, indirect dependents included), and started again, in the
 * reverse of that, once the service is RUNNING.  Wine 8's
 * EnumDependentServicesW is a stub that returns none; when it does, the
 * dependents are found from each active service's configured
 * dependencies (QueryServiceConfigW's lpDependencies), which on Windows
 * finds the same services by name.  Wine 8's QueryServiceConfigW returns
 * no dependencies either, so when it has none the service's
 * DependOnService value (REG_MULTI_SZ, where the SCM keeps them under
 * HKLM\SYSTEM\CurrentControlSet\Services\NAME) is read instead.
 *
 * Waiting follows the contract of SERVICE_STATUS.dwWaitHint: a pending
 * service must advance dwCheckPoint or change state within its wait hint,
 * or it has failed; and a state may take RESTART_WAIT_MAX_MS at most in
 * all.  The status is polled every tenth of the hint, between
 * POLL_MIN_MS and POLL_MAX_MS.
 *
 * A service that is not running is left as it is: it reads its
 * certificate when it is next started.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "scm.h"
#include "svcrestart.h"
#include "winerr.h"
#include "wstr.h"

#define POLL_MIN_MS 100
#define POLL_MAX_MS 1000
#define HINT_MIN_MS 2000               /* the SCM's own first hint */
#define ENUM_TRIES 3
#define SVC_ACCESS (SERVICE_QUERY_STATUS | SERVICE_STOP | SERVICE_START | \
    SERVICE_ENUMERATE_DEPENDENTS)

/* Service names (malloc'd), in the order they are to be stopped. */
struct names {
	wchar_t **v;
	size_t n;
};

static void
names_free(struct names *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static bool
names_has(const struct names *l, const wchar_t *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (_wcsicmp(l->v[i], name) == 0)
			return true;
	return false;
}

static DWORD
names_add(struct names *l, const wchar_t *name)
{
	wchar_t **v, *copy;

	if (names_has(l, name))
		return ERROR_SUCCESS;
	if ((copy = _wcsdup(name)) == NULL ||
	    (v = realloc(l->v, (l->n + 1) * sizeof(*v))) == NULL) {
		free(copy);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	l->v = v;
	l->v[l->n++] = copy;
	return ERROR_SUCCESS;
}

/* Record where and why it failed; returns error. */
static uint32_t
fail(struct restart_result *res, const char *step, const wchar_t *name,
    uint32_t error, uint32_t exit_code)
{
	if (res->error != 0)
		return res->error;     /* the first failure is the one told */
	res->error = error;
	res->step = step;
	res->exit_code = exit_code;
	free(res->service);
	res->service = utf8_from_wide(name);
	return error;
}

/* --- waiting ---------------------------------------------------------- */

static DWORD
query(SC_HANDLE svc, SERVICE_STATUS_PROCESS *st)
{
	DWORD need;

	return QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)st,
	    sizeof(*st), &need) ? ERROR_SUCCESS : GetLastError();
}

static DWORD
poll_ms(DWORD hint)
{
	DWORD ms = hint / 10;

	return ms < POLL_MIN_MS ? POLL_MIN_MS : ms > POLL_MAX_MS ?
	    POLL_MAX_MS : ms;
}

/*
 * Wait until svc is in state want.  ERROR_SERVICE_REQUEST_TIMEOUT when
 * it made no progress within its wait hint or took RESTART_WAIT_MAX_MS;
 * ERROR_SERVICE_NOT_ACTIVE when it stopped while it was to start (its
 * exit status in *st).
 */
static DWORD
wait_state(SC_HANDLE svc, DWORD want, SERVICE_STATUS_PROCESS *st)
{
	ULONGLONG begin = GetTickCount64(), progress = begin, now;
	DWORD rc, state = 0, checkpoint = 0;

	for (;;) {
		if ((rc = query(svc, st)) != ERROR_SUCCESS)
			return rc;
		if (st->dwCurrentState == want)
			return ERROR_SUCCESS;
		if (want == SERVICE_RUNNING &&
		    st->dwCurrentState == SERVICE_STOPPED)
			return ERROR_SERVICE_NOT_ACTIVE;
		now = GetTickCount64();
		if (st->dwCurrentState != state ||
		    st->dwCheckPoint != checkpoint) {
			state = st->dwCurrentState;
			checkpoint = st->dwCheckPoint;
			progress = now;
		}
		if (now - progress > (st->dwWaitHint > HINT_MIN_MS ?
		    st->dwWaitHint : HINT_MIN_MS) ||
		    now - begin > RESTART_WAIT_MAX_MS)
			return ERROR_SERVICE_REQUEST_TIMEOUT;
		Sleep(poll_ms(st->dwWaitHint));
	}
}

/* --- stopping and starting one service ---------------------------------- */

static uint32_t
stop_one(SC_HANDLE scm, const wchar_t *name, struct restart_result *res)
{
	SERVICE_STATUS_PROCESS st;
	SERVICE_STATUS ss;
	SC_HANDLE svc;
	DWORD rc = ERROR_SUCCESS;

	if ((svc = OpenServiceW(scm, name, SERVICE_STOP |
	    SERVICE_QUERY_STATUS)) == NULL)
		return fail(res, "open", name, GetLastError(), 0);
	/* Not active: already stopped.  Cannot accept it: a pending state,
	 * which the wait sees through. */
	if (!ControlService(svc, SERVICE_CONTROL_STOP, &ss) &&
	    (rc = GetLastError()) != ERROR_SERVICE_NOT_ACTIVE &&
	    rc != ERROR_SERVICE_CANNOT_ACCEPT_CTRL)
		rc = fail(res, "stop", name, rc, 0);
	else if ((rc = wait_state(svc, SERVICE_STOPPED, &st)) != ERROR_SUCCESS)
		rc = fail(res, "stop", name, rc, 0);
	CloseServiceHandle(svc);
	return rc;
}

/* Its exit code: the service-specific one when it says it has one. */
static uint32_t
exit_code(const SERVICE_STATUS_PROCESS *st)
{
	return st->dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR ?
	    st->dwServiceSpecificExitCode : st->dwWin32ExitCode;
}

static uint32_t
start_one(SC_HANDLE scm, const wchar_t *name, struct restart_result *res)
{
	SERVICE_STATUS_PROCESS st;
	SC_HANDLE svc;
	DWORD rc;

	if ((svc = OpenServiceW(scm, name, SERVICE_START |
	    SERVICE_QUERY_STATUS)) == NULL)
		return fail(res, "open", name, GetLastError(), 0);
	if (!StartServiceW(svc, 0, NULL) &&
	    (rc = GetLastError()) != ERROR_SERVICE_ALREADY_RUNNING)
		rc = fail(res, "start", name, rc, 0);
	else if ((rc = wait_state(svc, SERVICE_RUNNING, &st)) ==
	    ERROR_SERVICE_NOT_ACTIVE)
		/* It stopped: its own error, e.g. 1066 and its code. */
		rc = fail(res, "wait", name, st.dwWin32ExitCode ?
		    st.dwWin32ExitCode : rc, exit_code(&st));
	else if (rc != ERROR_SUCCESS)
		rc = fail(res, "wait", name, rc, 0);
	CloseServiceHandle(svc);
	return rc;
}

/* --- dependents --------------------------------------------------------- */

/*
 * *buf made *size bytes long (min when *size is 0, before the first
 * call has said what it needs), for the SCM's enumerations.
 */
static DWORD
grow(void **buf, DWORD *size, size_t min)
{
	void *p;

	if (*size < min)
		*size = (DWORD)min;
	if ((p = realloc(*buf, *size)) == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	*buf = p;
	return ERROR_SUCCESS;
}

/* EnumDependentServicesW's list: running dependents, in stop order. */
static DWORD
enum_dependents(SC_HANDLE svc, struct names *out)
{
	ENUM_SERVICE_STATUSW *buf = NULL;
	DWORD need = 0, count = 0, rc = ERROR_MORE_DATA, i;
	int tries;

	for (tries = 0; tries < ENUM_TRIES && rc == ERROR_MORE_DATA; tries++) {
		if ((rc = grow((void **)&buf, &need, sizeof(*buf))) != 0)
			break;
		rc = EnumDependentServicesW(svc, SERVICE_ACTIVE, buf, need,
		    &need, &count) ? ERROR_SUCCESS : GetLastError();
	}
	for (i = 0; rc == ERROR_SUCCESS && i < count; i++)
		rc = names_add(out, buf[i].lpServiceName);
	free(buf);
	return rc;
}

/* One active service and the services it depends on (a MULTI_SZ). */
struct active {
	wchar_t *name;
	wchar_t *deps;                 /* NULL: none, or not readable */
};

/* A MULTI_SZ's len bytes as a list that surely ends in two NULs. */
static wchar_t *
multi_sz(const void *data, size_t len)
{
	size_t n = len / sizeof(wchar_t);
	wchar_t *w = calloc(n + 2, sizeof(wchar_t));

	if (w != NULL)
		memcpy(w, data, n * sizeof(wchar_t));
	return w;
}

/* The service's DependOnService value, or NULL. */
static wchar_t *
registry_dependencies(const wchar_t *name)
{
	wchar_t path[300];
	DWORD len = 0;
	void *data;
	wchar_t *deps = NULL;

	if (wcslen(name) > 256)
		return NULL;
	swprintf(path, sizeof(path) / sizeof(path[0]),
	    L"SYSTEM\\CurrentControlSet\\Services\\%ls", name);
	if (RegGetValueW(HKEY_LOCAL_MACHINE, path, L"DependOnService",
	    RRF_RT_REG_MULTI_SZ, NULL, NULL, &len) != ERROR_SUCCESS ||
	    (data = malloc(len ? len : 1)) == NULL)
		return NULL;
	if (RegGetValueW(HKEY_LOCAL_MACHINE, path, L"DependOnService",
	    RRF_RT_REG_MULTI_SZ, NULL, data, &len) == ERROR_SUCCESS)
		deps = multi_sz(data, len);
	free(data);
	return deps;
}

/* The services s depends on, from the SCM or else the registry. */
static wchar_t *
dependencies(SC_HANDLE scm, const wchar_t *name)
{
	QUERY_SERVICE_CONFIGW *qsc = NULL;
	wchar_t *deps = NULL;
	const wchar_t *d;
	size_t len = 0;
	SC_HANDLE s;

	if ((s = OpenServiceW(scm, name, SERVICE_QUERY_CONFIG)) != NULL &&
	    scm_config(s, &qsc) == ERROR_SUCCESS &&
	    (d = qsc->lpDependencies) != NULL && d[0] != L'\0') {
		while (d[len] != L'\0')
			len += wcslen(d + len) + 1;
		deps = multi_sz(d, len * sizeof(wchar_t));
	}
	free(qsc);
	if (s != NULL)
		CloseServiceHandle(s);
	return deps != NULL ? deps : registry_dependencies(name);
}

/* Every active Win32 service's name and dependencies. */
static DWORD
list_active(SC_HANDLE scm, struct active **out, DWORD *n)
{
	ENUM_SERVICE_STATUS_PROCESSW *buf = NULL;
	DWORD need = 0, resume = 0, rc = ERROR_MORE_DATA, i;
	int tries;

	*out = NULL;
	*n = 0;
	for (tries = 0; tries < ENUM_TRIES && rc == ERROR_MORE_DATA; tries++) {
		if ((rc = grow((void **)&buf, &need, sizeof(*buf))) != 0)
			break;
		resume = 0;
		rc = EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO,
		    SERVICE_WIN32, SERVICE_ACTIVE, (BYTE *)buf, need, &need, n,
		    &resume, NULL) ? ERROR_SUCCESS : GetLastError();
	}
	if (rc == ERROR_SUCCESS &&
	    (*out = calloc(*n ? *n : 1, sizeof(**out))) == NULL)
		rc = ERROR_NOT_ENOUGH_MEMORY;
	for (i = 0; rc == ERROR_SUCCESS && i < *n; i++) {
		if (((*out)[i].name = _wcsdup(buf[i].lpServiceName)) == NULL)
			rc = ERROR_NOT_ENOUGH_MEMORY;
		else
			(*out)[i].deps = dependencies(scm, buf[i].lpServiceName);
	}
	free(buf);
	return rc;
}

/* a depends on the service name (entries "+group" name groups). */
static bool
depends_on(const struct active *a, const wchar_t *name)
{
	const wchar_t *d;

	for (d = a->deps; d != NULL && *d != L'\0'; d += wcslen(d) + 1)
		if (_wcsicmp(d, name) == 0)
			return true;
	return false;
}

/* a depends on root or on a service of l. */
static bool
depends_on_any(const struct active *a, const struct names *l,
    const wchar_t *root)
{
	size_t i;

	if (depends_on(a, root))
		return true;
	for (i = 0; i < l->n; i++)
		if (depends_on(a, l->v[i]))
			return true;
	return false;
}

/*
 * The active services that depend on root, directly or not, in an order
 * to stop them: each after every active service that depends on it.
 */
static DWORD
config_dependents(SC_HANDLE scm, const wchar_t *root, struct names *out)
{
	struct names found = { NULL, 0 };
	struct active *act;
	DWORD n, i, rc;
	bool more = true;

	if ((rc = list_active(scm, &act, &n)) != ERROR_SUCCESS)
		return rc;
	while (more && rc == ERROR_SUCCESS) {  /* the closure */
		more = false;
		for (i = 0; i < n && rc == ERROR_SUCCESS; i++)
			if (!names_has(&found, act[i].name) &&
			    _wcsicmp(act[i].name, root) != 0 &&
			    depends_on_any(&act[i], &found, root)) {
				rc = names_add(&found, act[i].name);
				more = true;
			}
	}
	/* Stop order: one whose dependents (among found) are all listed. */
	while (rc == ERROR_SUCCESS && out->n < found.n) {
		size_t before = out->n, j;

		for (j = 0; j < found.n && rc == ERROR_SUCCESS; j++) {
			bool ready = !names_has(out, found.v[j]);

			for (i = 0; ready && i < n; i++)
				if (names_has(&found, act[i].name) &&
				    !names_has(out, act[i].name) &&
				    depends_on(&act[i], found.v[j]))
					ready = false;
			if (ready)
				rc = names_add(out, found.v[j]);
		}
		if (out->n == before)  /* a cycle: stop the rest as found */
			for (j = 0; j < found.n && rc == ERROR_SUCCESS; j++)
				rc = names_add(out, found.v[j]);
	}
	for (i = 0; i < n; i++) {
		free(act[i].name);
		free(act[i].deps);
	}
	free(act);
	names_free(&found);
	return rc;
}

static DWORD
running_dependents(SC_HANDLE scm, SC_HANDLE svc, const wchar_t *name,
    struct names *out)
{
	DWORD rc = enum_dependents(svc, out);

	if (rc == ERROR_SUCCESS && out->n == 0)
		rc = config_dependents(scm, name, out);
	return rc;
}

/* --- the restart -------------------------------------------------------- */

/*
 * Start the first n of deps again, last stopped first, up to one that
 * does not come back: those after it may depend on it.
 */
static void
start_back(SC_HANDLE scm, const struct names *deps, size_t n,
    struct restart_result *res)
{
	while (n-- > 0 && start_one(scm, deps->v[n], res) == ERROR_SUCCESS)
		;
}

/*
 * Dependents down, the service down and up, dependents up.  What fails
 * first is told; what was stopped before it is started again, except
 * dependents of a service that did not come back: they cannot run.
 */
static uint32_t
restart_running(SC_HANDLE scm, SC_HANDLE svc, const wchar_t *name,
    struct restart_result *res)
{
	struct names deps = { NULL, 0 };
	size_t i;
	DWORD rc;

	if ((rc = running_dependents(scm, svc, name, &deps)) != ERROR_SUCCESS)
		return fail(res, "stop", name, rc, 0);
	for (i = 0; i < deps.n; i++)
		if (stop_one(scm, deps.v[i], res) != ERROR_SUCCESS)
			break;
	if (i < deps.n || stop_one(scm, name, res) != ERROR_SUCCESS ||
	    start_one(scm, name, res) == ERROR_SUCCESS)
		start_back(scm, &deps, i, res);
	names_free(&deps);
	return res->error;
}

uint32_t
service_restart(const char *name, struct restart_result *res)
{
	wchar_t *wname = wide_from_utf8(name);
	SERVICE_STATUS_PROCESS st;
	SC_HANDLE scm = NULL, svc = NULL;
	DWORD rc;

	memset(res, 0, sizeof(*res));
	if (wname == NULL) {
		res->error = ERROR_NOT_ENOUGH_MEMORY;
		res->step = "open";
		return res->error;
	}
	if ((scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT |
	    SC_MANAGER_ENUMERATE_SERVICE)) == NULL ||
	    (svc = OpenServiceW(scm, wname, SVC_ACCESS)) == NULL)
		fail(res, "open", wname, GetLastError(), 0);
	else if ((rc = query(svc, &st)) != ERROR_SUCCESS)
		fail(res, "open", wname, rc, 0);
	else if (st.dwCurrentState == SERVICE_STOP_PENDING)
		wait_state(svc, SERVICE_STOPPED, &st);    /* and leave it */
	else if (st.dwCurrentState != SERVICE_STOPPED &&
	    (st.dwCurrentState != SERVICE_START_PENDING ||
	    (rc = wait_state(svc, SERVICE_RUNNING, &st)) == ERROR_SUCCESS))
		restart_running(scm, svc, wname, res);
	else if (st.dwCurrentState == SERVICE_START_PENDING)
		fail(res, "wait", wname, rc, exit_code(&st));
	if (svc != NULL)
		CloseServiceHandle(svc);
	if (scm != NULL)
		CloseServiceHandle(scm);
	free(wname);
	return res->error;
}

void
restart_result_free(struct restart_result *res)
{
	free(res->service);
	res->service = NULL;
}

/* --- check ---------------------------------------------------------------- */

/* The key name of a service whose display name is display, or NULL. */
static char *
key_name(SC_HANDLE scm, const wchar_t *display)
{
	wchar_t buf[257];              /* service names: 256 characters */
	DWORD n = sizeof(buf) / sizeof(buf[0]);

	return GetServiceKeyNameW(scm, display, buf, &n) ?
	    utf8_from_wide(buf) : NULL;
}

static int
check_name(SC_HANDLE scm, const char *file, const struct binding *b,
    const struct named *nm, struct cb_error *err)
{
	wchar_t *w = wide_from_utf8(nm->name);
	char why[256], *key;
	SC_HANDLE svc;
	DWORD rc;

	if (w == NULL)
		return cb_error_set(err, file, nm->line, nm->col,
		    "out of memory");
	if ((svc = OpenServiceW(scm, w, SERVICE_QUERY_STATUS)) != NULL) {
		CloseServiceHandle(svc);
		free(w);
		return 0;
	}
	rc = GetLastError();
	key = rc == ERROR_SERVICE_DOES_NOT_EXIST ? key_name(scm, w) : NULL;
	free(w);
	if (key != NULL) {
		cb_error_set(err, file, nm->line, nm->col, "binding %s: "
		    "restart_services: \"%s\" is a display name; the "
		    "service's name is \"%s\"", b->name, nm->name, key);
		free(key);
		return -1;
	}
	if (rc == ERROR_SERVICE_DOES_NOT_EXIST || rc == ERROR_INVALID_NAME)
		return cb_error_set(err, file, nm->line, nm->col,
		    "binding %s: restart_services: no service named \"%s\" "
		    "is installed", b->name, nm->name);
	return cb_error_set(err, file, nm->line, nm->col, "binding %s: "
	    "restart_services: cannot open service \"%s\": %s", b->name,
	    nm->name, win_strerror(rc, why, sizeof(why)));
}

int
restart_check(const char *file, const struct policy *p,
    struct cb_error *err)
{
	SC_HANDLE scm = NULL;
	char why[256];
	size_t i, j;
	int rc = 0;

	for (i = 0; rc == 0 && i < p->nbindings; i++) {
		const struct binding *b = &p->bindings[i];

		for (j = 0; rc == 0 && j < b->nrestart_services; j++) {
			if (scm == NULL && (scm = OpenSCManagerW(NULL, NULL,
			    SC_MANAGER_CONNECT)) == NULL)
				return cb_error_set(err, file,
				    b->restart_services[j].line,
				    b->restart_services[j].col, "cannot open "
				    "the service control manager: %s",
				    win_strerror(GetLastError(), why,
				    sizeof(why)));
			rc = check_name(scm, file, b, &b->restart_services[j],
			    err);
		}
	}
	if (scm != NULL)
		CloseServiceHandle(scm);
	return rc;
}
