/*
 * winerr.c - FormatMessageW for Win32 error codes.
 */
#include <windows.h>
#include <stdio.h>

#include "winerr.h"

const char *
win_message(uint32_t code, char *buf, size_t len)
{
	wchar_t text[256];
	DWORD n;

	buf[0] = '\0';
	n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM |
	    FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code, 0, text, 256, NULL);
	while (n > 0 && (text[n - 1] == L'\n' || text[n - 1] == L'\r' ||
	    text[n - 1] == L' ' || text[n - 1] == L'.'))
		text[--n] = L'\0';
	if (n == 0 || WideCharToMultiByte(CP_UTF8, 0, text, -1, buf,
	    (int)len, NULL, NULL) == 0)
		buf[0] = '\0';
	return buf;
}

const char *
win_strerror(uint32_t code, char *buf, size_t len)
{
	char utf8[512];

	if (win_message(code, utf8, sizeof(utf8))[0] == '\0')
		snprintf(buf, len, "error %lu", (unsigned long)code);
	else
		snprintf(buf, len, "%s (error %lu)", utf8, (unsigned long)code);
	return buf;
}
