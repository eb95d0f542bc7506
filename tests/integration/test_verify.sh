#!/usr/bin/env bash
# test_verify.sh - after a change certbind checks what the endpoint
# serves (a TLS handshake with Schannel) and undoes a change that broke
# serving; certbind verify, status --probe; a key that does not open is
# a candidate that loses (key-unusable).
#
# Wine's HTTP.sys serves no TLS, and Wine's Schannel cannot be a server
# (no AcceptSecurityContext), so the stand-in cannot serve either: an
# `openssl s_server` on the bound port stands in for what HTTP.sys would
# serve, with the certificate the test wants served, exported from the
# test store (certmk export).  The ports are the suite's own.
. "$(dirname "$0")/lib.sh"
suite_prefix

TMP=build/tmp/test_verify
rm -rf "$TMP"
mkdir -p "$TMP"
WTMP="Z:$(pwd -P | tr / '\\')\\build\\tmp\\test_verify"
NAME=verify.example.test
# free_ports: a port P such that P and P+1 are free on 127.0.0.1 and
# [::1] now, from the ephemeral range's other side: a fixed port clashed
# with another checkout's run on the same host.
free_ports() {
	/usr/bin/python3 - <<'PY'
import random, socket
def free(port):
    for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        s = socket.socket(fam, socket.SOCK_STREAM)
        try:
            s.bind((addr, port))
        except OSError:
            return False
        finally:
            s.close()
    return True
for _ in range(200):
    p = random.randrange(20000, 30000)
    if free(p) and free(p + 1):
        print(p)
        break
PY
}
PORT=$(free_ports)
[ -n "$PORT" ] || { not_ok "two free TCP ports for the suite's servers"; exit 1; }

add_cert() { certmk add --cn "${CN:-$NAME}" --dns "${CN:-$NAME}" "$@"; }

# pem THUMBPRINT: $TMP/THUMBPRINT.pem and .key, for openssl.
pem() {
	certmk export "$1" "$WTMP\\$1" &&
	    openssl x509 -inform DER -in "$TMP/$1.der" -out "$TMP/$1.pem" &&
	    openssl rsa -inform MSBLOB -in "$TMP/$1.blob" -out "$TMP/$1.key" \
	    2>/dev/null
}

# serve ADDRESS PORT [s_server options]: a TLS server until unserve.
# certmk's keys are 1024-bit RSA, which OpenSSL 3 refuses at its default
# security level.  -www: it reads no commands from stdin (an end of
# input there would stop it), and certbind sends no request.
SERVER_PID=
serve() {
	local addr=$1 port=$2
	shift 2
	openssl s_server -www -accept "$addr:$port" \
	    -cipher 'DEFAULT:@SECLEVEL=0' "$@" >"$TMP/server.log" 2>&1 </dev/null &
	SERVER_PID=$!
	wait_for 5 grep -q ACCEPT "$TMP/server.log" ||
	    not_ok "openssl s_server started" "$(cat "$TMP/server.log")"
}
serve_cert() {   # serve_cert ADDRESS PORT THUMBPRINT [options]
	local addr=$1 port=$2 t=$3
	shift 3
	serve "$addr" "$port" -cert "$TMP/$t.pem" -key "$TMP/$t.key" "$@"
}
unserve() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null &&
	    wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
}
# wine_end only for a prefix of its own: in make check's lanes the prefix
# is the lane's, and ending its wineserver took the services of the
# suites after this one down with it.
trap 'unserve; untrickle; [ -n "${CERTBIND_PREFIX_READY:-}" ] || wine_end' EXIT

# policy FILE ENDPOINT [binding lines...]
policy() {
	local file=$1 ep=$2
	shift 2
	{
		printf 'version: 1\nbindings:\n  - name: v\n    endpoint: %s\n' "$ep"
		printf '    match: { dns: %s }\n' "$NAME"
		for l in "$@"; do printf '    %s\n' "$l"; done
	} >"$file"
}

# Served after a rotation: the check says so, and verify agrees.
test_served() {
	local a b out rc ep=0.0.0.0:$PORT
	reset_state
	policy "$TMP/p.yaml" "$ep"
	a=$(add_cert --not-after 30)
	certbind apply --config "$TMP/p.yaml" >/dev/null 2>&1
	b=$(add_cert --not-after 60)
	pem "$b"
	serve_cert 127.0.0.1 "$PORT" "$b"
	out=$(certbind apply --config "$TMP/p.yaml" 2>&1); rc=$?
	expect_eq "served: apply exits 0" "$rc" 0
	expect_eq "served: the record holds the new certificate" \
	    "$(bound_hash "$ep")" "$b"
	expect_match "served: apply says the endpoint serves it" "$out" \
	    "^v: $ep \\(127.0.0.1:$PORT, server name $NAME\\) serves $b"
	out=$(certbind verify --config "$TMP/p.yaml" 2>&1); rc=$?
	expect_eq "served: verify exits 0" "$rc" 0
	expect_match "served: verify says served" "$out" "^v \\($ep\\): served: "
	out=$(certbind status --config "$TMP/p.yaml" --probe --json 2>&1)
	expect_match "served: status --probe --json has the outcome" "$out" \
	    "\"binding\": \"v\", \"endpoint\": \"$ep\", \"outcome\": \"served\""
	unserve
	[ -n "$a" ]
}

# Mismatch: the endpoint serves another certificate; the change is
# undone, apply exits 1, verify says mismatch; verify: false skips.
test_mismatch() {
	local a b out rc ep=0.0.0.0:$PORT
	reset_state
	policy "$TMP/p.yaml" "$ep"
	a=$(add_cert --not-after 30)
	certbind apply --config "$TMP/p.yaml" >/dev/null 2>&1
	b=$(add_cert --not-after 60)
	pem "$a"
	serve_cert 127.0.0.1 "$PORT" "$a"
	out=$(certbind apply --config "$TMP/p.yaml" 2>&1); rc=$?
	expect_eq "mismatch: apply exits 1" "$rc" 1
	expect_eq "mismatch: the previous record is back" "$(bound_hash "$ep")" "$a"
	expect_match "mismatch: the error names the outcome and the key" "$out" \
	    "^v: after the change, .*: mismatch \\(serves $a, not $b\\)\\. The previous record was put back\\. Check certificate $b: .*SYSTEM may read it"
	out=$(certbind verify --config "$TMP/p.yaml" 2>&1); rc=$?
	expect_eq "mismatch: verify of the record put back exits 0" "$rc" 0
	policy "$TMP/off.yaml" "$ep" "verify: false"
	out=$(certbind apply --config "$TMP/off.yaml" 2>&1); rc=$?
	expect_eq "verify: false: apply exits 0" "$rc" 0
	expect_eq "verify: false: the change is kept" "$(bound_hash "$ep")" "$b"
	expect_match "verify: false: nothing was checked" "$out" \
	    "skipped \\(not checked \\(verify: false\\)\\)"
	out=$(certbind verify --config "$TMP/p.yaml" 2>&1); rc=$?
	expect_eq "mismatch: verify exits 1" "$rc" 1
	expect_match "mismatch: verify says so" "$out" \
	    "^v \\($ep\\): mismatch: .*serves $a, not $b"
	out=$(certbind verify --config "$TMP/p.yaml" --binding nosuch 2>&1); rc=$?
	expect_eq "verify of an unknown binding exits 1" "$rc" 1
	expect_match "verify of an unknown binding says so" "$out" \
	    "the policy has no binding named 'nosuch'"
	unserve
}

# A server that presents no certificate: the handshake fails, the change
# is undone; a record certbind created is deleted again.
test_handshake_failed() {
	local a b out rc ep=0.0.0.0:$PORT
	reset_state
	policy "$TMP/p.yaml" "$ep"
	serve 127.0.0.1 "$PORT" -nocert
	a=$(add_cert --not-after 30)
	out=$(certbind apply --config "$TMP/p.yaml" 2>&1); rc=$?
	expect_eq "handshake-failed: apply of a create exits 1" "$rc" 1
	expect_eq "handshake-failed: the record created is deleted again" \
	    "$(bound_hash "$ep")" ""
	expect_match "handshake-failed: the error has the SECURITY_STATUS" \
	    "$out" "handshake-failed \\(the TLS handshake failed: SEC_E_[A-Z_]+ \\(0x8009[0-9A-F]{4}\\)"
	unserve
	certbind apply --config "$TMP/p.yaml" >/dev/null 2>&1
	b=$(add_cert --not-after 60)
	serve 127.0.0.1 "$PORT" -nocert
	out=$(certbind apply --config "$TMP/p.yaml" 2>&1); rc=$?
	expect_eq "handshake-failed: apply of an update exits 1" "$rc" 1
	expect_eq "handshake-failed: the previous record is back" \
	    "$(bound_hash "$ep")" "$a"
	unserve
	[ -n "$b" ]
}

# listen ADDRESS PORT MODE: a TCP listener that says no TLS: "hold"
# keeps each connection open and silent, "reset" resets it at once.
listen() {
	/usr/bin/python3 -c '
import socket, struct, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(8)
print("ACCEPT", flush=True)
held = []
while True:
    c, _ = s.accept()
    if sys.argv[3] == "reset":
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        c.close()
    else:
        held.append(c)
' "$1" "$2" "$3" >"$TMP/server.log" 2>&1 </dev/null &
	SERVER_PID=$!
	wait_for 5 grep -q ACCEPT "$TMP/server.log" ||
	    not_ok "the listener started" "$(cat "$TMP/server.log")"
}

# A server that resets the connection: the change is undone.  One that
# accepts and says nothing: timeout, the change is kept, a warning.
test_reset_timeout() {
	local a b out rc ep=0.0.0.0:$PORT
	reset_state
	policy "$TMP/p.yaml" "$ep" "verify_timeout: 1s"
	a=$(add_cert --not-after 30)
	certbind apply --config "$TMP/p.yaml" >/dev/null 2>&1
	b=$(add_cert --not-after 60)
	listen 127.0.0.1 "$PORT" reset
	out=$(certbind apply --config "$TMP/p.yaml" 2>&1); rc=$?
	expect_eq "reset: apply exits 1" "$rc" 1
	expect_eq "reset: the previous record is back" "$(bound_hash "$ep")" "$a"
	expect_match "reset: the handshake failed" "$out" \
	    "handshake-failed \\(the TLS handshake failed"
	unserve
	listen 127.0.0.1 "$PORT" hold
	out=$(certbind apply --config "$TMP/p.yaml" 2>&1); rc=$?
	expect_eq "timeout: apply exits 0" "$rc" 0
	expect_eq "timeout: the change is kept" "$(bound_hash "$ep")" "$b"
	expect_match "timeout: a warning says so" "$out" \
	    "^v: .*: timeout \\(no answer to the handshake within the timeout\\); the change is kept"
	unserve
}

# Nothing listens: the change is kept, said once as information.
test_not_listening() {
	local a b out rc ep=0.0.0.0:$PORT
	reset_state
	policy "$TMP/p.yaml" "$ep"
	a=$(add_cert --not-after 30)
	out=$(certbind apply --config "$TMP/p.yaml" 2>&1); rc=$?
	expect_eq "not-listening: apply exits 0" "$rc" 0
	expect_eq "not-listening: the record is created" "$(bound_hash "$ep")" "$a"
	expect_match "not-listening: said as information" "$out" \
	    "^v: .*: not-listening \\(nothing listens there.*\\); nothing was verified and the change is kept"
	out=$(certbind verify --config "$TMP/p.yaml" 2>&1); rc=$?
	expect_eq "not-listening: verify exits 0" "$rc" 0
	[ -n "$b" ] || true
}

# An SNI endpoint sends its host name: s_server serves the new
# certificate (-cert2) only to a client that names it (-servername), and
# the old one to any other.
test_sni() {
	local a b out rc host=sni.verify.example.test
	local ep=$host:$PORT
	reset_state
	{
		printf 'version: 1\nbindings:\n  - name: v\n    endpoint: %s\n' "$ep"
	} >"$TMP/sni.yaml"
	a=$(CN=$host add_cert --not-after 30)
	certbind apply --config "$TMP/sni.yaml" >/dev/null 2>&1
	b=$(CN=$host add_cert --not-after 60)
	pem "$a"
	pem "$b"
	serve_cert 127.0.0.1 "$PORT" "$a" -servername "$host" \
	    -cert2 "$TMP/$b.pem" -key2 "$TMP/$b.key"
	out=$(certbind apply --config "$TMP/sni.yaml" 2>&1); rc=$?
	expect_eq "sni: apply exits 0" "$rc" 0
	expect_eq "sni: the record holds the new certificate" \
	    "$(bound_hash "$ep" "$SNIKEY")" "$b"
	expect_match "sni: served to the name sent" "$out" "serves $b"
	unserve
}

# IPv6: [::] is checked on [::1].
test_ipv6() {
	local a b out rc ep='[::]:'$PORT
	reset_state
	policy "$TMP/p6.yaml" "'$ep'"
	a=$(add_cert --not-after 30)
	certbind apply --config "$TMP/p6.yaml" >/dev/null 2>&1
	b=$(add_cert --not-after 60)
	pem "$a"
	serve_cert '[::1]' "$PORT" "$a"
	out=$(certbind apply --config "$TMP/p6.yaml" 2>&1); rc=$?
	expect_eq "ipv6: a mismatch on [::1] makes apply exit 1" "$rc" 1
	expect_match "ipv6: checked on [::1]" "$out" \
	    "\\[::\\]:$PORT \\(\\[::1\\]:$PORT, server name $NAME\\): mismatch"
	expect_eq "ipv6: the previous record is back" "$(bound_hash "$ep")" "$a"
	unserve
	[ -n "$b" ]
}

# trickle PORT UPSTREAM: a TCP proxy on 127.0.0.1:PORT to UPSTREAM that
# passes the server's bytes on 8 at a time, 3 ms apart, so that Schannel
# sees its flight as many partial messages (SEC_E_INCOMPLETE_MESSAGE).
TRICKLE_PID=
trickle() {
	/usr/bin/python3 -c '
import socket, sys, threading, time
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", int(sys.argv[1])))
ls.listen(8)
print("ACCEPT", flush=True)
def pump(src, dst, piece, pause):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            for i in range(0, len(data), piece):
                dst.sendall(data[i:i + piece])
                time.sleep(pause)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
while True:
    c, _ = ls.accept()
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    u = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
    threading.Thread(target=pump, args=(c, u, 65536, 0), daemon=True).start()
    threading.Thread(target=pump, args=(u, c, 8, 0.003), daemon=True).start()
' "$1" "$2" >"$TMP/trickle.log" 2>&1 </dev/null &
	TRICKLE_PID=$!
	wait_for 5 grep -q ACCEPT "$TMP/trickle.log" ||
	    not_ok "the trickling proxy started" "$(cat "$TMP/trickle.log")"
}
untrickle() {
	[ -n "$TRICKLE_PID" ] && kill "$TRICKLE_PID" 2>/dev/null &&
	    wait "$TRICKLE_PID" 2>/dev/null
	TRICKLE_PID=
}

# A handshake that comes a few bytes at a time (over a hundred partial
# messages) is read to its end: only flights ISC answers count as rounds.
test_trickle() {
	local a out rc ep=0.0.0.0:$PORT
	reset_state
	policy "$TMP/p.yaml" "$ep" "verify_timeout: 30s"
	a=$(add_cert --not-after 30)
	pem "$a"
	serve_cert 127.0.0.1 $((PORT + 1)) "$a"
	trickle "$PORT" $((PORT + 1))
	out=$(certbind apply --config "$TMP/p.yaml" 2>&1); rc=$?
	expect_eq "trickle: apply exits 0" "$rc" 0
	expect_match "trickle: the handshake ends, and the certificate is served" \
	    "$out" "^v: $ep \(127.0.0.1:$PORT, server name $NAME\) serves $a"
	expect_eq "trickle: the record is kept" "$(bound_hash "$ep")" "$a"
	untrickle
	unserve
}

# The service: a mismatch is undone and counted; the certificate is not
# tried again on a store event within its backoff, and is bound once the
# endpoint serves it, after the backoff (10 s).
test_service_retry() {
	local a b c out ep=0.0.0.0:$PORT w=$WTMP\\metrics.prom
	reset_state
	{
		printf "version: 1\nservice:\n  metrics_file: '%s'\n" "$w"
		printf 'bindings:\n  - name: v\n    endpoint: %s\n' "$ep"
		printf '    match: { dns: %s }\n' "$NAME"
	} >"$TMP/svc.yaml"
	a=$(add_cert --not-after 30)
	certbind apply --config "$TMP/svc.yaml" >/dev/null 2>&1
	b=$(add_cert --not-after 60)
	pem "$a"
	pem "$b"
	serve_cert 127.0.0.1 "$PORT" "$a"
	WINEDEBUG=-all wine "$BIN/certbind.exe" run --config "$TMP/svc.yaml" \
	    >"$TMP/run.out" 2>"$TMP/run.err" &
	local run=$!
	wait_for 10 grep -q 'certbind\[317\]' "$TMP/run.err"
	out=$(tr -d '\r' <"$TMP/run.err")
	expect_match "service: the mismatch is event 317" "$out" \
	    "certbind\\[317\\] error: v: after the change, .*mismatch"
	expect_eq "service: the previous record is back" "$(bound_hash "$ep")" "$a"
	wait_for 5 grep -q 'binding_served{binding="v"} 0' "$TMP/metrics.prom"
	out=$(tr -d '\r' <"$TMP/metrics.prom" 2>/dev/null)
	expect_match "service: the failure is counted" "$out" \
	    '^certbind_verify_failures_total\{binding="v"\} 1$'
	expect_match "service: the binding is not served" "$out" \
	    '^certbind_binding_served\{binding="v"\} 0$'
	unserve
	serve_cert 127.0.0.1 "$PORT" "$b"
	rm -f "$WINEPREFIX/drive_c/httpapi-calls.log"
	c=$(CN=other.example.test add_cert)           # a store event
	sleep 1
	expect_eq "service: a store event within the backoff rebinds nothing" \
	    "$(writes)" ""
	wait_for 20 sh -c "grep -q 'certbind\\[12\\]' '$TMP/run.err'"
	expect_eq "service: bound after the backoff, once served" \
	    "$(bound_hash "$ep")" "$b"
	wait_for 5 grep -q 'binding_served{binding="v"} 1' "$TMP/metrics.prom"
	expect_match "service: now served" "$(tr -d '\r' <"$TMP/metrics.prom")" \
	    '^certbind_binding_served\{binding="v"\} 1$'
	kill -INT "$run" 2>/dev/null
	wait_for 10 sh -c "! kill -0 $run 2>/dev/null" || kill "$run"
	wait "$run" 2>/dev/null
	unserve
	[ -n "$c" ]
}

# A key that is named but does not open loses, with the reason.
test_key_unusable() {
	local a b n out ep=0.0.0.0:$PORT
	reset_state
	policy "$TMP/p.yaml" "$ep"
	a=$(add_cert --not-after 30)
	b=$(add_cert --not-after 60)
	n=$(add_cert --not-after 90 --no-key)
	certmk break-key "$b"
	out=$(certbind plan --config "$TMP/p.yaml" --explain 2>&1)
	expect_match "key-unusable: plan chooses the other certificate" "$out" \
	    "create .*$a"
	expect_match "key-unusable: plan --explain gives the reason" "$out" \
	    "$b.*key-unusable: .*\\(0x8009"
	expect_match "key-unusable: a certificate without a key is still no-key" \
	    "$out" "$n.*no private key"
	out=$(certbind plan --config "$TMP/p.yaml" --explain --json 2>&1)
	expect_match "key-unusable: the JSON verdict" "$out" \
	    "\"verdict\": \"key-unusable\", \"reason\": \"key-unusable: "
}

# A certificate linked to another certificate's key: the key opens and
# signs, but not for this certificate's public key; it loses, and the
# stand-in HTTP.sys refuses it as Windows does (1312).
test_key_mismatch() {
	local a w out rc ep=0.0.0.0:$PORT
	reset_state
	policy "$TMP/p.yaml" "$ep"
	a=$(add_cert --not-after 30)
	w=$(add_cert --not-after 60 --key-of "$a")
	out=$(certbind plan --config "$TMP/p.yaml" --explain 2>&1)
	expect_match "key-mismatch: plan chooses the certificate of the key" \
	    "$out" "create .*$a"
	expect_match "key-mismatch: plan --explain says the key is not its own" \
	    "$out" "$w.*key-unusable: the private key does not match the certificate"
	out=$(certbind plan --config "$TMP/p.yaml" --explain --json 2>&1)
	expect_match "key-mismatch: the JSON reason" "$out" \
	    "\"reason\": \"key-unusable: the private key does not match the certificate\""
	out=$(certbind apply --config "$TMP/p.yaml" 2>&1); rc=$?
	expect_eq "key-mismatch: apply binds the certificate of the key" \
	    "$(bound_hash "$ep")" "$a"
	[ "$rc" -le 1 ] || not_ok "key-mismatch: apply exit status" "$rc"
}

test_served
test_mismatch
test_handshake_failed
test_not_listening
test_reset_timeout
test_sni
test_ipv6
test_trickle
test_key_unusable
test_key_mismatch
test_service_retry
tap_end
