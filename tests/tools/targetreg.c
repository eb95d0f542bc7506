/*
 * targetreg.c - drive service/regtarget.c from the shell, for
 * tests/integration/test_regtarget.sh: each command calls one function
 * and prints what it returned, so that the suite can set the registry up
 * with `reg add`/`regedit` and check what certbind's adapters make of it.
 *
 *   targetreg rdp-read              HEX | none | error N
 *   targetreg rdp-write HEX         ok | error N
 *   targetreg rdp-clear             ok | error N
 *   targetreg rdp-dns               the computer's DNS name, or error
 *   targetreg sql-find INSTANCE     "id service account" (account "-"
 *                                   when none) | error N
 *   targetreg sql-read INSTANCE     HEX | none | error N
 *   targetreg sql-write INSTANCE HEX, sql-clear INSTANCE: ok | error N
 *   targetreg sql-check INSTANCE    ok | FILE:LINE:COL: message, for a
 *                                   one-binding policy at line 3, col 5
 *   targetreg svc-restart NAME     ok | error N step STEP service S exit E
 *   targetreg svc-check NAME...     ok | FILE:LINE:COL: message, for a
 *                                   binding at line 3 whose restart_services
 *                                   are the NAMEs, one a line from line 4
 *   targetreg reg-set KEY NAME TYPE BYTES
 *       Set value NAME of HKLM\KEY to the hex BYTES (any count, "" for
 *       none) as registry type TYPE (a number): data `reg add` and
 *       regedit cannot write, such as a REG_SZ of an odd length or with a
 *       NUL inside.  Wine's regedit widens hex(1) data as ANSI text.
 *
 * Exit status 0 when the call succeeded, 1 when it returned an error, 2
 * for a bad command line.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../../service/regtarget.h"
#include "../../service/svcrestart.h"

static int
report(uint32_t rc)
{
	if (rc != 0) {
		printf("error %lu\n", (unsigned long)rc);
		return 1;
	}
	printf("ok\n");
	return 0;
}

static int
report_thumb(uint32_t rc, const uint8_t thumb[THUMB_LEN], bool present)
{
	char hex[THUMB_HEX];

	if (rc != 0)
		return report(rc);
	printf("%s\n", present ? thumb_format(thumb, hex) : "none");
	return 0;
}

static int
parse_thumb(const char *text, uint8_t thumb[THUMB_LEN])
{
	if (thumb_parse(text, thumb) != 0) {
		fprintf(stderr, "targetreg: not a thumbprint: %s\n", text);
		return -1;
	}
	return 0;
}

static int
rdp(const char *cmd, const char *arg)
{
	uint8_t thumb[THUMB_LEN];
	bool present = false;
	uint32_t rc;
	char *dns;

	if (strcmp(cmd, "rdp-read") == 0) {
		rc = rdp_read(thumb, &present);
		return report_thumb(rc, thumb, present);
	}
	if (strcmp(cmd, "rdp-write") == 0 && arg != NULL)
		return parse_thumb(arg, thumb) ? 2 : report(rdp_write(thumb));
	if (strcmp(cmd, "rdp-clear") == 0)
		return report(rdp_clear());
	if (strcmp(cmd, "rdp-dns") == 0) {
		if ((dns = rdp_default_dns()) == NULL) {
			printf("error\n");
			return 1;
		}
		printf("%s\n", dns);
		free(dns);
		return 0;
	}
	return 2;
}

static int
sql_check_one(const char *instance)
{
	struct binding b;
	struct policy p;
	struct cb_error err;
	char buf[1024];

	memset(&b, 0, sizeof(b));
	memset(&p, 0, sizeof(p));
	b.name = "sql";
	b.target = TARGET_SQLSERVER;
	b.instance = (char *)instance;
	b.line = 3;
	b.col = 5;
	p.bindings = &b;
	p.nbindings = 1;
	if (sql_check("policy.yaml", &p, &err) != 0) {
		printf("%s\n", cb_error_format(&err, buf, sizeof(buf)));
		return 1;
	}
	printf("ok\n");
	return 0;
}

static int
sql(const char *cmd, const char *instance, const char *arg)
{
	struct sql_instance in;
	uint8_t thumb[THUMB_LEN];
	bool present = false;
	uint32_t rc;
	int status;

	if (strcmp(cmd, "sql-check") == 0)
		return sql_check_one(instance);
	if ((rc = sql_find(instance, &in)) != 0)
		return report(rc);
	if (strcmp(cmd, "sql-find") == 0) {
		printf("%s %s %s\n", in.id, in.service,
		    in.account ? in.account : "-");
		status = 0;
	} else if (strcmp(cmd, "sql-read") == 0) {
		rc = sql_read(&in, thumb, &present);
		status = report_thumb(rc, thumb, present);
	} else if (strcmp(cmd, "sql-write") == 0 && arg != NULL) {
		status = parse_thumb(arg, thumb) ? 2 :
		    report(sql_write(&in, thumb));
	} else if (strcmp(cmd, "sql-clear") == 0) {
		status = report(sql_clear(&in));
	} else {
		status = 2;
	}
	sql_instance_free(&in);
	return status;
}

static int
svc_restart(const char *name)
{
	struct restart_result res;

	if (service_restart(name, &res) == 0) {
		restart_result_free(&res);
		return report(0);
	}
	printf("error %lu step %s service %s exit %lu\n",
	    (unsigned long)res.error, res.step ? res.step : "-",
	    res.service ? res.service : "-", (unsigned long)res.exit_code);
	restart_result_free(&res);
	return 1;
}

static int
svc_check(int n, char **names)
{
	struct named list[16];
	struct binding b;
	struct policy p;
	struct cb_error err;
	char buf[1024];
	int i;

	if (n > 16)
		return 2;
	memset(&b, 0, sizeof(b));
	memset(&p, 0, sizeof(p));
	for (i = 0; i < n; i++) {
		list[i].name = names[i];
		list[i].line = 4 + i;
		list[i].col = 9;
	}
	b.name = "web";
	b.restart_services = list;
	b.nrestart_services = (size_t)n;
	b.line = 3;
	b.col = 5;
	p.bindings = &b;
	p.nbindings = 1;
	if (restart_check("policy.yaml", &p, &err) != 0) {
		printf("%s\n", cb_error_format(&err, buf, sizeof(buf)));
		return 1;
	}
	printf("ok\n");
	return 0;
}

/* reg-set: the setup for the value checks, not a call of regtarget.c. */
static int
reg_set(const char *path, const char *name, const char *type,
    const char *hex)
{
	size_t n = strlen(hex) / 2, i;
	unsigned char *data = malloc(n + 1);
	wchar_t wpath[512], wname[256];
	HKEY key;
	LONG rc;

	if (data == NULL || strlen(hex) % 2 != 0) {
		free(data);
		return 2;
	}
	for (i = 0; i < n; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &data[i]) != 1) {
			free(data);
			return 2;
		}
	/* The W calls: RegSetValueExA would convert string data. */
	swprintf(wpath, sizeof(wpath) / sizeof(wpath[0]), L"%hs", path);
	swprintf(wname, sizeof(wname) / sizeof(wname[0]), L"%hs", name);
	rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, wpath, 0, NULL, 0,
	    KEY_SET_VALUE, NULL, &key, NULL);
	if (rc == ERROR_SUCCESS) {
		rc = RegSetValueExW(key, wname, 0,
		    (DWORD)strtoul(type, NULL, 10), data, (DWORD)n);
		RegCloseKey(key);
	}
	free(data);
	return report((uint32_t)rc);
}

int
main(int argc, char **argv)
{
	int status = 2;

	if (argc == 3 && strcmp(argv[1], "svc-restart") == 0)
		status = svc_restart(argv[2]);
	else if (argc >= 3 && strcmp(argv[1], "svc-check") == 0)
		status = svc_check(argc - 2, argv + 2);
	else if (argc == 6 && strcmp(argv[1], "reg-set") == 0)
		status = reg_set(argv[2], argv[3], argv[4], argv[5]);
	else if (argc >= 2 && strncmp(argv[1], "rdp-", 4) == 0)
		status = rdp(argv[1], argc > 2 ? argv[2] : NULL);
	else if (argc >= 3 && strncmp(argv[1], "sql-", 4) == 0)
		status = sql(argv[1], argv[2], argc > 3 ? argv[3] : NULL);
	if (status == 2)
		fprintf(stderr, "usage: targetreg rdp-read|rdp-write HEX|"
		    "rdp-clear|rdp-dns\n"
		    "       targetreg sql-find|sql-read|sql-write|sql-clear|"
		    "sql-check INSTANCE [HEX]\n"
		    "       targetreg svc-restart NAME | svc-check NAME...\n"
		    "       targetreg reg-set KEY NAME TYPE BYTES\n");
	fflush(stdout);
	return status;
}
