/*
 * customaction.c - the MSI's custom actions (certbind-ca.dll, in the
 * package's Binary table): check a POLICY= file with certbind's own policy
 * loader before anything is installed, copy it in, and make
 * ProgramData\certbind writable by SYSTEM and Administrators only.
 *
 * A DLL, not certbind.exe run as a custom action, because Windows
 * Installer does not log what an exe prints: MsiProcessMessage puts the
 * loader's FILE:LINE:COL message in the install log (msiexec /l*v) and,
 * with a user interface, in front of the administrator.
 *
 *   RefuseDowngrade  immediate, after FindRelatedProducts: the same or a
 *                    newer certbind is installed (CERTBIND_SAME_OR_NEWER);
 *                    says which, and fails the install.  The package's
 *                    LaunchCondition says so too, but Wine's msiexec does
 *                    not log a launch condition's message.
 *   CheckPolicy      immediate, after CostFinalize: checks POLICY, when
 *                    given on a first install; an invalid one fails the
 *                    install before anything is written.  Sets the data of
 *                    the actions below: the policy folder, and what to
 *                    copy into it when it has no policy (POLICY, or the
 *                    example installed as policy.example.yaml).
 *   LockPolicyFolder deferred, as LocalSystem: creates the policy folder,
 *                    or takes over one that is there, with the owner and
 *                    DACL `certbind service install` gives a folder it
 *                    creates (POLICY_FOLDER_SDDL, nothing inherited).  No
 *                    MSI component owns the folder, so removing certbind
 *                    leaves it and what is in it.
 *   CopyPolicy       deferred, as LocalSystem: reads and checks the file
 *                    again (one on a share may have changed since) and
 *                    writes it as the policy, only if none is there.
 *   UndoCopyPolicy   rollback: removes the policy CopyPolicy wrote.
 */
#include <windows.h>
#include <aclapi.h>
#include <msi.h>
#include <msiquery.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../core/policy.h"
#include "../core/yaml_tree.h"
#include "../service/longpath.h"
#include "../service/policyacl.h"
#include "../service/winerr.h"
#include "../service/wstr.h"

#define POLICY_NAME L"policy.yaml"
#define EXAMPLE_NAME L"policy.example.yaml"
/* The folder's owner: its owner could always change its DACL again. */
#define POLICY_FOLDER_OWNER L"O:BA"
/* Paths cannot hold control characters, so a newline separates two. */
#define DATA_SEP L'\n'

/* --- talking to Windows Installer -------------------------------------- */

/* Put "certbind: text" in the install log (and, for an error, in front
 * of the user when there is a user interface). */
static void
tell(MSIHANDLE h, INSTALLMESSAGE kind, const wchar_t *text)
{
	MSIHANDLE rec = MsiCreateRecord(1);

	if (rec == 0)
		return;
	MsiRecordSetStringW(rec, 0, L"certbind: [1]");
	MsiRecordSetStringW(rec, 1, text);
	MsiProcessMessage(h, kind == INSTALLMESSAGE_ERROR ?
	    (INSTALLMESSAGE)(INSTALLMESSAGE_ERROR | MB_OK | MB_ICONERROR) :
	    kind, rec);
	MsiCloseHandle(rec);
}

/* tell(), with a printf format (%ls for wide strings). */
static void
tellf(MSIHANDLE h, INSTALLMESSAGE kind, const wchar_t *fmt, ...)
{
	wchar_t *text;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = _vscwprintf(fmt, ap);
	va_end(ap);
	if (n < 0 || (text = malloc((n + 1) * sizeof(wchar_t))) == NULL) {
		tell(h, kind, fmt);
		return;
	}
	va_start(ap, fmt);
	_vsnwprintf(text, n + 1, fmt, ap);
	va_end(ap);
	text[n] = L'\0';
	tell(h, kind, text);
	free(text);
}

/* Tell "PATH WHAT: why (error N)" as an error. */
static void
tell_failure(MSIHANDLE h, const wchar_t *path, const wchar_t *what,
    DWORD code)
{
	char why[512];
	wchar_t *wwhy = wide_from_utf8(win_strerror(code, why, sizeof(why)));

	tellf(h, INSTALLMESSAGE_ERROR, L"%ls %ls: %ls", path, what,
	    wwhy != NULL ? wwhy : L"out of memory");
	free(wwhy);
}

/*
 * A string Windows Installer fills into a counted buffer: a property of
 * the running install (product NULL) or a product's installed property.
 */
struct msi_query {
	MSIHANDLE h;
	const wchar_t *product;
	const wchar_t *name;
};

/*
 * The query's whole string, however long: the buffer grows to the length
 * Windows Installer asks for.  NULL when out of memory; else *rc is the
 * call's result, and the string is "" unless it is ERROR_SUCCESS.
 */
static wchar_t *
msi_string(const struct msi_query *q, UINT *rc)
{
	wchar_t *v = NULL, *grown;
	DWORD n = 0;

	for (;;) {
		if ((grown = realloc(v, (n + 1) * sizeof(wchar_t))) == NULL) {
			free(v);
			return NULL;
		}
		v = grown;
		n++;
		*rc = q->product != NULL ?
		    MsiGetProductInfoW(q->product, q->name, v, &n) :
		    MsiGetPropertyW(q->h, q->name, v, &n);
		if (*rc != ERROR_MORE_DATA) {
			if (*rc != ERROR_SUCCESS)
				v[0] = L'\0';
			return v;
		}
	}
}

/*
 * A property's whole value, however long; NULL when out of memory.  An
 * unset property is "".
 */
static wchar_t *
property(MSIHANDLE h, const wchar_t *name)
{
	struct msi_query q = { h, NULL, name };
	UINT rc;

	return msi_string(&q, &rc);
}

/* a followed by b, as a new string; NULL when out of memory. */
static wchar_t *
join(const wchar_t *a, const wchar_t *b)
{
	return longpath_append(a, b);
}

/* --- the policy ---------------------------------------------------------- */

static int
is_folder(const wchar_t *path)
{
	DWORD attr = GetFileAttributesW(path);

	return attr != INVALID_FILE_ATTRIBUTES &&
	    (attr & FILE_ATTRIBUTE_DIRECTORY) != 0;
}

/*
 * Read the policy at path (as given) and check it as `certbind check`
 * does: its bytes (len of them) for the caller to write and free, or NULL
 * after telling what is wrong.  Only one byte past the loader's limit is
 * read: core/ refuses the file by its size.
 */
static char *
read_checked(MSIHANDLE h, const wchar_t *path, size_t *len)
{
	struct policy policy;
	struct cb_error err;
	char *upath = utf8_from_wide(path), *buf = NULL, msg[1024];
	wchar_t *whole;
	HANDLE f = INVALID_HANDLE_VALUE;
	DWORD code = 0, got;
	size_t n = 0;

	whole = longpath_whole(path, &code);
	if (upath == NULL || whole == NULL ||
	    (buf = malloc(YTREE_MAX_BYTES + 1)) == NULL) {
		tell_failure(h, path, L"cannot be read", code ? code :
		    ERROR_NOT_ENOUGH_MEMORY);
		goto fail;
	}
	f = CreateFileW(whole, GENERIC_READ, FILE_SHARE_READ, NULL,
	    OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	if (f == INVALID_HANDLE_VALUE) {
		/* A folder cannot be opened so: say what it is, not "Access
		 * is denied". */
		if (is_folder(whole))
			tellf(h, INSTALLMESSAGE_ERROR, L"%ls is a folder, not a "
			    L"policy file", path);
		else
			tell_failure(h, path, L"cannot be opened", GetLastError());
		goto fail;
	}
	/* A pipe or a device could hold the install open for ever. */
	if (GetFileType(f) != FILE_TYPE_DISK) {
		tellf(h, INSTALLMESSAGE_ERROR, L"%ls is not a file", path);
		goto fail;
	}
	while (n < YTREE_MAX_BYTES + 1) {
		if (!ReadFile(f, buf + n, (DWORD)(YTREE_MAX_BYTES + 1 - n), &got,
		    NULL)) {
			tell_failure(h, path, L"cannot be read", GetLastError());
			goto fail;
		}
		if (got == 0)
			break;
		n += got;
	}
	if (policy_parse(upath, buf, n, &policy, &err) != 0) {
		/* UTF-8, as the path and the policy's text may be. */
		wchar_t *wmsg = wide_from_utf8(cb_error_format(&err, msg,
		    sizeof(msg)));

		tell(h, INSTALLMESSAGE_ERROR, wmsg != NULL ? wmsg :
		    L"the policy is invalid");
		free(wmsg);
		goto fail;
	}
	tellf(h, INSTALLMESSAGE_INFO, L"%ls: valid policy with %lu binding%ls",
	    path, (unsigned long)policy.nbindings,
	    policy.nbindings == 1 ? L"" : L"s");
	policy_free(&policy);
	CloseHandle(f);
	free(whole);
	free(upath);
	*len = n;
	return buf;
fail:
	if (f != INVALID_HANDLE_VALUE)
		CloseHandle(f);
	free(whole);
	free(upath);
	free(buf);
	return NULL;
}

/* Write len bytes to a new file at path; 0 or a Win32 error (ERROR_
 * FILE_EXISTS when a file is there: it is left alone). */
static DWORD
write_new(const wchar_t *path, const char *buf, size_t len)
{
	HANDLE f;
	DWORD put, e = 0;
	size_t done = 0;

	f = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_NEW,
	    FILE_ATTRIBUTE_NORMAL, NULL);
	if (f == INVALID_HANDLE_VALUE)
		return GetLastError();
	while (done < len && e == 0) {
		if (!WriteFile(f, buf + done, (DWORD)(len - done), &put, NULL))
			e = GetLastError();
		done += put;
	}
	if (e == 0 && !FlushFileBuffers(f))
		e = GetLastError();
	CloseHandle(f);
	if (e != 0)
		DeleteFileW(path);
	return e;
}

/* --- the actions ------------------------------------------------------- */

/* The version of the installed product code, whole; NULL if unknown. */
static wchar_t *
product_version(const wchar_t *code)
{
	struct msi_query q = { 0, code, INSTALLPROPERTY_VERSIONSTRING };
	wchar_t *v;
	UINT rc;

	if ((v = msi_string(&q, &rc)) != NULL && rc != ERROR_SUCCESS) {
		free(v);
		v = NULL;
	}
	return v;
}

UINT WINAPI
RefuseDowngrade(MSIHANDLE h)
{
	wchar_t *found = property(h, L"CERTBIND_SAME_OR_NEWER");
	wchar_t *mine = property(h, L"ProductVersion");
	wchar_t *version = NULL, *end;

	if (found == NULL || mine == NULL) {
		tell(h, INSTALLMESSAGE_ERROR, L"out of memory");
		free(found);
		free(mine);
		return ERROR_INSTALL_FAILURE;
	}
	/* A list of product codes; the first one is named. */
	if ((end = wcschr(found, L';')) != NULL)
		*end = L'\0';
	version = product_version(found);
	tellf(h, INSTALLMESSAGE_ERROR, L"certbind %ls is already installed "
	    L"(%ls), and this package is certbind %ls: a package replaces only "
	    L"an older version.  To go back to this version, remove the "
	    L"installed one first (the policy stays).",
	    version != NULL ? version : L"(version unknown)", found, mine);
	free(found);
	free(mine);
	free(version);
	return ERROR_INSTALL_FAILURE;
}

/*
 * The file to copy in when the folder has no policy: POLICY on a first
 * install, checked now; else the example.  NULL when nothing is to be
 * copied, with *rc ERROR_INSTALL_FAILURE when POLICY is invalid.
 */
static wchar_t *
source(MSIHANDLE h, const wchar_t *dst, UINT *rc)
{
	wchar_t *given = property(h, L"POLICY");
	wchar_t *installed = property(h, L"Installed");
	wchar_t *program = property(h, L"INSTALLFOLDER");
	wchar_t *src = NULL;
	char *buf = NULL;
	size_t len;

	*rc = ERROR_SUCCESS;
	if (given == NULL || installed == NULL || program == NULL) {
		tell(h, INSTALLMESSAGE_ERROR, L"out of memory");
		*rc = ERROR_INSTALL_FAILURE;
	} else if (given[0] != L'\0' && installed[0] != L'\0')
		tellf(h, INSTALLMESSAGE_INFO, L"POLICY=%ls is not read: it is "
		    L"for a first install only", given);
	else if (given[0] != L'\0' &&
	    (buf = read_checked(h, given, &len)) == NULL)
		*rc = ERROR_INSTALL_FAILURE;
	else if (GetFileAttributesW(dst) != INVALID_FILE_ATTRIBUTES) {
		if (given[0] != L'\0')
			tellf(h, INSTALLMESSAGE_WARNING, L"%ls is already there "
			    L"and is kept; POLICY=%ls is not copied over it", dst,
			    given);
	} else if (given[0] != L'\0') {
		src = given;
		given = NULL;
	} else
		src = join(program, EXAMPLE_NAME);
	free(given);
	free(installed);
	free(program);
	free(buf);
	return src;
}

UINT WINAPI
CheckPolicy(MSIHANDLE h)
{
	wchar_t *folder = property(h, L"PolicyFolder");
	wchar_t *dst = NULL, *src = NULL, *head = NULL, *data = NULL;
	UINT rc = ERROR_INSTALL_FAILURE;

	if (folder == NULL || (dst = join(folder, POLICY_NAME)) == NULL) {
		tell(h, INSTALLMESSAGE_ERROR, L"out of memory");
		goto done;
	}
	src = source(h, dst, &rc);
	if (rc != ERROR_SUCCESS)
		goto done;
	MsiSetPropertyW(h, L"LockPolicyFolder", folder);
	if (src == NULL)
		goto done;
	/* CopyPolicy's data: "SOURCE\nPOLICY". */
	if ((head = join(src, L"\n")) == NULL ||
	    (data = join(head, dst)) == NULL) {
		tell(h, INSTALLMESSAGE_ERROR, L"out of memory");
		rc = ERROR_INSTALL_FAILURE;
		goto done;
	}
	MsiSetPropertyW(h, L"CopyPolicy", data);
	MsiSetPropertyW(h, L"UndoCopyPolicy", dst);
done:
	free(folder);
	free(dst);
	free(src);
	free(head);
	free(data);
	return rc;
}

UINT WINAPI
CopyPolicy(MSIHANDLE h)
{
	wchar_t *data = property(h, L"CustomActionData"), *dst;
	UINT rc = ERROR_INSTALL_FAILURE;
	char *buf;
	size_t len;
	DWORD e;

	if (data == NULL || (dst = wcschr(data, DATA_SEP)) == NULL) {
		tell(h, INSTALLMESSAGE_ERROR, L"CopyPolicy: no data");
		free(data);
		return rc;
	}
	*dst++ = L'\0';
	if ((buf = read_checked(h, data, &len)) != NULL) {
		e = write_new(dst, buf, len);
		if (e == 0) {
			tellf(h, INSTALLMESSAGE_INFO, L"%ls copied to %ls", data,
			    dst);
			rc = ERROR_SUCCESS;
		} else if (e == ERROR_FILE_EXISTS) {
			tellf(h, INSTALLMESSAGE_WARNING, L"%ls appeared during the "
			    L"install and is kept", dst);
			rc = ERROR_SUCCESS;
		} else
			tell_failure(h, dst, L"cannot be written", e);
		free(buf);
	}
	free(data);
	return rc;
}

UINT WINAPI
UndoCopyPolicy(MSIHANDLE h)
{
	wchar_t *dst = property(h, L"CustomActionData");

	if (dst != NULL && dst[0] != L'\0') {
		if (DeleteFileW(dst))
			tellf(h, INSTALLMESSAGE_INFO, L"%ls removed", dst);
		else
			tellf(h, INSTALLMESSAGE_WARNING, L"%ls could not be removed "
			    L"(error %lu)", dst, GetLastError());
	}
	free(dst);
	return ERROR_SUCCESS;
}

/*
 * Why the folder open as f cannot be the policy folder, or NULL when it
 * can: a link could send the policy anywhere, and anyone may create a
 * link in ProgramData before certbind is installed.  (Wine 8 shows a Unix
 * symbolic link as a plain folder, so its tests cannot make one.)
 */
static const wchar_t *
unusable(HANDLE f, DWORD *e)
{
	BY_HANDLE_FILE_INFORMATION info;

	if (!GetFileInformationByHandle(f, &info)) {
		*e = GetLastError();
		return NULL;
	}
	if (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)
		return L"is a link (a reparse point); remove it and install again";
	if (!(info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY))
		return L"is a file, not a folder";
	return NULL;
}

/*
 * Create folder with sd, or give the one there sd's owner and DACL; 0 or
 * a Win32 error, with *why set when the folder there cannot be used.
 * The folder there is judged and changed through one handle, opened on
 * the link itself if it is one, so that it cannot be swapped for a link
 * in between.
 */
static DWORD
lock_folder(const wchar_t *folder, PSECURITY_DESCRIPTOR sd,
    const wchar_t **why)
{
	SECURITY_ATTRIBUTES sa = { sizeof(sa), sd, FALSE };
	BOOL present = FALSE, defaulted = FALSE;
	PACL dacl = NULL;
	PSID owner = NULL;
	HANDLE f;
	DWORD e = 0;

	if (CreateDirectoryW(folder, &sa))
		return 0;
	if (GetLastError() != ERROR_ALREADY_EXISTS)
		return GetLastError();
	if (!GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) ||
	    !GetSecurityDescriptorOwner(sd, &owner, &defaulted))
		return GetLastError();
	f = CreateFileW(folder, READ_CONTROL | WRITE_DAC | WRITE_OWNER,
	    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
	    OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS |
	    FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	if (f == INVALID_HANDLE_VALUE)
		return GetLastError();
	if ((*why = unusable(f, &e)) != NULL)
		e = ERROR_BAD_PATHNAME;
	/* PROTECTED: the parent's ACEs (ProgramData lets Users create
	 * files) stop here; files created in it inherit the new ones. */
	else if (e == 0)
		e = SetSecurityInfo(f, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION |
		    DACL_SECURITY_INFORMATION |
		    PROTECTED_DACL_SECURITY_INFORMATION, owner, NULL, dacl, NULL);
	CloseHandle(f);
	return e;
}

UINT WINAPI
LockPolicyFolder(MSIHANDLE h)
{
	wchar_t *folder = property(h, L"CustomActionData");
	PSECURITY_DESCRIPTOR sd = NULL;
	const wchar_t *why = NULL;
	DWORD e = 0;

	if (folder == NULL || folder[0] == L'\0') {
		tell(h, INSTALLMESSAGE_ERROR, L"LockPolicyFolder: no folder");
		free(folder);
		return ERROR_INSTALL_FAILURE;
	}
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(
	    POLICY_FOLDER_OWNER POLICY_FOLDER_SDDL, SDDL_REVISION_1, &sd, NULL))
		e = GetLastError();
	else
		e = lock_folder(folder, sd, &why);
	if (sd != NULL)
		LocalFree(sd);
	if (why != NULL)
		tellf(h, INSTALLMESSAGE_ERROR, L"%ls %ls", folder, why);
	else if (e != 0)
		tell_failure(h, folder, L"cannot be made writable by SYSTEM and "
		    L"Administrators only", e);
	else
		tellf(h, INSTALLMESSAGE_INFO, L"%ls: only SYSTEM and "
		    L"Administrators may change it (%ls)", folder,
		    POLICY_FOLDER_SDDL);
	free(folder);
	return e == 0 ? ERROR_SUCCESS : ERROR_INSTALL_FAILURE;
}
