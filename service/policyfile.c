/*
 * policyfile.c - read a policy file (with a Unicode path) into memory.
 *
 * Reading stops one byte past the size limit, so a huge or endless file is
 * refused (by core/, which words the error) without reading it all.
 */
#include <windows.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/yaml_tree.h"
#include "policyfile.h"
#include "wstr.h"

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

int
policyfile_load(const char *path, struct policy *out, struct cb_error *err)
{
	wchar_t *wpath = wide_from_utf8(path);
	FILE *f;
	char *buf;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	if (is_directory(wpath)) {
		free(wpath);
		return cb_error_set(err, path, 0, 0, "is a directory, not a "
		    "policy file");
	}
	f = wpath ? _wfopen(wpath, L"rb") : NULL;
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
	return rc;
}
