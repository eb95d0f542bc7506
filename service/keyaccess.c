/*
 * keyaccess.c - give the accounts a binding names read access to its
 * certificate's private key; see keyaccess.h.
 *
 * The key is opened in the provider that keeps it
 * (CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG), its DACL read, converted to
 * SDDL, merged by core/dacl.c (which only adds), converted back and
 * written: for a CNG key with NCryptGetProperty/NCryptSetProperty of
 * NCRYPT_SECURITY_DESCR_PROPERTY, for a CryptoAPI key container with
 * CryptGetProvParam/CryptSetProvParam of PP_KEYSET_SEC_DESCR, both with
 * DACL_SECURITY_INFORMATION only, so that the owner, group and SACL are
 * never touched.  The DACL is read back after the write: a provider
 * that takes the call and keeps nothing fails the grant.
 *
 * Wine 8: the CryptoAPI path works end to end (rsaenh keeps the key
 * container's descriptor and gives it back), once per key: a second
 * CryptSetProvParam on the same container fails with NTE_BAD_KEYSET,
 * which the grant reports as any other failure.  NCryptOpenKey is a stub
 * (NTE_NOT_SUPPORTED), so a CNG key never opens and the grant fails at
 * that step; NCryptGetProperty/SetProperty of the descriptor are tested
 * only on paper.  LookupAccountNameW knows no "NT SERVICE\..." names
 * there; see service_sid().  It also answers ERROR_NONE_MAPPED for every
 * name it does not know and never asks a domain controller, so an
 * account that cannot be resolved for a passing reason (core/account.h)
 * never happens under Wine.
 */
#include <windows.h>
#include <wincrypt.h>
#include <ncrypt.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/account.h"
#include "../core/ascii.h"
#include "../core/dacl.h"
#include "eventlog.h"
#include "keyaccess.h"
#include "keyprobe.h"
#include "out.h"
#include "regtarget.h"
#include "store.h"
#include "winerr.h"
#include "wstr.h"

#define ACCOUNT_MAX 512                /* longest account name taken */
#define SID_NETWORK_SERVICE "S-1-5-20"
#define SERVICE_PREFIX "NT SERVICE\\"
#define WHY_MAX 1024

/*
 * The names the SCM gives the built-in service accounts
 * (CreateService's lpServiceStartName, QueryServiceConfig), which are not
 * account names LookupAccountName knows.
 */
static const struct { const char *name, *sid; } scm_accounts[] = {
	{ "LocalSystem", "S-1-5-18" },
	{ ".\\LocalSystem", "S-1-5-18" },
	{ "NT AUTHORITY\\LocalService", "S-1-5-19" },
	{ "NT AUTHORITY\\NetworkService", SID_NETWORK_SERVICE },
};

/* psid as "S-1-...", malloc'd; NULL when it cannot be converted. */
static char *
sid_text(PSID psid)
{
	wchar_t *w;
	char *s;

	if (!ConvertSidToStringSidW(psid, &w))
		return NULL;
	s = utf8_from_wide(w);
	LocalFree(w);
	return s;
}

/* A SID given as text: read by Windows, and written back its way. */
static uint32_t
literal_sid(const wchar_t *w, char **sid)
{
	PSID psid;

	if (!ConvertStringSidToSidW(w, &psid))
		return ERROR_INVALID_SID;
	*sid = sid_text(psid);
	LocalFree(psid);
	return *sid != NULL ? 0 : ERROR_NOT_ENOUGH_MEMORY;
}

/* What a key can be given to: accounts and groups, not domains. */
static bool
names_principal(SID_NAME_USE use)
{
	return use == SidTypeUser || use == SidTypeGroup ||
	    use == SidTypeAlias || use == SidTypeWellKnownGroup ||
	    use == SidTypeComputer;
}

static uint32_t
lookup(const wchar_t *w, char **sid)
{
	BYTE buf[SECURITY_MAX_SID_SIZE];
	DWORD n = sizeof(buf), dn = 0;
	SID_NAME_USE use;
	wchar_t *domain;
	DWORD e;

	/* The first call says how long the domain name is. */
	if (!LookupAccountNameW(NULL, w, buf, &n, NULL, &dn, &use)) {
		e = GetLastError();
		if (e != ERROR_INSUFFICIENT_BUFFER)
			return e;
	}
	if ((domain = calloc(dn + 1, sizeof(wchar_t))) == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	n = sizeof(buf);
	if (!LookupAccountNameW(NULL, w, buf, &n, domain, &dn, &use)) {
		e = GetLastError();
		free(domain);
		return e;
	}
	free(domain);
	if (!names_principal(use))
		return ERROR_NONE_MAPPED;
	*sid = sid_text(buf);
	return *sid != NULL ? 0 : ERROR_NOT_ENOUGH_MEMORY;
}

/* The SCM has a service of this name (access denied: it exists). */
static bool
service_exists(const wchar_t *name)
{
	SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT), svc;
	bool exists;

	if (scm == NULL)
		return false;
	svc = OpenServiceW(scm, name, SERVICE_QUERY_STATUS);
	exists = svc != NULL || GetLastError() == ERROR_ACCESS_DENIED;
	if (svc != NULL)
		CloseServiceHandle(svc);
	CloseServiceHandle(scm);
	return exists;
}

/*
 * "NT SERVICE\name" for an installed service, which LookupAccountNameW
 * resolves on Windows and Wine 8 does not: the SID is derived from the
 * name as [MS-LSAT] 3.1.1.1.2 specifies, S-1-5-80- and the SHA-1 of the
 * upper-case UTF-16 name read as five little-endian 32-bit numbers.
 * Only an installed service has one, as on Windows.
 */
static uint32_t
service_sid(const wchar_t *w, char **sid)
{
	size_t skip = strlen(SERVICE_PREFIX), n, i;
	wchar_t upper[ACCOUNT_MAX + 1];
	HCRYPTPROV prov;
	HCRYPTHASH hash;
	BYTE h[20];
	DWORD hn = sizeof(h), u[5];
	char text[96];
	bool ok;

	for (i = 0; i < skip; i++) {
		wchar_t c = w[i] >= L'a' && w[i] <= L'z' ? w[i] - 32 : w[i];

		if (c != (wchar_t)SERVICE_PREFIX[i])
			return ERROR_NONE_MAPPED;
	}
	w += skip;
	n = wcslen(w);
	if (n == 0 || n > ACCOUNT_MAX || wcschr(w, L'\\') != NULL ||
	    !service_exists(w))
		return ERROR_NONE_MAPPED;
	if (LCMapStringEx(LOCALE_NAME_INVARIANT, LCMAP_UPPERCASE, w, (int)n,
	    upper, ACCOUNT_MAX, NULL, NULL, 0) != (int)n)
		return GetLastError();
	if (!CryptAcquireContextW(&prov, NULL, NULL, PROV_RSA_FULL,
	    CRYPT_VERIFYCONTEXT | CRYPT_SILENT))
		return GetLastError();
	ok = CryptCreateHash(prov, CALG_SHA1, 0, 0, &hash);
	if (ok) {
		ok = CryptHashData(hash, (const BYTE *)upper,
		    (DWORD)(n * sizeof(wchar_t)), 0) &&
		    CryptGetHashParam(hash, HP_HASHVAL, h, &hn, 0) && hn == 20;
		CryptDestroyHash(hash);
	}
	CryptReleaseContext(prov, 0);
	if (!ok)
		return GetLastError() != 0 ? GetLastError() : NTE_FAIL;
	for (i = 0; i < 5; i++)
		u[i] = (DWORD)h[4 * i] | (DWORD)h[4 * i + 1] << 8 |
		    (DWORD)h[4 * i + 2] << 16 | (DWORD)h[4 * i + 3] << 24;
	snprintf(text, sizeof(text), "S-1-5-80-%lu-%lu-%lu-%lu-%lu",
	    (unsigned long)u[0], (unsigned long)u[1], (unsigned long)u[2],
	    (unsigned long)u[3], (unsigned long)u[4]);
	*sid = strdup(text);
	return *sid != NULL ? 0 : ERROR_NOT_ENOUGH_MEMORY;
}

uint32_t
account_sid(const char *account, char **sid)
{
	wchar_t *w;
	uint32_t rc;
	size_t i;

	*sid = NULL;
	if (account == NULL || account[0] == '\0' ||
	    strlen(account) > ACCOUNT_MAX)
		return ERROR_INVALID_NAME;
	for (i = 0; i < sizeof(scm_accounts) / sizeof(scm_accounts[0]); i++)
		if (ascii_equal_nocase(account, scm_accounts[i].name))
			return (*sid = strdup(scm_accounts[i].sid)) != NULL ? 0 :
			    ERROR_NOT_ENOUGH_MEMORY;
	if ((w = wide_from_utf8(account)) == NULL)
		return ERROR_INVALID_NAME;
	if ((account[0] == 'S' || account[0] == 's') &&
	    strncmp(account + 1, "-1-", 3) == 0)
		rc = literal_sid(w, sid);
	else if ((rc = lookup(w, sid)) == ERROR_NONE_MAPPED)
		rc = service_sid(w, sid);
	free(w);
	return rc;
}

/*
 * An account whose lookup got no answer now (core/account.h): a warning
 * at its line and column, and the policy stays valid.
 */
static void
warn_unresolved(const char *file, const struct binding *b,
    const struct named *a, uint32_t rc)
{
	struct cb_error w;
	char text[256], line[1024];

	cb_error_set(&w, file, a->line, a->col, "warning: binding %s: "
	    "key_access: '%s' cannot be resolved now: %s; it is looked up "
	    "again when the binding must move", b->name, a->name,
	    win_strerror(rc, text, sizeof(text)));
	say(EV_WARNING, EV_KEY_ACCESS_UNRESOLVED, "%s",
	    cb_error_format(&w, line, sizeof(line)));
}

int
keyaccess_check(const char *file, const struct policy *p,
    struct cb_error *err)
{
	char text[256], *sid;
	size_t i, j;
	uint32_t rc;

	for (i = 0; i < p->nbindings; i++) {
		const struct binding *b = &p->bindings[i];

		for (j = 0; j < b->nkey_access; j++) {
			const struct named *a = &b->key_access[j];

			if ((rc = account_sid(a->name, &sid)) == 0) {
				free(sid);
				continue;
			}
			if (!account_fails_load(account_outcome(rc))) {
				warn_unresolved(file, b, a, rc);
				continue;
			}
			return cb_error_set(err, file, a->line, a->col,
			    "binding %s: key_access: '%s' is not an account "
			    "here: %s", b->name, a->name,
			    win_strerror(rc, text, sizeof(text)));
		}
	}
	return 0;
}

/* --- the key's descriptor --------------------------------------------- */

/* A self-relative descriptor as DACL-only SDDL (malloc'd). */
static uint32_t
sd_to_sddl(PSECURITY_DESCRIPTOR sd, char **out)
{
	wchar_t *w;

	if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(sd,
	    SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &w, NULL))
		return GetLastError();
	*out = utf8_from_wide(w);
	LocalFree(w);
	return *out != NULL ? 0 : ERROR_NOT_ENOUGH_MEMORY;
}

/* The key's DACL in SDDL; *call names the call that failed. */
static uint32_t
key_sddl(const struct key_handle *k, char **out, const char **call)
{
	DWORD size = 0;
	BYTE *sd;
	uint32_t rc;

	*out = NULL;
	if (k->ncrypt != 0) {
		*call = "NCryptGetProperty(NCRYPT_SECURITY_DESCR_PROPERTY)";
		rc = (uint32_t)NCryptGetProperty(k->ncrypt,
		    NCRYPT_SECURITY_DESCR_PROPERTY, NULL, 0, &size,
		    DACL_SECURITY_INFORMATION | NCRYPT_SILENT_FLAG);
	} else {
		*call = "CryptGetProvParam(PP_KEYSET_SEC_DESCR)";
		rc = CryptGetProvParam(k->capi, PP_KEYSET_SEC_DESCR, NULL, &size,
		    DACL_SECURITY_INFORMATION) ? 0 : GetLastError();
	}
	if (rc != 0)
		return rc;
	if (size == 0)
		return ERROR_INVALID_SECURITY_DESCR;
	if ((sd = malloc(size)) == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	if (k->ncrypt != 0)
		rc = (uint32_t)NCryptGetProperty(k->ncrypt,
		    NCRYPT_SECURITY_DESCR_PROPERTY, sd, size, &size,
		    DACL_SECURITY_INFORMATION | NCRYPT_SILENT_FLAG);
	else
		rc = CryptGetProvParam(k->capi, PP_KEYSET_SEC_DESCR, sd, &size,
		    DACL_SECURITY_INFORMATION) ? 0 : GetLastError();
	if (rc == 0) {
		*call = "ConvertSecurityDescriptorToStringSecurityDescriptorW";
		rc = sd_to_sddl(sd, out);
	}
	free(sd);
	return rc;
}

static uint32_t
key_set_sddl(const struct key_handle *k, const char *sddl, const char **call)
{
	PSECURITY_DESCRIPTOR sd;
	ULONG len;
	wchar_t *w = wide_from_utf8(sddl);
	uint32_t rc;

	*call = "ConvertStringSecurityDescriptorToSecurityDescriptorW";
	if (w == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(w,
	    SDDL_REVISION_1, &sd, &len)) {
		free(w);
		return GetLastError();
	}
	free(w);
	if (k->ncrypt != 0) {
		*call = "NCryptSetProperty(NCRYPT_SECURITY_DESCR_PROPERTY)";
		rc = (uint32_t)NCryptSetProperty(k->ncrypt,
		    NCRYPT_SECURITY_DESCR_PROPERTY, sd, len,
		    DACL_SECURITY_INFORMATION | NCRYPT_SILENT_FLAG);
	} else {
		*call = "CryptSetProvParam(PP_KEYSET_SEC_DESCR)";
		rc = CryptSetProvParam(k->capi, PP_KEYSET_SEC_DESCR, sd,
		    DACL_SECURITY_INFORMATION) ? 0 : GetLastError();
	}
	LocalFree(sd);
	return rc;
}

/* --- the grant ---------------------------------------------------------- */

/* What a grant works with, freed by grant_free. */
struct grant {
	char **sids;
	size_t nsids;
	bool inherit;
	struct key_handle key;
	PCCERT_CONTEXT cert;
	char *key_sddl, *prev_sddl;
	char why[WHY_MAX];
	bool lenient;                  /* an account with no answer now is
	                                  left out (unresolved), not fatal */
	char unresolved[WHY_MAX];      /* those left out, with why */
};

static void
grant_free(struct grant *g)
{
	size_t i;

	for (i = 0; i < g->nsids; i++)
		free(g->sids[i]);
	free(g->sids);
	key_release(&g->key);
	if (g->cert != NULL)
		CertFreeCertificateContext(g->cert);
	free(g->key_sddl);
	free(g->prev_sddl);
}

static uint32_t
fail(struct grant *g, uint32_t rc, const char *fmt, const char *arg)
{
	char text[256];
	size_t n;

	snprintf(g->why, sizeof(g->why), fmt, arg);
	n = strlen(g->why);
	snprintf(g->why + n, sizeof(g->why) - n, ": %s",
	    win_strerror(rc, text, sizeof(text)));
	return rc;
}

/* An account left out of a lenient grant, added to g->unresolved. */
static void
note_unresolved(struct grant *g, const char *account, uint32_t rc)
{
	char text[256];
	size_t n = strlen(g->unresolved);

	snprintf(g->unresolved + n, sizeof(g->unresolved) - n, "%s'%s' (%s)",
	    n > 0 ? ", " : "", account, win_strerror(rc, text, sizeof(text)));
}

static uint32_t
add_account(struct grant *g, const char *account)
{
	char *sid;
	uint32_t rc;

	if ((rc = account_sid(account, &sid)) == 0) {
		g->sids[g->nsids++] = sid;
		return 0;
	}
	if (account_outcome(rc) == ACCOUNT_UNKNOWN)
		return fail(g, rc, "key_access: '%s' is not an account here",
		    account);
	if (!g->lenient)
		return fail(g, rc, "key_access: '%s' cannot be resolved now",
		    account);
	note_unresolved(g, account, rc);
	return 0;
}

/* The SIDs: b's key_access, its target's own account, and also. */
static uint32_t
resolve(struct grant *g, const struct binding *b, const char *also)
{
	size_t i;
	uint32_t rc;

	if ((g->sids = calloc(b->nkey_access + 2, sizeof(char *))) == NULL)
		return fail(g, ERROR_NOT_ENOUGH_MEMORY, "%s", "key_access");
	for (i = 0; i < b->nkey_access; i++)
		if ((rc = add_account(g, b->key_access[i].name)) != 0)
			return rc;
	/* The Remote Desktop listener runs as NETWORK SERVICE. */
	if (b->target == TARGET_RDP && (rc = add_account(g,
	    SID_NETWORK_SERVICE)) != 0)
		return rc;
	if (also != NULL && (rc = add_account(g, also)) != 0)
		return rc;
	return 0;
}

/* Open the key of the certificate thumb in store and read its DACL. */
static uint32_t
open_key(enum cert_store store, const uint8_t thumb[THUMB_LEN],
    PCCERT_CONTEXT *cert, struct key_handle *k, char **sddl, char *why,
    size_t len)
{
	char hex[THUMB_HEX], text[512];
	const char *call;
	uint32_t rc;

	thumb_format(thumb, hex);
	if ((rc = store_find(store, thumb, cert)) != 0) {
		snprintf(why, len, "certificate %s: %s", hex,
		    win_strerror(rc, text, sizeof(text)));
		return rc;
	}
	if ((rc = key_acquire(*cert, CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG, k,
	    text, sizeof(text))) != 0) {
		snprintf(why, len, "the private key of %s: %s", hex, text);
		return rc;
	}
	if ((rc = key_sddl(k, sddl, &call)) != 0)
		snprintf(why, len, "the private key of %s: %s: %s", hex, call,
		    win_strerror(rc, text, sizeof(text)));
	return rc;
}

/*
 * The DACL of the key held before, for inherit: none when there was no
 * certificate before, it is the same one, or it has left the store.
 */
static uint32_t
read_prev(struct grant *g, enum cert_store store,
    const uint8_t thumb[THUMB_LEN], const uint8_t *prev)
{
	PCCERT_CONTEXT cert = NULL;
	struct key_handle k;
	uint32_t rc;

	memset(&k, 0, sizeof(k));
	if (!g->inherit || prev == NULL || memcmp(prev, thumb, THUMB_LEN) == 0)
		return 0;
	rc = open_key(store, prev, &cert, &k, &g->prev_sddl, g->why,
	    sizeof(g->why));
	/* Gone, or keyless: there are no entries to copy. */
	if (rc == (uint32_t)CRYPT_E_NOT_FOUND ||
	    rc == (uint32_t)CRYPT_E_NO_KEY_PROPERTY)
		rc = 0;
	key_release(&k);
	if (cert != NULL)
		CertFreeCertificateContext(cert);
	if (rc != 0) {
		size_t n = strlen(g->why);

		snprintf(g->why + n, sizeof(g->why) - n, " (key_access: "
		    "inherit)");
	}
	return rc;
}

/* Merge, write, and read back what the provider kept. */
static uint32_t
merge_write(struct grant *g, bool *changed)
{
	struct cb_error err;
	char *merged, *after = NULL;
	const char *call;
	bool again;
	uint32_t rc;

	if (dacl_merge(g->key_sddl, (const char *const *)g->sids, g->nsids,
	    g->prev_sddl, g->inherit, &merged, changed, &err) != 0) {
		snprintf(g->why, sizeof(g->why), "%s", err.msg);
		return ERROR_INVALID_SECURITY_DESCR;
	}
	if (!*changed) {
		free(merged);
		return 0;
	}
	rc = key_set_sddl(&g->key, merged, &call);
	if (rc == 0)
		rc = key_sddl(&g->key, &after, &call);
	if (rc != 0) {
		free(merged);
		return fail(g, rc, "%s", call);
	}
	free(merged);
	merged = NULL;
	rc = dacl_merge(after, (const char *const *)g->sids, g->nsids,
	    g->prev_sddl, g->inherit, &merged, &again, &err);
	free(merged);
	free(after);
	if (rc != 0 || again)
		return fail(g, ERROR_INVALID_SECURITY_DESCR, "%s", "the key's "
		    "provider accepted the new DACL but does not show it");
	return 0;
}

static void
report_granted(const struct binding *b, const struct grant *g,
    const uint8_t thumb[THUMB_LEN])
{
	char hex[THUMB_HEX], list[WHY_MAX] = "";
	size_t i, n = 0;

	for (i = 0; i < g->nsids && n < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
		    i > 0 ? ", " : "", g->sids[i]);
	if (g->inherit && n < sizeof(list))
		snprintf(list + n, sizeof(list) - n, "%sthe accounts of the "
		    "previous key", n > 0 ? ", " : "");
	say(EV_INFO, EV_KEY_ACCESS_GRANTED, "%s: read access to the private "
	    "key of %s given to %s", b->name, thumb_format(thumb, hex), list);
}

/*
 * Resolve what b asks for, open the key of thumb and read its DACL (and
 * with inherit the previous key's): 0 with *asked false when nothing is
 * asked for and nothing was opened.
 */
static uint32_t
grant_open(struct grant *g, const struct binding *b, const char *also,
    enum cert_store store, const uint8_t thumb[THUMB_LEN],
    const uint8_t *prev, bool lenient, bool *asked)
{
	uint32_t rc;

	memset(g, 0, sizeof(*g));
	g->inherit = b->key_access_inherit;
	g->lenient = lenient;
	*asked = false;
	if ((rc = resolve(g, b, also)) != 0)
		return rc;
	if (g->nsids == 0 && (!g->inherit || prev == NULL ||
	    memcmp(prev, thumb, THUMB_LEN) == 0))
		return 0;               /* nothing to give */
	*asked = true;
	rc = open_key(store, thumb, &g->cert, &g->key, &g->key_sddl, g->why,
	    sizeof(g->why));
	if (rc == 0)
		rc = read_prev(g, store, thumb, prev);
	return rc;
}

/*
 * keyaccess_grant_also(); lenient leaves out an account whose lookup gets
 * no answer now and says which in *unresolved (malloc'd, NULL if none).
 */
static uint32_t
grant(const struct binding *b, const char *also, enum cert_store store,
    const uint8_t thumb[THUMB_LEN], const uint8_t *prev, bool lenient,
    char **why, char **unresolved)
{
	struct grant g;
	bool asked, changed = false;
	uint32_t rc;

	*why = NULL;
	rc = grant_open(&g, b, also, store, thumb, prev, lenient, &asked);
	if (rc == 0 && asked)
		rc = merge_write(&g, &changed);
	if (rc == 0 && changed)
		report_granted(b, &g, thumb);
	if (rc != 0)
		*why = strdup(g.why);
	if (unresolved != NULL)
		*unresolved = rc == 0 && g.unresolved[0] != '\0' ?
		    strdup(g.unresolved) : NULL;
	grant_free(&g);
	return rc;
}

uint32_t
keyaccess_grant_also(const struct binding *b, const char *also,
    enum cert_store store, const uint8_t thumb[THUMB_LEN],
    const uint8_t *prev, char **why)
{
	return grant(b, also, store, thumb, prev, false, why, NULL);
}

uint32_t
keyaccess_due(const struct binding *b, const char *also,
    enum cert_store store, const uint8_t thumb[THUMB_LEN], bool *due,
    char **why, char **unresolved)
{
	struct grant g;
	struct cb_error err;
	bool asked;
	uint32_t rc;

	*why = NULL;
	*due = false;
	/* Lenient, as keyaccess_converge is. */
	rc = grant_open(&g, b, also, store, thumb, NULL, true, &asked);
	if (rc == 0 && asked && dacl_grant_due(g.key_sddl,
	    (const char *const *)g.sids, g.nsids, due, &err) != 0) {
		snprintf(g.why, sizeof(g.why), "%s", err.msg);
		rc = ERROR_INVALID_SECURITY_DESCR;
	}
	if (rc != 0)
		*why = strdup(g.why);
	*unresolved = rc == 0 && g.unresolved[0] != '\0' ?
	    strdup(g.unresolved) : NULL;
	grant_free(&g);
	return rc;
}

uint32_t
keyaccess_grant(const struct binding *b, enum cert_store store,
    const uint8_t thumb[THUMB_LEN], const uint8_t *prev, char **why)
{
	return keyaccess_grant_also(b, NULL, store, thumb, prev, why);
}

int
keyaccess_before_change(const struct binding *b, const char *also,
    const struct cert *chosen, const uint8_t *prev)
{
	char hex[THUMB_HEX], *why = NULL;
	uint32_t rc;

	if (chosen == NULL)
		return 0;               /* ccs: the share's certificates */
	rc = keyaccess_grant_also(b, also, chosen->store, chosen->thumb, prev,
	    &why);
	if (rc == 0)
		return 0;
	say(EV_ERROR, EV_KEY_ACCESS_FAILED, "%s: not moved to %s: the "
	    "accounts it needs could not be given read access to its private "
	    "key: %s", b->name, thumb_format(chosen->thumb, hex),
	    why != NULL ? why : "out of memory");
	free(why);
	return -1;
}

/*
 * What a binding asks of its key, as bytes for the memo (keymemo.h):
 * the store (a thumbprint in My and in WebHosting is two certificates,
 * each with its own key), its key_access names and the account its
 * target adds, in order.  The same names give the same SIDs until the
 * memo is dropped at the resync interval, which is when an account
 * recreated, or one that could not be resolved, is looked up again.
 */
static char *
asked_text(const struct binding *b, const char *also, enum cert_store store,
    size_t *len)
{
	size_t i, n = 3 + (also != NULL ? strlen(also) : 0);
	char *s, *p;

	for (i = 0; i < b->nkey_access; i++)
		n += strlen(b->key_access[i].name) + 1;
	if ((p = s = malloc(n)) == NULL)
		return NULL;
	for (i = 0; i < b->nkey_access; i++)
		p += sprintf(p, "%s\n", b->key_access[i].name);
	p += sprintf(p, "%c%c%s", store == STORE_MY ? 'm' : 'w',
	    b->target == TARGET_RDP ? 'r' : '-', also != NULL ? also : "");
	*len = (size_t)(p - s);
	return s;
}

void
keyaccess_target_account(const struct plan_item *it, struct sql_instance *in)
{
	memset(in, 0, sizeof(*in));
	/* An instance not installed is the target's to report. */
	if (it->target == TARGET_SQLSERVER &&
	    sql_find(it->binding->instance, in) != 0)
		sql_instance_free(in);
}

/*
 * The certificate item it stays on: nothing to write, or its options
 * alone.  NULL when it moves, has none, or serves a share's (ccs).
 */
static const struct cert *
stays_on(const struct plan_item *it)
{
	if (it->action != ACTION_NONE && it->action != ACTION_UPDATE_OPTIONS)
		return NULL;
	if (it->target == TARGET_HTTPSYS &&
	    it->binding->endpoint.kind == EP_CCS)
		return NULL;
	return it->held;
}

int
keyaccess_converge(const struct plan_item *it, struct key_memo *memo)
{
	const struct binding *b = it->binding;
	const struct cert *held = stays_on(it);
	struct sql_instance in;
	char hex[THUMB_HEX], *why = NULL, *asked = NULL, *unresolved = NULL;
	size_t len = 0;
	uint32_t rc;

	if (held == NULL)
		return 0;
	keyaccess_target_account(it, &in);
	if (memo != NULL && (asked = asked_text(b, in.account, held->store,
	    &len)) != NULL && keymemo_opens(memo, held->thumb, asked, len)) {
		free(asked);
		sql_instance_free(&in);
		return 0;
	}
	/* An account with no answer now (core/account.h) does not keep the
	 * others from read, nor make a binding in order an error. */
	rc = grant(b, in.account, held->store, held->thumb, NULL, true, &why,
	    &unresolved);
	sql_instance_free(&in);
	if (rc == 0 && asked != NULL)
		(void)keymemo_add(memo, held->thumb, asked, len);
	free(asked);
	if (unresolved != NULL)
		say(EV_WARNING, EV_KEY_ACCESS_UNRESOLVED, "%s: key_access: "
		    "%s cannot be resolved now and did not get read access to "
		    "the private key of %s; the other accounts did; looked up "
		    "again at the resync interval", b->name, unresolved,
		    thumb_format(held->thumb, hex));
	free(unresolved);
	if (rc == 0)
		return 0;
	say(EV_ERROR, EV_KEY_ACCESS_FAILED, "%s: the accounts it needs could "
	    "not be given read access to the private key of %s, which it "
	    "holds: %s", b->name, thumb_format(held->thumb, hex),
	    why != NULL ? why : "out of memory");
	free(why);
	return -1;
}

int
keyaccess_plan(struct plan_item *it)
{
	const struct cert *held = stays_on(it);
	struct sql_instance in;
	char hex[THUMB_HEX], *why = NULL, *unresolved = NULL;
	uint32_t rc;

	if (held == NULL)
		return 0;
	keyaccess_target_account(it, &in);
	rc = keyaccess_due(it->binding, in.account, held->store, held->thumb,
	    &it->key_grant_due, &why, &unresolved);
	sql_instance_free(&in);
	if (unresolved != NULL)
		out_printf(OUT_STDERR, "certbind: warning: %s: key_access: %s "
		    "cannot be resolved now; whether it can read the private "
		    "key of %s is not known\n", it->binding->name, unresolved,
		    thumb_format(held->thumb, hex));
	free(unresolved);
	if (rc == 0)
		return 0;
	/* apply would try, and report what failed: a change all the same. */
	it->key_grant_due = true;
	out_printf(OUT_STDERR, "certbind: %s: cannot tell whether the "
	    "accounts it needs can read the private key of %s: %s\n",
	    it->binding->name, thumb_format(held->thumb, hex),
	    why != NULL ? why : "out of memory");
	free(why);
	return -1;
}
