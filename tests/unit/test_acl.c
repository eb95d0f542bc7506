/*
 * test_acl.c - who may change the policy (core/acl.c): a security
 * descriptor in SDDL, judged for the policy file or its folder.  The
 * descriptors are as Windows writes them for real files and folders.
 */
#include "unit.h"

#include "acl.h"

#define USER "S-1-5-21-1004336348-1177238915-682003330-1001"
#define ADMIN_USER "S-1-5-21-1004336348-1177238915-682003330-500"

struct row {
	const char *name;
	const char *sddl;
	bool folder;
	int want;                  /* 0 secure, 1 someone else, -1 unreadable */
	const char *want_sid;      /* for 1 */
	const char *want_rights;   /* for 1: acl_rights_text */
};

static const struct row rows[] = {
	{ "install's folder ACL", "O:BAG:SYD:PAI(A;OICI;FA;;;SY)"
	  "(A;OICI;FA;;;BA)(A;OICI;FRFX;;;BU)", true, 0 },
	{ "file inheriting it", "O:BAG:SYD:AI(A;ID;FA;;;SY)(A;ID;FA;;;BA)"
	  "(A;ID;0x1200a9;;;BU)", false, 0 },
	{ "TrustedInstaller may write", "O:S-1-5-80-956008885-3418522649-"
	  "1831038044-1853292631-2271478464D:(A;;FA;;;TI)(A;;FA;;;SY)", false,
	  0 },
	{ "Users with WRITE_DAC (WD) on a folder", "O:SYG:SYD:P(A;OICI;FA;;;SY)"
	  "(A;OICI;FA;;;BA)(A;OICIIO;GA;;;CO)(A;OICI;0x1200a9;;;BU)"
	  "(A;CI;WD;;;BU)", true, 1, "S-1-5-32-545", "WRITE_DAC" },
	{ "ProgramData: Users may create files", "O:SYG:SYD:P(A;OICI;FA;;;SY)"
	  "(A;OICI;FA;;;BA)(A;OICIIO;GA;;;CO)(A;OICI;0x1200a9;;;BU)"
	  "(A;CI;DCLCRPCR;;;BU)", true, 1, "S-1-5-32-545",
	  "FILE_ADD_FILE|FILE_ADD_SUBDIRECTORY" },
	{ "a conditional allow for Everyone counts as an allow",
	  "O:BAD:(XA;;FA;;;WD;(Member_of {SID(BA)}))(A;;FA;;;SY)", false, 1,
	  "S-1-1-0", "FILE_WRITE_DATA|FILE_APPEND_DATA|DELETE|WRITE_DAC|"
	  "WRITE_OWNER" },
	{ "a conditional allow for Administrators is no finding",
	  "O:BAD:(XA;;FA;;;BA;(Member_of {SID(BA)}))(A;;FR;;;BU)", false, 0 },
	{ "a conditional deny is ignored, the allow after it counts",
	  "O:BAD:(XD;;FA;;;WD;(Member_of {SID(BU)}))(A;;FA;;;BU)", false, 1,
	  "S-1-5-32-545", "FILE_WRITE_DATA|FILE_APPEND_DATA|DELETE|WRITE_DAC|"
	  "WRITE_OWNER" },
	{ "a conditional deny alone grants nothing",
	  "O:BAD:(XD;;FA;;;WD;(Member_of {SID(BU)}))(A;;FA;;;SY)", false, 0 },
	{ "a ')' in a condition's string does not end the ACE",
	  "O:BAD:(XA;;FR;;;WD;(Title == \")(\"))(A;;FW;;;BU)", false, 1,
	  "S-1-5-32-545", "FILE_WRITE_DATA|FILE_APPEND_DATA" },
	{ "a deny for Everyone does not cover Anonymous Logon",
	  "O:BAD:(D;;FA;;;WD)(A;;FA;;;AN)", false, 1, "S-1-5-7",
	  "FILE_WRITE_DATA|FILE_APPEND_DATA|DELETE|WRITE_DAC|WRITE_OWNER" },
	{ "a deny for Everyone still covers Users",
	  "O:BAD:(D;;FA;;;WD)(A;;FA;;;BU)", false, 0 },
	{ "Users' 0x2 on a folder is FILE_ADD_FILE", "O:BAD:(A;;0x2;;;BU)",
	  true, 1, "S-1-5-32-545", "FILE_ADD_FILE" },
	{ "ProgramData subfolder: Users' inherited add-file",
	  "O:BAG:SYD:AI(A;ID;FA;;;SY)(A;ID;FA;;;BA)(A;OICIIOID;GA;;;CO)"
	  "(A;OICIID;0x1200a9;;;BU)(A;CIID;DCLCRPCR;;;BU)", true, 1,
	  "S-1-5-32-545", "FILE_ADD_FILE|FILE_ADD_SUBDIRECTORY" },
	{ "inherit-only ACEs do not apply to the object",
	  "O:BAD:(A;OICIIO;FA;;;BU)(A;;FA;;;SY)", true, 0 },
	{ "Everyone modify", "O:BAD:(A;;0x1301bf;;;WD)", false, 1, "S-1-1-0",
	  "FILE_WRITE_DATA|FILE_APPEND_DATA|DELETE" },
	{ "Authenticated Users: generic write", "O:BAD:(A;;GW;;;AU)", false, 1,
	  "S-1-5-11", "FILE_WRITE_DATA|FILE_APPEND_DATA" },
	{ "Users: generic all", "O:BAD:(A;;GA;;;BU)", false, 1, "S-1-5-32-545",
	  "FILE_WRITE_DATA|FILE_APPEND_DATA|DELETE|WRITE_DAC|WRITE_OWNER" },
	{ "Users: FW letters", "O:BAD:(A;;FW;;;BU)", false, 1, "S-1-5-32-545",
	  "FILE_WRITE_DATA|FILE_APPEND_DATA" },
	{ "Users: read and execute only", "O:BAD:(A;;FRFX;;;BU)(A;;GR;;;WD)",
	  false, 0 },
	{ "a user: DELETE alone is enough", "O:BAD:(A;;SD;;;" USER ")", false,
	  1, USER, "DELETE" },
	{ "a user: WRITE_OWNER", "O:BAD:(A;;WO;;;" USER ")", false, 1, USER,
	  "WRITE_OWNER" },
	{ "a user: delete child on the folder", "O:BAD:(A;;0x40;;;" USER ")",
	  true, 1, USER, "FILE_DELETE_CHILD" },
	{ "delete child does not matter on the file",
	  "O:BAD:(A;;0x40;;;" USER ")", false, 0 },
	{ "a user owns the file", "O:" USER "D:(A;;FA;;;SY)", false, 1, USER,
	  "WRITE_DAC" },
	{ "an administrator owns the file", "O:" ADMIN_USER "D:(A;;FA;;;"
	  ADMIN_USER ")(A;;FA;;;SY)", false, 0 },
	{ "OWNER RIGHTS of a user owner", "O:" USER "D:(A;;FA;;;OW)", false, 1,
	  USER, "WRITE_DAC" },
	{ "deny first takes the right away", "O:BAD:(D;;FW;;;BU)(A;;FA;;;BU)",
	  false, 1, "S-1-5-32-545", "DELETE|WRITE_DAC|WRITE_OWNER" },
	{ "deny for Everyone takes it from all", "O:BAD:(D;;0xd0116;;;WD)"
	  "(A;;FA;;;BU)", false, 0 },
	{ "deny after the allow is too late", "O:BAD:(A;;FW;;;BU)"
	  "(D;;FW;;;BU)", false, 1, "S-1-5-32-545",
	  "FILE_WRITE_DATA|FILE_APPEND_DATA" },
	{ "deny for another SID does not count", "O:BAD:(D;;FA;;;AU)"
	  "(A;;FW;;;BU)", false, 1, "S-1-5-32-545",
	  "FILE_WRITE_DATA|FILE_APPEND_DATA" },
	{ "an object ACE grants too", "O:BAD:(OA;;FA;;;BU)", false, 1,
	  "S-1-5-32-545",
	  "FILE_WRITE_DATA|FILE_APPEND_DATA|DELETE|WRITE_DAC|WRITE_OWNER" },
	{ "audit ACEs in the SACL are skipped", "O:BAD:(A;;FA;;;SY)"
	  "S:(AU;SAFA;FA;;;WD)", false, 0 },
	{ "a NULL DACL lets everyone in", "O:BAD:NO_ACCESS_CONTROL", false, 1,
	  "S-1-1-0", "FILE_WRITE_DATA|FILE_APPEND_DATA|DELETE|WRITE_DAC|"
	  "WRITE_OWNER" },
	{ "no DACL at all lets everyone in", "O:BAG:SY", false, 1, "S-1-1-0",
	  "FILE_WRITE_DATA|FILE_APPEND_DATA|DELETE|WRITE_DAC|WRITE_OWNER" },
	{ "decimal rights", "O:BAD:(A;;2;;;BU)", false, 1, "S-1-5-32-545",
	  "FILE_WRITE_DATA" },
	{ "an unknown right letter", "O:BAD:(A;;ZZ;;;BU)", false, -1 },
	{ "an administrator account by SID", "O:BAD:(A;;FA;;;" ADMIN_USER ")",
	  false, 0 },
	{ "Domain Admins by alias, an administrator here", "O:DAD:(A;;FA;;;DA)",
	  false, 0 },
	{ "Domain Users by alias", "O:BAD:(A;;FA;;;DU)", false, 1, "DU",
	  "FILE_WRITE_DATA|FILE_APPEND_DATA|DELETE|WRITE_DAC|WRITE_OWNER" },
	{ "not an alias", "O:BAD:(A;;FA;;;xx)", false, -1 },
	{ "an unclosed ACE", "O:BAD:(A;;FA;;;BU", false, -1 },
	{ "garbage", "hello", false, -1 },
	{ "a SID too long", "O:BAD:(A;;FA;;;S-1-5-21-"
	  "1111111111-1111111111-1111111111-1111111111-1111111111-1111111111-"
	  "1111111111-1111111111-1111111111-1111111111-1111111111-1111111111-"
	  "1111111111-1111111111-1111111111-1111111111-1111111111-1111111111)",
	  false, -1 },
};

static const char *
row_name(const void *row)
{
	return ((const struct row *)row)->name;
}

/* The test's idea of who is an administrator besides the built-ins. */
static bool
is_admin(const char *sid, void *arg)
{
	(void)arg;
	return strcmp(sid, ADMIN_USER) == 0 || strcmp(sid, "DA") == 0;
}

static void
test_row(void **state)
{
	const struct row *r = *state;
	struct acl_finding f;
	char why[256] = "", rights[256];
	int rc = acl_judge(r->sddl, r->folder, is_admin, NULL, &f, why,
	    sizeof(why));

	if (rc != r->want)
		fail_msg("acl_judge: %d, want %d (%s; %s)", rc, r->want, f.sid,
		    why);
	if (rc == -1)
		assert_true(why[0] != '\0');
	if (rc != 1)
		return;
	assert_string_equal(f.sid, r->want_sid);
	assert_string_equal(acl_rights_text(f.rights, r->folder, rights,
	    sizeof(rights)), r->want_rights);
}

/* Who may own the writer lock (acl_lock_owner_ok). */
struct owner_row {
	const char *name;
	const char *owner, *self;
	bool want;
};

static const struct owner_row owner_rows[] = {
	{ "lock owned by SYSTEM", SID_SYSTEM, USER, true },
	{ "lock owned by Administrators", SID_ADMINISTRATORS, USER, true },
	{ "lock owned by the account certbind runs as", USER, USER, true },
	{ "lock owned by Users", "S-1-5-32-545", USER, false },
	{ "lock owned by Everyone", "S-1-1-0", SID_SYSTEM, false },
	{ "lock owned by another user", ADMIN_USER, USER, false },
	{ "lock owned by TrustedInstaller", SID_TRUSTED_INSTALLER, USER,
	  false },
	{ "lock owner a prefix of self", "S-1-5-21-1004336348", USER, false },
	{ "lock owner unknown", "", USER, false },
	{ "lock owner unknown, self unknown", "", NULL, false },
	{ "lock owned by a user, self unknown", USER, NULL, false },
};

static const char *
owner_row_name(const void *row)
{
	return ((const struct owner_row *)row)->name;
}

static void
test_owner_row(void **state)
{
	const struct owner_row *r = *state;

	assert_int_equal(acl_lock_owner_ok(r->owner, r->self), r->want);
}

int
main(void)
{
	int failed = run_rows("policy ACL", test_row, (void *)rows,
	    sizeof(rows[0]), NROWS(rows), row_name);

	failed |= run_rows("writer lock owner", test_owner_row,
	    (void *)owner_rows, sizeof(owner_rows[0]), NROWS(owner_rows),
	    owner_row_name);
	return failed ? 1 : 0;
}
