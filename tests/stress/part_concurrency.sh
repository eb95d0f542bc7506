#!/usr/bin/env bash
# part_concurrency.sh - `make stress`: `certbind run` and an `apply` and a
# second `apply` at once, round after round, on both paths (Update;
# Delete+Set), while certificates are renewed and the ccs binding's
# option changes under them.
#
# Each round renews the certificate (run reacts to the store change),
# flips the ccs option in the policy (run reloads it), and starts two
# applies at the same moment; the stand-in holds each write open a
# little ("delay" fault) so that the three processes meet inside each
# other's rotations.  Checked: both applies exit 0; nothing any of them
# prints or reports speaks of an unbound endpoint, a record put back or
# a record missing (a false alarm); and tests/stress/invariant.py
# replays every call, finding no declared record absent for longer than
# one Delete->Set pair and none on a worse certificate; every round ends
# with every record on the newest certificate.
#
# STRESS_QUICK=1: 3 rounds per path; otherwise 100.
. "$(dirname "$0")/../integration/lib.sh"
suite_prefix

NAME=concurrency
TMP=build/tmp/stress_concurrency
rm -rf "$TMP"
mkdir -p "$TMP"
POLICY=$TMP/policy.yaml
TRACE=$WINEPREFIX/drive_c/httpapi-trace.log
DNS=concurrency.example.test
ROUNDS=100
[ -n "${STRESS_QUICK:-}" ] && ROUNDS=3

KEYS="ip:0.0.0.0:9443 ip:[::1]:9443 sni:$DNS:9444"
CCS_FLAG=false

write_policy() {
	cat >"$POLICY.tmp" <<YAML
version: 1
service:
  resync_interval: 1h
  debounce: 50ms
bindings:
  - name: v4
    endpoint: 0.0.0.0:9443
    match: { dns: $DNS }
  - name: v6
    endpoint: '[::1]:9443'
    match: { dns: $DNS }
  - name: sni
    endpoint: $DNS:9444
  - name: ccs
    endpoint: ccs:9445
    options: { client_cert_negotiation: $CCS_FLAG }
YAML
	mv "$POLICY.tmp" "$POLICY"
}

mark() { printf '# %s\n' "$*" >>"$TRACE"; }
faultset() { wine "$BIN/faultset.exe" "$@"; }

SEQ=0
BEST=
new_cert() {
	SEQ=$((SEQ + 1))
	BEST=$(certmk add --cn "$DNS" --dns "$DNS" --not-after $((30 + SEQ)))
	mark rank "$BEST" "$SEQ"
}

expect_all() {
	local k
	for k in $KEYS; do mark expect "${k%%:*}" "${k#*:}" "$BEST"; done
	mark expect ccs 0.0.0.0:9445 -
}

cb() {   # cb PATH COMMAND...
	local path=$1
	shift
	if [ "$path" = update ]; then certbind "$@"; else certbind_old "$@"; fi
}

# The exe of PATH, for a `run` in the background: its process ID must be
# the one a kill stops, not that of a subshell around it.
cb_exe() {
	if [ "$1" = update ]; then echo "$BIN/certbind.exe"
	else echo "$ROOT/build/test-noupdate/certbind.exe"; fi
}

# What a false alarm looks like in any output: an endpoint said to be
# unbound, a rotation taken for an interrupted one, a record missing.
ALARM='IS UNBOUND|left it unbound|put back|has no record|ended without finishing'

APPLIES=0
BAD_EXITS=0
ALARMS=0
ROUNDS_DONE=0

# One round on PATH: renew, flip the ccs option, two applies at once.
round() {   # round PATH N
	local path=$1 n=$2 p1 p2 rc1 rc2 out
	mark case "$path round $n"
	# Hold each write open, so that the others meet it in the middle.
	if [ "$path" = update ]; then faultset set Update "delay 300"
	else faultset set Delete "delay 300"; fi
	new_cert
	if [ "$CCS_FLAG" = false ]; then CCS_FLAG=true; else CCS_FLAG=false; fi
	write_policy
	cb "$path" apply --config "$POLICY" >"$TMP/a1.out" 2>&1 &
	p1=$!
	cb "$path" apply --config "$POLICY" >"$TMP/a2.out" 2>&1 &
	p2=$!
	wait "$p1"; rc1=$?
	wait "$p2"; rc2=$?
	APPLIES=$((APPLIES + 2))
	ROUNDS_DONE=$((ROUNDS_DONE + 1))
	out=$(cat "$TMP/a1.out" "$TMP/a2.out" | tr -d '\r')
	if [ "$rc1" -ne 0 ] || [ "$rc2" -ne 0 ]; then
		BAD_EXITS=$((BAD_EXITS + 1))
		not_ok "$path round $n: both applies exit 0" "got $rc1 and $rc2" \
		    "$(printf '%s\n' "$out" | grep -v ' already holds ' | tail -6)"
	fi
	if printf '%s\n' "$out" | grep -Eq "$ALARM"; then
		ALARMS=$((ALARMS + 1))
		not_ok "$path round $n: no false alarm from the applies" \
		    "$(printf '%s\n' "$out" | grep -E "$ALARM" | head -3)"
	fi
	faultset clear
	# Each apply reconciled, under the lock, after the renewal and the
	# policy change were made: every record must hold them now, whatever
	# run is doing (the replay checks the "expect" lines).
	expect_all
}

run_path() {   # run_path PATH: run, and ROUNDS rounds against it
	local path=$1 run_pid n
	new_cert
	write_policy
	cb "$path" apply --config "$POLICY" >/dev/null 2>&1
	wine "$(cb_exe "$path")" run --config "$POLICY" >"$TMP/run-$path.out" 2>&1 &
	run_pid=$!
	sleep 1
	for n in $(seq 1 "$ROUNDS"); do
		round "$path" "$n"
	done
	if kill -0 "$run_pid" 2>/dev/null; then
		ok "$path: run is still running after $ROUNDS rounds"
	else
		not_ok "$path: run is still running after $ROUNDS rounds" \
		    "$(tail -5 "$TMP/run-$path.out")"
	fi
	kill -INT "$run_pid" 2>/dev/null
	wait_for 10 sh -c "! kill -0 $run_pid 2>/dev/null" || kill "$run_pid"
	wait "$run_pid" 2>/dev/null
	if tr -d '\r' <"$TMP/run-$path.out" | grep -Eq "$ALARM"; then
		ALARMS=$((ALARMS + 1))
		not_ok "$path: no false alarm from run" \
		    "$(tr -d '\r' <"$TMP/run-$path.out" | grep -E "$ALARM" | head -3)"
	else
		ok "$path: no false alarm from run"
	fi
	expect_eq "$path: every apply of $ROUNDS rounds exited 0" "$BAD_EXITS" 0
	expect_eq "$path: no false alarm from any apply" "$ALARMS" 0
}

rows() {
	[ -n "${STRESS_ROWS:-}" ] && printf '%s\t%s\t%s\n' "$NAME" "$1" "$2" \
	    >>"$STRESS_ROWS"
	return 0
}

reset_state
: >"$TRACE"
for k in $KEYS; do mark declare "${k%%:*}" "${k#*:}"; done
mark declare ccs 0.0.0.0:9445
run_path update
run_path noupdate
out=$(python3 tests/stress/invariant.py "$TRACE" ${STRESS_ROWS:+--rows \
    "$STRESS_ROWS" "$NAME"}); rc=$?
cp "$TRACE" "$TMP/trace.log"
if [ "$rc" -eq 0 ]; then
	ok "replay: no record lost, none on a worse certificate ($(printf '%s' "$out" | tail -1))"
else
	not_ok "replay: no record lost, none on a worse certificate" \
	    "$(printf '%s\n' "$out" | head -20)" "trace: $TMP/trace.log"
fi
rows "cases tried" "$ROUNDS_DONE"
rows "faults injected" 0
rows "kills" 0
rows "applies run" "$APPLIES"
rows "applies that exited non-zero" "$BAD_EXITS"
rows "false alarms" "$ALARMS"
rm -f "$TRACE"
tap_end
