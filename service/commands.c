/*
 * commands.c - the read-only commands: `certbind plan`, `status`,
 * `certs` and `verify`.  They read the world as a reconcile does
 * (world.c) and print it; none of them changes anything.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/probe.h"
#include "../core/report.h"
#include "../core/status.h"
#include "apply.h"
#include "keyaccess.h"
#include "loopstats.h"
#include "out.h"
#include "policyfile.h"
#include "restarts.h"
#include "target.h"
#include "verify.h"
#include "world.h"

/* --- plan -------------------------------------------------------------- */

/* Print a report from report.c and free it; -1 when it could not be built. */
static int
print_report(char *text)
{
	if (text == NULL) {
		out_puts(OUT_STDERR, "certbind: out of memory\n");
		return -1;
	}
	out_puts(OUT_STDOUT, text);
	free(text);
	return 0;
}

int
plan_run(const char *path, bool json, bool explain)
{
	struct world w;
	struct plan plan;
	int64_t now = (int64_t)time(NULL);
	unsigned flags = explain ? REPORT_EXPLAIN : 0;
	size_t i;
	int result = PLAN_ERROR;

	if (world_plan(path, READ_DECLARED, &w, &plan, now) != 0) {
		world_free(&w);
		return PLAN_ERROR;
	}
	/* Keys a binding stays on, that owe an account read (key_access). */
	for (i = 0; i < plan.n; i++)
		(void)keyaccess_plan(&plan.items[i]);
	if (print_report(json ? report_json(&plan, now, flags) :
	    report_text(&plan, now, flags)) == 0)
		result = plan_changes(&plan) > 0 ? PLAN_CHANGES : PLAN_NOTHING;
	/* Everything was printed; a record that cannot be read is an error. */
	for (i = 0; i < plan.n; i++)
		if (plan.items[i].action == ACTION_UNREADABLE)
			result = PLAN_ERROR;
	plan_free(&plan);
	world_free(&w);
	return result;
}

/* --- verify, status --probe ------------------------------------------ */

/* What binding it's endpoint serves, against the record it has now. */
static void
probe_one(const struct plan_item *it, struct probe_row *row)
{
	struct verify_result v;
	char target[ENDPOINT_TEXT_MAX + 300];

	const struct target_ops *t = target_of(it->target);

	row->binding = it->binding->name;
	t->describe(it->binding, row->endpoint, sizeof(row->endpoint));
	if (!t->verifiable) {
		/* The registry names the certificate; no endpoint to ask. */
		row->outcome = VERIFY_NOT_VERIFIABLE;
		snprintf(row->detail, sizeof(row->detail), "%s reads its "
		    "certificate from the registry; what it serves is not "
		    "checked", row->endpoint);
		return;
	}
	if (it->action == ACTION_UNREADABLE || !it->has_current) {
		row->outcome = VERIFY_NO_RECORD;
		snprintf(row->detail, sizeof(row->detail), "%s",
		    it->action == ACTION_UNREADABLE ? "its record cannot be "
		    "read" : "HTTP.sys has no record for it");
		return;
	}
	verify_binding(it->binding, &it->current, &v);
	row->outcome = v.outcome;
	snprintf(row->detail, sizeof(row->detail), "%s: %s",
	    verify_target_text(it->binding, target, sizeof(target)), v.text);
}

/* One row per binding of plan, or for the one named only.  0 or -1. */
static int
probe_build(const struct plan *plan, const char *only, struct probe_list *l)
{
	size_t i;

	memset(l, 0, sizeof(*l));
	if ((l->rows = calloc(plan->n ? plan->n : 1, sizeof(*l->rows))) == NULL)
		return -1;
	for (i = 0; i < plan->n; i++)
		if (only == NULL || strcmp(plan->items[i].binding->name, only) == 0)
			probe_one(&plan->items[i], &l->rows[l->n++]);
	return 0;
}

static bool
has_binding(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nbindings; i++)
		if (strcmp(p->bindings[i].name, name) == 0)
			return true;
	return false;
}

/* {"time": ..., "bindings": [...]}; 0, or -1 when out of memory. */
static int
print_verify_json(const struct probe_list *l, int64_t now)
{
	char t[21], *rows = probe_json_array(l);

	if (rows == NULL)
		return print_report(NULL);
	out_printf(OUT_STDOUT, "{\n  \"time\": \"%s\",\n  \"bindings\": %s\n}\n",
	    utc_time(now, t), rows);
	free(rows);
	return 0;
}

/* The status text, then what each endpoint serves; frees text. */
static char *
with_probe_text(char *text, const struct probe_list *l)
{
	char *lines = probe_text(l), *all = NULL;
	size_t a = strlen(text), b;

	if (lines != NULL) {
		b = strlen(lines);
		if ((all = malloc(a + b + 32)) != NULL)
			snprintf(all, a + b + 32, "%s\nwhat each endpoint serves:\n"
			    "%s", text, lines);
	}
	free(lines);
	free(text);
	return all;
}

int
verify_run(const char *path, const char *only, bool json)
{
	struct world w;
	struct plan plan;
	struct probe_list l;
	int64_t now = (int64_t)time(NULL);
	int result = 1;

	if (world_plan(path, READ_DECLARED, &w, &plan, now) != 0) {
		world_free(&w);
		return 1;
	}
	if (only != NULL && !has_binding(w.policy, only))
		out_printf(OUT_STDERR, "certbind verify: the policy has no "
		    "binding named '%s'\n", only);
	else if (probe_build(&plan, only, &l) != 0)
		print_report(NULL);
	else {
		if ((json ? print_verify_json(&l, now) :
		    print_report(probe_text(&l))) == 0)
			result = probe_failed(&l) ? 1 : 0;
		probe_free(&l);
	}
	plan_free(&plan);
	world_free(&w);
	return result;
}

/* --- status ------------------------------------------------------------ */

int
status_run(const char *path, bool json, bool probe)
{
	struct world w;
	struct plan plan;
	struct status st;
	struct loop_stats loop;
	struct probe_list pl = { 0 };
	struct pending_list pending = { 0 };
	int64_t now = (int64_t)time(NULL);
	char *text = NULL;
	int result = PLAN_ERROR;

	if (world_plan(path, READ_ALL, &w, &plan, now) != 0) {
		world_free(&w);
		return PLAN_ERROR;
	}
	if (status_build(&plan, w.records, w.nrecords, w.broken, w.nbroken, now,
	    &st) == 0) {
		/* The running service's counts, if one runs (loopstats.c). */
		if (loopstats_read(&loop))
			st.service = &loop;
		/* What each endpoint serves, checked now (verify.c). */
		if (probe && probe_build(&plan, NULL, &pl) == 0)
			st.probe = &pl;
		/* Restarts waiting for a window (restarts.c). */
		if (restarts_pending(w.policy, &pending) == 0)
			st.pending = &pending;
		text = json ? report_status_json(&st, now) :
		    report_status_text(&st, now);
		if (text != NULL && st.probe != NULL && !json)
			text = with_probe_text(text, &pl);
		/* Everything was printed; a record that cannot be read is an
		 * error, as for plan. */
		if (print_report(text) == 0)
			result = st.nbroken > 0 ? PLAN_ERROR : 0;
		status_free(&st);
	} else
		print_report(NULL);
	probe_free(&pl);
	pending_free(&pending);
	plan_free(&plan);
	world_free(&w);
	return result;
}

/* --- certs ------------------------------------------------------------- */

int
certs_run(const char *path, bool json)
{
	struct policy policy;
	struct inventory inv = { 0 };
	struct store_certs certs = { 0 };
	struct cb_error err;
	int64_t now = (int64_t)time(NULL);
	char msg[1024];
	int rc = 1;

	/* With a policy, WebHosting is read too when the policy uses it. */
	memset(&policy, 0, sizeof(policy));
	if (path != NULL && policyfile_load(path, &policy, &err) != 0) {
		out_printf(OUT_STDERR, "%s\n", cb_error_format(&err, msg,
		    sizeof(msg)));
		return 1;
	}
	if (world_stores(&policy, &inv, &certs, true) == 0 &&
	    print_report(json ? report_certs_json(&inv, now) :
	    report_certs_text(&inv, now)) == 0)
		rc = 0;
	policy_free(&policy);
	store_certs_free(&certs);
	inventory_free(&inv);
	return rc;
}

