/*
 * test_account.c - an account lookup's error sorted into "no such
 * account" (the policy is invalid) and "no answer now" (a warning; the
 * account is looked up again when its binding must move) (core/account.c).
 */
#include "unit.h"

#include "account.h"

struct row {
	const char *name;
	uint32_t error;
	enum account_outcome want;
	bool fails_load;
};

static const struct row rows[] = {
	{ "resolved", 0, ACCOUNT_FOUND, false },
	{ "ERROR_NONE_MAPPED: no such account", 1332, ACCOUNT_UNKNOWN, true },
	{ "ERROR_INVALID_SID: not a SID", 1337, ACCOUNT_UNKNOWN, true },
	{ "ERROR_INVALID_NAME: not a name", 123, ACCOUNT_UNKNOWN, true },
	{ "ERROR_TRUSTED_RELATIONSHIP_FAILURE", 1789, ACCOUNT_UNREACHABLE,
	  false },
	{ "ERROR_TRUSTED_DOMAIN_FAILURE", 1788, ACCOUNT_UNREACHABLE, false },
	{ "ERROR_NO_SUCH_DOMAIN: or could not be contacted", 1355,
	  ACCOUNT_UNREACHABLE, false },
	{ "ERROR_NO_LOGON_SERVERS", 1311, ACCOUNT_UNREACHABLE, false },
	{ "ERROR_DOMAIN_CONTROLLER_NOT_FOUND", 1908, ACCOUNT_UNREACHABLE,
	  false },
	{ "RPC_S_SERVER_UNAVAILABLE", 1722, ACCOUNT_UNREACHABLE, false },
	{ "RPC_S_CALL_FAILED", 1726, ACCOUNT_UNREACHABLE, false },
	{ "ERROR_TIMEOUT", 1460, ACCOUNT_UNREACHABLE, false },
	{ "ERROR_NOT_ENOUGH_MEMORY", 8, ACCOUNT_UNREACHABLE, false },
	{ "ERROR_ACCESS_DENIED: cannot tell", 5, ACCOUNT_UNREACHABLE, false },
	{ "an HRESULT", 0x80090029u, ACCOUNT_UNREACHABLE, false },
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
	enum account_outcome o = account_outcome(r->error);

	assert_int_equal(o, r->want);
	assert_int_equal(account_fails_load(o), r->fails_load);
}

int
main(void)
{
	return run_rows("account lookup outcome", test_row, (void *)rows,
	    sizeof(rows[0]), NROWS(rows), row_name) ? 1 : 0;
}
