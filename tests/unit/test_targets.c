/*
 * test_targets.c - bindings whose consumer is not HTTP.sys (target: rdp,
 * target: sqlserver): what the loader accepts and refuses for them
 * (core/policy.c), the computer's DNS name as their default match.dns,
 * what the plan does with the thumbprint their registry value names
 * (core/plan.c), and how plan, JSON and status report them.
 *
 * The store is the same for every plan row: cert 1 expires in 10 days,
 * cert 2 in 60, both for host.example.test; cert 3 is for another name.
 */
#include "unit.h"

#include "plan.h"
#include "report.h"
#include "status.h"

#define HEAD "version: 1\nbindings:\n"
#define HOST "host.example.test"
#define SRV EKU_SERVER_AUTH

/* --- the loader ------------------------------------------------------ */

struct load_row {
	const char *name;
	const char *yaml;
	const char *want;       /* error after "t.yaml:", or NULL: valid */
};

static const struct load_row loads[] = {
	{ "rdp without endpoint or match", HEAD
	  "  - name: r\n    target: rdp\n", NULL },
	{ "sqlserver with an instance", HEAD
	  "  - name: s\n    target: sqlserver\n    instance: SQLEXPRESS\n"
	  "    match: {dns: db.example.test}\n", NULL },
	{ "httpsys said aloud", HEAD
	  "  - name: a\n    target: httpsys\n    endpoint: 0.0.0.0:443\n"
	  "    match: {dns: a.test}\n", NULL },
	{ "one rdp and two instances beside an endpoint", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:443\n    match: {dns: a.test}\n"
	  "  - name: r\n    target: rdp\n"
	  "  - name: s1\n    target: sqlserver\n"
	  "  - name: s2\n    target: sqlserver\n    instance: Named_2$\n",
	  NULL },
	{ "verify: false is allowed", HEAD
	  "  - name: r\n    target: rdp\n    verify: false\n", NULL },
	{ "unknown target names the allowed ones", HEAD
	  "  - name: r\n    target: iis\n",
	  "4:13: target must be httpsys, rdp or sqlserver, not 'iis'" },
	{ "target is case sensitive", HEAD
	  "  - name: r\n    target: RDP\n",
	  "4:13: target must be httpsys, rdp or sqlserver, not 'RDP'" },
	{ "target must be a scalar", HEAD
	  "  - name: r\n    target: [rdp]\n",
	  "4:13: target must be httpsys, rdp or sqlserver" },
	{ "rdp with an endpoint", HEAD
	  "  - name: r\n    target: rdp\n    endpoint: 0.0.0.0:3389\n",
	  "5:15: endpoint does not apply to a rdp binding: it has no "
	  "endpoint: the certificate is named in the registry" },
	{ "sqlserver with options", HEAD
	  "  - name: s\n    target: sqlserver\n"
	  "    options: {disable_http2: true}\n",
	  "5:14: options does not apply to a sqlserver binding: options are "
	  "settings of an HTTP.sys record" },
	{ "rdp with takeover", HEAD
	  "  - name: r\n    target: rdp\n    takeover: true\n",
	  "5:15: takeover does not apply to a rdp binding: takeover adopts an "
	  "HTTP.sys record of another AppId" },
	{ "rdp with verify: true", HEAD
	  "  - name: r\n    target: rdp\n    verify: true\n",
	  "5:13: verify: true does not apply to a rdp binding: what it serves "
	  "is not checked after a change (not verifiable)" },
	{ "rdp with verify_timeout", HEAD
	  "  - name: r\n    target: rdp\n    verify_timeout: 5s\n",
	  "5:21: verify_timeout does not apply to a rdp binding: what it "
	  "serves is not checked after a change (not verifiable)" },
	{ "instance on rdp", HEAD
	  "  - name: r\n    target: rdp\n    instance: SQL1\n",
	  "5:15: instance applies to a sqlserver binding only" },
	{ "instance on httpsys", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:443\n    match: {dns: a.test}\n"
	  "    instance: SQL1\n",
	  "6:15: instance applies to a sqlserver binding only" },
	{ "httpsys still needs an endpoint", HEAD
	  "  - name: a\n    target: httpsys\n    match: {dns: a.test}\n",
	  "3:5: a binding is missing the required key 'endpoint'" },
	{ "two rdp bindings", HEAD
	  "  - name: r1\n    target: rdp\n  - name: r2\n    target: rdp\n",
	  "6:13: only one rdp binding may be given: the Remote Desktop "
	  "listener has one certificate ('r1', line 3, keeps it)" },
	{ "two bindings of one instance, any case", HEAD
	  "  - name: s1\n    target: sqlserver\n    instance: Sales\n"
	  "  - name: s2\n    target: sqlserver\n    instance: SALES\n",
	  "7:13: SQL Server instance SALES is already kept by 's1' (line 3): "
	  "one sqlserver binding per instance" },
	{ "the default instance twice", HEAD
	  "  - name: s1\n    target: sqlserver\n"
	  "  - name: s2\n    target: sqlserver\n    instance: mssqlserver\n",
	  "6:13: SQL Server instance mssqlserver is already kept by 's1' "
	  "(line 3): one sqlserver binding per instance" },
	{ "instance with a backslash", HEAD
	  "  - name: s\n    target: sqlserver\n    instance: 'A\\B'\n",
	  "5:15: instance must be a SQL Server instance name: 1 to 16 ASCII "
	  "letters, digits, '$' or '_', starting with a letter "
	  "(MSSQLSERVER for the default instance)" },
	{ "instance longer than 16", HEAD
	  "  - name: s\n    target: sqlserver\n"
	  "    instance: ABCDEFGHIJKLMNOPQ\n",
	  "5:15: instance must be a SQL Server instance name: 1 to 16 ASCII "
	  "letters, digits, '$' or '_', starting with a letter "
	  "(MSSQLSERVER for the default instance)" },
	{ "instance starting with a digit", HEAD
	  "  - name: s\n    target: sqlserver\n    instance: 1SQL\n",
	  "5:15: instance must be a SQL Server instance name: 1 to 16 ASCII "
	  "letters, digits, '$' or '_', starting with a letter "
	  "(MSSQLSERVER for the default instance)" },
	{ "instance with a NUL", HEAD
	  "  - name: s\n    target: sqlserver\n    instance: \"SQL\\0X\"\n",
	  "5:15: a NUL character (\\0) is not allowed in a policy" },
	{ "instance beyond ASCII", HEAD
	  "  - name: s\n    target: sqlserver\n    instance: \"S\xc3\xa9\"\n",
	  "5:15: instance must be a SQL Server instance name: 1 to 16 ASCII "
	  "letters, digits, '$' or '_', starting with a letter "
	  "(MSSQLSERVER for the default instance)" },
	{ "empty instance", HEAD
	  "  - name: s\n    target: sqlserver\n    instance: ''\n",
	  "5:15: instance must be a SQL Server instance name: 1 to 16 ASCII "
	  "letters, digits, '$' or '_', starting with a letter "
	  "(MSSQLSERVER for the default instance)" },
};

static const char *
load_name(const void *row)
{
	return ((const struct load_row *)row)->name;
}

static void
test_load(void **state)
{
	const struct load_row *r = *state;
	struct policy p;
	struct cb_error err;
	char got[600], want[600];
	int rc;

	rc = policy_parse("t.yaml", r->yaml, strlen(r->yaml), &p, &err);
	if (r->want == NULL) {
		if (rc != 0)
			fail_msg("unexpected error: %s",
			    cb_error_format(&err, got, sizeof(got)));
		policy_free(&p);
		return;
	}
	assert_int_equal(rc, -1);
	assert_null(p.bindings);
	snprintf(want, sizeof(want), "t.yaml:%s", r->want);
	assert_string_equal(cb_error_format(&err, got, sizeof(got)), want);
}

/* What a registry-backed binding loads to. */
static void
test_model(void **state)
{
	struct policy p;
	char where[ENDPOINT_TEXT_MAX];

	(void)state;
	load_policy("version: 1\ndefaults: {store: WebHosting}\nbindings:\n"
	    "  - name: r\n    target: rdp\n"
	    "  - name: s\n    target: sqlserver\n"
	    "  - name: n\n    target: sqlserver\n    instance: Sales\n"
	    "  - name: w\n    endpoint: 0.0.0.0:443\n    match: {dns: a.test}\n",
	    &p);
	assert_int_equal(p.bindings[0].target, TARGET_RDP);
	assert_null(p.bindings[0].instance);
	assert_null(p.bindings[0].match.dns);
	assert_int_equal(p.bindings[1].target, TARGET_SQLSERVER);
	assert_string_equal(p.bindings[1].instance, "MSSQLSERVER");
	assert_string_equal(p.bindings[2].instance, "Sales");
	assert_int_equal(p.bindings[3].target, TARGET_HTTPSYS);
	/* The listener and SQL Server read LocalMachine\My only. */
	assert_int_equal(p.bindings[0].store, STORE_MY);
	assert_int_equal(p.bindings[1].store, STORE_MY);
	assert_int_equal(p.bindings[3].store, STORE_WEBHOSTING);
	assert_string_equal(binding_where(&p.bindings[0], where,
	    sizeof(where)), "the RDP listener");
	assert_string_equal(binding_where(&p.bindings[2], where,
	    sizeof(where)), "SQL Server instance Sales");
	assert_string_equal(binding_where(&p.bindings[3], where,
	    sizeof(where)), "0.0.0.0:443");
	assert_string_equal(target_kind_name(TARGET_RDP), "rdp");
	assert_string_equal(target_kind_name(TARGET_SQLSERVER), "sqlserver");
	assert_string_equal(target_kind_name(TARGET_HTTPSYS), "httpsys");
	policy_free(&p);
}

/* The computer's DNS name fills match.dns where a binding leaves it out. */
static void
test_default_dns(void **state)
{
	struct policy p;
	struct cb_error err;
	char text[600];

	(void)state;
	load_policy(HEAD "  - name: r\n    target: rdp\n"
	    "  - name: s\n    target: sqlserver\n    match: {dns: db.test}\n"
	    "  - name: a\n    endpoint: 0.0.0.0:443\n    match: {dns: a.test}\n",
	    &p);
	assert_int_equal(policy_default_dns(&p, "Host.Example.Test.", &err,
	    "t.yaml"), 0);
	assert_string_equal(p.bindings[0].match.dns, HOST);
	assert_string_equal(p.bindings[1].match.dns, "db.test");
	assert_string_equal(p.bindings[2].match.dns, "a.test");
	policy_free(&p);

	/* Not known: an error at the binding that needs it. */
	load_policy(HEAD "  - name: a\n    endpoint: 0.0.0.0:443\n"
	    "    match: {dns: a.test}\n  - name: r\n    target: rdp\n", &p);
	assert_int_equal(policy_default_dns(&p, NULL, &err, "t.yaml"), -1);
	assert_string_equal(cb_error_format(&err, text, sizeof(text)),
	    "t.yaml:6:5: binding 'r' needs match.dns: the computer's DNS "
	    "name, its default, is not known");
	assert_int_equal(policy_default_dns(&p, "bad name!", &err, "t.yaml"),
	    -1);
	assert_string_equal(cb_error_format(&err, text, sizeof(text)),
	    "t.yaml:6:5: binding 'r' needs match.dns: the computer's DNS "
	    "name 'bad name!' is not a DNS host name");
	policy_free(&p);

	/* Nothing needs it: nothing is asked. */
	load_policy(HEAD "  - name: a\n    endpoint: 0.0.0.0:443\n"
	    "    match: {dns: a.test}\n", &p);
	assert_int_equal(policy_default_dns(&p, NULL, &err, "t.yaml"), 0);
	policy_free(&p);
}

/* --- the plan ------------------------------------------------------- */

static const struct testcert store[] = {
	{ 1, HOST, { HOST }, NOW - 80 * DAY, NOW + 10 * DAY, true, SRV },
	{ 2, HOST, { HOST }, NOW - 10 * DAY, NOW + 60 * DAY, true, SRV },
	{ 3, "other", { "other.example.test" }, NOW - 80 * DAY,
	  NOW + 90 * DAY, true, SRV },
};

static void
make_store(struct inventory *inv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		add_testcert(inv, &store[i]);
}

struct plan_row {
	const char *name;
	const char *binding;    /* keys after name */
	uint8_t held;           /* thumbprint byte the value names, 0: none */
	size_t ncerts;          /* the first ncerts of store[] */
	enum action want;
	uint8_t want_held;      /* it->held's byte, 0: none */
	unsigned want_warnings;
};

#define RDP "    target: rdp\n    match: {dns: " HOST "}\n"
#define SQL "    target: sqlserver\n    match: {dns: " HOST "}\n"

static const struct plan_row plans[] = {
	{ "rdp: nothing held: create", RDP, 0, 3, ACTION_CREATE, 2, 0 },
	{ "rdp: another held: update the hash", RDP, 1, 3,
	  ACTION_UPDATE_HASH, 2, 0 },
	{ "rdp: the chosen held: nothing", RDP, 2, 3, ACTION_NONE, 2, 0 },
	{ "rdp: an unknown certificate held: update, warn", RDP, 9, 3,
	  ACTION_UPDATE_HASH, 2, WARN_BOUND_MISSING },
	{ "rdp: no candidate keeps the value", RDP, 3, 0,
	  ACTION_NO_CANDIDATE, 0, WARN_BOUND_MISSING },
	{ "rdp: no candidate and nothing held", RDP, 0, 0,
	  ACTION_NO_CANDIDATE, 0, 0 },
	{ "rdp: only the expiring one: create and warn", RDP, 0, 1,
	  ACTION_CREATE, 1, WARN_EXPIRING },
	{ "sqlserver: nothing held: create", SQL, 0, 3, ACTION_CREATE, 2, 0 },
	{ "sqlserver: another held: update the hash", SQL, 3, 3,
	  ACTION_UPDATE_HASH, 2, 0 },
	{ "sqlserver: the chosen held: nothing", SQL, 2, 3, ACTION_NONE, 2, 0 },
	{ "sqlserver: allowed one thumbprint: stays",
	  "    target: sqlserver\n    match:\n      dns: " HOST "\n"
	  "      thumbprints: ["
	  "'0101010101010101010101010101010101010101']\n", 1, 3, ACTION_NONE,
	  1, WARN_EXPIRING },
};

static const char *
plan_name(const void *row)
{
	return ((const struct plan_row *)row)->name;
}

/* Plan one registry-backed binding holding r->held. */
static void
plan_one_row(const struct plan_row *r, struct policy *p,
    struct inventory *inv, struct plan *plan)
{
	struct held_thumb held = { r->held != 0, { 0 } };
	struct cb_error err;
	char yaml[1024];

	snprintf(yaml, sizeof(yaml), HEAD "  - name: t\n%s", r->binding);
	load_policy(yaml, p);
	make_store(inv, r->ncerts);
	memset(held.thumb, r->held, THUMB_LEN);
	assert_int_equal(plan_build_targets(p, inv, NULL, 0, &held, NOW, NULL,
	    NULL, plan, &err), 0);
}

static void
test_plan(void **state)
{
	const struct plan_row *r = *state;
	struct inventory inv = { 0 };
	struct policy p;
	struct plan plan;
	const struct plan_item *it;

	plan_one_row(r, &p, &inv, &plan);
	it = &plan.items[0];
	assert_int_equal(it->target, p.bindings[0].target);
	assert_string_equal(action_name(it->action), action_name(r->want));
	assert_int_equal(it->has_current, r->held != 0);
	assert_int_equal(it->has_current_thumb, r->held != 0);
	if (r->held != 0)
		assert_int_equal(it->current_thumb[THUMB_LEN - 1], r->held);
	if (r->want_held == 0)
		assert_null(it->held);
	else
		assert_int_equal(it->held->thumb[0], r->want_held);
	assert_int_equal(it->warnings, r->want_warnings);
	/* The HTTP.sys detail stays empty for these targets. */
	assert_int_equal(it->desired.hash_len, 0);
	assert_int_equal(it->current.hash_len, 0);
	assert_int_equal(plan_changes(&plan), r->want == ACTION_CREATE ||
	    r->want == ACTION_UPDATE_HASH ? 1 : 0);
	plan_free(&plan);
	inventory_free(&inv);
	policy_free(&p);
}

/* Records HTTP.sys holds are not what a registry target holds. */
static void
test_records_ignored(void **state)
{
	struct inventory inv = { 0 };
	struct policy p;
	struct ssl_record rec;
	struct plan plan;
	struct cb_error err;

	(void)state;
	load_policy(HEAD "  - name: r\n" RDP
	    "  - name: a\n    endpoint: 0.0.0.0:443\n    match: {dns: " HOST
	    "}\n", &p);
	make_store(&inv, 3);
	memset(&rec, 0, sizeof(rec));
	/* An rdp binding's endpoint is all zero: 0.0.0.0:0. */
	rec.endpoint = p.bindings[0].endpoint;
	memset(rec.hash, 2, THUMB_LEN);
	rec.hash_len = THUMB_LEN;
	memcpy(rec.app_id, p.bindings[0].app_id, 16);
	/* held NULL: nothing held by the registry target. */
	assert_int_equal(plan_build_targets(&p, &inv, &rec, 1, NULL, NOW, NULL,
	    NULL, &plan, &err), 0);
	assert_int_equal(plan.items[0].action, ACTION_CREATE);
	assert_false(plan.items[0].has_current);
	assert_int_equal(plan.items[1].action, ACTION_CREATE);
	plan_free(&plan);
	inventory_free(&inv);
	policy_free(&p);
}

/* Stale and redo compare and plan on the value held now. */
static void
test_stale_redo(void **state)
{
	const struct plan_row *r = &plans[1];  /* rdp, cert 1 held */
	struct inventory inv = { 0 };
	struct policy p;
	struct plan plan;
	struct held_thumb same = { true, { 0 } }, other = { true, { 0 } };
	struct held_thumb none = { false, { 0 } };
	struct cb_error err;

	(void)state;
	plan_one_row(r, &p, &inv, &plan);
	memset(same.thumb, 1, THUMB_LEN);
	memset(other.thumb, 2, THUMB_LEN);
	assert_false(plan_stale_held(&plan.items[0], &same));
	assert_true(plan_stale_held(&plan.items[0], &other));
	assert_true(plan_stale_held(&plan.items[0], &none));
	assert_true(plan_stale_held(&plan.items[0], NULL));
	/* Another program wrote the chosen one meanwhile: nothing to do. */
	assert_int_equal(plan_redo_held(&plan, 0, &other, NOW, NULL, &err), 0);
	assert_int_equal(plan.items[0].action, ACTION_NONE);
	assert_false(plan_stale_held(&plan.items[0], &other));
	/* It was deleted: create again. */
	assert_int_equal(plan_redo_held(&plan, 0, NULL, NOW, NULL, &err), 0);
	assert_int_equal(plan.items[0].action, ACTION_CREATE);
	assert_false(plan_stale_held(&plan.items[0], &none));
	/* Planned again (a refused key): it keeps what was held. */
	assert_int_equal(plan_redo_held(&plan, 0, &same, NOW, NULL, &err), 0);
	assert_int_equal(plan_replan_item(&plan, 0, NOW, NULL), 0);
	assert_int_equal(plan.items[0].action, ACTION_UPDATE_HASH);
	assert_int_equal(plan.items[0].current_thumb[0], 1);
	/* Unreadable: nothing held, nothing written. */
	plan_mark_unreadable(&plan, 0, 2, "not installed");
	assert_int_equal(plan.items[0].action, ACTION_UNREADABLE);
	assert_false(plan.items[0].has_current_thumb);
	assert_int_equal(plan_changes(&plan), 0);
	plan_free(&plan);
	inventory_free(&inv);
	policy_free(&p);
}

/* --- reports -------------------------------------------------------- */

/* A policy with one binding of each target; rdp holds cert 1. */
static void
plan_all(struct policy *p, struct inventory *inv, struct plan *plan,
    struct ssl_record *rec)
{
	struct held_thumb held[3] = { { true, { 0 } } };
	struct cb_error err;

	load_policy(HEAD "  - name: r\n" RDP "  - name: s\n" SQL
	    "    instance: Sales\n"
	    "  - name: a\n    endpoint: 0.0.0.0:443\n    match: {dns: " HOST
	    "}\n", p);
	make_store(inv, 3);
	memset(held[0].thumb, 1, THUMB_LEN);
	memset(rec, 0, sizeof(*rec));
	rec->endpoint = p->bindings[2].endpoint;
	memset(rec->hash, 2, THUMB_LEN);
	rec->hash_len = THUMB_LEN;
	memcpy(rec->app_id, p->bindings[2].app_id, 16);
	rec->store = "MY";
	assert_int_equal(plan_build_targets(p, inv, rec, 1, held, NOW, NULL,
	    NULL, plan, &err), 0);
}

static void
test_report_text(void **state)
{
	struct inventory inv = { 0 };
	struct policy p;
	struct plan plan;
	struct ssl_record rec;
	char *text, line[1024];

	(void)state;
	plan_all(&p, &inv, &plan, &rec);
	text = report_text(&plan, NOW, 0);
	assert_non_null(text);
	assert_non_null(strstr(text, "r (the RDP listener): update from "
	    "0101010101010101010101010101010101010101 to "));
	assert_non_null(strstr(text, "s (SQL Server instance Sales): create "
	    "with "));
	assert_non_null(strstr(text, "a (0.0.0.0:443): holds "));
	free(text);
	plan_mark_unreadable(&plan, 1, 2, "SQL Server instance Sales is not "
	    "installed");
	assert_string_equal(report_item(&plan.items[1], line, sizeof(line)),
	    "s (SQL Server instance Sales): the certificate it names cannot "
	    "be read (SQL Server instance Sales is not installed); left alone");
	plan_free(&plan);
	inventory_free(&inv);
	policy_free(&p);
}

static void
test_report_json(void **state)
{
	struct inventory inv = { 0 };
	struct policy p;
	struct plan plan;
	struct ssl_record rec;
	char *json;

	(void)state;
	plan_all(&p, &inv, &plan, &rec);
	json = report_json(&plan, NOW, 0);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"name\": \"r\",\n      \"target\": "
	    "\"rdp\",\n      \"where\": \"the RDP listener\",\n      "
	    "\"instance\": null,\n      \"action\": \"update-hash\""));
	assert_non_null(strstr(json, "\"current\": {\"thumbprint\": "
	    "\"0101010101010101010101010101010101010101\"},\n      "
	    "\"desired\": {\"thumbprint\": "
	    "\"0202020202020202020202020202020202020202\"}"));
	assert_non_null(strstr(json, "\"target\": \"sqlserver\",\n      "
	    "\"where\": \"SQL Server instance Sales\",\n      \"instance\": "
	    "\"Sales\",\n      \"action\": \"create\""));
	assert_non_null(strstr(json, "\"name\": \"a\",\n      \"target\": "
	    "\"httpsys\",\n      \"endpoint\": \"0.0.0.0:443\""));
	free(json);
	plan_free(&plan);
	inventory_free(&inv);
	policy_free(&p);
}

static void
test_status(void **state)
{
	struct inventory inv = { 0 };
	struct policy p;
	struct plan plan;
	struct ssl_record rec;
	struct status st;
	char *text, *json;

	(void)state;
	plan_all(&p, &inv, &plan, &rec);
	assert_int_equal(status_build(&plan, &rec, 1, NULL, 0, NOW, &st), 0);
	assert_int_equal(st.n, 1);
	assert_int_equal(st.nmissing, 0);
	assert_int_equal(st.ntargets, 2);
	assert_ptr_equal(st.targets[0], &plan.items[0]);
	text = report_status_text(&st, NOW);
	json = report_status_json(&st, NOW);
	assert_non_null(text);
	assert_non_null(json);
	assert_non_null(strstr(text, "rdp       the RDP listener"));
	assert_non_null(strstr(text, "0101010101010101010101010101010101010101 "
	    "r (plan: update-hash)\n"));
	assert_non_null(strstr(text, "sqlserver SQL Server instance Sales"));
	assert_non_null(strstr(text, "(no certificate)"));
	assert_non_null(strstr(json, "\"targets\": [\n    {\"binding\": \"r\", "
	    "\"target\": \"rdp\", \"where\": \"the RDP listener\", "
	    "\"instance\": null,\n     \"current\": {\"thumbprint\": "
	    "\"0101010101010101010101010101010101010101\"}"));
	assert_non_null(strstr(json, "\"plan\": \"update-hash\"}"));
	assert_non_null(strstr(json, "\"binding\": \"s\", \"target\": "
	    "\"sqlserver\""));
	free(text);
	free(json);
	status_free(&st);
	plan_free(&plan);
	inventory_free(&inv);
	policy_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_default_dns),
		cmocka_unit_test(test_records_ignored),
		cmocka_unit_test(test_stale_redo),
		cmocka_unit_test(test_report_text),
		cmocka_unit_test(test_report_json),
		cmocka_unit_test(test_status),
	};
	int rc = 0;

	rc |= run_rows("targets: load", test_load, (void *)loads,
	    sizeof(loads[0]), NROWS(loads), load_name);
	rc |= run_rows("targets: plan", test_plan, (void *)plans,
	    sizeof(plans[0]), NROWS(plans), plan_name);
	rc |= cmocka_run_group_tests(tests, NULL, NULL);
	return rc;
}
