/*
 * verify.c - what the endpoint really serves; see verify.h.
 *
 * A TLS client over Winsock and Schannel (secur32, part of Windows):
 * connect with a deadline, InitializeSecurityContextW until the handshake
 * is done, then SECPKG_ATTR_REMOTE_CERT_CONTEXT for the certificate the
 * server presented.  Credentials are SCHANNEL_CRED (every Windows Server
 * certbind runs on has it; SCH_CREDENTIALS needs Windows 10 1809) with
 * manual validation, no default client certificate and no server name
 * check: the thumbprint is the only thing compared, so a self-signed or
 * untrusted certificate verifies as well as any.  Wine's Schannel
 * (secur32 over GnuTLS) is a client only, which is why the tests serve
 * TLS with openssl s_server rather than from the stand-in HTTP.sys.
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <wincrypt.h>
#define SECURITY_WIN32
#include <security.h>
#include <schannel.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"
#include "winerr.h"

#define TLS_BUF_MAX (64 * 1024)       /* a handshake flight, with room */
#define ROUNDS_MAX 64                  /* flights answered before giving up */
#define RECEIVED_MAX (1024 * 1024)     /* all a server may send in a
                                          handshake; TLS 1.2 and 1.3 need a
                                          few KiB */

/* A socket with a deadline; one connection's state. */
struct conn {
	SOCKET s;
	ULONGLONG deadline;            /* GetTickCount64() */
	size_t received;               /* bytes read so far */
	struct verify_result *r;
};

static void
result(struct verify_result *r, enum verify_outcome o, uint32_t status,
    const char *fmt, const char *detail)
{
	r->outcome = o;
	r->status = status;
	snprintf(r->text, sizeof(r->text), fmt, detail);
}

/* The names of the statuses a failed handshake gives most often. */
static const struct {
	SECURITY_STATUS st;
	const char *name;
} sec_names[] = {
	{ SEC_E_NO_CREDENTIALS, "SEC_E_NO_CREDENTIALS" },
	{ SEC_E_ILLEGAL_MESSAGE, "SEC_E_ILLEGAL_MESSAGE" },
	{ SEC_E_INTERNAL_ERROR, "SEC_E_INTERNAL_ERROR" },
	{ SEC_E_ALGORITHM_MISMATCH, "SEC_E_ALGORITHM_MISMATCH" },
	{ SEC_E_UNSUPPORTED_FUNCTION, "SEC_E_UNSUPPORTED_FUNCTION" },
	{ SEC_E_DECRYPT_FAILURE, "SEC_E_DECRYPT_FAILURE" },
	{ SEC_E_MESSAGE_ALTERED, "SEC_E_MESSAGE_ALTERED" },
	{ SEC_E_INVALID_TOKEN, "SEC_E_INVALID_TOKEN" },
	{ SEC_E_CERT_UNKNOWN, "SEC_E_CERT_UNKNOWN" },
	{ SEC_E_INCOMPLETE_MESSAGE, "SEC_E_INCOMPLETE_MESSAGE" },
	{ SEC_E_INSUFFICIENT_MEMORY, "SEC_E_INSUFFICIENT_MEMORY" },
};

/* "SEC_E_ILLEGAL_MESSAGE (0x80090326): The message received was ...". */
static void
status_text(SECURITY_STATUS st, char *buf, size_t len)
{
	const char *name = "SECURITY_STATUS";
	char text[300];
	size_t i;

	for (i = 0; i < sizeof(sec_names) / sizeof(sec_names[0]); i++)
		if (sec_names[i].st == st)
			name = sec_names[i].name;
	win_message((DWORD)st, text, sizeof(text));
	snprintf(buf, len, "%s (0x%08lX)%s%s", name, (unsigned long)st,
	    text[0] != '\0' ? ": " : "", text);
}

static void
handshake_failed(struct verify_result *r, SECURITY_STATUS st,
    const char *when)
{
	char text[400];

	status_text(st, text, sizeof(text));
	r->outcome = VERIFY_HANDSHAKE_FAILED;
	r->status = (uint32_t)st;
	snprintf(r->text, sizeof(r->text), "the TLS handshake failed%s%s: %s",
	    when[0] != '\0' ? " " : "", when, text);
}

/* "Connection refused (10061)". */
static void
socket_text(int err, char *buf, size_t len)
{
	char text[300];

	win_message((DWORD)err, text, sizeof(text));
	snprintf(buf, len, "%s%serror %d", text, text[0] ? ", " : "", err);
}

/* Wait until s can be written (write) or read; 1, 0 timed out, -1 error. */
static int
wait_for(struct conn *c, bool write)
{
	ULONGLONG now = GetTickCount64();
	fd_set fds, errs;
	struct timeval tv;
	ULONGLONG left;
	int n;

	if (now >= c->deadline)
		return 0;
	left = c->deadline - now;
	tv.tv_sec = (long)(left / 1000);
	tv.tv_usec = (long)(left % 1000) * 1000;
	FD_ZERO(&fds);
	FD_ZERO(&errs);
	FD_SET(c->s, &fds);
	FD_SET(c->s, &errs);
	/* A failed non-blocking connect is reported in the except set. */
	n = select(0, write ? NULL : &fds, write ? &fds : NULL, &errs, &tv);
	if (n == SOCKET_ERROR)
		return -1;
	return n > 0 ? 1 : 0;
}

/* A socket error or a timeout while talking TLS. */
static void
io_failed(struct conn *c, int err, const char *when)
{
	char text[400], msg[450];

	if (err == 0) {
		snprintf(msg, sizeof(msg), "no answer %s within the timeout",
		    when);
		result(c->r, VERIFY_TIMEOUT, 0, "%s", msg);
		return;
	}
	socket_text(err, text, sizeof(text));
	snprintf(msg, sizeof(msg), "the TLS handshake failed %s: the "
	    "connection broke (%s)", when, text);
	result(c->r, VERIFY_HANDSHAKE_FAILED, (uint32_t)err, "%s", msg);
}

/* Send all of buf; 0, or -1 after setting the result. */
static int
send_all(struct conn *c, const void *buf, size_t len)
{
	const char *p = buf;
	int n, w, err;

	while (len > 0) {
		n = send(c->s, p, len > INT_MAX ? INT_MAX : (int)len, 0);
		if (n == SOCKET_ERROR) {
			if ((err = WSAGetLastError()) != WSAEWOULDBLOCK) {
				io_failed(c, err, "while sending");
				return -1;
			}
			if ((w = wait_for(c, true)) <= 0) {
				io_failed(c, w < 0 ? WSAGetLastError() : 0,
				    "while sending");
				return -1;
			}
			continue;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Read what comes, appending to buf; bytes read, or -1 after the result.
 * The deadline bounds the time even when bytes keep coming (a server
 * that trickles a handshake a byte at a time), RECEIVED_MAX the bytes.
 */
static int
recv_some(struct conn *c, char *buf, size_t room)
{
	int n, w, err;

	for (;;) {
		if (GetTickCount64() >= c->deadline) {
			io_failed(c, 0, "to the handshake");
			return -1;
		}
		if (c->received >= RECEIVED_MAX) {
			handshake_failed(c->r, SEC_E_INTERNAL_ERROR, "(the server "
			    "sent over 1 MiB without finishing the handshake)");
			return -1;
		}
		if (room > RECEIVED_MAX - c->received)
			room = RECEIVED_MAX - c->received;
		n = recv(c->s, buf, (int)room, 0);
		if (n > 0) {
			c->received += (size_t)n;
			return n;
		}
		if (n == 0) {
			result(c->r, VERIFY_HANDSHAKE_FAILED, 0, "%s",
			    "the TLS handshake failed: the server closed the "
			    "connection");
			return -1;
		}
		if ((err = WSAGetLastError()) != WSAEWOULDBLOCK) {
			io_failed(c, err, "while reading");
			return -1;
		}
		if ((w = wait_for(c, false)) <= 0) {
			io_failed(c, w < 0 ? WSAGetLastError() : 0,
			    "to the handshake");
			return -1;
		}
	}
}

/* Send a token ISC produced, and free it; 0 or -1. */
static int
send_token(struct conn *c, SecBuffer *b)
{
	int rc = 0;

	if (b->pvBuffer != NULL && b->cbBuffer > 0)
		rc = send_all(c, b->pvBuffer, b->cbBuffer);
	if (b->pvBuffer != NULL)
		FreeContextBuffer(b->pvBuffer);
	b->pvBuffer = NULL;
	b->cbBuffer = 0;
	return rc;
}

/*
 * ISC_REQ_EXTENDED_ERROR: on a failure Schannel puts an alert for the
 * server in the output token (sent, so that the server logs why) and
 * describes it in the SECBUFFER_ALERT output buffer, which the
 * InitializeSecurityContext (Schannel) page asks for with
 * ISC_REQ_ALLOCATE_MEMORY.
 */
static const ULONG isc_flags = ISC_REQ_SEQUENCE_DETECT |
    ISC_REQ_REPLAY_DETECT | ISC_REQ_CONFIDENTIALITY |
    ISC_REQ_ALLOCATE_MEMORY | ISC_REQ_STREAM | ISC_REQ_EXTENDED_ERROR |
    ISC_REQ_MANUAL_CRED_VALIDATION;

/* One ISC call's outputs: the token to send, and the alert, as text. */
struct isc_out {
	SecBuffer token;
	char alert[80];                /* "" when there is none */
};

/*
 * One call to InitializeSecurityContextW: ctx NULL for the first (the
 * new context goes to *made), in the server's bytes for the later ones.
 * o->token is for send_token(), which frees it.
 */
static SECURITY_STATUS
isc(CredHandle *cred, CtxtHandle *ctx, CtxtHandle *made, wchar_t *name,
    SecBufferDesc *in, struct isc_out *o)
{
	SecBuffer out[2] = { { 0, SECBUFFER_TOKEN, NULL },
	    { 0, SECBUFFER_ALERT, NULL } };
	SecBufferDesc outd = { SECBUFFER_VERSION, 2, out };
	SECURITY_STATUS st;
	TimeStamp expiry;
	ULONG attrs;

	st = InitializeSecurityContextW(cred, ctx, name, isc_flags, 0, 0, in, 0,
	    made, &outd, &attrs, &expiry);
	o->token = out[0];
	o->alert[0] = '\0';
	if (out[1].pvBuffer != NULL) {
		verify_alert_text(out[1].pvBuffer, out[1].cbBuffer, o->alert,
		    sizeof(o->alert));
		FreeContextBuffer(out[1].pvBuffer);
	}
	return st;
}

/* A failed handshake, with the alert Schannel gave, if any. */
static void
isc_failed(struct verify_result *r, SECURITY_STATUS st, const char *when,
    const struct isc_out *o)
{
	size_t n;

	handshake_failed(r, st, when);
	n = strlen(r->text);
	if (o->alert[0] != '\0' && n < sizeof(r->text))
		snprintf(r->text + n, sizeof(r->text) - n, " (%s)", o->alert);
}

/*
 * The server asked for a client certificate (SEC_I_INCOMPLETE_CREDENTIALS),
 * the handshake went on without one, and it did not end: the server asked
 * again, or refused to go on (r says how).  What it serves cannot be seen
 * without a client certificate, which is no fault of the binding's.
 * Wine 8's Schannel (over GnuTLS) never returns
 * SEC_I_INCOMPLETE_CREDENTIALS: against a server that insists, its
 * handshake fails with SEC_E_INTERNAL_ERROR, a handshake-failed.
 */
static void
client_cert_wanted(struct verify_result *r)
{
	char then[sizeof(r->text)];

	snprintf(then, sizeof(then), "%s", r->outcome ==
	    VERIFY_HANDSHAKE_FAILED || r->outcome == VERIFY_TIMEOUT ? r->text :
	    "it asked again");
	snprintf(r->text, sizeof(r->text), "the server requests a client "
	    "certificate, and certbind has none to give, so the certificate "
	    "it serves cannot be compared (without one: %s)", then);
	r->outcome = VERIFY_NOT_VERIFIABLE;
	r->status = (uint32_t)SEC_I_INCOMPLETE_CREDENTIALS;
}

/* Read more of the server's flight after the used bytes; 0 or -1. */
static int
read_more(struct conn *c, char *buf, size_t *used)
{
	int n;

	if (*used == TLS_BUF_MAX) {
		handshake_failed(c->r, SEC_E_INSUFFICIENT_MEMORY,
		    "(a handshake message over 64 KiB)");
		return -1;
	}
	if ((n = recv_some(c, buf + *used, TLS_BUF_MAX - *used)) < 0)
		return -1;
	*used += (size_t)n;
	return 0;
}

/*
 * The rest of the handshake after the first token: feed what the server
 * sends to ISC until it says SEC_E_OK.  A round is a flight ISC answered
 * (SEC_I_CONTINUE_NEEDED); reads of a partial message
 * (SEC_E_INCOMPLETE_MESSAGE) are bounded by the deadline and
 * RECEIVED_MAX instead.  0, or -1 after the result.
 */
static int
handshake_rest(struct conn *c, CredHandle *cred, CtxtHandle *ctx,
    wchar_t *name)
{
	char *buf = malloc(TLS_BUF_MAX);
	size_t used = 0;
	bool need_read = true, asked = false;
	SECURITY_STATUS st;
	struct isc_out o;
	int rounds = 0;

	if (buf == NULL) {
		handshake_failed(c->r, SEC_E_INSUFFICIENT_MEMORY, "");
		return -1;
	}
	for (;;) {
		SecBuffer in[2];
		SecBufferDesc ind = { SECBUFFER_VERSION, 2, in };

		if (need_read && read_more(c, buf, &used) != 0)
			break;
		in[0] = (SecBuffer){ (ULONG)used, SECBUFFER_TOKEN, buf };
		in[1] = (SecBuffer){ 0, SECBUFFER_EMPTY, NULL };
		st = isc(cred, ctx, NULL, name, &ind, &o);
		/* Not a round: read on.  (No token is due; one is sent.) */
		if (st == SEC_E_INCOMPLETE_MESSAGE) {
			if (send_token(c, &o.token) != 0)
				break;
			need_read = true;
			continue;
		}
		/*
		 * What ISC produced goes out first, an alert for the server
		 * too; a connection that broke ends the handshake, with the
		 * status when ISC had failed (it says more than the socket).
		 */
		if (send_token(c, &o.token) != 0) {
			if (FAILED(st))
				isc_failed(c->r, st, "", &o);
			break;
		}
		/*
		 * The server asked for a client certificate: there is none
		 * (SCH_CRED_NO_DEFAULT_CREDS), and calling again with the same
		 * input goes on without one, once.
		 */
		if (st == SEC_I_INCOMPLETE_CREDENTIALS) {
			if (asked)
				break;
			asked = true;
			need_read = false;
			continue;
		}
		if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED) {
			isc_failed(c->r, st, "", &o);
			break;
		}
		if (in[1].BufferType == SECBUFFER_EXTRA && in[1].cbBuffer > 0 &&
		    in[1].cbBuffer <= used) {
			memmove(buf, buf + used - in[1].cbBuffer, in[1].cbBuffer);
			used = in[1].cbBuffer;
			need_read = false;
		} else {
			used = 0;
			need_read = true;
		}
		if (st == SEC_E_OK) {
			free(buf);
			return 0;
		}
		if (++rounds == ROUNDS_MAX) {
			handshake_failed(c->r, SEC_E_INTERNAL_ERROR,
			    "(the handshake did not end)");
			break;
		}
	}
	if (asked)
		client_cert_wanted(c->r);
	free(buf);
	return -1;
}

/* Compare the certificate the server presented with thumb. */
static void
compare_served(CtxtHandle *ctx, const uint8_t thumb[THUMB_LEN],
    struct verify_result *r)
{
	PCCERT_CONTEXT cert = NULL;
	char want[THUMB_HEX], got[THUMB_HEX];
	DWORD size = THUMB_LEN;
	SECURITY_STATUS st;

	st = QueryContextAttributesW(ctx, SECPKG_ATTR_REMOTE_CERT_CONTEXT,
	    &cert);
	if (st != SEC_E_OK || cert == NULL) {
		handshake_failed(r, st != SEC_E_OK ? st : SEC_E_CERT_UNKNOWN,
		    "(the server presented no certificate)");
		return;
	}
	if (!CertGetCertificateContextProperty(cert, CERT_SHA1_HASH_PROP_ID,
	    r->served, &size) || size != THUMB_LEN) {
		handshake_failed(r, SEC_E_CERT_UNKNOWN, "(the certificate "
		    "presented cannot be read)");
		CertFreeCertificateContext(cert);
		return;
	}
	CertFreeCertificateContext(cert);
	r->served_known = true;
	thumb_format(thumb, want);
	thumb_format(r->served, got);
	if (memcmp(r->served, thumb, THUMB_LEN) == 0) {
		r->outcome = VERIFY_SERVED;
		snprintf(r->text, sizeof(r->text), "serves %s", got);
	} else {
		r->outcome = VERIFY_MISMATCH;
		snprintf(r->text, sizeof(r->text), "serves %s, not %s", got,
		    want);
	}
}

/* The whole TLS part, on a connected socket. */
static void
shake_hands(struct conn *c, const struct verify_target *t,
    const uint8_t thumb[THUMB_LEN])
{
	wchar_t package[] = UNISP_NAME_W;
	wchar_t name[ENDPOINT_HOST_MAX + 1], *target = NULL;
	SCHANNEL_CRED sc;
	CredHandle cred;
	CtxtHandle ctx;
	struct isc_out o;
	SECURITY_STATUS st;
	TimeStamp expiry;

	/* The server name is an LDH host name: ASCII, widened byte by byte. */
	if (t->sni[0] != '\0') {
		size_t i;

		for (i = 0; t->sni[i] != '\0'; i++)
			name[i] = (unsigned char)t->sni[i];
		name[i] = L'\0';
		target = name;
	}
	memset(&sc, 0, sizeof(sc));
	sc.dwVersion = SCHANNEL_CRED_VERSION;
	sc.dwFlags = SCH_CRED_MANUAL_CRED_VALIDATION |
	    SCH_CRED_NO_DEFAULT_CREDS | SCH_CRED_NO_SERVERNAME_CHECK;
	st = AcquireCredentialsHandleW(NULL, package, SECPKG_CRED_OUTBOUND, NULL,
	    &sc, NULL, NULL, &cred, &expiry);
	if (st != SEC_E_OK) {
		handshake_failed(c->r, st, "(AcquireCredentialsHandle)");
		return;
	}
	st = isc(&cred, NULL, &ctx, target, NULL, &o);
	if (st != SEC_I_CONTINUE_NEEDED) {
		if (o.token.pvBuffer != NULL)
			FreeContextBuffer(o.token.pvBuffer);
		isc_failed(c->r, st, "(the first message)", &o);
		/* Done at once (TLS never is): the context is still made. */
		if (st == SEC_E_OK)
			DeleteSecurityContext(&ctx);
		FreeCredentialsHandle(&cred);
		return;
	}
	/*
	 * The connection is closed without a close_notify: no request was
	 * made, and the server sees a client that went away.
	 */
	if (send_token(c, &o.token) == 0 &&
	    handshake_rest(c, &cred, &ctx, target) == 0)
		compare_served(&ctx, thumb, c->r);
	DeleteSecurityContext(&ctx);
	FreeCredentialsHandle(&cred);
}

static int
sockaddr_of(const struct verify_target *t, SOCKADDR_STORAGE *ss, int *len)
{
	memset(ss, 0, sizeof(*ss));
	if (t->ipv6) {
		SOCKADDR_IN6 *a = (SOCKADDR_IN6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(t->port);
		memcpy(&a->sin6_addr, t->addr, 16);
		*len = sizeof(*a);
	} else {
		SOCKADDR_IN *a = (SOCKADDR_IN *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(t->port);
		memcpy(&a->sin_addr, t->addr, 4);
		*len = sizeof(*a);
	}
	return 0;
}

static bool
is_loopback(const struct verify_target *t)
{
	static const uint8_t v6[16] = { [15] = 1 };

	return t->ipv6 ? memcmp(t->addr, v6, 16) == 0 : t->addr[0] == 127;
}

/*
 * HTTP.sys serves only addresses of this machine: binding the client
 * socket to the target address first tells at once that an address is
 * not one of them (no connection attempt that would only time out).
 * 0, or -1 after the result.
 */
static int
local_only(struct conn *c, const struct verify_target *t)
{
	SOCKADDR_STORAGE ss;
	int len, err;
	char text[300];

	if (is_loopback(t))
		return 0;
	sockaddr_of(t, &ss, &len);
	((SOCKADDR_IN *)&ss)->sin_port = 0;     /* same place in both */
	if (bind(c->s, (SOCKADDR *)&ss, len) == 0)
		return 0;
	err = WSAGetLastError();
	socket_text(err, text, sizeof(text));
	result(c->r, VERIFY_NOT_LISTENING, (uint32_t)err,
	    "the address is not one of this machine's (%s)", text);
	return -1;
}

/* Connect within the deadline; 0, or -1 after the result. */
static int
connect_to(struct conn *c, const struct verify_target *t)
{
	SOCKADDR_STORAGE ss;
	u_long nonblocking = 1;
	int len, err = 0, errlen = sizeof(err), w;
	char text[300], msg[400];

	if (local_only(c, t) != 0)
		return -1;
	sockaddr_of(t, &ss, &len);
	ioctlsocket(c->s, FIONBIO, &nonblocking);
	if (connect(c->s, (SOCKADDR *)&ss, len) == 0)
		return 0;
	err = WSAGetLastError();
	if (err == WSAEWOULDBLOCK) {
		if ((w = wait_for(c, true)) == 0) {
			result(c->r, VERIFY_TIMEOUT, WSAETIMEDOUT, "%s",
			    "the connection was not accepted within the timeout");
			return -1;
		}
		err = 0;
		if (w < 0)
			err = WSAGetLastError();
		else if (getsockopt(c->s, SOL_SOCKET, SO_ERROR, (char *)&err,
		    &errlen) != 0)
			err = WSAGetLastError();
		if (err == 0)
			return 0;
	}
	socket_text(err, text, sizeof(text));
	/*
	 * Accepted, then reset or aborted: something listens and broke the
	 * connection, as a server that cannot complete TLS may.
	 */
	if (err == WSAECONNRESET || err == WSAECONNABORTED) {
		snprintf(msg, sizeof(msg), "the TLS handshake failed: the "
		    "server broke the connection (%s)", text);
		result(c->r, VERIFY_HANDSHAKE_FAILED, (uint32_t)err, "%s", msg);
		return -1;
	}
	if (err == WSAETIMEDOUT) {
		result(c->r, VERIFY_TIMEOUT, (uint32_t)err,
		    "the connection timed out (%s)", text);
		return -1;
	}
	/* Refused: nothing listens, so HTTP.sys has no URL on the port. */
	snprintf(msg, sizeof(msg), "nothing listens there (%s)", text);
	result(c->r, VERIFY_NOT_LISTENING, (uint32_t)err, "%s", msg);
	return -1;
}

void
verify_endpoint(const struct verify_target *t,
    const uint8_t thumb[THUMB_LEN], uint32_t timeout_ms,
    struct verify_result *r)
{
	static bool started;
	struct conn c;
	WSADATA wsa;
	char text[300];
	int err;

	memset(r, 0, sizeof(*r));
	if (!started) {
		if ((err = WSAStartup(MAKEWORD(2, 2), &wsa)) != 0) {
			socket_text(err, text, sizeof(text));
			result(r, VERIFY_NOT_LISTENING, (uint32_t)err,
			    "Winsock could not start (%s)", text);
			return;
		}
		started = true;
	}
	if (verify_link_local(t)) {
		result(r, VERIFY_NOT_VERIFIABLE, 0, "%s", "a link-local IPv6 "
		    "address is reached through a named interface (a scope "
		    "id), which neither the policy nor the record gives: "
		    "nothing was verified");
		return;
	}
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.deadline = GetTickCount64() + timeout_ms;
	c.s = socket(t->ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, IPPROTO_TCP);
	if (c.s == INVALID_SOCKET) {
		err = WSAGetLastError();       /* before anything else runs */
		socket_text(err, text, sizeof(text));
		result(r, VERIFY_NOT_LISTENING, (uint32_t)err,
		    "no socket for the address family (%s)", text);
		return;
	}
	if (connect_to(&c, t) == 0)
		shake_hands(&c, t, thumb);
	closesocket(c.s);
}

void
verify_binding(const struct binding *b, const struct ssl_record *rec,
    struct verify_result *r)
{
	struct verify_target t;

	memset(r, 0, sizeof(*r));
	if (!b->verify) {
		result(r, VERIFY_SKIPPED, 0, "%s", "not checked (verify: false)");
		return;
	}
	if (verify_target_of(b, &t) != 0) {
		result(r, VERIFY_NOT_VERIFIABLE, 0, "%s", "a ccs record names no "
		    "certificate: the Central Certificate Store chooses one per "
		    "host name");
		return;
	}
	if (rec == NULL || rec->hash_len != THUMB_LEN) {
		result(r, VERIFY_NOT_VERIFIABLE, 0, "%s", "the record names no "
		    "SHA-1 thumbprint to compare");
		return;
	}
	verify_endpoint(&t, rec->hash, (uint32_t)b->verify_timeout_ms, r);
}

const char *
verify_target_text(const struct binding *b, char *buf, size_t len)
{
	struct verify_target t;
	char ep[ENDPOINT_TEXT_MAX], addr[64];

	endpoint_format(&b->endpoint, ep, sizeof(ep));
	if (verify_target_of(b, &t) != 0) {
		snprintf(buf, len, "%s", ep);
		return buf;
	}
	if (t.ipv6)
		inet_ntop(AF_INET6, t.addr, addr, sizeof(addr));
	else
		inet_ntop(AF_INET, t.addr, addr, sizeof(addr));
	snprintf(buf, len, "%s (%s%s%s:%u%s%s)", ep, t.ipv6 ? "[" : "", addr,
	    t.ipv6 ? "]" : "", (unsigned)t.port,
	    t.sni[0] ? ", server name " : "", t.sni);
	return buf;
}
