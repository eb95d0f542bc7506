/*
 * regtarget.c - the registry values the Remote Desktop listener and SQL
 * Server read their certificate from; see regtarget.h.
 *
 * Remote Desktop: SSLCertificateSHA1Hash, REG_BINARY, the 20 bytes of the
 * thumbprint, under HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\
 * WinStations\RDP-Tcp.  It is what the WMI class Win32_TSGeneralSetting
 * (namespace root\cimv2\TerminalServices, the instance whose TerminalName
 * is "RDP-Tcp") writes when its SSLCertificateSHA1Hash property is set,
 * e.g. with Set-CimInstance; the provider reads and writes that key
 * (its ClassContext).  certbind writes the value itself: Wine has no
 * Terminal Services WMI provider, and a registry write needs no COM.  The
 * listener reads the value at each new connection; without the value it
 * uses its self-signed certificate, so clearing is deleting the value.
 *
 * SQL Server: the instance id (MSSQL16.MSSQLSERVER) is the data of the
 * value named after the instance under HKLM\SOFTWARE\Microsoft\Microsoft
 * SQL Server\Instance Names\SQL; the certificate is the REG_SZ value
 * Certificate under <id>\MSSQLServer\SuperSocketNetLib, the thumbprint in
 * lower-case hex (what SQL Server Configuration Manager writes; SQL Server
 * has been known to reject upper case there), empty for none.  The
 * instance's service is MSSQLSERVER for the default instance and
 * MSSQL$NAME for a named one; its account is the service's configured
 * start name (QueryServiceConfigW).  SQL Server reads the certificate at
 * start only: the restart is svcrestart.c's.
 *
 * Values are counted data (RegQueryValueExW): a REG_SZ may lack its NUL,
 * and a NUL inside the counted text is refused rather than cut at, as is
 * a value of the wrong type or length.  Those are ERROR_INVALID_DATA, not
 * a thumbprint and not "none".
 *
 * The keys are opened in the 64-bit view: certbind is a 64-bit program,
 * and so are the listener and SQL Server's 64-bit instances.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../core/ascii.h"
#include "regtarget.h"
#include "regval.h"
#include "scm.h"
#include "winerr.h"
#include "wstr.h"

#define RDP_KEY L"SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\" \
    L"WinStations\\RDP-Tcp"
#define RDP_VALUE L"SSLCertificateSHA1Hash"
#define SQL_ROOT L"SOFTWARE\\Microsoft\\Microsoft SQL Server\\"
#define SQL_NAMES_KEY SQL_ROOT L"Instance Names\\SQL"
#define SQL_NETLIB L"\\MSSQLServer\\SuperSocketNetLib"
#define SQL_VALUE L"Certificate"
#define SQL_DEFAULT "MSSQLSERVER"
#define READ_TRIES 3                   /* a value may grow while it is read */

static LONG
open_key(const wchar_t *path, REGSAM access, HKEY *key)
{
	return RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0,
	    access | KEY_WOW64_64KEY, key);
}

/*
 * Value name of the open key, whole, into a malloc'd *data of *len bytes
 * (never NULL on success, even for 0 bytes).
 */
static LONG
query_value(HKEY key, const wchar_t *name, DWORD *type, BYTE **data,
    DWORD *len)
{
	LONG rc = ERROR_MORE_DATA;
	int tries;

	*data = NULL;
	for (tries = 0; tries < READ_TRIES && rc == ERROR_MORE_DATA; tries++) {
		DWORD need = 0;
		BYTE *p;

		rc = RegQueryValueExW(key, name, NULL, type, NULL, &need);
		if (rc != ERROR_SUCCESS)
			break;
		if ((p = realloc(*data, need ? need : 1)) == NULL) {
			rc = ERROR_NOT_ENOUGH_MEMORY;
			break;
		}
		*data = p;
		*len = need;
		rc = RegQueryValueExW(key, name, NULL, type, *data, len);
	}
	if (rc != ERROR_SUCCESS) {
		free(*data);
		*data = NULL;
	}
	return rc;
}

/* A REG_SZ value of the open key as malloc'd UTF-8. */
static LONG
query_sz(HKEY key, const wchar_t *name, char **out)
{
	DWORD type, len = 0;
	BYTE *data;
	wchar_t *w = NULL;
	LONG rc;

	*out = NULL;
	if ((rc = query_value(key, name, &type, &data, &len)) != ERROR_SUCCESS)
		return rc;
	if (type != REG_SZ)
		rc = ERROR_INVALID_DATA;
	else if ((rc = regval_sz(data, len, &w)) == ERROR_SUCCESS &&
	    (*out = utf8_from_wide(w)) == NULL)
		rc = ERROR_NOT_ENOUGH_MEMORY;
	free(w);
	free(data);
	return rc;
}

/* --- Remote Desktop ----------------------------------------------------- */

uint32_t
rdp_read(uint8_t thumb[THUMB_LEN], bool *present)
{
	DWORD type, len = 0;
	BYTE *data;
	HKEY key;
	LONG rc;

	*present = false;
	if ((rc = open_key(RDP_KEY, KEY_QUERY_VALUE, &key)) != ERROR_SUCCESS)
		return (uint32_t)rc;   /* no listener: ERROR_FILE_NOT_FOUND */
	rc = query_value(key, RDP_VALUE, &type, &data, &len);
	RegCloseKey(key);
	if (rc == ERROR_FILE_NOT_FOUND)
		return ERROR_SUCCESS;  /* the self-signed certificate */
	if (rc != ERROR_SUCCESS)
		return (uint32_t)rc;
	if (type == REG_BINARY && len == THUMB_LEN) {
		memcpy(thumb, data, THUMB_LEN);
		*present = true;
	} else {
		rc = ERROR_INVALID_DATA;
	}
	free(data);
	return (uint32_t)rc;
}

/* The listener's key must be there: certbind does not create it. */
uint32_t
rdp_write(const uint8_t thumb[THUMB_LEN])
{
	HKEY key;
	LONG rc;

	if ((rc = open_key(RDP_KEY, KEY_SET_VALUE, &key)) != ERROR_SUCCESS)
		return (uint32_t)rc;
	rc = RegSetValueExW(key, RDP_VALUE, 0, REG_BINARY, thumb, THUMB_LEN);
	RegCloseKey(key);
	return (uint32_t)rc;
}

uint32_t
rdp_clear(void)
{
	HKEY key;
	LONG rc;

	if ((rc = open_key(RDP_KEY, KEY_SET_VALUE, &key)) != ERROR_SUCCESS)
		return (uint32_t)rc;
	rc = RegDeleteValueW(key, RDP_VALUE);
	RegCloseKey(key);
	return rc == ERROR_FILE_NOT_FOUND ? ERROR_SUCCESS : (uint32_t)rc;
}

/* DNS names are compared in ASCII (core/ascii.h); IDNs are in A-labels. */
static void
ascii_lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

char *
rdp_default_dns(void)
{
	wchar_t *buf = NULL, *p;
	DWORD n = 0;
	char *out = NULL;
	int tries;

	/* The first call asks the size (the NUL included): ERROR_MORE_DATA. */
	for (tries = 0; tries < READ_TRIES; tries++) {
		if (GetComputerNameExW(ComputerNameDnsFullyQualified, buf, &n))
			break;
		if (GetLastError() != ERROR_MORE_DATA || n == 0 ||
		    (p = realloc(buf, (size_t)n * sizeof(wchar_t))) == NULL) {
			free(buf);
			return NULL;
		}
		buf = p;
	}
	if (tries < READ_TRIES && buf != NULL &&
	    (out = utf8_from_wide(buf)) != NULL)
		ascii_lower(out);
	free(buf);
	return out;
}

/* --- SQL Server ----------------------------------------------------------- */

/* "MSSQLSERVER" or "MSSQL$NAME", malloc'd. */
static char *
service_name(const char *instance)
{
	size_t n = strlen(instance) + sizeof("MSSQL$");
	char *s = malloc(n);

	if (s == NULL)
		return NULL;
	if (ascii_equal_nocase(instance, SQL_DEFAULT))
		snprintf(s, n, "%s", SQL_DEFAULT);
	else
		snprintf(s, n, "MSSQL$%s", instance);
	return s;
}

/* The instance id for instance name; ERROR_FILE_NOT_FOUND if none. */
static LONG
instance_id(const char *instance, char **id)
{
	wchar_t *name = wide_from_utf8(instance);
	HKEY key;
	LONG rc;

	*id = NULL;
	if (name == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	rc = open_key(SQL_NAMES_KEY, KEY_QUERY_VALUE, &key);
	if (rc == ERROR_SUCCESS) {
		rc = query_sz(key, name, id);
		RegCloseKey(key);
	}
	free(name);
	/* The id becomes a key path: one plain component, never "" or "..". */
	if (rc == ERROR_SUCCESS && ((*id)[0] == '\0' ||
	    strchr(*id, '\\') != NULL || strcmp(*id, "..") == 0 ||
	    strcmp(*id, ".") == 0)) {
		free(*id);
		*id = NULL;
		rc = ERROR_INVALID_DATA;
	}
	return rc;
}

/*
 * The account service runs as (UTF-8, malloc'd) in *account; NULL, and
 * no error, when the service is not registered or names no account.
 */
static DWORD
service_account(const char *service, char **account)
{
	wchar_t *wname = wide_from_utf8(service);
	QUERY_SERVICE_CONFIGW *qsc = NULL;
	SC_HANDLE scm = NULL, svc = NULL;
	DWORD rc = ERROR_SUCCESS;

	*account = NULL;
	if (wname == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	if ((scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT)) == NULL ||
	    (svc = OpenServiceW(scm, wname, SERVICE_QUERY_CONFIG)) == NULL)
		rc = GetLastError();
	else if ((rc = scm_config(svc, &qsc)) == ERROR_SUCCESS &&
	    qsc->lpServiceStartName != NULL &&
	    qsc->lpServiceStartName[0] != L'\0' &&
	    (*account = utf8_from_wide(qsc->lpServiceStartName)) == NULL)
		rc = ERROR_NOT_ENOUGH_MEMORY;
	if (svc != NULL)
		CloseServiceHandle(svc);
	if (scm != NULL)
		CloseServiceHandle(scm);
	free(qsc);
	free(wname);
	return rc == ERROR_SERVICE_DOES_NOT_EXIST ? ERROR_SUCCESS : rc;
}

uint32_t
sql_find(const char *instance, struct sql_instance *out)
{
	uint32_t rc;

	memset(out, 0, sizeof(*out));
	if (instance == NULL)
		instance = SQL_DEFAULT;
	if ((out->name = strdup(instance)) == NULL ||
	    (out->service = service_name(instance)) == NULL)
		rc = ERROR_NOT_ENOUGH_MEMORY;
	else if ((rc = (uint32_t)instance_id(instance, &out->id)) ==
	    ERROR_SUCCESS)
		rc = service_account(out->service, &out->account);
	if (rc != ERROR_SUCCESS)
		sql_instance_free(out);
	return rc;
}

void
sql_instance_free(struct sql_instance *in)
{
	free(in->name);
	free(in->id);
	free(in->service);
	free(in->account);
	memset(in, 0, sizeof(*in));
}

/*
 * The value names under Instance Names\SQL, one per instance.  A value
 * name is at most 16,383 characters (the registry's element size
 * limits), so a buffer of 16,384 takes any name with its NUL; the names
 * are read whole before any value is, as RegEnumValueW asks.
 */
#define VALUE_NAME_MAX 16384

static LONG
add_name(char ***names, size_t *n, const wchar_t *w, DWORD len)
{
	char **p = realloc(*names, (*n + 1) * sizeof(*p));

	if (p == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	*names = p;
	/* Counted text, kept whole: a NUL or control character is escaped
	 * and the name is then no instance name a policy takes. */
	if ((p[*n] = text_from_wide(w, len)) == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	(*n)++;
	return ERROR_SUCCESS;
}

/* Every value name of the open key; ERROR_SUCCESS at the end. */
static LONG
enum_names(HKEY key, wchar_t *buf, char ***names, size_t *n)
{
	DWORD i, len;
	LONG rc = ERROR_SUCCESS;

	for (i = 0; rc == ERROR_SUCCESS; i++) {
		len = VALUE_NAME_MAX;
		rc = RegEnumValueW(key, i, buf, &len, NULL, NULL, NULL, NULL);
		/* The unnamed value is the key's default, never an
		 * instance (Wine's `reg add` writes it, empty, when it
		 * makes the key). */
		if (rc == ERROR_SUCCESS && len > 0)
			rc = add_name(names, n, buf, len);
	}
	return rc == ERROR_NO_MORE_ITEMS ? ERROR_SUCCESS : rc;
}

uint32_t
sql_instances(char ***names, size_t *n)
{
	wchar_t *buf = malloc(VALUE_NAME_MAX * sizeof(wchar_t));
	HKEY key;
	LONG rc;

	*names = NULL;
	*n = 0;
	if (buf == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	if ((rc = open_key(SQL_NAMES_KEY, KEY_QUERY_VALUE, &key)) ==
	    ERROR_SUCCESS) {
		rc = enum_names(key, buf, names, n);
		RegCloseKey(key);
	}
	free(buf);
	if (rc != ERROR_SUCCESS) {
		sql_names_free(*names, *n);
		*names = NULL;
		*n = 0;
	}
	/* No key: no SQL Server. */
	return rc == ERROR_FILE_NOT_FOUND ? ERROR_SUCCESS : (uint32_t)rc;
}

void
sql_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* "SOFTWARE\Microsoft\Microsoft SQL Server\<id>\MSSQLServer\SuperSocketNetLib" */
static wchar_t *
netlib_path(const struct sql_instance *in)
{
	wchar_t *id = wide_from_utf8(in->id), *path;
	size_t n;

	if (id == NULL)
		return NULL;
	n = wcslen(SQL_ROOT) + wcslen(id) + wcslen(SQL_NETLIB) + 1;
	if ((path = malloc(n * sizeof(wchar_t))) != NULL)
		swprintf(path, n, L"%ls%ls%ls", SQL_ROOT, id, SQL_NETLIB);
	free(id);
	return path;
}

static LONG
open_netlib(const struct sql_instance *in, REGSAM access, HKEY *key)
{
	wchar_t *path = netlib_path(in);
	LONG rc;

	if (path == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	rc = open_key(path, access, key);
	free(path);
	return rc;
}

/* Exactly 40 hex digits, either case; nothing around them. */
static LONG
thumb_from_hex(const char *text, uint8_t thumb[THUMB_LEN])
{
	size_t i;

	if (strlen(text) != 2 * THUMB_LEN)
		return ERROR_INVALID_DATA;
	for (i = 0; i < THUMB_LEN; i++) {
		int hi = ascii_hexval((unsigned char)text[2 * i]);
		int lo = ascii_hexval((unsigned char)text[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return ERROR_INVALID_DATA;
		thumb[i] = (uint8_t)(hi << 4 | lo);
	}
	return ERROR_SUCCESS;
}

uint32_t
sql_read(const struct sql_instance *in, uint8_t thumb[THUMB_LEN],
    bool *present)
{
	char *text = NULL;
	HKEY key;
	LONG rc;

	*present = false;
	if ((rc = open_netlib(in, KEY_QUERY_VALUE, &key)) != ERROR_SUCCESS)
		return (uint32_t)rc;
	rc = query_sz(key, SQL_VALUE, &text);
	RegCloseKey(key);
	if (rc == ERROR_FILE_NOT_FOUND)
		return ERROR_SUCCESS;
	if (rc == ERROR_SUCCESS && text[0] != '\0' &&
	    (rc = thumb_from_hex(text, thumb)) == ERROR_SUCCESS)
		*present = true;
	free(text);
	return (uint32_t)rc;
}

/* Certificate := text (REG_SZ, its NUL counted). */
static uint32_t
sql_set(const struct sql_instance *in, const wchar_t *text)
{
	HKEY key;
	LONG rc;

	if ((rc = open_netlib(in, KEY_SET_VALUE, &key)) != ERROR_SUCCESS)
		return (uint32_t)rc;
	rc = RegSetValueExW(key, SQL_VALUE, 0, REG_SZ, (const BYTE *)text,
	    (DWORD)((wcslen(text) + 1) * sizeof(wchar_t)));
	RegCloseKey(key);
	return (uint32_t)rc;
}

uint32_t
sql_write(const struct sql_instance *in, const uint8_t thumb[THUMB_LEN])
{
	static const wchar_t hex[] = L"0123456789abcdef";
	wchar_t text[2 * THUMB_LEN + 1];
	int i;

	for (i = 0; i < THUMB_LEN; i++) {
		text[2 * i] = hex[thumb[i] >> 4];
		text[2 * i + 1] = hex[thumb[i] & 15];
	}
	text[2 * THUMB_LEN] = L'\0';
	return sql_set(in, text);
}

/* Empty, as SQL Server's setup leaves it: the self-signed certificate. */
uint32_t
sql_clear(const struct sql_instance *in)
{
	return sql_set(in, L"");
}

/* The instance b names is installed and its certificate value readable. */
static int
check_instance(const char *file, const struct binding *b,
    struct cb_error *err)
{
	const char *name = b->instance ? b->instance : SQL_DEFAULT;
	struct sql_instance in;
	uint8_t thumb[THUMB_LEN];
	char why[256];
	bool present;
	uint32_t rc;

	rc = sql_find(name, &in);
	if (rc == ERROR_FILE_NOT_FOUND)
		return cb_error_set(err, file, b->line, b->col,
		    "binding %s: SQL Server instance %s is not installed "
		    "(no value %s under HKLM\\SOFTWARE\\Microsoft\\Microsoft "
		    "SQL Server\\Instance Names\\SQL)", b->name, name, name);
	if (rc == ERROR_SUCCESS) {
		rc = sql_read(&in, thumb, &present);
		if (rc != ERROR_SUCCESS) {
			cb_error_set(err, file, b->line, b->col, "binding %s: "
			    "cannot read SQL Server instance %s's Certificate "
			    "value under %s: %s", b->name, name, in.id,
			    win_strerror(rc, why, sizeof(why)));
			sql_instance_free(&in);
			return -1;
		}
		sql_instance_free(&in);
		return 0;
	}
	return cb_error_set(err, file, b->line, b->col, "binding %s: cannot "
	    "read SQL Server instance %s: %s", b->name, name,
	    win_strerror(rc, why, sizeof(why)));
}

int
sql_check(const char *file, const struct policy *p, struct cb_error *err)
{
	size_t i;

	for (i = 0; i < p->nbindings; i++)
		if (p->bindings[i].target == TARGET_SQLSERVER &&
		    check_instance(file, &p->bindings[i], err) != 0)
			return -1;
	return 0;
}
