/*
 * unit.h - shared helpers for core/'s cmocka unit tests.
 *
 * Most tests are tables: one row per case, each row registered as its own
 * cmocka test so that a failure names the case.  run_rows() builds the
 * CMUnitTest array from a table at run time.
 */
#ifndef CERTBIND_UNIT_H
#define CERTBIND_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cert.h"
#include "policy.h"

#define NROWS(table) (sizeof(table) / sizeof((table)[0]))

/* Run fn once per row; row i is named by names[i] and passed as state. */
static inline int
run_rows(const char *group, CMUnitTestFunction fn, void *rows,
    size_t rowsize, size_t n, const char *(*name_of)(const void *row))
{
	struct CMUnitTest *t = calloc(n, sizeof(*t));
	int rc;
	size_t i;

	for (i = 0; i < n; i++) {
		void *row = (char *)rows + i * rowsize;

		t[i].name = name_of(row);
		t[i].test_func = fn;
		t[i].initial_state = row;
	}
	rc = _cmocka_run_group_tests(group, t, n, NULL, NULL);
	free(t);
	return rc;
}

/*
 * A made-up certificate; thumbprint bytes all set to id.  The fields after
 * eku are usually left out of a row, which makes them zero: issued by
 * "CN=Test CA", no template, not archived, no renewal link, store My.
 */
struct testcert {
	uint8_t id;
	const char *cn;
	const char *dns[4];
	int64_t not_before, not_after;
	bool has_key;
	unsigned eku;          /* 0: no EKU extension */
	const char *issuer;    /* NULL: "CN=Test CA" */
	const char *template_name;
	const char *template_oid;
	bool archived;
	uint8_t renewal;       /* id of the successor; 0 for none */
	enum cert_store store;
};

static inline void
add_testcert(struct inventory *inv, const struct testcert *t)
{
	struct cert c;
	size_t n = 0;

	memset(&c, 0, sizeof(c));
	memset(c.thumb, t->id, THUMB_LEN);
	c.subject = (char *)t->cn;
	c.cn = (char *)t->cn;
	while (n < 4 && t->dns[n] != NULL)
		n++;
	c.dns = (char **)t->dns;
	c.ndns = n;
	c.not_before = t->not_before;
	c.not_after = t->not_after;
	c.has_key = t->has_key;
	c.has_eku = t->eku != 0;
	c.eku = t->eku;
	c.issuer = (char *)(t->issuer ? t->issuer : "CN=Test CA");
	c.template_name = (char *)t->template_name;
	c.template_oid = (char *)t->template_oid;
	c.archived = t->archived;
	c.has_renewal = t->renewal != 0;
	memset(c.renewal, t->renewal, THUMB_LEN);
	c.store = t->store;
	assert_int_equal(inventory_add(inv, &c), 0);
}

/* Parse a policy that must be valid. */
static inline void
load_policy(const char *yaml, struct policy *p)
{
	struct cb_error err;
	char text[600];

	if (policy_parse("t.yaml", yaml, strlen(yaml), p, &err) != 0)
		fail_msg("policy should load: %s",
		    cb_error_format(&err, text, sizeof(text)));
}

/*
 * Parse yaml as "t.yaml": with want NULL it must load; else it must fail
 * with exactly want after "t.yaml:" ("LINE:COL: message"), and leave no
 * bindings behind.
 */
static inline void
expect_policy(const char *yaml, const char *want)
{
	struct policy p;
	struct cb_error err;
	char got[600], full[600];
	int rc;

	rc = policy_parse("t.yaml", yaml, strlen(yaml), &p, &err);
	if (want == NULL) {
		if (rc != 0)
			fail_msg("unexpected error: %s",
			    cb_error_format(&err, got, sizeof(got)));
		assert_true(p.nbindings > 0);
		policy_free(&p);
		return;
	}
	assert_int_equal(rc, -1);
	assert_null(p.bindings);
	snprintf(full, sizeof(full), "t.yaml:%s", want);
	assert_string_equal(cb_error_format(&err, got, sizeof(got)), full);
}

#define DAY INT64_C(86400)
#define NOW INT64_C(1800000000)   /* 2027-01-15, a fixed "now" */

#endif
