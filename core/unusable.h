/*
 * unusable.h - certificates HTTP.sys refused for a binding, and until when
 * certbind passes them over.
 *
 * HTTP.sys answers a Set or Update with ERROR_NO_SUCH_LOGON_SESSION (1312)
 * when it cannot use the certificate's private key: the key is missing,
 * or SYSTEM may not read it, although certbind could open it.  Such a
 * certificate is passed over for that binding, so that the next
 * qualifying one is bound, and tried again after a backoff: 10 s,
 * doubling per refusal, at most an hour.  Everything here is a pure
 * function of the list and the time.
 */
#ifndef CERTBIND_UNUSABLE_H
#define CERTBIND_UNUSABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "policy.h"

#define UNUSABLE_BACKOFF_FIRST 10          /* seconds, doubled per refusal */
#define UNUSABLE_BACKOFF_MAX (60 * 60)
#define UNUSABLE_MAX 256                   /* entries kept; oldest dropped */

/* Why a certificate is passed over. */
enum unusable_cause {
	UNUSABLE_KEY_REFUSED,          /* HTTP.sys refused its key (1312) */
	UNUSABLE_UNSERVED              /* bound, the endpoint did not serve it
	                                  (mismatch or handshake-failed, see
	                                  verify.h); the change was rolled back */
};

struct unusable {
	char binding[BINDING_NAME_MAX + 1];
	enum unusable_cause cause;     /* of the latest refusal */
	uint8_t thumb[THUMB_LEN];
	int refusals;                  /* in a row, for the backoff */
	int64_t until;                 /* passed over while now < until */
};

struct unusable_list {
	struct unusable *v;
	size_t n, cap;
};

/* The backoff after the n'th refusal in a row (n >= 1), in seconds. */
int64_t unusable_backoff(int refusals);

/*
 * HTTP.sys refused thumb for binding at time now: remember it, or count
 * one more refusal.  Returns the moment it may be tried again, or -1 when
 * out of memory.
 */
int64_t unusable_note(struct unusable_list *l, const char *binding,
    const uint8_t thumb[THUMB_LEN], int64_t now);

/* The same, for the given cause (unusable_note is UNUSABLE_KEY_REFUSED). */
int64_t unusable_note_cause(struct unusable_list *l, const char *binding,
    const uint8_t thumb[THUMB_LEN], int64_t now, enum unusable_cause cause);

/* The cause of thumb's latest refusal for binding (KEY_REFUSED if none). */
enum unusable_cause unusable_cause(const struct unusable_list *l,
    const char *binding, const uint8_t thumb[THUMB_LEN]);

/*
 * thumb is passed over for binding at time now; *until (may be NULL) is
 * when that ends.  At the second of until it is tried again.
 */
bool unusable_now(const struct unusable_list *l, const char *binding,
    const uint8_t thumb[THUMB_LEN], int64_t now, int64_t *until);

/* thumb was bound for binding: forget its refusals. */
void unusable_forget(struct unusable_list *l, const char *binding,
    const uint8_t thumb[THUMB_LEN]);

/* Drop the entries of bindings policy p does not have (after a reload). */
void unusable_prune(struct unusable_list *l, const struct policy *p);

void unusable_free(struct unusable_list *l);

#endif
