/*
 * squat.c - hold a kernel object under the name of certbind's writer lock,
 * as another account could, for tests/integration/test_concurrency.sh.
 *
 *   squat mutex|event SECONDS [SDDL]
 *       Creates Global\CertBindHttpSysWriter as a mutex (owned by this
 *       process) or as an event, with the security descriptor SDDL when
 *       given (e.g. "O:BUD:(A;;GA;;;WD)" for an owner that is not an
 *       administrator), prints "held" and keeps it for SECONDS.
 */
#include <windows.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#define LOCK_NAME L"Global\\CertBindHttpSysWriter"

int
wmain(int argc, wchar_t **argv)
{
	SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, FALSE };
	HANDLE h;

	if (argc < 3 || (wcscmp(argv[1], L"mutex") != 0 &&
	    wcscmp(argv[1], L"event") != 0)) {
		fprintf(stderr, "usage: squat mutex|event SECONDS [SDDL]\n");
		return 2;
	}
	if (argc > 3 && !ConvertStringSecurityDescriptorToSecurityDescriptorW(
	    argv[3], SDDL_REVISION_1, &sa.lpSecurityDescriptor, NULL)) {
		fprintf(stderr, "squat: bad SDDL (error %lu)\n", GetLastError());
		return 1;
	}
	if (argv[1][0] == L'm')
		h = CreateMutexW(&sa, TRUE, LOCK_NAME);
	else
		h = CreateEventW(&sa, TRUE, FALSE, LOCK_NAME);
	if (h == NULL) {
		fprintf(stderr, "squat: cannot create (error %lu)\n",
		    GetLastError());
		return 1;
	}
	printf("held\n");
	fflush(stdout);
	Sleep((DWORD)wcstoul(argv[2], NULL, 10) * 1000);
	CloseHandle(h);
	return 0;
}
