/*
 * error.c - filling in and printing struct cb_error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "text.h"

/*
 * Messages quote policy values and file names, which may hold control
 * characters (a YAML "\e" escape, say): they are printed as \xHH so that
 * an error can never rewrite the operator's terminal or the log.
 */
static void
escape_in_place(char *buf, size_t len)
{
	char *e;

	if (!text_needs_escape(buf, 0) || (e = text_escape_str(buf, 0)) == NULL)
		return;
	snprintf(buf, len, "%s", e);
	free(e);
}

int
cb_error_vset(struct cb_error *err, const char *file, int line, int col,
    const char *fmt, va_list ap)
{
	if (err == NULL)
		return -1;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	err->col = col;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	escape_in_place(err->file, sizeof(err->file));
	escape_in_place(err->msg, sizeof(err->msg));
	return -1;
}

int
cb_error_set(struct cb_error *err, const char *file, int line, int col,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cb_error_vset(err, file, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

const char *
cb_error_format(const struct cb_error *err, char *buf, size_t len)
{
	if (err->file[0] && err->line > 0)
		snprintf(buf, len, "%s:%d:%d: %s", err->file, err->line,
		    err->col, err->msg);
	else if (err->file[0])
		snprintf(buf, len, "%s: %s", err->file, err->msg);
	else
		snprintf(buf, len, "%s", err->msg);
	return buf;
}
