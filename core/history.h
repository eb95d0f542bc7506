/*
 * history.h - the records certbind replaced at an endpoint, newest first,
 * and the pin a rollback leaves on a binding.
 *
 * certbind keeps, per endpoint, the last HISTORY_KEEP records it replaced
 * (each whole, as record.h holds it, with the time, the reason and the
 * thumbprint that replaced it), so that `certbind rollback` can put one
 * back.  service/history.c keeps them in the registry; this file is the
 * pure part: the versioned byte encoding, which refuses anything that is
 * not a whole, valid value certbind wrote for that endpoint, and the pin
 * decision the planner takes.
 */
#ifndef CERTBIND_HISTORY_H
#define CERTBIND_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "record.h"

#define HISTORY_KEEP 5                 /* records kept per endpoint */
#define HISTORY_REASON_MAX 16          /* "apply", "service", "rollback"... */

struct history_entry {
	int64_t at;                    /* when it was replaced, UTC seconds */
	char reason[HISTORY_REASON_MAX + 1]; /* the command that replaced it */
	struct ssl_record record;      /* the record replaced, whole */
	uint8_t by[RECORD_HASH_MAX];   /* the hash of the record that took */
	uint32_t by_len;               /* its place (0: none, ccs) */
};

struct history {
	struct history_entry v[HISTORY_KEEP]; /* newest first */
	size_t n;
};

/* One entry's encoding at most; the whole value at most. */
#define HISTORY_ENTRY_MAX (8 + 1 + HISTORY_REASON_MAX + 4 + \
    RECORD_HASH_MAX + 4 + RECORD_ENCODED_MAX)
#define HISTORY_ENCODED_MAX (4 + 4 + HISTORY_KEEP * HISTORY_ENTRY_MAX)

/*
 * Add e as the newest entry, dropping the oldest beyond HISTORY_KEEP.  A
 * reason that is not 1 to HISTORY_REASON_MAX lower-case letters, digits
 * or '-' is refused: -1, h unchanged; else 0.
 */
int history_push(struct history *h, const struct history_entry *e);

/* h as bytes into buf; the length, or 0 when it does not fit. */
size_t history_encode(const struct history *h, uint8_t *buf, size_t len);

/*
 * The value of endpoint ep back into *h.  Returns 0, or -1 with why set
 * when buf is not a whole value of this version that certbind wrote for
 * ep: then *h is empty and must not be used.
 */
int history_decode(const uint8_t *buf, size_t len,
    const struct endpoint *ep, struct history *h, char *why, size_t whylen);

/*
 * The newest entry whose record differs from now (the record HTTP.sys
 * holds; NULL: none): what a rollback puts back.  -1 when there is none.
 */
int history_rollback_index(const struct history *h,
    const struct ssl_record *now);

/* The two records are the same, every field. */
bool history_same_record(const struct ssl_record *a,
    const struct ssl_record *b);

/*
 * A pin: `certbind rollback` moved a binding back from certificate away,
 * and the planner keeps it there until a certificate issued after away
 * (a later NotBefore) qualifies, or `apply --force`.
 */
struct pin {
	uint8_t away[THUMB_LEN];       /* the certificate rolled away from */
	int64_t away_not_before;       /* its NotBefore, or, when it was not
	                                  in the store, the rollback's time */
	int64_t at;                    /* when the rollback was made */
};

/* What `certbind history` lists for one endpoint. */
struct history_row {
	const char *binding;           /* the policy's name for it, or NULL */
	struct endpoint endpoint;
	struct history hist;
	bool pinned;
	struct pin pin;
	const char *error;             /* a value could not be read: why */
};

#define PIN_ENCODED_LEN (4 + THUMB_LEN + 8 + 8)

size_t pin_encode(const struct pin *p, uint8_t *buf, size_t len);

/* Returns 0, or -1 with why set when buf is not a pin certbind wrote. */
int pin_decode(const uint8_t *buf, size_t len, struct pin *p, char *why,
    size_t whylen);

#endif
