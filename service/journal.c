/*
 * journal.c - the rotation journal in the registry; see journal.h.
 *
 * RegFlushKey after each write: the point of the journal is to survive a
 * crash or power loss between HttpDeleteServiceConfiguration and
 * HttpSetServiceConfiguration, so the entry must be on disk before the
 * Delete is made.  RegFlushKey needs a handle with KEY_QUERY_VALUE
 * (RegFlushKey, learn.microsoft.com), RegSetValueExW and RegDeleteValueW
 * KEY_SET_VALUE, RegQueryInfoKeyW and RegEnumValueW KEY_QUERY_VALUE.
 *
 * The key is not certbind's alone to write: an administrator, another
 * tool or a damaged hive may leave values in it that are not entries.
 * Each value is read and decoded on its own, at whatever size it has; one
 * that cannot be is reported by name and left in place, and the others
 * are still returned.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

#include "journal.h"
#include "winerr.h"
#include "wstr.h"

#define JOURNAL_KEY L"SOFTWARE\\CertBind\\Journal"
#define JOURNAL_WRITE (KEY_SET_VALUE | KEY_QUERY_VALUE)
#define READ_TRIES 3           /* a value may grow while it is read */

static LONG
open_journal(REGSAM access, HKEY *key)
{
	return RegCreateKeyExW(HKEY_LOCAL_MACHINE, JOURNAL_KEY, 0, NULL, 0,
	    access, NULL, key, NULL);
}

/* The value name: the endpoint as text, "0.0.0.0:443", "ccs:443"... */
static wchar_t *
value_name(const struct endpoint *ep)
{
	char text[ENDPOINT_TEXT_MAX];

	return wide_from_utf8(endpoint_format(ep, text, sizeof(text)));
}

uint32_t
journal_save(const struct ssl_record *r)
{
	uint8_t buf[RECORD_ENCODED_MAX];
	size_t n = record_encode(r, buf, sizeof(buf));
	wchar_t *name = value_name(&r->endpoint);
	HKEY key;
	LONG rc;

	if (n == 0 || name == NULL) {
		free(name);
		return ERROR_INVALID_DATA;
	}
	rc = open_journal(JOURNAL_WRITE, &key);
	if (rc == ERROR_SUCCESS) {
		rc = RegSetValueExW(key, name, 0, REG_BINARY, buf, (DWORD)n);
		if (rc == ERROR_SUCCESS)
			rc = RegFlushKey(key);
		RegCloseKey(key);
	}
	free(name);
	return (uint32_t)rc;
}

void
journal_clear(const struct endpoint *ep)
{
	wchar_t *name = value_name(ep);
	HKEY key;

	if (name != NULL && RegOpenKeyExW(HKEY_LOCAL_MACHINE, JOURNAL_KEY, 0,
	    JOURNAL_WRITE, &key) == ERROR_SUCCESS) {
		RegDeleteValueW(key, name);
		RegFlushKey(key);
		RegCloseKey(key);
	}
	free(name);
}

/*
 * A value name as UTF-8 for a message, whole: the registry counts its
 * names, so a NUL or a control character inside one is shown as \xNN
 * rather than ending or garbling the text.  malloc'd; NULL without memory.
 */
static char *
name_text(const wchar_t *name, DWORD len)
{
	char *out = malloc((size_t)len * 4 + 1), *p = out;
	DWORD i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		int n;

		if (name[i] < 0x20 || name[i] == 0x7f) {
			p += sprintf(p, "\\x%02X", (unsigned)name[i]);
			continue;
		}
		n = WideCharToMultiByte(CP_UTF8, 0, name + i, 1, p, 4, NULL,
		    NULL);
		p += n > 0 ? n : sprintf(p, "?");
	}
	*p = '\0';
	return out;
}

/* Room for the longest value name and value data the key holds now. */
struct value_buf {
	wchar_t *name;
	DWORD name_cap;                /* characters, the NUL included */
	BYTE *data;
	DWORD data_cap;                /* bytes */
};

static LONG
value_buf_fit(HKEY key, struct value_buf *v, DWORD *count)
{
	DWORD name_max = 0, data_max = 0;
	LONG rc;
	void *p;

	rc = RegQueryInfoKeyW(key, NULL, NULL, NULL, NULL, NULL, NULL, count,
	    &name_max, &data_max, NULL, NULL);
	if (rc != ERROR_SUCCESS)
		return rc;
	if (name_max + 1 > v->name_cap) {
		if ((p = realloc(v->name, (name_max + 1) *
		    sizeof(wchar_t))) == NULL)
			return ERROR_NOT_ENOUGH_MEMORY;
		v->name = p;
		v->name_cap = name_max + 1;
	}
	if (data_max > v->data_cap || v->data == NULL) {
		if ((p = realloc(v->data, data_max ? data_max : 1)) == NULL)
			return ERROR_NOT_ENOUGH_MEMORY;
		v->data = p;
		v->data_cap = data_max;
	}
	return ERROR_SUCCESS;
}

/* Value i, whole, into v; its name and data lengths in *nlen, *dlen. */
static LONG
read_value(HKEY key, DWORD i, struct value_buf *v, DWORD *nlen,
    DWORD *dlen, DWORD *type)
{
	DWORD count;
	LONG rc = ERROR_MORE_DATA;
	int tries;

	for (tries = 0; tries < READ_TRIES && rc == ERROR_MORE_DATA; tries++) {
		if (tries > 0 && (rc = value_buf_fit(key, v, &count)) !=
		    ERROR_SUCCESS)
			return rc;
		*nlen = v->name_cap;
		*dlen = v->data_cap;
		rc = RegEnumValueW(key, i, v->name, nlen, NULL, type, v->data,
		    dlen);
	}
	return rc;
}

/* Decode the value just read into r; NULL, or why it is not an entry. */
static const char *
decode_value(const struct value_buf *v, DWORD dlen, DWORD type,
    struct ssl_record *r, char *why, size_t len)
{
	if (type != REG_BINARY)
		snprintf(why, len, "it is not REG_BINARY (type %lu)",
		    (unsigned long)type);
	else if (record_decode(v->data, dlen, r) != 0)
		snprintf(why, len, "its %lu bytes are not a record certbind "
		    "wrote", (unsigned long)dlen);
	else
		return NULL;
	return why;
}

/* Every entry of the open key into *out, reporting those unreadable. */
static LONG
load_entries(HKEY key, struct ssl_record **out, size_t *n,
    journal_bad_fn bad, void *arg)
{
	struct value_buf v = { NULL, 0, NULL, 0 };
	char why[256], *name;
	DWORD count = 0, i;
	LONG rc;

	if ((rc = value_buf_fit(key, &v, &count)) == ERROR_SUCCESS &&
	    (*out = calloc(count ? count : 1, sizeof(**out))) == NULL)
		rc = ERROR_NOT_ENOUGH_MEMORY;
	for (i = 0; rc == ERROR_SUCCESS && i < count; i++) {
		DWORD nlen = 0, dlen = 0, type = REG_NONE;
		const char *problem;
		LONG vrc = read_value(key, i, &v, &nlen, &dlen, &type);

		if (vrc == ERROR_NO_MORE_ITEMS)
			break;     /* values were removed meanwhile */
		if (vrc != ERROR_SUCCESS) {
			char which[32];

			snprintf(which, sizeof(which), "(value number %lu)",
			    (unsigned long)i);
			bad(which, win_strerror((uint32_t)vrc, why, sizeof(why)),
			    arg);
			continue;
		}
		problem = decode_value(&v, dlen, type, &(*out)[*n], why,
		    sizeof(why));
		if (problem == NULL) {
			(*n)++;
			continue;
		}
		name = name_text(v.name, nlen);
		bad(name != NULL ? name : "(out of memory)", problem, arg);
		free(name);
	}
	free(v.name);
	free(v.data);
	return rc;
}

int
journal_load(struct ssl_record **out, size_t *n, journal_bad_fn bad,
    void *arg)
{
	char why[256];
	HKEY key;
	LONG rc;

	*out = NULL;
	*n = 0;
	rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, JOURNAL_KEY, 0, KEY_QUERY_VALUE,
	    &key);
	if (rc == ERROR_FILE_NOT_FOUND)
		return 0;      /* no journal: nothing was interrupted */
	if (rc == ERROR_SUCCESS) {
		rc = load_entries(key, out, n, bad, arg);
		RegCloseKey(key);
	}
	if (rc != ERROR_SUCCESS) {
		bad(NULL, win_strerror((uint32_t)rc, why, sizeof(why)), arg);
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}
