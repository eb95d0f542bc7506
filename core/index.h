/*
 * index.h - the certificate inventory indexed by name and by thumbprint.
 *
 * Planning looks certificates up by the host name a binding must cover and
 * by thumbprint (allow-lists, renewal links, the bound certificate), so
 * that a plan costs O(certificates + bindings) instead of a scan of the
 * whole store for every binding.  A name lookup may return certificates
 * that do not cover the host after all (a wildcard into an A-label); the
 * caller still judges each one with cert_covers().
 */
#ifndef CERTBIND_INDEX_H
#define CERTBIND_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "cert.h"

struct ix_slot;
struct ix_post;

struct ix_table {
	struct ix_slot *slots;
	size_t cap, used;
};

struct cert_index {
	const struct inventory *inv;
	struct ix_table names;         /* presented name -> certificates */
	struct ix_table thumbs;        /* thumbprint -> certificates */
	struct ix_post *posts;
	size_t nposts, capposts;
	char **keys;                   /* normalised names the index owns */
	size_t nkeys;
};

/* Index inv, which must outlive the index.  Returns 0, or -1 (memory). */
int index_build(struct cert_index *ix, const struct inventory *inv);
void index_free(struct cert_index *ix);

/*
 * Call fn for every certificate with a presented name that could cover
 * host (lower case, no trailing dot): the exact name, or a wildcard over
 * its parent.  A certificate may be reported once per matching name.
 */
void index_by_name(const struct cert_index *ix, const char *host,
    void (*fn)(const struct cert *c, void *arg), void *arg);

/* Every certificate with this thumbprint (one per store it is in). */
void index_by_thumb(const struct cert_index *ix,
    const uint8_t thumb[THUMB_LEN],
    void (*fn)(const struct cert *c, void *arg), void *arg);

#endif
