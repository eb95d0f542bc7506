/*
 * svcconfig.c - the CertBind service's optional settings
 * (ChangeServiceConfig2W), applied idempotently.
 *
 * `service install`, `service configure` and the service itself at each
 * start call svcconfig_apply: an MSI registers the service with
 * ServiceInstall alone (wixl writes no ServiceConfig or
 * ServiceConfigFailureActions), so the service puts its own settings in
 * place.  Each setting is read first with QueryServiceConfig2W and
 * written only when it differs, then read again: a value that was
 * accepted but reads back otherwise was not stored.
 *
 * Every setting that is not as wanted goes into one warning (event 305),
 * and the service runs without it.  Windows answers every level both
 * ways.  Wine 8 does not: setting SERVICE_CONFIG_DELAYED_AUTO_START_INFO
 * and SERVICE_CONFIG_FAILURE_ACTIONS_FLAG fails with ERROR_INVALID_LEVEL
 * (the warning), and SERVICE_CONFIG_FAILURE_ACTIONS returns TRUE, stores
 * nothing and cannot be read (QueryServiceConfig2W fails for levels 2, 3
 * and 4), so there the failure actions pass as accepted.
 */
#include <windows.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "eventlog.h"
#include "svcconfig.h"
#include "winerr.h"

#define DESCRIPTION L"Keeps the HTTP.sys SSL bindings declared in a policy " \
    L"file on the right certificate from LocalMachine\\My, and rebinds when " \
    L"certificates are renewed."
#define PRESHUTDOWN_MS 30000           /* a rotation in progress finishes */
#define RESET_SECONDS (24 * 60 * 60)   /* failure count back to 0 after */

static SC_ACTION restarts[3] = {
	{ SC_ACTION_RESTART, 60 * 1000 },
	{ SC_ACTION_RESTART, 5 * 60 * 1000 },
	{ SC_ACTION_RESTART, 15 * 60 * 1000 },
};

static SERVICE_DESCRIPTIONW want_desc = { (LPWSTR)DESCRIPTION };
static SERVICE_DELAYED_AUTO_START_INFO want_delayed = { TRUE };
/* NULL reboot message and command: left as they are (and none is set). */
static SERVICE_FAILURE_ACTIONSW want_failure = { RESET_SECONDS, NULL, NULL,
    3, restarts };
static SERVICE_FAILURE_ACTIONS_FLAG want_flag = { TRUE };
static SERVICE_PRESHUTDOWN_INFO want_pre = { PRESHUTDOWN_MS };

static bool
same_desc(const void *have)
{
	const SERVICE_DESCRIPTIONW *d = have;

	return d->lpDescription != NULL &&
	    wcscmp(d->lpDescription, DESCRIPTION) == 0;
}

static bool
same_delayed(const void *have)
{
	return ((const SERVICE_DELAYED_AUTO_START_INFO *)have)->
	    fDelayedAutostart != FALSE;
}

static bool
same_failure(const void *have)
{
	const SERVICE_FAILURE_ACTIONSW *f = have;
	DWORD i;

	if (f->dwResetPeriod != want_failure.dwResetPeriod ||
	    f->cActions != want_failure.cActions || f->lpsaActions == NULL)
		return false;
	for (i = 0; i < f->cActions; i++)
		if (f->lpsaActions[i].Type != restarts[i].Type ||
		    f->lpsaActions[i].Delay != restarts[i].Delay)
			return false;
	return true;
}

static bool
same_flag(const void *have)
{
	return ((const SERVICE_FAILURE_ACTIONS_FLAG *)have)->
	    fFailureActionsOnNonCrashFailures != FALSE;
}

static bool
same_pre(const void *have)
{
	return ((const SERVICE_PRESHUTDOWN_INFO *)have)->
	    dwPreshutdownTimeout == PRESHUTDOWN_MS;
}

static const struct setting {
	DWORD level;
	void *want;
	bool (*same)(const void *have);
	const char *what;
} settings[] = {
	{ SERVICE_CONFIG_DESCRIPTION, &want_desc, same_desc,
	    "the description" },
	{ SERVICE_CONFIG_DELAYED_AUTO_START_INFO, &want_delayed, same_delayed,
	    "delayed automatic start" },
	{ SERVICE_CONFIG_FAILURE_ACTIONS, &want_failure, same_failure,
	    "restart on failure (1, 5, 15 minutes; count reset after a day)" },
	{ SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &want_flag, same_flag,
	    "restart on a non-zero exit" },
	{ SERVICE_CONFIG_PRESHUTDOWN_INFO, &want_pre, same_pre,
	    "the preshutdown timeout (30 s)" },
};

/*
 * The setting as the SCM holds it: 1 it is as wanted, 0 it is not, -1
 * it cannot be read (*err says why).
 */
static int
is_set(SC_HANDLE svc, const struct setting *s, DWORD *err)
{
	BYTE *buf = NULL;
	DWORD need = 0;
	int r;

	/* The first call says how big the value is, strings and all. */
	if (!QueryServiceConfig2W(svc, s->level, NULL, 0, &need) &&
	    GetLastError() != ERROR_INSUFFICIENT_BUFFER) {
		*err = GetLastError();
		return -1;
	}
	if (need == 0 || (buf = calloc(1, need)) == NULL) {
		*err = need == 0 ? ERROR_INVALID_DATA : ERROR_NOT_ENOUGH_MEMORY;
		return -1;
	}
	if (!QueryServiceConfig2W(svc, s->level, buf, need, &need)) {
		*err = GetLastError();
		r = -1;
	} else
		r = s->same(buf) ? 1 : 0;
	free(buf);
	return r;
}

/*
 * Apply one setting if it differs.  0 when it is as wanted; otherwise
 * -1 with why it is not in why.
 */
static int
apply_one(SC_HANDLE svc, const struct setting *s, char *why, size_t len)
{
	DWORD err = 0;
	int before = is_set(svc, s, &err);

	if (before == 1)
		return 0;
	if (!ChangeServiceConfig2W(svc, s->level, s->want)) {
		win_strerror(GetLastError(), why, len);
		return -1;
	}
	/* A setting that cannot be read back was at least accepted. */
	if (before == -1 || is_set(svc, s, &err) == 1)
		return 0;
	snprintf(why, len, "Windows accepted it but did not store it");
	return -1;
}

int
svcconfig_apply(SC_HANDLE svc)
{
	char *msg = NULL, *grown, why[256];
	size_t len = 0, add, i;
	int missed = 0;

	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		if (apply_one(svc, &settings[i], why, sizeof(why)) == 0)
			continue;
		missed++;
		add = strlen(settings[i].what) + strlen(why) + 32;
		if ((grown = realloc(msg, len + add)) == NULL)
			continue;
		msg = grown;
		len += (size_t)snprintf(msg + len, add, "%s%s was not set: %s",
		    len == 0 ? "" : "; ", settings[i].what, why);
	}
	if (missed > 0)
		say(EV_WARNING, EV_SERVICE_SETTING, "certbind: warning: %s; the "
		    "service runs without %s", msg != NULL ? msg :
		    "service settings were not set (out of memory)",
		    missed == 1 ? "it" : "them");
	free(msg);
	return missed;
}
