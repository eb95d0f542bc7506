/*
 * metrics.c - write service.metrics_file; see metrics.h.
 *
 * The file is Prometheus' text exposition format:
 *   # certbind metrics file                                first line, always
 *   certbind_certificate_not_after_seconds{binding="api"}  NotAfter, UTC
 *   certbind_binding_as_planned{binding="api"}             1 or 0
 *   certbind_binding_target{binding="api",target="httpsys"} 1, which
 *                                             consumer the binding keeps
 *   certbind_verify_failures_total{binding="api"}          checks failed
 *   certbind_binding_served{binding="api"}                 1 or 0, when known
 *   certbind_reconciles_total, certbind_rebinds_total, certbind_errors_total
 *   certbind_loop_wakeups_total{cause="timer"}             one per cause
 *   certbind_private_bytes                                 the service's
 * Binding names are [A-Za-z0-9._-]+, so labels need no escaping.
 *
 * A LocalSystem service that replaces whatever file a policy names could
 * be made to destroy any file on the machine; certbind replaces only a
 * file whose first line it wrote (METRICS_MARKER, or the first line of
 * the files certbind wrote before the marker existed).
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/textbuf.h"
#include "longpath.h"
#include "metrics.h"
#include "winerr.h"

#define METRICS_MARKER "# certbind metrics file"
#define OLD_FIRST_LINE "# HELP certbind_certificate_not_after_seconds "

/* The loop's wake-ups by cause, and its private bytes. */
static void
write_loop(struct textbuf *f, const struct loop_stats *s)
{
	unsigned i;

	textbuf_printf(f, "# HELP certbind_loop_wakeups_total Wake-ups of the service "
	    "loop, by cause.\n"
	    "# TYPE certbind_loop_wakeups_total counter\n");
	for (i = 0; i < WAKE_NCAUSES; i++)
		textbuf_printf(f, "certbind_loop_wakeups_total{cause=\"%s\"} %llu\n",
		    wake_cause_name((enum wake_cause)i),
		    (unsigned long long)s->wakeups[i]);
	textbuf_printf(f, "# HELP certbind_private_bytes Private bytes of the "
	    "service's process.\n"
	    "# TYPE certbind_private_bytes gauge\n"
	    "certbind_private_bytes %llu\n",
	    (unsigned long long)s->private_bytes);
}

/*
 * What the checks after a change said (core/verify.h): the failures, and
 * whether the endpoint served the record's certificate at the last check
 * that could tell (none before such a check).
 */
static void
write_verify(struct textbuf *f, const struct runstate *rs)
{
	size_t i;

	textbuf_printf(f, "# HELP certbind_verify_failures_total Checks after "
	    "a change that found the endpoint not serving the new "
	    "certificate (the change was undone).\n"
	    "# TYPE certbind_verify_failures_total counter\n");
	for (i = 0; i < rs->n; i++)
		textbuf_printf(f,
		    "certbind_verify_failures_total{binding=\"%s\"} %llu\n",
		    rs->bindings[i].name,
		    (unsigned long long)rs->bindings[i].verify_failures);
	textbuf_printf(f, "# HELP certbind_binding_served 1 when the endpoint "
	    "served the record's certificate at the last check.\n"
	    "# TYPE certbind_binding_served gauge\n");
	for (i = 0; i < rs->n; i++)
		if (rs->bindings[i].served >= 0)
			textbuf_printf(f,
			    "certbind_binding_served{binding=\"%s\"} %d\n",
			    rs->bindings[i].name, rs->bindings[i].served);
}

/* The whole file, built in memory to be written with one WriteFile. */
static void
write_all(struct textbuf *f, const struct runstate *rs)
{
	size_t i;

	textbuf_printf(f, METRICS_MARKER "\n");
	textbuf_printf(f, "# HELP certbind_certificate_not_after_seconds "
	    "NotAfter of the certificate a binding holds, in seconds since "
	    "1970.\n"
	    "# TYPE certbind_certificate_not_after_seconds gauge\n");
	for (i = 0; i < rs->n; i++)
		if (rs->bindings[i].not_after != 0)
			textbuf_printf(f,
			    "certbind_certificate_not_after_seconds"
			    "{binding=\"%s\"} %lld\n", rs->bindings[i].name,
			    (long long)rs->bindings[i].not_after);
	textbuf_printf(f, "# HELP certbind_binding_as_planned 1 when the "
	    "binding holds the certificate and options the policy selects.\n"
	    "# TYPE certbind_binding_as_planned gauge\n");
	for (i = 0; i < rs->n; i++)
		textbuf_printf(f,
		    "certbind_binding_as_planned{binding=\"%s\"} %d\n",
		    rs->bindings[i].name, rs->bindings[i].as_planned ? 1 : 0);
	/* An info metric, so that the other series keep their labels. */
	textbuf_printf(f, "# HELP certbind_binding_target The certificate "
	    "consumer a binding keeps: httpsys, rdp or sqlserver.\n"
	    "# TYPE certbind_binding_target gauge\n");
	for (i = 0; i < rs->n; i++)
		textbuf_printf(f,
		    "certbind_binding_target{binding=\"%s\",target=\"%s\"} 1\n",
		    rs->bindings[i].name, target_kind_name(rs->bindings[i].target));
	textbuf_printf(f, "# HELP certbind_reconciles_total Reconciles run.\n"
	    "# TYPE certbind_reconciles_total counter\n"
	    "certbind_reconciles_total %llu\n"
	    "# HELP certbind_rebinds_total Records created or updated.\n"
	    "# TYPE certbind_rebinds_total counter\n"
	    "certbind_rebinds_total %llu\n"
	    "# HELP certbind_errors_total Reconciles in which something "
	    "failed.\n"
	    "# TYPE certbind_errors_total counter\n"
	    "certbind_errors_total %llu\n",
	    (unsigned long long)rs->reconciles,
	    (unsigned long long)rs->rebinds, (unsigned long long)rs->errors);
	write_verify(f, rs);
	write_loop(f, &rs->loop);
}

static bool
starts_line(const char *buf, const char *line)
{
	size_t n = strlen(line);

	return strncmp(buf, line, n) == 0 && (buf[n] == '\n' ||
	    buf[n] == '\r' || line[n - 1] == ' ');
}

/*
 * What is at path: 0 nothing; 1 a file certbind wrote; -1 anything else
 * (another file, a folder, a link, or something that cannot be read).
 */
static int
whose(const wchar_t *path)
{
	DWORD attr = GetFileAttributesW(path), n = 0;
	char buf[128];
	HANDLE h;
	BOOL read;

	if (attr == INVALID_FILE_ATTRIBUTES)
		return GetLastError() == ERROR_FILE_NOT_FOUND ||
		    GetLastError() == ERROR_PATH_NOT_FOUND ? 0 : -1;
	if (attr & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT))
		return -1;
	h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE |
	    FILE_SHARE_DELETE, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE)
		return -1;
	read = ReadFile(h, buf, sizeof(buf) - 1, &n, NULL);
	CloseHandle(h);
	if (!read)
		return -1;
	buf[n] = '\0';
	return starts_line(buf, METRICS_MARKER) ||
	    starts_line(buf, OLD_FIRST_LINE) ? 1 : -1;
}

/* Write the metrics to tmp, a file that is not there or is ours. */
static DWORD
write_tmp(const wchar_t *tmp, bool replace, const struct runstate *rs)
{
	struct textbuf t = { 0 };
	HANDLE h;
	DWORD rc = 0, done;

	write_all(&t, rs);
	if (t.failed || t.len > MAXDWORD) {
		textbuf_free(&t);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	h = CreateFileW(tmp, GENERIC_WRITE, 0, NULL, replace ? CREATE_ALWAYS :
	    CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE)
		rc = GetLastError();
	else {
		/* A file on a local or SMB disk takes the whole write or
		 * fails; a short one is an error, not a retry. */
		if (!WriteFile(h, t.s, (DWORD)t.len, &done, NULL))
			rc = GetLastError();
		else if (done != t.len)
			rc = ERROR_WRITE_FAULT;
		if (!CloseHandle(h) && rc == 0)
			rc = GetLastError();
	}
	textbuf_free(&t);
	return rc;
}

unsigned long
metrics_write(const char *path, const struct runstate *rs, char *why,
    size_t len)
{
	wchar_t *wpath, *wtmp = NULL;
	DWORD rc = 0;
	int tmp_is, target_is;
	char text[256];

	if ((wpath = longpath_from_utf8(path, &rc)) == NULL ||
	    (wtmp = longpath_append(wpath, L".tmp")) == NULL) {
		rc = rc ? rc : ERROR_NOT_ENOUGH_MEMORY;
		snprintf(why, len, "cannot write %s: %s", path,
		    win_strerror(rc, text, sizeof(text)));
		goto done;
	}
	tmp_is = whose(wtmp);
	target_is = whose(wpath);
	if (tmp_is < 0 || target_is < 0) {
		rc = METRICS_NOT_OURS;
		snprintf(why, len, "%s was not written: %s%s is not a file "
		    "certbind wrote (its first line is not \"" METRICS_MARKER
		    "\"), and certbind replaces no other file", path, path,
		    tmp_is < 0 ? ".tmp" : "");
		goto done;
	}
	rc = write_tmp(wtmp, tmp_is > 0, rs);
	/* path.tmp appeared since whose() looked: not ours either. */
	if (rc == ERROR_FILE_EXISTS && tmp_is == 0) {
		rc = METRICS_NOT_OURS;
		snprintf(why, len, "%s was not written: %s.tmp appeared while "
		    "certbind was writing it, and certbind replaces no other "
		    "file", path, path);
		goto done;
	}
	if (rc == 0 && !MoveFileExW(wtmp, wpath, MOVEFILE_REPLACE_EXISTING |
	    MOVEFILE_WRITE_THROUGH))
		rc = GetLastError();
	if (rc != 0)
		snprintf(why, len, "cannot write %s: %s", path,
		    win_strerror(rc, text, sizeof(text)));
done:
	free(wtmp);
	free(wpath);
	return rc;
}
