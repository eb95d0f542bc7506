/*
 * regwait.c - the floor of the rotation latency benchmark: `make bench`.
 *
 *   regwait OUTFILE SECONDS
 *
 * Waits with RegNotifyChangeKeyValue on the registry key behind
 * LocalMachine\My (HKLM\SOFTWARE\Microsoft\SystemCertificates\MY, its
 * subtree: the certificates live under Certificates) and appends the time
 * of each wake-up, in Unix microseconds, to OUTFILE, for SECONDS.  No
 * program watching the store can learn of a write sooner than this, so
 * certbind's latency is printed beside it and as a multiple of it.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

#define MY_KEY L"SOFTWARE\\Microsoft\\SystemCertificates\\MY"

static unsigned long long
unix_us(void)
{
	FILETIME ft;
	ULARGE_INTEGER t;

	GetSystemTimePreciseAsFileTime(&ft);
	t.LowPart = ft.dwLowDateTime;
	t.HighPart = ft.dwHighDateTime;
	return t.QuadPart / 10 - 11644473600000000ULL;
}

static int
arm(HKEY key, HANDLE event)
{
	return RegNotifyChangeKeyValue(key, TRUE, REG_NOTIFY_CHANGE_NAME |
	    REG_NOTIFY_CHANGE_LAST_SET, event, TRUE) == ERROR_SUCCESS;
}

int
wmain(int argc, wchar_t **argv)
{
	ULONGLONG end;
	unsigned long long now;
	HANDLE event;
	HKEY key;
	FILE *out;

	if (argc != 3) {
		fprintf(stderr, "usage: regwait OUTFILE SECONDS\n");
		return 2;
	}
	end = GetTickCount64() + (ULONGLONG)wcstoul(argv[2], NULL, 10) * 1000;
	if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, MY_KEY, 0, NULL, 0,
	    KEY_NOTIFY, NULL, &key, NULL) != ERROR_SUCCESS ||
	    (event = CreateEventW(NULL, FALSE, FALSE, NULL)) == NULL ||
	    !arm(key, event)) {
		fprintf(stderr, "regwait: cannot watch HKLM\\%ls\n", MY_KEY);
		return 1;
	}
	/* The first line says the watch is armed. */
	if ((out = _wfopen(argv[1], L"a")) == NULL)
		return 1;
	fprintf(out, "armed %llu\n", unix_us());
	fclose(out);
	while (GetTickCount64() < end) {
		DWORD left = (DWORD)(end - GetTickCount64());

		if (WaitForSingleObject(event, left) != WAIT_OBJECT_0)
			continue;
		/* Note the time before anything else, then re-arm. */
		now = unix_us();
		arm(key, event);
		if ((out = _wfopen(argv[1], L"a")) == NULL)
			return 1;
		fprintf(out, "%llu\n", now);
		fclose(out);
	}
	RegCloseKey(key);
	return 0;
}
