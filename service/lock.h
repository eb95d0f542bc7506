/*
 * lock.h - the machine-wide lock that every certbind which writes HTTP.sys
 * or the rotation journal holds while it does.
 *
 * Two writers interleaving break the journal's promise: the second one
 * would find the first one's entry between its Delete and its Set, take
 * it for a crash and put the old record back.  So `certbind apply`, `run`
 * and the service take this lock for each reconcile, and repair the
 * journal only while they hold it; plan, status, certs and check only
 * read, and do not take it.
 */
#ifndef CERTBIND_LOCK_H
#define CERTBIND_LOCK_H

#include <windows.h>
#include <stdint.h>

#define LOCK_TIMEOUT_MS 30000          /* how long a second writer waits */

struct writer_lock {
	HANDLE mutex;                  /* owned while not NULL */
};

/*
 * Take the lock for command ("apply", "run", "service"), waiting up to
 * timeout_ms, or until stop (may be NULL) is set.  Returns 0 when it is
 * held, 1 when stop was set first, -1 after reporting why it could not be
 * taken (and who holds it).
 */
int lock_take(struct writer_lock *l, const char *command,
    uint32_t timeout_ms, HANDLE stop);

void lock_release(struct writer_lock *l);

#endif
