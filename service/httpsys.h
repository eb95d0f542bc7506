/*
 * httpsys.h - everything certbind does to HTTP.sys.
 *
 * Records are struct ssl_record (core/record.h).  Functions return a Win32
 * error code, ERROR_SUCCESS (0) on success; ERROR_FILE_NOT_FOUND from
 * httpsys_query() means "no record for that endpoint".
 */
#ifndef CERTBIND_HTTPSYS_H
#define CERTBIND_HTTPSYS_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/record.h"

/* How a replace went, for the caller's report. */
struct replace_result {
	uint32_t error;          /* 0 when the new record is in place */
	const char *step;        /* the call that failed: "update", "delete"... */
	bool used_update;        /* HttpUpdateServiceConfiguration was used */
	bool restored;           /* Set failed and the old record was put back */
	uint32_t restore_error;  /* the restore failed too: port is unbound */
};

uint32_t httpsys_open(void);
void httpsys_close(void);

uint32_t httpsys_query(const struct endpoint *ep, struct ssl_record *out);
uint32_t httpsys_create(const struct ssl_record *rec);

/*
 * Replace old (as read from HTTP.sys) with rec at the same endpoint.
 * Atomic where Windows offers HttpUpdateServiceConfiguration (Windows 10
 * 1703 and later); otherwise Delete then Set, and on a failed Set the old
 * record is Set back so that the port is not left unbound.
 */
void httpsys_replace(const struct ssl_record *old,
    const struct ssl_record *rec, struct replace_result *res);

#endif
