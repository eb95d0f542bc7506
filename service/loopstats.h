/*
 * loopstats.h - the service loop's wake-up counts and private bytes,
 * published for `certbind status --json` under the volatile registry key
 * HKLM\SOFTWARE\CertBind\Service while the loop runs.
 */
#ifndef CERTBIND_LOOPSTATS_H
#define CERTBIND_LOOPSTATS_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/wakeup.h"

/* The process's private bytes (PrivateUsage); 0 when unknown. */
uint64_t loopstats_private_bytes(void);

/* Publish s as the running loop's, with this process's id and start. */
void loopstats_publish(const struct loop_stats *s, const char *command);

/* Remove what this process published (the loop has ended). */
void loopstats_clear(void);

/*
 * What a running loop published: true with *out filled when the process
 * that published it is still running (the same id and start time);
 * false when no loop runs.
 */
bool loopstats_read(struct loop_stats *out);

#endif
