/*
 * policy.h - the binding policy: which endpoints certbind keeps bound, what
 * a certificate must satisfy to be bound there, and how the service runs.
 *
 * A policy is loaded whole or not at all: policy_parse() either returns a
 * complete, checked struct policy or an error with the file position of
 * the offending node, and never half of one.  Every key is documented in
 * config/README.md and described for editors by config/certbind.schema.json.
 */
#ifndef CERTBIND_POLICY_H
#define CERTBIND_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "endpoint.h"
#include "error.h"

#define POLICY_VERSION 1
#define BINDING_NAME_MAX 64

/* Defaults for keys a policy leaves out. */
#define DEFAULT_RENEW_WARNING_DAYS 30
#define DEFAULT_RESYNC_MS   (60 * 60 * 1000)     /* 1h */
#define DEFAULT_DEBOUNCE_MS 50

/* match: what a certificate must satisfy. */
struct match {
	char *dns;                     /* name to cover, lower case; for SNI
	                                  endpoints the host by default */
	char *issuer;                  /* substring of the issuer DN, or NULL:
	                                  a text filter, not a trust check */
	uint8_t (*thumbprints)[THUMB_LEN]; /* allow-list, or NULL for any */
	size_t nthumbprints;
	uint8_t (*issuer_thumbprints)[THUMB_LEN]; /* CAs it must chain to */
	size_t nissuer_thumbprints;
	char *template;                /* template name or OID, or NULL */
	int min_days_left;             /* 0: no minimum */
};

/* Which options: fields a binding declares (struct options.set). */
enum {
	OPT_APP_ID = 1 << 0,
	OPT_CERT_STORE = 1 << 1,
	OPT_REVOCATION_FRESHNESS = 1 << 2,
	OPT_URL_TIMEOUT = 1 << 3,
	OPT_CTL_IDENTIFIER = 1 << 4,
	OPT_CTL_STORE = 1 << 5
};

/*
 * options: the per-binding settings of netsh http add sslcert.  Only what
 * the policy declares is written; everything else in an existing record
 * stays as an operator left it.  The boolean switches are kept as a mask
 * of declared bits and their values, for DefaultCertCheckMode and for
 * DefaultFlags (the CHECK_* and SSL_FLAG_* bits in record.h).
 */
struct options {
	unsigned set;                  /* OPT_* bits */
	uint8_t app_id[16];
	enum cert_store cert_store;
	uint32_t check_mask, check_bits;
	uint32_t flag_mask, flag_bits;
	uint32_t revocation_freshness; /* seconds */
	uint32_t url_timeout;          /* milliseconds */
	char *ctl_identifier;
	char *ctl_store;
};

/*
 * Which certificate consumer a binding keeps: HTTP.sys (an endpoint's SSL
 * record), the Remote Desktop listener, or a SQL Server instance.  Each
 * is an adapter in service/ (target.h) behind the same few operations.
 */
enum target_kind {
	TARGET_HTTPSYS = 0,            /* the default */
	TARGET_RDP,
	TARGET_SQLSERVER
};

/* "httpsys", "rdp", "sqlserver": the policy's name for a target. */
const char *target_kind_name(enum target_kind t);

#define SQL_DEFAULT_INSTANCE "MSSQLSERVER"
#define SQL_INSTANCE_MAX 16            /* characters, as setup allows */

/*
 * s (len bytes) is a SQL Server instance name that a binding's instance
 * takes: 1 to 16 ASCII letters, digits, '$' or '_', a letter first.
 */
bool policy_instance_ok(const char *s, size_t len);

/* A name in a list the policy gives, with where it is, for check. */
struct named {
	char *name;
	int line, col;
};

/*
 * A daily window in local time, "02:00-04:00": minutes after midnight.
 * end < start wraps past midnight; start == end is refused by the loader.
 */
struct window {
	int start_min, end_min;
};

struct binding {
	char *name;                    /* unique, [A-Za-z0-9._-]+ */
	enum target_kind target;
	struct endpoint endpoint;      /* httpsys only */
	char *instance;                /* sqlserver: the instance name
	                                  (MSSQLSERVER when left out) */
	struct named *restart_services; /* restarted after a change */
	size_t nrestart_services;
	bool has_restart_window;       /* restarts wait for restart_window */
	struct window restart_window;  /* ... own or from defaults */
	struct named *key_access;      /* accounts given read on the key */
	size_t nkey_access;
	bool key_access_inherit;       /* key_access: inherit (also) */
	struct match match;
	struct options options;
	bool takeover;                 /* may adopt a record of another AppId */
	bool verify;                   /* check what the endpoint serves after
	                                  a change (core/verify.h) */
	bool verify_set;               /* ... said by the binding itself */
	int64_t verify_timeout_ms;     /* how long that check may take */
	bool verify_timeout_set;       /* ... said by the binding itself */
	/* Resolved from options, defaults and built-in defaults: */
	uint8_t app_id[16];            /* the AppId that marks our records */
	enum cert_store store;         /* where its certificate must be */
	int line, col;                 /* where the binding starts in the file */
};

/*
 * Where b's certificate goes, in an operator's words: its endpoint
 * ("0.0.0.0:443"), "the RDP listener", "SQL Server instance NAME".
 */
const char *binding_where(const struct binding *b, char *buf, size_t len);

struct defaults {
	enum cert_store store;
	bool has_app_id;
	uint8_t app_id[16];
	int renew_warning_days;
	bool verify;                   /* for bindings that do not say */
	int64_t verify_timeout_ms;
	bool has_restart_window;
	struct window restart_window;
};

enum log_target { LOG_EVENTLOG, LOG_STDERR };

struct service_conf {
	int64_t resync_ms;             /* full resync at least this often */
	int64_t debounce_ms;           /* quiet time after a store change */
	enum log_target log;
	char *metrics_file;            /* Prometheus text file, or NULL */
	int metrics_line, metrics_col; /* where the policy names it */
	bool require_secure_policy;    /* refuse a policy others may change */
	bool secure_policy_set;        /* ... said so; else by mode: true for
	                                  the service, false in a console */
};

struct policy {
	int version;
	struct defaults defaults;
	struct service_conf service;
	struct binding *bindings;
	size_t nbindings;
};

/*
 * Parse and check a policy.  file names the source in messages; buf holds
 * len bytes of UTF-8 YAML.  Returns 0, or -1 with err set and *out zeroed.
 */
int policy_parse(const char *file, const char *buf, size_t len,
    struct policy *out, struct cb_error *err);

void policy_free(struct policy *p);

/* Some binding takes its certificate from store s (ccs ones take none). */
bool policy_uses_store(const struct policy *p, enum cert_store s);

/*
 * Give every rdp and sqlserver binding that has no match.dns the
 * computer's DNS name dns (lower-cased), after loading: the service asks
 * Windows for it, so that the loader stays pure.  dns may be NULL when
 * it is not known; a binding that needs it is then an error at its
 * line:col (file names the policy).  0, or -1 with err set.
 */
int policy_default_dns(struct policy *p, const char *dns,
    struct cb_error *err, const char *file);

/*
 * Call fn with the path of every key the loader accepts, such as
 * "defaults.store" or "bindings[].match.dns", for the schema test.
 */
void policy_keys(void (*fn)(const char *path, void *arg), void *arg);

/* One of options: switches, and the record bit it sets or clears. */
struct policy_switch {
	const char *key;               /* "disable_http2" */
	uint32_t check_bit;            /* its DefaultCertCheckMode bit, or */
	uint32_t flag_bit;             /* its DefaultFlags bit */
	bool inverted;                 /* true clears the bit */
};

/*
 * The i'th switch the loader accepts under options (from 0), for the
 * policy writer; false past the last.
 */
bool policy_switch_at(size_t i, struct policy_switch *out);

#endif
