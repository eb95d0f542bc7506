/*
 * fileid.c - a file's volume and id; see fileid.h.
 *
 * FileIdInfo (128-bit ids, which ReFS needs) is tried first; Wine 8
 * answers only GetFileInformationByHandle's 64-bit index.
 */
#include <windows.h>
#include <string.h>

#include "fileid.h"

bool
file_id_of(const wchar_t *path, struct file_id *out)
{
	BY_HANDLE_FILE_INFORMATION bh;
	FILE_ID_INFO fi;
	HANDLE h;
	bool ok = false;

	/* No access right is needed to read the id; backup semantics let
	 * a folder be opened too. */
	h = CreateFileW(path, FILE_READ_ATTRIBUTES, FILE_SHARE_READ |
	    FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
	    FILE_FLAG_BACKUP_SEMANTICS, NULL);
	if (h == INVALID_HANDLE_VALUE)
		return false;
	memset(out, 0, sizeof(*out));
	if (GetFileInformationByHandleEx(h, FileIdInfo, &fi, sizeof(fi))) {
		out->volume = fi.VolumeSerialNumber;
		memcpy(out->id, &fi.FileId, sizeof(out->id));
		ok = true;
	} else if (GetFileInformationByHandle(h, &bh)) {
		out->volume = bh.dwVolumeSerialNumber;
		memcpy(out->id, &bh.nFileIndexLow, 4);
		memcpy(out->id + 4, &bh.nFileIndexHigh, 4);
		ok = true;
	}
	CloseHandle(h);
	return ok;
}

bool
file_id_equal(const struct file_id *a, const struct file_id *b)
{
	return a->volume == b->volume && memcmp(a->id, b->id, 16) == 0;
}
