/*
 * test_unusable.c - certificates HTTP.sys refused (error 1312) and the
 * records it has that cannot be read: the backoff of a refused
 * certificate (core/unusable.c), how selection and the plan pass it over
 * and when they try it again (core/select.c, core/plan.c), and how an
 * unreadable record is planned and reported (core/plan.c, core/status.c,
 * core/report.c).
 */
#include "unit.h"

#include "plan.h"
#include "report.h"
#include "status.h"
#include "unusable.h"

#define NAME "api.example.test"
#define SRV EKU_SERVER_AUTH
#define EP "    endpoint: 0.0.0.0:443\n"
#define MATCH "    match: {dns: " NAME "}\n"
#define ONE "version: 1\ndefaults: {renew_warning_days: 0}\nbindings:\n" \
	"  - name: api\n" EP MATCH

/* cert 1 expires in 10 days, cert 2 (the better one) in 60. */
static const struct testcert store[] = {
	{ 1, NAME, { NAME }, NOW - 80 * DAY, NOW + 10 * DAY, true, SRV },
	{ 2, NAME, { NAME }, NOW - 10 * DAY, NOW + 60 * DAY, true, SRV },
};

static void
make_store(struct inventory *inv)
{
	size_t i;

	for (i = 0; i < NROWS(store); i++)
		add_testcert(inv, &store[i]);
}

static void
thumb(uint8_t id, uint8_t out[THUMB_LEN])
{
	memset(out, id, THUMB_LEN);
}

/* --- the backoff, at the exact second -------------------------------- */

struct row {
	const char *name;
	int refusals;           /* refusals of cert 2 for api, at NOW */
	int64_t at;             /* asked at NOW + at */
	const char *binding;    /* asked for this binding */
	bool passed_over;       /* cert 2 is passed over then */
	int64_t until;          /* and until NOW + until */
};

static const struct row rows[] = {
	{ "first refusal: passed over for 10 s", 1, 0, "api", true, 10 },
	{ "one second before the retry: still passed over", 1, 9, "api", true,
	  10 },
	{ "at the retry second: tried again", 1, 10, "api", false, 0 },
	{ "after the retry second: tried again", 1, 11, "api", false, 0 },
	{ "second refusal: 20 s", 2, 19, "api", true, 20 },
	{ "second refusal, at its second: tried", 2, 20, "api", false, 0 },
	{ "fifth refusal: 160 s", 5, 159, "api", true, 160 },
	{ "the backoff stops at an hour", 12, 3599, "api", true, 3600 },
	{ "and an hour it stays", 30, 3600, "api", false, 0 },
	{ "another binding is not concerned", 1, 0, "www", false, 0 },
};

static const char *
row_name(const void *row)
{
	return ((const struct row *)row)->name;
}

static void
test_row(void **state)
{
	const struct row *r = *state;
	struct unusable_list l = { 0 };
	uint8_t t[THUMB_LEN];
	int64_t until = -1, got = 0;
	int i;

	thumb(2, t);
	for (i = 0; i < r->refusals; i++)
		got = unusable_note(&l, "api", t, NOW);
	assert_int_equal(l.n, 1);
	assert_int_equal(got, NOW + unusable_backoff(r->refusals));
	assert_int_equal(unusable_now(&l, r->binding, t, NOW + r->at, &until),
	    r->passed_over);
	if (r->passed_over)
		assert_int_equal(until, NOW + r->until);
	unusable_free(&l);
}

/* Forgotten once bound; dropped with its binding; the oldest goes first. */
static void
test_forget_prune(void **state)
{
	struct unusable_list l = { 0 };
	struct policy p;
	uint8_t t1[THUMB_LEN], t2[THUMB_LEN];
	size_t i;

	(void)state;
	thumb(1, t1);
	thumb(2, t2);
	unusable_note(&l, "api", t1, NOW);
	unusable_note(&l, "api", t2, NOW);
	unusable_note(&l, "gone", t2, NOW);
	unusable_forget(&l, "api", t1);
	assert_false(unusable_now(&l, "api", t1, NOW, NULL));
	assert_true(unusable_now(&l, "api", t2, NOW, NULL));
	load_policy(ONE, &p);
	unusable_prune(&l, &p);
	assert_int_equal(l.n, 1);
	assert_false(unusable_now(&l, "gone", t2, NOW, NULL));
	policy_free(&p);
	for (i = 0; i < UNUSABLE_MAX + 5; i++) {
		memset(t1, 0, THUMB_LEN);
		memcpy(t1, &i, sizeof(i));
		assert_int_not_equal(unusable_note(&l, "api", t1, NOW), -1);
	}
	assert_int_equal(l.n, UNUSABLE_MAX);
	assert_false(unusable_now(&l, "api", t2, NOW, NULL));
	unusable_free(&l);
}

/* --- selection and the plan ------------------------------------------ */

/* The refused certificate loses to the next one, says why, and the
 * plan wakes at its retry; at that second it is chosen again. */
static void
test_plan_passes_over(void **state)
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
	make_store(&inv);
	thumb(2, t2);
	unusable_note(&l, "api", t2, NOW);
	assert_int_equal(plan_build_avoiding(&p, &inv, NULL, 0, NOW, &l, &plan,
	    &err), 0);
	assert_int_equal(plan.items[0].action, ACTION_CREATE);
	assert_int_equal(plan.items[0].sel.chosen->thumb[0], 1);
	for (i = 0; i < plan.items[0].sel.n; i++)
		if (plan.items[0].sel.cands[i].cert->thumb[0] == 2)
			assert_int_equal(plan.items[0].sel.cands[i].verdict,
			    VERDICT_UNUSABLE);
	assert_int_equal(plan_next_event(&plan, NOW), NOW + 10);
	text = report_text(&plan, NOW, REPORT_EXPLAIN);
	assert_non_null(strstr(text, "HTTP.sys could not use its private key "
	    "(error 1312)"));
	free(text);
	text = report_json(&plan, NOW, REPORT_EXPLAIN);
	assert_non_null(strstr(text, "\"verdict\": \"unusable\""));
	free(text);
	plan_free(&plan);
	assert_int_equal(plan_build_avoiding(&p, &inv, NULL, 0, NOW + 10, &l,
	    &plan, &err), 0);
	assert_int_equal(plan.items[0].sel.chosen->thumb[0], 2);
	plan_free(&plan);
	unusable_free(&l);
	inventory_free(&inv);
	policy_free(&p);
}

/* Refused during apply: the item is planned again for the next one. */
static void
test_replan(void **state)
{
	struct inventory inv = { 0 };
	struct unusable_list l = { 0 };
	struct ssl_record rec;
	struct policy p;
	struct plan plan;
	struct cb_error err;

	(void)state;
	load_policy(ONE, &p);
	make_store(&inv);
	memset(&rec, 0, sizeof(rec));
	rec.endpoint = p.bindings[0].endpoint;
	memset(rec.hash, 1, THUMB_LEN);
	rec.hash_len = THUMB_LEN;
	memcpy(rec.app_id, CERTBIND_APP_ID, 16);
	rec.store = "MY";
	assert_int_equal(plan_build_avoiding(&p, &inv, &rec, 1, NOW, &l, &plan,
	    &err), 0);
	assert_int_equal(plan.items[0].action, ACTION_UPDATE_HASH);
	unusable_note(&l, "api", plan.items[0].sel.chosen->thumb, NOW);
	assert_int_equal(plan_replan_item(&plan, 0, NOW, &l), 0);
	assert_int_equal(plan.items[0].action, ACTION_NONE);
	assert_int_equal(plan.items[0].sel.chosen->thumb[0], 1);
	/* Both refused: no candidate, the record kept. */
	unusable_note(&l, "api", plan.items[0].sel.chosen->thumb, NOW);
	assert_int_equal(plan_replan_item(&plan, 0, NOW, &l), 0);
	assert_int_equal(plan.items[0].action, ACTION_NO_CANDIDATE);
	assert_true(plan.items[0].has_current);
	plan_free(&plan);
	unusable_free(&l);
	inventory_free(&inv);
	policy_free(&p);
}

/* --- records that cannot be read --------------------------------------- */

#define TWO "version: 1\nbindings:\n  - name: api\n" EP MATCH \
	"  - name: www\n    endpoint: www.example.test:443\n"

static void
test_unreadable_plan(void **state)
{
	struct inventory inv = { 0 };
	struct policy p;
	struct plan plan;
	struct cb_error err;
	char *text;

	(void)state;
	load_policy(TWO, &p);
	make_store(&inv);
	assert_int_equal(plan_build(&p, &inv, NULL, 0, NOW, &plan, &err), 0);
	plan_mark_unreadable(&plan, 0, 13, "Invalid data (error 13)");
	assert_int_equal(plan.items[0].action, ACTION_UNREADABLE);
	assert_int_equal(plan_changes(&plan), 0);      /* never a write */
	text = report_text(&plan, NOW, 0);
	assert_non_null(strstr(text, "api (0.0.0.0:443): the HTTP.sys record "
	    "cannot be read (Invalid data (error 13)); left alone\n"));
	assert_non_null(strstr(text, "www (www.example.test:443): no "
	    "certificate"));
	assert_non_null(strstr(text, "1 record cannot be read\n"));
	free(text);
	text = report_json(&plan, NOW, 0);
	assert_non_null(strstr(text, "\"action\": \"unreadable\""));
	assert_non_null(strstr(text, "\"error\": {\"code\": 13, \"reason\": "
	    "\"Invalid data (error 13)\"}"));
	assert_non_null(strstr(text, "\"error\": null"));
	free(text);
	plan_free(&plan);
	inventory_free(&inv);
	policy_free(&p);
}

static void
test_unreadable_status(void **state)
{
	struct inventory inv = { 0 };
	struct broken_record bad[2];
	struct policy p;
	struct plan plan;
	struct status st;
	struct cb_error err;
	char *text;

	(void)state;
	load_policy(TWO, &p);
	make_store(&inv);
	memset(bad, 0, sizeof(bad));
	bad[0].kind = EP_IPV4;
	strcpy(bad[0].key, "(address family 48879)");
	bad[0].error = 13;
	strcpy(bad[0].reason, "its address family 48879 is neither IPv4 nor "
	    "IPv6 (error 13)");
	bad[1].kind = EP_SNI;
	bad[1].has_endpoint = true;
	bad[1].endpoint = p.bindings[1].endpoint;
	strcpy(bad[1].key, "www.example.test:443");
	bad[1].error = 5;
	strcpy(bad[1].reason, "Access denied (error 5)");
	assert_int_equal(plan_build(&p, &inv, NULL, 0, NOW, &plan, &err), 0);
	plan_mark_unreadable(&plan, 0, 13, "Invalid data (error 13)");
	plan_mark_unreadable(&plan, 1, 5, "Access denied (error 5)");
	assert_int_equal(status_build(&plan, NULL, 0, bad, 2, NOW, &st), 0);
	/* Two broken records, the second www's; api's own row besides. */
	assert_int_equal(st.nbroken, 3);
	assert_null(st.broken[0].item);
	assert_ptr_equal(st.broken[1].item, &plan.items[1]);
	assert_null(st.broken[2].rec);
	assert_ptr_equal(st.broken[2].item, &plan.items[0]);
	assert_int_equal(st.nmissing, 0);
	text = report_status_text(&st, NOW);
	assert_non_null(strstr(text, "ip   (address family 48879)     cannot "
	    "be read: its address family 48879 is neither IPv4 nor IPv6 "
	    "(error 13) (not in the policy)\n"));
	assert_non_null(strstr(text, "sni  www.example.test:443       cannot "
	    "be read: Access denied (error 5) www\n"));
	assert_non_null(strstr(text, "0 SSL bindings in HTTP.sys, 3 that cannot "
	    "be read\n"));
	free(text);
	text = report_status_json(&st, NOW);
	assert_non_null(strstr(text, "\"unreadable\": [\n    {\"kind\": \"ip\", "
	    "\"key\": \"(address family 48879)\", \"binding\": null, "
	    "\"error\": 13, "));
	assert_non_null(strstr(text, "{\"kind\": \"ip\", \"key\": "
	    "\"0.0.0.0:443\", \"binding\": \"api\", \"error\": 13, "
	    "\"reason\": \"Invalid data (error 13)\"}"));
	free(text);
	status_free(&st);
	plan_free(&plan);
	inventory_free(&inv);
	policy_free(&p);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_forget_prune),
		cmocka_unit_test(test_plan_passes_over),
		cmocka_unit_test(test_replan),
		cmocka_unit_test(test_unreadable_plan),
		cmocka_unit_test(test_unreadable_status),
	};
	int failed;

	failed = run_rows("a refused certificate's backoff", test_row,
	    (void *)rows, sizeof(rows[0]), NROWS(rows), row_name);
	failed += cmocka_run_group_tests_name("refused and unreadable", fixed,
	    NULL, NULL);
	return failed ? 1 : 0;
}
