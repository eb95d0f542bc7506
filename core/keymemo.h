/*
 * keymemo.h - the private keys the service found usable, kept between its
 * reconciles.
 *
 * Opening a key is a provider call per certificate (milliseconds each
 * under Wine), and a service that reconciles on every store change would
 * open the same winners' keys every time.  So `certbind run` remembers
 * which certificates' keys opened, by thumbprint and by where the key
 * lives (the certificate's CERT_KEY_PROV_INFO, flattened by the caller):
 * a certificate whose key link is changed is asked about again.  Only
 * keys that opened are kept: a key that failed may be imported at any
 * moment and is asked about at every reconcile.  The memo is dropped
 * once it is older than the resync interval, so that a key deleted
 * behind its certificate's back (which changes no certificate property)
 * is noticed within that interval.  Pure: the clock is an argument.
 */
#ifndef CERTBIND_KEYMEMO_H
#define CERTBIND_KEYMEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert.h"

struct key_memo_entry {
	uint8_t thumb[THUMB_LEN];
	unsigned char *where;          /* the key's location, as given */
	size_t len;
};

struct key_memo {
	struct key_memo_entry *v;      /* sorted by thumbprint, then where */
	size_t n, cap;
	bool begun;
	uint64_t since_ms;             /* when it was begun */
};

/* The key of thumb, at where (len bytes), opened since the memo began. */
bool keymemo_opens(const struct key_memo *m, const uint8_t thumb[THUMB_LEN],
    const void *where, size_t len);

/*
 * Remember that the key of thumb at where opened.  Returns 0, or -1 when
 * out of memory (nothing is remembered; nothing is wrong).
 */
int keymemo_add(struct key_memo *m, const uint8_t thumb[THUMB_LEN],
    const void *where, size_t len);

/*
 * The memo was never begun, or is as old as the resync interval
 * (resync_ms) at now_ms: clear it and begin it again before the next
 * reconcile looks at it.
 */
bool keymemo_stale(const struct key_memo *m, uint64_t now_ms,
    int64_t resync_ms);

/* Forget every entry; the memo is begun at now_ms. */
void keymemo_begin(struct key_memo *m, uint64_t now_ms);

/* Forget every entry and free them. */
void keymemo_clear(struct key_memo *m);

#endif
