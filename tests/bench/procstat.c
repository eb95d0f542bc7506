/*
 * procstat.c - what an idle process costs: `make bench`.
 *
 *   procstat EXENAME
 *
 * Finds the running process of that image name and prints one line:
 * "PID CPU_MS PRIVATE_BYTES WORKING_SET_BYTES", its user plus kernel time
 * from GetProcessTimes and its private bytes (PrivateUsage) and working
 * set from GetProcessMemoryInfo.  Exits 1 when no such process runs.
 */
#include <windows.h>
#include <psapi.h>
#include <tlhelp32.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

static DWORD
find_pid(const wchar_t *exe)
{
	PROCESSENTRY32W pe;
	HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
	DWORD pid = 0;

	if (snap == INVALID_HANDLE_VALUE)
		return 0;
	pe.dwSize = sizeof(pe);
	if (Process32FirstW(snap, &pe)) {
		do {
			if (_wcsicmp(pe.szExeFile, exe) == 0)
				pid = pe.th32ProcessID;
		} while (pid == 0 && Process32NextW(snap, &pe));
	}
	CloseHandle(snap);
	return pid;
}

static unsigned long long
ms(FILETIME ft)
{
	ULARGE_INTEGER t;

	t.LowPart = ft.dwLowDateTime;
	t.HighPart = ft.dwHighDateTime;
	return t.QuadPart / 10000;
}

int
wmain(int argc, wchar_t **argv)
{
	PROCESS_MEMORY_COUNTERS_EX mem;
	FILETIME created, exited, kernel, user;
	HANDLE h;
	DWORD pid;

	if (argc != 2) {
		fprintf(stderr, "usage: procstat EXENAME\n");
		return 2;
	}
	if ((pid = find_pid(argv[1])) == 0) {
		fprintf(stderr, "procstat: no process %ls\n", argv[1]);
		return 1;
	}
	h = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, pid);
	if (h == NULL || !GetProcessTimes(h, &created, &exited, &kernel, &user)) {
		fprintf(stderr, "procstat: cannot read process %lu\n",
		    (unsigned long)pid);
		return 1;
	}
	memset(&mem, 0, sizeof(mem));
	mem.cb = sizeof(mem);
	if (!GetProcessMemoryInfo(h, (PROCESS_MEMORY_COUNTERS *)&mem,
	    sizeof(mem)))
		mem.PrivateUsage = mem.WorkingSetSize = 0;
	printf("%lu %llu %llu %llu\n", (unsigned long)pid,
	    ms(kernel) + ms(user), (unsigned long long)mem.PrivateUsage,
	    (unsigned long long)mem.WorkingSetSize);
	CloseHandle(h);
	return 0;
}
