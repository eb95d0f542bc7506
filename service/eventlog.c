/*
 * eventlog.c - ReportEventW under the source "CertBind".
 *
 * Each event carries its text as the single insertion string.  Wine 8
 * stores nothing: ReportEventW only prints to the "eventlog" debug channel
 * (WINEDEBUG=+eventlog shows it), which is how the tests read it.
 */
#include <windows.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "../core/text.h"
#include "eventlog.h"
#include "out.h"
#include "wstr.h"

static HANDLE source;
static bool echo;

void
evlog_echo(bool on)
{
	echo = on;
}

bool
evlog_echoing(void)
{
	return echo;
}

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
	static const char *const names[] = { "information", "warning",
	    "error" };
	wchar_t *wide;
	LPCWSTR strings[1];

	if (echo) {
		out_printf(OUT_STDERR, "certbind[%u] %s: %s\n", (unsigned)id,
		    names[level], text);
	}
	if (source == NULL || (wide = wide_from_utf8(text)) == NULL)
		return;
	strings[0] = wide;
	ReportEventW(source, types[level], 0, id, NULL, 1, 0, strings, NULL);
	free(wide);
}

static void say_text(enum ev_level level, uint32_t id, const char *text);

/*
 * Print a decision (info to stdout, the rest to stderr) and log it.  The
 * text is as long as it needs to be: a record's fields or a netsh command
 * are never cut short.
 */
void
say(enum ev_level level, uint32_t id, const char *fmt, ...)
{
	char *raw, *text;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (raw = malloc((size_t)n + 1)) == NULL) {
		out_puts(OUT_STDERR, "certbind: out of memory for a message\n");
		return;
	}
	va_start(ap, fmt);
	vsnprintf(raw, (size_t)n + 1, fmt, ap);
	va_end(ap);
	/*
	 * Messages quote names from certificates, HTTP.sys and the policy:
	 * a control character in one is shown as \xHH, so that it cannot
	 * rewrite a terminal or forge a line.  Line breaks certbind puts in
	 * a message itself are kept.
	 */
	text = text_escape_str(raw, TEXT_KEEP_NEWLINE);
	say_text(level, id, text != NULL ? text : raw);
	free(text);
	free(raw);
}

static void
say_text(enum ev_level level, uint32_t id, const char *text)
{
	if (id != 0 && evlog_echoing()) {
		evlog_write(level, id, text);    /* prints it, with its ID */
		return;
	}
	out_printf(level == EV_INFO ? OUT_STDOUT : OUT_STDERR, "%s\n", text);
	if (id != 0)
		evlog_write(level, id, text);
}

