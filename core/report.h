/*
 * report.h - a plan in words (for people) or JSON (for scripts).
 *
 * `certbind plan` prints one of these; `certbind apply` uses the same
 * sentences for what it is about to do, so the two never disagree.  The
 * JSON layout is documented in README.md and kept stable: fields are only
 * ever added.
 */
#ifndef CERTBIND_REPORT_H
#define CERTBIND_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "status.h"

enum { REPORT_EXPLAIN = 1 };   /* list every candidate and why it lost */

/* The whole plan; a malloc'd string, or NULL when out of memory. */
char *report_text(const struct plan *plan, int64_t now, unsigned flags);
char *report_json(const struct plan *plan, int64_t now, unsigned flags);

/* Every certificate in the inventory as the matcher sees it (`certs`). */
char *report_certs_text(const struct inventory *inv, int64_t now);
char *report_certs_json(const struct inventory *inv, int64_t now);

/* The drift report of `certbind status`. */
char *report_status_text(const struct status *st, int64_t now);
char *report_status_json(const struct status *st, int64_t now);

/*
 * One item's decision as a sentence: "api (0.0.0.0:443): update from...".
 * REPORT_ITEM_MAX bytes always hold it whole, option changes included.
 */
#define REPORT_ITEM_MAX (RECORD_TEXT_MAX + 1024)
const char *report_item(const struct plan_item *it, char *buf, size_t len);

/* The sentence for one WARN_* bit of an item. */
const char *report_warning(const struct plan_item *it, unsigned warning,
    int64_t now, char *buf, size_t len);

/*
 * The netsh command that recreates r, every field included: what an
 * operator runs when certbind could not put a record back.
 */
const char *report_netsh(const struct ssl_record *r, char *buf, size_t len);

/* "A1B2... (CN=x, expires 2027-01-02)" */
const char *report_cert(const struct cert *c, char *buf, size_t len);

/*
 * `certbind history`: each endpoint's replaced records, newest first, and
 * its rollback pin; malloc'd, NULL when out of memory.
 */
struct history_row;
char *report_history_text(const struct history_row *rows, size_t n);
char *report_history_json(const struct history_row *rows, size_t n,
    int64_t now);

#endif
