/*
 * record.h - one HTTP.sys SSL binding record, as certbind reads and writes
 * it.
 *
 * The fields mirror HTTP_SERVICE_CONFIG_SSL_PARAM so that a record read
 * from HTTP.sys can be written back with only the fields certbind means to
 * change altered (read-modify-write): an operator's revocation settings or
 * client-certificate flags survive a certificate rotation.
 */
#ifndef CERTBIND_RECORD_H
#define CERTBIND_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "cert.h"
#include "endpoint.h"

#define RECORD_HASH_MAX 32             /* HTTP.sys takes up to SHA-256 */
#define RECORD_STORE_MAX 64
#define RECORD_CTL_MAX 256

struct ssl_record {
	struct endpoint endpoint;
	uint8_t hash[RECORD_HASH_MAX];
	uint32_t hash_len;
	char store[RECORD_STORE_MAX];  /* certificate store name, e.g. "MY" */
	uint8_t app_id[16];            /* GUID, in Windows' memory layout */
	uint32_t check_mode;           /* DefaultCertCheckMode */
	uint32_t revocation_freshness; /* seconds */
	uint32_t url_timeout;          /* milliseconds */
	char ctl_identifier[RECORD_CTL_MAX];
	char ctl_store[RECORD_STORE_MAX];
	uint32_t flags;                /* HTTP_SERVICE_CONFIG_SSL_FLAG_* */
};

/* The AppId certbind puts on the records it creates:
 * {9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3c6}. */
extern const uint8_t CERTBIND_APP_ID[16];

/* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" */
#define GUID_TEXT 39
const char *guid_format(const uint8_t guid[16], char out[GUID_TEXT]);

/* The record holds exactly this thumbprint. */
bool record_holds(const struct ssl_record *r, const uint8_t thumb[THUMB_LEN]);

#endif
