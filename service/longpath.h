/*
 * longpath.h - paths the file APIs take whole, however long.
 *
 * Win32 file functions stop at MAX_PATH (260) characters unless the path
 * carries the \\?\ prefix (or the process opts in to long paths, which a
 * service cannot count on).  A \\?\ path is passed to the file system as
 * it is, so it must already be absolute and normalized: "/", ".", ".."
 * and trailing dots are not resolved after the prefix.
 */
#ifndef CERTBIND_LONGPATH_H
#define CERTBIND_LONGPATH_H

#include <windows.h>

/*
 * The \\?\ form of an absolute UTF-8 path (C:\... or \\server\share\...),
 * normalized as Win32 would (core/winpath.c).  NULL with *err set when it
 * is not absolute or memory runs out; the caller frees the result.
 */
wchar_t *longpath_from_utf8(const char *path, DWORD *err);

/*
 * The full path of path (relative to the current folder when it is
 * relative), of any length, from GetFullPathNameW.  NULL with *err set;
 * the caller frees the result.
 */
wchar_t *longpath_full(const wchar_t *path, DWORD *err);

/*
 * path (UTF-16, relative or absolute) in a form every file API takes
 * whole: its full path, with the \\?\ prefix when it is too long for the
 * plain form (MAX_PATH less room for a file name in a folder).  NULL with
 * *err set; the caller frees the result.
 */
wchar_t *longpath_whole(const wchar_t *path, DWORD *err);

/* s followed by suffix, as a new string; NULL when out of memory. */
wchar_t *longpath_append(const wchar_t *s, const wchar_t *suffix);

/*
 * The folder of an absolute path (plain or \\?\), as a new string: a
 * root keeps its backslash ("C:\", "\\?\C:\"), since "C:" alone means
 * the current folder on drive C.  NULL when full has no backslash or
 * memory runs out.
 */
wchar_t *longpath_folder(const wchar_t *full);

#endif
