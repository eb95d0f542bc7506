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
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    "FILE:LINE:COLUMN: message.\n"
    "\n"
    "exit status: 0 the policy is valid; 1 it is not.\n";

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

struct args {
	const char *command;
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

/* Returns 0, or -1 after printing what is wrong. */
static int
parse_args(int argc, char **argv, struct args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	a->lock_timeout_ms = LOCK_TIMEOUT_MS;
	if (argc < 2) {
		out_puts(OUT_STDERR, usage);
		return -1;
	}
	a->command = argv[1];
	i = 2;
	if (strcmp(a->command, "service") == 0 && argc > 2 &&
	    argv[2][0] != '-' && argv[2][0] != '/')
		a->action = argv[i++];
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "/?") == 0)
			a->help = 1;
		else if (strcmp(argv[i], "--json") == 0)
			a->json = 1;
		else if (strcmp(argv[i], "--explain") == 0)
			a->explain = 1;
		else if (strcmp(argv[i], "--probe") == 0 &&
		    strcmp(a->command, "status") == 0)
			a->probe = 1;
		else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			a->config = argv[++i];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			a->config = argv[i] + 9;
		else if (strcmp(argv[i], "--binding") == 0 && i + 1 < argc &&
		    (strcmp(a->command, "verify") == 0 ||
		    strcmp(a->command, "history") == 0 ||
		    strcmp(a->command, "rollback") == 0))
			a->binding = argv[++i];
		else if (strcmp(argv[i], "--force") == 0 &&
		    (strcmp(a->command, "apply") == 0 ||
		    strcmp(a->command, "init") == 0))
			a->force = 1;
		else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc &&
		    strcmp(a->command, "init") == 0)
			a->out = argv[++i];
		/* Set on the service's command line by an administrator. */
		else if (strcmp(argv[i], "--allow-insecure-policy") == 0 &&
		    strcmp(a->command, "service") == 0)
			a->allow_insecure = 1;
		/* Only the commands that write HTTP.sys take the lock. */
		else if (strcmp(argv[i], "--lock-timeout") == 0 && i + 1 < argc &&
		    (strcmp(a->command, "apply") == 0 ||
		    strcmp(a->command, "run") == 0 ||
		    strcmp(a->command, "rollback") == 0)) {
			if ((a->lock_timeout_ms = parse_seconds(argv[++i])) == 0) {
				out_printf(OUT_STDERR, "certbind: --lock-timeout "
				    "takes 1 to 3600 seconds, not '%s'\n", argv[i]);
				return -1;
			}
		}
		else {
			out_printf(OUT_STDERR, "certbind: unknown option '%s' "
			    "(see 'certbind %s --help')\n", argv[i], a->command);
			return -1;
		}
	}
	return 0;
}

static int
cmd_check(const char *path)
{
	struct policy policy;
	struct cb_error err;
	char text[1024], *notes;

	if (policyfile_load(path, &policy, &err) != 0) {
		out_printf(OUT_STDERR, "%s\n", cb_error_format(&err, text,
		    sizeof(text)));
		return 1;
	}
	/* What the policy names on this machine: a SQL Server instance. */
	if (sql_check(path, &policy, &err) != 0) {
		out_printf(OUT_STDERR, "%s\n", cb_error_format(&err, text,
		    sizeof(text)));
		policy_free(&policy);
		return 1;
	}
	out_printf(OUT_STDOUT, "%s: valid policy with %u binding%s\n", path,
	    (unsigned)policy.nbindings, policy.nbindings == 1 ? "" : "s");
	notes = flag_notes(&policy);
	policy_free(&policy);
	if (notes == NULL) {
		out_puts(OUT_STDERR, "certbind: out of memory\n");
		return 1;
	}
	out_puts(OUT_STDOUT, notes);
	free(notes);
	return 0;
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
cmd_run(const char *path, uint32_t lock_timeout_ms)
{
	struct runtime_io io;
	int rc;

	memset(&io, 0, sizeof(io));
	run_stop = CreateEventW(NULL, TRUE, FALSE, NULL);
	io.stop = run_stop;
	io.reload = CreateEventW(NULL, FALSE, FALSE, NULL);
	io.lock_timeout_ms = lock_timeout_ms;
	if (io.stop == NULL || io.reload == NULL) {
		out_puts(OUT_STDERR, "certbind: cannot create events\n");
		return 1;
	}
	evlog_echo(true);
	SetConsoleCtrlHandler(on_ctrl, TRUE);
	rc = runtime_loop(path, &io);
	CloseHandle(io.reload);
	CloseHandle(run_stop);
	return rc;
}

static int
need_config(const struct args *a)
{
	if (a->config != NULL)
		return 0;
	out_printf(OUT_STDERR, "certbind %s: --config FILE is required\n",
	    a->command);
	return -1;
}

static int
cmd_service(const struct args *a)
{
	if (a->help || a->action == NULL) {
		out_puts(a->help ? OUT_STDOUT : OUT_STDERR, service_usage);
		return a->help ? 0 : 1;
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

static int
run(int argc, char **argv)
{
	struct args a;

	if (parse_args(argc, argv, &a) != 0)
		return 1;
	if (strcmp(a.command, "help") == 0 || strcmp(a.command, "--help") == 0 ||
	    strcmp(a.command, "-h") == 0 || strcmp(a.command, "/?") == 0) {
		out_puts(OUT_STDOUT, usage);
		return 0;
	}
	if (strcmp(a.command, "version") == 0 ||
	    strcmp(a.command, "--version") == 0) {
		out_printf(OUT_STDOUT, "certbind %s\n", CERTBIND_VERSION);
		return 0;
	}
	if (strcmp(a.command, "apply") == 0) {
		if (a.help) {
			out_puts(OUT_STDOUT, apply_usage);
			return 0;
		}
		return need_config(&a) ? 1 : apply_run(a.config,
		    a.lock_timeout_ms, a.force != 0);
	}
	if (strcmp(a.command, "run") == 0) {
		if (a.help) {
			out_puts(OUT_STDOUT, run_usage);
			return 0;
		}
		return need_config(&a) ? 1 : cmd_run(a.config,
		    a.lock_timeout_ms);
	}
	if (strcmp(a.command, "plan") == 0) {
		if (a.help) {
			out_puts(OUT_STDOUT, plan_usage);
			return 0;
		}
		return need_config(&a) ? 1 :
		    plan_run(a.config, a.json != 0, a.explain != 0);
	}
	if (strcmp(a.command, "status") == 0) {
		if (a.help) {
			out_puts(OUT_STDOUT, status_usage);
			return 0;
		}
		return need_config(&a) ? 1 : status_run(a.config, a.json != 0,
		    a.probe != 0);
	}
	if (strcmp(a.command, "verify") == 0) {
		if (a.help) {
			out_puts(OUT_STDOUT, verify_usage);
			return 0;
		}
		return need_config(&a) ? 1 : verify_run(a.config, a.binding,
		    a.json != 0);
	}
	if (strcmp(a.command, "service") == 0)
		return cmd_service(&a);
	if (strcmp(a.command, "certs") == 0) {
		if (a.help) {
			out_puts(OUT_STDOUT, certs_usage);
			return 0;
		}
		return certs_run(a.config, a.json != 0);
	}
	if (strcmp(a.command, "check") == 0) {
		if (a.help) {
			out_puts(OUT_STDOUT, check_usage);
			return 0;
		}
		return need_config(&a) ? 1 : cmd_check(a.config);
	}
	if (strcmp(a.command, "history") == 0) {
		if (a.help) {
			out_puts(OUT_STDOUT, history_usage);
			return 0;
		}
		return history_run(a.config, a.binding, a.json != 0);
	}
	if (strcmp(a.command, "rollback") == 0) {
		if (a.help) {
			out_puts(OUT_STDOUT, rollback_usage);
			return 0;
		}
		return need_config(&a) ? 1 : rollback_run(a.config, a.binding,
		    a.lock_timeout_ms);
	}
	if (strcmp(a.command, "init") == 0) {
		if (a.help) {
			out_puts(OUT_STDOUT, init_usage);
			return 0;
		}
		return init_run(a.out, a.force != 0);
	}
	out_printf(OUT_STDERR, "certbind: unknown command '%s' (see 'certbind "
	    "help')\n", a.command);
	return 1;
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
