/*
 * watch.h - the events that wake the service: certificate store changes
 * and policy file changes.
 *
 * A store is watched two ways, and either may fire:
 *   - CertControlStore(CERT_STORE_CTRL_NOTIFY_CHANGE), re-armed with
 *     CERT_STORE_CTRL_RESYNC after each signal (the documented way);
 *   - RegNotifyChangeKeyValue on the registry keys behind
 *     LocalMachine\<store>: the system store, and the Group Policy and
 *     Enterprise physical stores where they exist.  Wine 8 signals only
 *     these: its CertControlStore returns TRUE and never signals.
 * A store that does not exist (WebHosting exists only where IIS created
 * it; in a new Wine prefix even My appears only with its first
 * certificate) is not created: the key that holds the system stores is
 * watched instead, and the store's own watches are added once it appears.
 * The policy file's folder is watched with FindFirstChangeNotificationW;
 * the caller checks whether the file itself changed.  That handle watches
 * one folder: when the folder is deleted or replaced (deleted and made
 * again, or renamed away) it never reports the new one, so the caller
 * checks at each wake-up that the path still leads to the folder watched
 * (watch_folder_same), and otherwise drops the watch and opens it again
 * once the folder is back.
 */
#ifndef CERTBIND_WATCH_H
#define CERTBIND_WATCH_H

#include <windows.h>
#include <stdbool.h>

#include "../core/cert.h"
#include "fileid.h"

#define WATCH_MAX 16                   /* handles a watch may wait on */

struct watch {
	HANDLE events[WATCH_MAX];      /* what to wait on, n of them */
	size_t n;
	HCERTSTORE stores[2];          /* kept open for CertControlStore */
	HKEY keys[WATCH_MAX];          /* keys[i] behind events[i], or NULL */
	HCERTSTORE owner[WATCH_MAX];   /* the store events[i] notifies for */
	const wchar_t *awaited[WATCH_MAX];  /* events[i] waits for this store
	                                       to be created, or NULL */
	size_t store_first;            /* events[store_first..n) are stores */
	HANDLE folder;                 /* events[folder_at], or NULL when
	                                  the folder is lost */
	size_t folder_at;
	struct file_id folder_id;      /* the folder watched */
	HANDLE idle;                   /* an event never set: events[folder_at]
	                                  while the folder is lost, made at
	                                  open so that dropping cannot fail */
};

/*
 * Watch LocalMachine\My (and \WebHosting when webhosting) and the folder
 * of policy_path.  Returns 0, or a Win32 error code.
 */
DWORD watch_open(struct watch *w, bool webhosting,
    const wchar_t *policy_path);

/* Re-arm events[i] after it fired; false when that failed (a folder
 * watch fails once its folder is gone). */
bool watch_rearm(struct watch *w, size_t i);

/* (Re)open the watch on the folder of policy_path; 0 or a Win32 error. */
DWORD watch_folder_open(struct watch *w, const wchar_t *policy_path);

/* Close the folder watch; its slot holds an event that never fires. */
void watch_folder_drop(struct watch *w);

/* The folder of policy_path is still the one watched. */
bool watch_folder_same(const struct watch *w, const wchar_t *policy_path);

void watch_close(struct watch *w);

#endif
