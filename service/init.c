/*
 * init.c - `certbind init`; see init.h.
 *
 * The Remote Desktop listener's and each SQL Server instance's value are
 * read through their target's adapter (target.h), as a reconcile reads
 * them; one that is not set, or whose key is not there, is not listed.
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
#include "regtarget.h"
#include "store.h"
#include "target.h"
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

/* The registry-backed values init read, and the text they point at. */
struct values {
	struct held_value *v;
	size_t n;
	char **texts;                  /* instance names and problems */
	size_t ntexts;
};

static void
values_free(struct values *vs)
{
	size_t i;

	for (i = 0; i < vs->ntexts; i++)
		free(vs->texts[i]);
	free(vs->texts);
	free(vs->v);
	memset(vs, 0, sizeof(*vs));
}

/* A copy of s the values keep; NULL when out of memory. */
static const char *
keep_text(struct values *vs, const char *s)
{
	char **p = realloc(vs->texts, (vs->ntexts + 1) * sizeof(*p));

	if (p == NULL)
		return NULL;
	vs->texts = p;
	if ((p[vs->ntexts] = strdup(s)) == NULL)
		return NULL;
	return p[vs->ntexts++];
}

/* A new value of target t; NULL when out of memory. */
static struct held_value *
add_value(struct values *vs, enum target_kind t)
{
	struct held_value *p = realloc(vs->v, (vs->n + 1) * sizeof(*p));

	if (p == NULL)
		return NULL;
	vs->v = p;
	memset(&p[vs->n], 0, sizeof(p[vs->n]));
	p[vs->n].target = t;
	return &p[vs->n++];
}

/*
 * b's value through its adapter, into vs when it is set or cannot be
 * read; a name a policy cannot hold is listed unread.  0, or -1 when out
 * of memory.
 */
static int
read_value(struct values *vs, const struct binding *b)
{
	const struct target_ops *ops = target_of(b->target);
	struct target_read got;
	struct held_value *v;
	char why[512];
	uint32_t rc = NO_ERROR;
	bool named = b->instance == NULL ||
	    policy_instance_ok(b->instance, strlen(b->instance));

	memset(&got, 0, sizeof(got));
	if (named && (rc = ops->open()) == NO_ERROR) {
		rc = ops->read(b, &got);
		ops->close();
	}
	/* No key (no listener, no such instance), or nothing set. */
	if (named && (rc == ERROR_FILE_NOT_FOUND ||
	    (rc == NO_ERROR && !got.present)))
		return 0;
	if ((v = add_value(vs, b->target)) == NULL)
		return -1;
	if (b->instance != NULL &&
	    (v->instance = keep_text(vs, b->instance)) == NULL)
		return -1;
	if (!named)
		return 0;
	if (rc != NO_ERROR)
		return (v->problem = keep_text(vs, ops->read_strerror(b, rc,
		    why, sizeof(why)))) == NULL ? -1 : 0;
	memcpy(v->thumb, got.held.thumb, THUMB_LEN);
	return 0;
}

/* The RDP listener's value and every SQL Server instance's.  0, or -1. */
static int
read_values(struct values *vs)
{
	struct binding b;
	struct held_value *v;
	char **names = NULL, why[512];
	size_t n = 0, i;
	uint32_t rc;
	int ok = 0;

	memset(&b, 0, sizeof(b));
	b.target = TARGET_RDP;
	if (read_value(vs, &b) != 0)
		return -1;
	if ((rc = sql_instances(&names, &n)) != NO_ERROR) {
		/* The list cannot be read: said in the policy, with why. */
		if ((v = add_value(vs, TARGET_SQLSERVER)) == NULL ||
		    (v->problem = keep_text(vs, win_strerror(rc, why,
		    sizeof(why)))) == NULL)
			return -1;
		return 0;
	}
	b.target = TARGET_SQLSERVER;
	for (i = 0; ok == 0 && i < n; i++) {
		b.instance = names[i];
		ok = read_value(vs, &b);
	}
	sql_names_free(names, n);
	return ok;
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
	struct values vs = { 0 };
	struct init_input in;
	struct init_counts counts;
	size_t n = 0, nbad = 0;
	char *yaml = NULL, *host = NULL;
	int rc = 1;

	if (read_server(&recs, &n, &bad, &nbad, &inv) != 0)
		goto done;
	if (read_values(&vs) != 0) {
		out_puts(OUT_STDERR, "certbind: out of memory\n");
		goto done;
	}
	host = rdp_default_dns();
	memset(&in, 0, sizeof(in));
	in.records = recs;
	in.n = n;
	in.broken = bad;
	in.nbroken = nbad;
	in.values = vs.v;
	in.nvalues = vs.n;
	in.host_dns = host;
	in.inv = &inv;
	if ((yaml = initpolicy_write(&in, (int64_t)time(NULL), &counts)) ==
	    NULL) {
		out_puts(OUT_STDERR, "certbind: out of memory\n");
		goto done;
	}
	if (counts.declared == 0) {
		out_puts(OUT_STDERR, yaml);
		out_printf(OUT_STDERR, "certbind init: neither HTTP.sys, the "
		    "RDP listener nor SQL Server has a certificate a policy "
		    "can declare (%zu left out, above); nothing was "
		    "written\n", counts.left_out);
		goto done;
	}
	if (out == NULL) {
		out_puts(OUT_STDOUT, yaml);
		rc = 0;
	} else if (write_file(out, yaml, force) == 0) {
		out_printf(OUT_STDOUT, "%s: a policy with %zu binding%s, %zu "
		    "left out as comments\n", out, counts.declared,
		    counts.declared == 1 ? "" : "s", counts.left_out);
		rc = 0;
	}
done:
	free(yaml);
	free(host);
	free(recs);
	free(bad);
	values_free(&vs);
	inventory_free(&inv);
	return rc;
}
