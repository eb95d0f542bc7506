/*
 * strpool.h - one shared copy of each text a record names.
 *
 * A record (record.h) names its certificate store and CTL by texts of up
 * to 255 and 1,024 characters, and nearly every record names the same
 * few: none, "MY", "WebHosting".  Kept inline, the room for the longest
 * made each record 4.7 KB and a 1,000-binding plan 24 MiB.  Here each
 * distinct text is kept once, for the life of the process, and records
 * point at it: a record costs what its content costs, and a copy of one
 * copies pointers.  The pool grows only with distinct texts, of which
 * HTTP.sys and the policy hold few.
 *
 * Not locked: records are read, planned and written on one thread (the
 * command's, or the service loop's).
 */
#ifndef CERTBIND_STRPOOL_H
#define CERTBIND_STRPOOL_H

#include <stddef.h>

/*
 * The pooled copy of the n bytes at p, NUL-terminated; the same pointer
 * for the same bytes.  NULL when out of memory.  p must hold no NUL: a
 * text with one is refused by the callers, never cut short.
 */
const char *strpool_get(const char *p, size_t n);

#endif
