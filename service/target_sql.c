/*
 * target_sql.c - the sqlserver target: a SQL Server instance's
 * certificate, the Certificate value (REG_SZ, the thumbprint in lower-case
 * hex) under the instance's MSSQLServer\SuperSocketNetLib key; the
 * instance id comes from HKLM\SOFTWARE\Microsoft\Microsoft SQL
 * Server\Instance Names\SQL (regtarget.c).  SQL Server reads the value
 * at start only, so a change is followed by a restart of the instance's
 * service (after_change(), apply.c).  What it serves is not checked after
 * a change.
 */
#include <windows.h>
#include <stdio.h>

#include "regtarget.h"
#include "target_reg.h"

static uint32_t
value_read(const struct binding *b, uint8_t thumb[THUMB_LEN], bool *present)
{
	struct sql_instance in;
	uint32_t rc;

	if ((rc = sql_find(b->instance, &in)) != NO_ERROR)
		return rc;
	rc = sql_read(&in, thumb, present);
	sql_instance_free(&in);
	return rc;
}

static uint32_t
value_write(const struct binding *b, const uint8_t thumb[THUMB_LEN])
{
	struct sql_instance in;
	uint32_t rc;

	if ((rc = sql_find(b->instance, &in)) != NO_ERROR)
		return rc;
	rc = sql_write(&in, thumb);
	sql_instance_free(&in);
	return rc;
}

static uint32_t
value_clear(const struct binding *b)
{
	struct sql_instance in;
	uint32_t rc;

	if ((rc = sql_find(b->instance, &in)) != NO_ERROR)
		return rc;
	rc = sql_clear(&in);
	sql_instance_free(&in);
	return rc;
}

static const struct reg_value sql_value = {
	value_read, value_write, value_clear, &target_sql
};

static uint32_t
sql_target_read(const struct binding *b, struct target_read *out)
{
	return reg_read(&sql_value, b, out);
}

static const char *
sql_read_strerror(const struct binding *b, uint32_t err, char *buf,
    size_t len)
{
	char why[256];

	if (err == ERROR_FILE_NOT_FOUND) {
		snprintf(buf, len, "SQL Server instance %s is not installed (no "
		    "value %s under HKLM\\SOFTWARE\\Microsoft\\Microsoft SQL "
		    "Server\\Instance Names\\SQL, or no SuperSocketNetLib key "
		    "for it)", b->instance, b->instance);
		return buf;
	}
	if (err == ERROR_INVALID_DATA) {
		snprintf(buf, len, "SQL Server instance %s's id (its value "
		    "under ...\\Instance Names\\SQL) is not a key name, or its "
		    "SuperSocketNetLib value Certificate is not a thumbprint "
		    "(REG_SZ, 40 hex digits, or empty)", b->instance);
		return buf;
	}
	snprintf(buf, len, "%s", reg_strerror(err, why, sizeof(why)));
	return buf;
}

static int
sql_recheck(struct plan *plan, size_t i, const struct unusable_list *avoid,
    const struct carry_ctx *c)
{
	return reg_recheck(&sql_value, plan, i, avoid, c);
}

static int
sql_apply(const struct plan_item *it, const struct carry_ctx *c)
{
	(void)c;
	return reg_apply(&sql_value, it);
}

const struct target_ops target_sql = {
	.kind = TARGET_SQLSERVER,
	.what = "the certificate of",
	.open_call = "opening the registry",
	.open = reg_open,
	.close = reg_nothing,
	.read = sql_target_read,
	.read_strerror = sql_read_strerror,
	.recheck = sql_recheck,
	.apply = sql_apply,
	.describe = binding_where,
	.restore = reg_nothing,
	.verifiable = false,
};
