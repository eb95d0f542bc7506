/*
 * oom.c - out of memory: make the Nth allocation fail, for every N, in
 * the policy loader, the planner and the report writers.
 *
 *   oom [STRIDE [POLICY.yaml...]]
 *
 * Built natively with ASan and UBSan and linked with ld's --wrap for
 * malloc, calloc, realloc, strdup and free (see the stress part part_oom.sh), so
 * that core/ itself holds no test hook; libyaml is compiled in from its
 * sources the same way, so that the parser's own allocations fail too.
 *
 * Each case is run once with no fault, counting its allocations (M) and
 * keeping its result.  Then, for N = 1, 1 + STRIDE, ... up to M, it is run
 * twice more: once with allocation N alone failing, once with N and every
 * one after it failing.  Each such run must
 *  - not crash (the sanitizers abort on any memory error),
 *  - give back every block it took (the wrapper counts live blocks; LSan
 *    checks again at exit),
 *  - and either fail with a clear error (-1 and "out of memory" in the
 *    error, or NULL from a report writer), or succeed with exactly the
 *    result of the run without a fault.
 * A case that breaks a rule is printed, with N, and the exit status is 1.
 * The last line is the figures, for the stress table:
 *   cases N-values faults leaks wrong
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sanitizer/lsan_interface.h>

#include "plan.h"
#include "policy.h"
#include "report.h"
#include "status.h"
#include "unusable.h"

#define DAY INT64_C(86400)
#define NOW INT64_C(1800000000)

/* --- the failing allocator ------------------------------------------- */

void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
void __real_free(void *);

static bool armed;           /* count (and fail) allocations */
static bool persist;         /* every allocation from fail_at on fails */
static unsigned long nalloc; /* allocations counted while armed */
static unsigned long fail_at;/* 0: none fails */
static bool hit;             /* an allocation was made to fail */
static long live;            /* blocks taken and not yet given back */

static bool
must_fail(void)
{
	if (!armed)
		return false;
	nalloc++;
	if (fail_at != 0 && (nalloc == fail_at ||
	    (persist && nalloc > fail_at))) {
		hit = true;
		return true;
	}
	return false;
}

void *
__wrap_malloc(size_t n)
{
	void *p;

	if (must_fail())
		return NULL;
	if ((p = __real_malloc(n)) != NULL)
		live++;
	return p;
}

void *
__wrap_calloc(size_t n, size_t size)
{
	void *p;

	if (must_fail())
		return NULL;
	if ((p = __real_calloc(n, size)) != NULL)
		live++;
	return p;
}

void *
__wrap_realloc(void *old, size_t n)
{
	void *p;

	/* A failed realloc leaves the old block as it was. */
	if (must_fail())
		return NULL;
	if (old != NULL && n == 0) {
		__real_free(old);
		live--;
		return NULL;
	}
	p = __real_realloc(old, n);
	if (p != NULL && old == NULL)
		live++;
	return p;
}

/* libyaml copies its texts with strdup. */
char *
__wrap_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = __wrap_malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

void
__wrap_free(void *p)
{
	if (p != NULL)
		live--;
	__real_free(p);
}

/* --- the cases ----------------------------------------------------------- */

/*
 * What one run gave: rc (0 or -1), the error or NULL, and its result as
 * text (malloc'ed, NULL when the call failed), to compare with the run
 * without a fault.
 */
struct outcome {
	int rc;
	char msg[480];
	char *text;
};

struct fixture {
	struct policy policy;
	struct inventory inv;
	struct ssl_record records[5];
	struct broken_record broken[1];
	struct unusable_list avoid;
	struct plan plan;
	struct status status;
};

static struct fixture fx;
static const char *policy_file;
static char *policy_text;
static size_t policy_len;

/* A plan of p on the fixture's store and records, as JSON: the result a
 * policy that loads is compared by.  Run unarmed. */
static char *
policy_summary(const struct policy *p)
{
	struct plan plan;
	struct cb_error err;
	char *s;

	if (plan_build_avoiding(p, &fx.inv, fx.records, 5, NOW, &fx.avoid,
	    &plan, &err) != 0)
		return NULL;
	s = report_json(&plan, NOW, REPORT_EXPLAIN);
	plan_free(&plan);
	return s;
}

static void
run_parse(struct outcome *o)
{
	struct policy p;
	struct cb_error err;

	err.msg[0] = '\0';
	o->rc = policy_parse(policy_file, policy_text, policy_len, &p, &err);
	snprintf(o->msg, sizeof(o->msg), "%s", err.msg);
	if (o->rc != 0) {
		if (p.bindings != NULL || p.nbindings != 0)
			snprintf(o->msg, sizeof(o->msg),
			    "a failed load left bindings behind");
		return;
	}
	armed = false;
	o->text = policy_summary(&p);
	policy_free(&p);
}

static void
run_plan(struct outcome *o)
{
	struct plan plan;
	struct cb_error err;

	err.msg[0] = '\0';
	o->rc = plan_build_avoiding(&fx.policy, &fx.inv, fx.records, 5, NOW,
	    &fx.avoid, &plan, &err);
	snprintf(o->msg, sizeof(o->msg), "%s", err.msg);
	if (o->rc != 0)
		return;
	armed = false;
	o->text = report_json(&plan, NOW, REPORT_EXPLAIN);
	plan_free(&plan);
}

static void
run_status(struct outcome *o)
{
	struct status st;

	o->rc = status_build(&fx.plan, fx.records, 5, fx.broken, 1, NOW, &st);
	if (o->rc != 0) {
		snprintf(o->msg, sizeof(o->msg), "out of memory");
		return;
	}
	armed = false;
	o->text = report_status_json(&st, NOW);
	status_free(&st);
}

/* A report writer: NULL is its error. */
static void
report(struct outcome *o, char *s)
{
	o->text = s;
	o->rc = s != NULL ? 0 : -1;
	snprintf(o->msg, sizeof(o->msg), "%s", s != NULL ? "" : "out of memory");
}

static void
run_report_text(struct outcome *o)
{
	report(o, report_text(&fx.plan, NOW, REPORT_EXPLAIN));
}

static void
run_report_json(struct outcome *o)
{
	report(o, report_json(&fx.plan, NOW, REPORT_EXPLAIN));
}

static void
run_certs_text(struct outcome *o)
{
	report(o, report_certs_text(&fx.inv, NOW));
}

static void
run_certs_json(struct outcome *o)
{
	report(o, report_certs_json(&fx.inv, NOW));
}

static void
run_status_text(struct outcome *o)
{
	report(o, report_status_text(&fx.status, NOW));
}

static void
run_status_json(struct outcome *o)
{
	report(o, report_status_json(&fx.status, NOW));
}

struct scenario {
	const char *name;
	void (*run)(struct outcome *o);
};

static const struct scenario scenarios[] = {
	{ "plan_build", run_plan },
	{ "status_build", run_status },
	{ "report_text", run_report_text },
	{ "report_json", run_report_json },
	{ "report_certs_text", run_certs_text },
	{ "report_certs_json", run_certs_json },
	{ "report_status_text", run_status_text },
	{ "report_status_json", run_status_json },
};

/* --- the fixture: a store and records that reach every kind of row ---- */

static const char fixture_policy[] =
    "version: 1\n"
    "defaults: { renew_warning_days: 30 }\n"
    "bindings:\n"
    "  - name: api\n"
    "    endpoint: 0.0.0.0:443\n"
    "    match: { dns: api.example.test, issuer: 'O=Contoso',\n"
    "             template: WebServer, min_days_left: 7 }\n"
    "    options: { disable_legacy_tls: true,\n"
    "               revocation_freshness_time: 1h }\n"
    "  - name: www\n"
    "    endpoint: www.example.test:443\n"
    "    options: { ssl_ctl_identifier: Roots, ssl_ctl_store_name: CA }\n"
    "  - name: v6\n"
    "    endpoint: '[2001:db8::1]:8443'\n"
    "    match: { dns: v6.example.test,\n"
    "             thumbprints: ['0303030303030303030303030303030303030303'] }\n"
    "  - name: other\n"
    "    endpoint: 10.0.0.5:443\n"
    "    match: { dns: other.example.test }\n"
    "  - name: none\n"
    "    endpoint: 10.0.0.6:443\n"
    "    match: { dns: none.example.test }\n"
    "  - name: farm\n"
    "    endpoint: ccs:4443\n"
    "  - name: broken\n"
    "    endpoint: 10.0.0.7:443\n"
    "    match: { dns: broken.example.test }\n";

struct fixcert {
	uint8_t id;
	const char *cn;
	const char *dns[3];
	int64_t from, to;             /* days from NOW */
	bool key;
	unsigned eku;
	const char *issuer;
	const char *template_name;
	uint8_t renewal;
	uint8_t issuer_id;
};

static const struct fixcert fixcerts[] = {
	/* A subject with a control character: printed escaped. */
	{ 1, "api\x1b[2J.example.test", { "api.example.test" }, -30, 300,
	  true,
	  EKU_SERVER_AUTH, "CN=CA, O=Contoso", "WebServer", 0, 9 },
	{ 2, "api.example.test", { "api.example.test" }, -300, -1, true,
	  EKU_SERVER_AUTH, "CN=CA, O=Contoso", "WebServer", 1, 9 },
	{ 3, "v6", { "v6.example.test", "*.example.test" }, -3, 20, true,
	  0, NULL, NULL, 0, 0 },
	{ 4, "www.example.test", { NULL }, -3, 90, false, 0, NULL, NULL,
	  0, 0 },
	{ 5, "www.example.test", { "www.example.test" }, 10, 90, true,
	  EKU_CLIENT_AUTH, NULL, NULL, 0, 0 },
	{ 6, "www", { "www.example.test", "w\\x00w.example.test" }, -3, 400,
	  true, EKU_SERVER_AUTH | EKU_OTHER, NULL, NULL, 0, 0 },
	{ 7, "other.example.test", { NULL }, -3, 400, true, EKU_ANY,
	  NULL, NULL, 0, 0 },
	{ 8, "none.example.test", { "none.example.test" }, -300, -30, true,
	  0, NULL, NULL, 0, 0 },
};

static void
add_fixcert(const struct fixcert *f)
{
	struct cert c;
	uint8_t issuer[1][THUMB_LEN];
	size_t n = 0;

	memset(&c, 0, sizeof(c));
	memset(c.thumb, f->id, THUMB_LEN);
	c.subject = (char *)f->cn;
	c.cn = (char *)f->cn;
	while (n < 3 && f->dns[n] != NULL)
		n++;
	c.dns = (char **)f->dns;
	c.ndns = n;
	c.not_before = NOW + f->from * DAY;
	c.not_after = NOW + f->to * DAY;
	c.has_key = f->key;
	c.has_eku = f->eku != 0;
	c.eku = f->eku;
	c.issuer = (char *)(f->issuer ? f->issuer : "CN=Test CA");
	c.template_name = (char *)f->template_name;
	c.has_renewal = f->renewal != 0;
	memset(c.renewal, f->renewal, THUMB_LEN);
	if (f->issuer_id != 0) {
		memset(issuer[0], f->issuer_id, THUMB_LEN);
		c.issuers = issuer;
		c.nissuers = 1;
	}
	if (inventory_add(&fx.inv, &c) != 0) {
		fprintf(stderr, "oom: the fixture's store\n");
		exit(2);
	}
}

static void
fixture_record(struct ssl_record *r, const struct binding *b, uint8_t id,
    const char *app_id)
{
	memset(r, 0, sizeof(*r));
	r->endpoint = b->endpoint;
	if (id != 0) {
		memset(r->hash, id, THUMB_LEN);
		r->hash_len = THUMB_LEN;
	}
	if (app_id == NULL || guid_parse(app_id, r->app_id) != 0)
		memcpy(r->app_id, CERTBIND_APP_ID, 16);
	r->store = "MY";
	r->ctl_identifier = "Roots";
}

static void
fixture_build(void)
{
	struct cb_error err;
	const struct binding *b;
	uint8_t three[THUMB_LEN];
	size_t i;

	if (policy_parse("fixture.yaml", fixture_policy,
	    strlen(fixture_policy), &fx.policy, &err) != 0) {
		fprintf(stderr, "oom: the fixture's policy: %s\n", err.msg);
		exit(2);
	}
	for (i = 0; i < sizeof(fixcerts) / sizeof(fixcerts[0]); i++)
		add_fixcert(&fixcerts[i]);
	b = fx.policy.bindings;
	fixture_record(&fx.records[0], &b[0], 2, NULL);
	fixture_record(&fx.records[1], &b[1], 4, NULL);
	fixture_record(&fx.records[2], &b[3], 7,
	    "{5b8e2c1d-3f4a-4e6b-9c7d-8a1b2c3d4e5f}");
	fixture_record(&fx.records[3], &b[5], 0, NULL);
	/* A record no binding declares, holding a certificate not there. */
	fixture_record(&fx.records[4], &b[4], 0x42, NULL);
	fx.records[4].endpoint.port = 444;
	fx.broken[0].kind = EP_IPV4;
	fx.broken[0].has_endpoint = true;
	fx.broken[0].endpoint = b[6].endpoint;
	snprintf(fx.broken[0].key, sizeof(fx.broken[0].key), "10.0.0.7:443");
	fx.broken[0].error = 13;
	snprintf(fx.broken[0].reason, sizeof(fx.broken[0].reason),
	    "The data is invalid.");
	memset(three, 3, THUMB_LEN);
	(void)unusable_note(&fx.avoid, "v6", three, NOW - 10);
	if (plan_build_avoiding(&fx.policy, &fx.inv, fx.records, 5, NOW,
	    &fx.avoid, &fx.plan, &err) != 0 ||
	    status_build(&fx.plan, fx.records, 5, fx.broken, 1, NOW,
	    &fx.status) != 0) {
		fprintf(stderr, "oom: the fixture's plan\n");
		exit(2);
	}
}

static void
fixture_free(void)
{
	status_free(&fx.status);
	plan_free(&fx.plan);
	unusable_free(&fx.avoid);
	inventory_free(&fx.inv);
	policy_free(&fx.policy);
}

/* --- the driver -------------------------------------------------------- */

static unsigned long cases, nvalues, faults, leaks, wrong;

static void
run_once(const struct scenario *s, unsigned long n, bool all_after,
    struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	nalloc = 0;
	fail_at = n;
	persist = all_after;
	hit = false;
	armed = true;
	s->run(o);
	armed = false;
}

/* Where a result differs from the one without a fault, for the log. */
static void
show_difference(const char *got, const char *want)
{
	size_t i = 0;

	if (got == NULL || want == NULL) {
		printf("#   %s\n", got == NULL ? "no result" : "no reference");
		return;
	}
	while (got[i] != '\0' && got[i] == want[i])
		i++;
	i = i > 40 ? i - 40 : 0;
	printf("#   got:  %.100s\n#   want: %.100s\n", got + i, want + i);
}

/* The rules for one run with allocation n (and after) failing. */
static void
check_run(const struct scenario *s, unsigned long n, bool all_after,
    const struct outcome *ref)
{
	struct outcome o;
	long before = live;
	const char *mode = all_after ? "and after" : "alone";

	run_once(s, n, all_after, &o);
	cases++;
	if (hit)
		faults++;
	if (o.rc != 0 && strstr(o.msg, "out of memory") == NULL) {
		wrong++;
		printf("# %s: allocation %lu %s failing: error \"%s\", "
		    "not \"out of memory\"\n", s->name, n, mode, o.msg);
	} else if (o.rc == 0 && (o.text == NULL || ref->text == NULL ||
	    strcmp(o.text, ref->text) != 0)) {
		wrong++;
		printf("# %s: allocation %lu %s failing: succeeded with "
		    "another result\n", s->name, n, mode);
		show_difference(o.text, ref->text);
	} else if (o.rc != 0 && !hit) {
		wrong++;
		printf("# %s: allocation %lu %s: failed with no fault\n",
		    s->name, n, mode);
	}
	free(o.text);
	if (live != before) {
		leaks++;
		printf("# %s: allocation %lu %s failing: %ld blocks not "
		    "given back\n", s->name, n, mode, live - before);
		live = before;
	}
}

static void
check_scenario(const struct scenario *s, unsigned long stride)
{
	struct outcome ref;
	unsigned long m, n;
	long before = live;

	run_once(s, 0, false, &ref);
	m = nalloc;
	if (ref.rc != 0) {
		wrong++;
		printf("# %s: fails with no fault: %s\n", s->name, ref.msg);
	}
	/* The result's own block is still held. */
	if (live - (ref.text != NULL) != before) {
		leaks++;
		printf("# %s: %ld blocks not given back with no fault\n",
		    s->name, live - (ref.text != NULL) - before);
	}
	for (n = 1; n <= m; n += stride) {
		nvalues++;
		check_run(s, n, false, &ref);
		check_run(s, n, true, &ref);
	}
	printf("# %s: %lu allocations\n", s->name, m);
	free(ref.text);
}

static int
read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 ||
	    (policy_text = malloc((size_t)n + 1)) == NULL ||
	    fread(policy_text, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "oom: cannot read %s\n", path);
		if (f != NULL)
			fclose(f);
		return -1;
	}
	fclose(f);
	policy_len = (size_t)n;
	policy_file = path;
	return 0;
}

int
main(int argc, char **argv)
{
	struct scenario parse = { NULL, run_parse };
	unsigned long stride = argc > 1 ? strtoul(argv[1], NULL, 10) : 1;
	size_t i;
	int a;

	if (stride == 0)
		stride = 1;
	fixture_build();
	/* Once unarmed, so that the shared text pool (strpool.h) holds
	 * every text the cases name before blocks are counted. */
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		struct outcome o;

		run_once(&scenarios[i], 0, false, &o);
		free(o.text);
	}
	for (a = 2; a < argc; a++) {
		if (read_file(argv[a]) != 0)
			return 2;
		parse.name = argv[a];
		check_scenario(&parse, stride);
		free(policy_text);
	}
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		check_scenario(&scenarios[i], stride);
	fixture_free();
	if (__lsan_do_recoverable_leak_check() != 0)
		leaks++;
	printf("%lu %lu %lu %lu %lu\n", cases, nvalues, faults, leaks, wrong);
	return leaks == 0 && wrong == 0 ? 0 : 1;
}
