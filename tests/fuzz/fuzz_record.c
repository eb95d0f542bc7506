/*
 * fuzz_record.c - libFuzzer target: the rotation journal's record decoder
 * (core/record.c record_decode), on arbitrary bytes, as service/journal.c
 * reads a REG_BINARY value back from HKLM\SOFTWARE\CertBind\Journal.
 *
 * Checked beyond the sanitizers, for every value the decoder takes:
 *  - encoding the record gives back exactly the bytes read: nothing is
 *    lost or made up between the journal and the record put back;
 *  - its texts hold no NUL, and fit the limits record.h gives;
 *  - the record as text (record_fields, the netsh command an operator is
 *    shown) fits RECORD_TEXT_MAX and holds no control character.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "report.h"
#include "text.h"

static void
check_text(const char *s, size_t max)
{
	if (s != NULL && strlen(s) >= max)
		abort();
}

static void
check_printed(const char *s)
{
	if (strlen(s) >= RECORD_TEXT_MAX || text_needs_escape(s, 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t again[RECORD_ENCODED_MAX];
	static char text[RECORD_TEXT_MAX];
	struct ssl_record r;
	size_t n;

	if (record_decode(data, size, &r) != 0)
		return 0;
	if (size > RECORD_ENCODED_MAX)
		abort();
	check_text(r.endpoint.host, ENDPOINT_HOST_MAX + 1);
	check_text(r.store, RECORD_STORE_MAX);
	check_text(r.ctl_identifier, RECORD_CTL_MAX);
	check_text(r.ctl_store, RECORD_STORE_MAX);
	n = record_encode(&r, again, sizeof(again));
	if (n != size || memcmp(again, data, size) != 0)
		abort();
	check_printed(record_fields(&r, text, sizeof(text)));
	check_printed(report_netsh(&r, text, sizeof(text)));
	return 0;
}
