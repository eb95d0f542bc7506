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
. "$(dirname "$0")/stress_lib.sh"
suite_prefix
traced_part concurrency 9443 concurrency.example.test
POLICY_HEAD='service:
  resync_interval: 1h
  debounce: 50ms'
ROUNDS=100
[ -n "${STRESS_QUICK:-}" ] && ROUNDS=3

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
	rotate
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
	# Its event 1: it is watching, and the rounds can meet it.
	wait_for 10 grep -q 'certbind\[1\]' "$TMP/run-$path.out"
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

reset_state
start_trace
run_path update
run_path noupdate
replay
stress_row "$NAME" "cases tried" "$ROUNDS_DONE"
stress_row "$NAME" "faults injected" 0
stress_row "$NAME" "kills" 0
stress_row "$NAME" "applies run" "$APPLIES"
stress_row "$NAME" "applies that exited non-zero" "$BAD_EXITS"
stress_row "$NAME" "false alarms" "$ALARMS"
rm -f "$TRACE"
tap_end
