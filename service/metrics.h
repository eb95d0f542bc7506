/*
 * metrics.h - the Prometheus text file for windows_exporter's textfile
 * collector (service.metrics_file).
 */
#ifndef CERTBIND_METRICS_H
#define CERTBIND_METRICS_H

#include <stddef.h>

#include "apply.h"

/*
 * metrics_write's result when a file certbind did not write is in the
 * way, at path or at its temporary name path.tmp; it is left alone.  Bit
 * 29 marks an application's own code, which no Win32 error has, so a
 * Win32 failure (ERROR_FILE_EXISTS from CreateFileW, say) is never taken
 * for it.
 */
#define METRICS_NOT_OURS (0x20000000UL | 1)

/*
 * Write the metrics for rs to path (absolute, of any length), replacing
 * the old file atomically (path.tmp, then MoveFileEx), so the collector
 * never reads half a file.  Returns 0, or a Win32 error code with the
 * sentence to report in why.
 */
unsigned long metrics_write(const char *path, const struct runstate *rs,
    char *why, size_t len);

#endif
