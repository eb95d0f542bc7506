/*
 * flags.c - the Windows each DefaultFlags bit needs; see flags.h.
 *
 * Sources: learn.microsoft.com "TLS version enforcement capabilities now
 * available per certificate binding on Windows Server 2019" (Disable
 * Legacy TLS, KB4490481); Microsoft's networking blog "Enabling HTTP/3
 * support on Windows Server 2022" (HTTP.sys serves QUIC from that
 * release).  For the other bits Microsoft names no release, so none is
 * named here.
 */
#include <stdlib.h>
#include <string.h>

#include "flags.h"
#include "record.h"

#define NEWER "newer Windows builds (Microsoft does not say which)"

static const struct {
	uint32_t bit;
	const char *key;               /* the policy's options key */
	const char *needs;
} flag_needs[] = {
	{ SSL_FLAG_REJECT, "reject", NEWER },
	{ SSL_FLAG_DISABLE_HTTP2, "disable_http2", NEWER },
	{ SSL_FLAG_DISABLE_QUIC, "disable_quic", "Windows Server 2022 (build "
	  "20348) or later, the first to serve HTTP/3 over QUIC" },
	{ SSL_FLAG_DISABLE_TLS13, "disable_tls13", NEWER },
	{ SSL_FLAG_DISABLE_OCSP_STAPLING, "disable_ocsp_stapling", NEWER },
	{ SSL_FLAG_ENABLE_TOKEN_BINDING, "enable_token_binding", NEWER },
	{ SSL_FLAG_LOG_EXTENDED_EVENTS, "log_extended_events", NEWER },
	{ SSL_FLAG_DISABLE_LEGACY_TLS, "disable_legacy_tls", "Windows Server "
	  "2019 / Windows 10 1809 (build 17763) with KB4490481, or later" },
	{ SSL_FLAG_ENABLE_SESSION_TICKET, "enable_session_ticket", NEWER },
	{ SSL_FLAG_DISABLE_TLS12, "disable_tls12", NEWER },
	{ SSL_FLAG_DISABLE_SESSION_ID, "disable_session_id", NEWER },
};

/* Append text to the malloc'd *s; false when out of memory. */
static bool
append(char **s, size_t *len, const char *text)
{
	size_t n = strlen(text);
	char *v = realloc(*s, *len + n + 1);

	if (v == NULL)
		return false;
	memcpy(v + *len, text, n + 1);
	*s = v;
	*len += n;
	return true;
}

/* The note for flag i, or nothing when no binding turns it on. */
static bool
note_flag(const struct policy *p, size_t i, char **s, size_t *len)
{
	const char *sep = " (used by ";
	bool ok = true;
	size_t b, used = 0;

	for (b = 0; b < p->nbindings && ok; b++) {
		const struct options *o = &p->bindings[b].options;

		if ((o->flag_mask & o->flag_bits & flag_needs[i].bit) == 0)
			continue;
		if (used++ == 0)
			ok = append(s, len, "note: ") &&
			    append(s, len, flag_needs[i].key);
		ok = ok && append(s, len, sep) &&
		    append(s, len, p->bindings[b].name);
		sep = ", ";
	}
	if (used > 0 && ok)
		ok = append(s, len, ") needs ") &&
		    append(s, len, flag_needs[i].needs) &&
		    append(s, len, "; older Windows rejects the record\n");
	return ok;
}

char *
flag_notes(const struct policy *p)
{
	char *s = calloc(1, 1);
	size_t len = 0, i;

	for (i = 0; s != NULL && i < sizeof(flag_needs) / sizeof(flag_needs[0]);
	    i++)
		if (!note_flag(p, i, &s, &len)) {
			free(s);
			return NULL;
		}
	return s;
}
