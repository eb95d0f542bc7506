/*
 * endpoint.h - the address an HTTP.sys SSL binding is keyed by.
 *
 * HTTP.sys keeps three kinds of SSL binding, each in its own table:
 *   ip:port        one certificate per IP address and port (IPv4 or IPv6;
 *                  0.0.0.0 and [::] are the "any address" wildcards)
 *   hostname:port  Server Name Indication, one certificate per host name
 *   ccs:port       the Central Certificate Store serves the port
 * The parser is pure C (no socket headers) so that core/ stays portable;
 * addresses are kept as network-order bytes.
 */
#ifndef CERTBIND_ENDPOINT_H
#define CERTBIND_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum endpoint_kind { EP_IPV4, EP_IPV6, EP_SNI, EP_CCS };

#define ENDPOINT_HOST_MAX 253          /* longest DNS name, no final dot */
#define ENDPOINT_TEXT_MAX 300          /* longest formatted endpoint */

struct endpoint {
	enum endpoint_kind kind;
	uint8_t addr[16];              /* EP_IPV4: 4 bytes; EP_IPV6: 16 */
	char host[ENDPOINT_HOST_MAX + 1]; /* EP_SNI: the host name, lower
	                                     case when parsed, as HTTP.sys
	                                     holds it when read from there */
	uint16_t port;
};

/*
 * Parse "1.2.3.4:443", "[2001:db8::1]:443", "www.example.test:443" or
 * "ccs:443".  On error returns -1 and writes the reason to why.
 */
int endpoint_parse(const char *text, struct endpoint *ep, char *why,
    size_t whylen);

/* Canonical text: IPv6 in RFC 5952 form, host names in lower case. */
const char *endpoint_format(const struct endpoint *ep, char *buf,
    size_t len);

/* A total order on endpoints (for sorting); 0 when equal.  Host names
 * compare ignoring ASCII case. */
int endpoint_compare(const struct endpoint *a, const struct endpoint *b);

bool endpoint_equal(const struct endpoint *a, const struct endpoint *b);

/* A DNS host name: LDH labels of 1-63 octets, 253 octets at most. */
bool hostname_valid(const char *name);

#endif
