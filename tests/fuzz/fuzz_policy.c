/*
 * fuzz_policy.c - libFuzzer target: the policy loader, then a plan and its
 * reports, on arbitrary bytes.
 *
 * Beyond "no crash, no leak, no undefined behaviour" (the sanitizers), it
 * checks what the loader promises: a policy is either whole and checked
 * or absent, never half of one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "policy.h"
#include "report.h"

static void
check_whole(const struct policy *p)
{
	size_t i;

	if (p->version != POLICY_VERSION || p->nbindings == 0)
		abort();
	for (i = 0; i < p->nbindings; i++) {
		const struct binding *b = &p->bindings[i];

		if (b->name == NULL || b->name[0] == '\0')
			abort();
		if (b->endpoint.kind != EP_CCS && b->match.dns == NULL)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy p;
	struct cb_error err;
	struct inventory inv = { 0 };
	struct plan plan;
	char *text;

	if (policy_parse("fuzz.yaml", (const char *)data, size, &p, &err) != 0) {
		if (p.bindings != NULL || p.nbindings != 0 || err.msg[0] == '\0')
			abort();
		return 0;
	}
	check_whole(&p);
	if (plan_build(&p, &inv, NULL, 0, 0, &plan, &err) == 0) {
		if (plan.n != p.nbindings)
			abort();
		text = report_json(&plan, 0, REPORT_EXPLAIN);
		free(text);
		text = report_text(&plan, 0, REPORT_EXPLAIN);
		free(text);
		plan_free(&plan);
	}
	policy_free(&p);
	return 0;
}
