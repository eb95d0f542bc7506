/*
 * test_policykeys.c - the policy keys for what happens around a change:
 * restart_services, restart_window (in defaults and per binding) and
 * key_access.  Good policies load to the expected names, positions and
 * windows; hostile ones fail with the exact message and position, and
 * free what they had read (the sanitizers check the freeing).
 */
#include "unit.h"

#include "policy.h"

struct row {
	const char *name;
	const char *yaml;
	const char *want;   /* "LINE:COL: message", or NULL for a valid policy */
};

/* A binding whose next key is on line 6, at column 5. */
#define B "version: 1\nbindings:\n  - name: a\n    endpoint: 0.0.0.0:443\n" \
	"    match: {dns: a.test}\n"
#define CCS "version: 1\nbindings:\n  - name: a\n    endpoint: ccs:443\n"

static const struct row rows[] = {
	/* restart_services: */
	{ "one service", B "    restart_services: [W3SVC]\n", NULL },
	{ "services with spaces and dots", B
	  "    restart_services: [\"My Service\", svc.v2, MSSQL$SQLEXPRESS]\n",
	  NULL },
	{ "restart_services on a ccs endpoint", CCS
	  "    restart_services: [W3SVC]\n", NULL },
	{ "restart_services empty", B "    restart_services: []\n",
	  "6:23: restart_services must be a list of at least one service "
	  "name" },
	{ "restart_services a scalar", B "    restart_services: W3SVC\n",
	  "6:23: restart_services must be a list of at least one service "
	  "name" },
	{ "restart_services a mapping", B "    restart_services: {a: b}\n",
	  "6:23: restart_services must be a list of at least one service "
	  "name" },
	{ "service listed twice, other case", B
	  "    restart_services: [W3SVC, WMSvc, w3svc]\n",
	  "6:38: service 'w3svc' is listed twice in restart_services (first "
	  "at line 6)" },
	{ "service listed twice, other line", B
	  "    restart_services:\n      - W3SVC\n      - W3SVC\n",
	  "8:9: service 'W3SVC' is listed twice in restart_services (first "
	  "at line 7)" },
	{ "service name with a slash", B "    restart_services: [a/b]\n",
	  "6:24: service name 'a/b' in restart_services holds '/' or '\\', "
	  "which no Windows service name does" },
	{ "service name with a backslash", B
	  "    restart_services: ['..\\x']\n",
	  "6:24: service name '..\\x' in restart_services holds '/' or '\\', "
	  "which no Windows service name does" },
	{ "empty service name", B "    restart_services: [W3SVC, '']\n",
	  "6:31: each service in restart_services must be a non-empty name" },
	{ "service name a list", B "    restart_services: [[W3SVC]]\n",
	  "6:24: each service in restart_services must be a non-empty name" },
	{ "service name a mapping", B "    restart_services: [{a: b}]\n",
	  "6:24: each service in restart_services must be a non-empty name" },
	{ "service name with a tab", B "    restart_services: [\"W3\\tSVC\"]\n",
	  "6:24: a service name in restart_services holds U+0009, a control or "
	  "invisible character" },
	{ "service name with an escape sequence", B
	  "    restart_services: [\"\\e[2JW3SVC\"]\n",
	  "6:24: a service name in restart_services holds U+001B, a control or "
	  "invisible character" },
	{ "service name with DEL", B "    restart_services: [\"W3SVC\\x7f\"]\n",
	  "6:24: a service name in restart_services holds U+007F, a control or "
	  "invisible character" },
	{ "service name with a C1 control", B
	  "    restart_services: [\"W3SVC\\x85\"]\n",
	  "6:24: a service name in restart_services holds U+0085, a control or "
	  "invisible character" },
	{ "service name with a newline", B
	  "    restart_services: [\"W3SVC\\nx\"]\n",
	  "6:24: a service name in restart_services holds U+000A, a control or "
	  "invisible character" },
	{ "service name with a left-to-right mark", B
	  "    restart_services: [\"W3SVC\\u200e\"]\n",
	  "6:24: a service name in restart_services holds U+200E, a control or "
	  "invisible character" },
	{ "service name with a zero-width space", B
	  "    restart_services: [\"W3\\u200bSVC\"]\n",
	  "6:24: a service name in restart_services holds U+200B, a control or "
	  "invisible character" },
	{ "service name with a right-to-left override", B
	  "    restart_services: [\"W3\\u202eSVC\"]\n",
	  "6:24: a service name in restart_services holds U+202E, a control or "
	  "invisible character" },
	{ "service name with a byte order mark", B
	  "    restart_services: [\"\\ufeffW3SVC\"]\n",
	  "6:24: a service name in restart_services holds U+FEFF, a control or "
	  "invisible character" },
	{ "service name with a NUL", B "    restart_services: [\"W3\\0SVC\"]\n",
	  "6:24: a NUL character (\\0) is not allowed in a policy" },
	{ "restart_services given twice", B "    restart_services: [a]\n"
	  "    restart_services: [b]\n",
	  "7:5: duplicate key 'restart_services' (first given at line 6)" },
	{ "misspelt restart_services", B "    restart_service: [a]\n",
	  "6:5: unknown key 'restart_service' in a binding (did you mean "
	  "'restart_services'?)" },

	/* restart_window: */
	{ "binding window", B "    restart_services: [W3SVC]\n"
	  "    restart_window: \"02:00-04:00\"\n", NULL },
	{ "binding window, plain", B "    restart_services: [W3SVC]\n"
	  "    restart_window: 22:00-02:00\n", NULL },
	{ "default window, no restarts", "version: 1\n"
	  "defaults: {restart_window: \"02:00-04:00\"}\n"
	  "bindings: [{name: a, endpoint: 'ccs:443'}]\n", NULL },
	{ "binding window without restarts", B
	  "    restart_window: \"02:00-04:00\"\n",
	  "6:21: binding 'a' has a restart_window but restarts nothing: add "
	  "restart_services, or put the window in defaults" },
	{ "binding window before its restarts", B
	  "    restart_window: \"02:00-04:00\"\n    restart_services: [x]\n",
	  NULL },
	{ "binding window malformed", B "    restart_services: [W3SVC]\n"
	  "    restart_window: 2:00-4:00\n",
	  "7:21: restart_window: a restart window is written HH:MM-HH:MM in "
	  "24-hour local time, such as 02:00-04:00" },
	{ "binding window empty", B "    restart_services: [W3SVC]\n"
	  "    restart_window: 03:00-03:00\n",
	  "7:21: restart_window: a restart window must not start and end at "
	  "the same time (to allow restarts at any time, leave "
	  "restart_window out)" },
	{ "binding window a list", B "    restart_services: [W3SVC]\n"
	  "    restart_window: [\"02:00-04:00\"]\n",
	  "7:21: restart_window must be a window such as \"02:00-04:00\"" },
	{ "binding window with a control character", B
	  "    restart_services: [W3SVC]\n"
	  "    restart_window: \"02:00-04:00\\e\"\n",
	  "7:21: restart_window: a restart window is written HH:MM-HH:MM in "
	  "24-hour local time, such as 02:00-04:00" },
	{ "default window hour 24", "version: 1\n"
	  "defaults: {restart_window: \"24:00-01:00\"}\n"
	  "bindings: [{name: a, endpoint: 'ccs:443'}]\n",
	  "2:28: defaults.restart_window: the start hour of a restart window "
	  "must be two digits from 00 to 23" },
	{ "default window minute 60", "version: 1\n"
	  "defaults: {restart_window: \"01:00-01:60\"}\n"
	  "bindings: [{name: a, endpoint: 'ccs:443'}]\n",
	  "2:28: defaults.restart_window: the end minute of a restart window "
	  "must be two digits from 00 to 59" },

	/* key_access: */
	{ "key_access inherit", B "    key_access: inherit\n", NULL },
	{ "key_access accounts", B "    key_access: [\"NT AUTHORITY\\\\NETWORK "
	  "SERVICE\", \"NT Service\\\\MSSQLSERVER\", S-1-5-20, inherit]\n",
	  NULL },
	{ "key_access SIDs", B "    key_access: [S-1-5-20, S-1-0x00000000000F-1, "
	  "s-1-5-21-1-2-3-4294967295, S-1-1-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15]"
	  "\n", NULL },
	{ "key_access a name that starts like a SID", B
	  "    key_access: [S-bob, S-]\n", NULL },
	{ "key_access other word", B "    key_access: everyone\n",
	  "6:17: key_access must be inherit or a list of accounts (names or "
	  "SIDs), such as [\"NT AUTHORITY\\NETWORK SERVICE\"]" },
	{ "key_access a mapping", B "    key_access: {inherit: true}\n",
	  "6:17: key_access must be inherit or a list of accounts (names or "
	  "SIDs), such as [\"NT AUTHORITY\\NETWORK SERVICE\"]" },
	{ "key_access empty", B "    key_access: []\n",
	  "6:17: key_access must be a list of at least one account name" },
	{ "inherit twice", B "    key_access: [inherit, a, Inherit]\n",
	  "6:30: inherit is listed twice in key_access (first at line 6)" },
	{ "account twice, other case", B
	  "    key_access: [\"NT AUTHORITY\\\\NETWORK SERVICE\", "
	  "\"nt authority\\\\network service\"]\n",
	  "6:51: account 'nt authority\\network service' is listed twice in "
	  "key_access (first at line 6)" },
	{ "SID twice", B "    key_access: [S-1-5-20, s-1-5-20]\n",
	  "6:28: account 's-1-5-20' is listed twice in key_access (first at "
	  "line 6)" },
	{ "empty account", B "    key_access: [a, \"\"]\n",
	  "6:21: each account in key_access must be a non-empty name" },
	{ "account with a control character", B
	  "    key_access: [\"NETWORK\\rSERVICE\"]\n",
	  "6:18: a account name in key_access holds U+000D, a control or "
	  "invisible character" },
	{ "account with a zero-width joiner", B
	  "    key_access: [\"Adm\\u200dinistrator\"]\n",
	  "6:18: a account name in key_access holds U+200D, a control or "
	  "invisible character" },
	{ "SID with a letter", B "    key_access: [S-1-5-2x]\n",
	  "6:18: 'S-1-5-2x' in key_access is not a well-formed SID such as "
	  "S-1-5-20" },
	{ "SID of revision 2", B "    key_access: [S-2-5-20]\n",
	  "6:18: 'S-2-5-20' in key_access is not a well-formed SID such as "
	  "S-1-5-20" },
	{ "SID without an authority", B "    key_access: [S-1-]\n",
	  "6:18: 'S-1-' in key_access is not a well-formed SID such as "
	  "S-1-5-20" },
	{ "SID without a sub-authority", B "    key_access: [S-1-5]\n",
	  "6:18: 'S-1-5' in key_access is not a well-formed SID such as "
	  "S-1-5-20" },
	{ "SID hex authority too short", B "    key_access: [S-1-0x5-20]\n",
	  "6:18: 'S-1-0x5-20' in key_access is not a well-formed SID such as "
	  "S-1-5-20" },
	{ "SID ending in a dash", B "    key_access: [S-1-5-]\n",
	  "6:18: 'S-1-5-' in key_access is not a well-formed SID such as "
	  "S-1-5-20" },
	{ "SID sub-authority past 32 bits", B
	  "    key_access: [S-1-5-4294967296]\n",
	  "6:18: 'S-1-5-4294967296' in key_access is not a well-formed SID "
	  "such as S-1-5-20" },
	{ "SID authority past 48 bits", B
	  "    key_access: [S-1-281474976710656-1]\n",
	  "6:18: 'S-1-281474976710656-1' in key_access is not a well-formed "
	  "SID such as S-1-5-20" },
	{ "SID hex authority too long", B
	  "    key_access: [S-1-0x1000000000000-1]\n",
	  "6:18: 'S-1-0x1000000000000-1' in key_access is not a well-formed "
	  "SID such as S-1-5-20" },
	{ "SID with 16 sub-authorities", B
	  "    key_access: [S-1-1-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16]\n",
	  "6:18: 'S-1-1-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16' in key_access "
	  "is not a well-formed SID such as S-1-5-20" },
	{ "key_access on a ccs endpoint", CCS "    key_access: [a]\n",
	  "5:17: a ccs endpoint takes its certificates from the Central "
	  "Certificate Store; key_access does not apply to it" },
	{ "key_access inherit on a ccs endpoint", CCS
	  "    key_access: inherit\n",
	  "5:17: a ccs endpoint takes its certificates from the Central "
	  "Certificate Store; key_access does not apply to it" },
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

	expect_policy(r->yaml, r->want);
}

static void
assert_named(const struct named *n, const char *name, int line, int col)
{
	assert_string_equal(n->name, name);
	assert_int_equal(n->line, line);
	assert_int_equal(n->col, col);
}

/* Names, their positions, and the windows each binding ends up with. */
static void
test_model(void **state)
{
	const char *y = "version: 1\n"
	    "defaults: {restart_window: \"02:00-04:00\"}\n"
	    "bindings:\n"
	    "  - name: a\n    endpoint: 0.0.0.0:443\n    match: {dns: a.test}\n"
	    "    restart_services: [W3SVC, \"WMSvc\"]\n"
	    "    key_access:\n"
	    "      - inherit\n"
	    "      - NT AUTHORITY\\NETWORK SERVICE\n"
	    "      - S-1-5-80-1\n"
	    "  - name: b\n    endpoint: 0.0.0.0:444\n    match: {dns: b.test}\n"
	    "    restart_services:\n      - RemoteAccess\n"
	    "    restart_window: 22:30-01:00\n"
	    "    key_access: inherit\n"
	    "  - name: c\n    endpoint: 0.0.0.0:445\n    match: {dns: c.test}\n";
	struct policy p;
	const struct binding *a, *b, *c;

	(void)state;
	load_policy(y, &p);
	assert_true(p.defaults.has_restart_window);
	assert_int_equal(p.defaults.restart_window.start_min, 120);
	assert_int_equal(p.defaults.restart_window.end_min, 240);
	a = &p.bindings[0];
	b = &p.bindings[1];
	c = &p.bindings[2];

	assert_int_equal(a->nrestart_services, 2);
	assert_named(&a->restart_services[0], "W3SVC", 7, 24);
	assert_named(&a->restart_services[1], "WMSvc", 7, 31);
	assert_true(a->has_restart_window);
	assert_int_equal(a->restart_window.start_min, 120);
	assert_int_equal(a->restart_window.end_min, 240);
	assert_true(a->key_access_inherit);
	assert_int_equal(a->nkey_access, 2);
	assert_named(&a->key_access[0], "NT AUTHORITY\\NETWORK SERVICE", 10, 9);
	assert_named(&a->key_access[1], "S-1-5-80-1", 11, 9);

	assert_int_equal(b->nrestart_services, 1);
	assert_named(&b->restart_services[0], "RemoteAccess", 16, 9);
	assert_true(b->has_restart_window);
	assert_int_equal(b->restart_window.start_min, 22 * 60 + 30);
	assert_int_equal(b->restart_window.end_min, 60);
	assert_true(b->key_access_inherit);
	assert_int_equal(b->nkey_access, 0);

	/* No restarts, but the default window all the same. */
	assert_int_equal(c->nrestart_services, 0);
	assert_null(c->restart_services);
	assert_true(c->has_restart_window);
	assert_int_equal(c->restart_window.start_min, 120);
	assert_false(c->key_access_inherit);
	assert_int_equal(c->nkey_access, 0);
	assert_null(c->key_access);
	policy_free(&p);
}

/* A policy without these keys restarts nothing, at no window. */
static void
test_absent(void **state)
{
	struct policy p;

	(void)state;
	load_policy(B, &p);
	assert_false(p.defaults.has_restart_window);
	assert_false(p.bindings[0].has_restart_window);
	assert_int_equal(p.bindings[0].nrestart_services, 0);
	assert_int_equal(p.bindings[0].nkey_access, 0);
	assert_false(p.bindings[0].key_access_inherit);
	policy_free(&p);
}

/* B + "    KEY: [" + the items + "]\n", malloc'd. */
static char *
list_policy(const char *key, const char *item, size_t nitems)
{
	size_t len = strlen(B) + strlen(key) + 16 +
	    nitems * (strlen(item) + 8);
	char *y = malloc(len);
	size_t i;

	assert_non_null(y);
	snprintf(y, len, B "    %s: [", key);
	for (i = 0; i < nitems; i++)
		snprintf(y + strlen(y), len - strlen(y), "%s'%s%zu'",
		    i ? ", " : "", item, i);
	strcat(y, "]\n");
	return y;
}

/* n copies of the UTF-8 text unit, as a name. */
static char *
repeat(const char *unit, size_t n)
{
	char *s = malloc(strlen(unit) * n + 1);
	size_t i;

	assert_non_null(s);
	s[0] = '\0';
	for (i = 0; i < n; i++)
		strcat(s, unit);
	return s;
}

static int
parse_text(const char *y, struct cb_error *err)
{
	struct policy p;
	int rc = policy_parse("t.yaml", y, strlen(y), &p, err);

	if (rc == 0)
		policy_free(&p);
	return rc;
}

/*
 * 64 names, and no more.  list_policy() numbers the names, so that they
 * are not duplicates.
 */
static void
test_list_length(void **state)
{
	struct cb_error err;
	char *y;

	(void)state;
	y = list_policy("restart_services", "svc", 64);
	assert_int_equal(parse_text(y, &err), 0);
	free(y);
	y = list_policy("restart_services", "svc", 65);
	assert_int_equal(parse_text(y, &err), -1);
	assert_string_equal(err.msg, "restart_services lists more than 64 "
	    "names");
	free(y);
	y = list_policy("key_access", "account", 65);
	assert_int_equal(parse_text(y, &err), -1);
	assert_string_equal(err.msg, "key_access lists more than 64 names");
	free(y);
}

/*
 * At most 256 characters as Windows counts them, in UTF-16 units: 256
 * ASCII letters or 256 two-byte letters (512 bytes of UTF-8) pass; 128
 * characters outside the BMP take 256 units and pass, 129 do not.  The
 * number list_policy() appends is part of the name.
 */
static void
test_name_length(void **state)
{
	static const struct {
		const char *unit;
		size_t n;               /* units of the name, before the digit */
		int rc;
	} cases[] = {
		{ "a", 255, 0 },
		{ "a", 256, -1 },
		{ "\xc3\xa9", 255, 0 },             /* e acute */
		{ "\xc3\xa9", 256, -1 },
		{ "\xe2\x82\xac", 255, 0 },         /* euro sign */
		{ "\xf0\x9f\x94\x91", 127, 0 },     /* key, 2 units */
		{ "\xf0\x9f\x94\x91", 128, -1 },
	};
	struct cb_error err;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(cases); i++) {
		char *name = repeat(cases[i].unit, cases[i].n);
		char *y = list_policy("restart_services", name, 1);

		if (parse_text(y, &err) != cases[i].rc)
			fail_msg("case %zu: %s", i, err.msg);
		if (cases[i].rc != 0)
			assert_string_equal(err.msg, "a name in restart_services "
			    "is longer than 256 characters");
		free(y);
		free(name);
	}
}

/* The key paths the schema test compares with the JSON schema. */
static void
collect_key(const char *path, void *arg)
{
	char *all = arg;

	strcat(all, "\n");
	strcat(all, path);
}

static void
test_keys(void **state)
{
	static char all[8192];

	(void)state;
	all[0] = '\0';
	policy_keys(collect_key, all);
	strcat(all, "\n");
	assert_non_null(strstr(all, "\ndefaults.restart_window\n"));
	assert_non_null(strstr(all, "\nbindings[].restart_services\n"));
	assert_non_null(strstr(all, "\nbindings[].restart_window\n"));
	assert_non_null(strstr(all, "\nbindings[].key_access\n"));
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_list_length),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_keys),
	};
	int failed;

	failed = run_rows("policy keys", test_row, (void *)rows,
	    sizeof(rows[0]), NROWS(rows), row_name);
	failed += cmocka_run_group_tests_name("policy keys model", fixed, NULL,
	    NULL);
	return failed ? 1 : 0;
}
