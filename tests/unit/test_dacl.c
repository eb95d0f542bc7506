/*
 * test_dacl.c - the key_access merge (core/dacl.c): a private key's
 * descriptor in SDDL, the SIDs to be given read, and the descriptor of
 * the key held before, merged; and descriptors that must be refused.
 * The key descriptors are shaped as Windows writes them for machine
 * keys: the CNG provider's "D:P(A;;...;;;SY)(A;;...;;;BA)" and the
 * certificate snap-in's hex masks.
 */
#include "unit.h"

#include "dacl.h"

#define NS "S-1-5-20"
#define SQL "S-1-5-80-3880718306-3832830129-1677859214-2598158968-1052248003"
#define USER "S-1-5-21-1004336348-1177238915-682003330-1001"
#define LOGON "S-1-5-5-0-123456"
#define READ ";;0x80120089;;;"
#define CNG "O:SYG:SYD:P(A;;0xd01f01ff;;;SY)(A;;0xd01f01ff;;;BA)"

struct row {
	const char *name;
	const char *key;
	const char *sids[4];
	const char *prev;          /* NULL: none */
	bool inherit;
	int want;                  /* 0, or -1 refused */
	const char *want_out;      /* for 0: the merged descriptor */
	const char *want_err;      /* for -1: a part of the message */
};

static const struct row rows[] = {
	/* Adding read. */
	{ "NETWORK SERVICE added to a CNG key", CNG, { NS }, NULL, false, 0,
	  CNG "(A" READ NS ")" },
	{ "two accounts, in the order given", CNG, { NS, SQL }, NULL, false,
	  0, CNG "(A" READ NS ")(A" READ SQL ")" },
	{ "the same SID twice is added once", CNG, { NS, NS }, NULL, false, 0,
	  CNG "(A" READ NS ")" },
	{ "no SIDs, no inherit: unchanged", CNG, { NULL }, NULL, false, 0,
	  CNG },
	{ "already read by alias NS: unchanged",
	  "D:PAI(A;;0xd01f01ff;;;SY)(A;;0x80120089;;;NS)", { NS }, NULL, false,
	  0, "D:PAI(A;;0xd01f01ff;;;SY)(A;;0x80120089;;;NS)" },
	{ "already GR by SID: unchanged", "D:(A;;GR;;;" NS ")", { NS }, NULL,
	  false, 0, "D:(A;;GR;;;" NS ")" },
	{ "already GA: unchanged", "D:(A;;GA;;;" USER ")", { USER }, NULL,
	  false, 0, "D:(A;;GA;;;" USER ")" },
	{ "already FR letters: unchanged", "D:(A;;FR;;;" USER ")", { USER },
	  NULL, false, 0, "D:(A;;FR;;;" USER ")" },
	{ "full control hex covers read", CNG, { "S-1-5-18" }, NULL, false, 0,
	  CNG },
	{ "SID compared without case", "D:(A;;GR;;;s-1-5-20)", { NS }, NULL,
	  false, 0, "D:(A;;GR;;;s-1-5-20)" },
	{ "read data alone is not read", "D:(A;;0x1;;;" NS ")", { NS }, NULL,
	  false, 0, "D:(A;;0x1;;;" NS ")(A" READ NS ")" },
	{ "an inherit-only allow does not count",
	  "D:(A;OICIIO;GA;;;" NS ")", { NS }, NULL, false, 0,
	  "D:(A;OICIIO;GA;;;" NS ")(A" READ NS ")" },
	{ "an object allow does not count",
	  "D:(OA;;GR;;;" NS ")", { NS }, NULL, false, 0,
	  "D:(OA;;GR;;;" NS ")(A" READ NS ")" },
	{ "a callback allow does not count",
	  "D:(XA;;GR;;;" NS ";(Member_of {SID(BA)}))", { NS }, NULL, false,
	  0, "D:(XA;;GR;;;" NS ";(Member_of {SID(BA)}))(A" READ NS ")" },
	{ "new entries go before inherited ones",
	  "D:AI(A;;FA;;;SY)(A;ID;FA;;;BA)(A;ID;FR;;;BU)", { NS }, NULL, false,
	  0, "D:AI(A;;FA;;;SY)(A" READ NS ")(A;ID;FA;;;BA)(A;ID;FR;;;BU)" },
	{ "owner, group and SACL kept as written",
	  "O:BAG:SYD:P(A;;FA;;;SY)S:AI(AU;SAFA;FA;;;WD)", { NS }, NULL, false,
	  0, "O:BAG:SYD:P(A;;FA;;;SY)(A" READ NS ")S:AI(AU;SAFA;FA;;;WD)" },
	{ "DACL before the owner", "D:P(A;;FA;;;SY)O:SY", { NS }, NULL, false,
	  0, "D:P(A;;FA;;;SY)(A" READ NS ")O:SY" },
	{ "an empty DACL gets the entry", "D:P", { NS }, NULL, false, 0,
	  "D:P(A" READ NS ")" },
	{ "an empty DACL without flags", "D:", { NS }, NULL, false, 0,
	  "D:(A" READ NS ")" },
	{ "a NULL DACL lets everyone read: unchanged", "D:NO_ACCESS_CONTROL",
	  { NS }, NULL, false, 0, "D:NO_ACCESS_CONTROL" },
	{ "a deny for another SID does not matter",
	  "D:(D;;GA;;;" USER ")(A;;FA;;;SY)", { NS }, NULL, false, 0,
	  "D:(D;;GA;;;" USER ")(A;;FA;;;SY)(A" READ NS ")" },
	{ "a deny of writing only does not matter",
	  "D:(D;;FW;;;" NS ")(A;;FA;;;SY)", { NS }, NULL, false, 0,
	  "D:(D;;FW;;;" NS ")(A;;FA;;;SY)(A" READ NS ")" },
	{ "a domain alias ACE is kept", "D:(A;;FA;;;DA)(A;;FA;;;SY)", { NS },
	  NULL, false, 0, "D:(A;;FA;;;DA)(A;;FA;;;SY)(A" READ NS ")" },
	{ "prev given but not inherit: not copied", CNG, { NS },
	  "D:(A;;GR;;;" USER ")", false, 0, CNG "(A" READ NS ")" },

	/* inherit */
	{ "inherit copies an explicit allow", CNG, { NULL },
	  "D:P(A;;0xd01f01ff;;;SY)(A;;0x80120089;;;" SQL ")", true, 0,
	  CNG "(A;;0x80120089;;;" SQL ")" },
	{ "inherit leaves out logon sessions", CNG, { NULL },
	  "D:P(A;;GR;;;" LOGON ")(A;;GR;;;" USER ")", true, 0,
	  CNG "(A;;GR;;;" USER ")" },
	{ "inherit: logon session in lower case left out too", CNG, { NULL },
	  "D:(A;;GR;;;s-1-5-5-0-99)", true, 0, CNG },
	{ "inherit leaves out inherited entries", CNG, { NULL },
	  "D:AI(A;ID;GR;;;" USER ")(A;;GR;;;" NS ")", true, 0,
	  CNG "(A;;GR;;;" NS ")" },
	{ "inherit leaves out inherit-only entries", CNG, { NULL },
	  "D:(A;OICIIO;GR;;;" USER ")", true, 0, CNG },
	{ "inherit leaves out denies", CNG, { NULL },
	  "D:(D;;GA;;;" USER ")", true, 0, CNG },
	{ "inherit leaves out object and callback allows", CNG, { NULL },
	  "D:(OA;;GR;;;" USER ")(XA;;GR;;;" NS ";(Member_of {SID(BA)}))",
	  true, 0, CNG },
	{ "inherit skips what the key already allows", CNG, { NULL },
	  "D:P(A;;0xd01f01ff;;;SY)(A;;0xd01f01ff;;;BA)", true, 0, CNG },
	{ "inherit copies more rights than the key gives",
	  "D:(A;;GR;;;" USER ")", { NULL }, "D:(A;;GA;;;" USER ")", true, 0,
	  "D:(A;;GR;;;" USER ")(A;;GA;;;" USER ")" },
	{ "inherit and a SID: the SID once", CNG, { NS },
	  "D:(A;;0x80120089;;;NS)", true, 0, CNG "(A" READ NS ")" },
	{ "inherit with no previous key", CNG, { NS }, NULL, true, 0,
	  CNG "(A" READ NS ")" },
	{ "inherit from a NULL DACL copies nothing", CNG, { NULL },
	  "D:NO_ACCESS_CONTROL", true, 0, CNG },
	{ "inherit keeps an alias as written", CNG, { NULL },
	  "D:(A;;GR;;;LA)", true, 0, CNG "(A;;GR;;;LA)" },

	/* Refused: what a deny would defeat. */
	{ "a deny of read for the SID is refused",
	  "D:(D;;GR;;;" NS ")(A;;FA;;;SY)", { NS }, NULL, false, -1, NULL,
	  "denies read to " NS },
	{ "a deny of read for Everyone is refused",
	  "D:(D;;0x1;;;WD)(A;;FA;;;SY)", { NS }, NULL, false, -1, NULL,
	  "denies read" },

	/* Refused: SIDs that are not. */
	{ "an account name is not a SID", CNG, { "NETWORK SERVICE" }, NULL,
	  false, -1, NULL, "not a SID" },
	{ "an alias is not a SID here", CNG, { "NS" }, NULL, false, -1, NULL,
	  "not a SID" },
	{ "an empty SID", CNG, { "" }, NULL, false, -1, NULL, "not a SID" },
	{ "a SID with a parenthesis", CNG, { "S-1-5-20)(A;;GA;;;WD" }, NULL,
	  false, -1, NULL, "not a SID" },

	/* Refused: hostile or broken descriptors. */
	{ "no DACL part", "O:SYG:SY", { NS }, NULL, false, -1, NULL,
	  "no DACL" },
	{ "empty descriptor", "", { NS }, NULL, false, -1, NULL, "no DACL" },
	{ "two DACLs", "D:(A;;FA;;;SY)D:(A;;GA;;;WD)", { NS }, NULL, false, -1,
	  NULL, "two DACLs" },
	{ "unclosed ACE", "D:(A;;FA;;;SY", { NS }, NULL, false, -1, NULL,
	  "unclosed" },
	{ "a stray ')'", "D:(A;;FA;;;SY))", { NS }, NULL, false, -1, NULL,
	  "unexpected text" },
	{ "text between ACEs", "D:(A;;FA;;;SY)x(A;;FA;;;BA)", { NS }, NULL,
	  false, -1, NULL, "unexpected text" },
	{ "unknown DACL flag", "D:PQ(A;;FA;;;SY)", { NS }, NULL, false, -1,
	  NULL, "unknown DACL flag" },
	{ "unknown part", "X:foo", { NS }, NULL, false, -1, NULL,
	  "expected O:, G:, D: or S:" },
	{ "lower-case part letter", "d:(A;;FA;;;SY)", { NS }, NULL, false, -1,
	  NULL, "expected O:" },
	{ "unknown right code", "D:(A;;ZZ;;;SY)", { NS }, NULL, false, -1,
	  NULL, "cannot read the ACE" },
	{ "rights over 32 bits", "D:(A;;0x1FFFFFFFF;;;SY)", { NS }, NULL,
	  false, -1, NULL, "cannot read the ACE" },
	{ "negative rights", "D:(A;;-1;;;SY)", { NS }, NULL, false, -1, NULL,
	  "cannot read the ACE" },
	{ "rights with trailing junk", "D:(A;;0x1g;;;SY)", { NS }, NULL, false,
	  -1, NULL, "cannot read the ACE" },
	{ "unknown ACE flag", "D:(A;QQ;FA;;;SY)", { NS }, NULL, false, -1,
	  NULL, "cannot read the ACE" },
	{ "too few fields", "D:(A;;FA;;SY)", { NS }, NULL, false, -1, NULL,
	  "cannot read the ACE" },
	{ "an empty ACE", "D:()", { NS }, NULL, false, -1, NULL,
	  "cannot read the ACE" },
	{ "an allow with a seventh field", "D:(A;;FA;;;SY;junk)", { NS }, NULL,
	  false, -1, NULL, "cannot read the ACE" },
	{ "a SID that is not one", "D:(A;;FA;;;S-1-5-zz)", { NS }, NULL, false,
	  -1, NULL, "cannot read the ACE" },
	{ "a lower-case alias", "D:(A;;FA;;;sy)", { NS }, NULL, false, -1,
	  NULL, "cannot read the ACE" },
	{ "an over-long SID", "D:(A;;FA;;;S-1-5-21-"
	  "1111111111-1111111111-1111111111-1111111111-1111111111-1111111111-"
	  "1111111111-1111111111-1111111111-1111111111-1111111111-1111111111-"
	  "1111111111-1111111111-1111111111-1111111111-1111111111)", { NS },
	  NULL, false, -1, NULL, "cannot read the ACE" },
	{ "a type that is too long", "D:(AAAA;;FA;;;SY)", { NS }, NULL, false,
	  -1, NULL, "cannot read the ACE" },
	{ "NO_ACCESS_CONTROL with ACEs", "D:NO_ACCESS_CONTROL(A;;FA;;;SY)",
	  { NS }, NULL, false, -1, NULL, "NO_ACCESS_CONTROL with ACEs" },
	{ "an unclosed condition", "D:(XA;;FA;;;WD;(Title == \")\")",
	  { NS }, NULL, false, -1, NULL, "unclosed" },
	{ "a broken previous descriptor is refused", CNG, { NS },
	  "D:(A;;GR;;;", true, -1, NULL, "previous key's descriptor" },
	{ "a previous descriptor without a DACL is refused", CNG, { NS },
	  "O:SY", true, -1, NULL, "previous key's descriptor: no DACL" },
};

static const char *
row_name(const void *row)
{
	return ((const struct row *)row)->name;
}

static size_t
count_sids(const struct row *r)
{
	size_t n = 0;

	while (n < 4 && r->sids[n] != NULL)
		n++;
	return n;
}

static void
test_row(void **state)
{
	const struct row *r = *state;
	struct cb_error err;
	char *out = (char *)"unset";
	bool changed = true;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = dacl_merge(r->key, r->sids, count_sids(r), r->prev, r->inherit,
	    &out, &changed, &err);
	if (rc != r->want)
		fail_msg("dacl_merge: %d, want %d (%s)", rc, r->want, err.msg);
	if (rc != 0) {
		assert_null(out);
		assert_false(changed);
		if (strstr(err.msg, r->want_err) == NULL)
			fail_msg("error '%s' lacks '%s'", err.msg, r->want_err);
		return;
	}
	assert_string_equal(out, r->want_out);
	assert_int_equal(changed, strcmp(r->key, r->want_out) != 0);
	free(out);
}

/* A merged descriptor merges again to itself: a second grant is a no-op. */
static void
test_idempotent(void **state)
{
	const struct row *r = *state;
	struct cb_error err;
	char *once, *twice;
	bool changed;

	if (r->want != 0)
		return;
	assert_int_equal(dacl_merge(r->key, r->sids, count_sids(r), r->prev,
	    r->inherit, &once, &changed, &err), 0);
	assert_int_equal(dacl_merge(once, r->sids, count_sids(r), r->prev,
	    r->inherit, &twice, &changed, &err), 0);
	assert_string_equal(twice, once);
	assert_false(changed);
	free(once);
	free(twice);
}

/* A DACL of more ACEs than an ACL can hold is refused, not truncated. */
static void
test_too_many(void **state)
{
	const char *ace = "(A;;FA;;;SY)";
	size_t n = 4097, len = strlen(ace), i;
	char *sddl = malloc(2 + n * len + 1), *out;
	const char *sids[] = { NS };
	struct cb_error err;
	bool changed;

	(void)state;
	assert_non_null(sddl);
	memcpy(sddl, "D:", 2);
	for (i = 0; i < n; i++)
		memcpy(sddl + 2 + i * len, ace, len);
	sddl[2 + n * len] = '\0';
	assert_int_equal(dacl_merge(sddl, sids, 1, NULL, false, &out, &changed,
	    &err), -1);
	assert_non_null(strstr(err.msg, "more than 4096 ACEs"));
	/* One fewer is read, and the entry added after the last. */
	sddl[2 + (n - 1) * len] = '\0';
	assert_int_equal(dacl_merge(sddl, sids, 1, NULL, false, &out, &changed,
	    &err), 0);
	assert_true(changed);
	assert_string_equal(out + strlen(out) - strlen("(A" READ NS ")"),
	    "(A" READ NS ")");
	free(out);
	free(sddl);
}

/* NULL for the key's descriptor is an error, not a crash. */
static void
test_null_key(void **state)
{
	const char *sids[] = { NS };
	struct cb_error err;
	char *out;
	bool changed;

	(void)state;
	assert_int_equal(dacl_merge(NULL, sids, 1, NULL, false, &out, &changed,
	    &err), -1);
	assert_null(out);
}

/*
 * A key the binding already holds: is a grant due?  The reconcile writes
 * only when the merge would change the descriptor.
 */
struct due_row {
	const char *name;
	const char *key;
	const char *sids[3];
	int want;                  /* 0, or -1 refused */
	bool want_due;
};

static const struct due_row due_rows[] = {
	{ "the account lacks read: due", CNG, { NS }, 0, true },
	{ "the account already reads: nothing to do", CNG "(A" READ NS ")",
	  { NS }, 0, false },
	{ "read by alias: nothing to do", "D:(A;;GR;;;NS)", { NS }, 0, false },
	{ "one of two lacks read: due", CNG "(A" READ NS ")", { NS, SQL }, 0,
	  true },
	{ "both read: nothing to do", CNG "(A" READ NS ")(A;;GA;;;" SQL ")",
	  { NS, SQL }, 0, false },
	{ "no accounts: nothing to do", CNG, { NULL }, 0, false },
	{ "read data alone: due", "D:(A;;0x1;;;" NS ")", { NS }, 0, true },
	{ "a NULL DACL: nothing to do", "D:NO_ACCESS_CONTROL", { NS }, 0,
	  false },
	{ "an inherited read counts", "D:AI(A;ID;GR;;;" NS ")", { NS }, 0,
	  false },
	{ "a deny of read: refused, not due", "D:(D;;GR;;;" NS ")", { NS },
	  -1, false },
	{ "a descriptor that cannot be read: refused", "D:(A;;GR;;", { NS },
	  -1, false },
};

static const char *
due_name(const void *row)
{
	return ((const struct due_row *)row)->name;
}

static void
test_due(void **state)
{
	const struct due_row *r = *state;
	struct cb_error err;
	size_t n = 0;
	bool due = !r->want_due;

	while (n < NROWS(r->sids) && r->sids[n] != NULL)
		n++;
	assert_int_equal(dacl_grant_due(r->key, r->sids, n, &due, &err),
	    r->want);
	if (r->want == 0)
		assert_int_equal(due, r->want_due);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_null_key),
	};
	int failed = run_rows("key DACL merge", test_row, (void *)rows,
	    sizeof(rows[0]), NROWS(rows), row_name);

	failed |= run_rows("merging twice", test_idempotent, (void *)rows,
	    sizeof(rows[0]), NROWS(rows), row_name);
	failed |= run_rows("grant due on a held key", test_due,
	    (void *)due_rows, sizeof(due_rows[0]), NROWS(due_rows), due_name);
	failed |= cmocka_run_group_tests(tests, NULL, NULL);
	return failed ? 1 : 0;
}
