/*
 * watch.c - store and policy-file change notifications; see watch.h.
 */
#include <windows.h>
#include <wincrypt.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <wchar.h>

#include "fileid.h"
#include "longpath.h"
#include "watch.h"

/* The registry keys behind a LocalMachine system store. */
static const wchar_t *const key_roots[] = {
	L"SOFTWARE\\Microsoft\\SystemCertificates\\",
	L"SOFTWARE\\Policies\\Microsoft\\SystemCertificates\\",
	L"SOFTWARE\\Microsoft\\EnterpriseCertificates\\",
};

static DWORD
arm_key(HKEY key, HANDLE event)
{
	return (DWORD)RegNotifyChangeKeyValue(key, TRUE,
	    REG_NOTIFY_CHANGE_NAME | REG_NOTIFY_CHANGE_LAST_SET, event, TRUE);
}

static DWORD
add_event(struct watch *w, HANDLE *out)
{
	if (w->n == WATCH_MAX)
		return ERROR_TOO_MANY_OPEN_FILES;
	*out = CreateEventW(NULL, FALSE, FALSE, NULL);
	if (*out == NULL)
		return GetLastError();
	w->events[w->n++] = *out;
	return 0;
}

/* Where the system stores' keys are, to see a missing one appear. */
#define STORES_KEY L"SOFTWARE\\Microsoft\\SystemCertificates"

/*
 * The keys behind an existing store: the system store's, and the policy
 * and enterprise keys where they exist.
 */
static DWORD
watch_keys(struct watch *w, const wchar_t *store)
{
	wchar_t path[128];
	size_t i;

	for (i = 0; i < sizeof(key_roots) / sizeof(key_roots[0]); i++) {
		HKEY key;
		HANDLE ev;
		LONG rc;
		DWORD err;

		swprintf(path, 128, L"%ls%ls", key_roots[i], store);
		rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_NOTIFY, &key);
		if (rc != ERROR_SUCCESS)
			continue;      /* the store lives in the others alone */
		if ((err = add_event(w, &ev)) != 0) {
			RegCloseKey(key);
			return err;
		}
		w->keys[w->n - 1] = key;
		if ((err = arm_key(key, ev)) != 0)
			return err;
	}
	return 0;
}

/*
 * Store does not exist: watch the key of the system stores (its direct
 * subkeys only) until it does; watch_rearm() then watches the store.
 */
static DWORD
await_store(struct watch *w, const wchar_t *store)
{
	HKEY key;
	HANDLE ev;
	DWORD err;
	LONG rc;

	rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, STORES_KEY, 0, KEY_NOTIFY, &key);
	if (rc != ERROR_SUCCESS)
		return (DWORD)rc;
	if ((err = add_event(w, &ev)) != 0) {
		RegCloseKey(key);
		return err;
	}
	w->keys[w->n - 1] = key;
	w->awaited[w->n - 1] = store;
	return (DWORD)RegNotifyChangeKeyValue(key, FALSE,
	    REG_NOTIFY_CHANGE_NAME, ev, TRUE);
}

/*
 * Open the store as it is (CERT_STORE_OPEN_EXISTING_FLAG: without it,
 * CertOpenStore creates a missing store, and a watch must not change the
 * server it watches).  NULL with the error in GetLastError().
 */
static HCERTSTORE
open_existing(const wchar_t *store)
{
	return CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
	    CERT_SYSTEM_STORE_LOCAL_MACHINE | CERT_STORE_READONLY_FLAG |
	    CERT_STORE_OPEN_EXISTING_FLAG, store);
}

static DWORD
watch_store(struct watch *w, size_t slot, const wchar_t *store)
{
	HANDLE ev;
	DWORD err;

	w->stores[slot] = open_existing(store);
	if (w->stores[slot] == NULL) {
		err = GetLastError();
		if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND)
			return await_store(w, store);
		return err;
	}
	if ((err = add_event(w, &ev)) != 0)
		return err;
	w->owner[w->n - 1] = w->stores[slot];
	/* Wine 8 returns TRUE here and never signals; the keys do. */
	if (!CertControlStore(w->stores[slot], 0, CERT_STORE_CTRL_NOTIFY_CHANGE,
	    &ev))
		return GetLastError();
	return watch_keys(w, store);
}

/*
 * The folder of path, whole and absolute ("C:\ProgramData\certbind"),
 * with the \\?\ prefix when it is too long for the plain form; NULL when
 * out of memory or the path cannot be resolved.
 */
static wchar_t *
folder_of(const wchar_t *path)
{
	DWORD err;
	wchar_t *full = longpath_whole(path, &err), *slash;
	size_t n;

	if (full == NULL)
		return NULL;
	slash = wcsrchr(full, L'\\');
	if (slash == NULL) {
		free(full);
		return NULL;
	}
	n = (size_t)(slash - full);
	if (n == 2 && full[1] == L':')
		n++;                   /* keep the root's backslash */
	if (n == 6 && wcsncmp(full, L"\\\\?\\", 4) == 0 && full[5] == L':')
		n++;                   /* \\?\C:\ */
	full[n] = L'\0';
	return full;
}

/* Watch the policy's folder in slot folder_at, and note which it is. */
DWORD
watch_folder_open(struct watch *w, const wchar_t *policy_path)
{
	wchar_t *folder = folder_of(policy_path);
	HANDLE h;
	DWORD err;

	if (folder == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	/* _SECURITY: a policy refused for its ACL loads once the ACL alone
	 * is fixed. */
	h = FindFirstChangeNotificationW(folder, FALSE,
	    FILE_NOTIFY_CHANGE_LAST_WRITE | FILE_NOTIFY_CHANGE_FILE_NAME |
	    FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_SECURITY);
	if (h == INVALID_HANDLE_VALUE) {
		err = GetLastError();
		free(folder);
		return err ? err : ERROR_PATH_NOT_FOUND;
	}
	if (!file_id_of(folder, &w->folder_id)) {
		err = GetLastError();
		FindCloseChangeNotification(h);
		free(folder);
		return err ? err : ERROR_PATH_NOT_FOUND;
	}
	free(folder);
	w->folder = h;
	w->events[w->folder_at] = h;
	return 0;
}

/*
 * Stop watching a folder that went away.  An event that is never set
 * holds its slot, so that the slots of the store watches stay put.
 */
void
watch_folder_drop(struct watch *w)
{
	if (w->folder == NULL)
		return;
	FindCloseChangeNotification(w->folder);
	w->folder = NULL;
	/* Made by watch_open: a NULL here would make every wait fail. */
	w->events[w->folder_at] = w->idle;
}

bool
watch_folder_same(const struct watch *w, const wchar_t *policy_path)
{
	wchar_t *folder = folder_of(policy_path);
	struct file_id now;
	bool same;

	if (folder == NULL || w->folder == NULL)
		same = false;
	else
		same = file_id_of(folder, &now) && file_id_equal(&now,
		    &w->folder_id);
	free(folder);
	return same;
}

DWORD
watch_open(struct watch *w, bool webhosting, const wchar_t *policy_path)
{
	DWORD err;

	memset(w, 0, sizeof(*w));
	if ((w->idle = CreateEventW(NULL, TRUE, FALSE, NULL)) == NULL)
		return GetLastError();
	w->folder_at = w->n++;
	if ((err = watch_folder_open(w, policy_path)) != 0) {
		CloseHandle(w->idle);
		memset(w, 0, sizeof(*w));
		return err;
	}
	w->store_first = w->n;
	if ((err = watch_store(w, 0, L"MY")) != 0 ||
	    (webhosting && (err = watch_store(w, 1, L"WebHosting")) != 0)) {
		watch_close(w);
		return err;
	}
	return 0;
}

bool
watch_rearm(struct watch *w, size_t i)
{
	if (i == w->folder_at)
		return w->folder != NULL && FindNextChangeNotification(w->folder);
	if (w->awaited[i] != NULL) {
		const wchar_t *store = w->awaited[i];
		HCERTSTORE s = open_existing(store);

		if (s == NULL)         /* another store changed: wait on */
			return RegNotifyChangeKeyValue(w->keys[i], FALSE,
			    REG_NOTIFY_CHANGE_NAME, w->events[i], TRUE) ==
			    ERROR_SUCCESS;
		/* Created: watch it, and leave this event unarmed from now on.
		 * Should that fail, the resync still finds its changes. */
		CertCloseStore(s, 0);
		w->awaited[i] = NULL;
		watch_store(w, wcscmp(store, L"MY") == 0 ? 0 : 1, store);
		return true;
	}
	if (w->keys[i] != NULL)
		return arm_key(w->keys[i], w->events[i]) == 0;
	if (w->owner[i] != NULL)
		return CertControlStore(w->owner[i], 0, CERT_STORE_CTRL_RESYNC,
		    &w->events[i]);
	return true;
}

void
watch_close(struct watch *w)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		if (w->keys[i] != NULL)
			RegCloseKey(w->keys[i]);
		if (w->events[i] == w->folder)
			FindCloseChangeNotification(w->folder);
		else if (w->events[i] != NULL && w->events[i] != w->idle)
			CloseHandle(w->events[i]);
	}
	if (w->idle != NULL)
		CloseHandle(w->idle);
	for (i = 0; i < 2; i++)
		if (w->stores[i] != NULL)
			CertCloseStore(w->stores[i], 0);
	memset(w, 0, sizeof(*w));
}
