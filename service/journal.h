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

/* Every entry; *out is malloc'd.  0, or -1 when the journal is unreadable. */
int journal_load(struct ssl_record **out, size_t *n);

#endif
