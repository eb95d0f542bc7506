/*
 * test_record.c - the record helpers: the journal's byte encoding
 * (core/record.c), and the netsh command that recreates a record
 * (core/report.c).
 */
#include "unit.h"

#include "record.h"
#include "report.h"

static void
sample(const char *ep, struct ssl_record *r)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(endpoint_parse(ep, &r->endpoint, NULL, 0), 0);
	if (r->endpoint.kind != EP_CCS) {
		memset(r->hash, 0xab, THUMB_LEN);
		r->hash_len = THUMB_LEN;
		strcpy(r->store, "MY");
	}
	memcpy(r->app_id, CERTBIND_APP_ID, 16);
	r->check_mode = CHECK_NO_REVOCATION | CHECK_FRESHNESS_TIME;
	r->revocation_freshness = 600;
	r->url_timeout = 15000;
	strcpy(r->ctl_identifier, "Partners");
	strcpy(r->ctl_store, "CA");
	r->flags = SSL_FLAG_NEGOTIATE_CLIENT_CERT | SSL_FLAG_DISABLE_HTTP2;
}

/* The sample without options: only what netsh needs. */
static void
sample_plain(const char *ep, struct ssl_record *r)
{
	sample(ep, r);
	r->check_mode = r->flags = 0;
	r->revocation_freshness = r->url_timeout = 0;
	r->ctl_identifier[0] = r->ctl_store[0] = '\0';
}

/* Every kind survives encode then decode, field by field. */
static void
test_roundtrip(void **state)
{
	const char *eps[] = { "10.0.0.5:443", "[2001:db8::1]:8443",
	    "www.example.test:443", "ccs:443" };
	uint8_t buf[RECORD_ENCODED_MAX];
	struct ssl_record r, back;
	size_t i, n;

	(void)state;
	for (i = 0; i < NROWS(eps); i++) {
		sample(eps[i], &r);
		n = record_encode(&r, buf, sizeof(buf));
		assert_true(n > 0);
		assert_int_equal(record_decode(buf, n, &back), 0);
		assert_true(endpoint_equal(&back.endpoint, &r.endpoint));
		assert_int_equal(back.hash_len, r.hash_len);
		assert_memory_equal(back.hash, r.hash, r.hash_len);
		assert_memory_equal(back.app_id, r.app_id, 16);
		assert_string_equal(back.store, r.store);
		assert_int_equal(back.check_mode, r.check_mode);
		assert_int_equal(back.revocation_freshness, 600);
		assert_int_equal(back.url_timeout, 15000);
		assert_string_equal(back.ctl_identifier, "Partners");
		assert_string_equal(back.ctl_store, "CA");
		assert_int_equal(back.flags, r.flags);
	}
}

/* A damaged journal entry is refused, never half read. */
static void
test_damaged(void **state)
{
	uint8_t buf[RECORD_ENCODED_MAX];
	struct ssl_record r, back;
	size_t n, cut;

	(void)state;
	sample("www.example.test:443", &r);
	n = record_encode(&r, buf, sizeof(buf));
	for (cut = 0; cut < n; cut++)
		assert_int_equal(record_decode(buf, cut, &back), -1);
	buf[0] = 'X';
	assert_int_equal(record_decode(buf, n, &back), -1);
	buf[0] = 'C';
	buf[4] = 9;                      /* no such endpoint kind */
	assert_int_equal(record_decode(buf, n, &back), -1);
	assert_int_equal(record_encode(&r, buf, 10), 0);
}

static void
test_netsh(void **state)
{
	struct ssl_record r;
	char cmd[1024];

	(void)state;
	sample("10.0.0.5:443", &r);
	assert_string_equal(report_netsh(&r, cmd, sizeof(cmd)),
	    "netsh http add sslcert ipport=10.0.0.5:443 "
	    "certhash=ABABABABABABABABABABABABABABABABABABABAB "
	    "appid={9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3c6} certstorename=MY "
	    "revocationfreshnesstime=600 urlretrievaltimeout=15000 "
	    "sslctlidentifier=Partners sslctlstorename=CA "
	    "verifyclientcertrevocation=disable clientcertnegotiation=enable "
	    "disablehttp2=enable");
	sample_plain("www.example.test:443", &r);
	assert_string_equal(report_netsh(&r, cmd, sizeof(cmd)),
	    "netsh http add sslcert hostnameport=www.example.test:443 "
	    "certhash=ABABABABABABABABABABABABABABABABABABABAB "
	    "appid={9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3c6} certstorename=MY");
	sample_plain("ccs:443", &r);
	assert_string_equal(report_netsh(&r, cmd, sizeof(cmd)),
	    "netsh http add sslcert ccs=443 "
	    "appid={9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3c6}");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_netsh),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
