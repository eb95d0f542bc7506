/*
 * test_policy.c - the policy loader: good policies load to the expected
 * model, bad ones fail with the exact message and position.
 */
#include "unit.h"

#include "policy.h"

struct row {
	const char *name;
	const char *yaml;
	const char *want;   /* "LINE:COL: message", or NULL for a valid policy */
};

#define HEAD "version: 1\nbindings:\n"

static const struct row rows[] = {
	{ "minimal policy", HEAD
	  "  - name: api\n    endpoint: 0.0.0.0:8443\n"
	  "    match: { dns: api.example.test }\n", NULL },
	{ "flow style and ipv6", "{version: 1, bindings: [{name: a, endpoint: "
	  "'[::]:443', match: {dns: A.Example.TEST.}}]}", NULL },
	{ "two bindings", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:443\n    match: {dns: a.test}\n"
	  "  - name: b\n    endpoint: 10.0.0.1:443\n    match: {dns: b.test}\n",
	  NULL },
	{ "empty file", "", "1:1: the policy is empty" },
	{ "not a mapping", "- a\n- b\n",
	  "1:1: expected a mapping (key: value) for the policy" },
	{ "missing version", "bindings:\n  - name: a\n    endpoint: 0.0.0.0:1\n"
	  "    match: {dns: a.test}\n",
	  "1:1: the policy is missing the required key 'version'" },
	{ "version 2", "version: 2\nbindings: []\n",
	  "1:10: version must be 1 (the only policy version this certbind "
	  "reads)" },
	{ "quoted version", "version: '1'\n",
	  "1:10: version must be 1 (the only policy version this certbind "
	  "reads)" },
	{ "unknown top key with suggestion", "version: 1\nbindigs: []\n",
	  "2:1: unknown key 'bindigs' in the policy (did you mean "
	  "'bindings'?)" },
	{ "unknown key, no suggestion", "version: 1\nfrobnicate: 1\n",
	  "2:1: unknown key 'frobnicate' in the policy" },
	{ "duplicate key", "version: 1\nversion: 1\n",
	  "2:1: duplicate key 'version' (first given at line 1)" },
	{ "empty bindings", "version: 1\nbindings: []\n",
	  "2:11: bindings must be a list with at least one binding" },
	{ "binding not a mapping", HEAD "  - api\n",
	  "3:5: expected a mapping (key: value) for a binding" },
	{ "missing endpoint", HEAD "  - name: api\n    match: {dns: a.test}\n",
	  "3:5: a binding is missing the required key 'endpoint'" },
	{ "misspelt endpoint", HEAD "  - name: api\n    endpont: 0.0.0.0:1\n",
	  "4:5: unknown key 'endpont' in a binding (did you mean 'endpoint'?)" },
	{ "bad name", HEAD "  - name: my api\n    endpoint: 0.0.0.0:1\n",
	  "3:11: name 'my api' may hold only letters, digits, '.', '_' and '-'" },
	{ "bad port", HEAD "  - name: a\n    endpoint: 0.0.0.0:70000\n",
	  "4:15: endpoint '0.0.0.0:70000': port must be a number from 1 to "
	  "65535" },
	{ "bad ipv4", HEAD "  - name: a\n    endpoint: 300.1.1.1:443\n",
	  "4:15: endpoint '300.1.1.1:443': invalid IPv4 address" },
	{ "ipv6 without brackets", HEAD "  - name: a\n    endpoint: ::1:443\n",
	  "4:15: endpoint '::1:443': an IPv6 address must be written in "
	  "brackets: [::1]:443" },
	{ "sni endpoint not yet", HEAD
	  "  - name: a\n    endpoint: www.example.test:443\n",
	  "4:15: SNI and ccs endpoints are not supported by this version of "
	  "certbind; use ADDRESS:PORT" },
	{ "ccs endpoint not yet", HEAD "  - name: a\n    endpoint: ccs:443\n",
	  "4:15: SNI and ccs endpoints are not supported by this version of "
	  "certbind; use ADDRESS:PORT" },
	{ "ip endpoint needs match.dns", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:443\n",
	  "3:5: binding 'a' needs match.dns: the name its certificate must "
	  "cover" },
	{ "match.dns not a host name", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:443\n    match: {dns: 'a b'}\n",
	  "5:18: match.dns must be a DNS host name such as api.example.test, "
	  "not 'a b'" },
	{ "match.dns is a list", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:443\n    match: {dns: [a]}\n",
	  "5:18: expected a non-empty string for match.dns" },
	{ "unknown match key", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:443\n    match: {dsn: a.test}\n",
	  "5:13: unknown key 'dsn' in match (did you mean 'dns'?)" },
	{ "duplicate name points at the second", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:1\n    match: {dns: a.test}\n"
	  "  - name: a\n    endpoint: 0.0.0.0:2\n    match: {dns: a.test}\n",
	  "6:11: duplicate binding name 'a' (first used at line 3)" },
	{ "duplicate endpoint points at the second", HEAD
	  "  - name: a\n    endpoint: 0.0.0.0:443\n    match: {dns: a.test}\n"
	  "  - name: b\n    endpoint: '0.0.0.0:443'\n    match: {dns: b.test}\n",
	  "7:15: endpoint 0.0.0.0:443 is already bound by 'a' (line 3)" },
	{ "same ipv6 written two ways", HEAD
	  "  - name: a\n    endpoint: '[0:0::0]:443'\n    match: {dns: a.test}\n"
	  "  - name: b\n    endpoint: '[::]:443'\n    match: {dns: b.test}\n",
	  "7:15: endpoint [::]:443 is already bound by 'a' (line 3)" },
	{ "anchor refused", "version: &v 1\n",
	  "1:10: anchors (&name) are not allowed in a policy" },
	{ "alias refused", "version: 1\nx: &a [1]\ny: *a\n",
	  "2:4: anchors (&name) are not allowed in a policy" },
	{ "bare alias refused", "version: *a\n",
	  "1:10: aliases (*name) are not allowed in a policy" },
	{ "tag refused", "version: !!int 1\n",
	  "1:10: tags (!name) are not allowed in a policy" },
	{ "two documents refused", "version: 1\n---\nversion: 1\n",
	  "2:1: a policy file holds one YAML document" },
	{ "syntax error position", "version: 1\nbindings: [\n",
	  "3:1: while parsing a flow node did not find expected node content" },
	{ "invalid utf-8", "version: 1\n# caf\xc3\n",
	  "2:6: invalid trailing UTF-8 octet (the policy must be UTF-8 "
	  "text)" },
	{ "invalid utf-8 lead byte", "version: 1\n# ab\xff\n",
	  "2:5: invalid leading UTF-8 octet (the policy must be UTF-8 text)" },
	{ "nesting too deep", "a: [[[[[[[[[1]]]]]]]]]\n",
	  "1:11: nesting is deeper than a policy allows" },
	{ "complex key refused", "? [a]\n: 1\n",
	  "1:3: a mapping key must be a plain name" },
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
	struct policy p;
	struct cb_error err;
	char got[600], want[600];
	int rc;

	rc = policy_parse("t.yaml", r->yaml, strlen(r->yaml), &p, &err);
	if (r->want == NULL) {
		if (rc != 0)
			fail_msg("unexpected error: %s",
			    cb_error_format(&err, got, sizeof(got)));
		assert_true(p.nbindings > 0);
		policy_free(&p);
		return;
	}
	assert_int_equal(rc, -1);
	assert_null(p.bindings);
	snprintf(want, sizeof(want), "t.yaml:%s", r->want);
	assert_string_equal(cb_error_format(&err, got, sizeof(got)), want);
}

/* The model a valid policy loads to. */
static void
test_model(void **state)
{
	const char *y = HEAD
	    "  - name: api\n    endpoint: '[2001:DB8::1]:8443'\n"
	    "    match: { dns: API.Example.Test. }\n";
	struct policy p;
	struct cb_error err;
	char ep[ENDPOINT_TEXT_MAX];

	(void)state;
	assert_int_equal(policy_parse("t.yaml", y, strlen(y), &p, &err), 0);
	assert_int_equal(p.version, 1);
	assert_int_equal(p.nbindings, 1);
	assert_string_equal(p.bindings[0].name, "api");
	assert_string_equal(p.bindings[0].dns, "api.example.test");
	assert_string_equal(endpoint_format(&p.bindings[0].endpoint, ep,
	    sizeof(ep)), "[2001:db8::1]:8443");
	assert_int_equal(p.bindings[0].line, 3);
	policy_free(&p);
}

/* A file over 1 MiB is refused before parsing. */
static void
test_too_large(void **state)
{
	size_t n = 1024 * 1024 + 1;
	char *big = malloc(n);
	struct policy p;
	struct cb_error err;

	(void)state;
	memset(big, '#', n);
	assert_int_equal(policy_parse("t.yaml", big, n, &p, &err), -1);
	assert_non_null(strstr(err.msg, "at most 1048576 bytes"));
	free(big);
}

/* An alias bomb fails at its first anchor, before any expansion. */
static void
test_alias_bomb(void **state)
{
	const char *y = "a: &a [x, x, x, x, x, x, x, x, x]\n"
	    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
	struct policy p;
	struct cb_error err;

	(void)state;
	assert_int_equal(policy_parse("t.yaml", y, strlen(y), &p, &err), -1);
	assert_int_equal(err.line, 1);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_alias_bomb),
	};
	int failed;

	failed = run_rows("policy table", test_row, (void *)rows, sizeof(rows[0]),
	    NROWS(rows), row_name);
	failed += cmocka_run_group_tests_name("policy", fixed, NULL, NULL);
	return failed ? 1 : 0;
}
