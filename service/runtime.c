/*
 * runtime.c - the service loop; see runtime.h.
 *
 * It sleeps in one WaitForMultipleObjects on: stop, reload (PARAMCHANGE),
 * one waitable timer, the policy file's folder, and the store watches
 * (watch.c).  There is no polling: after each reconcile the timer is set
 * to the earliest moment something can change by itself
 * (plan_next_event(): a candidate becomes valid, a bound certificate
 * expires, a warning falls due; or a failed binding's retry) or to the
 * resync interval, whichever is sooner (core/schedule.c).  A wake-up that
 * reconciles nothing leaves the timer as it was.
 *
 * Pace: after a store event the loop waits before it reconciles, as
 * core/pace.c decides from the times it keeps (the last store event, the
 * first one not yet served, and how far the reconciles so far are paid
 * for): service.debounce (default 50 ms) after the last event, because a
 * store write signals before the writer has finished (under Wine the
 * watcher wakes ~0.7 ms before the writer's call returns); no sooner than
 * the loop's budget allows, each reconcile paid for by 9 times its cost
 * in idle time with 5 s of credit, so that reconciling never takes more
 * than about a tenth of the time however fast changes come; and never
 * later than 10 s after the first change that waits.  This loop only
 * reads GetTickCount64 and waits: the pace's wait is the timeout of the
 * one WaitForMultipleObjects, so a stop, a reload or a policy change is
 * seen while it runs.  Renewals a second apart are each served ~50 ms
 * after their write; a burst of a thousand writes gives a handful of
 * reconciles.
 *
 * Each wake-up is counted by cause (core/wakeup.h) and published with the
 * process's private bytes (loopstats.c) for `certbind status --json` and
 * the metrics file.  Idle, the loop wakes only for its timer: the metrics
 * file written into the policy's own folder would wake the folder watch
 * after every reconcile, so the notifications of that write are taken
 * while the loop is still awake (absorb_own_write).
 *
 * A policy that fails to load is reported (Event 300, FILE:LINE:COL) and
 * the last good policy keeps running; nothing is unbound.
 *
 * The folder watch dies with its folder.  At each wake-up (the folder,
 * the stores, the timer) the loop checks that the policy's path still
 * leads to the folder watched; when it does not (deleted, replaced, renamed
 * away) it says so (event 228), drops the watch and looks for the folder
 * again on a second timer, 1 s and doubling to 60 s (core/schedule.c),
 * until it is back; then it watches it and reads the policy again (event
 * 11).  Meanwhile the last good policy keeps running.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/pace.h"
#include "../core/policy.h"
#include "../core/schedule.h"
#include "../core/wakeup.h"
#include "apply.h"
#include "eventlog.h"
#include "longpath.h"
#include "loopstats.h"
#include "metrics.h"
#include "out.h"
#include "policyfile.h"
#include "runtime.h"
#include "watch.h"
#include "winerr.h"
#include "wstr.h"

struct loop {
	const char *path;
	wchar_t *wpath;
	const struct runtime_io *io;
	struct policy policy;
	bool have_policy;
	FILETIME stamp;                /* last write of the file last read */
	uint64_t size;
	bool webhosting;               /* the watch covers WebHosting */
	struct watch watch;
	HANDLE timer;
	HANDLE retry;                  /* looking for a lost policy folder */
	unsigned folder_tries;         /* looks since it was lost */
	struct runstate rs;
	int64_t next;                  /* the plan's next event, UTC seconds */
	struct pace pace;              /* store events and reconciles, in
	                                  GetTickCount64() ms */
	bool waiting;                  /* a store event waits for a reconcile */
	bool policy_unseen;            /* the folder changed while certbind
	                                  wrote its metrics there */
};

/* The file's last-write time and size; false when it cannot be read. */
static bool
file_stamp(const wchar_t *path, FILETIME *t, uint64_t *size)
{
	WIN32_FILE_ATTRIBUTE_DATA a;

	if (!GetFileAttributesExW(path, GetFileExInfoStandard, &a))
		return false;
	*t = a.ftLastWriteTime;
	*size = ((uint64_t)a.nFileSizeHigh << 32) | a.nFileSizeLow;
	return true;
}

/*
 * Read the policy when it changed on disk (or always, with force).
 * 1 a new policy is in force; 0 nothing changed; -1 it is invalid and the
 * previous one, if any, stays.
 */
static int
load_policy(struct loop *l, bool force)
{
	struct policy p;
	struct cb_error err;
	char text[1024];
	FILETIME t = { 0, 0 };
	uint64_t size = 0;
	bool seen = file_stamp(l->wpath, &t, &size);
	int rc;

	if (!force && seen && l->size == size &&
	    CompareFileTime(&t, &l->stamp) == 0)
		return 0;
	rc = policyfile_load(l->path, &p, &err);
	/*
	 * A policy refused for its permissions is read again at the next
	 * wake-up although its content is the same: fixing only the ACL
	 * (which changes neither stamp nor size) must let it load.
	 */
	if (rc != POLICYFILE_INSECURE) {
		l->stamp = t;
		l->size = size;
	} else
		memset(&l->stamp, 0, sizeof(l->stamp));
	if (rc != 0) {
		say(EV_ERROR, rc == POLICYFILE_INSECURE ? EV_POLICY_INSECURE :
		    EV_POLICY_INVALID, "%s%s",
		    cb_error_format(&err, text, sizeof(text)), l->have_policy ?
		    " (the policy loaded before stays in force)" : "");
		return -1;
	}
	if (l->have_policy)
		policy_free(&l->policy);
	l->policy = p;
	l->have_policy = true;
	if (p.service.log == LOG_STDERR)
		evlog_echo(true);
	say(EV_INFO, EV_POLICY_LOADED, "%s: policy loaded, %u binding%s",
	    l->path, (unsigned)p.nbindings, p.nbindings == 1 ? "" : "s");
	return 1;
}

static int
open_watch(struct loop *l)
{
	char why[256];
	DWORD rc;

	l->webhosting = l->have_policy && policy_uses_store(&l->policy, STORE_WEBHOSTING);
	rc = watch_open(&l->watch, l->webhosting, l->wpath);
	if (rc != 0) {
		say(EV_ERROR, EV_STORE_FAILED, "cannot watch the certificate "
		    "stores and %s: %s", l->path, win_strerror(rc, why,
		    sizeof(why)));
		return -1;
	}
	return 0;
}

static void absorb_own_write(struct loop *l);

static void
write_metrics(struct loop *l)
{
	char why[1024];
	unsigned long rc;

	if (l->policy.service.metrics_file == NULL)
		return;
	l->rs.loop.private_bytes = loopstats_private_bytes();
	/* What the reconcile printed goes out first: when stdout or stderr
	 * is a file in the policy's folder, its write is then absorbed with
	 * the metrics file's, instead of waking the loop once more. */
	out_flush();
	rc = metrics_write(l->policy.service.metrics_file, &l->rs, why,
	    sizeof(why));
	if (rc != 0)
		say(EV_WARNING, rc == METRICS_NOT_OURS ? EV_METRICS_FOREIGN :
		    EV_METRICS_FAILED, "%s", why);
	else
		absorb_own_write(l);
}

/* Sleep until the next event of the plan, or the resync, if sooner. */
static void
set_timer(struct loop *l)
{
	int64_t resync = l->have_policy ? l->policy.service.resync_ms :
	    DEFAULT_RESYNC_MS;
	LARGE_INTEGER due;

	due.QuadPart = -schedule_timer_ms(l->next, (int64_t)time(NULL),
	    resync) * 10000;           /* relative, in 100 ns */
	SetWaitableTimer(l->timer, &due, 0, NULL, NULL, FALSE);
}

/* Bring HTTP.sys in line; it serves every store event seen so far. */
static void
reconcile(struct loop *l)
{
	ULONGLONG start = GetTickCount64(), end;

	l->waiting = false;
	if (!l->have_policy) {
		set_timer(l);
		return;
	}
	apply_once(&l->policy, &l->rs, &l->next);
	end = GetTickCount64();
	pace_note_reconcile(&l->pace, start, end);
	set_timer(l);
	write_metrics(l);
}

static void
retry_folder_later(struct loop *l)
{
	LARGE_INTEGER due;

	due.QuadPart = -(LONGLONG)schedule_folder_retry_ms(l->folder_tries++) *
	    10000;
	SetWaitableTimer(l->retry, &due, 0, NULL, NULL, FALSE);
}

/* The policy's folder is gone or another one: stop watching it. */
static void
folder_lost(struct loop *l)
{
	watch_folder_drop(&l->watch);
	l->folder_tries = 0;
	say(EV_WARNING, EV_WATCH_LOST, "the folder of %s was deleted, "
	    "replaced or renamed: changes to the policy are not seen until it "
	    "is back; certbind looks for it again, every %u s at first and "
	    "every %u s at most (the policy loaded before stays in force)",
	    l->path, FOLDER_RETRY_FIRST_MS / 1000, FOLDER_RETRY_MAX_MS / 1000);
	retry_folder_later(l);
}

/* The folder watch fired, or it is time to look: is it still the one? */
static bool
folder_still_there(struct loop *l)
{
	if (l->watch.folder == NULL)
		return false;
	if (watch_folder_same(&l->watch, l->wpath))
		return true;
	folder_lost(l);
	return false;
}

static void policy_changed(struct loop *l);

/* Look for a lost policy folder; once it is back, read the policy. */
static void
folder_retry(struct loop *l)
{
	if (l->watch.folder != NULL)
		return;
	if (watch_folder_open(&l->watch, l->wpath) != 0) {
		retry_folder_later(l);
		return;
	}
	say(EV_INFO, EV_WATCH_RESTORED, "the folder of %s is back and watched "
	    "again; the policy is read again", l->path);
	if (load_policy(l, true) > 0)
		policy_changed(l);
}

/* A new policy: watch the stores it uses, then bring HTTP.sys in line. */
static void
policy_changed(struct loop *l)
{
	if (policy_uses_store(&l->policy, STORE_WEBHOSTING) != l->webhosting) {
		watch_close(&l->watch);
		if (open_watch(l) != 0)
			return;
	}
	reconcile(l);
}

/* Publish the loop's counts for `certbind status`. */
static void
publish(struct loop *l)
{
	l->rs.loop.private_bytes = loopstats_private_bytes();
	loopstats_publish(&l->rs.loop, l->rs.command);
}

/* Count a wake-up; the counts changed, so publish them. */
static void
woke(struct loop *l, enum wake_cause c)
{
	l->rs.loop.wakeups[c]++;
	publish(l);
}

/* A store changed: note when, and wait as the pace says. */
static void
store_event(struct loop *l, size_t i)
{
	watch_rearm(&l->watch, i);
	pace_note_event(&l->pace, GetTickCount64(), l->waiting);
	l->waiting = true;
}

/* The next wait's timeout: INFINITE, or until a store event's reconcile. */
static DWORD
wait_ms(struct loop *l)
{
	uint64_t ms;

	if (!l->waiting)
		return INFINITE;
	l->pace.debounce = (uint64_t)(l->have_policy ?
	    l->policy.service.debounce_ms : DEFAULT_DEBOUNCE_MS);
	l->pace.now = GetTickCount64();
	ms = pace_wait(&l->pace);
	return ms >= INFINITE ? INFINITE - 1 : (DWORD)ms;
}

/*
 * The metrics file was just written.  When it is in the policy's folder
 * the folder watch reports that write; take its notifications now, while
 * the loop is awake anyway, so that the write does not wake the loop
 * once more.  On Windows they are there when the write returns; Wine
 * delivers them a little later, hence the short waits
 * (schedule_own_write_ms).  A policy change among them is not lost: the
 * loop looks at the policy file before it waits again.
 */
static void
absorb_own_write(struct loop *l)
{
	wchar_t *path;
	DWORD err = 0;
	unsigned seen;
	bool here;

	if (l->watch.folder == NULL ||
	    (path = longpath_from_utf8(l->policy.service.metrics_file, &err)) ==
	    NULL)
		return;
	here = watch_folder_same(&l->watch, path);
	free(path);
	for (seen = 0; here && seen < OWN_WRITE_MAX_SIGNALS; seen++) {
		if (WaitForSingleObject(l->watch.folder,
		    schedule_own_write_ms(seen)) != WAIT_OBJECT_0)
			break;
		if (!watch_rearm(&l->watch, l->watch.folder_at)) {
			folder_lost(l);
			break;
		}
		l->policy_unseen = true;
	}
}

/* A wake-up of the policy's folder, or a write of certbind's own there. */
static void
folder_changed(struct loop *l)
{
	l->policy_unseen = false;
	if (!folder_still_there(l))
		return;
	if (load_policy(l, false) > 0)
		policy_changed(l);
}

/* 0 when stopped as asked; 1 when it can no longer wait (the SCM then
 * sees a failure and its recovery actions restart the service). */
static int
run_loop(struct loop *l)
{
	HANDLE h[WATCH_MAX + 4];
	size_t n, i;

	for (;;) {
		DWORD r;
		bool rearmed;

		if (l->policy_unseen)
			folder_changed(l);
		n = 0;
		h[n++] = l->io->stop;
		h[n++] = l->io->reload;
		h[n++] = l->timer;
		h[n++] = l->retry;
		for (i = 0; i < l->watch.n; i++)
			h[n++] = l->watch.events[i];
		out_flush();
		r = WaitForMultipleObjects((DWORD)n, h, FALSE, wait_ms(l));
		if (r == WAIT_FAILED) {
			char why[256];

			say(EV_ERROR, EV_INTERNAL, "certbind cannot wait for "
			    "changes any more: %s; it stops", win_strerror(
			    GetLastError(), why, sizeof(why)));
			return 1;
		}
		if (r == WAIT_TIMEOUT) {
			woke(l, WAKE_PACE);
			reconcile(l);
			continue;
		}
		if (r == WAIT_OBJECT_0) {
			woke(l, WAKE_STOP);
			return 0;
		}
		if (r == WAIT_OBJECT_0 + 1) {
			woke(l, WAKE_RELOAD);
			if (load_policy(l, true) > 0)
				policy_changed(l);
			continue;
		}
		/* Any wake-up: is the folder watched still the policy's? */
		if (l->watch.folder != NULL)
			folder_still_there(l);
		if (r == WAIT_OBJECT_0 + 2) {
			woke(l, WAKE_TIMER);
			reconcile(l);
			continue;
		}
		if (r == WAIT_OBJECT_0 + 3) {
			woke(l, WAKE_RETRY);
			folder_retry(l);
			continue;
		}
		i = r - WAIT_OBJECT_0 - 4;
		if (i >= l->watch.n)
			continue;
		if (i == l->watch.folder_at) {
			woke(l, WAKE_FOLDER);
			rearmed = watch_rearm(&l->watch, i);
			if (!rearmed && l->watch.folder != NULL)
				folder_lost(l);
			folder_changed(l);
			continue;
		}
		woke(l, WAKE_STORE);
		store_event(l, i);
	}
}

/* The policy's path as the file APIs take it whole, or NULL (said). */
static wchar_t *
whole_path(const char *path)
{
	wchar_t *given = wide_from_utf8(path), *whole;
	char why[256];
	DWORD err = ERROR_NO_UNICODE_TRANSLATION;

	whole = given != NULL ? longpath_whole(given, &err) : NULL;
	free(given);
	if (whole == NULL)
		say(EV_ERROR, EV_POLICY_INVALID, "%s: %s", path,
		    win_strerror(err, why, sizeof(why)));
	return whole;
}

int
runtime_loop(const char *path, const struct runtime_io *io)
{
	struct loop l;
	int rc = 1;

	memset(&l, 0, sizeof(l));
	l.path = path;
	l.io = io;
	l.next = INT64_MAX;
	/* A reconcile stops between bindings when asked to. */
	l.rs.stop = io->stop;
	l.rs.command = io->service ? "service" : "run";
	l.rs.lock_timeout_ms = io->lock_timeout_ms;
	policyfile_service_mode(io->service);
	evlog_open();
	if ((l.wpath = whole_path(path)) == NULL)
		goto done;
	if (load_policy(&l, true) < 0 && !io->service)
		goto done;
	if ((l.timer = CreateWaitableTimerW(NULL, FALSE, NULL)) == NULL ||
	    (l.retry = CreateWaitableTimerW(NULL, FALSE, NULL)) == NULL ||
	    open_watch(&l) != 0)
		goto done;
	say(EV_INFO, EV_STARTED, "certbind is watching LocalMachine\\My%s and "
	    "%s", l.webhosting ? " and \\WebHosting" : "", path);
	if (io->running != NULL)
		io->running(io->arg);
	reconcile(&l);
	publish(&l);
	rc = run_loop(&l);
	loopstats_clear();
	say(EV_INFO, EV_STOPPED, "certbind stopped after %llu reconcile%s",
	    (unsigned long long)l.rs.reconciles, l.rs.reconciles == 1 ? "" :
	    "s");
done:
	watch_close(&l.watch);
	if (l.timer != NULL)
		CloseHandle(l.timer);
	if (l.retry != NULL)
		CloseHandle(l.retry);
	if (l.have_policy)
		policy_free(&l.policy);
	runstate_free(&l.rs);
	free(l.wpath);
	evlog_close();
	return rc;
}
