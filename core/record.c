/*
 * record.c - helpers for struct ssl_record.
 */
#include <stdio.h>
#include <string.h>

#include "ascii.h"
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

int
guid_parse(const char *text, uint8_t g[16])
{
	/* Text order of the 16 bytes: Data1..Data3 are little-endian. */
	static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6,
	    8, 9, 10, 11, 12, 13, 14, 15 };
	size_t len = strlen(text), i;
	int byte = 0;

	if (len == 38 && text[0] == '{' && text[37] == '}') {
		text++;
		len = 36;
	}
	if (len != 36)
		return -1;
	for (i = 0; i < 36; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (text[i] != '-')
				return -1;
			continue;
		}
		hi = ascii_hexval((unsigned char)text[i]);
		lo = ascii_hexval((unsigned char)text[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		g[order[byte++]] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	return 0;
}

bool
record_same_options(const struct ssl_record *a, const struct ssl_record *b)
{
	return ascii_equal_nocase(a->store, b->store) &&
	    a->check_mode == b->check_mode &&
	    a->revocation_freshness == b->revocation_freshness &&
	    a->url_timeout == b->url_timeout &&
	    strcmp(a->ctl_identifier, b->ctl_identifier) == 0 &&
	    ascii_equal_nocase(a->ctl_store, b->ctl_store) &&
	    a->flags == b->flags;
}
