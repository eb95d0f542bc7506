/*
 * restarts.c - the service restarts a certificate change asks for; see
 * restarts.h.
 *
 * The list is one key, HKLM\SOFTWARE\CertBind\PendingRestarts: a value
 * per service, named after it, whose data (REG_SZ) is the binding whose
 * change asked for the restart.  A service asked for twice before its
 * restart is restarted once, in the window of the binding that asked
 * last.  A restart is taken off the list once it was tried, whatever came
 * of it: a service that does not come back is reported (event 330), and
 * restarting it again and again would not bring it back.
 *
 * Whether a restart may run now is decided in core/pending.c from the
 * local time of day (GetLocalTime); the service sleeps until then on its
 * timer (the loop's next wake-up), and asks again when it wakes.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eventlog.h"
#include "regtarget.h"
#include "regval.h"
#include "restarts.h"
#include "svcrestart.h"
#include "winerr.h"
#include "wstr.h"
#include "../core/schedule.h"
#include "../core/window.h"

#define PENDING_KEY L"SOFTWARE\\CertBind\\PendingRestarts"
#define PENDING_TEXT "HKLM\\SOFTWARE\\CertBind\\PendingRestarts"

/* The local time of day in milliseconds, for the window. */
static int64_t
local_tod_ms(void)
{
	SYSTEMTIME t;

	GetLocalTime(&t);
	return (((int64_t)t.wHour * 60 + t.wMinute) * 60 + t.wSecond) * 1000 +
	    t.wMilliseconds;
}

/* --- the list in the registry ------------------------------------------- */

static uint32_t
pending_store(const char *service, const char *binding)
{
	wchar_t *name = wide_from_utf8(service), *data = wide_from_utf8(binding);
	HKEY key;
	LONG rc = ERROR_NOT_ENOUGH_MEMORY;

	if (name != NULL && data != NULL &&
	    (rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, PENDING_KEY, 0, NULL, 0,
	    KEY_SET_VALUE | KEY_QUERY_VALUE, NULL, &key, NULL)) ==
	    ERROR_SUCCESS) {
		rc = RegSetValueExW(key, name, 0, REG_SZ, (const BYTE *)data,
		    (DWORD)((wcslen(data) + 1) * sizeof(wchar_t)));
		if (rc == ERROR_SUCCESS)
			rc = RegFlushKey(key);   /* it must outlive a crash */
		RegCloseKey(key);
	}
	free(name);
	free(data);
	return (uint32_t)rc;
}

static void
pending_drop(const char *service)
{
	wchar_t *name = wide_from_utf8(service);
	HKEY key;

	if (name != NULL && RegOpenKeyExW(HKEY_LOCAL_MACHINE, PENDING_KEY, 0,
	    KEY_SET_VALUE, &key) == ERROR_SUCCESS) {
		RegDeleteValueW(key, name);
		RegCloseKey(key);
	}
	free(name);
}

/* Value i of the open key as (service, binding); 0, or why it is not. */
static LONG
pending_value(HKEY key, DWORD i, wchar_t *name, DWORD name_cap, BYTE *data,
    DWORD data_cap, struct pending_list *out)
{
	DWORD nlen = name_cap, dlen = data_cap, type = REG_NONE;
	wchar_t *binding = NULL;
	char *service = NULL, *b = NULL;
	LONG rc;

	rc = RegEnumValueW(key, i, name, &nlen, NULL, &type, data, &dlen);
	if (rc != ERROR_SUCCESS)
		return rc;
	if (type != REG_SZ || wcslen(name) != nlen || nlen == 0)
		return ERROR_INVALID_DATA;
	if ((rc = regval_sz(data, dlen, &binding)) != ERROR_SUCCESS)
		return rc;
	if ((service = utf8_from_wide(name)) == NULL ||
	    (b = utf8_from_wide(binding)) == NULL ||
	    pending_add(out, service, b) != 0)
		rc = ERROR_NOT_ENOUGH_MEMORY;
	free(service);
	free(b);
	free(binding);
	return rc;
}

/* Every value of the key; those certbind did not write are reported. */
static uint32_t
pending_read(struct pending_list *out)
{
	DWORD count = 0, name_max = 0, data_max = 0, i;
	wchar_t *name = NULL;
	BYTE *data = NULL;
	HKEY key;
	LONG rc;

	memset(out, 0, sizeof(*out));
	rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, PENDING_KEY, 0, KEY_QUERY_VALUE,
	    &key);
	if (rc == ERROR_FILE_NOT_FOUND)
		return ERROR_SUCCESS;
	if (rc != ERROR_SUCCESS)
		return (uint32_t)rc;
	rc = RegQueryInfoKeyW(key, NULL, NULL, NULL, NULL, NULL, NULL, &count,
	    &name_max, &data_max, NULL, NULL);
	if (rc == ERROR_SUCCESS && ((name = malloc((name_max + 1) *
	    sizeof(wchar_t))) == NULL || (data = malloc(data_max + 1)) == NULL))
		rc = ERROR_NOT_ENOUGH_MEMORY;
	for (i = 0; rc == ERROR_SUCCESS && i < count; i++) {
		LONG vrc = pending_value(key, i, name, name_max + 1, data,
		    data_max, out);

		if (vrc == ERROR_NOT_ENOUGH_MEMORY || vrc == ERROR_NO_MORE_ITEMS)
			rc = vrc == ERROR_NO_MORE_ITEMS ? ERROR_SUCCESS : vrc;
		else if (vrc != ERROR_SUCCESS)
			say(EV_WARNING, EV_PENDING_UNREADABLE, "value %lu under %s "
			    "is not a restart certbind recorded; it was left in "
			    "place and not used", (unsigned long)i, PENDING_TEXT);
	}
	RegCloseKey(key);
	free(name);
	free(data);
	if (rc != ERROR_SUCCESS)
		pending_free(out);
	return (uint32_t)rc;
}

uint32_t
restarts_pending(const struct policy *p, struct pending_list *out)
{
	uint32_t rc = pending_read(out);

	if (rc == ERROR_SUCCESS)
		pending_resolve(out, p, (int64_t)time(NULL), local_tod_ms());
	return rc;
}

/* --- recording ---------------------------------------------------------- */

/* Record one; say when it waits for the window. */
static int
record(const struct binding *b, const char *service, int64_t now,
    int64_t tod)
{
	int64_t due = pending_due(b->has_restart_window ? &b->restart_window :
	    NULL, now, tod);
	char why[256], win[16], t[21];
	uint32_t rc = pending_store(service, b->name);

	if (rc != ERROR_SUCCESS) {
		say(EV_ERROR, EV_PENDING_FAILED, "%s: the restart of service %s "
		    "could not be recorded under %s, and it was not done: %s",
		    b->name, service, PENDING_TEXT,
		    win_strerror(rc, why, sizeof(why)));
		return -1;
	}
	if (due > now)
		say(EV_INFO, EV_RESTART_PENDING, "%s: the restart of service %s "
		    "waits for the restart window %s (local time), at %s",
		    b->name, service, window_text(&b->restart_window, win,
		    sizeof(win)), utc_time(due, t));
	return 0;
}

/* A sqlserver binding's instance service, malloc'd, or NULL (reported). */
static char *
instance_service(const struct binding *b)
{
	struct sql_instance in;
	char why[256], *service;
	uint32_t rc = sql_find(b->instance, &in);

	if (rc != ERROR_SUCCESS) {
		say(EV_ERROR, EV_RESTART_FAILED, "%s: the SQL Server instance "
		    "%s could not be read, so its service was not restarted: %s",
		    b->name, b->instance ? b->instance : "MSSQLSERVER",
		    win_strerror(rc, why, sizeof(why)));
		return NULL;
	}
	service = in.service;
	in.service = NULL;
	sql_instance_free(&in);
	return service;
}

int
restarts_after_change(const struct binding *b)
{
	int64_t now = (int64_t)time(NULL), tod = local_tod_ms();
	int failed = 0;
	size_t i;

	for (i = 0; i < b->nrestart_services; i++)
		failed |= record(b, b->restart_services[i].name, now, tod);
	if (b->target == TARGET_SQLSERVER) {
		char *service = instance_service(b);

		failed |= service == NULL ? -1 : record(b, service, now, tod);
		free(service);
	}
	return failed ? -1 : 0;
}

/* --- running ------------------------------------------------------------ */

/* "stopping W3SVC": what failed, for the event. */
static const char *
step_text(const struct restart_result *res, const char *service, char *buf,
    size_t len)
{
	const char *step = res->step != NULL ? res->step : "";
	const char *who = res->service != NULL ? res->service : service;

	if (strcmp(step, "open") == 0)
		snprintf(buf, len, "opening service %s", who);
	else if (strcmp(step, "stop") == 0)
		snprintf(buf, len, "stopping %s", who);
	else if (strcmp(step, "start") == 0)
		snprintf(buf, len, "starting %s", who);
	else
		snprintf(buf, len, "waiting for %s to run", who);
	return buf;
}

static int
run_one(const struct pending_restart *r)
{
	struct restart_result res;
	char why[256], what[320];
	int failed = 0;

	if (service_restart(r->service, &res) != 0) {
		say(EV_ERROR, EV_RESTART_FAILED, "%s: service %s did not come "
		    "back after its certificate changed: %s failed: %s; exit "
		    "code %lu.  The binding keeps its new certificate",
		    r->binding, r->service, step_text(&res, r->service, what,
		    sizeof(what)), win_strerror(res.error, why, sizeof(why)),
		    (unsigned long)res.exit_code);
		failed = -1;
	} else if (res.left_stopped)
		say(EV_INFO, EV_RESTART_NOT_RUNNING, "%s: service %s is not "
		    "running; it was left stopped, and reads the new "
		    "certificate when it starts", r->binding, r->service);
	else
		say(EV_INFO, EV_SERVICE_RESTARTED, "%s: service %s was restarted "
		    "after its certificate changed", r->binding, r->service);
	restart_result_free(&res);
	pending_drop(r->service);
	return failed;
}

int
restarts_run_due(const struct policy *p, int64_t *next)
{
	struct pending_list l;
	int64_t now = (int64_t)time(NULL);
	char why[256];
	int failed = 0;
	size_t i;
	uint32_t rc;

	if ((rc = restarts_pending(p, &l)) != ERROR_SUCCESS) {
		say(EV_ERROR, EV_PENDING_FAILED, "the pending service restarts "
		    "under %s could not be read: %s", PENDING_TEXT,
		    win_strerror(rc, why, sizeof(why)));
		return -1;
	}
	for (i = 0; i < l.n; i++) {
		if (l.v[i].due <= now)
			failed |= run_one(&l.v[i]);
		else if (next != NULL)
			*next = schedule_sooner(*next, l.v[i].due);
	}
	pending_free(&l);
	return failed ? -1 : 0;
}
