/*
 * regval.c - registry values as counted data; see regval.h.
 */
#include <stdlib.h>
#include <string.h>

#include "regval.h"

LONG
regval_sz(const BYTE *data, DWORD len, wchar_t **out)
{
	size_t n = len / sizeof(wchar_t), i;
	wchar_t *s;

	*out = NULL;
	if (len % sizeof(wchar_t) != 0)
		return ERROR_INVALID_DATA;
	if ((s = malloc((n + 1) * sizeof(wchar_t))) == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	memcpy(s, data, n * sizeof(wchar_t));
	while (n > 0 && s[n - 1] == L'\0')
		n--;
	for (i = 0; i < n; i++) {
		if (s[i] == L'\0') {
			free(s);
			return ERROR_INVALID_DATA;
		}
	}
	s[n] = L'\0';
	*out = s;
	return ERROR_SUCCESS;
}

