/*
 * init.c - `certbind init`; see init.h.
 *
 * The file is written as FILE.certbind-init.tmp (created new, so that
 * nothing there is overwritten), flushed, and renamed over FILE with
 * MoveFileExW: a reader sees the old file or the whole new one, never
 * half of it.  Without --force the rename does not replace, so a file
 * that appears meanwhile is not lost either.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/initpolicy.h"
#include "httpsys.h"
#include "init.h"
#include "longpath.h"
#include "out.h"
#include "store.h"
#include "winerr.h"
#include "wstr.h"

static void
warn_store(const char *message)
{
	out_printf(OUT_STDERR, "certbind init: %s\n", message);
}

/* Every record, and the certificates of My and WebHosting.  0, or -1. */
static int
read_server(struct ssl_record **recs, size_t *n, struct broken_record **bad,
    size_t *nbad, struct inventory *inv)
{
	struct policy none;            /* examine no key and no chain */
	struct store_certs kept = { 0 };
	char text[512];
	uint32_t rc;

	memset(&none, 0, sizeof(none));
	if ((rc = httpsys_open()) == NO_ERROR) {
		rc = httpsys_list(recs, n, bad, nbad);
		httpsys_close();
	}
	if (rc != NO_ERROR) {
		out_printf(OUT_STDERR, "certbind init: cannot list the HTTP.sys "
		    "SSL records: %s\n", win_strerror(rc, text, sizeof(text)));
		return -1;
	}
	/* No key is asked for, so the contexts are not kept past the load. */
	if (store_load(STORE_MY, inv, &kept, &none, warn_store, text,
	    sizeof(text)) != 0 || store_load(STORE_WEBHOSTING, inv, &kept,
	    &none, warn_store, text, sizeof(text)) != 0) {
		store_certs_free(&kept);
		out_printf(OUT_STDERR, "certbind init: %s\n", text);
		return -1;
	}
	store_certs_free(&kept);
	return 0;
}

/* Write text to tmp, a file that must not exist yet; a Win32 error. */
static DWORD
write_new(const wchar_t *tmp, const char *text)
{
	size_t len = strlen(text);
	HANDLE h;
	DWORD rc = 0, done;

	if (len > MAXDWORD)
		return ERROR_NOT_ENOUGH_MEMORY;
	h = CreateFileW(tmp, GENERIC_WRITE, 0, NULL, CREATE_NEW,
	    FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE)
		return GetLastError();
	if (!WriteFile(h, text, (DWORD)len, &done, NULL))
		rc = GetLastError();
	else if (done != len)
		rc = ERROR_WRITE_FAULT;
	else if (!FlushFileBuffers(h))
		rc = GetLastError();
	if (!CloseHandle(h) && rc == 0)
		rc = GetLastError();
	if (rc != 0)
		DeleteFileW(tmp);
	return rc;
}

static int
write_file(const char *path, const char *text, bool force)
{
	wchar_t *wpath = NULL, *wtmp = NULL;
	DWORD rc = 0, flags = MOVEFILE_WRITE_THROUGH;
	char why[256];

	wchar_t *given = wide_from_utf8(path);

	/* A path from the command line: relative to the current folder. */
	if (given == NULL || (wpath = longpath_whole(given, &rc)) == NULL ||
	    (wtmp = longpath_append(wpath, L".certbind-init.tmp")) == NULL) {
		rc = rc ? rc : ERROR_NOT_ENOUGH_MEMORY;
		goto done;
	}
	if (!force && GetFileAttributesW(wpath) != INVALID_FILE_ATTRIBUTES) {
		rc = ERROR_FILE_EXISTS;
		goto done;
	}
	if (force)
		flags |= MOVEFILE_REPLACE_EXISTING;
	if ((rc = write_new(wtmp, text)) == ERROR_FILE_EXISTS) {
		out_printf(OUT_STDERR, "certbind init: %s.certbind-init.tmp is "
		    "in the way (left by an earlier init?); remove it\n", path);
		goto done;
	}
	if (rc == 0 && !MoveFileExW(wtmp, wpath, flags)) {
		rc = GetLastError();
		DeleteFileW(wtmp);
	}
done:
	if (rc == ERROR_FILE_EXISTS || rc == ERROR_ALREADY_EXISTS)
		out_printf(OUT_STDERR, "certbind init: %s exists; nothing was "
		    "written (--force replaces it)\n", path);
	else if (rc != 0)
		out_printf(OUT_STDERR, "certbind init: cannot write %s: %s\n",
		    path, win_strerror(rc, why, sizeof(why)));
	free(wtmp);
	free(wpath);
	free(given);
	return rc == 0 ? 0 : -1;
}

int
init_run(const char *out, bool force)
{
	struct ssl_record *recs = NULL;
	struct broken_record *bad = NULL;
	struct inventory inv = { 0 };
	struct init_counts counts;
	size_t n = 0, nbad = 0;
	char *yaml = NULL;
	int rc = 1;

	if (read_server(&recs, &n, &bad, &nbad, &inv) != 0)
		goto done;
	yaml = initpolicy_write(recs, n, bad, nbad, &inv, (int64_t)time(NULL),
	    &counts);
	if (yaml == NULL) {
		out_puts(OUT_STDERR, "certbind: out of memory\n");
		goto done;
	}
	if (counts.declared == 0) {
		out_puts(OUT_STDERR, yaml);
		out_printf(OUT_STDERR, "certbind init: HTTP.sys has no SSL "
		    "record a policy can declare (%zu left out, above); nothing "
		    "was written\n", counts.left_out);
		goto done;
	}
	if (out == NULL) {
		out_puts(OUT_STDOUT, yaml);
		rc = 0;
	} else if (write_file(out, yaml, force) == 0) {
		out_printf(OUT_STDOUT, "%s: a policy with %zu binding%s, %zu "
		    "record%s left out as comments\n", out, counts.declared,
		    counts.declared == 1 ? "" : "s", counts.left_out,
		    counts.left_out == 1 ? "" : "s");
		rc = 0;
	}
done:
	free(yaml);
	free(recs);
	free(bad);
	inventory_free(&inv);
	return rc;
}
