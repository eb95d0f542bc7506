/*
 * metrics.c - write service.metrics_file; see metrics.h.
 *
 * The file is Prometheus' text exposition format:
 *   certbind_certificate_not_after_seconds{binding="api"}  NotAfter, UTC
 *   certbind_binding_as_planned{binding="api"}             1 or 0
 *   certbind_reconciles_total, certbind_rebinds_total, certbind_errors_total
 * Binding names are [A-Za-z0-9._-]+, so labels need no escaping.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "wstr.h"

static void
write_all(FILE *f, const struct runstate *rs)
{
	size_t i;

	fprintf(f, "# HELP certbind_certificate_not_after_seconds NotAfter of "
	    "the certificate a binding holds, in seconds since 1970.\n"
	    "# TYPE certbind_certificate_not_after_seconds gauge\n");
	for (i = 0; i < rs->n; i++)
		if (rs->bindings[i].not_after != 0)
			fprintf(f, "certbind_certificate_not_after_seconds"
			    "{binding=\"%s\"} %lld\n", rs->bindings[i].name,
			    (long long)rs->bindings[i].not_after);
	fprintf(f, "# HELP certbind_binding_as_planned 1 when the binding "
	    "holds the certificate and options the policy selects.\n"
	    "# TYPE certbind_binding_as_planned gauge\n");
	for (i = 0; i < rs->n; i++)
		fprintf(f, "certbind_binding_as_planned{binding=\"%s\"} %d\n",
		    rs->bindings[i].name, rs->bindings[i].as_planned ? 1 : 0);
	fprintf(f, "# HELP certbind_reconciles_total Reconciles run.\n"
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
}

unsigned long
metrics_write(const char *path, const struct runstate *rs)
{
	char tmp[MAX_PATH + 8];
	wchar_t *wtmp, *wpath;
	FILE *f;
	DWORD rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	wtmp = wide_from_utf8(tmp);
	wpath = wide_from_utf8(path);
	if (wtmp == NULL || wpath == NULL) {
		rc = ERROR_NOT_ENOUGH_MEMORY;
		goto done;
	}
	if ((f = _wfopen(wtmp, L"wb")) == NULL) {
		rc = GetLastError() ? GetLastError() : ERROR_ACCESS_DENIED;
		goto done;
	}
	write_all(f, rs);
	if (fclose(f) != 0)
		rc = ERROR_WRITE_FAULT;
	else if (!MoveFileExW(wtmp, wpath, MOVEFILE_REPLACE_EXISTING |
	    MOVEFILE_WRITE_THROUGH))
		rc = GetLastError();
done:
	free(wtmp);
	free(wpath);
	return rc;
}
