/*
 * eventlog.c - ReportEventW under the source "CertBind".
 *
 * Each event carries its text as the single insertion string.  Wine 8
 * stores nothing: ReportEventW only prints to the "eventlog" debug channel
 * (WINEDEBUG=+eventlog shows it), which is how the tests read it.
 */
#include <windows.h>
#include <stdlib.h>

#include "eventlog.h"
#include "wstr.h"

static HANDLE source;

void
evlog_open(void)
{
	if (source == NULL)
		source = RegisterEventSourceW(NULL, L"CertBind");
}

void
evlog_close(void)
{
	if (source != NULL)
		DeregisterEventSource(source);
	source = NULL;
}

void
evlog_write(enum ev_level level, uint32_t id, const char *text)
{
	static const WORD types[] = {
		EVENTLOG_INFORMATION_TYPE, EVENTLOG_WARNING_TYPE,
		EVENTLOG_ERROR_TYPE
	};
	wchar_t *wide;
	LPCWSTR strings[1];

	if (source == NULL || (wide = wide_from_utf8(text)) == NULL)
		return;
	strings[0] = wide;
	ReportEventW(source, types[level], 0, id, NULL, 1, 0, strings, NULL);
	free(wide);
}
