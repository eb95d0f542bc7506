/*
 * main.c - the certbind command line.
 *
 *   certbind run --config FILE     keep HTTP.sys in line, in the foreground
 *   certbind apply --config FILE   bring HTTP.sys in line with the policy
 *   certbind plan --config FILE    say what apply would do, change nothing
 *   certbind status --config FILE  every HTTP.sys SSL binding, and drift
 *   certbind check --config FILE   check a policy file, change nothing
 *   certbind verify --config FILE  what each endpoint serves, checked now
 *   certbind history [--config FILE]   the records certbind replaced
 *   certbind rollback --config FILE    put back the record before the last
 *   certbind init [--out FILE]     a policy for the bindings there are now
 *   certbind version
 * Arguments arrive as UTF-16 (wmain) and are passed on as UTF-8.
 *
 * Each command is one row of commands[]: its name, its --help text, the
 * options it takes, whether it needs --config, and the function that
 * runs it.  The options are rows of options[], so that every command
 * reads its arguments the same way and refuses the ones it does not take.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/changenotes.h"
#include "../core/flags.h"
#include "../core/policy.h"
#include "apply.h"
#include "eventlog.h"
#include "lock.h"
#include "out.h"
#include "init.h"
#include "policyfile.h"
#include "regtarget.h"
#include "rollback.h"
#include "runtime.h"
#include "svc.h"
#include "version.h"               /* generated from VERSION */
#include "wstr.h"

static const char usage[] =
    "usage: certbind COMMAND [options]\n"
    "\n"
    "Keeps HTTP.sys SSL bindings on the right certificate from\n"
    "LocalMachine\\My, as a YAML policy declares.\n"
    "\n"
    "commands:\n"
    "  run --config FILE [--lock-timeout SECONDS]\n"
    "                        keep the bindings right until Ctrl+C: the service's\n"
    "                        loop, in the foreground, events on stderr\n"
    "  apply --config FILE [--lock-timeout SECONDS] [--force]\n"
    "                        bind each endpoint to the certificate the policy\n"
    "                        selects; exit 0 done, 1 error, 3 conflict\n"
    "  plan --config FILE [--json] [--explain]\n"
    "                        say what apply would do; exit 0 nothing to do,\n"
    "                        2 changes pending, 1 error\n"
    "  status --config FILE [--json] [--probe]\n"
    "                        list every SSL binding HTTP.sys has, against the\n"
    "                        policy and the store; exit 0, or 1 on error\n"
    "  verify --config FILE [--binding NAME] [--json]\n"
    "                        check with a TLS handshake what each endpoint\n"
    "                        serves; exit 1 when one serves another\n"
    "                        certificate or fails the handshake\n"
    "  certs [--config FILE] [--json]\n"
    "                        every certificate in the store as the matcher\n"
    "                        sees it\n"
    "  check --config FILE   check a policy; exit 0 valid, 1 invalid\n"
    "  history [--config FILE] [--binding NAME] [--json]\n"
    "                        the records certbind replaced, newest first\n"
    "  rollback --config FILE [--binding NAME] [--lock-timeout SECONDS]\n"
    "                        put back the record each binding held before\n"
    "                        certbind's last change; exit 0 done, 1 error,\n"
    "                        2 nothing to roll back\n"
    "  init [--out FILE] [--force]\n"
    "                        write a policy declaring the SSL bindings\n"
    "                        HTTP.sys has now\n"
    "  service install [--config FILE] | configure | uninstall | reload\n"
    "                        register, set up, remove or reload the CertBind\n"
    "                        service\n"
    "  version               print the version\n"
    "  help                  print this text\n"
    "\n"
    "Run 'certbind COMMAND --help' for one command.\n";

static const char run_usage[] =
    "usage: certbind run --config FILE [--lock-timeout SECONDS]\n"
    "\n"
    "Runs the service's loop in the foreground until Ctrl+C: reconciles at\n"
    "once, then again within a moment of any change to LocalMachine\\My (or\n"
    "WebHosting) or to the policy file, when a certificate becomes valid\n"
    "or expires, and at least every service.resync_interval.  A policy\n"
    "that becomes invalid is reported and the previous one keeps running.\n"
    "Every event is printed to stderr as certbind[ID] level: text.\n"
    "\n"
    "  --lock-timeout SECONDS  how long a reconcile waits for another\n"
    "              certbind that is changing HTTP.sys (default 30)\n"
    "\n"
    "exit status: 0 stopped by Ctrl+C; 1 the policy or the watches could\n"
    "not be set up at the start.\n";

static const char apply_usage[] =
    "usage: certbind apply --config FILE [--lock-timeout SECONDS] [--force]\n"
    "\n"
    "Reads the policy, picks for each binding the certificate in\n"
    "LocalMachine\\My (or WebHosting) that covers its name, is valid now,\n"
    "has a private key, allows server authentication, passes the binding's\n"
    "filters and expires last, and creates or updates the HTTP.sys SSL\n"
    "binding to hold it with the declared options.  A binding with no such\n"
    "certificate is left as it is; a record with another AppId is left\n"
    "alone unless the binding says takeover: true.  Every change is\n"
    "reported to the Event Log (source CertBind).\n"
    "\n"
    "Only one certbind changes HTTP.sys at a time (apply, run and the\n"
    "service); another one is waited for, up to --lock-timeout SECONDS\n"
    "(default 30; 2 and 2s both mean two seconds), and then named.\n"
    "\n"
    "A binding 'certbind rollback' put back is pinned: it is not moved to\n"
    "another certificate until one issued after the certificate rolled\n"
    "away from qualifies.  --force moves pinned bindings to the\n"
    "certificate the policy selects and drops their pins.\n"
    "\n"
    "exit status: 0 every binding is as planned or was left for lack of a\n"
    "certificate; 1 the policy is invalid (nothing changed), an HTTP.sys\n"
    "call failed, or another certbind held the lock past --lock-timeout\n"
    "(nothing changed); 3 nothing failed but a binding was left in\n"
    "conflict.\n";

static const char plan_usage[] =
    "usage: certbind plan --config FILE [--json] [--explain]\n"
    "\n"
    "Says what 'certbind apply' would do to each binding - create, update\n"
    "the certificate, update options, nothing, conflict or no candidate -\n"
    "and changes nothing.\n"
    "\n"
    "  --json      print the plan as JSON (layout in README.md)\n"
    "  --explain   list every certificate considered for each binding and\n"
    "              why it lost\n"
    "\n"
    "exit status: 0 nothing to change; 2 changes pending; 1 error.\n";

static const char status_usage[] =
    "usage: certbind status --config FILE [--json] [--probe]\n"
    "\n"
    "Lists every SSL binding HTTP.sys has - ip:port, hostname:port and\n"
    "ccs:port, declared in the policy or not - with its thumbprint, AppId\n"
    "and flags, and says where something needs a look: the certificate is\n"
    "not in the store, has expired, expires within renew_warning_days or is\n"
    "archived; a declared binding differs from the plan or belongs to\n"
    "another AppId; an IP-specific binding takes precedence over SNI\n"
    "bindings on its port; a declared binding has no record.  Changes\n"
    "nothing.\n"
    "\n"
    "  --json      print the report as JSON (layout in README.md)\n"
    "  --probe     also check with a TLS handshake what each binding's\n"
    "              endpoint serves, as 'certbind verify' does\n"
    "\n"
    "exit status: 0 the report was printed; 1 error.\n";

static const char verify_usage[] =
    "usage: certbind verify --config FILE [--binding NAME] [--json]\n"
    "\n"
    "Opens a TLS connection to each binding's endpoint (or NAME's) as a\n"
    "client - 127.0.0.1 or [::1] for a wildcard address, with the host\n"
    "name or match.dns as the server name - and compares the certificate\n"
    "presented with the one its HTTP.sys record names: served, mismatch,\n"
    "handshake-failed, not-listening (nothing has a URL on the port),\n"
    "timeout, not-verifiable (ccs), skipped (verify: false) or no-record.\n"
    "No trust is checked and no HTTP request is sent.  Changes nothing.\n"
    "\n"
    "  --binding NAME  check this binding only\n"
    "  --json          print the outcomes as JSON (layout in README.md)\n"
    "\n"
    "exit status: 0 nothing failed; 1 a binding serves another certificate\n"
    "or fails the handshake, the binding is not in the policy, or error.\n";

static const char service_usage[] =
    "usage: certbind service install [--allow-insecure-policy] [--config FILE]\n"
    "       certbind service configure\n"
    "       certbind service uninstall\n"
    "       certbind service reload\n"
    "\n"
    "install registers the Windows service CertBind (LocalSystem, automatic\n"
    "delayed start, restarted after 1, 5 and 15 minutes if it fails) to run\n"
    "the loop of 'certbind run' on FILE (default\n"
    "C:\\ProgramData\\certbind\\policy.yaml), and the Event Log source\n"
    "CertBind.  configure puts the delayed start, the restarts and the\n"
    "preshutdown timeout in place where they differ, as the service also\n"
    "does at each start (an MSI installs the service without them); a\n"
    "setting Windows does not take is a warning (event 305), exit 0.\n"
    "uninstall stops and removes both.  reload asks the running\n"
    "service to read its policy again (SERVICE_CONTROL_PARAMCHANGE); it also\n"
    "notices when the file changes.  Run from an elevated prompt.\n"
    "\n"
    "  --allow-insecure-policy  the service loads a policy that accounts\n"
    "                other than administrators may change, with a warning\n"
    "                (event 229), instead of refusing it (event 316); the\n"
    "                policy's own service.require_secure_policy: false does\n"
    "                not do this for the service\n"
    "\n"
    "exit status: 0 done; 1 failed, with the reason on stderr.\n";

static const char certs_usage[] =
    "usage: certbind certs [--config FILE] [--json]\n"
    "\n"
    "Lists every certificate in LocalMachine\\My (and WebHosting, when the\n"
    "policy uses it) with what the matcher sees: thumbprint, subject,\n"
    "issuer, the names it covers, validity, private key, EKU, template,\n"
    "archived, and the renewal it names.  Changes nothing.\n"
    "\n"
    "exit status: 0 listed; 1 error.\n";

static const char check_usage[] =
    "usage: certbind check --config FILE\n"
    "\n"
    "Checks the policy and changes nothing.  Errors are printed as\n"
    "FILE:LINE:COLUMN: message.  A valid policy gets notes: options that\n"
    "older Windows lacks, the services each binding restarts after a\n"
    "change and in which window, and the accounts it gives read access to\n"
    "its new private keys.\n"
    "\n"
    "exit status: 0 the policy is valid; 1 it is not.\n";

static const char version_usage[] =
    "usage: certbind version\n"
    "\n"
    "Prints the version of certbind, as 'certbind 1.2.3'.\n"
    "\n"
    "exit status: 0.\n";

static const char history_usage[] =
    "usage: certbind history [--config FILE] [--binding NAME] [--json]\n"
    "\n"
    "Lists, per endpoint, the records certbind replaced there (the last 5,\n"
    "newest first: time, the command that replaced it, the thumbprint that\n"
    "took its place, and every field of the record), and whether a\n"
    "rollback pinned the binding.  With --config, the policy's bindings\n"
    "(or the one named); without, every endpoint with a history.  The\n"
    "history is kept in HKLM\\SOFTWARE\\CertBind\\History.  Changes nothing.\n"
    "\n"
    "  --json      print the list as JSON (layout in README.md)\n"
    "\n"
    "exit status: 0 listed; 1 error (an unknown binding, or a history value\n"
    "that cannot be read: the others are still listed).\n";

static const char rollback_usage[] =
    "usage: certbind rollback --config FILE [--binding NAME]\n"
    "                         [--lock-timeout SECONDS]\n"
    "\n"
    "Puts back, for each binding of the policy (or the one named), the\n"
    "record it held before certbind's last change to it, from its history\n"
    "(see 'certbind history'), as apply writes: under the writer lock, and\n"
    "through the rotation journal where Windows has no atomic update.  The\n"
    "binding is then pinned: apply, run and the service do not move it to\n"
    "another certificate until one issued after the certificate rolled\n"
    "away from qualifies, or 'certbind apply --force'.  Everything is read\n"
    "first: an unknown binding, or a record or history that cannot be\n"
    "read, changes nothing.\n"
    "\n"
    "exit status: 0 rolled back; 1 error (bad policy, unknown binding,\n"
    "unreadable history or record, the lock, or a failed HTTP.sys call);\n"
    "2 nothing to roll back to (nothing was changed).\n";

static const char init_usage[] =
    "usage: certbind init [--out FILE] [--force]\n"
    "\n"
    "Writes a policy that declares the SSL bindings HTTP.sys has now: one\n"
    "binding per ip:port, hostname:port and ccs:port record, named from its\n"
    "endpoint, with match.dns from the bound certificate's names (the host\n"
    "name for SNI), its AppId and options.  A record it cannot declare (its\n"
    "certificate is not in the store, ...) is written as a comment with the\n"
    "reason.  'certbind plan' on the result shows no change where the bound\n"
    "certificate is still the best choice.  Without --out the policy is\n"
    "printed.  An existing FILE is not replaced without --force; FILE is\n"
    "written whole or not at all.\n"
    "\n"
    "exit status: 0 written; 1 error.\n";

/* The options a command may take (struct command.options). */
enum {
	ARG_CONFIG = 1 << 0,
	ARG_JSON = 1 << 1,
	ARG_EXPLAIN = 1 << 2,
	ARG_PROBE = 1 << 3,
	ARG_BINDING = 1 << 4,
	ARG_FORCE = 1 << 5,
	ARG_OUT = 1 << 6,
	ARG_LOCK_TIMEOUT = 1 << 7,
	ARG_ALLOW_INSECURE = 1 << 8
};

/*
 * --config, --json and --explain have always been taken, and ignored, by
 * every command; scripts that pass them everywhere keep working.  The
 * other options are refused where they mean nothing.
 */
#define ARG_ANYWHERE (ARG_CONFIG | ARG_JSON | ARG_EXPLAIN)

struct option {
	const char *name;              /* "--config" */
	unsigned bit;                  /* its ARG_* */
	bool has_value;                /* takes the next argument */
};

static const struct option options[] = {
	{ "--config", ARG_CONFIG, true },
	{ "--json", ARG_JSON, false },
	{ "--explain", ARG_EXPLAIN, false },
	{ "--probe", ARG_PROBE, false },
	{ "--binding", ARG_BINDING, true },
	{ "--force", ARG_FORCE, false },
	{ "--out", ARG_OUT, true },
	{ "--lock-timeout", ARG_LOCK_TIMEOUT, true },
	/* Set on the service's command line by an administrator. */
	{ "--allow-insecure-policy", ARG_ALLOW_INSECURE, false },
};

struct args {
	const char *action;            /* service install|uninstall|... */
	const char *config;
	int help;
	int json;
	int explain;
	int probe;                     /* status --probe */
	int allow_insecure;            /* service install|run */
	int force;                     /* apply, init */
	const char *binding;           /* verify, history, rollback */
	const char *out;               /* init */
	uint32_t lock_timeout_ms;
};

struct command {
	const char *name;
	const char *usage;             /* what --help prints */
	unsigned options;              /* ARG_* it takes beyond ARG_ANYWHERE */
	bool needs_config;             /* --config FILE is required */
	bool has_action;               /* a word follows: service install */
	int (*run)(const struct args *a);
};

/* "30" or "30s", 1 to 3600 seconds, as milliseconds; 0 if malformed. */
static uint32_t
parse_seconds(const char *text)
{
	unsigned long n = 0;
	const char *p;

	for (p = text; *p >= '0' && *p <= '9' && n <= 3600; p++)
		n = n * 10 + (unsigned long)(*p - '0');
	if (p == text || (*p != '\0' && strcmp(p, "s") != 0) || n == 0 ||
	    n > 3600)
		return 0;
	return (uint32_t)n * 1000;
}

/* Store option o's value; -1 after printing what is wrong with it. */
static int
set_option(struct args *a, const struct option *o, const char *value)
{
	switch (o->bit) {
	case ARG_CONFIG:
		a->config = value;
		break;
	case ARG_JSON:
		a->json = 1;
		break;
	case ARG_EXPLAIN:
		a->explain = 1;
		break;
	case ARG_PROBE:
		a->probe = 1;
		break;
	case ARG_BINDING:
		a->binding = value;
		break;
	case ARG_FORCE:
		a->force = 1;
		break;
	case ARG_OUT:
		a->out = value;
		break;
	case ARG_LOCK_TIMEOUT:
		if ((a->lock_timeout_ms = parse_seconds(value)) == 0) {
			out_printf(OUT_STDERR, "certbind: --lock-timeout takes 1 "
			    "to 3600 seconds, not '%s'\n", value);
			return -1;
		}
		break;
	case ARG_ALLOW_INSECURE:
		a->allow_insecure = 1;
		break;
	}
	return 0;
}

/*
 * The option at argv[*i] if command c takes it, with its value (the next
 * argument, or after '=' for --config=FILE); *i moves past what it used.
 */
static const struct option *
find_option(const struct command *c, int argc, char **argv, int *i,
    const char **value)
{
	const char *arg = argv[*i];
	size_t k;

	for (k = 0; k < sizeof(options) / sizeof(options[0]); k++) {
		const struct option *o = &options[k];

		if (((c->options | ARG_ANYWHERE) & o->bit) == 0)
			continue;
		if (strcmp(arg, o->name) == 0 && (!o->has_value || *i + 1 < argc)) {
			*value = o->has_value ? argv[++*i] : NULL;
			return o;
		}
		if (o->bit == ARG_CONFIG && strncmp(arg, "--config=", 9) == 0) {
			*value = arg + 9;
			return o;
		}
	}
	return NULL;
}

/* The arguments after the command's name; -1 after printing what is wrong. */
static int
parse_args(const struct command *c, int argc, char **argv, struct args *a)
{
	int i = 2;

	memset(a, 0, sizeof(*a));
	a->lock_timeout_ms = LOCK_TIMEOUT_MS;
	if (c->has_action && argc > 2 && argv[2][0] != '-' && argv[2][0] != '/')
		a->action = argv[i++];
	for (; i < argc; i++) {
		const struct option *o;
		const char *value;

		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "/?") == 0) {
			a->help = 1;
			continue;
		}
		o = find_option(c, argc, argv, &i, &value);
		if (o == NULL) {
			out_printf(OUT_STDERR, "certbind: unknown option '%s' "
			    "(see 'certbind %s --help')\n", argv[i], c->name);
			return -1;
		}
		if (set_option(a, o, value) != 0)
			return -1;
	}
	return 0;
}

static int
cmd_help(const struct args *a)
{
	(void)a;
	out_puts(OUT_STDOUT, usage);
	return 0;
}

static int
cmd_version(const struct args *a)
{
	(void)a;
	out_printf(OUT_STDOUT, "certbind %s\n", CERTBIND_VERSION);
	return 0;
}

/*
 * Checks of a valid policy against this machine rather than the file:
 * that each named service is installed, that each account resolves.  Each
 * returns -1 with err at the name's line and column.  This is the one
 * place `certbind check` calls them: keyaccess_check (keyaccess.h)
 * belongs in this list.  restart_check (svcrestart.h) runs earlier, in
 * policyfile_load(), so that apply and the service refuse a policy that
 * restarts a service this machine does not have, as check does.
 */
typedef int machine_check(const char *file, const struct policy *p,
    struct cb_error *err);

static machine_check *const machine_checks[] = {
	sql_check,                     /* each sqlserver instance is here */
	NULL                           /* the end */
};

/* 0, or 1 after printing the first check that fails. */
static int
check_machine(const char *path, const struct policy *policy)
{
	struct cb_error err;
	char text[1024];
	size_t i;

	for (i = 0; machine_checks[i] != NULL; i++)
		if (machine_checks[i](path, policy, &err) != 0) {
			out_printf(OUT_STDERR, "%s\n", cb_error_format(&err, text,
			    sizeof(text)));
			return 1;
		}
	return 0;
}

/* The notes on a valid policy: flags older Windows lacks, restarts, keys. */
static int
print_notes(const struct policy *policy)
{
	char *flags = flag_notes(policy), *changes = change_notes(policy);
	int rc = 0;

	if (flags == NULL || changes == NULL) {
		out_puts(OUT_STDERR, "certbind: out of memory\n");
		rc = 1;
	} else {
		out_puts(OUT_STDOUT, flags);
		out_puts(OUT_STDOUT, changes);
	}
	free(flags);
	free(changes);
	return rc;
}

static int
cmd_check(const struct args *a)
{
	struct policy policy;
	struct cb_error err;
	char text[1024];
	int rc;

	if (policyfile_load(a->config, &policy, &err) != 0) {
		out_printf(OUT_STDERR, "%s\n", cb_error_format(&err, text,
		    sizeof(text)));
		return 1;
	}
	rc = check_machine(a->config, &policy);
	if (rc == 0) {
		out_printf(OUT_STDOUT, "%s: valid policy with %u binding%s\n",
		    a->config, (unsigned)policy.nbindings,
		    policy.nbindings == 1 ? "" : "s");
		rc = print_notes(&policy);
	}
	policy_free(&policy);
	return rc;
}

static HANDLE run_stop;

static BOOL WINAPI
on_ctrl(DWORD type)
{
	(void)type;
	SetEvent(run_stop);
	return TRUE;
}

static int
cmd_run(const struct args *a)
{
	struct runtime_io io;
	int rc;

	memset(&io, 0, sizeof(io));
	run_stop = CreateEventW(NULL, TRUE, FALSE, NULL);
	io.stop = run_stop;
	io.reload = CreateEventW(NULL, FALSE, FALSE, NULL);
	io.lock_timeout_ms = a->lock_timeout_ms;
	if (io.stop == NULL || io.reload == NULL) {
		out_puts(OUT_STDERR, "certbind: cannot create events\n");
		return 1;
	}
	evlog_echo(true);
	SetConsoleCtrlHandler(on_ctrl, TRUE);
	rc = runtime_loop(a->config, &io);
	CloseHandle(io.reload);
	CloseHandle(run_stop);
	return rc;
}

static int
cmd_apply(const struct args *a)
{
	return apply_run(a->config, a->lock_timeout_ms, a->force != 0);
}

static int
cmd_plan(const struct args *a)
{
	return plan_run(a->config, a->json != 0, a->explain != 0);
}

static int
cmd_status(const struct args *a)
{
	return status_run(a->config, a->json != 0, a->probe != 0);
}

static int
cmd_verify(const struct args *a)
{
	return verify_run(a->config, a->binding, a->json != 0);
}

static int
cmd_certs(const struct args *a)
{
	return certs_run(a->config, a->json != 0);
}

static int
cmd_history(const struct args *a)
{
	return history_run(a->config, a->binding, a->json != 0);
}

static int
cmd_rollback(const struct args *a)
{
	return rollback_run(a->config, a->binding, a->lock_timeout_ms);
}

static int
cmd_init(const struct args *a)
{
	return init_run(a->out, a->force != 0);
}

static int
cmd_service(const struct args *a)
{
	if (a->action == NULL) {
		out_puts(OUT_STDERR, service_usage);
		return 1;
	}
	if (strcmp(a->action, "install") == 0)
		return svc_install(a->config ? a->config : SVC_DEFAULT_CONFIG,
		    a->allow_insecure);
	if (strcmp(a->action, "uninstall") == 0)
		return svc_uninstall();
	if (strcmp(a->action, "configure") == 0)
		return svc_configure();
	if (strcmp(a->action, "reload") == 0)
		return svc_reload();
	if (strcmp(a->action, "run") == 0)
		return svc_run(a->config ? a->config : SVC_DEFAULT_CONFIG,
		    a->allow_insecure);
	out_printf(OUT_STDERR, "certbind service: unknown action '%s' (see "
	    "'certbind service --help')\n", a->action);
	return 1;
}

/*
 * Every command.  Only the commands that write HTTP.sys take the lock,
 * and so --lock-timeout.
 */
static const struct command commands[] = {
	{ "run", run_usage, ARG_LOCK_TIMEOUT, true, false, cmd_run },
	{ "apply", apply_usage, ARG_LOCK_TIMEOUT | ARG_FORCE, true, false,
	  cmd_apply },
	{ "plan", plan_usage, 0, true, false, cmd_plan },
	{ "status", status_usage, ARG_PROBE, true, false, cmd_status },
	{ "verify", verify_usage, ARG_BINDING, true, false, cmd_verify },
	{ "certs", certs_usage, 0, false, false, cmd_certs },
	{ "check", check_usage, 0, true, false, cmd_check },
	{ "history", history_usage, ARG_BINDING, false, false, cmd_history },
	{ "rollback", rollback_usage, ARG_BINDING | ARG_LOCK_TIMEOUT, true,
	  false, cmd_rollback },
	{ "init", init_usage, ARG_OUT | ARG_FORCE, false, false, cmd_init },
	{ "service", service_usage, ARG_ALLOW_INSECURE, false, true,
	  cmd_service },
	{ "version", version_usage, 0, false, false, cmd_version },
	{ "help", usage, 0, false, false, cmd_help },
};

/* Other spellings of two commands, as other programs spell them. */
static const struct {
	const char *alias, *name;
} aliases[] = {
	{ "--help", "help" },
	{ "-h", "help" },
	{ "/?", "help" },
	{ "--version", "version" },
};

static const struct command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(name, aliases[i].alias) == 0)
			name = aliases[i].name;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

static int
run(int argc, char **argv)
{
	const struct command *c;
	struct args a;

	if (argc < 2) {
		out_puts(OUT_STDERR, usage);
		return 1;
	}
	if ((c = find_command(argv[1])) == NULL) {
		out_printf(OUT_STDERR, "certbind: unknown command '%s' (see "
		    "'certbind help')\n", argv[1]);
		return 1;
	}
	if (parse_args(c, argc, argv, &a) != 0)
		return 1;
	if (a.help) {
		out_puts(OUT_STDOUT, c->usage);
		return 0;
	}
	if (c->needs_config && a.config == NULL) {
		out_printf(OUT_STDERR, "certbind %s: --config FILE is required\n",
		    c->name);
		return 1;
	}
	return c->run(&a);
}

int
wmain(int argc, wchar_t **wargv)
{
	char **argv = calloc((size_t)argc + 1, sizeof(char *));
	int i, rc;

	if (argv == NULL)
		return 1;
	atexit(out_flush);        /* what is held is written on every way out */
	SetConsoleOutputCP(CP_UTF8);
	for (i = 0; i < argc; i++)
		if ((argv[i] = utf8_from_wide(wargv[i])) == NULL) {
			out_printf(OUT_STDERR, "certbind: argument %d is not "
			    "valid text\n", i);
			return 1;
		}
	rc = run(argc, argv);
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	return rc;
}
