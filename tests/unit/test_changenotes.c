/*
 * test_changenotes.c - the notes `certbind check` prints for restarts and
 * key access (core/changenotes.c): which services, in which window or at
 * any time, and which accounts, in the policy's order.
 */
#include "unit.h"

#include "changenotes.h"

struct row {
	const char *name;
	const char *bindings;   /* after "bindings:\n" */
	const char *defaults;   /* a defaults: mapping, or NULL */
	const char *want;
};

#define AT(n) "  - name: " n "\n    endpoint: " n ".test:443\n"

static const struct row rows[] = {
	{ "nothing to note", AT("a"), NULL, "" },
	{ "a default window alone says nothing", AT("a"),
	  "{restart_window: '02:00-04:00'}", "" },
	{ "one service, any time", AT("a") "    restart_services: [W3SVC]\n",
	  NULL, "note: binding 'a' restarts W3SVC after a change, at any time\n" },
	{ "two services, own window", AT("a")
	  "    restart_services: [WMSvc, RemoteAccess]\n"
	  "    restart_window: '22:00-02:00'\n", NULL,
	  "note: binding 'a' restarts WMSvc and RemoteAccess after a change, "
	  "in window 22:00-02:00 (local time)\n" },
	{ "three services, default window", AT("a")
	  "    restart_services: [x, y, z]\n",
	  "{restart_window: '02:00-04:00'}",
	  "note: binding 'a' restarts x, y and z after a change, in window "
	  "02:00-04:00 (local time)\n" },
	{ "own window over the default", AT("a")
	  "    restart_services: [x]\n    restart_window: '03:30-04:00'\n",
	  "{restart_window: '02:00-04:00'}",
	  "note: binding 'a' restarts x after a change, in window 03:30-04:00 "
	  "(local time)\n" },
	{ "key access, accounts", AT("a")
	  "    key_access: ['NT AUTHORITY\\NETWORK SERVICE', S-1-5-20]\n", NULL,
	  "note: binding 'a' gives read access to the private key of each new "
	  "certificate to NT AUTHORITY\\NETWORK SERVICE and S-1-5-20\n" },
	{ "key access, inherit", AT("a") "    key_access: inherit\n", NULL,
	  "note: binding 'a' gives read access to the private key of each new "
	  "certificate to the accounts allowed on the key it held before\n" },
	{ "key access, accounts and inherit", AT("a")
	  "    key_access: [x, inherit, y]\n", NULL,
	  "note: binding 'a' gives read access to the private key of each new "
	  "certificate to x and y and the accounts allowed on the key it held "
	  "before\n" },
	{ "several bindings, in order", AT("a")
	  "    key_access: [x]\n    restart_services: [s]\n" AT("b") AT("c")
	  "    restart_services: [t]\n", NULL,
	  "note: binding 'a' restarts s after a change, at any time\n"
	  "note: binding 'a' gives read access to the private key of each new "
	  "certificate to x\n"
	  "note: binding 'c' restarts t after a change, at any time\n" },
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
	char yaml[1024];
	struct policy p;
	char *notes;

	snprintf(yaml, sizeof(yaml), "version: 1\n%s%s%sbindings:\n%s",
	    r->defaults ? "defaults: " : "", r->defaults ? r->defaults : "",
	    r->defaults ? "\n" : "", r->bindings);
	load_policy(yaml, &p);
	notes = change_notes(&p);
	assert_non_null(notes);
	assert_string_equal(notes, r->want);
	free(notes);
	policy_free(&p);
}

/*
 * A SQL Server binding restarts its instance's service with no
 * restart_services; the loader for target: is not part of this file, so
 * the binding is made one here.
 */
static void
test_sqlserver(void **state)
{
	struct policy p;
	char *notes;

	(void)state;
	load_policy("version: 1\ndefaults: {restart_window: '01:00-02:00'}\n"
	    "bindings:\n" AT("a") AT("b") "    restart_services: [agent]\n", &p);
	p.bindings[0].target = TARGET_SQLSERVER;
	p.bindings[1].target = TARGET_SQLSERVER;
	p.bindings[1].instance = "SQLEXPRESS";
	notes = change_notes(&p);
	assert_non_null(notes);
	assert_string_equal(notes,
	    "note: binding 'a' restarts the service of SQL Server instance "
	    "MSSQLSERVER after a change, in window 01:00-02:00 (local time)\n"
	    "note: binding 'b' restarts the service of SQL Server instance "
	    "SQLEXPRESS and agent after a change, in window 01:00-02:00 (local "
	    "time)\n");
	free(notes);
	p.bindings[1].instance = NULL;
	policy_free(&p);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_sqlserver),
	};
	int failed;

	failed = run_rows("change notes", test_row, (void *)rows,
	    sizeof(rows[0]), NROWS(rows), row_name);
	failed += cmocka_run_group_tests_name("change notes, sqlserver", fixed,
	    NULL, NULL);
	return failed ? 1 : 0;
}
