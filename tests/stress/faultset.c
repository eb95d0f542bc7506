/*
 * faultset.c - set up the faults of tests/stress/part_*.sh in the
 * registry, faster than reg.exe (a Wine reg.exe call costs ~0.7 s, and
 * the fault matrix makes thousands of them).
 *
 *   faultset set NAME SPEC     HKLM\Software\CertBindStandIn\Faults,
 *                              value NAME = SPEC (REG_SZ): a fault of the
 *                              stand-in httpapi.dll (tests/httpapi/httpapi.c)
 *   faultset left NAME         print that value, or nothing when it is gone
 *   faultset clear             delete every fault
 *   faultset drop KEY          delete HKLM\KEY and everything under it (a
 *                              record removed behind certbind's back)
 *   faultset sddl KEY SDDL     create HKLM\KEY if needed and give it the
 *                              security descriptor SDDL (its DACL)
 *   faultset volatile KEY      create HKLM\KEY as a volatile key, which
 *                              can hold only volatile subkeys
 * Exit status 0, or 1 with the Win32 error on stderr.
 */
#include <windows.h>
#include <sddl.h>
#include <stdio.h>
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
	if (wcscmp(cmd, L"drop") == 0 && argc == 3)
		return drop(argv[2]);
	if (wcscmp(cmd, L"sddl") == 0 && argc == 4)
		return sddl(argv[2], argv[3]);
	if (wcscmp(cmd, L"volatile") == 0 && argc == 3)
		return make_volatile(argv[2]);
	fprintf(stderr, "usage: faultset set NAME SPEC | left NAME | clear | "
	    "drop KEY | sddl KEY SDDL | volatile KEY\n");
	return 2;
}
