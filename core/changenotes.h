/*
 * changenotes.h - what a policy does around a change besides the record,
 * for `certbind check`: the services each binding restarts and when, and
 * the accounts it gives read access to its new private key.  An operator
 * reads these before the first restart happens at 3 in the morning.
 */
#ifndef CERTBIND_CHANGENOTES_H
#define CERTBIND_CHANGENOTES_H

#include "policy.h"

/*
 * One line per binding and kind: "note: binding 'api' restarts WMSvc
 * after a change, in window 02:00-04:00 (local time)\n".  A malloc'd
 * string, "" when there is nothing to say; NULL when out of memory.
 */
char *change_notes(const struct policy *p);

#endif
