/*
 * journal.h - the rotation journal: records certbind has deleted and not
 * yet set again.
 *
 * Where Windows has no HttpUpdateServiceConfiguration a rotation is Delete
 * then Set.  Before the Delete the old record is written here, durably;
 * after the Set (or a restore) it is cleared.  An entry found at start-up
 * therefore means certbind stopped between the two calls, and
 * httpsys_repair() puts the record back.  Entries live in the registry
 * under HKLM\SOFTWARE\CertBind\Journal, one value per endpoint, in the
 * encoding of record_encode().
 */
#ifndef CERTBIND_JOURNAL_H
#define CERTBIND_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "../core/record.h"

/* Keep r until journal_clear(); a Win32 error, 0 once it is on disk. */
uint32_t journal_save(const struct ssl_record *r);

void journal_clear(const struct endpoint *ep);

/*
 * Told about a value under the journal key that is not an entry certbind
 * can read (name: the value's name, escaped; why: the reason), or, with
 * name NULL, that the key itself cannot be read.  Such a value is left in
 * place: it may be the only copy of a record an operator needs.
 */
typedef void (*journal_bad_fn)(const char *name, const char *why,
    void *arg);

/*
 * Every entry that can be read; *out is malloc'd.  Each value is read on
 * its own: one that cannot be goes to bad() and the rest still load.
 * 0, or -1 when the key cannot be read at all (bad() has been told).
 */
int journal_load(struct ssl_record **out, size_t *n, journal_bad_fn bad,
    void *arg);

#endif
