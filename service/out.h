/*
 * out.h - everything certbind prints to stdout and stderr, held in one
 * buffer and written in whole pieces.
 *
 * Nothing in service/ prints with stdio: a printf there would reach a
 * console one character per system call (see out.c), and would overtake
 * or trail the text held here.  tests/integration/test_imports.sh checks.
 */
#ifndef CERTBIND_OUT_H
#define CERTBIND_OUT_H

#include "../core/error.h"

enum out_stream { OUT_STDOUT, OUT_STDERR };

/*
 * Add text for a stream.  Text held for the other stream is written
 * first, so that lines keep their order when both streams reach the same
 * console, pipe or file.  What is held is written once it passes
 * OUT_FLUSH_AT bytes, and by out_flush().
 */
void out_puts(enum out_stream s, const char *text);
void out_printf(enum out_stream s, const char *fmt, ...) CB_PRINTF(2, 3);

/*
 * Write what is held: at the end (every exit path, and before the
 * service reports that it stopped), and before anything that may wait or
 * block - a lock, the service loop's sleep, a retry's Sleep - so that
 * what was said before a wait is seen during it.
 */
void out_flush(void);

#endif
