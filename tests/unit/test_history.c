/*
 * test_history.c - the replaced-record history's encoding and the pin a
 * rollback leaves (core/history.c, core/pin.c): every field survives,
 * the oldest entry goes, and any value that is not whole and certbind's
 * is refused with a reason, never half used.
 */
#include "unit.h"

#include "history.h"
#include "pin.h"

static void
record_at(const char *ep, uint8_t fill, struct ssl_record *r)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(endpoint_parse(ep, &r->endpoint, NULL, 0), 0);
	if (r->endpoint.kind != EP_CCS) {
		memset(r->hash, fill, THUMB_LEN);
		r->hash_len = THUMB_LEN;
		r->store = "WebHosting";
	}
	memcpy(r->app_id, CERTBIND_APP_ID, 16);
	r->check_mode = CHECK_NO_REVOCATION | CHECK_FRESHNESS_TIME;
	r->revocation_freshness = 600;
	r->url_timeout = 15000;
	r->ctl_identifier = "Partners";
	r->ctl_store = "CA";
	r->flags = SSL_FLAG_NEGOTIATE_CLIENT_CERT | SSL_FLAG_DISABLE_TLS13;
}

static void
entry(const char *ep, uint8_t fill, int64_t at, const char *reason,
    struct history_entry *e)
{
	memset(e, 0, sizeof(*e));
	record_at(ep, fill, &e->record);
	e->at = at;
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
	memset(e->by, fill + 1, THUMB_LEN);
	e->by_len = THUMB_LEN;
}

/* A history of n entries at ep, the newest filled with n. */
static void
history_of(const char *ep, size_t n, struct history *h)
{
	struct history_entry e;
	size_t i;

	memset(h, 0, sizeof(*h));
	for (i = 1; i <= n; i++) {
		entry(ep, (uint8_t)i, NOW + (int64_t)i, "apply", &e);
		assert_int_equal(history_push(h, &e), 0);
	}
}

static size_t
encode(const struct history *h, uint8_t *buf)
{
	size_t n = history_encode(h, buf, HISTORY_ENCODED_MAX);

	assert_true(n > 0);
	return n;
}

/* Every kind of endpoint, every field, decodes as it was encoded. */
static void
test_roundtrip(void **state)
{
	static const char *eps[] = { "10.0.0.5:443", "[2001:db8::1]:8443",
	    "www.example.test:443", "ccs:443" };
	static uint8_t buf[HISTORY_ENCODED_MAX];
	struct history h, back;
	struct endpoint ep;
	char why[200];
	size_t i, j, n;

	(void)state;
	for (i = 0; i < NROWS(eps); i++) {
		history_of(eps[i], 3, &h);
		n = encode(&h, buf);
		assert_int_equal(endpoint_parse(eps[i], &ep, NULL, 0), 0);
		assert_int_equal(history_decode(buf, n, &ep, &back, why,
		    sizeof(why)), 0);
		assert_int_equal(back.n, 3);
		for (j = 0; j < 3; j++) {
			assert_true(history_same_record(&back.v[j].record,
			    &h.v[j].record));
			assert_true(back.v[j].at == h.v[j].at);
			assert_string_equal(back.v[j].reason, h.v[j].reason);
			assert_int_equal(back.v[j].by_len, h.v[j].by_len);
			assert_memory_equal(back.v[j].by, h.v[j].by, THUMB_LEN);
			assert_string_equal(back.v[j].record.ctl_identifier,
			    "Partners");
			assert_int_equal(back.v[j].record.flags, h.v[j].record.flags);
		}
		/* Newest first. */
		assert_true(back.v[0].at > back.v[2].at);
	}
}

/* Only the last HISTORY_KEEP are kept; the oldest goes. */
static void
test_keeps_last_five(void **state)
{
	struct history h;

	(void)state;
	history_of("0.0.0.0:443", 8, &h);
	assert_int_equal(h.n, HISTORY_KEEP);
	assert_int_equal(h.v[0].record.hash[0], 8);
	assert_int_equal(h.v[HISTORY_KEEP - 1].record.hash[0], 4);
}

/* A reason that is not a plain word is refused, and h is unchanged. */
static void
test_bad_reason(void **state)
{
	static const char *bad[] = { "", "Apply", "apply now", "a\x1b[2J",
	    "rollback-rollback-x" };
	struct history h;
	struct history_entry e;
	size_t i;

	(void)state;
	history_of("0.0.0.0:443", 2, &h);
	for (i = 0; i < NROWS(bad); i++) {
		entry("0.0.0.0:443", 9, NOW, "apply", &e);
		memset(e.reason, 0, sizeof(e.reason));
		if (strlen(bad[i]) > HISTORY_REASON_MAX)
			memset(e.reason, 'a', sizeof(e.reason));  /* no NUL */
		else
			memcpy(e.reason, bad[i], strlen(bad[i]));
		assert_int_equal(history_push(&h, &e), -1);
		assert_int_equal(h.n, 2);
	}
}

/* Every cut of a valid value is refused; so is any byte added. */
static void
test_truncated(void **state)
{
	static uint8_t buf[HISTORY_ENCODED_MAX + 1];
	struct history h, back;
	struct endpoint ep;
	char why[200];
	size_t n, cut;

	(void)state;
	history_of("www.example.test:443", 2, &h);
	n = encode(&h, buf);
	assert_int_equal(endpoint_parse("www.example.test:443", &ep, NULL, 0), 0);
	for (cut = 0; cut < n; cut++) {
		why[0] = '\0';
		assert_int_equal(history_decode(buf, cut, &ep, &back, why,
		    sizeof(why)), -1);
		assert_int_equal(back.n, 0);
		assert_true(why[0] != '\0');
	}
	buf[n] = 0;
	assert_int_equal(history_decode(buf, n + 1, &ep, &back, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "bytes after its last entry"));
}

struct corrupt {
	const char *name;
	size_t at;             /* byte to change */
	uint8_t value;
	const char *why;       /* part of the reason given */
};

static const struct corrupt corrupt[] = {
	{ "magic", 0, 'X', "not a history value" },
	{ "version", 3, '2', "not a history value" },
	{ "count zero", 4, 0, "entry count" },
	{ "count six", 4, 6, "entry count" },
	{ "reason length", 16, 200, "reason" },
	{ "reason character", 17, 'A', "reason" },
	{ "record magic", 8 + 8 + 1 + 5 + 4 + THUMB_LEN + 4, 'Z', "record" },
};

static void
test_corrupt_row(void **state)
{
	const struct corrupt *row = *state;
	static uint8_t buf[HISTORY_ENCODED_MAX];
	struct history h, back;
	struct endpoint ep;
	char why[200];
	size_t n;

	history_of("0.0.0.0:443", 2, &h);
	n = encode(&h, buf);
	assert_int_equal(endpoint_parse("0.0.0.0:443", &ep, NULL, 0), 0);
	assert_int_equal(history_decode(buf, n, &ep, &back, why, sizeof(why)),
	    0);
	buf[row->at] = row->value;
	assert_int_equal(history_decode(buf, n, &ep, &back, why, sizeof(why)),
	    -1);
	assert_int_equal(back.n, 0);
	if (strstr(why, row->why) == NULL)
		fail_msg("reason '%s' does not say '%s'", why, row->why);
}

static const char *
corrupt_name(const void *row)
{
	return ((const struct corrupt *)row)->name;
}

/* A value holding another endpoint's records is not this one's. */
static void
test_other_endpoint(void **state)
{
	static uint8_t buf[HISTORY_ENCODED_MAX];
	struct history h, back;
	struct endpoint ep;
	char why[200];
	size_t n;

	(void)state;
	history_of("0.0.0.0:443", 1, &h);
	n = encode(&h, buf);
	assert_int_equal(endpoint_parse("0.0.0.0:8443", &ep, NULL, 0), 0);
	assert_int_equal(history_decode(buf, n, &ep, &back, why, sizeof(why)),
	    -1);
	assert_non_null(strstr(why, "another endpoint"));
}

/* Rollback puts back the newest record that is not the one held now. */
static void
test_rollback_index(void **state)
{
	struct history h;
	struct ssl_record now;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(history_rollback_index(&h, NULL), -1);
	history_of("0.0.0.0:443", 3, &h);
	record_at("0.0.0.0:443", 7, &now);
	assert_int_equal(history_rollback_index(&h, &now), 0);
	assert_int_equal(history_rollback_index(&h, NULL), 0);
	/* The newest entry is what is bound (a change that was undone). */
	now = h.v[0].record;
	assert_int_equal(history_rollback_index(&h, &now), 1);
	/* Options count: the same hash with other flags is another record. */
	now.flags ^= SSL_FLAG_DISABLE_HTTP2;
	assert_int_equal(history_rollback_index(&h, &now), 0);
	history_of("0.0.0.0:443", 1, &h);
	now = h.v[0].record;
	assert_int_equal(history_rollback_index(&h, &now), -1);
}

static void
test_pin_encoding(void **state)
{
	struct pin p = { .away_not_before = NOW - 5, .at = NOW }, back;
	uint8_t buf[PIN_ENCODED_LEN + 1];
	char why[100];
	size_t n, cut;

	(void)state;
	memset(p.away, 0xcd, THUMB_LEN);
	n = pin_encode(&p, buf, sizeof(buf));
	assert_int_equal(n, PIN_ENCODED_LEN);
	assert_int_equal(pin_decode(buf, n, &back, why, sizeof(why)), 0);
	assert_memory_equal(back.away, p.away, THUMB_LEN);
	assert_true(back.away_not_before == p.away_not_before);
	assert_true(back.at == p.at);
	for (cut = 0; cut < n; cut++)
		assert_int_equal(pin_decode(buf, cut, &back, why, sizeof(why)),
		    -1);
	assert_int_equal(pin_decode(buf, n + 1, &back, why, sizeof(why)), -1);
	buf[1] = 'X';
	assert_int_equal(pin_decode(buf, n, &back, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not a pin"));
}

/*
 * The pin decision, as a table.  The binding holds certificate 1 (A,
 * rolled back to); certificate 2 (B, NotBefore NOW - 10 d) was rolled
 * away from; C (3) was issued before B and expires last; D (4), issued
 * after B, ranks after C.  Which certificate the selection chose, whether
 * there is a pin and whether apply --force was given decide the action.
 */
struct pin_row {
	const char *name;
	bool pinned;
	bool force;
	uint8_t chosen;        /* 1 A, 2 B, 3 C older than B, 4 D newer */
	bool options_differ;   /* the policy declares another flag */
	enum action want;
	bool want_pinned;
	uint8_t also;          /* another certificate in the store, or 0 */
};

static const struct pin_row pin_rows[] = {
	{ "no pin: moves to B", false, false, 2, false, ACTION_UPDATE_HASH,
	  false },
	{ "pinned: stays off B", true, false, 2, false, ACTION_NONE, true },
	{ "pinned: stays off an older C", true, false, 3, false, ACTION_NONE,
	  true },
	{ "pinned: moves to a newer D", true, false, 4, false,
	  ACTION_UPDATE_HASH, false },
	{ "pinned, --force: moves to B", true, true, 2, false,
	  ACTION_UPDATE_HASH, false },
	{ "pinned, options changed: options only", true, false, 2, true,
	  ACTION_UPDATE_OPTIONS, true },
	{ "pinned, A chosen: as planned", true, false, 1, false, ACTION_NONE,
	  false },
	{ "pinned: older C best, newer D qualifies: moves to D", true, false,
	  3, false, ACTION_UPDATE_HASH, false, 4 },
	{ "pinned: older C best, no pin: moves to C", false, false, 3, false,
	  ACTION_UPDATE_HASH, false, 4 },
};

/*
 * The pin tests' certificates for a.example.test: A (1) is held, B (2) is
 * the one rolled away from, C (3) is older than B, D (4) and E (5) newer.
 */
static const struct testcert pin_certs[] = {
	{ 1, "a.example.test", { "a.example.test" }, NOW - 40 * DAY,
	  NOW + 20 * DAY, true, 0 },
	{ 2, "a.example.test", { "a.example.test" }, NOW - 10 * DAY,
	  NOW + 90 * DAY, true, 0 },
	{ 3, "a.example.test", { "a.example.test" }, NOW - 20 * DAY,
	  NOW + 95 * DAY, true, 0 },
	{ 4, "a.example.test", { "a.example.test" }, NOW - 1 * DAY,
	  NOW + 93 * DAY, true, 0 },
	{ 5, "a.example.test", { "a.example.test" }, NOW - 2 * DAY,
	  NOW + 92 * DAY, true, 0 },
};

static const char pin_yaml[] = "version: 1\nbindings:\n  - name: a\n"
    "    endpoint: 0.0.0.0:443\n    match:\n      dns: a.example.test\n";

/* The record of pol's one binding, holding A, in store (may be NULL). */
static void
pin_record(struct ssl_record *cur, const struct policy *pol,
    const char *store)
{
	memset(cur, 0, sizeof(*cur));
	cur->endpoint = pol->bindings[0].endpoint;
	memset(cur->hash, 1, THUMB_LEN);
	cur->hash_len = THUMB_LEN;
	cur->store = store;
	memcpy(cur->app_id, CERTBIND_APP_ID, 16);
}

static void
test_pin_row(void **state)
{
	const struct pin_row *row = *state;
	const struct testcert *certs = pin_certs;
	const char *yaml_plain = pin_yaml;
	const char *yaml_flag = "version: 1\nbindings:\n  - name: a\n"
	    "    endpoint: 0.0.0.0:443\n    match:\n      dns: a.example.test\n"
	    "    options:\n      disable_http2: true\n";
	struct inventory inv = { 0 };
	struct policy pol;
	struct plan plan;
	struct cb_error err;
	struct ssl_record cur;
	struct pin pin = { .away_not_before = NOW - 10 * DAY, .at = NOW };
	size_t i;

	memset(pin.away, 2, THUMB_LEN);
	for (i = 0; i < NROWS(pin_certs); i++)
		if (certs[i].id == 1 || certs[i].id == row->chosen ||
		    certs[i].id == row->also)
			add_testcert(&inv, &certs[i]);
	load_policy(row->options_differ ? yaml_flag : yaml_plain, &pol);
	pin_record(&cur, &pol, "MY");
	assert_int_equal(plan_build(&pol, &inv, &cur, 1, NOW, &plan, &err), 0);
	pin_apply(&plan.items[0], row->pinned ? &pin : NULL, row->force);
	assert_int_equal(plan.items[0].action, row->want);
	assert_int_equal(plan.items[0].pinned, row->want_pinned);
	if (row->want_pinned) {
		/* Kept on A, B named as passed over, options still applied. */
		assert_memory_equal(plan.items[0].desired.hash, cur.hash,
		    THUMB_LEN);
		assert_int_equal(plan.items[0].sel.chosen->thumb[0], 1);
		assert_int_equal(plan.items[0].passed_over->thumb[0],
		    row->chosen);
		assert_int_equal(plan.items[0].desired.flags & SSL_FLAG_DISABLE_HTTP2,
		    row->options_differ ? SSL_FLAG_DISABLE_HTTP2 : 0);
	} else if (row->want == ACTION_UPDATE_HASH) {
		/* Pinned, it goes to the newer D; else to the best. */
		uint8_t to = row->pinned && row->also ? row->also : row->chosen;

		assert_int_equal(plan.items[0].desired.hash[0], to);
		assert_int_equal(plan.items[0].sel.chosen->thumb[0], to);
	}
	plan_free(&plan);
	policy_free(&pol);
	inventory_free(&inv);
}

static const char *
pin_name(const void *row)
{
	return ((const struct pin_row *)row)->name;
}

/* The key probe of test_pin_runner_up_keys: 4's key does not open. */
static bool
key_of_4_fails(size_t i, void *arg, char **why)
{
	struct inventory *inv = arg;

	(void)why;
	return inv->certs[i].thumb[0] != 4;
}

/*
 * Pinned, with the older C best: the newer D qualifies but its key does
 * not open, which the plan never asked (D ranks below C).  The binding
 * goes to the newer E, whose key opens, and without E it stays pinned;
 * it never goes to D.
 */
static void
test_pin_runner_up_keys(void **state)
{
	/* A, C, D and then E too: B, rolled away from, is not there. */
	static const uint8_t ids[] = { 1, 3, 4, 5 };
	struct pin pin = { .away_not_before = NOW - 10 * DAY, .at = NOW };
	struct ssl_record cur;
	struct policy pol;
	struct cb_error err;
	size_t n, i;

	(void)state;
	memset(pin.away, 2, THUMB_LEN);
	load_policy(pin_yaml, &pol);
	pin_record(&cur, &pol, "MY");
	for (n = 3; n <= 4; n++) {        /* without E, then with it */
		struct inventory inv = { 0 };
		struct key_probe keys = { key_of_4_fails, &inv, &inv, 0, NULL };
		struct plan plan;
		struct plan_item *it;

		for (i = 0; i < n; i++) {
			add_testcert(&inv, &pin_certs[ids[i] - 1]);
			inv.certs[i].key_unknown = true;
		}
		assert_int_equal(plan_build_probing(&pol, &cur, 1, NOW, NULL,
		    &keys, &plan, &err), 0);
		it = &plan.items[0];
		assert_int_equal(it->sel.chosen->thumb[0], 3);
		if (n == 3) {
			assert_true(pin_apply(it, &pin, false));
			assert_int_equal(it->action, ACTION_NONE);
			assert_int_equal(it->desired.hash[0], 1);
		} else {
			assert_false(pin_apply(it, &pin, false));
			assert_int_equal(it->action, ACTION_UPDATE_HASH);
			assert_int_equal(it->desired.hash[0], 5);
			assert_int_equal(it->sel.chosen->thumb[0], 5);
		}
		/* D's key was asked for, once, and lost. */
		assert_false(inv.certs[2].key_unknown);
		assert_false(inv.certs[2].has_key);
		plan_free(&plan);
		inventory_free(&inv);
	}
	policy_free(&pol);
}

/* A pinned binding whose certificate left the store is not held. */
static void
test_pin_bound_gone(void **state)
{
	static const struct testcert b = { 2, "a.example.test",
	    { "a.example.test" }, NOW - 10 * DAY, NOW + 90 * DAY, true, 0 };
	struct inventory inv = { 0 };
	struct policy pol;
	struct plan plan;
	struct cb_error err;
	struct ssl_record cur;
	struct pin pin = { .away_not_before = NOW - 10 * DAY, .at = NOW };

	(void)state;
	memset(pin.away, 2, THUMB_LEN);
	add_testcert(&inv, &b);
	load_policy(pin_yaml, &pol);
	pin_record(&cur, &pol, NULL);
	assert_int_equal(plan_build(&pol, &inv, &cur, 1, NOW, &plan, &err), 0);
	assert_false(pin_apply(&plan.items[0], &pin, false));
	assert_int_equal(plan.items[0].action, ACTION_UPDATE_HASH);
	plan_free(&plan);
	policy_free(&pol);
	inventory_free(&inv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_keeps_last_five),
		cmocka_unit_test(test_bad_reason),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_other_endpoint),
		cmocka_unit_test(test_rollback_index),
		cmocka_unit_test(test_pin_encoding),
		cmocka_unit_test(test_pin_bound_gone),
		cmocka_unit_test(test_pin_runner_up_keys),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	rc |= run_rows("corrupt history values", test_corrupt_row,
	    (void *)corrupt, sizeof(corrupt[0]), NROWS(corrupt), corrupt_name);
	rc |= run_rows("pin decisions", test_pin_row, (void *)pin_rows,
	    sizeof(pin_rows[0]), NROWS(pin_rows), pin_name);
	return rc;
}
