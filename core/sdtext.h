/*
 * sdtext.h - reading the pieces of a security descriptor in SDDL that
 * acl.c (who may change the policy) and dacl.c (who may read a private
 * key) both need: SIDs and their aliases, access masks, ACE flags, where
 * an ACE and a part end, a DACL's flags.  Nothing here judges; each
 * function reads one piece and says -1 when it cannot.
 */
#ifndef CERTBIND_SDTEXT_H
#define CERTBIND_SDTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDT_SID_MAX 192               /* longest SID string accepted */

/* Access mask bits (winnt.h) that both readers name. */
#define SDT_GENERIC_ALL 0x10000000u
#define SDT_GENERIC_EXECUTE 0x20000000u
#define SDT_GENERIC_WRITE 0x40000000u
#define SDT_GENERIC_READ 0x80000000u
#define SDT_FILE_ALL 0x001F01FFu
#define SDT_FILE_READ 0x00120089u     /* FILE_GENERIC_READ */
#define SDT_FILE_WRITE 0x00120116u
#define SDT_FILE_EXEC 0x001200A0u

/* ACE flags (sdtext_ace_flags). */
enum {
	SDT_ACE_INHERIT_ONLY = 1 << 0,     /* IO: does not apply here */
	SDT_ACE_INHERITED = 1 << 1         /* ID: not an explicit entry */
};

/*
 * The SID string or alias s (n chars) to out: "S-1-..." for a SID and
 * for the aliases of fixed SIDs ("NS" -> "S-1-5-20"); other two-letter
 * aliases (LA, DA, EA and the rest, whose SIDs depend on the machine or
 * domain) are kept as they are.  -1 for anything else.
 */
int sdtext_sid(const char *s, size_t n, char out[SDT_SID_MAX + 1]);

/*
 * An ACE's rights: a hex or decimal number, or two-letter codes (GA GR
 * GW GX, FA FR FW FX, KA KR KW KX, SD RC WD WO, the directory-service
 * letters, MA).  Generic bits are kept as they are.
 */
int sdtext_rights(const char *s, size_t n, uint32_t *out);

/* An ACE's two-letter flags ("OICIID") to SDT_ACE_* bits. */
int sdtext_ace_flags(const char *s, size_t n, unsigned *out);

/*
 * The fields of one ACE between its parentheses: type;flags;rights;
 * object;inherit object;sid.  The SID ends at ';' or at the end; what
 * follows it (a callback ACE's condition) starts at *rest, or *rest is
 * NULL.  -1 when there are fewer than six fields.
 */
struct sdtext_fields {
	const char *f[6];
	size_t len[6];
	const char *rest;
};

int sdtext_ace_split(const char *s, size_t n, struct sdtext_fields *out);

/*
 * The ')' that closes the ACE opening at p, or NULL.  A conditional
 * (callback) ACE carries its condition in parentheses of its own, with
 * strings that may hold any character: (XA;;FA;;;WD;(Title == ")")).
 */
const char *sdtext_ace_end(const char *p);

/* The length of an O:, G: or S: part's text at p, to the next part. */
size_t sdtext_part_length(const char *p);

/*
 * A DACL's flags at p (after "D:"): P, AI, AR and NO_ACCESS_CONTROL, up
 * to the first ACE, the next part or the end.  Returns how many chars
 * they take, or -1 for anything else; *null_dacl for NO_ACCESS_CONTROL.
 */
int sdtext_dacl_flags(const char *p, bool *null_dacl);

/* Whether p starts the next part: "O:", "G:", "D:" or "S:". */
bool sdtext_part_start(const char *p);

#endif
