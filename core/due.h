/*
 * due.h - the moments at which a certificate's standing changes by
 * itself, and the one test of whether such a moment has come.
 *
 * The service sleeps until the earliest of these moments
 * (plan_next_event) and then plans again; the plan must find the change
 * it woke for.  Both sides therefore use the same moment and the same
 * test, due(): the change has happened at t exactly when t >= its moment.
 * Times are UTC seconds since 1970; days are 86,400 seconds.
 */
#ifndef CERTBIND_DUE_H
#define CERTBIND_DUE_H

#include <stdbool.h>
#include <stdint.h>

#include "cert.h"

/* The moment has come at now. */
static inline bool
due(int64_t moment, int64_t now)
{
	return now >= moment;
}

/* It becomes valid (NotBefore <= now). */
int64_t cert_valid_from(const struct cert *c);

/* It has expired (now > NotAfter). */
int64_t cert_expired_from(const struct cert *c);

/* An expiry warning is due: NotAfter is days days away or less. */
int64_t cert_warning_from(const struct cert *c, int days);

/* It has fewer than days days left (fails match.min_days_left). */
int64_t cert_short_from(const struct cert *c, int days);

#endif
