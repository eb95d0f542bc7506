/*
 * history.c - keep the history and the pins in the registry; see
 * history.h.
 *
 * A value is read whole into a buffer one byte larger than any value
 * certbind writes, so that a longer one is told apart and refused rather
 * than read in part.  Writes are flushed (RegFlushKey), as the journal's
 * are: a rollback after a crash must find what was replaced before it.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "winerr.h"
#include "wstr.h"

#define HISTORY_KEY L"SOFTWARE\\CertBind\\History"
#define PINNED_KEY L"SOFTWARE\\CertBind\\Pinned"
/*
 * A value name is at most 16,383 characters (Registry element size
 * limits); a name buffer grows no further than this, NUL included.
 */
#define NAME_CHARS_MAX 16384

static wchar_t *
value_name(const struct endpoint *ep)
{
	char text[ENDPOINT_TEXT_MAX];

	return wide_from_utf8(endpoint_format(ep, text, sizeof(text)));
}

/*
 * Value ep of key into buf (cap bytes); *n its length.  ERROR_SUCCESS,
 * ERROR_FILE_NOT_FOUND (no key or no value), ERROR_MORE_DATA (larger
 * than cap), ERROR_INVALID_DATATYPE (not REG_BINARY), or another error.
 */
static LONG
read_value(const wchar_t *keyname, const struct endpoint *ep, BYTE *buf,
    DWORD cap, DWORD *n)
{
	wchar_t *name = value_name(ep);
	DWORD type = REG_NONE;
	HKEY key;
	LONG rc;

	if (name == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, keyname, 0, KEY_QUERY_VALUE,
	    &key);
	if (rc == ERROR_SUCCESS) {
		*n = cap;
		rc = RegQueryValueExW(key, name, NULL, &type, buf, n);
		if (rc == ERROR_SUCCESS && type != REG_BINARY)
			rc = ERROR_INVALID_DATATYPE;
		RegCloseKey(key);
	}
	free(name);
	return rc;
}

static uint32_t
write_value(const wchar_t *keyname, const struct endpoint *ep,
    const BYTE *buf, DWORD n)
{
	wchar_t *name = value_name(ep);
	HKEY key;
	LONG rc;

	if (name == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, keyname, 0, NULL, 0,
	    KEY_SET_VALUE | KEY_QUERY_VALUE, NULL, &key, NULL);
	if (rc == ERROR_SUCCESS) {
		rc = RegSetValueExW(key, name, 0, REG_BINARY, buf, n);
		if (rc == ERROR_SUCCESS)
			rc = RegFlushKey(key);
		RegCloseKey(key);
	}
	free(name);
	return (uint32_t)rc;
}

/* Why a value could not be read, for a message. */
static void
read_problem(LONG rc, const char *keytext, const struct endpoint *ep,
    char *why, size_t len)
{
	char ep_text[ENDPOINT_TEXT_MAX], err[256];

	endpoint_format(ep, ep_text, sizeof(ep_text));
	if (rc == ERROR_MORE_DATA)
		snprintf(err, sizeof(err), "it is larger than any value "
		    "certbind writes");
	else if (rc == ERROR_INVALID_DATATYPE)
		snprintf(err, sizeof(err), "it is not REG_BINARY");
	else
		win_strerror((uint32_t)rc, err, sizeof(err));
	snprintf(why, len, "%s, value '%s', cannot be read: %s", keytext,
	    ep_text, err);
}

int
history_load(const struct endpoint *ep, struct history *h, char *why,
    size_t len)
{
	static BYTE buf[HISTORY_ENCODED_MAX + 1];
	char ep_text[ENDPOINT_TEXT_MAX], problem[256];
	DWORD n = 0;
	LONG rc = read_value(HISTORY_KEY, ep, buf, sizeof(buf), &n);

	memset(h, 0, sizeof(*h));
	if (rc == ERROR_FILE_NOT_FOUND)
		return 0;
	if (rc != ERROR_SUCCESS) {
		read_problem(rc, HISTORY_KEY_TEXT, ep, why, len);
		return -1;
	}
	if (history_decode(buf, n, ep, h, problem, sizeof(problem)) != 0) {
		snprintf(why, len, "%s, value '%s', is not a history certbind "
		    "wrote: %s; it was not used (delete the value to start the "
		    "history again)", HISTORY_KEY_TEXT,
		    endpoint_format(ep, ep_text, sizeof(ep_text)), problem);
		return -1;
	}
	return 0;
}

uint32_t
history_store(const struct endpoint *ep, const struct history *h)
{
	static BYTE buf[HISTORY_ENCODED_MAX];
	size_t n = history_encode(h, buf, sizeof(buf));

	if (n == 0)
		return ERROR_INVALID_DATA;
	return write_value(HISTORY_KEY, ep, buf, (DWORD)n);
}

int
history_note(const struct ssl_record *old, const struct ssl_record *rec,
    const char *reason, int64_t now, char *why, size_t len)
{
	struct history h;
	struct history_entry e;
	char err[256];
	uint32_t rc;

	if (history_load(&old->endpoint, &h, why, len) != 0)
		return -1;
	memset(&e, 0, sizeof(e));
	e.at = now;
	snprintf(e.reason, sizeof(e.reason), "%s", reason);
	e.record = *old;
	if (rec->hash_len <= RECORD_HASH_MAX) {
		memcpy(e.by, rec->hash, rec->hash_len);
		e.by_len = rec->hash_len;
	}
	if (history_push(&h, &e) != 0) {
		snprintf(why, len, "'%s' is not a reason certbind records",
		    reason);
		return -1;
	}
	if ((rc = history_store(&old->endpoint, &h)) != NO_ERROR) {
		snprintf(why, len, "%s could not be written: %s",
		    HISTORY_KEY_TEXT, win_strerror(rc, err, sizeof(err)));
		return -1;
	}
	return 0;
}

int
pin_load(const struct endpoint *ep, struct pin *p, char *why, size_t len)
{
	BYTE buf[PIN_ENCODED_LEN + 1];
	char ep_text[ENDPOINT_TEXT_MAX], problem[128];
	DWORD n = 0;
	LONG rc = read_value(PINNED_KEY, ep, buf, sizeof(buf), &n);

	memset(p, 0, sizeof(*p));
	if (rc == ERROR_FILE_NOT_FOUND)
		return 0;
	if (rc != ERROR_SUCCESS) {
		read_problem(rc, PINNED_KEY_TEXT, ep, why, len);
		return -1;
	}
	if (pin_decode(buf, n, p, problem, sizeof(problem)) != 0) {
		snprintf(why, len, "%s, value '%s': %s; it was not used",
		    PINNED_KEY_TEXT, endpoint_format(ep, ep_text,
		    sizeof(ep_text)), problem);
		return -1;
	}
	return 1;
}

uint32_t
pin_store(const struct endpoint *ep, const struct pin *p)
{
	BYTE buf[PIN_ENCODED_LEN];
	size_t n = pin_encode(p, buf, sizeof(buf));

	if (n == 0)
		return ERROR_INVALID_DATA;
	return write_value(PINNED_KEY, ep, buf, (DWORD)n);
}

bool
pin_any(void)
{
	DWORD count = 0;
	HKEY key;
	LONG rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, PINNED_KEY, 0,
	    KEY_QUERY_VALUE, &key);

	if (rc == ERROR_FILE_NOT_FOUND)
		return false;
	if (rc != ERROR_SUCCESS)
		return true;   /* look binding by binding, and report */
	rc = RegQueryInfoKeyW(key, NULL, NULL, NULL, NULL, NULL, NULL, &count,
	    NULL, NULL, NULL, NULL);
	RegCloseKey(key);
	return rc != ERROR_SUCCESS || count > 0;
}

uint32_t
pin_drop(const struct endpoint *ep)
{
	wchar_t *name = value_name(ep);
	HKEY key;
	LONG rc;

	if (name == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	/* KEY_QUERY_VALUE: RegFlushKey needs it. */
	rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, PINNED_KEY, 0,
	    KEY_SET_VALUE | KEY_QUERY_VALUE, &key);
	if (rc == ERROR_SUCCESS) {
		rc = RegDeleteValueW(key, name);
		if (rc == ERROR_SUCCESS)
			rc = RegFlushKey(key);
		RegCloseKey(key);
	}
	free(name);
	/* No key or no value: there was no pin, which is what was wanted. */
	return rc == ERROR_FILE_NOT_FOUND ? ERROR_SUCCESS : (uint32_t)rc;
}

/* Value i's name as an endpoint; 0, or -1 after telling bad. */
static int
name_endpoint(const wchar_t *name, DWORD nlen, struct endpoint *ep,
    history_bad_fn bad)
{
	char *text = text_from_wide(name, nlen), reason[128];
	int rc = -1;

	if (text == NULL)
		bad("(out of memory)", "cannot be read");
	/* An escaped name holds a backslash: it cannot be an endpoint. */
	else if (endpoint_parse(text, ep, reason, sizeof(reason)) != 0)
		bad(text, reason);
	else
		rc = 0;
	free(text);
	return rc;
}

/*
 * Value i's name of key into *name (*cap characters, grown as needed);
 * *nlen its length.  ERROR_SUCCESS, ERROR_NO_MORE_ITEMS, or an error.
 * ERROR_MORE_DATA is a value added with a longer name since the key's
 * longest was read: the buffer doubles, up to NAME_CHARS_MAX.
 */
static LONG
enum_name(HKEY key, DWORD i, wchar_t **name, DWORD *cap, DWORD *nlen)
{
	wchar_t *more;
	LONG rc;

	for (;;) {
		*nlen = *cap;
		rc = RegEnumValueW(key, i, *name, nlen, NULL, NULL, NULL, NULL);
		if (rc != ERROR_MORE_DATA)
			return rc;
		if (*cap >= NAME_CHARS_MAX)
			return ERROR_MORE_DATA;
		*cap = *cap * 2 > NAME_CHARS_MAX ? NAME_CHARS_MAX : *cap * 2;
		if ((more = realloc(*name, *cap * sizeof(wchar_t))) == NULL)
			return ERROR_NOT_ENOUGH_MEMORY;
		*name = more;
	}
}

/* Room for one more endpoint in *out (*room of them); 0 or -1. */
static int
grow_endpoints(struct endpoint **out, size_t n, size_t *room)
{
	struct endpoint *more;
	size_t want = *room ? *room * 2 : 16;

	if (n < *room)
		return 0;
	if ((more = realloc(*out, want * sizeof(**out))) == NULL)
		return -1;
	*out = more;
	*room = want;
	return 0;
}

/*
 * Every value's name, until RegEnumValueW says there are no more (values
 * written meanwhile are listed too).  ERROR_SUCCESS or the error.
 */
static LONG
list_names(HKEY key, DWORD longest, struct endpoint **out, size_t *n,
    history_bad_fn bad)
{
	DWORD cap = longest + 1, nlen, i;
	size_t room = 0;
	wchar_t *name;
	LONG rc = ERROR_SUCCESS;

	if (cap > NAME_CHARS_MAX)
		cap = NAME_CHARS_MAX;
	if ((name = malloc(cap * sizeof(wchar_t))) == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	for (i = 0; rc == ERROR_SUCCESS; i++) {
		rc = enum_name(key, i, &name, &cap, &nlen);
		if (rc != ERROR_SUCCESS)
			break;
		if (grow_endpoints(out, *n, &room) != 0)
			rc = ERROR_NOT_ENOUGH_MEMORY;
		else if (name_endpoint(name, nlen, &(*out)[*n], bad) == 0)
			(*n)++;
	}
	free(name);
	return rc == ERROR_NO_MORE_ITEMS ? ERROR_SUCCESS : rc;
}

int
history_endpoints(struct endpoint **out, size_t *n, history_bad_fn bad,
    char *why, size_t len)
{
	DWORD longest = 0;
	HKEY key;
	LONG rc;

	*out = NULL;
	*n = 0;
	rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, HISTORY_KEY, 0, KEY_QUERY_VALUE,
	    &key);
	if (rc == ERROR_FILE_NOT_FOUND)
		return 0;
	if (rc == ERROR_SUCCESS) {
		rc = RegQueryInfoKeyW(key, NULL, NULL, NULL, NULL, NULL, NULL,
		    NULL, &longest, NULL, NULL, NULL);
		if (rc == ERROR_SUCCESS)
			rc = list_names(key, longest, out, n, bad);
		RegCloseKey(key);
	}
	if (rc != ERROR_SUCCESS) {
		char err[256];

		snprintf(why, len, "%s cannot be read: %s", HISTORY_KEY_TEXT,
		    win_strerror((uint32_t)rc, err, sizeof(err)));
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}
