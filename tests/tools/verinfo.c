/*
 * verinfo.c - print the VERSIONINFO of an executable as Windows reads it,
 * for tests/integration/test_version.sh.
 *
 *   verinfo FILE
 *       Prints "fixed A.B.C.D A.B.C.D" (FILEVERSION, PRODUCTVERSION from
 *       VS_FIXEDFILEINFO), one "NAME=VALUE" line per string of the block
 *       that VarFileInfo\Translation names first, and "messagetable yes"
 *       or "messagetable no": the Event Log's message table must live in
 *       the same resource section.  Exit 1 when FILE has no VERSIONINFO.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

static const wchar_t *const names[] = {
	L"CompanyName", L"FileDescription", L"FileVersion", L"InternalName",
	L"LegalCopyright", L"OriginalFilename", L"ProductName",
	L"ProductVersion",
};

struct translation {
	WORD language;
	WORD codepage;
};

/* The four 16-bit numbers of a version, as "A.B.C.D". */
static void
print_version(DWORD ms, DWORD ls)
{
	printf("%u.%u.%u.%u", (unsigned)HIWORD(ms), (unsigned)LOWORD(ms),
	    (unsigned)HIWORD(ls), (unsigned)LOWORD(ls));
}

static void
print_fixed(void *info)
{
	VS_FIXEDFILEINFO *f;
	UINT len;

	if (!VerQueryValueW(info, L"\\", (void **)&f, &len) ||
	    len < sizeof(*f) || f->dwSignature != 0xFEEF04BD) {
		printf("fixed none\n");
		return;
	}
	printf("fixed ");
	print_version(f->dwFileVersionMS, f->dwFileVersionLS);
	printf(" ");
	print_version(f->dwProductVersionMS, f->dwProductVersionLS);
	printf("\n");
}

static void
print_strings(void *info)
{
	struct translation *t;
	wchar_t key[128], *value;
	UINT len;
	size_t i;

	if (!VerQueryValueW(info, L"\\VarFileInfo\\Translation", (void **)&t,
	    &len) || len < sizeof(*t)) {
		printf("translation none\n");
		return;
	}
	printf("translation %04X%04X\n", t->language, t->codepage);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		swprintf(key, 128, L"\\StringFileInfo\\%04X%04X\\%ls",
		    t->language, t->codepage, names[i]);
		if (VerQueryValueW(info, key, (void **)&value, &len) && len > 0)
			printf("%ls=%.*ls\n", names[i], (int)len, value);
		else
			printf("%ls missing\n", names[i]);
	}
}

static void
print_messagetable(const wchar_t *file)
{
	HMODULE m = LoadLibraryExW(file, NULL, LOAD_LIBRARY_AS_DATAFILE);

	printf("messagetable %s\n", m != NULL &&
	    FindResourceW(m, MAKEINTRESOURCEW(1), (LPCWSTR)RT_MESSAGETABLE) ?
	    "yes" : "no");
	if (m != NULL)
		FreeLibrary(m);
}

int
wmain(int argc, wchar_t **argv)
{
	DWORD handle, size;
	void *info;

	if (argc != 2) {
		fprintf(stderr, "usage: verinfo FILE\n");
		return 2;
	}
	size = GetFileVersionInfoSizeW(argv[1], &handle);
	if (size == 0 || (info = malloc(size)) == NULL ||
	    !GetFileVersionInfoW(argv[1], 0, size, info)) {
		fprintf(stderr, "verinfo: no VERSIONINFO in %ls (error %lu)\n",
		    argv[1], GetLastError());
		return 1;
	}
	print_fixed(info);
	print_strings(info);
	print_messagetable(argv[1]);
	free(info);
	return 0;
}
