/*
 * policyfile.c - read a policy file (with a Unicode path) into memory.
 *
 * Reading stops one byte past the size limit, so a huge or endless file is
 * refused (by core/, which words the error) without reading it all.
 *
 * service.metrics_file is then checked against the policy file itself:
 * core/winpath.c compares the two as text, and here the file system says
 * what text cannot (a folder at the path, the policy reached by a short
 * 8.3 name, a hard link or a symbolic link): two paths name the same file
 * when their volume and file id are the same.
 */
#include <windows.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/winpath.h"
#include "../core/yaml_tree.h"
#include "fileid.h"
#include "keyaccess.h"
#include "longpath.h"
#include "policyacl.h"
#include "policyfile.h"
#include "regtarget.h"
#include "svcrestart.h"
#include "winerr.h"
#include "wstr.h"

static bool service_mode, allow_insecure;

void
policyfile_service_mode(bool on)
{
	service_mode = on;
}

void
policyfile_allow_insecure(bool on)
{
	allow_insecure = on;
}

/*
 * Judge who may change the policy at path, and refuse it when that must
 * be refused.  The policy cannot lower its own check: whoever can write
 * the file could add `require_secure_policy: false` to it, so under the
 * service a false there is not honoured (the file may only raise the
 * check); what lowers it is --allow-insecure-policy on the service's
 * command line, which only administrators can change.  A console run is
 * an administrator's own choice and honours the key either way.
 */
static int
check_acl(const char *path, const struct policy *p, struct cb_error *err)
{
	const struct service_conf *s = &p->service;
	bool says_false = s->secure_policy_set && !s->require_secure_policy;

	if (!service_mode)
		return policyacl_check(path, s->secure_policy_set &&
		    s->require_secure_policy, true,
		    "service.require_secure_policy", err);
	if (allow_insecure)
		return policyacl_check(path, s->secure_policy_set &&
		    s->require_secure_policy, true,
		    "service.require_secure_policy", err);
	return policyacl_check(path, true, true, says_false ?
	    "service.require_secure_policy: false cannot lower the check from "
	    "inside the file it protects; see service install "
	    "--allow-insecure-policy" :
	    "service.require_secure_policy", err);
}

static bool
same_file(const wchar_t *a, const wchar_t *b)
{
	struct file_id x, y;

	return file_id_of(a, &x) && file_id_of(b, &y) && file_id_equal(&x, &y);
}

/* Why metrics (\\?\ form) may not be written, from the file system. */
static const char *
metrics_clash(const wchar_t *metrics, const wchar_t *policy)
{
	DWORD attr = GetFileAttributesW(metrics);
	wchar_t *tmp;
	bool clash;

	if (attr != INVALID_FILE_ATTRIBUTES &&
	    (attr & FILE_ATTRIBUTE_DIRECTORY))
		return "is a folder";
	if (same_file(metrics, policy))
		return "is the policy file itself, under another name (a short "
		    "8.3 name or a link)";
	if ((tmp = longpath_append(metrics, L".tmp")) == NULL)
		return "cannot be checked: out of memory";
	clash = same_file(tmp, policy);
	free(tmp);
	return clash ? "would replace the policy file with its temporary "
	    "file (FILE.tmp)" : NULL;
}

/* service.metrics_file must not be, or replace, the policy at path. */
static int
check_metrics(const char *path, const struct policy *p,
    struct cb_error *err)
{
	const struct service_conf *s = &p->service;
	wchar_t *wpath = NULL, *full = NULL, *whole = NULL, *wmetrics = NULL;
	char *ufull = NULL, why[512], text[256];
	const char *clash = NULL;
	DWORD e = 0;
	int rc = 0;

	if (s->metrics_file == NULL)
		return 0;
	if ((wpath = wide_from_utf8(path)) == NULL ||
	    (full = longpath_full(wpath, &e)) == NULL ||
	    (whole = longpath_whole(wpath, &e)) == NULL ||
	    (ufull = utf8_from_wide(full)) == NULL ||
	    (wmetrics = longpath_from_utf8(s->metrics_file, &e)) == NULL) {
		snprintf(why, sizeof(why), "cannot be checked against %s: %s",
		    path, win_strerror(e ? e : ERROR_NOT_ENOUGH_MEMORY, text,
		    sizeof(text)));
		rc = -1;
	} else if (winpath_check_metrics(s->metrics_file, ufull, why,
	    sizeof(why)) != 0)
		rc = -1;
	/* The policy's \\?\ form when long: the file system is asked. */
	else if ((clash = metrics_clash(wmetrics, whole)) != NULL) {
		snprintf(why, sizeof(why), "%s", clash);
		rc = -1;
	}
	if (rc != 0)
		cb_error_set(err, path, s->metrics_line, s->metrics_col,
		    "service.metrics_file %s", why);
	free(wpath);
	free(full);
	free(whole);
	free(ufull);
	free(wmetrics);
	return rc;
}

/*
 * Opening a directory fails with EACCES on Windows ("Permission denied"),
 * which sends an operator looking at ACLs; say what it is instead.
 */
static bool
is_directory(const wchar_t *wpath)
{
	DWORD attr;

	if (wpath == NULL)
		return false;
	attr = GetFileAttributesW(wpath);
	return attr != INVALID_FILE_ATTRIBUTES &&
	    (attr & FILE_ATTRIBUTE_DIRECTORY) != 0;
}

/*
 * rdp and sqlserver bindings that name no match.dns take the computer's
 * DNS name, which only Windows knows (core/ stays pure).  0, or -1 with
 * err at the binding when it is not known.
 */
static int
default_dns(const char *path, struct policy *p, struct cb_error *err)
{
	char *dns;
	size_t i;
	int rc;

	for (i = 0; i < p->nbindings; i++)
		if (p->bindings[i].target != TARGET_HTTPSYS &&
		    p->bindings[i].match.dns == NULL)
			break;
	if (i == p->nbindings)
		return 0;
	dns = rdp_default_dns();
	rc = policy_default_dns(p, dns, err, path);
	free(dns);
	return rc;
}

int
policyfile_load(const char *path, struct policy *out, struct cb_error *err)
{
	wchar_t *given = wide_from_utf8(path), *wpath;
	DWORD code = 0;
	FILE *f;
	char *buf, text[256];
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	wpath = given != NULL ? longpath_whole(given, &code) : NULL;
	free(given);
	if (wpath == NULL)
		return cb_error_set(err, path, 0, 0, "cannot open: %s",
		    win_strerror(code ? code : ERROR_NO_UNICODE_TRANSLATION,
		    text, sizeof(text)));
	if (is_directory(wpath)) {
		free(wpath);
		return cb_error_set(err, path, 0, 0, "is a directory, not a "
		    "policy file");
	}
	f = _wfopen(wpath, L"rb");
	free(wpath);
	if (f == NULL)
		return cb_error_set(err, path, 0, 0, "cannot open: %s",
		    strerror(errno));
	buf = malloc(YTREE_MAX_BYTES + 1);
	if (buf == NULL) {
		fclose(f);
		return cb_error_set(err, path, 0, 0, "out of memory");
	}
	/* One byte past the limit is enough for core/ to refuse the file. */
	len = fread(buf, 1, YTREE_MAX_BYTES + 1, f);
	if (ferror(f))
		rc = cb_error_set(err, path, 0, 0, "cannot read: %s",
		    strerror(errno));
	else
		rc = policy_parse(path, buf, len, out, err);
	fclose(f);
	free(buf);
	if (rc == 0 && default_dns(path, out, err) != 0) {
		policy_free(out);
		rc = -1;
	}
	if (rc == 0 && (check_metrics(path, out, err) != 0 ||
	    restart_check(path, out, err) != 0 ||
	    keyaccess_check(path, out, err) != 0)) {
		policy_free(out);
		rc = -1;
	}
	if (rc == 0 && check_acl(path, out, err) != 0) {
		policy_free(out);
		rc = POLICYFILE_INSECURE;
	}
	return rc;
}
