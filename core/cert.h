/*
 * cert.h - a certificate as certbind sees it, and the store inventory.
 *
 * service/store.c fills these in from crypt32; everything that decides
 * works on this plain struct only, so that the decisions can be tested
 * natively with made-up certificates.  Times are UTC seconds since 1970.
 */
#ifndef CERTBIND_CERT_H
#define CERTBIND_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define THUMB_LEN 20                   /* SHA-1 thumbprint, as Windows */
#define THUMB_HEX (2 * THUMB_LEN + 1)  /* upper-case hex and NUL */

/* Extended key usage, as far as a TLS server cares. */
enum {
	EKU_SERVER_AUTH = 1 << 0,      /* 1.3.6.1.5.5.7.3.1 */
	EKU_CLIENT_AUTH = 1 << 1,      /* 1.3.6.1.5.5.7.3.2 */
	EKU_ANY = 1 << 2,              /* 2.5.29.37.0 anyExtendedKeyUsage */
	EKU_OTHER = 1 << 3             /* any other purpose */
};

/* The LocalMachine stores HTTP.sys can take a certificate from. */
enum cert_store { STORE_MY, STORE_WEBHOSTING };

struct cert {
	uint8_t thumb[THUMB_LEN];
	enum cert_store store;         /* which store it was read from */
	char *subject;                 /* subject DN, for messages */
	char *issuer;                  /* issuer DN */
	char *cn;                      /* subject common name, or NULL */
	char **dns;                    /* SAN dNSName entries */
	size_t ndns;
	int64_t not_before, not_after;
	bool has_key;                  /* a usable private key is present */
	char *key_error;               /* a key is named but cannot be opened
	                                  or cannot sign: why; else NULL */
	/*
	 * has_key is not known yet: opening a key is a provider call, so
	 * the store leaves it to the plan, which asks only for the keys of
	 * the certificates that would win (plan.h, struct key_probe).
	 */
	bool key_unknown;
	bool has_eku;                  /* the EKU extension is present */
	unsigned eku;                  /* EKU_* bits, when has_eku */
	bool archived;                 /* CERT_ARCHIVED_PROP_ID is set */
	char *template_name;           /* certificate template name, or NULL */
	char *template_oid;            /* certificate template OID, or NULL */
	bool has_renewal;              /* CERT_RENEWAL_PROP_ID is set: */
	uint8_t renewal[THUMB_LEN];    /* the thumbprint of its successor */
	/*
	 * The thumbprints of the certificates above it in the chain Windows
	 * builds from the machine's stores, issuer first, as far as each
	 * signature checks out; none when no chain could be built.
	 */
	uint8_t (*issuers)[THUMB_LEN];
	size_t nissuers;
};

struct inventory {
	struct cert *certs;
	size_t n, cap;
};

/* "My", "WebHosting": the store's name as Windows spells it. */
const char *store_name(enum cert_store s);

/* Append a deep copy of c.  Returns 0, or -1 when out of memory. */
int inventory_add(struct inventory *inv, const struct cert *c);
void inventory_free(struct inventory *inv);

/* Release the strings a cert filled by inventory_add owns. */
void cert_clear(struct cert *c);

/* "A1B2..." (40 upper-case hex digits). */
const char *thumb_format(const uint8_t thumb[THUMB_LEN], char out[THUMB_HEX]);

/* 40 hex digits; spaces and colons between them are ignored. */
int thumb_parse(const char *text, uint8_t thumb[THUMB_LEN]);

/* "2026-01-02" for a UTC time in seconds. */
const char *utc_date(int64_t t, char out[11]);

/* "2026-01-02T03:04:05Z" (ISO 8601) for a UTC time in seconds. */
const char *utc_time(int64_t t, char out[21]);

/* The certificate's name is good for host (RFC 6125, see names.c). */
bool cert_covers(const struct cert *c, const char *host);

/* One presented name (from SAN or CN) matches the reference host. */
bool name_matches(const char *presented, const char *host);

#endif
