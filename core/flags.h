/*
 * flags.h - which Windows each HTTP.sys record flag needs, for `check`.
 *
 * HTTP_SERVICE_CONFIG_SSL_PARAM documents DefaultFlags 0x1, 0x2 and 0x4
 * for every Windows with HTTP.sys; the bits above came later, and a
 * Windows that does not know one rejects the whole record with
 * ERROR_INVALID_PARAMETER.  `certbind check` says so before `apply` finds
 * out.
 */
#ifndef CERTBIND_FLAGS_H
#define CERTBIND_FLAGS_H

#include "policy.h"

/*
 * One line per flag the policy turns on that older Windows lacks:
 * "note: disable_quic (used by api, www) needs ...\n".  A malloc'd
 * string, "" when there is nothing to say; NULL when out of memory.
 */
char *flag_notes(const struct policy *p);

#endif
