/*
 * test_flags.c - the notes `certbind check` prints for record flags that
 * older Windows lacks (core/flags.c).
 */
#include "unit.h"

#include "flags.h"

/* One note per flag turned on, naming every binding that uses it. */
static void
test_notes(void **state)
{
	struct policy p;
	char *notes;

	(void)state;
	load_policy("version: 1\nbindings:\n"
	    "  - name: api\n    endpoint: 0.0.0.0:443\n"
	    "    match: {dns: api.example.test}\n"
	    "    options: {disable_legacy_tls: true, disable_http2: true}\n"
	    "  - name: www\n    endpoint: www.example.test:443\n"
	    "    options: {disable_legacy_tls: true, disable_quic: false,"
	    " client_cert_negotiation: true}\n", &p);
	notes = flag_notes(&p);
	assert_non_null(notes);
	assert_string_equal(notes,
	    "note: disable_http2 (used by api) needs newer Windows builds "
	    "(Microsoft does not say which); older Windows rejects the record\n"
	    "note: disable_legacy_tls (used by api, www) needs Windows Server "
	    "2019 / Windows 10 1809 (build 17763) with KB4490481, or later; "
	    "older Windows rejects the record\n");
	free(notes);
	policy_free(&p);
}

/* Flags every Windows knows, or flags turned off, need no note. */
static void
test_no_notes(void **state)
{
	struct policy p;
	char *notes;

	(void)state;
	load_policy("version: 1\nbindings:\n"
	    "  - name: api\n    endpoint: 0.0.0.0:443\n"
	    "    match: {dns: api.example.test}\n"
	    "    options: {client_cert_negotiation: true, ds_mapper_usage: true,"
	    " disable_quic: false, disable_tls13: false}\n", &p);
	notes = flag_notes(&p);
	assert_non_null(notes);
	assert_string_equal(notes, "");
	free(notes);
	policy_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_no_notes),
	};

	return cmocka_run_group_tests_name("flags", tests, NULL, NULL);
}
