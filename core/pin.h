/*
 * pin.h - the planner's decision for a binding `certbind rollback` moved
 * back: it stays on the certificate it was rolled back to until a
 * certificate issued after the one rolled away from qualifies, or
 * `certbind apply --force`.
 *
 * The pin itself (struct pin, history.h) is state the service reads from
 * the registry and hands in; the decision is a pure function of it, the
 * plan item and force.
 */
#ifndef CERTBIND_PIN_H
#define CERTBIND_PIN_H

#include <stdbool.h>

#include "history.h"
#include "plan.h"

/*
 * True when a binding pinned by p stays where it is although chosen (the
 * best certificate that qualifies; may be NULL) is another one.  NULL p:
 * not pinned.
 */
bool pin_holds(const struct pin *p, const struct cert *chosen, bool force);

/*
 * Apply pin p (NULL: none) to a planned item.  An update to a certificate
 * issued after the one rolled away from goes ahead; one to an older
 * certificate goes instead to the best qualifying certificate issued
 * after it, if there is one, and otherwise becomes "keep the
 * certificate", with the declared options still applied (action none or
 * update-options), the item marked pinned, and the certificate not moved
 * to in passed_over.  Any other item is left as planned.  Returns true
 * when it held.
 */
bool pin_apply(struct plan_item *it, const struct pin *p, bool force);

#endif
