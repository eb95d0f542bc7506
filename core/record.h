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
#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "endpoint.h"

/*
 * Every text field is kept whole or the record is refused (reported as
 * unreadable and never written back): nothing is cut short, and a text
 * holding a NUL, or bytes that are not UTF-8, is refused.  The limits are in UTF-8 bytes, the longest
 * value in UTF-16 code units (one unit is at most 3 UTF-8 bytes) and the
 * NUL.
 *   store names   a certificate store is a registry key, and a key name is
 *                 at most 255 characters ("Registry element size limits",
 *                 learn.microsoft.com)
 *   CTL identifier  no documented bound; 1024 characters is certbind's
 * The texts are not kept in the record: it points at a shared copy
 * (core/strpool.h), at a string literal, or at the policy's own text,
 * which outlives every plan made from it.  NULL is the same as "".
 */
#define RECORD_HASH_MAX 32             /* HTTP.sys takes up to SHA-256 */
#define RECORD_STORE_CHARS 255
#define RECORD_CTL_CHARS 1024
#define RECORD_STORE_MAX (3 * RECORD_STORE_CHARS + 1)
#define RECORD_CTL_MAX (3 * RECORD_CTL_CHARS + 1)

struct ssl_record {
	struct endpoint endpoint;
	uint8_t hash[RECORD_HASH_MAX];
	uint32_t hash_len;
	const char *store;             /* certificate store; "" (NULL) is MY */
	uint8_t app_id[16];            /* GUID, in Windows' memory layout */
	uint32_t check_mode;           /* DefaultCertCheckMode */
	uint32_t revocation_freshness; /* seconds */
	uint32_t url_timeout;          /* milliseconds */
	const char *ctl_identifier;
	const char *ctl_store;
	uint32_t flags;                /* HTTP_SERVICE_CONFIG_SSL_FLAG_* */
};

/*
 * DefaultCertCheckMode bits (HTTP_SERVICE_CONFIG_SSL_PARAM), as Windows
 * defines them; core/ cannot include http.h.
 */
#define CHECK_NO_REVOCATION        0x00000001  /* don't check revocation */
#define CHECK_CACHED_ONLY          0x00000002  /* cached CRLs/OCSP only */
#define CHECK_FRESHNESS_TIME       0x00000004  /* use revocation_freshness */
#define CHECK_NO_USAGE             0x00010000  /* skip the EKU check */

/* DefaultFlags bits (HTTP_SERVICE_CONFIG_SSL_FLAG_*), as Windows defines them. */
#define SSL_FLAG_USE_DS_MAPPER          0x00000001
#define SSL_FLAG_NEGOTIATE_CLIENT_CERT  0x00000002
#define SSL_FLAG_NO_RAW_FILTER          0x00000004
#define SSL_FLAG_REJECT                 0x00000008
#define SSL_FLAG_DISABLE_HTTP2          0x00000010
#define SSL_FLAG_DISABLE_QUIC           0x00000020
#define SSL_FLAG_DISABLE_TLS13          0x00000040
#define SSL_FLAG_DISABLE_OCSP_STAPLING  0x00000080
#define SSL_FLAG_ENABLE_TOKEN_BINDING   0x00000100
#define SSL_FLAG_LOG_EXTENDED_EVENTS    0x00000200
#define SSL_FLAG_DISABLE_LEGACY_TLS     0x00000400
#define SSL_FLAG_ENABLE_SESSION_TICKET  0x00000800
#define SSL_FLAG_DISABLE_TLS12          0x00001000
#define SSL_FLAG_DISABLE_SESSION_ID     0x00004000

/* A record's text field as a C string: NULL is "". */
static inline const char *
record_text(const char *s)
{
	return s != NULL ? s : "";
}

/* The AppId certbind puts on the records it creates:
 * {9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3c6}. */
extern const uint8_t CERTBIND_APP_ID[16];

/* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" */
#define GUID_TEXT 39
const char *guid_format(const uint8_t guid[16], char out[GUID_TEXT]);

/* Parse a GUID with or without braces.  Returns 0, or -1. */
int guid_parse(const char *text, uint8_t guid[16]);

/* The record holds exactly this thumbprint. */
bool record_holds(const struct ssl_record *r, const uint8_t thumb[THUMB_LEN]);

/*
 * A record as bytes, for certbind's rotation journal: a versioned layout
 * of explicit little-endian fields, never the struct's memory.  Room for
 * the largest record: fixed fields, then each text with its 2-byte length.
 */
#define RECORD_ENCODED_MAX (4 + 3 * 4 + 16 + 2 + ENDPOINT_HOST_MAX + \
    RECORD_HASH_MAX + 16 + 3 * 4 + 3 * 2 + 2 * (RECORD_STORE_MAX - 1) + \
    RECORD_CTL_MAX - 1 + 4)
size_t record_encode(const struct ssl_record *r, uint8_t *buf, size_t len);

/*
 * Room for any record as text: record_fields(), or report_netsh().  A
 * value may be printed escaped, every byte as \xHH (text.h): four times
 * its length.
 */
#define RECORD_TEXT_MAX (4 * 2 * RECORD_ENCODED_MAX)

/* Returns 0, or -1 when buf is not a whole, valid encoding. */
int record_decode(const uint8_t *buf, size_t len, struct ssl_record *r);

/* Everything but the endpoint, hash and AppId is the same. */
bool record_same_options(const struct ssl_record *a,
    const struct ssl_record *b);

/*
 * The store a record's certificate is read from: HTTP.sys takes a NULL
 * (here "") store name as "MY" (HTTP_SERVICE_CONFIG_SSL_PARAM).
 */
const char *record_store_name(const struct ssl_record *r);

/* Both name the same store: case aside, and "" the same as MY. */
bool record_same_store(const struct ssl_record *a,
    const struct ssl_record *b);

/*
 * Every field of r as "name=value" pairs in netsh's names, for a message
 * about a record HTTP.sys refused.
 */
const char *record_fields(const struct ssl_record *r, char *buf, size_t len);

/*
 * A record HTTP.sys has and certbind could not read: its kind, its key
 * as far as it is known, and why.  Listed on its own, never written.
 */
struct broken_record {
	enum endpoint_kind kind;
	bool has_endpoint;             /* endpoint is the record's key */
	struct endpoint endpoint;
	char key[ENDPOINT_TEXT_MAX];   /* the key, or what is known of it */
	uint32_t error;                /* the Win32 error */
	char reason[256];              /* what it means */
};

#endif
