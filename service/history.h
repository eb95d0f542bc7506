/*
 * history.h - the records certbind replaced, and rollback pins, in the
 * registry beside the rotation journal.
 *
 *   HKLM\SOFTWARE\CertBind\History  one REG_BINARY value per endpoint,
 *                                   named as the endpoint prints
 *                                   ("0.0.0.0:443", "ccs:443"), holding
 *                                   the last HISTORY_KEEP records replaced
 *                                   there (core/history.h's encoding)
 *   HKLM\SOFTWARE\CertBind\Pinned   one REG_BINARY value per endpoint a
 *                                   rollback pinned (struct pin)
 * A value that cannot be read or decoded is an error with its reason and
 * is never used; it is left in place for an operator to look at.
 */
#ifndef CERTBIND_SVC_HISTORY_H
#define CERTBIND_SVC_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/history.h"
#include "../core/plan.h"

#define HISTORY_KEY_TEXT "HKLM\\SOFTWARE\\CertBind\\History"
#define PINNED_KEY_TEXT "HKLM\\SOFTWARE\\CertBind\\Pinned"

/*
 * The history of ep into *h (empty when there is none).  0, or -1 with
 * why set when the value is there but cannot be read or is not one
 * certbind wrote.
 */
int history_load(const struct endpoint *ep, struct history *h, char *why,
    size_t len);

/* Write h for ep, flushed; a Win32 error, 0 once it is on disk. */
uint32_t history_store(const struct endpoint *ep, const struct history *h);

/*
 * certbind replaced old with rec for reason ("apply", "service"...) at
 * time now: keep old as the newest entry of its endpoint's history.  0,
 * or -1 with why set (an unreadable history is left as it is).
 */
int history_note(const struct ssl_record *old, const struct ssl_record *rec,
    const char *reason, int64_t now, char *why, size_t len);

/* The pin at ep: 1 found, 0 none, -1 with why set when unreadable. */
int pin_load(const struct endpoint *ep, struct pin *p, char *why,
    size_t len);

uint32_t pin_store(const struct endpoint *ep, const struct pin *p);

/*
 * Remove the pin at ep: ERROR_SUCCESS (also when there was none), or the
 * Win32 error that kept it.
 */
uint32_t pin_drop(const struct endpoint *ep);

/*
 * There may be a pin: false only when the Pinned key is missing or empty,
 * so that a reconcile of many bindings reads no value without one.
 */
bool pin_any(void);

/*
 * Every endpoint that has a history value, for `certbind history`
 * without a policy; *out is malloc'd.  A value whose name is not an
 * endpoint goes to bad (its name, escaped, and why).  0, or -1 with why
 * set when the key or one of its values' names cannot be read (then no
 * endpoint is returned: a list that silently lacks one would mislead).
 */
typedef void (*history_bad_fn)(const char *name, const char *why);
int history_endpoints(struct endpoint **out, size_t *n, history_bad_fn bad,
    char *why, size_t len);

#endif
