/*
 * longpath.c - paths of any length for the file APIs; see longpath.h.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../core/winpath.h"
#include "longpath.h"
#include "wstr.h"

wchar_t *
longpath_from_utf8(const char *path, DWORD *err)
{
	char *norm = winpath_normalize(path), *pre;
	wchar_t *out;
	size_t n;

	if (norm == NULL) {
		*err = winpath_absolute(path) ? ERROR_NOT_ENOUGH_MEMORY :
		    ERROR_BAD_PATHNAME;
		return NULL;
	}
	n = strlen(norm);
	if ((pre = malloc(n + sizeof("\\\\?\\UNC"))) == NULL) {
		free(norm);
		*err = ERROR_NOT_ENOUGH_MEMORY;
		return NULL;
	}
	/* \\server\share\x becomes \\?\UNC\server\share\x. */
	if (norm[0] == '\\') {
		memcpy(pre, "\\\\?\\UNC", 7);
		memcpy(pre + 7, norm + 1, n);
	} else {
		memcpy(pre, "\\\\?\\", 4);
		memcpy(pre + 4, norm, n + 1);
	}
	free(norm);
	if ((out = wide_from_utf8(pre)) == NULL)
		*err = ERROR_NO_UNICODE_TRANSLATION;
	free(pre);
	return out;
}

wchar_t *
longpath_full(const wchar_t *path, DWORD *err)
{
	DWORD n = GetFullPathNameW(path, 0, NULL, NULL), got;
	wchar_t *out;

	for (;;) {
		if (n == 0) {
			*err = GetLastError() ? GetLastError() : ERROR_BAD_PATHNAME;
			return NULL;
		}
		if ((out = malloc(n * sizeof(wchar_t))) == NULL) {
			*err = ERROR_NOT_ENOUGH_MEMORY;
			return NULL;
		}
		got = GetFullPathNameW(path, n, out, NULL);
		if (got > 0 && got < n)
			return out;
		/* The current folder changed in between: ask again. */
		free(out);
		n = got;
	}
}

wchar_t *
longpath_whole(const wchar_t *path, DWORD *err)
{
	wchar_t *full = longpath_full(path, err), *out;
	size_t n;

	if (full == NULL)
		return NULL;
	n = wcslen(full);
	if (n < MAX_PATH - 12 || wcsncmp(full, L"\\\\?\\", 4) == 0 ||
	    wcsncmp(full, L"\\\\.\\", 4) == 0)
		return full;
	if ((out = malloc((n + 8) * sizeof(wchar_t))) == NULL) {
		free(full);
		*err = ERROR_NOT_ENOUGH_MEMORY;
		return NULL;
	}
	if (full[0] == L'\\' && full[1] == L'\\')
		swprintf(out, n + 8, L"\\\\?\\UNC%ls", full + 1);
	else
		swprintf(out, n + 8, L"\\\\?\\%ls", full);
	free(full);
	return out;
}

wchar_t *
longpath_append(const wchar_t *s, const wchar_t *suffix)
{
	size_t a = wcslen(s), b = wcslen(suffix);
	wchar_t *out = malloc((a + b + 1) * sizeof(wchar_t));

	if (out == NULL)
		return NULL;
	wmemcpy(out, s, a);
	wmemcpy(out + a, suffix, b + 1);
	return out;
}

wchar_t *
longpath_folder(const wchar_t *full)
{
	const wchar_t *slash = wcsrchr(full, L'\\');
	size_t n = slash != NULL ? (size_t)(slash - full) : 0;
	wchar_t *out;

	if (slash == NULL)
		return NULL;
	/* C:\ and \\?\C:\ keep their backslash: C: alone is the current
	 * folder on drive C. */
	if (n == 2 && full[1] == L':')
		n++;
	else if (n == 6 && wcsncmp(full, L"\\\\?\\", 4) == 0 &&
	    full[5] == L':')
		n++;
	if ((out = malloc((n + 1) * sizeof(wchar_t))) == NULL)
		return NULL;
	wmemcpy(out, full, n);
	out[n] = L'\0';
	return out;
}
