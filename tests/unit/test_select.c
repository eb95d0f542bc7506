/*
 * test_select.c - which certificate a binding gets (core/select.c), every
 * reason a certificate is passed over, and the index that makes the choice
 * fast (core/index.c) agreeing with a plain scan of the whole store.
 */
#include "unit.h"

#include "index.h"
#include "record.h"
#include "select.h"

#define SRV EKU_SERVER_AUTH
#define CLI EKU_CLIENT_AUTH
#define NAME "api.example.test"

/* Valid from 10 days ago until DAYS from NOW, with key, serverAuth. */
#define GOOD(id, days) { id, NAME, { NAME }, NOW - 10 * DAY, NOW + (days) * DAY, \
	true, SRV }
/* The same, with the fields after eku given. */
#define GOODX(id, days, ...) { id, NAME, { NAME }, NOW - 10 * DAY, \
	NOW + (days) * DAY, true, SRV, __VA_ARGS__ }

#define T1 "0101010101010101010101010101010101010101"
#define T3 "03:03:03:03:03:03:03:03:03:03:03:03:03:03:03:03:03:03:03:03"

/* A binding pinned to certificate 1. */
#define PINNED "    endpoint: 0.0.0.0:443\n" \
	"    match: {dns: " NAME ", thumbprints: ['" T1 "']}\n"

struct row {
	const char *name;
	const char *binding;    /* binding keys after name; NULL: match NAME */
	struct testcert certs[6];
	size_t n;
	uint8_t bound;          /* id of the bound certificate, 0 for none */
	uint8_t want;           /* id of the winner; 0 for none */
};

static const struct row rows[] = {
	{ "single good certificate", NULL, { GOOD(1, 30) }, 1, 0, 1 },
	{ "renewal expiring later wins", NULL, { GOOD(1, 30), GOOD(2, 60) }, 2,
	  0, 2 },
	{ "order of the store does not matter", NULL,
	  { GOOD(2, 60), GOOD(1, 30) }, 2, 0, 2 },
	{ "tie on NotAfter: later NotBefore wins", NULL,
	  { GOOD(1, 30), { 2, NAME, { NAME }, NOW - 1 * DAY, NOW + 30 * DAY, true, SRV } },
	  2, 0, 2 },
	{ "full tie: lower thumbprint wins", NULL,
	  { GOOD(7, 30), GOOD(3, 30) }, 2, 0, 3 },
	{ "expired is skipped", NULL,
	  { GOOD(1, 30), { 2, NAME, { NAME }, NOW - 90 * DAY, NOW - DAY, true, SRV } },
	  2, 0, 1 },
	{ "not yet valid is skipped", NULL,
	  { GOOD(1, 30), { 2, NAME, { NAME }, NOW + DAY, NOW + 90 * DAY, true, SRV } },
	  2, 0, 1 },
	{ "keyless is skipped", NULL,
	  { GOOD(1, 30), { 2, NAME, { NAME }, NOW - DAY, NOW + 90 * DAY, false, SRV } },
	  2, 0, 1 },
	{ "clientAuth-only is skipped", NULL,
	  { GOOD(1, 30), { 2, NAME, { NAME }, NOW - DAY, NOW + 90 * DAY, true, CLI } },
	  2, 0, 1 },
	{ "no EKU extension means any purpose", NULL,
	  { GOOD(1, 30), { 2, NAME, { NAME }, NOW - DAY, NOW + 90 * DAY, true, 0 } },
	  2, 0, 2 },
	{ "anyExtendedKeyUsage allows server auth", NULL,
	  { GOOD(1, 30), { 2, NAME, { NAME }, NOW - DAY, NOW + 90 * DAY, true, EKU_ANY } },
	  2, 0, 2 },
	{ "server and client auth together is fine", NULL,
	  { GOOD(1, 30), { 2, NAME, { NAME }, NOW - DAY, NOW + 90 * DAY, true, SRV | CLI } },
	  2, 0, 2 },
	{ "other name is skipped", NULL,
	  { GOOD(1, 30), { 2, "www.example.test", { "www.example.test" }, NOW - DAY,
	    NOW + 90 * DAY, true, SRV } }, 2, 0, 1 },
	{ "wildcard covers the name", NULL,
	  { GOOD(1, 30), { 2, "wild", { "*.example.test" }, NOW - DAY,
	    NOW + 90 * DAY, true, SRV } }, 2, 0, 2 },
	{ "wildcard does not cover two labels",
	  "    endpoint: 0.0.0.0:443\n    match: {dns: a.api.example.test}\n",
	  { { 2, "wild", { "*.example.test" }, NOW - DAY, NOW + 90 * DAY, true,
	    SRV } }, 1, 0, 0 },
	{ "name with a trailing dot and upper case in the certificate", NULL,
	  { { 2, "x", { "API.Example.Test." }, NOW - DAY, NOW + 90 * DAY, true,
	    SRV } }, 1, 0, 2 },
	{ "CN ignored when SAN has dNSNames", NULL,
	  { { 2, NAME, { "www.example.test" }, NOW - DAY, NOW + 90 * DAY, true, SRV } },
	  1, 0, 0 },
	{ "CN used when there is no SAN", NULL,
	  { { 2, NAME, { NULL }, NOW - DAY, NOW + 90 * DAY, true, SRV } }, 1, 0, 2 },
	{ "valid exactly at NotAfter", NULL,
	  { { 2, NAME, { NAME }, NOW - DAY, NOW, true, SRV } }, 1, 0, 2 },
	{ "valid exactly at NotBefore", NULL,
	  { { 2, NAME, { NAME }, NOW, NOW + DAY, true, SRV } }, 1, 0, 2 },
	{ "nothing qualifies", NULL, { { 2, NAME, { NAME }, NOW - 9 * DAY,
	  NOW - DAY, true, SRV } }, 1, 0, 0 },
	{ "empty store", NULL, { { 0 } }, 0, 0, 0 },
	{ "archived is skipped", NULL,
	  { GOOD(1, 30), GOODX(2, 90, NULL, NULL, NULL, true) }, 2, 0, 1 },
	{ "issuer filter, case-insensitive substring",
	  "    endpoint: 0.0.0.0:443\n"
	  "    match: {dns: " NAME ", issuer: 'o=contoso'}\n",
	  { GOODX(1, 30, "CN=Contoso CA, O=Contoso"), GOOD(2, 90) }, 2, 0, 1 },
	{ "template by name",
	  "    endpoint: 0.0.0.0:443\n"
	  "    match: {dns: " NAME ", template: webserver}\n",
	  { GOODX(1, 30, NULL, "WebServer"), GOODX(2, 90, NULL, "User") }, 2, 0, 1 },
	{ "template by OID",
	  "    endpoint: 0.0.0.0:443\n"
	  "    match: {dns: " NAME ", template: 1.3.6.1.4.1.311.21.8.7}\n",
	  { GOODX(1, 30, NULL, "Web", "1.3.6.1.4.1.311.21.8.7"),
	    GOODX(2, 90, NULL, "Web", "1.3.6.1.4.1.311.21.8.9") }, 2, 0, 1 },
	{ "min_days_left passes over a short certificate",
	  "    endpoint: 0.0.0.0:443\n"
	  "    match: {dns: " NAME ", min_days_left: 14}\n",
	  { GOOD(1, 10) }, 1, 0, 0 },
	{ "min_days_left keeps a long enough one",
	  "    endpoint: 0.0.0.0:443\n"
	  "    match: {dns: " NAME ", min_days_left: 14}\n",
	  { GOOD(1, 10), GOOD(2, 14) }, 2, 0, 2 },
	{ "thumbprint allow-list",
	  "    endpoint: 0.0.0.0:443\n"
	  "    match: {dns: " NAME ", thumbprints: ['" T1 "', '" T3 "']}\n",
	  { GOOD(1, 30), GOOD(2, 90), GOOD(3, 60) }, 3, 0, 3 },
	{ "renewal successor passes the allow-list",
	  PINNED,
	  { GOODX(1, 30, NULL, NULL, NULL, true, 2), GOOD(2, 90) }, 2, 1, 2 },
	{ "renewal chain is followed",
	  PINNED,
	  { GOODX(1, 30, NULL, NULL, NULL, true, 2),
	    GOODX(2, 60, NULL, NULL, NULL, true, 4), GOOD(4, 90) }, 3, 1, 4 },
	{ "renewal link needs the record to hold the old certificate",
	  PINNED,
	  { GOODX(1, 30, NULL, NULL, NULL, true, 2), GOOD(2, 90) }, 2, 0, 0 },
	{ "renewal successor must still qualify",
	  PINNED,
	  { GOODX(1, 30, NULL, NULL, NULL, false, 2),
	    { 2, NAME, { NAME }, NOW - DAY, NOW + 90 * DAY, false, SRV } },
	  2, 1, 1 },
	{ "renewal loop ends",
	  PINNED,
	  { GOODX(1, 30, NULL, NULL, NULL, false, 2),
	    GOODX(2, 60, NULL, NULL, NULL, false, 1) }, 2, 1, 2 },
	{ "WebHosting binding takes WebHosting certificates",
	  "    endpoint: 0.0.0.0:443\n    match: {dns: " NAME "}\n"
	  "    options: {cert_store: WebHosting}\n",
	  { GOOD(1, 90), GOODX(2, 30, NULL, NULL, NULL, false, 0,
	    STORE_WEBHOSTING) }, 2, 0, 2 },
	{ "My binding ignores WebHosting certificates", NULL,
	  { GOOD(1, 30), GOODX(2, 90, NULL, NULL, NULL, false, 0,
	    STORE_WEBHOSTING) }, 2, 0, 1 },
	{ "SNI endpoint matches its own host by default",
	  "    endpoint: www.example.test:443\n",
	  { GOOD(1, 90), { 2, "www", { "www.example.test" }, NOW - DAY,
	    NOW + 30 * DAY, true, SRV } }, 2, 0, 2 },
};

static const char *
row_name(const void *row)
{
	return ((const struct row *)row)->name;
}

/* A policy with one binding 'api' whose keys after name are given. */
static void
one_binding(const char *keys, struct policy *p)
{
	char yaml[1024];

	snprintf(yaml, sizeof(yaml), "version: 1\nbindings:\n  - name: api\n%s",
	    keys ? keys : "    endpoint: 0.0.0.0:443\n    match: {dns: " NAME "}\n");
	load_policy(yaml, p);
}

static void
test_row(void **state)
{
	const struct row *r = *state;
	struct inventory inv = { 0 };
	struct cert_index ix;
	struct selection sel;
	struct policy p;
	uint8_t bound[THUMB_LEN];
	size_t i;

	one_binding(r->binding, &p);
	for (i = 0; i < r->n; i++)
		add_testcert(&inv, &r->certs[i]);
	memset(bound, r->bound, THUMB_LEN);
	assert_int_equal(index_build(&ix, &inv), 0);
	assert_int_equal(select_cert(&p.bindings[0], &ix,
	    r->bound ? bound : NULL, NOW, &sel), 0);
	if (r->want == 0)
		assert_null(sel.chosen);
	else {
		assert_non_null(sel.chosen);
		assert_int_equal(sel.chosen->thumb[0], r->want);
		/* The winner is listed first among the candidates. */
		assert_ptr_equal(sel.cands[0].cert, sel.chosen);
	}
	if (r->bound != 0 && r->bound <= r->n)
		assert_non_null(sel.bound);
	selection_free(&sel);
	index_free(&ix);
	inventory_free(&inv);
	policy_free(&p);
}

/* Every rejection says why, in words an operator can act on. */
static void
test_reasons(void **state)
{
	struct testcert t[] = {
		{ 1, NAME, { NAME }, NOW - 9 * DAY, INT64_C(1767312000), true, SRV },
		{ 2, NAME, { NAME }, INT64_C(1893456000), NOW + 99 * DAY, true, SRV },
		{ 3, NAME, { NAME }, NOW - DAY, NOW + 99 * DAY, false, SRV },
		{ 4, NAME, { NAME }, NOW - DAY, NOW + 99 * DAY, true, CLI },
		{ 5, "x", { "www.example.test" }, NOW - DAY, NOW + DAY, true, SRV },
		GOODX(6, 99, "CN=Fabrikam CA", "WebServer"),
		GOODX(7, 99, NULL, NULL, NULL, true),
		GOODX(8, 99, NULL, NULL, NULL, false, 0, STORE_WEBHOSTING),
		GOODX(9, 99, "CN=Contoso CA", "User"),
		GOODX(10, 99, "CN=Contoso CA", "WebServer"),
		GOODX(11, 20, "CN=Contoso CA", "WebServer"),
		GOODX(12, 99, "CN=Contoso CA", "WebServer"),
		{ 13, NAME, { NAME }, NOW - DAY, NOW + 99 * DAY, true, EKU_OTHER },
	};
	const char *want[] = {
		"expired 2026-01-02",
		"not valid before 2030-01-01",
		"no private key",
		"EKU is clientAuth only",
		"does not cover api.example.test",
		"issuer 'CN=Fabrikam CA' does not contain 'contoso'",
		"archived",
		"is in LocalMachine\\WebHosting, the binding uses LocalMachine\\My",
		"template is User, not WebServer",
		"not in match.thumbprints",
		"expires 2027-02-04, 20 days from now, fewer than "
		"match.min_days_left (30)",
		"qualifies",
		"EKU does not allow server authentication",
	};
	const char *names[] = {
		"expired", "not-yet-valid", "no-key", "eku", "name", "issuer",
		"archived", "store", "template", "thumbprint", "days-left", "ok",
		"eku",
	};
	struct inventory inv = { 0 };
	struct policy p;
	char buf[256];
	size_t i;

	(void)state;
	one_binding("    endpoint: 0.0.0.0:443\n    match:\n"
	    "      dns: " NAME "\n      issuer: contoso\n"
	    "      template: WebServer\n      min_days_left: 30\n"
	    "      thumbprints: [" T1 ", 0202020202020202020202020202020202020202,"
	    " 0303030303030303030303030303030303030303,"
	    " 0404040404040404040404040404040404040404,"
	    " 0606060606060606060606060606060606060606,"
	    " 0707070707070707070707070707070707070707,"
	    " 0808080808080808080808080808080808080808,"
	    " 0909090909090909090909090909090909090909,"
	    " 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b,"
	    " 0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c,"
	    " 0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d]\n", &p);
	for (i = 0; i < NROWS(t); i++)
		add_testcert(&inv, &t[i]);
	for (i = 0; i < NROWS(t); i++) {
		const struct cert *c = &inv.certs[i];
		enum verdict v = select_judge(&p.bindings[0], c, NOW, false);

		assert_string_equal(verdict_text(v, &p.bindings[0], c, NOW, buf,
		    sizeof(buf)), want[i]);
		assert_string_equal(verdict_name(v), names[i]);
	}
	inventory_free(&inv);
	policy_free(&p);
}

/*
 * match.issuer is text anyone can write into a self-signed certificate;
 * match.issuer_thumbprints needs the CA in the certificate's chain.
 */
static void
test_issuer_thumbprints(void **state)
{
	static uint8_t root[1][THUMB_LEN], chain[2][THUMB_LEN], other[1][THUMB_LEN];
	struct testcert t[] = {
		GOODX(1, 30, "CN=Contoso CA, O=Contoso"),       /* issued by root */
		GOODX(2, 99, "OU=\"O=Contoso\", CN=evil"),      /* self-signed */
		GOODX(3, 60, "CN=Contoso Issuing, O=Contoso"),  /* via issuing CA */
		GOODX(4, 90, "CN=Contoso CA, O=Contoso"),       /* another CA */
	};
	struct inventory inv = { 0 };
	struct cert_index ix;
	struct selection sel;
	struct policy p, q;
	char buf[256];
	size_t i;

	(void)state;
	memset(root[0], 0xca, THUMB_LEN);
	memset(chain[0], 0x1c, THUMB_LEN);
	memset(chain[1], 0xca, THUMB_LEN);
	memset(other[0], 0xee, THUMB_LEN);
	for (i = 0; i < NROWS(t); i++)
		add_testcert(&inv, &t[i]);
	inv.certs[0].issuers = malloc(sizeof(root));
	memcpy(inv.certs[0].issuers, root, sizeof(root));
	inv.certs[0].nissuers = 1;
	inv.certs[2].issuers = malloc(sizeof(chain));
	memcpy(inv.certs[2].issuers, chain, sizeof(chain));
	inv.certs[2].nissuers = 2;
	inv.certs[3].issuers = malloc(sizeof(other));
	memcpy(inv.certs[3].issuers, other, sizeof(other));
	inv.certs[3].nissuers = 1;

	/* The text filter alone lets the self-signed certificate win. */
	one_binding("    endpoint: 0.0.0.0:443\n    match:\n"
	    "      dns: " NAME "\n      issuer: O=Contoso\n", &q);
	assert_int_equal(index_build(&ix, &inv), 0);
	assert_int_equal(select_cert(&q.bindings[0], &ix, NULL, NOW, &sel), 0);
	assert_non_null(sel.chosen);
	assert_int_equal(sel.chosen->thumb[0], 2);
	selection_free(&sel);

	one_binding("    endpoint: 0.0.0.0:443\n    match:\n"
	    "      dns: " NAME "\n      issuer: O=Contoso\n"
	    "      issuer_thumbprints: ['cacacacacacacacacacacacacacacacacacacaca']\n",
	    &p);
	assert_int_equal(p.bindings[0].match.nissuer_thumbprints, 1);
	assert_int_equal(select_judge(&p.bindings[0], &inv.certs[0], NOW, false),
	    VERDICT_OK);
	assert_int_equal(select_judge(&p.bindings[0], &inv.certs[1], NOW, false),
	    VERDICT_ISSUER_THUMBPRINT);
	assert_int_equal(select_judge(&p.bindings[0], &inv.certs[2], NOW, false),
	    VERDICT_OK);
	assert_int_equal(select_judge(&p.bindings[0], &inv.certs[3], NOW, false),
	    VERDICT_ISSUER_THUMBPRINT);
	/* A successor of the bound certificate must chain too. */
	assert_int_equal(select_judge(&p.bindings[0], &inv.certs[1], NOW, true),
	    VERDICT_ISSUER_THUMBPRINT);
	assert_string_equal(verdict_text(VERDICT_ISSUER_THUMBPRINT,
	    &p.bindings[0], &inv.certs[1], NOW, buf, sizeof(buf)),
	    "does not chain to a CA in match.issuer_thumbprints");
	assert_string_equal(verdict_name(VERDICT_ISSUER_THUMBPRINT),
	    "issuer-thumbprint");
	/* Of the two that chain, the later expiry wins; not the impostor. */
	assert_int_equal(select_cert(&p.bindings[0], &ix, NULL, NOW, &sel), 0);
	assert_non_null(sel.chosen);
	assert_int_equal(sel.chosen->thumb[0], 3);
	selection_free(&sel);
	index_free(&ix);
	inventory_free(&inv);
	policy_free(&p);
	policy_free(&q);
}

/* A policy value quoted in a reason shows its control characters escaped. */
static void
test_reason_escapes_policy_value(void **state)
{
	struct testcert t[] = {
		GOODX(1, 99, "CN=Fabrikam CA", "WebServer"),
		GOODX(2, 99, "CN=Contoso CA", "WebServer"),
	};
	struct inventory inv = { 0 };
	struct policy p, q;
	char buf[256];

	(void)state;
	one_binding("    endpoint: 0.0.0.0:443\n    match:\n"
	    "      dns: " NAME "\n      issuer: \"con\\ttoso\\e[2J\"\n", &p);
	one_binding("    endpoint: 0.0.0.0:443\n    match:\n"
	    "      dns: " NAME "\n      template: \"Web\\nServer\"\n", &q);
	add_testcert(&inv, &t[0]);
	add_testcert(&inv, &t[1]);
	assert_string_equal(verdict_text(VERDICT_ISSUER, &p.bindings[0],
	    &inv.certs[0], NOW, buf, sizeof(buf)),
	    "issuer 'CN=Fabrikam CA' does not contain 'con\\x09toso\\x1b[2J'");
	assert_string_equal(verdict_text(VERDICT_TEMPLATE, &q.bindings[0],
	    &inv.certs[1], NOW, buf, sizeof(buf)),
	    "template is WebServer, not Web\\x0aServer");
	inventory_free(&inv);
	policy_free(&p);
	policy_free(&q);
}

/* Why a qualifying certificate lost, for --explain. */
static void
test_why_lost(void **state)
{
	struct testcert t[] = {
		GOOD(1, 30), GOOD(2, 90),
		{ 3, NAME, { NAME }, NOW - 20 * DAY, NOW + 90 * DAY, true, SRV },
		GOOD(4, 90),
	};
	struct inventory inv = { 0 };
	char buf[256];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(t); i++)
		add_testcert(&inv, &t[i]);
	assert_string_equal(select_why_lost(&inv.certs[0], &inv.certs[1], buf,
	    sizeof(buf)), "expires 2027-02-14, before "
	    "0202020202020202020202020202020202020202");
	assert_string_equal(select_why_lost(&inv.certs[2], &inv.certs[1], buf,
	    sizeof(buf)), "same expiry as "
	    "0202020202020202020202020202020202020202, issued earlier");
	assert_string_equal(select_why_lost(&inv.certs[3], &inv.certs[1], buf,
	    sizeof(buf)), "same dates as "
	    "0202020202020202020202020202020202020202, higher thumbprint");
	inventory_free(&inv);
}

/* --- the index agrees with a scan of every certificate --------------- */

static uint32_t
next_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static const char *const hosts[] = {
	"a.example.test", "b.example.test", "*.example.test", "c.b.example.test",
	"*.b.example.test", "xn--bcher-kva.example.test", "example.test",
	"*.test", "api.example.test", "A.EXAMPLE.TEST.",
};

/* The slow rule: judge every certificate in the store. */
static const struct cert *
scan_select(const struct binding *b, const struct inventory *inv)
{
	const struct cert *best = NULL;
	size_t i;

	for (i = 0; i < inv->n; i++)
		if (select_judge(b, &inv->certs[i], NOW, false) == VERDICT_OK &&
		    (best == NULL || select_better(&inv->certs[i], best)))
			best = &inv->certs[i];
	return best;
}

static void
test_index_agrees_with_scan(void **state)
{
	const char *want[] = { "a.example.test", "b.example.test",
	    "c.b.example.test", "xn--bcher-kva.example.test", "example.test",
	    "api.example.test", "zz.example.test", "d.b.example.test" };
	struct inventory inv = { 0 };
	struct cert_index ix;
	uint32_t seed = 12345;
	size_t i, w;

	(void)state;
	for (i = 0; i < 400; i++) {
		struct testcert t = { 0 };

		t.id = (uint8_t)(i % 250 + 1);
		t.cn = hosts[next_random(&seed) % NROWS(hosts)];
		t.dns[0] = next_random(&seed) % 4 ? hosts[next_random(&seed) %
		    NROWS(hosts)] : NULL;
		t.dns[1] = t.dns[0] && next_random(&seed) % 2 ?
		    hosts[next_random(&seed) % NROWS(hosts)] : NULL;
		t.not_before = NOW - (int64_t)(next_random(&seed) % 40) * DAY;
		t.not_after = NOW + ((int64_t)(next_random(&seed) % 100) - 20) * DAY;
		t.has_key = next_random(&seed) % 5 != 0;
		t.eku = next_random(&seed) % 7 == 0 ? CLI : SRV;
		add_testcert(&inv, &t);
		/* Make thumbprints unique beyond the id byte. */
		inv.certs[inv.n - 1].thumb[1] = (uint8_t)(i >> 8);
		inv.certs[inv.n - 1].thumb[2] = (uint8_t)i;
	}
	assert_int_equal(index_build(&ix, &inv), 0);
	for (w = 0; w < NROWS(want); w++) {
		char keys[256];
		struct policy p;
		struct selection sel;

		snprintf(keys, sizeof(keys), "    endpoint: 0.0.0.0:443\n"
		    "    match: {dns: %s}\n", want[w]);
		one_binding(keys, &p);
		assert_int_equal(select_cert(&p.bindings[0], &ix, NULL, NOW,
		    &sel), 0);
		assert_ptr_equal(sel.chosen, scan_select(&p.bindings[0], &inv));
		selection_free(&sel);
		policy_free(&p);
	}
	index_free(&ix);
	inventory_free(&inv);
}

static void
test_thumb_dates_guid(void **state)
{
	uint8_t t[THUMB_LEN], g[16];
	char hex[THUMB_HEX], date[11], time[21], guid[GUID_TEXT];

	(void)state;
	assert_int_equal(thumb_parse("a1 b2:c3d4e5f60718293a4b5c6d7e8f9001122334", t), 0);
	assert_string_equal(thumb_format(t, hex),
	    "A1B2C3D4E5F60718293A4B5C6D7E8F9001122334");
	assert_int_equal(thumb_parse("A1B2", t), -1);
	assert_int_equal(thumb_parse("A1B2C3D4E5F60718293A4B5C6D7E8F900112233445", t), -1);
	assert_int_equal(thumb_parse("g1B2C3D4E5F60718293A4B5C6D7E8F9001122334", t), -1);
	assert_string_equal(utc_date(0, date), "1970-01-01");
	assert_string_equal(utc_date(INT64_C(951782400), date), "2000-02-29");
	assert_string_equal(utc_date(INT64_C(1767312000), date), "2026-01-02");
	assert_string_equal(utc_date(-1, date), "1969-12-31");
	assert_string_equal(utc_time(NOW, time), "2027-01-15T08:00:00Z");
	assert_string_equal(utc_time(-1, time), "1969-12-31T23:59:59Z");
	assert_string_equal(guid_format(CERTBIND_APP_ID, guid),
	    "{9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3c6}");
	assert_int_equal(guid_parse("{9C1D3F5A-6B2E-4E8F-A0C4-7D2B95E1F3C6}", g),
	    0);
	assert_memory_equal(g, CERTBIND_APP_ID, 16);
	assert_int_equal(guid_parse("9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3c6", g),
	    0);
	assert_memory_equal(g, CERTBIND_APP_ID, 16);
	assert_int_equal(guid_parse("{9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3c6", g),
	    -1);
	assert_int_equal(guid_parse("9c1d3f5a-6b2e-4e8f-a0c4+7d2b95e1f3c6", g),
	    -1);
	assert_int_equal(guid_parse("9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3cg", g),
	    -1);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_reason_escapes_policy_value),
		cmocka_unit_test(test_issuer_thumbprints),
		cmocka_unit_test(test_why_lost),
		cmocka_unit_test(test_index_agrees_with_scan),
		cmocka_unit_test(test_thumb_dates_guid),
	};
	int failed;

	failed = run_rows("selection", test_row, (void *)rows, sizeof(rows[0]),
	    NROWS(rows), row_name);
	failed += cmocka_run_group_tests_name("select", fixed, NULL, NULL);
	return failed ? 1 : 0;
}
