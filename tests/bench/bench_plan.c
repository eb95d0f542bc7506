/*
 * bench_plan.c - how long planning takes at scale: `make bench`.
 *
 * 10,000 certificates and 1,000 bindings, as on a large shared web server:
 * each binding's name has a history of ten certificates (some expired,
 * some without a key, one not yet valid), 10 are wildcards covering every
 * name, and half of the records still hold an old certificate.  Prints the
 * time of each stage (median of several runs) and the peak memory, and,
 * for comparison, what a scan of the whole store per binding would cost
 * and what 500 wildcards covering every name cost (each is a candidate
 * for every binding, so that case is quadratic by nature).
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

#define NBIND 1000
#define NCERT 10000
#define RUNS 9
#define DAY INT64_C(86400)
#define NOW INT64_C(1800000000)

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
	size_t cap = (size_t)NBIND * 160 + 64, len;
	char *y = malloc(cap);
	int i;

	len = (size_t)snprintf(y, cap, "version: 1\nbindings:\n");
	for (i = 0; i < NBIND; i++)
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

	for (i = 0; i < NCERT; i++) {
		int b = i % NBIND, gen = i / NBIND;

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
	struct ssl_record *r = calloc(NBIND, sizeof(*r));
	int i;

	for (i = 0; i < NBIND; i++) {
		int cert = (i % 2 ? 9 : 8) * NBIND + i;

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
	return (seconds() - t) * (NBIND / 50);
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
	if (plan_build(p, &inv, records, NBIND, NOW, &pl, &err) != 0)
		exit(1);
	t = seconds() - t;
	plan_free(&pl);
	inventory_free(&inv);
	return t;
}

int
main(void)
{
	double parse[RUNS], plan[RUNS], json[RUNS], t;
	struct inventory inv = { 0 };
	struct ssl_record *records;
	struct policy p;
	struct plan pl;
	struct cb_error err;
	struct rusage ru;
	char *yaml = make_policy(), *out = NULL;
	size_t changes = 0;
	int i;

	make_store(&inv, NCERT / 10);
	for (i = 0; i < RUNS; i++) {
		t = seconds();
		if (policy_parse("bench.yaml", yaml, strlen(yaml), &p, &err) != 0) {
			fprintf(stderr, "bench policy: %s\n", err.msg);
			return 1;
		}
		parse[i] = seconds() - t;
		if (i + 1 < RUNS)
			policy_free(&p);
	}
	records = make_records(&p);
	for (i = 0; i < RUNS; i++) {
		t = seconds();
		if (plan_build(&p, &inv, records, NBIND, NOW, &pl, &err) != 0)
			return 1;
		plan[i] = seconds() - t;
		changes = plan_changes(&pl);
		t = seconds();
		out = report_json(&pl, NOW, 0);
		json[i] = seconds() - t;
		free(out);
		plan_free(&pl);
	}
	getrusage(RUSAGE_SELF, &ru);
	t = wildcard_cost(&p, records);
	printf("certbind planning benchmark: %d certificates, %d bindings, "
	    "%d records\n", NCERT, NBIND, NBIND);
	printf("  load policy (%zu bytes)      %8.2f ms\n", strlen(yaml),
	    median(parse, RUNS) * 1e3);
	printf("  plan (index + select + diff)  %8.2f ms  (%zu changes)\n",
	    median(plan, RUNS) * 1e3, changes);
	printf("  JSON report                   %8.2f ms\n",
	    median(json, RUNS) * 1e3);
	printf("  a full scan per binding       %8.2f ms  (estimated from 50 "
	    "bindings)\n", scan_cost(&p, &inv) * 1e3);
	printf("  plan with 500 wildcards       %8.2f ms  (each a candidate for "
	    "every binding)\n", t * 1e3);
	printf("  peak memory                   %8.1f MiB\n",
	    (double)ru.ru_maxrss / 1024.0);
	free(records);
	free(yaml);
	policy_free(&p);
	inventory_free(&inv);
	return 0;
}
