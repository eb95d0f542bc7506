/*
 * error.h - the one error record core/ returns.
 *
 * Every function in core/ that can fail takes a struct cb_error * and
 * returns -1 after filling it in, 0 on success.  A position (line, col;
 * 1-based) is kept when the error points into a policy file, so that the
 * CLI and the Event Log can say FILE:LINE:COL the way compilers do.
 */
#ifndef CERTBIND_ERROR_H
#define CERTBIND_ERROR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>   /* defines __MINGW_PRINTF_FORMAT under mingw-w64 */

/* Let the compiler check format strings, against the printf in use. */
#if defined(__MINGW32__) && defined(__MINGW_PRINTF_FORMAT)
#define CB_PRINTF(fmt, args) \
	__attribute__((format(__MINGW_PRINTF_FORMAT, fmt, args)))
#elif defined(__GNUC__)
#define CB_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CB_PRINTF(fmt, args)
#endif

struct cb_error {
	char file[260];    /* policy file name as given; empty if none */
	int line, col;     /* 1-based; 0 when the error has no position */
	char msg[480];     /* what was wrong and what was expected */
};

/* Fill in err (which may be NULL) and return -1. */
int cb_error_set(struct cb_error *err, const char *file, int line, int col,
    const char *fmt, ...) CB_PRINTF(5, 6);

/* The same, for wrappers that take their own variable arguments. */
int cb_error_vset(struct cb_error *err, const char *file, int line, int col,
    const char *fmt, va_list ap);

/* "FILE:LINE:COL: msg", "FILE: msg" or "msg", whichever parts are known. */
const char *cb_error_format(const struct cb_error *err, char *buf, size_t len);

#endif
