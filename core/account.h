/*
 * account.h - what the answer of an account lookup means for key_access:
 * a name that is definitely not an account, which makes the policy
 * invalid, against one that cannot be resolved at the moment (a domain
 * controller out of reach, a broken trust), which must not stop the
 * service from loading its policy.  Pure: the Win32 error is the input.
 */
#ifndef CERTBIND_ACCOUNT_H
#define CERTBIND_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum account_outcome {
	ACCOUNT_FOUND,         /* it resolved */
	ACCOUNT_UNKNOWN,       /* no such account, or not a name at all */
	ACCOUNT_UNREACHABLE    /* no answer now: asked again when needed */
};

/* The outcome of a lookup that returned the Win32 error (0: none). */
enum account_outcome account_outcome(uint32_t error);

/*
 * What loading a policy does with an account's outcome: ACCOUNT_UNKNOWN
 * fails the load (and `certbind check`), ACCOUNT_UNREACHABLE is a
 * warning and the account is resolved again when its binding must move.
 */
bool account_fails_load(enum account_outcome o);

#endif
