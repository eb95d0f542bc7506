/*
 * faultset.c - set up the faults of the stand-in and read and reset the
 * registry state of the Wine suites (tests/integration/lib.sh) and
 * tests/stress/part_*.sh, faster than reg.exe: a Wine reg.exe call costs
 * ~0.7 s (several seconds on a busy machine), this program a fraction of
 * that, and the suites make thousands of them (every reset_state, every
 * poll of a binding's thumbprint).
 *
 *   faultset set NAME SPEC     HKLM\Software\CertBindStandIn\Faults,
 *                              value NAME = SPEC (REG_SZ): a fault of the
 *                              stand-in httpapi.dll (tests/httpapi/httpapi.c)
 *   faultset left NAME         print that value, or nothing when it is gone
 *   faultset clear             delete every fault
 *   faultset drop KEY...       delete each HKLM\KEY and everything under
 *                              it (a record removed behind certbind's
 *                              back; the state a suite resets); one that
 *                              is not there is no error
 *   faultset value KEY NAME    print value NAME of HKLM\KEY as reg.exe's
 *                              query prints it (REG_SZ and REG_EXPAND_SZ
 *                              as text, REG_DWORD as 0x%x, REG_BINARY as
 *                              upper-case hex); nothing when it is absent
 *   faultset sddl KEY SDDL     create HKLM\KEY if needed and give it the
 *                              security descriptor SDDL (its DACL)
 *   faultset volatile KEY      create HKLM\KEY as a volatile key, which
 *                              can hold only volatile subkeys
 *   faultset put KEY NAME TYPE DATA [NAME TYPE DATA]...
 *                              create HKLM\KEY if needed and set each value
 *                              NAME, as `reg add /t TYPE /d DATA` would:
 *                              TYPE REG_SZ (DATA the text), REG_DWORD
 *                              (DATA in C notation: 2, 0x412) or REG_BINARY
 *                              (DATA in hex); one process for a whole
 *                              record instead of a reg.exe per value
 * Exit status 0, or 1 with the Win32 error on stderr.
 */
#include <windows.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define FAULTS L"Software\\CertBindStandIn\\Faults"

static int
failed(const char *what, LONG rc)
{
	fprintf(stderr, "faultset: %s: error %ld\n", what, (long)rc);
	return 1;
}

/* Set the fault, and read it back: a case must never run without it. */
static int
set_fault(const wchar_t *name, const wchar_t *spec)
{
	wchar_t text[128] = L"";
	DWORD size = sizeof(text) - sizeof(wchar_t);
	HKEY key;
	LONG rc;

	rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, FAULTS, 0, NULL, 0,
	    KEY_SET_VALUE, NULL, &key, NULL);
	if (rc != ERROR_SUCCESS)
		return failed("create the faults key", rc);
	rc = RegSetValueExW(key, name, 0, REG_SZ, (const BYTE *)spec,
	    (DWORD)((wcslen(spec) + 1) * sizeof(wchar_t)));
	RegCloseKey(key);
	if (rc != ERROR_SUCCESS)
		return failed("set the fault", rc);
	rc = RegGetValueW(HKEY_LOCAL_MACHINE, FAULTS, name, RRF_RT_REG_SZ,
	    NULL, text, &size);
	if (rc != ERROR_SUCCESS || wcscmp(text, spec) != 0)
		return failed("read the fault back", rc);
	return 0;
}

static int
left(const wchar_t *name)
{
	wchar_t text[128] = L"";
	DWORD size = sizeof(text) - sizeof(wchar_t);

	if (RegGetValueW(HKEY_LOCAL_MACHINE, FAULTS, name, RRF_RT_REG_SZ, NULL,
	    text, &size) == ERROR_SUCCESS)
		printf("%ls\n", text);
	return 0;
}

static int
drop(const wchar_t *path)
{
	LONG rc = RegDeleteTreeW(HKEY_LOCAL_MACHINE, path);

	if (rc == ERROR_SUCCESS || rc == ERROR_FILE_NOT_FOUND)
		rc = RegDeleteKeyW(HKEY_LOCAL_MACHINE, path);
	return rc == ERROR_SUCCESS || rc == ERROR_FILE_NOT_FOUND ? 0 :
	    failed("delete the key", rc);
}

/* Each key of argv[0..n-1]; the first that cannot be deleted fails. */
static int
drop_all(int n, wchar_t **keys)
{
	int i;

	for (i = 0; i < n; i++)
		if (drop(keys[i]) != 0)
			return 1;
	return 0;
}

/*
 * Printed as Wine's and Windows' reg.exe print them, so that a suite's
 * expected values read the same whichever of the two it asks.  A value of
 * another type is an error: no suite reads one.
 */
static int
print_value(DWORD type, const BYTE *data, DWORD size)
{
	DWORD i, dword;

	switch (type) {
	case REG_SZ:
	case REG_EXPAND_SZ:
		printf("%ls\n", (const wchar_t *)data);
		return 0;
	case REG_DWORD:
		if (size != sizeof(dword))
			return failed("a REG_DWORD of another size", (LONG)size);
		memcpy(&dword, data, sizeof(dword));
		printf("0x%lx\n", (unsigned long)dword);
		return 0;
	case REG_BINARY:
		for (i = 0; i < size; i++)
			printf("%02X", data[i]);
		printf("\n");
		return 0;
	default:
		return failed("a value of a type this program does not print",
		    (LONG)type);
	}
}

/*
 * A value's data is read whole: its size is asked first, not guessed, and
 * asked again when the value grew in between (certbind may be writing it
 * while a suite polls).  The buffer is zeroed with room for a terminator
 * a REG_SZ may lack.
 */
static int
value(const wchar_t *path, const wchar_t *name)
{
	HKEY key;
	DWORD type, size = 0;
	BYTE *data = NULL;
	LONG rc;
	int tries, ret;

	rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_QUERY_VALUE, &key);
	if (rc == ERROR_FILE_NOT_FOUND)
		return 0;
	if (rc != ERROR_SUCCESS)
		return failed("open the key", rc);
	for (tries = 0; tries < 5; tries++) {
		rc = RegQueryValueExW(key, name, NULL, &type, NULL, &size);
		if (rc != ERROR_SUCCESS)
			break;
		free(data);
		data = calloc(1, (size_t)size + sizeof(wchar_t));
		if (data == NULL) {
			rc = ERROR_NOT_ENOUGH_MEMORY;
			break;
		}
		rc = RegQueryValueExW(key, name, NULL, &type, data, &size);
		if (rc != ERROR_MORE_DATA)
			break;
	}
	RegCloseKey(key);
	if (rc == ERROR_FILE_NOT_FOUND)
		ret = 0;
	else if (rc != ERROR_SUCCESS)
		ret = failed("read the value", rc);
	else
		ret = print_value(type, data, size);
	free(data);
	return ret;
}

static int
sddl(const wchar_t *path, const wchar_t *text)
{
	PSECURITY_DESCRIPTOR sd;
	HKEY key;
	LONG rc;

	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(text,
	    SDDL_REVISION_1, &sd, NULL))
		return failed("parse the SDDL", (LONG)GetLastError());
	rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, path, 0, NULL, 0,
	    WRITE_DAC | READ_CONTROL, NULL, &key, NULL);
	if (rc == ERROR_SUCCESS) {
		rc = RegSetKeySecurity(key, DACL_SECURITY_INFORMATION, sd);
		RegCloseKey(key);
	}
	LocalFree(sd);
	return rc == ERROR_SUCCESS ? 0 : failed("set the key's DACL", rc);
}

static int
make_volatile(const wchar_t *path)
{
	HKEY key;
	LONG rc;

	rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, path, 0, NULL,
	    REG_OPTION_VOLATILE, KEY_READ, NULL, &key, NULL);
	if (rc != ERROR_SUCCESS)
		return failed("create the volatile key", rc);
	RegCloseKey(key);
	return 0;
}

/* "00A1FF" as bytes; NULL (and *len untouched) for anything else. */
static BYTE *
parse_hex(const wchar_t *hex, DWORD *len)
{
	size_t i, n = wcslen(hex);
	BYTE *out;

	if (n % 2 != 0 || wcsspn(hex, L"0123456789abcdefABCDEF") != n ||
	    (out = malloc(n / 2 + 1)) == NULL)
		return NULL;
	for (i = 0; i < n / 2; i++)
		out[i] = (BYTE)wcstoul((wchar_t[]){ hex[2 * i], hex[2 * i + 1], 0 },
		    NULL, 16);
	*len = (DWORD)(n / 2);
	return out;
}

/* Set one value of the open KEY from its TYPE and DATA as text. */
static int
put_value(HKEY key, const wchar_t *name, const wchar_t *type,
    const wchar_t *text)
{
	DWORD dword, len;
	wchar_t *end;
	BYTE *bytes;
	LONG rc;

	if (wcscmp(type, L"REG_SZ") == 0) {
		rc = RegSetValueExW(key, name, 0, REG_SZ, (const BYTE *)text,
		    (DWORD)((wcslen(text) + 1) * sizeof(wchar_t)));
	} else if (wcscmp(type, L"REG_DWORD") == 0) {
		dword = (DWORD)wcstoul(text, &end, 0);
		if (text[0] == L'\0' || *end != L'\0')
			return failed("a REG_DWORD that is not a number", 0);
		rc = RegSetValueExW(key, name, 0, REG_DWORD,
		    (const BYTE *)&dword, sizeof(dword));
	} else if (wcscmp(type, L"REG_BINARY") == 0) {
		if ((bytes = parse_hex(text, &len)) == NULL)
			return failed("a REG_BINARY that is not hex", 0);
		rc = RegSetValueExW(key, name, 0, REG_BINARY, bytes, len);
		free(bytes);
	} else {
		return failed("a type this program does not write", 0);
	}
	return rc == ERROR_SUCCESS ? 0 : failed("set the value", rc);
}

/* argv[0..n-1]: NAME TYPE DATA triples for HKLM\PATH. */
static int
put(const wchar_t *path, int n, wchar_t **argv)
{
	HKEY key;
	LONG rc;
	int i, ret = 0;

	if (n == 0 || n % 3 != 0)
		return failed("values come as NAME TYPE DATA", n);
	rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, path, 0, NULL, 0,
	    KEY_SET_VALUE, NULL, &key, NULL);
	if (rc != ERROR_SUCCESS)
		return failed("create the key", rc);
	for (i = 0; i < n && ret == 0; i += 3)
		ret = put_value(key, argv[i], argv[i + 1], argv[i + 2]);
	RegCloseKey(key);
	return ret;
}

int
wmain(int argc, wchar_t **argv)
{
	const wchar_t *cmd = argc > 1 ? argv[1] : L"";

	if (wcscmp(cmd, L"set") == 0 && argc == 4)
		return set_fault(argv[2], argv[3]);
	if (wcscmp(cmd, L"left") == 0 && argc == 3)
		return left(argv[2]);
	if (wcscmp(cmd, L"clear") == 0 && argc == 2)
		return drop(L"Software\\CertBindStandIn\\Faults");
	if (wcscmp(cmd, L"drop") == 0 && argc >= 3)
		return drop_all(argc - 2, argv + 2);
	if (wcscmp(cmd, L"value") == 0 && argc == 4)
		return value(argv[2], argv[3]);
	if (wcscmp(cmd, L"sddl") == 0 && argc == 4)
		return sddl(argv[2], argv[3]);
	if (wcscmp(cmd, L"volatile") == 0 && argc == 3)
		return make_volatile(argv[2]);
	if (wcscmp(cmd, L"put") == 0 && argc >= 3)
		return put(argv[2], argc - 3, argv + 3);
	fprintf(stderr, "usage: faultset set NAME SPEC | left NAME | clear | "
	    "drop KEY... | value KEY NAME | sddl KEY SDDL | volatile KEY |\n"
	    "       put KEY NAME TYPE DATA...\n");
	return 2;
}
