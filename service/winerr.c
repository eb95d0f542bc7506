/*
 * winerr.c - FormatMessageW for Win32 error codes.
 */
#include <windows.h>
#include <stdio.h>

#include "winerr.h"

const char *
win_strerror(uint32_t code, char *buf, size_t len)
{
	wchar_t text[256];
	char utf8[512];
	DWORD n;

	n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM |
	    FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code, 0, text, 256, NULL);
	while (n > 0 && (text[n - 1] == L'\n' || text[n - 1] == L'\r' ||
	    text[n - 1] == L' ' || text[n - 1] == L'.'))
		text[--n] = L'\0';
	if (n == 0 || WideCharToMultiByte(CP_UTF8, 0, text, -1, utf8,
	    sizeof(utf8), NULL, NULL) == 0)
		snprintf(buf, len, "error %lu", (unsigned long)code);
	else
		snprintf(buf, len, "%s (error %lu)", utf8, (unsigned long)code);
	return buf;
}
