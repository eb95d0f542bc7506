/*
 * metrics.h - the Prometheus text file for windows_exporter's textfile
 * collector (service.metrics_file).
 */
#ifndef CERTBIND_METRICS_H
#define CERTBIND_METRICS_H

#include "apply.h"

/*
 * Write the metrics for rs to path, replacing the old file atomically
 * (a temporary file beside it, then MoveFileEx), so the collector never
 * reads half a file.  Returns 0, or a Win32 error code.
 */
unsigned long metrics_write(const char *path, const struct runstate *rs);

#endif
