/*
 * journal.c - the rotation journal in the registry; see journal.h.
 *
 * RegFlushKey after each write: the point of the journal is to survive a
 * crash or power loss between HttpDeleteServiceConfiguration and
 * HttpSetServiceConfiguration, so the entry must be on disk before the
 * Delete is made.
 */
#include <windows.h>
#include <stdlib.h>

#include "journal.h"
#include "wstr.h"

#define JOURNAL_KEY L"SOFTWARE\\CertBind\\Journal"

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
	rc = open_journal(KEY_SET_VALUE, &key);
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

	if (name != NULL && open_journal(KEY_SET_VALUE, &key) == ERROR_SUCCESS) {
		RegDeleteValueW(key, name);
		RegFlushKey(key);
		RegCloseKey(key);
	}
	free(name);
}

int
journal_load(struct ssl_record **out, size_t *n)
{
	wchar_t name[ENDPOINT_TEXT_MAX];
	uint8_t buf[RECORD_ENCODED_MAX];
	DWORD count = 0, i;
	HKEY key;

	*out = NULL;
	*n = 0;
	if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, JOURNAL_KEY, 0, KEY_QUERY_VALUE,
	    &key) != ERROR_SUCCESS)
		return 0;      /* no journal: nothing was interrupted */
	if (RegQueryInfoKeyW(key, NULL, NULL, NULL, NULL, NULL, NULL, &count,
	    NULL, NULL, NULL, NULL) != ERROR_SUCCESS ||
	    (*out = calloc(count ? count : 1, sizeof(**out))) == NULL) {
		RegCloseKey(key);
		return -1;
	}
	for (i = 0; i < count; i++) {
		DWORD nlen = ENDPOINT_TEXT_MAX, blen = sizeof(buf), type;

		if (RegEnumValueW(key, i, name, &nlen, NULL, &type, buf,
		    &blen) != ERROR_SUCCESS)
			break;
		if (type == REG_BINARY &&
		    record_decode(buf, blen, &(*out)[*n]) == 0)
			(*n)++;
	}
	RegCloseKey(key);
	return 0;
}
