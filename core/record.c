/*
 * record.c - helpers for struct ssl_record.
 */
#include <stdio.h>
#include <string.h>

#include "record.h"

/* Data1..Data3 little-endian, Data4 as bytes: how a GUID lies in memory. */
const uint8_t CERTBIND_APP_ID[16] = {
	0x5a, 0x3f, 0x1d, 0x9c, 0x2e, 0x6b, 0x8f, 0x4e,
	0xa0, 0xc4, 0x7d, 0x2b, 0x95, 0xe1, 0xf3, 0xc6
};

const char *
guid_format(const uint8_t g[16], char out[GUID_TEXT])
{
	snprintf(out, GUID_TEXT,
	    "{%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x}",
	    g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6],
	    g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
	return out;
}

bool
record_holds(const struct ssl_record *r, const uint8_t thumb[THUMB_LEN])
{
	return r->hash_len == THUMB_LEN &&
	    memcmp(r->hash, thumb, THUMB_LEN) == 0;
}
