/*
 * target.c - the table of target adapters (target.h), and opening,
 * closing and restoring the targets a policy uses.
 */
#include <windows.h>
#include <stdio.h>

#include "eventlog.h"
#include "target.h"
#include "winerr.h"

/* Indexed by enum target_kind. */
static const struct target_ops *const adapters[] = {
	[TARGET_HTTPSYS] = &target_httpsys,
	[TARGET_RDP] = &target_rdp,
	[TARGET_SQLSERVER] = &target_sql,
};

const struct target_ops *
target_of(enum target_kind k)
{
	return (size_t)k < sizeof(adapters) / sizeof(adapters[0]) ?
	    adapters[k] : NULL;
}

/* HTTP.sys, always; another target when a binding of p has it. */
static bool
in_use(const struct policy *p, enum target_kind k)
{
	size_t i;

	if (k == TARGET_HTTPSYS)
		return true;
	for (i = 0; i < p->nbindings; i++)
		if (p->bindings[i].target == k)
			return true;
	return false;
}

#define NTARGETS (sizeof(adapters) / sizeof(adapters[0]))

int
targets_open(const struct policy *p)
{
	char text[256];
	uint32_t rc;
	size_t k, j;

	for (k = 0; k < NTARGETS; k++) {
		if (!in_use(p, (enum target_kind)k))
			continue;
		if ((rc = adapters[k]->open()) == NO_ERROR)
			continue;
		say(EV_ERROR, adapters[k]->event, "%s failed: %s",
		    adapters[k]->open_call, win_strerror(rc, text, sizeof(text)));
		for (j = 0; j < k; j++)
			if (in_use(p, (enum target_kind)j))
				adapters[j]->close();
		return -1;
	}
	return 0;
}

void
targets_close(const struct policy *p)
{
	size_t k;

	for (k = 0; k < NTARGETS; k++)
		if (in_use(p, (enum target_kind)k))
			adapters[k]->close();
}

void
targets_restore(const struct policy *p)
{
	size_t k;

	for (k = 0; k < NTARGETS; k++)
		if (in_use(p, (enum target_kind)k))
			adapters[k]->restore();
}
