/*
 * eventlog.h - certbind's Windows Event Log source, "CertBind".
 *
 * Event IDs are stable: operators filter and alert on them.  They are
 * grouped by hundreds: 1-19 the service itself, 1xx a binding changed, 2xx
 * a binding needs a person, 3xx certbind could not do its job.  README.md
 * lists each one; service/messages.mc holds the text Event Viewer shows.
 */
#ifndef CERTBIND_EVENTLOG_H
#define CERTBIND_EVENTLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/error.h"

enum ev_level { EV_INFO, EV_WARNING, EV_ERROR };

enum {
	EV_STARTED = 1,
	EV_STOPPED = 2,
	EV_POLICY_LOADED = 3,
	EV_RECORD_CHANGED = 4,
	EV_RECONCILE_STOPPED = 5,
	EV_ALREADY_HOLDS = 10,
	EV_WATCH_RESTORED = 11,
	EV_VERIFY_SERVED = 12,
	EV_VERIFY_UNVERIFIED = 13,
	EV_ROLLED_BACK = 14,
	EV_PINNED = 15,
	EV_SERVICE_RESTARTED = 20,
	EV_RESTART_PENDING = 21,
	EV_RESTART_NOT_RUNNING = 22,
	EV_KEY_ACCESS_GRANTED = 25,
	EV_BINDING_CREATED = 100,
	EV_BINDING_UPDATED = 101,
	EV_NO_CANDIDATE = 200,
	EV_CONFLICT = 201,
	EV_EXPIRING = 202,
	EV_BOUND_MISSING = 203,
	EV_LOCK_WAIT = 220,
	EV_LOCK_ABANDONED = 221,
	EV_CERT_SKIPPED = 225,
	EV_METRICS_FAILED = 226,
	EV_METRICS_FOREIGN = 227,
	EV_WATCH_LOST = 228,
	EV_POLICY_ACL = 229,
	EV_KEY_REFUSED = 230,
	EV_VERIFY_TIMEOUT = 231,
	EV_KEY_ACCESS_UNRESOLVED = 235,
	EV_CERT_GONE = 243,
	EV_HISTORY_NOT_KEPT = 234,
	EV_PENDING_UNREADABLE = 250,
	EV_POLICY_INVALID = 300,
	EV_STORE_FAILED = 301,
	EV_HTTPSYS_FAILED = 302,
	EV_RESTORE_DONE = 303,
	EV_RESTORE_FAILED = 304,
	EV_SERVICE_SETTING = 305,
	EV_JOURNAL_UNREADABLE = 306,
	EV_LOCK_FAILED = 310,
	EV_INTERNAL = 315,
	EV_POLICY_INSECURE = 316,
	EV_VERIFY_FAILED = 317,
	EV_HISTORY_UNREADABLE = 320,
	EV_TARGET_FAILED = 321,
	EV_PIN_NOT_DROPPED = 322,
	EV_RESTART_FAILED = 330,
	EV_PENDING_FAILED = 331,
	EV_KEY_ACCESS_FAILED = 335
};

void evlog_open(void);
void evlog_close(void);

/* Report one UTF-8 message; a no-op if the source could not be opened. */
void evlog_write(enum ev_level level, uint32_t id, const char *text);

/*
 * In the foreground (`certbind run`), or with service.log: stderr, every
 * event is also printed to stderr as "certbind[ID] level: text".  Under
 * Wine, where ReportEventW stores nothing, that is where tests read them.
 */
void evlog_echo(bool on);
bool evlog_echoing(void);

/*
 * Tell a decision: information to stdout, warnings and errors to stderr,
 * and to the Event Log (printed once, with its ID, when echoing).  Every
 * call names an EV_* ID that README.md documents; tests/integration/
 * test_imports.sh checks that.
 */
void say(enum ev_level level, uint32_t id, const char *fmt, ...)
    CB_PRINTF(3, 4);

#endif
