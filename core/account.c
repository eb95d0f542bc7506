/*
 * account.c - an account lookup's error, sorted into "no such account"
 * and "no answer now"; see account.h.
 *
 * LookupAccountNameW returns the error of the LSA lookup behind it
 * ([MS-LSAT] 3.1.4.5-3.1.4.8): ERROR_NONE_MAPPED when the name is
 * not an account that any domain this machine trusts knows.  When the
 * lookup cannot reach who would know (no domain controller, a broken
 * secure channel, the RPC call failing), it returns that failure instead:
 * ERROR_TRUSTED_RELATIONSHIP_FAILURE, ERROR_TRUSTED_DOMAIN_FAILURE,
 * ERROR_NO_LOGON_SERVERS, RPC_S_SERVER_UNAVAILABLE, RPC_S_CALL_FAILED,
 * ERROR_NO_SUCH_DOMAIN ("does not exist or could not be contacted"),
 * ERROR_DOMAIN_CONTROLLER_NOT_FOUND, ERROR_TIMEOUT, and others.  Only
 * the answers that say the name itself is wrong are certain; every other
 * error is taken as "not now", so that a failure of the network never
 * makes a valid policy invalid.
 *
 * The codes are written out: core/ includes no Windows header.
 */
#include "account.h"

#define ERROR_INVALID_NAME_ 123u        /* not a name (empty, too long) */
#define ERROR_NONE_MAPPED_ 1332u        /* no such account */
#define ERROR_INVALID_SID_ 1337u        /* "S-1-..." that is not a SID */

enum account_outcome
account_outcome(uint32_t error)
{
	switch (error) {
	case 0:
		return ACCOUNT_FOUND;
	case ERROR_INVALID_NAME_:
	case ERROR_NONE_MAPPED_:
	case ERROR_INVALID_SID_:
		return ACCOUNT_UNKNOWN;
	default:
		return ACCOUNT_UNREACHABLE;
	}
}

bool
account_fails_load(enum account_outcome o)
{
	return o == ACCOUNT_UNKNOWN;
}
