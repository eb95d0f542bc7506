/*
 * wstr.c - UTF-16 <-> UTF-8 with WideCharToMultiByte/MultiByteToWideChar.
 */
#include <windows.h>
#include <stdlib.h>

#include "wstr.h"

char *
utf8_from_wide(const wchar_t *s)
{
	int n = WideCharToMultiByte(CP_UTF8, 0, s, -1, NULL, 0, NULL, NULL);
	char *out;

	if (n <= 0 || (out = malloc((size_t)n)) == NULL)
		return NULL;
	WideCharToMultiByte(CP_UTF8, 0, s, -1, out, n, NULL, NULL);
	return out;
}

wchar_t *
wide_from_utf8(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1,
	    NULL, 0);
	wchar_t *out;

	if (n <= 0 || (out = malloc((size_t)n * sizeof(wchar_t))) == NULL)
		return NULL;
	MultiByteToWideChar(CP_UTF8, 0, s, -1, out, n);
	return out;
}
