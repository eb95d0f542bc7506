/*
 * winpath.c - Windows paths from the policy, as text; see winpath.h.
 *
 * Case is compared in ASCII only: NTFS folds the rest of Unicode with
 * its own upper-case table, which only the file system has.  The service
 * therefore also compares file ids (service/policyfile.c); this check is
 * the part that needs no file to exist and can be tested in a table.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "winpath.h"

#define TEMP_SUFFIX ".tmp"     /* service/metrics.c writes FILE.tmp first */

static bool
is_sep(char c)
{
	return c == '\\' || c == '/';
}

/* Drop \\?\ or \\.\; *unc when what follows is UNC\server. */
static const char *
skip_prefix(const char *p, bool *unc)
{
	*unc = false;
	if (is_sep(p[0]) && is_sep(p[1]) && (p[2] == '?' || p[2] == '.') &&
	    is_sep(p[3])) {
		p += 4;
		if ((p[0] == 'U' || p[0] == 'u') && (p[1] == 'N' || p[1] == 'n') &&
		    (p[2] == 'C' || p[2] == 'c') && is_sep(p[3])) {
			*unc = true;
			p += 4;
		}
		return p;
	}
	if (is_sep(p[0]) && is_sep(p[1]) && p[2] != '\0' && !is_sep(p[2])) {
		*unc = true;
		p += 2;
	}
	return p;
}

/* Append one component, or take one away for ".."; root is kept. */
static void
add_component(char *out, size_t *n, size_t root, const char *c, size_t len)
{
	if (len == 1 && c[0] == '.')
		return;
	if (len == 2 && c[0] == '.' && c[1] == '.') {
		while (*n > root && out[*n - 1] != '\\')
			(*n)--;
		if (*n > root)
			(*n)--;
		return;
	}
	while (len > 0 && (c[len - 1] == '.' || c[len - 1] == ' '))
		len--;
	if (len == 0)
		return;
	if (*n > 0 && out[*n - 1] != '\\')
		out[(*n)++] = '\\';
	memcpy(out + *n, c, len);
	*n += len;
}

bool
winpath_absolute(const char *path)
{
	bool unc;
	const char *p = skip_prefix(path, &unc);
	int shares = 0;

	if (!unc)
		return isalpha((unsigned char)p[0]) && p[1] == ':' &&
		    is_sep(p[2]);
	/* \\server\share: two components that are not empty. */
	while (*p != '\0' && shares < 2) {
		if (!is_sep(*p)) {
			shares++;
			while (*p != '\0' && !is_sep(*p))
				p++;
		}
		while (is_sep(*p))
			p++;
	}
	return shares == 2;
}

char *
winpath_normalize(const char *path)
{
	bool unc;
	const char *p = skip_prefix(path, &unc), *c;
	size_t n = 0, root, shares = 0;
	char *out;

	if (!unc && !(isalpha((unsigned char)p[0]) && p[1] == ':' &&
	    is_sep(p[2])))
		return NULL;
	if ((out = malloc(strlen(path) + 4)) == NULL)
		return NULL;
	if (unc) {
		/* \\server\share is the root; ".." never climbs above it. */
		out[n++] = '\\';
		out[n++] = '\\';
		while (*p != '\0' && shares < 2) {
			for (c = p; *p != '\0' && !is_sep(*p); p++)
				;
			if (p > c) {
				if (shares++ > 0)
					out[n++] = '\\';
				memcpy(out + n, c, (size_t)(p - c));
				n += (size_t)(p - c);
			}
			while (is_sep(*p))
				p++;
		}
		if (shares < 2) {
			free(out);
			return NULL;
		}
	} else {
		out[n++] = p[0];
		out[n++] = ':';
		p += 3;
	}
	root = n;
	out[n++] = '\\';
	while (*p != '\0') {
		for (c = p; *p != '\0' && !is_sep(*p); p++)
			;
		add_component(out, &n, root + 1, c, (size_t)(p - c));
		while (is_sep(*p))
			p++;
	}
	if (n > root + 1 && out[n - 1] == '\\')
		n--;
	out[n] = '\0';
	return out;
}

bool
winpath_same(const char *a, const char *b)
{
	char *x = winpath_normalize(a), *y = winpath_normalize(b);
	bool same = x != NULL && y != NULL && ascii_equal_nocase(x, y);

	free(x);
	free(y);
	return same;
}

/* Characters no Win32 file name may hold (besides the drive's colon). */
static const char *
bad_char(const char *p)
{
	const char *s = p;

	if (isalpha((unsigned char)s[0]) && s[1] == ':')
		s += 2;
	else if (is_sep(s[0]) && is_sep(s[1]) && s[2] == '?' && is_sep(s[3]))
		s += 4 + (isalpha((unsigned char)s[4]) && s[5] == ':' ? 2 : 0);
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || strchr("<>\"|?*:", *s) != NULL)
			return s;
	return NULL;
}

/*
 * A DOS device name (CON, NUL.txt, com1 ...): Win32 opens the device,
 * whatever the folder, on every Windows before 11.
 */
static bool
is_device(const char *name)
{
	static const char *const devices[] = { "CON", "PRN", "AUX", "NUL",
	    "CONIN$", "CONOUT$" };
	char base[8];
	size_t n = 0, i;

	while (name[n] != '\0' && name[n] != '.' && n < sizeof(base) - 1) {
		base[n] = name[n];
		n++;
	}
	if (name[n] != '\0' && name[n] != '.')
		return false;
	while (n > 0 && base[n - 1] == ' ')
		n--;
	base[n] = '\0';
	for (i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
		if (ascii_equal_nocase(base, devices[i]))
			return true;
	/* COM1-COM9, and COM¹ COM² COM³ (UTF-8 C2 B9, C2 B2, C2 B3), which
	 * Windows reads as digits too; likewise LPT. */
	if (n == 4 && base[3] >= '1' && base[3] <= '9')
		base[3] = '\0';
	else if (n == 5 && (unsigned char)base[3] == 0xC2 &&
	    ((unsigned char)base[4] == 0xB9 || (unsigned char)base[4] == 0xB2 ||
	    (unsigned char)base[4] == 0xB3))
		base[3] = '\0';
	else
		return false;
	return ascii_equal_nocase(base, "COM") || ascii_equal_nocase(base, "LPT");
}

/* The folder part of a normalized path, as a new string. */
static char *
folder_of(const char *norm)
{
	const char *slash = strrchr(norm, '\\');
	size_t n = slash != NULL ? (size_t)(slash - norm) : 0;
	char *out = malloc(n + 2);

	if (out == NULL)
		return NULL;
	memcpy(out, norm, n);
	if (n == 2 && norm[1] == ':')
		out[n++] = '\\';
	out[n] = '\0';
	return out;
}

static int
compare_with_policy(const char *m, const char *policy, char *why, size_t len)
{
	char *pol, *tmp = NULL, *dir = NULL;
	int rc = 0;

	if (!winpath_absolute(policy))
		return 0;               /* unknown: the service checks */
	if ((pol = winpath_normalize(policy)) == NULL ||
	    (tmp = malloc(strlen(m) + sizeof(TEMP_SUFFIX))) == NULL ||
	    (dir = folder_of(pol)) == NULL) {
		rc = -1;
		snprintf(why, len, "cannot be checked: out of memory");
	} else if (ascii_equal_nocase(m, pol)) {
		rc = -1;
		snprintf(why, len, "is the policy file itself (%s)", policy);
	} else if (sprintf(tmp, "%s%s", m, TEMP_SUFFIX) > 0 &&
	    ascii_equal_nocase(tmp, pol)) {
		rc = -1;
		snprintf(why, len, "would replace the policy file with its "
		    "temporary file %s", tmp);
	} else if (ascii_equal_nocase(m, dir)) {
		rc = -1;
		snprintf(why, len, "is the policy file's folder");
	}
	free(pol);
	free(tmp);
	free(dir);
	return rc;
}

int
winpath_check_metrics(const char *metrics, const char *policy_path,
    char *why, size_t len)
{
	size_t n = strlen(metrics);
	const char *bad;
	char *m;
	int rc;

	if (is_sep(metrics[0]) && is_sep(metrics[1]) && metrics[2] == '.' &&
	    is_sep(metrics[3])) {
		snprintf(why, len, "names a device path (\\\\.\\)");
		return -1;
	}
	if (n > 0 && is_sep(metrics[n - 1])) {
		snprintf(why, len, "names a folder; give a file name");
		return -1;
	}
	if ((bad = bad_char(metrics)) != NULL) {
		snprintf(why, len, (unsigned char)*bad < 0x20 ?
		    "contains a control character" : *bad == ':' ?
		    "contains ':' after the drive (a data stream or a device)" :
		    "contains '%c', which a file name cannot hold", *bad);
		return -1;
	}
	if (!winpath_absolute(metrics)) {
		snprintf(why, len, "must be an absolute path such as "
		    "C:\\ProgramData\\certbind\\certbind.prom or "
		    "\\\\server\\share\\certbind.prom");
		return -1;
	}
	if ((m = winpath_normalize(metrics)) == NULL) {
		snprintf(why, len, "cannot be checked: out of memory");
		return -1;
	}
	if (m[strlen(m) - 1] == '\\') {
		free(m);
		snprintf(why, len, "names a drive's or share's root folder");
		return -1;
	}
	if (is_device(strrchr(m, '\\') + 1)) {
		free(m);
		snprintf(why, len, "names a device (CON, NUL, COM1, ...)");
		return -1;
	}
	rc = policy_path != NULL ? compare_with_policy(m, policy_path, why,
	    len) : 0;
	free(m);
	return rc;
}
