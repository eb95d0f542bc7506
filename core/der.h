/*
 * der.h - the few DER structures certbind reads itself: the subject
 * commonName of an X.501 Name and the dNSName entries of a subjectAltName
 * extension.
 *
 * crypt32 hands these names back NUL-terminated (CertGetNameString,
 * CERT_ALT_NAME_ENTRY.pwszDNSName), so a name holding a NUL arrives cut
 * short: "good.example.test\0.evil.test" would read as good.example.test.
 * Reading the encoded certificate with counted lengths keeps every byte;
 * der_string_text() then makes the name printable text in which such a
 * byte can never pass for part of a host name.
 */
#ifndef CERTBIND_DER_H
#define CERTBIND_DER_H

#include <stddef.h>
#include <stdint.h>

/* ASN.1 universal string types a name may be written in. */
enum {
	DER_UTF8_STRING = 0x0c,
	DER_NUMERIC_STRING = 0x12,
	DER_PRINTABLE_STRING = 0x13,
	DER_TELETEX_STRING = 0x14,
	DER_IA5_STRING = 0x16,
	DER_VISIBLE_STRING = 0x1a,
	DER_UNIVERSAL_STRING = 0x1c,
	DER_BMP_STRING = 0x1e
};

/* A string value inside an encoding: its tag and content octets. */
struct der_string {
	uint8_t tag;
	const uint8_t *p;
	size_t n;
};

/*
 * The first commonName (2.5.4.3) of the Name encoded in the len bytes at
 * der.  Returns 1 and fills cn, 0 when the name has none, -1 when the
 * encoding is malformed.
 */
int der_name_cn(const uint8_t *der, size_t len, struct der_string *cn);

/*
 * Call fn for each dNSName of the GeneralNames encoded in the len bytes at
 * der (a subjectAltName extension's value), in order; the tag given is
 * DER_IA5_STRING.  Returns the number of dNSNames, or -1 when the encoding
 * is malformed or fn returns non-zero.
 */
int der_san_dns(const uint8_t *der, size_t len,
    int (*fn)(const struct der_string *s, void *arg), void *arg);

/*
 * The string as a malloc'ed UTF-8 C string, escaped as text_escape() does
 * (backslashes included), so that a NUL or control character shows as
 * \xHH.  BMPString and UniversalString are converted from UCS; other types
 * are taken as UTF-8 bytes.  NULL when out of memory.
 */
char *der_string_text(const struct der_string *s);

#endif
