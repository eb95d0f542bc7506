/*
 * test_plan.c - what the plan does with each binding (core/plan.c), and
 * how it is reported (core/report.c).
 *
 * Each row is a binding, the record HTTP.sys holds for it (or none), and
 * the action, certificate and record fields the plan must come to.  The
 * store is the same for every row: cert 1 expires in 10 days, cert 2 in
 * 60, both for api.example.test; cert 3 is an expiring www.example.test.
 */
#include "unit.h"

#include "plan.h"
#include "report.h"
#include "status.h"

#define NAME "api.example.test"
#define SRV EKU_SERVER_AUTH
#define OTHER_APP "{11111111-2222-3333-4444-555555555555}"

static const struct testcert store[] = {
	{ 1, NAME, { NAME }, NOW - 80 * DAY, NOW + 10 * DAY, true, SRV },
	{ 2, NAME, { NAME }, NOW - 10 * DAY, NOW + 60 * DAY, true, SRV },
	{ 3, "www", { "www.example.test" }, NOW - 80 * DAY, NOW + 5 * DAY, true,
	  SRV },
};

/* The record a row starts with. */
struct start {
	bool present;
	uint8_t hash;           /* thumbprint byte */
	const char *app_id;     /* NULL: certbind's */
	uint32_t check_mode, flags, freshness;
	const char *store;      /* NULL: "MY" */
};

struct row {
	const char *name;
	const char *binding;    /* binding keys after name */
	struct start rec;
	enum action want;
	uint8_t want_hash;      /* desired hash byte, 0: no record written */
	uint32_t want_check, want_flags, want_freshness;
	const char *want_store;
	unsigned want_warnings;
};

#define EP "    endpoint: 0.0.0.0:443\n"
#define MATCH "    match: {dns: " NAME "}\n"

static const struct row rows[] = {
	{ "no record: create with the best certificate", EP MATCH,
	  { false }, ACTION_CREATE, 2, 0, 0, 0, "MY", 0 },
	{ "record on the old certificate: update the hash", EP MATCH,
	  { true, 1 }, ACTION_UPDATE_HASH, 2, 0, 0, 0, "MY", 0 },
	{ "record on the best certificate: nothing", EP MATCH,
	  { true, 2 }, ACTION_NONE, 0, 0, 0, 0, NULL, 0 },
	{ "update keeps the operator's fields", EP MATCH,
	  { true, 1, NULL, 0x10001, 0x2, 600 }, ACTION_UPDATE_HASH, 2, 0x10001,
	  0x2, 600, "MY", 0 },
	{ "declared option differs: update options", EP MATCH
	  "    options: {disable_http2: true}\n",
	  { true, 2 }, ACTION_UPDATE_OPTIONS, 2, 0, 0x10, 0, "MY", 0 },
	{ "declared option already set: nothing", EP MATCH
	  "    options: {disable_http2: true, client_cert_negotiation: false}\n",
	  { true, 2, NULL, 0, 0x10 }, ACTION_NONE, 0, 0, 0, 0, NULL, 0 },
	{ "switches set and clear their bits", EP MATCH
	  "    options:\n      verify_client_cert_revocation: false\n"
	  "      usage_check: true\n      client_cert_negotiation: false\n"
	  "      reject: true\n",
	  { true, 2, NULL, 0x10000, 0x2 }, ACTION_UPDATE_OPTIONS, 2, 0x1, 0x8, 0,
	  "MY", 0 },
	{ "revocation freshness sets the check-mode bit", EP MATCH
	  "    options: {revocation_freshness_time: 1h}\n",
	  { true, 2 }, ACTION_UPDATE_OPTIONS, 2, 0x4, 0, 3600, "MY", 0 },
	{ "store name case does not count as a difference", EP MATCH,
	  { true, 2, NULL, 0, 0, 0, "My" }, ACTION_NONE, 0, 0, 0, 0, NULL, 0 },
	{ "no store name is MY to HTTP.sys: nothing", EP MATCH,
	  { true, 2, NULL, 0, 0, 0, "" }, ACTION_NONE, 0, 0, 0, 0, NULL, 0 },
	{ "new record carries the declared options", EP MATCH
	  "    options: {disable_tls12: true, url_retrieval_timeout: 15s}\n",
	  { false }, ACTION_CREATE, 2, 0, 0x1000, 0, "MY", 0 },
	{ "another AppId on an expiring certificate: conflict, no warning",
	  EP MATCH, { true, 1, OTHER_APP }, ACTION_CONFLICT, 0, 0, 0, 0, NULL,
	  0 },
	{ "another AppId on a certificate not in the store: conflict only",
	  EP MATCH, { true, 9, OTHER_APP }, ACTION_CONFLICT, 0, 0, 0, 0, NULL,
	  0 },
	{ "another AppId with takeover: update, AppId kept", EP MATCH
	  "    takeover: true\n",
	  { true, 1, OTHER_APP }, ACTION_UPDATE_HASH, 2, 0, 0, 0, "MY", 0 },
	{ "binding's own app_id owns the record", EP MATCH
	  "    options: {app_id: '" OTHER_APP "'}\n",
	  { true, 1, OTHER_APP }, ACTION_UPDATE_HASH, 2, 0, 0, 0, "MY", 0 },
	{ "no candidate keeps the record", EP
	  "    match: {dns: " NAME ", min_days_left: 90}\n",
	  { true, 1 }, ACTION_NO_CANDIDATE, 0, 0, 0, 0, NULL, WARN_EXPIRING },
	{ "no candidate and no record", EP
	  "    match: {dns: nothing.example.test}\n",
	  { false }, ACTION_NO_CANDIDATE, 0, 0, 0, 0, NULL, 0 },
	{ "bound certificate gone from the store", EP MATCH,
	  { true, 9 }, ACTION_UPDATE_HASH, 2, 0, 0, 0, "MY", WARN_BOUND_MISSING },
	{ "expiring certificate with no renewal warns", EP
	  "    match: {dns: www.example.test}\n",
	  { true, 3 }, ACTION_NONE, 0, 0, 0, 0, NULL, WARN_EXPIRING },
	{ "WebHosting store is written as WebHosting", EP MATCH
	  "    options: {cert_store: WebHosting}\n",
	  { false }, ACTION_NO_CANDIDATE, 0, 0, 0, 0, NULL, 0 },
	{ "ccs: create a record without a certificate",
	  "    endpoint: ccs:443\n", { false }, ACTION_CREATE, 0, 0, 0, 0, "",
	  0 },
	{ "ccs: options only", "    endpoint: ccs:443\n"
	  "    options: {disable_quic: true}\n",
	  { true, 0, NULL, 0, 0, 0, "" }, ACTION_UPDATE_OPTIONS, 0, 0, 0x20, 0,
	  "", 0 },
	{ "ccs: as declared", "    endpoint: ccs:443\n",
	  { true, 0, NULL, 0, 0, 0, "" }, ACTION_NONE, 0, 0, 0, 0, NULL, 0 },
};

static const char *
row_name(const void *row)
{
	return ((const struct row *)row)->name;
}

static void
make_store(struct inventory *inv)
{
	size_t i;

	for (i = 0; i < NROWS(store); i++)
		add_testcert(inv, &store[i]);
}

static void
make_record(const struct start *s, const struct binding *b,
    struct ssl_record *r)
{
	memset(r, 0, sizeof(*r));
	r->endpoint = b->endpoint;
	if (s->hash != 0) {
		memset(r->hash, s->hash, THUMB_LEN);
		r->hash_len = THUMB_LEN;
	}
	if (s->app_id != NULL)
		assert_int_equal(guid_parse(s->app_id, r->app_id), 0);
	else
		memcpy(r->app_id, CERTBIND_APP_ID, 16);
	r->check_mode = s->check_mode;
	r->flags = s->flags;
	r->revocation_freshness = s->freshness;
	r->store = s->store ? s->store : "MY";
}

static void
test_row(void **state)
{
	const struct row *r = *state;
	struct inventory inv = { 0 };
	struct policy p;
	struct ssl_record rec;
	struct plan plan;
	struct cb_error err;
	const struct plan_item *it;
	char yaml[1024];

	snprintf(yaml, sizeof(yaml), "version: 1\nbindings:\n  - name: api\n%s",
	    r->binding);
	load_policy(yaml, &p);
	make_store(&inv);
	make_record(&r->rec, &p.bindings[0], &rec);
	assert_int_equal(plan_build(&p, &inv, &rec, r->rec.present ? 1 : 0,
	    NOW, &plan, &err), 0);
	it = &plan.items[0];
	assert_string_equal(action_name(it->action), action_name(r->want));
	assert_int_equal(it->warnings, r->want_warnings);
	if (r->want_store != NULL) {
		assert_int_equal(it->desired.hash[0], r->want_hash);
		assert_int_equal(it->desired.hash_len, r->want_hash ? THUMB_LEN : 0);
		assert_int_equal(it->desired.check_mode, r->want_check);
		assert_int_equal(it->desired.flags, r->want_flags);
		assert_int_equal(it->desired.revocation_freshness,
		    r->want_freshness);
		assert_string_equal(record_text(it->desired.store), r->want_store);
		/* A record keeps its AppId; a new one gets the binding's. */
		assert_memory_equal(it->desired.app_id, r->rec.present ?
		    rec.app_id : p.bindings[0].app_id, 16);
	}
	assert_int_equal(plan_changes(&plan), r->want_store != NULL &&
	    r->want != ACTION_NONE ? 1 : 0);
	plan_free(&plan);
	inventory_free(&inv);
	policy_free(&p);
}

/* Records at other endpoints are never looked at or planned for. */
static void
test_undeclared_records(void **state)
{
	struct inventory inv = { 0 };
	struct policy p;
	struct ssl_record recs[3];
	struct plan plan;
	struct cb_error err;
	struct start s = { true, 1 };

	(void)state;
	load_policy("version: 1\nbindings:\n  - name: api\n" EP MATCH, &p);
	make_store(&inv);
	make_record(&s, &p.bindings[0], &recs[0]);
	make_record(&s, &p.bindings[0], &recs[1]);
	make_record(&s, &p.bindings[0], &recs[2]);
	endpoint_parse("10.0.0.1:443", &recs[0].endpoint, NULL, 0);
	endpoint_parse("www.example.test:443", &recs[1].endpoint, NULL, 0);
	endpoint_parse("0.0.0.0:444", &recs[2].endpoint, NULL, 0);
	assert_int_equal(plan_build(&p, &inv, recs, 3, NOW, &plan, &err), 0);
	assert_int_equal(plan.n, 1);
	assert_false(plan.items[0].has_current);
	assert_int_equal(plan.items[0].action, ACTION_CREATE);
	plan_free(&plan);
	inventory_free(&inv);
	policy_free(&p);
}

/*
 * A record HTTP.sys holds as "WWW.Example.test:443" is the binding's
 * www.example.test:443, and a rotation writes it back with its own case.
 */
static void
test_sni_host_case(void **state)
{
	struct inventory inv = { 0 };
	struct policy p;
	struct ssl_record rec;
	struct plan plan;
	struct cb_error err;
	struct start s = { true, 1 };

	(void)state;
	load_policy("version: 1\nbindings:\n  - name: api\n"
	    "    endpoint: " NAME ":443\n", &p);
	make_store(&inv);
	make_record(&s, &p.bindings[0], &rec);
	strcpy(rec.endpoint.host, "API.Example.Test");
	assert_int_equal(plan_build(&p, &inv, &rec, 1, NOW, &plan, &err), 0);
	assert_true(plan.items[0].has_current);
	assert_int_equal(plan.items[0].action, ACTION_UPDATE_HASH);
	assert_string_equal(plan.items[0].desired.endpoint.host,
	    "API.Example.Test");
	plan_free(&plan);
	inventory_free(&inv);
	policy_free(&p);
}

/* The text report: one sentence per binding, reasons, the total. */
static void
test_report_text(void **state)
{
	struct inventory inv = { 0 };
	struct policy p;
	struct ssl_record rec;
	struct plan plan;
	struct cb_error err;
	struct start s = { true, 1 };
	char *text;

	(void)state;
	load_policy("version: 1\nbindings:\n  - name: api\n" EP MATCH
	    "  - name: web\n    endpoint: 0.0.0.0:8443\n"
	    "    match: {dns: " NAME ", min_days_left: 90}\n", &p);
	make_store(&inv);
	make_record(&s, &p.bindings[0], &rec);
	assert_int_equal(plan_build(&p, &inv, &rec, 1, NOW, &plan, &err), 0);

	text = report_text(&plan, NOW, 0);
	assert_non_null(text);
	assert_non_null(strstr(text, "api (0.0.0.0:443): update from "
	    "0101010101010101010101010101010101010101 to "
	    "0202020202020202020202020202020202020202 (api.example.test, "
	    "expires 2027-03-16)\n"));
	assert_non_null(strstr(text, "web (0.0.0.0:8443): no certificate in "
	    "LocalMachine\\My qualifies for api.example.test; nothing is "
	    "bound\n"));
	assert_non_null(strstr(text, "    0202020202020202020202020202020202020202"
	    "  expires 2027-03-16  expires 2027-03-16, 60 days from now, fewer "
	    "than match.min_days_left (90)\n"));
	assert_non_null(strstr(text, "\n1 change pending\n"));
	/* Without --explain the winner's rivals are not listed. */
	assert_null(strstr(text, "chosen"));
	free(text);

	text = report_text(&plan, NOW, REPORT_EXPLAIN);
	assert_non_null(strstr(text, "    0202020202020202020202020202020202020202"
	    "  expires 2027-03-16  chosen\n"));
	assert_non_null(strstr(text, "    0101010101010101010101010101010101010101"
	    "  expires 2027-01-25  expires 2027-01-25, before "
	    "0202020202020202020202020202020202020202\n"));
	free(text);
	plan_free(&plan);
	inventory_free(&inv);
	policy_free(&p);
}

/* The JSON report: stable keys, escaped strings. */
static void
test_report_json(void **state)
{
	struct testcert odd = { 4, "q\"uote\\", { NAME }, NOW - DAY,
	    NOW + 90 * DAY, true, SRV, "CN=\"Tab\tCA\"" };
	struct inventory inv = { 0 };
	struct policy p;
	struct plan plan;
	struct cb_error err;
	char *json;

	(void)state;
	load_policy("version: 1\nbindings:\n  - name: api\n" EP MATCH, &p);
	make_store(&inv);
	add_testcert(&inv, &odd);
	assert_int_equal(plan_build(&p, &inv, NULL, 0, NOW, &plan, &err), 0);
	json = report_json(&plan, NOW, REPORT_EXPLAIN);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"time\": \"2027-01-15T08:00:00Z\""));
	assert_non_null(strstr(json, "\"changes\": 1,"));
	assert_non_null(strstr(json, "\"action\": \"create\""));
	assert_non_null(strstr(json, "\"kind\": \"ip\""));
	assert_non_null(strstr(json, "\"current\": null"));
	assert_non_null(strstr(json, "\"subject\": \"q\\\"uote\\\\\""));
	assert_non_null(strstr(json, "\"issuer\": \"CN=\\\"Tab\\tCA\\\"\""));
	assert_non_null(strstr(json, "\"verdict\": \"ok\", \"reason\": "
	    "\"qualifies\", \"chosen\": true"));
	assert_non_null(strstr(json, "\"not_after\": \"2027-04-15T08:00:00Z\""));
	assert_non_null(strstr(json, "\"app_id\": "
	    "\"{9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3c6}\""));
	free(json);
	plan_free(&plan);
	inventory_free(&inv);
	policy_free(&p);
}

/*
 * A value from the policy or HTTP.sys holding a terminal escape and a
 * newline is printed escaped by plan and status (text), and as JSON
 * escapes in JSON: it can neither act on the terminal nor forge a line.
 */
static void
test_report_escaped(void **state)
{
	struct inventory inv = { 0 };
	struct policy p;
	struct ssl_record recs[2];
	struct broken_record broken = { 0 };
	struct start s = { true, 2 };
	struct plan plan;
	struct status st;
	struct cb_error err;
	char *out;

	(void)state;
	load_policy("version: 1\nbindings:\n  - name: api\n" EP MATCH
	    "    options: {ssl_ctl_identifier: \"a\\e[2Jb\\nFAKE LINE\"}\n", &p);
	make_store(&inv);
	make_record(&s, &p.bindings[0], &recs[0]);
	make_record(&s, &p.bindings[0], &recs[1]);
	assert_int_equal(endpoint_parse("www.example.test:443",
	    &recs[1].endpoint, NULL, 0), 0);
	strcpy(recs[1].endpoint.host, "www\x1b[31m.test\nFAKE");
	broken.kind = EP_SNI;
	strcpy(broken.key, "bad\x1b[2J:443\nFAKE");
	broken.error = 13;
	strcpy(broken.reason, "odd\x1b[0m\nFAKE\x7f");
	assert_int_equal(plan_build(&p, &inv, recs, 2, NOW, &plan, &err), 0);
	assert_int_equal(plan.items[0].action, ACTION_UPDATE_OPTIONS);

	out = report_text(&plan, NOW, 0);
	assert_non_null(out);
	assert_null(strchr(out, '\x1b'));
	assert_null(strstr(out, "\nFAKE"));
	assert_non_null(strstr(out, "CTL identifier '' -> "
	    "'a\\x1b[2Jb\\x0aFAKE LINE'"));
	free(out);

	out = report_json(&plan, NOW, 0);
	assert_non_null(out);
	assert_null(strchr(out, '\x1b'));
	assert_non_null(strstr(out, "\"ssl_ctl_identifier\": "
	    "\"a\\u001b[2Jb\\nFAKE LINE\""));
	free(out);

	assert_int_equal(status_build(&plan, recs, 2, &broken, 1, NOW, &st), 0);
	out = report_status_text(&st, NOW);
	assert_non_null(out);
	assert_null(strchr(out, '\x1b'));
	assert_null(strstr(out, "\nFAKE"));
	assert_non_null(strstr(out, "www\\x1b[31m.test\\x0aFAKE:443"));
	assert_non_null(strstr(out, "bad\\x1b[2J:443\\x0aFAKE"));
	assert_non_null(strstr(out, "odd\\x1b[0m\\x0aFAKE\\x7f"));
	free(out);

	out = report_status_json(&st, NOW);
	assert_non_null(out);
	assert_null(strchr(out, '\x1b'));
	assert_non_null(strstr(out, "\"www\\u001b[31m.test\\nFAKE:443\""));
	assert_non_null(strstr(out,
	    "\"reason\": \"odd\\u001b[0m\\nFAKE\\u007f\""));
	free(out);
	status_free(&st);
	plan_free(&plan);
	inventory_free(&inv);
	policy_free(&p);
}

/* The drift report: declared or not, store state, drift, shadowing. */
static void
test_status(void **state)
{
	struct inventory inv = { 0 };
	struct policy p;
	struct ssl_record recs[4];
	struct start old = { true, 1 }, gone = { true, 9 };
	struct plan plan;
	struct status st;
	struct cb_error err;
	const struct status_row *ip, *sni, *other;
	size_t i;

	(void)state;
	load_policy("version: 1\nbindings:\n  - name: api\n" EP MATCH
	    "  - name: www\n    endpoint: www.example.test:443\n"
	    "  - name: central\n    endpoint: ccs:443\n", &p);
	make_store(&inv);
	make_record(&old, &p.bindings[0], &recs[0]);     /* api, cert 1 */
	make_record(&old, &p.bindings[1], &recs[1]);     /* www, cert 1 */
	make_record(&gone, &p.bindings[0], &recs[2]);    /* undeclared */
	endpoint_parse("10.0.0.5:443", &recs[2].endpoint, NULL, 0);
	make_record(&gone, &p.bindings[0], &recs[3]);    /* other port */
	endpoint_parse("10.0.0.6:8443", &recs[3].endpoint, NULL, 0);
	assert_int_equal(plan_build(&p, &inv, recs, 4, NOW, &plan, &err), 0);
	assert_int_equal(status_build(&plan, recs, 4, NULL, 0, NOW, &st), 0);
	assert_int_equal(st.n, 4);
	ip = sni = other = NULL;
	for (i = 0; i < st.n; i++) {
		const struct endpoint *e = &st.rows[i].rec->endpoint;

		if (e->kind == EP_SNI)
			sni = &st.rows[i];
		else if (e->port == 443 && e->addr[0] == 10)
			other = &st.rows[i];
		else if (e->addr[0] == 0)
			ip = &st.rows[i];
	}
	assert_non_null(ip);
	assert_non_null(sni);
	assert_non_null(other);
	assert_string_equal(ip->item->binding->name, "api");
	assert_true(ip->drift);                /* cert 2 is better */
	assert_true(ip->expiring);             /* cert 1: 10 days left */
	assert_non_null(ip->cert);
	assert_int_equal(ip->nshadowed, 0);    /* any-address: no shadowing */
	assert_non_null(sni->item);
	assert_true(sni->drift);               /* cert 3 is the one for www */
	assert_null(other->item);
	assert_null(other->cert);              /* cert 9 is not in the store */
	assert_true(other->has_hash);
	assert_int_equal(other->nshadowed, 1);
	assert_ptr_equal(other->shadowed[0], sni->rec);
	assert_int_equal(st.nmissing, 1);
	assert_string_equal(st.missing[0]->binding->name, "central");
	status_free(&st);
	plan_free(&plan);
	inventory_free(&inv);
	policy_free(&p);
}

/*
 * A conflict's record belongs to another tool: its certificate (cert 1,
 * 10 days left, within the warning) raises no warning and no wake-up,
 * not its expiry, not its warning, not its min_days_left edge.
 */
static void
test_conflict_schedules_nothing(void **state)
{
	struct inventory inv = { 0 };
	struct policy p;
	struct ssl_record rec;
	struct start other = { true, 1, OTHER_APP };
	struct plan plan;
	struct cb_error err;

	(void)state;
	load_policy("version: 1\ndefaults: {renew_warning_days: 30}\n"
	    "bindings:\n  - name: api\n" EP
	    "    match: {dns: " NAME ", min_days_left: 5}\n", &p);
	make_store(&inv);
	make_record(&other, &p.bindings[0], &rec);
	assert_int_equal(plan_build(&p, &inv, &rec, 1, NOW, &plan, &err), 0);
	assert_int_equal(plan.items[0].action, ACTION_CONFLICT);
	assert_int_equal(plan.items[0].warnings, 0);
	assert_int_equal(plan_next_event(&plan, NOW), INT64_MAX);
	/* Nor later, once its warning would be due. */
	assert_int_equal(plan_next_event(&plan, NOW + 9 * DAY), INT64_MAX);
	plan_free(&plan);
	inventory_free(&inv);
	policy_free(&p);
}

/* When the service must wake with no notification. */
static void
test_next_event(void **state)
{
	struct testcert later = { 7, NAME, { NAME }, NOW + 3 * DAY,
	    NOW + 200 * DAY, true, SRV };
	struct inventory inv = { 0 };
	struct policy p;
	struct plan plan;
	struct cb_error err;

	(void)state;
	load_policy("version: 1\ndefaults: {renew_warning_days: 0}\n"
	    "bindings:\n  - name: api\n" EP MATCH, &p);
	make_store(&inv);
	/* Held: cert 2, expiring NOW + 60 days. */
	assert_int_equal(plan_build(&p, &inv, NULL, 0, NOW, &plan, &err), 0);
	assert_int_equal(plan_next_event(&plan, NOW), NOW + 60 * DAY + 1);
	plan_free(&plan);
	/* A certificate that becomes valid in 3 days comes first. */
	add_testcert(&inv, &later);
	assert_int_equal(plan_build(&p, &inv, NULL, 0, NOW, &plan, &err), 0);
	assert_int_equal(plan_next_event(&plan, NOW), NOW + 3 * DAY);
	plan_free(&plan);
	policy_free(&p);
	/* An expiry warning due in 40 days (60 left, warn at 20). */
	load_policy("version: 1\ndefaults: {renew_warning_days: 20}\n"
	    "bindings:\n  - name: api\n" EP MATCH, &p);
	inventory_free(&inv);
	make_store(&inv);
	assert_int_equal(plan_build(&p, &inv, NULL, 0, NOW, &plan, &err), 0);
	assert_int_equal(plan_next_event(&plan, NOW), NOW + 40 * DAY);
	plan_free(&plan);
	policy_free(&p);
	inventory_free(&inv);
}

/* A change by another tool between the read and the write. */
enum change { NO_CHANGE, HASH, APP_ID, FLAGS, CTL_STORE, PORT, GONE };

static const struct {
	enum change change;
	bool stale;
} stale_rows[] = {
	{ NO_CHANGE, false }, { HASH, true }, { APP_ID, true }, { FLAGS, true },
	{ CTL_STORE, true }, { PORT, true }, { GONE, true },
};

static void
change_record(struct ssl_record *r, enum change c)
{
	switch (c) {
	case HASH:
		r->hash[THUMB_LEN - 1] ^= 1;
		break;
	case APP_ID:
		r->app_id[15] ^= 1;
		break;
	case FLAGS:
		r->flags |= 0x2;
		break;
	case CTL_STORE:
		r->ctl_store = "CA";
		break;
	case PORT:
		r->endpoint.port++;
		break;
	default:
		break;
	}
}

/* Any field another tool changes makes the item stale; none, none. */
static void
test_stale(void **state)
{
	const struct start old = { true, 1 };
	struct inventory inv = { 0 };
	struct policy p;
	struct ssl_record rec, now;
	struct plan plan;
	struct cb_error err;
	size_t i;

	(void)state;
	load_policy("version: 1\nbindings:\n  - name: api\n" EP MATCH, &p);
	make_store(&inv);
	make_record(&old, &p.bindings[0], &rec);
	assert_int_equal(plan_build(&p, &inv, &rec, 1, NOW, &plan, &err), 0);
	for (i = 0; i < NROWS(stale_rows); i++) {
		now = rec;
		change_record(&now, stale_rows[i].change);
		assert_int_equal(plan_stale(&plan.items[0],
		    stale_rows[i].change == GONE ? NULL : &now),
		    stale_rows[i].stale);
	}
	plan_free(&plan);
	/* Planned with no record: one that appeared since is a change. */
	assert_int_equal(plan_build(&p, &inv, NULL, 0, NOW, &plan, &err), 0);
	assert_false(plan_stale(&plan.items[0], NULL));
	assert_true(plan_stale(&plan.items[0], &rec));
	plan_free(&plan);
	policy_free(&p);
	inventory_free(&inv);
}

/* Planned again, an item writes the fields as they are now. */
static void
test_redo(void **state)
{
	const struct start old = { true, 1 };
	const struct start other = { true, 1, OTHER_APP };
	const struct start done = { true, 2 };
	struct inventory inv = { 0 };
	struct policy p;
	struct ssl_record rec, now;
	struct plan plan;
	struct cb_error err;

	(void)state;
	load_policy("version: 1\nbindings:\n  - name: api\n" EP MATCH, &p);
	make_store(&inv);
	make_record(&old, &p.bindings[0], &rec);
	assert_int_equal(plan_build(&p, &inv, &rec, 1, NOW, &plan, &err), 0);
	assert_int_equal(plan.items[0].action, ACTION_UPDATE_HASH);
	assert_int_equal(plan.items[0].desired.flags, 0);

	now = rec;
	now.flags = 0x2;               /* client certificates, set since */
	assert_int_equal(plan_redo(&plan, 0, &now, NOW, NULL, &err), 0);
	assert_int_equal(plan.items[0].action, ACTION_UPDATE_HASH);
	assert_int_equal(plan.items[0].desired.flags, 0x2);
	assert_int_equal(plan.items[0].desired.hash[0], 2);
	assert_ptr_equal(plan.items[0].binding, &p.bindings[0]);

	make_record(&other, &p.bindings[0], &now);
	assert_int_equal(plan_redo(&plan, 0, &now, NOW, NULL, &err), 0);
	assert_int_equal(plan.items[0].action, ACTION_CONFLICT);

	make_record(&done, &p.bindings[0], &now);
	assert_int_equal(plan_redo(&plan, 0, &now, NOW, NULL, &err), 0);
	assert_int_equal(plan.items[0].action, ACTION_NONE);

	assert_int_equal(plan_redo(&plan, 0, NULL, NOW, NULL, &err), 0);
	assert_int_equal(plan.items[0].action, ACTION_CREATE);
	assert_int_equal(plan.items[0].desired.hash[0], 2);
	plan_free(&plan);
	policy_free(&p);
	inventory_free(&inv);
}

/*
 * Each kind of wake-up at its exact second: plan at t0, wake at
 * t = plan_next_event(t0), and the plan at t must differ from the plan a
 * second earlier in the way the row says, with the next event after t.
 */
struct wake {
	const char *name;
	const char *defaults;        /* defaults: {...} */
	const char *match_extra;     /* more match keys */
	struct testcert certs[2];
	int64_t want_t;              /* the wake-up, from NOW */
	uint8_t chosen_before, chosen_at;   /* thumbprint byte, 0: none */
	unsigned warn_before, warn_at;      /* WARN_* */
};

static const struct wake wakes[] = {
	{ "a certificate becomes valid", "renew_warning_days: 0", "",
	  { { 2, NAME, { NAME }, NOW - 10 * DAY, NOW + 60 * DAY, true, SRV },
	    { 7, NAME, { NAME }, NOW + 3 * DAY, NOW + 200 * DAY, true, SRV } },
	  3 * DAY, 2, 7, 0, 0 },
	{ "the bound certificate expires", "renew_warning_days: 0", "",
	  { { 1, NAME, { NAME }, NOW - 80 * DAY, NOW + 10 * DAY, true, SRV } },
	  10 * DAY + 1, 1, 0, 0, 0 },
	{ "an expiry warning falls due", "renew_warning_days: 20", "",
	  { { 2, NAME, { NAME }, NOW - 10 * DAY, NOW + 60 * DAY, true, SRV } },
	  40 * DAY, 2, 2, 0, WARN_EXPIRING },
	{ "the chosen certificate falls below min_days_left",
	  "renew_warning_days: 0", ", min_days_left: 30",
	  { { 2, NAME, { NAME }, NOW - 10 * DAY, NOW + 60 * DAY, true, SRV },
	    { 1, NAME, { NAME }, NOW - 80 * DAY, NOW + 10 * DAY, true, SRV } },
	  30 * DAY + 1, 2, 0, 0, 0 },
};

static const char *
wake_name(const void *row)
{
	return ((const struct wake *)row)->name;
}

static void
plan_at(const struct policy *p,
    const struct inventory *inv, int64_t t, uint8_t *chosen,
    unsigned *warnings, int64_t *next)
{
	struct plan plan;
	struct cb_error err;

	assert_int_equal(plan_build(p, inv, NULL, 0, t, &plan, &err), 0);
	*chosen = plan.items[0].sel.chosen ? plan.items[0].sel.chosen->thumb[0] :
	    0;
	*warnings = plan.items[0].warnings;
	*next = plan_next_event(&plan, t);
	plan_free(&plan);
}

static void
test_wake(void **state)
{
	const struct wake *w = *state;
	struct inventory inv = { 0 };
	struct policy p;
	char yaml[512];
	uint8_t chosen;
	unsigned warnings;
	int64_t t, next;
	size_t i;

	snprintf(yaml, sizeof(yaml), "version: 1\ndefaults: {%s}\n"
	    "bindings:\n  - name: api\n" EP "    match: {dns: " NAME "%s}\n",
	    w->defaults, w->match_extra);
	load_policy(yaml, &p);
	for (i = 0; i < 2 && w->certs[i].id != 0; i++)
		add_testcert(&inv, &w->certs[i]);
	plan_at(&p, &inv, NOW, &chosen, &warnings, &t);
	assert_int_equal(t, NOW + w->want_t);
	plan_at(&p, &inv, t - 1, &chosen, &warnings, &next);
	assert_int_equal(chosen, w->chosen_before);
	assert_int_equal(warnings, w->warn_before);
	assert_int_equal(next, t);
	plan_at(&p, &inv, t, &chosen, &warnings, &next);
	assert_int_equal(chosen, w->chosen_at);
	assert_int_equal(warnings, w->warn_at);
	assert_true(next > t);
	inventory_free(&inv);
	policy_free(&p);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_next_event),
		cmocka_unit_test(test_conflict_schedules_nothing),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_redo),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_undeclared_records),
		cmocka_unit_test(test_sni_host_case),
		cmocka_unit_test(test_report_text),
		cmocka_unit_test(test_report_json),
		cmocka_unit_test(test_report_escaped),
	};
	int failed;

	failed = run_rows("plan", test_row, (void *)rows, sizeof(rows[0]),
	    NROWS(rows), row_name);
	failed += run_rows("wake-ups", test_wake, (void *)wakes,
	    sizeof(wakes[0]), NROWS(wakes), wake_name);
	failed += cmocka_run_group_tests_name("plan and report", fixed, NULL,
	    NULL);
	return failed ? 1 : 0;
}
