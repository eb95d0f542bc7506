/*
 * sdtext.c - read the pieces of an SDDL string; see sdtext.h.
 *
 * The grammar is Microsoft's "Security Descriptor String Format" and
 * "ACE Strings" pages.  Only what certbind reads is accepted: a piece
 * outside it is refused rather than guessed at, as the descriptors come
 * from files and keys other programs may have written.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sdtext.h"

static const struct { const char *code; uint32_t bits; } right_codes[] = {
	{ "GA", SDT_GENERIC_ALL }, { "GR", SDT_GENERIC_READ },
	{ "GW", SDT_GENERIC_WRITE }, { "GX", SDT_GENERIC_EXECUTE },
	{ "FA", SDT_FILE_ALL }, { "FR", SDT_FILE_READ },
	{ "FW", SDT_FILE_WRITE }, { "FX", SDT_FILE_EXEC },
	{ "SD", 0x00010000u }, { "RC", 0x00020000u }, { "WD", 0x00040000u },
	{ "WO", 0x00080000u },
	{ "CC", 0x1 }, { "DC", 0x2 }, { "LC", 0x4 }, { "SW", 0x8 },
	{ "RP", 0x10 }, { "WP", 0x20 }, { "DT", 0x40 }, { "LO", 0x80 },
	{ "CR", 0x100 },
	{ "KA", 0x000F003Fu }, { "KR", 0x00020019u }, { "KW", 0x00020006u },
	{ "KX", 0x00020019u }, { "MA", 0x02000000u },
};

static const struct { const char *alias, *sid; } sid_aliases[] = {
	{ "SY", "S-1-5-18" }, { "BA", "S-1-5-32-544" },
	{ "BU", "S-1-5-32-545" }, { "BG", "S-1-5-32-546" },
	{ "PU", "S-1-5-32-547" }, { "WD", "S-1-1-0" }, { "AU", "S-1-5-11" },
	{ "IU", "S-1-5-4" }, { "NU", "S-1-5-2" }, { "SU", "S-1-5-6" },
	{ "AN", "S-1-5-7" }, { "LS", "S-1-5-19" }, { "NS", "S-1-5-20" },
	{ "CO", "S-1-3-0" }, { "CG", "S-1-3-1" }, { "OW", "S-1-3-4" },
	{ "AC", "S-1-15-2-1" }, { "RD", "S-1-5-32-555" },
	{ "RU", "S-1-5-32-554" }, { "PS", "S-1-5-10" }, { "IS", "S-1-5-32-568" },
	{ "TI", "S-1-5-80-956008885-3418522649-1831038044-1853292631-"
	  "2271478464" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int
sdtext_sid(const char *s, size_t n, char out[SDT_SID_MAX + 1])
{
	size_t i;

	if (n == 2) {
		for (i = 0; i < COUNT(sid_aliases); i++)
			if (strncmp(s, sid_aliases[i].alias, 2) == 0) {
				strcpy(out, sid_aliases[i].sid);
				return 0;
			}
		if (!isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1]))
			return -1;
		memcpy(out, s, 2);
		out[2] = '\0';
		return 0;
	}
	/* Windows reads "s-1-..." as well; it is kept as "S-1-...". */
	if (n < 4 || n > SDT_SID_MAX || (s[0] != 'S' && s[0] != 's') ||
	    strncmp(s + 1, "-1-", 3) != 0)
		return -1;
	/* An identifier authority of 2^32 or more is written in hex. */
	for (i = 4; i < n; i++)
		if (s[i] != '-' && s[i] != 'x' && s[i] != 'X' &&
		    !isxdigit((unsigned char)s[i]))
			return -1;
	memcpy(out, s, n);
	out[0] = 'S';
	out[n] = '\0';
	return 0;
}

int
sdtext_rights(const char *s, size_t n, uint32_t *out)
{
	char buf[16], *end;
	size_t i;

	*out = 0;
	if (n > 0 && isdigit((unsigned char)s[0])) {
		unsigned long long v;

		if (n >= sizeof(buf))
			return -1;
		memcpy(buf, s, n);
		buf[n] = '\0';
		v = strtoull(buf, &end, 0);
		if (*end != '\0' || v > 0xffffffffu)
			return -1;
		*out = (uint32_t)v;
		return 0;
	}
	if (n % 2 != 0)
		return -1;
	for (; n > 0; s += 2, n -= 2) {
		for (i = 0; i < COUNT(right_codes); i++)
			if (strncmp(s, right_codes[i].code, 2) == 0)
				break;
		if (i == COUNT(right_codes))
			return -1;
		*out |= right_codes[i].bits;
	}
	return 0;
}

int
sdtext_ace_flags(const char *s, size_t n, unsigned *out)
{
	static const char *const known[] = { "OI", "CI", "NP", "IO", "ID",
	    "SA", "FA", "TP", "CR" };
	size_t i;

	*out = 0;
	if (n % 2 != 0)
		return -1;
	for (; n > 0; s += 2, n -= 2) {
		for (i = 0; i < COUNT(known); i++)
			if (strncmp(s, known[i], 2) == 0)
				break;
		if (i == COUNT(known))
			return -1;
		if (strncmp(s, "IO", 2) == 0)
			*out |= SDT_ACE_INHERIT_ONLY;
		if (strncmp(s, "ID", 2) == 0)
			*out |= SDT_ACE_INHERITED;
	}
	return 0;
}

int
sdtext_ace_split(const char *s, size_t n, struct sdtext_fields *out)
{
	const char *p = s, *end = s + n;
	size_t k = 0;

	out->rest = NULL;
	while (k < 6) {
		const char *semi = memchr(p, ';', (size_t)(end - p));

		out->f[k] = p;
		out->len[k] = (size_t)((semi != NULL ? semi : end) - p);
		k++;
		if (semi == NULL)
			break;
		p = semi + 1;
		if (k == 6)
			out->rest = p;
	}
	return k < 6 ? -1 : 0;
}

const char *
sdtext_ace_end(const char *p)
{
	int depth = 0;
	bool quoted = false;

	for (; *p != '\0'; p++) {
		if (quoted) {
			if (*p == '"')
				quoted = false;
		} else if (*p == '"')
			quoted = true;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p;
	}
	return NULL;
}

bool
sdtext_part_start(const char *p)
{
	return p[0] != '\0' && p[1] == ':' && strchr("OGDS", p[0]) != NULL;
}

size_t
sdtext_part_length(const char *p)
{
	size_t n = 0;
	int depth = 0;

	for (; p[n] != '\0'; n++) {
		if (p[n] == '(')
			depth++;
		else if (p[n] == ')' && depth > 0)
			depth--;
		else if (depth == 0 && sdtext_part_start(p + n))
			break;
	}
	return n;
}

int
sdtext_dacl_flags(const char *p, bool *null_dacl)
{
	static const char *const flags[] = { "NO_ACCESS_CONTROL", "AI", "AR",
	    "P" };
	const char *s = p;
	size_t i;

	*null_dacl = false;
	while (*s != '\0' && *s != '(' && !sdtext_part_start(s)) {
		for (i = 0; i < COUNT(flags); i++)
			if (strncmp(s, flags[i], strlen(flags[i])) == 0)
				break;
		if (i == COUNT(flags))
			return -1;
		if (i == 0)
			*null_dacl = true;
		s += strlen(flags[i]);
	}
	return (int)(s - p);
}
