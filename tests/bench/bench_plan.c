/*
 * bench_plan.c - how long planning takes at scale: part of `make bench`.
 *
 *   bench_plan [MAX_CERTS]
 *
 * Certificates and bindings ten to one, as on a large shared web server:
 * 1,000 x 100, 10,000 x 1,000 and 100,000 x 10,000 (up to MAX_CERTS,
 * default 100,000).  Each binding's name has a history of ten
 * certificates (some expired, some without a key, one not yet valid), a
 * tenth of a percent are wildcards covering every name, and half of the
 * records still hold an old certificate.  For each size: the policy load,
 * the plan and the JSON report (median of several runs), and the plan's
 * time per certificate + binding, which stays flat when growth is linear.
 * For 10,000 x 1,000 also what a scan of the whole store per binding would
 * cost and what 500 wildcards covering every name cost (each is a
 * candidate for every binding, so that case is quadratic by nature); and
 * the peak memory.  Prints rows for tests/bench/bench.sh's table
 * (MEASURE, CERTBIND, BESIDE, RATIO, GOAL, tab-separated).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "plan.h"
#include "policy.h"
#include "report.h"

#define RUNS 9
#define DAY INT64_C(86400)
#define NOW INT64_C(1800000000)

static int nbind, ncert;            /* the size being measured */

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), by_double);
	return v[n / 2];
}

static char *
make_policy(void)
{
	size_t cap = (size_t)nbind * 160 + 64, len;
	char *y = malloc(cap);
	int i;

	len = (size_t)snprintf(y, cap, "version: 1\nbindings:\n");
	for (i = 0; i < nbind; i++)
		len += (size_t)snprintf(y + len, cap - len,
		    "  - name: svc%d\n    endpoint: 10.%d.%d.1:443\n"
		    "    match: { dns: svc%d.example.test }\n", i, i / 256,
		    i % 256, i);
	return y;
}

/* Every wildcard_every-th certificate is *.example.test. */
static void
make_store(struct inventory *inv, int wildcard_every)
{
	char name[64], *dns[1] = { name };
	struct cert c;
	int i;

	for (i = 0; i < ncert; i++) {
		int b = i % nbind, gen = i / nbind;

		memset(&c, 0, sizeof(c));
		memcpy(c.thumb, &i, sizeof(i));
		if (i % wildcard_every == wildcard_every - 1)
			snprintf(name, sizeof(name), "*.example.test");
		else
			snprintf(name, sizeof(name), "svc%d.example.test", b);
		c.subject = name;
		c.issuer = "CN=Bench CA";
		c.dns = dns;
		c.ndns = 1;
		c.not_before = NOW - (10 - gen) * 30 * DAY;
		c.not_after = c.not_before + 90 * DAY -
		    (name[0] == '*' ? DAY : 0);
		c.has_key = gen != 7;
		c.has_eku = true;
		c.eku = EKU_SERVER_AUTH;
		if (inventory_add(inv, &c) != 0)
			exit(1);
	}
}

/* Half the records hold generation 8, half the best (9). */
static struct ssl_record *
make_records(const struct policy *p)
{
	struct ssl_record *r = calloc(nbind, sizeof(*r));
	int i;

	for (i = 0; i < nbind; i++) {
		int cert = (i % 2 ? 9 : 8) * nbind + i;

		r[i].endpoint = p->bindings[i].endpoint;
		memcpy(r[i].hash, &cert, sizeof(cert));
		r[i].hash_len = THUMB_LEN;
		memcpy(r[i].app_id, CERTBIND_APP_ID, 16);
		r[i].store = "MY";
	}
	return r;
}

/* The old way: judge every certificate for every binding. */
static double
scan_cost(const struct policy *p, const struct inventory *inv)
{
	double t = seconds();
	size_t i, j, found = 0;

	for (i = 0; i < 50; i++)
		for (j = 0; j < inv->n; j++)
			found += select_judge(&p->bindings[i], &inv->certs[j], NOW,
			    false) == VERDICT_OK;
	if (found == 0)
		printf("(scan found nothing)\n");
	return (seconds() - t) * (nbind / 50);
}

static double
wildcard_cost(const struct policy *p, const struct ssl_record *records)
{
	struct inventory inv = { 0 };
	struct plan pl;
	struct cb_error err;
	double t;

	make_store(&inv, 20);
	t = seconds();
	if (plan_build(p, &inv, records, nbind, NOW, &pl, &err) != 0)
		exit(1);
	t = seconds() - t;
	plan_free(&pl);
	inventory_free(&inv);
	return t;
}

static void
row(const char *measure, double ms, const char *beside)
{
	printf("  %s\t%.2f ms\t%s\t-\t-\n", measure, ms, beside);
}

/* Load, plan and report at one size; the plan's median time, in s. */
static double
one_size(int certs, int bindings, int extras)
{
	double parse[RUNS], plan[RUNS], json[RUNS], t, per;
	struct inventory inv = { 0 };
	struct ssl_record *records;
	struct policy p;
	struct plan pl;
	struct cb_error err;
	char *yaml, *out = NULL, label[96], note[96];
	size_t changes = 0;
	int i;

	ncert = certs;
	nbind = bindings;
	yaml = make_policy();
	make_store(&inv, ncert / 10);
	for (i = 0; i < RUNS; i++) {
		t = seconds();
		if (policy_parse("bench.yaml", yaml, strlen(yaml), &p, &err) != 0) {
			fprintf(stderr, "bench policy: %s\n", err.msg);
			exit(1);
		}
		parse[i] = seconds() - t;
		if (i + 1 < RUNS)
			policy_free(&p);
	}
	records = make_records(&p);
	for (i = 0; i < RUNS; i++) {
		t = seconds();
		if (plan_build(&p, &inv, records, nbind, NOW, &pl, &err) != 0)
			exit(1);
		plan[i] = seconds() - t;
		changes = plan_changes(&pl);
		t = seconds();
		out = report_json(&pl, NOW, 0);
		json[i] = seconds() - t;
		free(out);
		plan_free(&pl);
	}
	t = median(plan, RUNS);
	per = t / (double)(certs + bindings);
	printf("  %d certificates x %d bindings\t\t\t\t\n", certs, bindings);
	snprintf(label, sizeof(label), "  load policy (%zu bytes)",
	    strlen(yaml));
	row(label, median(parse, RUNS) * 1e3, "-");
	snprintf(label, sizeof(label), "  plan: index + select + diff (%zu "
	    "changes)", changes);
	snprintf(note, sizeof(note), "%.0f ns per certificate+binding",
	    per * 1e9);
	row(label, t * 1e3, note);
	row("  JSON report", median(json, RUNS) * 1e3, "-");
	if (extras) {
		row("  a full scan per binding (estimated from 50)",
		    scan_cost(&p, &inv) * 1e3, "-");
		row("  plan with 500 wildcards (each a candidate for every "
		    "binding)", wildcard_cost(&p, records) * 1e3, "-");
	}
	free(records);
	free(yaml);
	policy_free(&p);
	inventory_free(&inv);
	return t;
}

int
main(int argc, char **argv)
{
	static const int sizes[][2] = {
		{ 1000, 100 }, { 10000, 1000 }, { 100000, 10000 },
	};
	long max = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
	struct rusage ru;
	size_t i;
	int largest = 0;

	printf("4. planning natively (certificates x bindings, ten to one; "
	    "median of %d)\t\t\t\t\n", RUNS);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (sizes[i][0] > max)
			break;
		one_size(sizes[i][0], sizes[i][1], sizes[i][0] == 10000);
		largest = sizes[i][0];
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("  peak memory (largest size, %d certificates)\t%.1f MiB\t-\t-\t-\n",
	    largest, (double)ru.ru_maxrss / 1024.0);
	return 0;
}
