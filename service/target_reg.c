/*
 * target_reg.c - what the registry-backed targets share (target_reg.h):
 * reading the thumbprint a consumer's value names, writing the chosen
 * one, and putting the previous one back when writing fails.
 *
 * RegSetValueEx writes a value whole or not at all, so a failed write
 * normally leaves the previous value; it is read back all the same, and
 * written back if it is not what the target held before, since a change
 * must never leave a consumer on neither certificate.
 */
#include <windows.h>
#include <stdio.h>
#include <string.h>

#include "../core/report.h"
#include "apply.h"
#include "eventlog.h"
#include "target_reg.h"
#include "winerr.h"

#define WHERE_MAX 128

uint32_t
reg_read(const struct reg_value *v, const struct binding *b,
    struct target_read *out)
{
	uint32_t rc = v->read(b, out->held.thumb, &out->held.present);

	out->present = rc == NO_ERROR && out->held.present;
	return rc;
}

const char *
reg_strerror(uint32_t err, char *buf, size_t len)
{
	return win_strerror(err, buf, len);
}

uint32_t
reg_open(void)
{
	return NO_ERROR;
}

void
reg_nothing(void)
{
}

int
reg_recheck(const struct reg_value *v, struct plan *plan, size_t i,
    const struct unusable_list *avoid, const struct carry_ctx *c)
{
	const struct binding *b = plan->items[i].binding;
	struct target_read now;
	struct cb_error err;
	char where[WHERE_MAX], why[256];
	uint32_t rc;

	memset(&now, 0, sizeof(now));
	v->ops->describe(b, where, sizeof(where));
	if ((rc = reg_read(v, b, &now)) != NO_ERROR) {
		say(EV_ERROR, EV_TARGET_FAILED, "%s: cannot read the certificate "
		    "of %s again before writing it: %s", b->name, where,
		    v->ops->read_strerror(b, rc, why, sizeof(why)));
		return -1;
	}
	if (!plan_stale_held(&plan->items[i], &now.held))
		return 0;
	say(EV_INFO, EV_RECORD_CHANGED, "%s: the certificate of %s changed "
	    "after certbind read it (another program wrote it); the binding "
	    "was planned again on what it holds now", b->name, where);
	if (plan_redo_held(plan, i, &now.held, c->now, avoid, &err) != 0) {
		say(EV_ERROR, EV_TARGET_FAILED, "%s: %s", b->name, err.msg);
		return -1;
	}
	return 0;
}

/* After a failed write: the value as it was before.  0, or an error. */
static uint32_t
put_back(const struct reg_value *v, const struct plan_item *it)
{
	const struct binding *b = it->binding;
	uint8_t now[THUMB_LEN];
	bool present;

	if (v->read(b, now, &present) == NO_ERROR &&
	    present == it->has_current_thumb && (!present ||
	    memcmp(now, it->current_thumb, THUMB_LEN) == 0))
		return NO_ERROR;
	return it->has_current_thumb ? v->write(b, it->current_thumb) :
	    v->clear(b);
}

int
reg_apply(const struct reg_value *v, const struct plan_item *it)
{
	const struct binding *b = it->binding;
	char where[WHERE_MAX], why[256], cert[512], old[THUMB_HEX];
	uint32_t rc;

	v->ops->describe(b, where, sizeof(where));
	if ((rc = v->write(b, it->sel.chosen->thumb)) == NO_ERROR) {
		if (it->action == ACTION_CREATE)
			say(EV_INFO, EV_BINDING_CREATED, "%s: %s was given %s",
			    b->name, where, report_cert(it->sel.chosen, cert,
			    sizeof(cert)));
		else
			say(EV_INFO, EV_BINDING_UPDATED, "%s: updated %s from %s "
			    "to %s", b->name, where, thumb_format(
			    it->current_thumb, old), report_cert(it->sel.chosen,
			    cert, sizeof(cert)));
		return APPLY_OK;
	}
	say(EV_ERROR, EV_TARGET_FAILED, "%s: writing the certificate of %s "
	    "failed: %s", b->name, where, reg_strerror(rc, why, sizeof(why)));
	if ((rc = put_back(v, it)) != NO_ERROR)
		say(EV_ERROR, EV_RESTORE_FAILED, "%s: putting back the previous "
		    "certificate of %s (%s) failed: %s", b->name, where,
		    it->has_current_thumb ? thumb_format(it->current_thumb, old) :
		    "none", reg_strerror(rc, why, sizeof(why)));
	return APPLY_ERROR;
}
