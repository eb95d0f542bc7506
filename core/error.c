/*
 * error.c - filling in and printing struct cb_error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "text.h"

/*
 * Messages quote policy values and file names, which may hold control
 * characters (a YAML "\e" escape, say): they are printed as \xHH so that
 * an error can never rewrite the operator's terminal or the log.  The
 * text is formatted first and then escaped into the fixed field, so that
 * a long message is cut between characters, never inside an escape or a
 * UTF-8 sequence, and ends with "..." to show the cut.
 *
 * It is formatted on the stack, not the heap: the error to report may be
 * "out of memory" itself.  Escaping never shortens a text, so the first
 * FORMAT_MAX bytes of a message always fill a field of fewer bytes: what
 * is cut from a longer message here would be cut from the field anyway.
 */
#define FORMAT_MAX 1024
_Static_assert(FORMAT_MAX > sizeof(((struct cb_error *)0)->msg) &&
    FORMAT_MAX > sizeof(((struct cb_error *)0)->file),
    "a message is formatted whole enough to fill its field");

static void
set_escaped(char *field, size_t size, const char *fmt, va_list ap)
{
	char whole[FORMAT_MAX];

	if (vsnprintf(whole, sizeof(whole), fmt, ap) < 0) {
		snprintf(field, size, "(error message could not be formatted)");
		return;
	}
	text_escape_into(whole, 0, field, size);
}

/* set_escaped() with its own arguments. */
static void
set_escapedf(char *field, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_escaped(field, size, fmt, ap);
	va_end(ap);
}

int
cb_error_vset(struct cb_error *err, const char *file, int line, int col,
    const char *fmt, va_list ap)
{
	if (err == NULL)
		return -1;
	set_escapedf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	err->col = col;
	set_escaped(err->msg, sizeof(err->msg), fmt, ap);
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
