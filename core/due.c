/*
 * due.c - when a certificate's standing changes by itself; see due.h.
 */
#include "due.h"

#define DAY_SECONDS INT64_C(86400)

int64_t
cert_valid_from(const struct cert *c)
{
	return c->not_before;
}

int64_t
cert_expired_from(const struct cert *c)
{
	return c->not_after + 1;
}

int64_t
cert_warning_from(const struct cert *c, int days)
{
	return c->not_after - (int64_t)days * DAY_SECONDS;
}

/* not_after - now < days: the first whole second after the edge. */
int64_t
cert_short_from(const struct cert *c, int days)
{
	return c->not_after + 1 - (int64_t)days * DAY_SECONDS;
}
