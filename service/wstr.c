/*
 * wstr.c - UTF-16 <-> UTF-8 with WideCharToMultiByte/MultiByteToWideChar.
 */
#include <windows.h>
#include <limits.h>
#include <stdlib.h>

#include "../core/text.h"
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

/*
 * With an explicit length WideCharToMultiByte converts every unit, NULs
 * included, and returns the byte count; nothing is cut at a NUL.
 */
char *
text_from_wide(const wchar_t *s, size_t n)
{
	char *utf8, *out;
	int len;

	if (n == 0)
		return text_escape("", 0, TEXT_BACKSLASH);
	if (n > INT_MAX / 4)
		return NULL;
	len = WideCharToMultiByte(CP_UTF8, 0, s, (int)n, NULL, 0, NULL, NULL);
	if (len <= 0 || (utf8 = malloc((size_t)len)) == NULL)
		return NULL;
	WideCharToMultiByte(CP_UTF8, 0, s, (int)n, utf8, len, NULL, NULL);
	out = text_escape(utf8, (size_t)len, TEXT_BACKSLASH);
	free(utf8);
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
