/*
 * regval.h - registry values as counted data: the registry stores a
 * REG_SZ's bytes as they were written, with or without a NUL, and with
 * any NUL inside them.
 */
#ifndef CERTBIND_REGVAL_H
#define CERTBIND_REGVAL_H

#include <windows.h>

/*
 * REG_SZ data of len bytes as a malloc'd NUL-terminated wide string in
 * *out.  NULs at the end are the terminator (there may be none, or more
 * than one); a NUL with text after it would hide that text from every
 * reader that stops at it, so it is ERROR_INVALID_DATA, as is an odd
 * length.
 */
LONG regval_sz(const BYTE *data, DWORD len, wchar_t **out);

#endif
