/*
 * test_verify.c - verified rotation, the pure half: what each outcome of
 * the TLS check does (core/verify.c), where the check connects and the
 * name it sends, the policy keys verify and verify_timeout, how a
 * certificate whose change was undone or whose key does not work loses
 * (core/select.c, core/unusable.c), and the verify/probe output
 * (core/probe.c).
 */
#include "unit.h"

#include "plan.h"
#include "probe.h"
#include "report.h"
#include "unusable.h"
#include "verify.h"

/* --- what each outcome does ------------------------------------------ */

struct outcome_row {
	const char *name;
	enum verify_outcome o;
	bool after_change;
	bool roll_back, failure;
	int served;
	enum verify_report report;
};

static const struct outcome_row outcome_rows[] = {
	{ "served after a change", VERIFY_SERVED, true, false, false, 1,
	  VERIFY_REPORT_INFO },
	{ "mismatch after a change: undone", VERIFY_MISMATCH, true, true, true,
	  0, VERIFY_REPORT_ERROR },
	{ "handshake-failed after a change: undone", VERIFY_HANDSHAKE_FAILED,
	  true, true, true, 0, VERIFY_REPORT_ERROR },
	{ "not-listening after a change: kept, said once",
	  VERIFY_NOT_LISTENING, true, false, false, -1, VERIFY_REPORT_NEWS },
	{ "timeout after a change: kept, a warning", VERIFY_TIMEOUT, true,
	  false, false, -1, VERIFY_REPORT_WARNING },
	{ "ccs after a change: kept, said once", VERIFY_NOT_VERIFIABLE, true,
	  false, false, -1, VERIFY_REPORT_NEWS },
	{ "verify: false: kept, said once", VERIFY_SKIPPED, true, false, false,
	  -1, VERIFY_REPORT_NEWS },
	{ "mismatch on demand: a failure, nothing undone", VERIFY_MISMATCH,
	  false, false, true, 0, VERIFY_REPORT_ERROR },
	{ "handshake-failed on demand: a failure, nothing undone",
	  VERIFY_HANDSHAKE_FAILED, false, false, true, 0, VERIFY_REPORT_ERROR },
	{ "not-listening on demand: information", VERIFY_NOT_LISTENING, false,
	  false, false, -1, VERIFY_REPORT_INFO },
	{ "no record on demand: information", VERIFY_NO_RECORD, false, false,
	  false, -1, VERIFY_REPORT_INFO },
	{ "an unknown outcome is never fine", (enum verify_outcome)99, true,
	  true, true, 0, VERIFY_REPORT_ERROR },
};

static const char *
outcome_name(const void *row)
{
	return ((const struct outcome_row *)row)->name;
}

static void
test_outcome(void **state)
{
	const struct outcome_row *r = *state;
	struct verify_action a;

	verify_decide(r->o, r->after_change, &a);
	assert_int_equal(a.roll_back, r->roll_back);
	assert_int_equal(a.failure, r->failure);
	assert_int_equal(a.served, r->served);
	assert_int_equal(a.report, r->report);
}

/* not-listening is said when it is news, the others every time. */
static void
test_report_due(void **state)
{
	(void)state;
	assert_true(verify_report_due(VERIFY_NOT_LISTENING, -1));
	assert_false(verify_report_due(VERIFY_NOT_LISTENING,
	    VERIFY_NOT_LISTENING));
	assert_true(verify_report_due(VERIFY_NOT_LISTENING, VERIFY_SERVED));
	assert_true(verify_report_due(VERIFY_MISMATCH, VERIFY_MISMATCH));
	assert_true(verify_report_due(VERIFY_SERVED, VERIFY_SERVED));
	assert_string_equal(verify_outcome_name(VERIFY_HANDSHAKE_FAILED),
	    "handshake-failed");
	assert_string_equal(verify_outcome_name(VERIFY_NOT_LISTENING),
	    "not-listening");
	assert_string_equal(verify_outcome_name((enum verify_outcome)99), "?");
}

/* --- where the check connects ---------------------------------------- */

struct target_row {
	const char *name;
	const char *binding;       /* YAML of one binding's keys */
	int rc;
	bool ipv6;
	uint8_t addr[16];
	const char *sni;
};

static const struct target_row target_rows[] = {
	{ "IPv4 wildcard: 127.0.0.1, match.dns",
	  "endpoint: 0.0.0.0:8443\n    match: {dns: api.example.test}", 0,
	  false, { 127, 0, 0, 1 }, "api.example.test" },
	{ "a specific IPv4 address: itself",
	  "endpoint: 10.0.0.5:443\n    match: {dns: api.example.test}", 0,
	  false, { 10, 0, 0, 5 }, "api.example.test" },
	{ "IPv6 wildcard: ::1",
	  "endpoint: '[::]:8443'\n    match: {dns: api.example.test}", 0,
	  true, { [15] = 1 }, "api.example.test" },
	{ "a specific IPv6 address: itself",
	  "endpoint: '[2001:db8::7]:443'\n    match: {dns: api.example.test}",
	  0, true, { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 }, "api.example.test" },
	{ "SNI: 127.0.0.1, the host",
	  "endpoint: www.example.test:443", 0, false, { 127, 0, 0, 1 },
	  "www.example.test" },
	{ "ccs: not verifiable", "endpoint: ccs:443", -1, false, { 0 }, "" },
};

static const char *
target_name(const void *row)
{
	return ((const struct target_row *)row)->name;
}

static void
test_target(void **state)
{
	const struct target_row *r = *state;
	struct verify_target t;
	struct policy p;
	char yaml[512];

	snprintf(yaml, sizeof(yaml), "version: 1\nbindings:\n  - name: b\n"
	    "    %s\n", r->binding);
	load_policy(yaml, &p);
	assert_int_equal(verify_target_of(&p.bindings[0], &t), r->rc);
	if (r->rc == 0) {
		assert_int_equal(t.ipv6, r->ipv6);
		assert_memory_equal(t.addr, r->addr, r->ipv6 ? 16 : 4);
		assert_int_equal(t.port, p.bindings[0].endpoint.port);
		assert_string_equal(t.sni, r->sni);
	}
	policy_free(&p);
}

/* --- the policy keys -------------------------------------------------- */

struct key_row {
	const char *name;
	const char *defaults;      /* under defaults:, or "" */
	const char *binding;       /* under the binding, or "" */
	bool verify;
	int64_t timeout_ms;
	const char *error;         /* NULL: valid */
};

static const struct key_row key_rows[] = {
	{ "nothing said: verify, 5 s", "", "", true, 5000, NULL },
	{ "defaults turn it off", "verify: false", "", false, 5000, NULL },
	{ "the binding overrides defaults", "verify: false", "verify: true",
	  true, 5000, NULL },
	{ "the binding turns it off", "", "verify: false", false, 5000, NULL },
	{ "a default timeout", "verify_timeout: 2s", "", true, 2000, NULL },
	{ "the binding's timeout wins", "verify_timeout: 2s",
	  "verify_timeout: 1500ms", true, 1500, NULL },
	{ "timeout under 1 s is refused", "", "verify_timeout: 500ms", true, 0,
	  "verify_timeout must be a duration from 1s to 1m" },
	{ "timeout over a minute is refused", "verify_timeout: 2m", "", true,
	  0, "defaults.verify_timeout must be a duration from 1s to 1m" },
	{ "verify takes a boolean", "", "verify: yes", true, 0, "verify" },
};

static const char *
key_name(const void *row)
{
	return ((const struct key_row *)row)->name;
}

static void
test_keys(void **state)
{
	const struct key_row *r = *state;
	struct policy p;
	struct cb_error err;
	char yaml[512];
	int rc;

	snprintf(yaml, sizeof(yaml), "version: 1\n%s%s%sbindings:\n"
	    "  - name: b\n    endpoint: 0.0.0.0:443\n"
	    "    match: {dns: a.example.test}\n    %s\n",
	    r->defaults[0] ? "defaults:\n  " : "", r->defaults,
	    r->defaults[0] ? "\n" : "", r->binding);
	rc = policy_parse("t.yaml", yaml, strlen(yaml), &p, &err);
	if (r->error != NULL) {
		assert_int_equal(rc, -1);
		assert_non_null(strstr(err.msg, r->error));
		return;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(p.bindings[0].verify, r->verify);
	assert_int_equal(p.bindings[0].verify_timeout_ms, r->timeout_ms);
	policy_free(&p);
}

/* --- how such certificates lose ----------------------------------------- */

#define NAME "api.example.test"
#define ONE "version: 1\ndefaults: {renew_warning_days: 0}\nbindings:\n" \
	"  - name: api\n    endpoint: 0.0.0.0:443\n    match: {dns: " NAME "}\n"

static const struct testcert store[] = {
	{ 1, NAME, { NAME }, NOW - 80 * DAY, NOW + 10 * DAY, true,
	  EKU_SERVER_AUTH },
	{ 2, NAME, { NAME }, NOW - 10 * DAY, NOW + 60 * DAY, true,
	  EKU_SERVER_AUTH },
	{ 3, NAME, { NAME }, NOW - 10 * DAY, NOW + 90 * DAY, false,
	  EKU_SERVER_AUTH },
};

#define KEY_ERROR "NCryptOpenKey: Keyset does not exist (0x80090016)"

static const struct candidate *
cand(const struct plan_item *it, uint8_t id)
{
	size_t i;

	for (i = 0; i < it->sel.n; i++)
		if (it->sel.cands[i].cert->thumb[0] == id)
			return &it->sel.cands[i];
	fail_msg("certificate %u is not a candidate", id);
	return NULL;
}

/*
 * Certificate 3 names a key that does not open: it loses, with the
 * reason; certificate 2's change was undone: it loses until its backoff
 * ends, and the plan wakes then; certificate 1 is chosen.
 */
static void
test_losers(void **state)
{
	struct inventory inv = { 0 };
	struct unusable_list l = { 0 };
	struct policy p;
	struct plan plan;
	struct cb_error err;
	uint8_t t2[THUMB_LEN];
	char *text;
	size_t i;

	(void)state;
	load_policy(ONE, &p);
	for (i = 0; i < NROWS(store); i++)
		add_testcert(&inv, &store[i]);
	inv.certs[2].key_error = malloc(sizeof(KEY_ERROR));
	assert_non_null(inv.certs[2].key_error);
	strcpy(inv.certs[2].key_error, KEY_ERROR);
	memset(t2, 2, THUMB_LEN);
	assert_int_equal(unusable_note_cause(&l, "api", t2, NOW,
	    UNUSABLE_UNSERVED), NOW + 10);
	assert_int_equal(unusable_cause(&l, "api", t2), UNUSABLE_UNSERVED);
	assert_int_equal(plan_build_avoiding(&p, &inv, NULL, 0, NOW, &l, &plan,
	    &err), 0);
	assert_int_equal(plan.items[0].sel.chosen->thumb[0], 1);
	assert_int_equal(cand(&plan.items[0], 3)->verdict, VERDICT_KEY_UNUSABLE);
	assert_int_equal(cand(&plan.items[0], 2)->verdict, VERDICT_UNSERVED);
	assert_int_equal(plan_next_event(&plan, NOW), NOW + 10);
	text = report_text(&plan, NOW, REPORT_EXPLAIN);
	assert_non_null(strstr(text, "key-unusable: NCryptOpenKey: Keyset does "
	    "not exist (0x80090016)"));
	assert_non_null(strstr(text, "the endpoint did not serve it"));
	free(text);
	text = report_json(&plan, NOW, REPORT_EXPLAIN);
	assert_non_null(strstr(text, "\"verdict\": \"key-unusable\""));
	assert_non_null(strstr(text, "\"verdict\": \"unserved\""));
	free(text);
	plan_free(&plan);
	/* A key refusal (1312) keeps its own verdict. */
	unusable_note(&l, "api", t2, NOW);
	assert_int_equal(unusable_cause(&l, "api", t2), UNUSABLE_KEY_REFUSED);
	unusable_free(&l);
	inventory_free(&inv);
	policy_free(&p);
}

/* --- verify and status --probe output ----------------------------------- */

static void
test_probe_output(void **state)
{
	struct probe_row rows[2] = {
		{ "api", "0.0.0.0:443", VERIFY_SERVED, "serves 0101" },
		{ "w\"eb", "[::]:443", VERIFY_MISMATCH, "serves 0202, not \x01" },
	};
	struct probe_list l = { rows, 2 };
	char *text;

	(void)state;
	assert_true(probe_failed(&l));
	l.n = 1;
	assert_false(probe_failed(&l));
	l.n = 2;
	text = probe_text(&l);
	assert_string_equal(text, "api (0.0.0.0:443): served: serves 0101\n"
	    "w\"eb ([::]:443): mismatch: serves 0202, not \\x01\n");
	free(text);
	text = probe_json_array(&l);
	assert_non_null(strstr(text, "{\"binding\": \"w\\\"eb\", \"endpoint\": "
	    "\"[::]:443\", \"outcome\": \"mismatch\", \"detail\": "
	    "\"serves 0202, not \\\\x01\"}"));
	free(text);
}

/* --- link-local addresses and Schannel's alerts ------------------- */

struct link_row {
	const char *name;
	bool ipv6;
	uint8_t addr[16];
	bool link_local;
};

static const struct link_row link_rows[] = {
	{ "fe80::1 is link-local", true, { 0xfe, 0x80, [15] = 1 }, true },
	{ "febf::1, the end of fe80::/10, is", true, { 0xfe, 0xbf, [15] = 1 },
	  true },
	{ "fec0::1 (site-local) is not", true, { 0xfe, 0xc0, [15] = 1 },
	  false },
	{ "fe00::1 is not", true, { 0xfe, 0x00, [15] = 1 }, false },
	{ "::1 is not", true, { [15] = 1 }, false },
	{ "IPv4 254.128.0.1 is not (its bytes look the same)", false,
	  { 254, 128, 0, 1 }, false },
};

static const char *
link_name(const void *row)
{
	return ((const struct link_row *)row)->name;
}

static void
test_link_local(void **state)
{
	const struct link_row *r = *state;
	struct verify_target t;

	memset(&t, 0, sizeof(t));
	t.ipv6 = r->ipv6;
	memcpy(t.addr, r->addr, sizeof(t.addr));
	assert_int_equal(verify_link_local(&t), r->link_local);
}

struct alert_row {
	const char *name;
	uint8_t bytes[16];
	size_t n;
	const char *text;
};

static const struct alert_row alert_rows[] = {
	{ "a SCHANNEL_ALERT_TOKEN", { 2, 0, 0, 0, 2, 0, 0, 0, 40, 0, 0, 0 },
	  12, "fatal alert handshake_failure (40)" },
	{ "a TLS alert record", { 21, 3, 3, 0, 2, 2, 48 }, 7,
	  "fatal alert unknown_ca (48)" },
	{ "an alert's two bytes, a warning", { 1, 112 }, 2,
	  "warning alert unrecognized_name (112)" },
	{ "an unknown description", { 2, 199 }, 2,
	  "fatal alert unknown (199)" },
	{ "an unknown level", { 7, 80 }, 2, "an alert internal_error (80)" },
	{ "a token of another type", { 1, 0, 0, 0, 2, 0, 0, 0, 40, 0, 0, 0 },
	  12, "" },
	{ "a record of another content type", { 22, 3, 3, 0, 2, 2, 48 }, 7,
	  "" },
	{ "a record of another length", { 21, 3, 3, 0, 3, 2, 48 }, 7, "" },
	{ "nothing", { 0 }, 0, "" },
	{ "three bytes", { 2, 40, 0 }, 3, "" },
};

static const char *
alert_name(const void *row)
{
	return ((const struct alert_row *)row)->name;
}

static void
test_alert(void **state)
{
	const struct alert_row *r = *state;
	char buf[80] = "not written";

	assert_ptr_equal(verify_alert_text(r->bytes, r->n, buf, sizeof(buf)),
	    buf);
	assert_string_equal(buf, r->text);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_report_due),
		cmocka_unit_test(test_losers),
		cmocka_unit_test(test_probe_output),
	};
	int failed;

	failed = run_rows("what each outcome does", test_outcome,
	    (void *)outcome_rows, sizeof(outcome_rows[0]), NROWS(outcome_rows),
	    outcome_name);
	failed += run_rows("where the check connects", test_target,
	    (void *)target_rows, sizeof(target_rows[0]), NROWS(target_rows),
	    target_name);
	failed += run_rows("link-local addresses", test_link_local,
	    (void *)link_rows, sizeof(link_rows[0]), NROWS(link_rows),
	    link_name);
	failed += run_rows("Schannel's alerts", test_alert,
	    (void *)alert_rows, sizeof(alert_rows[0]), NROWS(alert_rows),
	    alert_name);
	failed += run_rows("verify and verify_timeout", test_keys,
	    (void *)key_rows, sizeof(key_rows[0]), NROWS(key_rows), key_name);
	failed += cmocka_run_group_tests_name("verified rotation", fixed, NULL,
	    NULL);
	return failed ? 1 : 0;
}
