/*
 * cert.c - the certificate inventory and small certificate helpers.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"

static char *
dup_or_null(const char *s, bool *failed)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = malloc(strlen(s) + 1);
	if (d == NULL) {
		*failed = true;
		return NULL;
	}
	return strcpy(d, s);
}

void
cert_clear(struct cert *c)
{
	size_t i;

	for (i = 0; i < c->ndns; i++)
		free(c->dns[i]);
	free(c->dns);
	free(c->subject);
	free(c->issuer);
	free(c->cn);
	free(c->template_name);
	free(c->template_oid);
	free(c->key_error);
	free(c->issuers);
	memset(c, 0, sizeof(*c));
}

int
inventory_add(struct inventory *inv, const struct cert *c)
{
	struct cert *d;
	bool failed = false;
	size_t i;

	if (inv->n == inv->cap) {
		size_t cap = inv->cap ? inv->cap * 2 : 16;
		struct cert *v = realloc(inv->certs, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		inv->certs = v;
		inv->cap = cap;
	}
	d = &inv->certs[inv->n];
	*d = *c;
	d->subject = dup_or_null(c->subject, &failed);
	d->issuer = dup_or_null(c->issuer, &failed);
	d->cn = dup_or_null(c->cn, &failed);
	d->template_name = dup_or_null(c->template_name, &failed);
	d->template_oid = dup_or_null(c->template_oid, &failed);
	d->key_error = dup_or_null(c->key_error, &failed);
	d->dns = NULL;
	d->ndns = 0;
	d->issuers = NULL;
	d->nissuers = 0;
	if (c->nissuers > 0) {
		d->issuers = malloc(c->nissuers * sizeof(*d->issuers));
		if (d->issuers == NULL)
			failed = true;
		else {
			memcpy(d->issuers, c->issuers,
			    c->nissuers * sizeof(*d->issuers));
			d->nissuers = c->nissuers;
		}
	}
	if (c->ndns > 0) {
		d->dns = calloc(c->ndns, sizeof(char *));
		if (d->dns == NULL)
			failed = true;
		for (i = 0; d->dns != NULL && i < c->ndns; i++) {
			d->dns[i] = dup_or_null(c->dns[i], &failed);
			d->ndns++;
		}
	}
	if (failed) {
		cert_clear(d);
		return -1;
	}
	inv->n++;
	return 0;
}

const char *
store_name(enum cert_store s)
{
	return s == STORE_WEBHOSTING ? "WebHosting" : "My";
}

void
inventory_free(struct inventory *inv)
{
	size_t i;

	for (i = 0; i < inv->n; i++)
		cert_clear(&inv->certs[i]);
	free(inv->certs);
	memset(inv, 0, sizeof(*inv));
}

const char *
thumb_format(const uint8_t thumb[THUMB_LEN], char out[THUMB_HEX])
{
	static const char hex[] = "0123456789ABCDEF";
	int i;

	for (i = 0; i < THUMB_LEN; i++) {
		out[2 * i] = hex[thumb[i] >> 4];
		out[2 * i + 1] = hex[thumb[i] & 15];
	}
	out[2 * THUMB_LEN] = '\0';
	return out;
}

int
thumb_parse(const char *text, uint8_t thumb[THUMB_LEN])
{
	int digits = 0;
	const char *p;

	for (p = text; *p; p++) {
		int c = tolower((unsigned char)*p), v;

		if (c == ' ' || c == ':')
			continue;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else
			return -1;
		if (digits == 2 * THUMB_LEN)
			return -1;
		if (digits % 2 == 0)
			thumb[digits / 2] = (uint8_t)(v << 4);
		else
			thumb[digits / 2] |= (uint8_t)v;
		digits++;
	}
	return digits == 2 * THUMB_LEN ? 0 : -1;
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
const char *
utc_date(int64_t t, char out[11])
{
	int64_t z = (t >= 0 ? t : t - 86399) / 86400 + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);

	char text[32];

	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;   /* outside X.509's range anyway */
	snprintf(text, sizeof(text), "%04d-%02d-%02d", (int)y, (int)m, (int)d);
	memcpy(out, text, 11);
	out[10] = '\0';
	return out;
}

const char *
utc_time(int64_t t, char out[21])
{
	int64_t s = ((t % 86400) + 86400) % 86400;
	char text[32];

	utc_date(t, out);
	snprintf(text, sizeof(text), "%sT%02d:%02d:%02dZ", out, (int)(s / 3600),
	    (int)(s / 60 % 60), (int)(s % 60));
	memcpy(out, text, 21);
	out[20] = '\0';
	return out;
}
