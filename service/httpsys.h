/*
 * httpsys.h - everything certbind does to HTTP.sys.
 *
 * Records are struct ssl_record (core/record.h), of any kind: ip:port,
 * hostname:port (SNI) or ccs:port.  Functions return a Win32 error code,
 * ERROR_SUCCESS (0) on success; ERROR_FILE_NOT_FOUND from httpsys_query()
 * means "no record for that endpoint".
 */
#ifndef CERTBIND_HTTPSYS_H
#define CERTBIND_HTTPSYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/record.h"
#include "journal.h"

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

/* The record at ep, exactly. */
uint32_t httpsys_query(const struct endpoint *ep, struct ssl_record *out);

/*
 * Every record of every kind; *out is malloc'd, *n records long.  A
 * record that cannot be read is listed in *bad (malloc'd, *nbad long)
 * and the others are read on; the call fails only when a whole table
 * cannot be read.
 */
uint32_t httpsys_list(struct ssl_record **out, size_t *n,
    struct broken_record **bad, size_t *nbad);

uint32_t httpsys_create(const struct ssl_record *rec);

/* Delete the record at rec's endpoint (undoing a create that broke
 * serving: the endpoint had no record before). */
uint32_t httpsys_delete(const struct ssl_record *rec);

/*
 * Replace old (as read from HTTP.sys) with rec at the same endpoint.
 * Atomic where Windows offers HttpUpdateServiceConfiguration (Windows 10
 * 1703 and later).  Otherwise Delete then Set: the old record is first
 * written to the journal (journal.c) so that a crash between the two is
 * repaired by httpsys_repair(), and on a failed Set the old record is Set
 * back so that the port is not left unbound.
 */
void httpsys_replace(const struct ssl_record *old,
    const struct ssl_record *rec, struct replace_result *res);

/*
 * Finish what an interrupted replace left: each journaled record whose
 * endpoint has no record now is Set back.  report is called for each one
 * put back (error 0) or that could not be (error set); bad for each
 * journal value that cannot be read (journal.h), which is left in place
 * while the others are repaired.
 */
typedef void (*repair_fn)(const struct ssl_record *old, uint32_t error,
    void *arg);
void httpsys_repair(repair_fn report, journal_bad_fn bad, void *arg);

/*
 * A message for err from writing rec (Set, Update, Delete), in an
 * operator's terms; ERROR_INVALID_PARAMETER lists the fields written.
 */
const char *httpsys_strerror(uint32_t err, const struct ssl_record *rec,
    char *buf, size_t len);

/*
 * A message for err from reading the record at ep (httpsys_query): a
 * table this Windows does not have, a record that cannot be kept whole.
 */
const char *httpsys_read_strerror(uint32_t err, const struct endpoint *ep,
    char *buf, size_t len);

#endif
