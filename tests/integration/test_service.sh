#!/usr/bin/env bash
# test_service.sh - the runtime: `certbind run` in the foreground, and the
# CertBind service under Wine's Service Control Manager.  No command is run
# between a store change and the rebind: the loop notices by itself.
. "$(dirname "$0")/lib.sh"
suite_prefix

TMP=build/tmp/test_service
rm -rf "$TMP"
mkdir -p "$TMP"
WTMP="Z:$(pwd -P | tr / '\\')\\build\\tmp\\test_service"
POLICY=$TMP/policy.yaml
METRICS=$TMP/certbind.prom
EP=0.0.0.0:8443

add_api() { certmk add --cn api.example.test --dns api.example.test "$@"; }

# write_policy [option line]: the policy, with a 1h resync so that only
# notifications can explain a prompt rebind.
write_policy() {
	{
		# Every certificate here expires within 365 days: each reconcile
		# would warn, were warnings not once a day per binding.
		printf 'version: 1\ndefaults:\n  renew_warning_days: 365\n'
		printf 'service:\n  resync_interval: 1h\n'
		printf '  debounce: 50ms\n'
		printf "  metrics_file: '%s\\\\certbind.prom'\n" "$WTMP"
		printf 'bindings:\n  - name: api\n    endpoint: %s\n' "$EP"
		printf '    match: { dns: api.example.test }\n'
		[ -n "${1:-}" ] && printf '    options: { %s }\n' "$1"
	} >"$POLICY"
}

holds() { [ "$(bound_hash $EP)" = "$1" ]; }
flags_are() { [ "$(reg_value $EP DefaultFlags)" = "$1" ]; }
logged() { tr -d '\r' <"$TMP/run.err" | grep -Eq -- "$1"; }
said_holds() { tr -d '\r' <"$TMP/run.err" | grep -c '^certbind\[10\] information: api: '; }
metric() {
	tr -d '\r' <"$METRICS" 2>/dev/null | awk -v m="$1" '$1 == m { print $2 }'
}

test_foreground() {
	local pid a b c before after said
	reset_state
	write_policy
	WINEDEBUG=-all wine "$BIN/certbind.exe" run --config "$POLICY" \
	    >"$TMP/run.out" 2>"$TMP/run.err" &
	pid=$!
	if wait_for 10 logged '^certbind\[1\] information: certbind is watching'; then
		ok "run: started, and says so with event 1"
	else
		not_ok "run: started, and says so with event 1" "$(cat "$TMP/run.err")"
	fi
	a=$(add_api --not-after 30)
	if wait_for 10 holds "$a"; then ok "run: a new certificate is bound with no command run"
	else not_ok "run: a new certificate is bound with no command run"; fi
	wait_for 10 logged "^certbind\\[100\\] information: api: created $EP with $a"
	expect_match "run: the creation is printed with its event ID" \
	    "$(tr -d '\r' <"$TMP/run.err")" "^certbind\\[100\\] information: api: created $EP"
	b=$(add_api --not-after 60)
	if wait_for 10 holds "$b"; then ok "run: the binding follows a renewal"
	else not_ok "run: the binding follows a renewal"; fi

	write_policy 'disable_http2: true'
	if wait_for 10 flags_are 0x10; then ok "run: an edited policy is applied"
	else not_ok "run: an edited policy is applied"; fi
	printf 'version: 1\nbindings: [\n' >"$POLICY"
	if wait_for 10 logged '^certbind\[300\] error: .*policy.yaml:3:1: .*\(the policy loaded before stays in force\)'; then
		ok "run: a broken policy is reported with FILE:LINE:COL"
	else
		not_ok "run: a broken policy is reported with FILE:LINE:COL" \
		    "$(tail -3 "$TMP/run.err")"
	fi
	a=$(add_api --not-after 90)
	if wait_for 10 holds "$a"; then ok "run: the last good policy keeps running"
	else not_ok "run: the last good policy keeps running"; fi
	expect_eq "run: its options still hold" "$(reg_value $EP DefaultFlags)" 0x10
	write_policy 'disable_http2: true'

	wait_for 10 test -s "$METRICS"
	expect_eq "metrics: the bound certificate's NotAfter" \
	    "$(metric 'certbind_certificate_not_after_seconds{binding="api"}' |
	    awk '{ print ($1 > 1700000000) }')" 1
	expect_eq "metrics: the binding is as planned" \
	    "$(metric 'certbind_binding_as_planned{binding="api"}')" 1
	before=$(metric certbind_reconciles_total)
	said=$(said_holds)
	add_api --not-after 20 --count 40 >/dev/null
	sleep 1.5
	after=$(metric certbind_reconciles_total)
	if [ -n "$before" ] && [ -n "$after" ] && [ $((after - before)) -ge 1 ] &&
	    [ $((after - before)) -le 10 ]; then
		ok "debounce: 40 certificates in a burst, $((after - before)) reconciles"
	else
		not_ok "debounce: 40 certificates in a burst, a handful of reconciles" \
		    "reconciles before $before, after $after"
	fi
	expect_eq "debounce: the best certificate still holds" "$(bound_hash $EP)" "$a"
	expect_eq "run: 'already holds' (event 10) is not said again at each reconcile" \
	    "$(said_holds)" "$said"

	# A failed rebind is retried by itself, after a backoff of 10 s.
	fault Update "1 5"
	b=$(add_api --not-after 95)
	if wait_for 10 logged "^certbind\\[302\\] error: api: HttpUpdateServiceConfiguration failed"; then
		ok "retry: the failed Update is reported"
	else
		not_ok "retry: the failed Update is reported"
	fi
	expect_eq "retry: the binding is unchanged meanwhile" "$(bound_hash $EP)" "$a"
	sleep 8
	if wait_for 10 holds "$b"; then ok "retry: the binding moves on the retry, with no change to wake it"
	else not_ok "retry: the binding moves on the retry, with no change to wake it"; fi

	# HTTP.sys refuses a renewal's key once (1312): the binding stays on
	# the certificate it holds, and the refused one is tried again by
	# itself after its backoff.
	fault Update "1 1312"
	c=$(add_api --not-after 99)
	if wait_for 10 logged "^certbind\\[230\\] warning: api: HTTP.sys cannot use the private key of certificate $c \\(error 1312\\); it is passed over for this binding until "; then
		ok "refused key: the refusal is reported with event 230"
	else
		not_ok "refused key: the refusal is reported with event 230" \
		    "$(tail -3 "$TMP/run.err")"
	fi
	expect_eq "refused key: the binding keeps the usable certificate" \
	    "$(bound_hash $EP)" "$b"
	sleep 8
	if wait_for 10 holds "$c"; then ok "refused key: tried again after its backoff, with no change to wake it"
	else not_ok "refused key: tried again after its backoff, with no change to wake it"; fi

	expect_eq "run: the expiry warning came once, over $(metric certbind_reconciles_total) reconciles" \
	    "$(tr -d '\r' <"$TMP/run.err" | grep -c '^certbind\[202\] warning: ')" 1

	# A binding renamed by a reload leaves no stale metrics behind.
	sed 's/name: api$/name: api2/' "$POLICY" >"$TMP/renamed.yaml"
	mv "$TMP/renamed.yaml" "$POLICY"
	if wait_for 10 sh -c "grep -q 'binding=\"api2\"' '$METRICS'"; then
		ok "metrics: a renamed binding is reported under its new name"
	else
		not_ok "metrics: a renamed binding is reported under its new name"
	fi
	expect_eq "metrics: and not under the old one" \
	    "$(grep -c 'binding="api"' "$METRICS")" 0

	kill -INT "$pid"
	if wait_for 10 sh -c "! kill -0 $pid 2>/dev/null"; then
		ok "run: Ctrl+C stops it"
	else
		not_ok "run: Ctrl+C stops it"
		kill "$pid"
	fi
	wait "$pid"
	expect_eq "run: exit status 0 after Ctrl+C" "$?" 0
	expect_match "run: event 2 on the way out" "$(tr -d '\r' <"$TMP/run.err")" \
	    "^certbind\\[2\\] information: certbind stopped after [0-9]+ reconciles"
}

svc_state() { wine sc query CertBind 2>/dev/null | tr -d '\r' | awk '/STATE/ { print $4 }'; }
is_state() { [ "$(svc_state)" = "$1" ]; }

test_service() {
	local a b out rc
	reset_state
	write_policy
	out=$(certbind service install --config "$POLICY" 2>&1); rc=$?
	expect_eq "service: install exits 0" "$rc" 0
	expect_match "service: install says how it runs" "$out" \
	    "installed: .*certbind.exe\" service run --config \".*policy.yaml\""
	expect_match "service: Wine's missing settings are warnings, not errors" \
	    "$out" "warning: delayed automatic start was not set"
	expect_match "service: automatic start" \
	    "$(wine reg query 'HKLM\System\CurrentControlSet\Services\CertBind' /v Start | tr -d '\r')" \
	    "Start +REG_DWORD +0x2"
	expect_match "service: the Event Log source names certbind.exe" \
	    "$(wine reg query 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\CertBind' /v EventMessageFile | tr -d '\r')" \
	    "certbind.exe"
	wine sc start CertBind >/dev/null
	if wait_for 10 is_state RUNNING; then ok "service: running"
	else not_ok "service: running" "state $(svc_state)"; fi
	a=$(add_api --not-after 30)
	if wait_for 10 holds "$a"; then ok "service: binds a new certificate by itself"
	else not_ok "service: binds a new certificate by itself"; fi

	# PARAMCHANGE: the file changes but keeps its size and time, so only
	# the reload request can make the service read it.
	write_policy 'reject: false'
	sleep 0.5
	POLICY=$TMP/new.yaml write_policy 'reject: true '
	touch -r "$POLICY" "$TMP/new.yaml"
	mv "$TMP/new.yaml" "$POLICY"
	sleep 0.5
	expect_eq "reload: an unchanged-looking file is not reread" \
	    "$(reg_value $EP DefaultFlags)" 0x0
	out=$(certbind service reload 2>&1); rc=$?
	expect_eq "reload: exits 0" "$rc" 0
	if wait_for 10 flags_are 0x8; then ok "reload: PARAMCHANGE rereads the policy"
	else not_ok "reload: PARAMCHANGE rereads the policy"; fi

	printf 'version: 1\nbindings: [\n' >"$POLICY"
	sleep 0.5
	b=$(add_api --not-after 60)
	if wait_for 10 holds "$b"; then ok "service: a broken policy leaves the last good one running"
	else not_ok "service: a broken policy leaves the last good one running"; fi
	expect_eq "service: still running" "$(svc_state)" RUNNING

	wine sc stop CertBind >/dev/null
	if wait_for 10 is_state STOPPED; then ok "service: stops within a second or so"
	else not_ok "service: stops" "state $(svc_state)"; fi
	out=$(certbind service uninstall 2>&1); rc=$?
	expect_eq "service: uninstall exits 0" "$rc" 0
	expect_eq "service: gone from the SCM" "$(svc_state)" ""
	wait_for 20 no_service   # for the next suite's install, should it lag
	expect_eq "service: the Event Log source is gone" \
	    "$(wine reg query 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\CertBind' 2>/dev/null | grep -c EventMessageFile)" 0
}

test_foreground
test_service
tap_end
