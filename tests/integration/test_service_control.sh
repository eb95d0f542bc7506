#!/usr/bin/env bash
# test_service_control.sh - how the loop answers the Service Control
# Manager and Ctrl+C: a stop is honoured between two bindings of a long
# reconcile, the stop pending state advances its checkpoint, a service
# that fails says why in its specific exit code, and watching a store
# that does not exist does not create it.
#
# The stand-in's "hold MS" fault holds one Set open until the test
# releases it, so that the stop arrives in the middle of a reconcile of
# 1,000 bindings however slow the machine (a fixed delay could end
# before a loaded machine had sent the stop and read the state); the
# call log then shows how many bindings were written after it.
. "$(dirname "$0")/lib.sh"
# A prefix of its own, booted for this suite (6 s): its stop timings
# failed in a lane's shared prefix after other suites (their services
# and processes left in that prefix's SCM), and passed alone.
cd "$ROOT" || exit 1
wine_boot "$ROOT/build/wineprefix-svcctl" || exit 1
trap wine_end EXIT

TMP=build/tmp/test_service_control
rm -rf "$TMP"
mkdir -p "$TMP"
BIG=$TMP/big.yaml
NBIG=1000

ncalls() { calls 2>/dev/null | awk -v c="$1" '$2 == c' | wc -l; }
svc_field() { wine sc query CertBind 2>/dev/null | tr -d '\r' |
    awk -v f="$1" '$1 == f { print $3 }'; }
is_state() { [ "$(wine sc query CertBind 2>/dev/null | tr -d '\r' |
    awk '/STATE/ { print $4 }')" = "$1" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# NBIG bindings, b1.example.test:10001 and on, all covered by one
# wildcard certificate.
{
	printf 'version: 1\nservice:\n  resync_interval: 1h\nbindings:\n'
	for i in $(seq 1 $NBIG); do
		printf '  - name: b%d\n    endpoint: 0.0.0.0:%d\n' $i $((10000 + i))
		printf '    match: { dns: b%d.example.test }\n' $i
	done
} >"$BIG"

big_state() {
	reset_state
	certmk add --cn '*.example.test' --dns '*.example.test' >/dev/null
}

# Ctrl+C while the first of 1,000 bindings is being written.
test_ctrl_c() {
	local pid rc n
	big_state
	fault Set "hold 60000"
	WINEDEBUG=-all wine "$BIN/certbind.exe" run --config "$BIG" \
	    >"$TMP/run.out" 2>"$TMP/run.err" &
	pid=$!
	if wait_for 60 called Set; then ok "ctrl+c: the reconcile is writing"
	else not_ok "ctrl+c: the reconcile is writing"; fi
	kill -INT "$pid"
	# Wine delivers the Ctrl+C on a thread of its own, with nothing to
	# poll for: the Set stays held two seconds more for it to arrive.
	sleep 2
	release
	if wait_for 60 gone "$pid"; then ok "ctrl+c: run ends"
	else not_ok "ctrl+c: run ends"; kill "$pid"; fi
	wait "$pid"; rc=$?
	expect_eq "ctrl+c: exit status 0" "$rc" 0
	n=$(ncalls Set)
	if [ "$n" -lt $NBIG ]; then
		ok "ctrl+c: the reconcile stopped between bindings ($n of $NBIG written)"
	else
		not_ok "ctrl+c: the reconcile stopped between bindings" \
		    "$n of $NBIG bindings were written after Ctrl+C"
	fi
	expect_match "ctrl+c: it says how many bindings were left (event 5)" \
	    "$(tr -d '\r' <"$TMP/run.err")" \
	    "^certbind\\[5\\] information: stopping: [0-9]+ of $NBIG bindings were left for the next reconcile"
}

# sc stop in the middle of a long reconcile: STOP_PENDING with a
# checkpoint that advances, then STOPPED before the reconcile is done.
test_service_stop() {
	local out cp1 cp2 n
	big_state
	out=$(certbind service install --config "$BIG" 2>&1)
	fault Set "hold 60000"
	wine sc start CertBind >/dev/null
	if wait_for 60 called Set; then ok "sc stop: the service is writing"
	else not_ok "sc stop: the service is writing" "$out"; fi
	wine sc stop CertBind >/dev/null
	cp1=$(svc_field CHECKPOINT)
	sleep 2
	cp2=$(svc_field CHECKPOINT)
	expect_eq "sc stop: still stop pending while the Set is held" \
	    "$(wine sc query CertBind | tr -d '\r' | awk '/STATE/ { print $4 }')" \
	    STOP_PENDING
	if [ -n "$cp1" ] && [ -n "$cp2" ] && [ $((cp2)) -gt $((cp1)) ]; then
		ok "sc stop: the checkpoint advances while stopping ($cp1, then $cp2)"
	else
		not_ok "sc stop: the checkpoint advances while stopping" \
		    "checkpoint $cp1, two seconds later $cp2"
	fi
	release
	if wait_for 60 is_state STOPPED; then ok "sc stop: stopped"
	else not_ok "sc stop: stopped"; fi
	expect_eq "sc stop: a clean stop has exit code 0" \
	    "$(svc_field WIN32_EXIT_CODE)" 0
	n=$(ncalls Set)
	if [ "$n" -lt $NBIG ]; then
		ok "sc stop: the reconcile stopped between bindings ($n of $NBIG written)"
	else
		not_ok "sc stop: the reconcile stopped between bindings" \
		    "$n of $NBIG bindings were written after the stop"
	fi
	uninstall_service
}

# A service that cannot set up its watches (its policy folder is gone)
# stops with ERROR_SERVICE_SPECIFIC_ERROR and the loop's code.
test_specific_exit() {
	local dir=$TMP/vanishing
	reset_state
	mkdir -p "$dir"
	printf 'version: 1\nbindings: []\n' >"$dir/policy.yaml"
	certbind service install --config "$dir/policy.yaml" >/dev/null 2>&1
	rm -rf "$dir"
	wine sc start CertBind >/dev/null 2>&1
	if wait_for 30 is_state STOPPED; then ok "exit code: the service stops"
	else not_ok "exit code: the service stops"; fi
	expect_eq "exit code: ERROR_SERVICE_SPECIFIC_ERROR (1066)" \
	    "$(svc_field WIN32_EXIT_CODE)" 1066
	expect_eq "exit code: the specific code is the loop's, 1" \
	    "$(svc_field SERVICE_EXIT_CODE)" 1
	uninstall_service
}

# A policy on WebHosting, on a server without that store: the watch does
# not create it, and notices when it is created.
test_webhosting_absent() {
	local pid key='HKLM\SOFTWARE\Microsoft\SystemCertificates\WebHosting' w
	local policy=$TMP/webhosting.yaml
	reset_state
	wine reg delete "$key" /f >/dev/null 2>&1
	printf 'version: 1\nservice: { resync_interval: 1h, debounce: 50ms }\n' >"$policy"
	printf 'bindings:\n  - name: web\n    endpoint: 0.0.0.0:8444\n' >>"$policy"
	printf '    match: { dns: web.example.test }\n' >>"$policy"
	printf '    options: { cert_store: WebHosting }\n' >>"$policy"
	WINEDEBUG=-all wine "$BIN/certbind.exe" run --config "$policy" \
	    >"$TMP/web.out" 2>"$TMP/web.err" &
	pid=$!
	wait_for 30 sh -c "tr -d '\r' <'$TMP/web.err' | grep -q '^certbind\\[1\\]'"
	expect_eq "webhosting: watching it does not create the store" \
	    "$(wine reg query "$key" >/dev/null 2>&1; echo $?)" 1
	w=$(certmk --store WebHosting add --cn web.example.test \
	    --dns web.example.test)
	if wait_for 10 sh -c "[ \"\$(wine reg query '$SSLKEY\\0.0.0.0:8444' /v SslCertHash 2>/dev/null | tr -d '\r' | awk '\$1 == \"SslCertHash\" { print \$3 }')\" = '$w' ]"; then
		ok "webhosting: a store created later is watched, and its certificate bound"
	else
		not_ok "webhosting: a store created later is watched, and its certificate bound" \
		    "$(tr -d '\r' <"$TMP/web.err" | tail -3)"
	fi
	kill -INT "$pid"
	wait_for 30 gone "$pid" || kill "$pid"
	wait "$pid"
}

test_ctrl_c
test_service_stop
test_specific_exit
test_webhosting_absent
tap_end
