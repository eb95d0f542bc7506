/*
 * target_reg.h - what the registry-backed targets (target_rdp.c,
 * target_sql.c) share: a consumer that reads the thumbprint of its
 * certificate from one registry value, and is told of a new one by
 * writing that value.
 */
#ifndef CERTBIND_TARGET_REG_H
#define CERTBIND_TARGET_REG_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/cert.h"
#include "../core/plan.h"
#include "target.h"

/* One registry-backed consumer's value, for the shared code. */
struct reg_value {
	/* Read, write and delete b's value; Win32 errors (regtarget.h). */
	uint32_t (*read)(const struct binding *b, uint8_t thumb[THUMB_LEN],
	    bool *present);
	uint32_t (*write)(const struct binding *b,
	    const uint8_t thumb[THUMB_LEN]);
	uint32_t (*clear)(const struct binding *b);
	const struct target_ops *ops;  /* the target, for its words */
};

uint32_t reg_read(const struct reg_value *v, const struct binding *b,
    struct target_read *out);

/* target_ops.recheck and .apply for v's target. */
int reg_recheck(const struct reg_value *v, struct plan *plan, size_t i,
    const struct unusable_list *avoid, const struct carry_ctx *c);
int reg_apply(const struct reg_value *v, const struct plan_item *it);

/* What a Win32 error from v's calls means. */
const char *reg_strerror(uint32_t err, char *buf, size_t len);

/* Nothing to open, close or restore: each change is one value written,
 * which no crash leaves half done. */
uint32_t reg_open(void);
void reg_nothing(void);

#endif
