#!/usr/bin/env bash
# part_faults.sh - the fault matrix of `make stress`: every HTTP.sys call
# certbind makes, on every record kind, on both paths (Update; Delete+Set),
# fails once, or several times in a row, with each error HTTP.sys can
# plausibly return, during a rotation and during a creation; and the
# certificate store, the rotation journal and the metrics file fail.
#
# Every call the stand-in httpapi.dll receives is traced
# (C:\httpapi-trace.log) and tests/stress/invariant.py replays the trace,
# checking after every call that no declared record is absent for longer
# than one Delete->Set pair and none moves to a worse certificate (the
# certificates are made so that a newer one is a better one).  After each
# case the faults are cleared and one more apply must put every binding
# on the best certificate: the retry a backoff period later, which `run`
# makes on its own (one case of the long form waits for it).
#
# STRESS_QUICK=1: a slice (each call, one kind per call, both paths, two
# errors); otherwise the whole matrix, on the paths STRESS_FAULT_PATHS
# names (default "update noupdate").  With STRESS_ROWS set, the figures
# are appended to that file (see tests/stress/stress.sh).
. "$(dirname "$0")/stress_lib.sh"
suite_prefix
traced_part faults 8443 stress.example.test
KEEP_CERTS=3

# The four record kinds: "KIND KEY" as the trace names them, and the
# table the stand-in keeps them in.
KINDS="ip4 ip6 sni ccs"
declare -A TKEY TABLE
TKEY[ip4]="ip 0.0.0.0:8443";       TABLE[ip4]="$SSLKEY\\0.0.0.0:8443"
TKEY[ip6]="ip [::1]:8443";         TABLE[ip6]="$SSLKEY\\[::1]:8443"
TKEY[sni]="sni $DNS:8444";         TABLE[sni]="$SNIKEY\\$DNS:8444"
TKEY[ccs]="ccs 0.0.0.0:8445";      TABLE[ccs]="$CCSKEY\\0.0.0.0:8445"

CASES=0
FAULTS=0
FAILED_CASES=0

# The faults of the last run that were injected: calls of CALL on the
# record that returned ERR since the line "# case $1".
injected() {   # injected CASE CALL "KIND KEY" ERR
	tr -d '\r' <"$TRACE" | awk -v c="# case $1" -v call="$2" -v key="$3" \
	    -v err="$4" '
		$0 == c { on = 1; next }
		/^# / { if (on && $2 == "converge") on = 0; next }
		on && $3 == call && ($4 " " $5) == key && $6 == err { n++ }
		END { print n + 0 }'
}

fail_case() {   # fail_case CASE WHY [DETAIL...]
	FAILED_CASES=$((FAILED_CASES + 1))
	not_ok "$@"
}

# One case: CALL fails COUNT times with ERR on record kind KIND, on PATH,
# during PHASE (rotation or create).  Checks the run's exit status and
# message, that a fault was injected, and that the next apply converges;
# the replay (at the end) checks every call in between.
run_case() {   # run_case PATH PHASE CALL KIND COUNT ERR
	local path=$1 phase=$2 call=$3 kind=$4 count=$5 err=$6 key out rc n
	local name="$path $phase $call ${kind} x$count error $err"
	key=${TKEY[$kind]}
	CASES=$((CASES + 1))
	mark case "$name"
	if [ "$phase" = rotation ]; then
		rotate
	else
		faultset drop "${TABLE[$kind]#HKLM\\}"
		mark forget $key
	fi
	if ! faultset set "$call@${key#* }" "$count $err"; then
		fail_case "$name: the fault is set"
		return
	fi
	if [ "$call" = QueryNext ]; then
		out=$(cb "$path" status --config "$POLICY" 2>&1); rc=$?
	else
		out=$(cb "$path" apply --config "$POLICY" 2>&1); rc=$?
	fi
	faultset clear
	mark converge
	n=$(injected "$name" "$call" "$key" "$err")
	FAULTS=$((FAULTS + n))
	if [ "$rc" -gt 1 ] && [ "$call" != QueryNext ]; then
		fail_case "$name: exits 0 or 1" "got $rc" "$(printf '%s' "$out" | tail -5)"
	elif [ "$call" = QueryNext ] && [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		fail_case "$name: status exits 0 or 1" "got $rc" "$(printf '%s' "$out" | tail -5)"
	elif [ "$n" -eq 0 ]; then
		fail_case "$name: the fault was injected" \
		    "no $call of $key returned $err; exit $rc" \
		    "$(printf '%s' "$out" | grep -v ' already holds ' | tail -5)"
	elif printf '%s' "$out" | grep -q 'IS UNBOUND'; then
		fail_case "$name: nothing is left unbound" "$(printf '%s' "$out" | grep 'IS UNBOUND')"
	elif printf '%s' "$out" | grep -q 'declared, but HTTP.sys has no record'; then
		fail_case "$name: no record that is there is reported missing" \
		    "$(printf '%s' "$out" | grep 'has no record')"
	else
		out=$(cb "$path" apply --config "$POLICY" 2>&1); rc=$?
		if [ "$rc" -ne 0 ]; then
			fail_case "$name: the next apply converges (exit 0)" "got $rc" \
			    "$(printf '%s' "$out" | tail -5)"
		else
			expect_all
			[ -z "${STRESS_QUICK:-}" ] || ok "$name"
		fi
	fi
}

# The calls each path makes, per phase: Update only where it exists,
# Delete only on the Delete+Set path; QueryNext is status's listing.
calls_for() {   # calls_for PATH PHASE
	case "$1 $2" in
	"update rotation")   echo "Query Update QueryNext" ;;
	"update create")     echo "Query Set" ;;
	"noupdate rotation") echo "Query Delete Set QueryNext" ;;
	"noupdate create")   echo "Query Set" ;;
	esac
}

# Every record bound to the first certificate, as the matrix starts.
start_matrix() {
	reset_state
	start_trace
	write_policy
	mark case setup
	new_cert
	certbind apply --config "$POLICY" >"$TMP/setup.out" 2>&1 ||
	    not_ok "setup: every kind bound" "$(tail -5 "$TMP/setup.out")"
	expect_all
}

# The checker itself can fail: a trace with a lost and a wrong binding.
test_checker() {
	local out rc
	cat >"$TMP/bad.trace" <<'TRACE'
# declare ip 0.0.0.0:1
# rank AA 2
# rank BB 1
# state ip 0.0.0.0:1 AA
1 7 Delete ip 0.0.0.0:1 0 -
2 7 Query ip 0.0.0.0:2 2 -
3 7 Set ip 0.0.0.0:1 0 BB
TRACE
	out=$(python3 tests/stress/invariant.py "$TMP/bad.trace"); rc=$?
	expect_eq "checker: a bad trace fails" "$rc" 1
	expect_match "checker: it finds the record absent across another call" \
	    "$out" "^lost .*0.0.0.0:1 absent after its Delete across Query"
	expect_match "checker: and the worse certificate" "$out" \
	    "^wrong .*0.0.0.0:1 moved from AA to BB"
}

# The quick slice: each call on each path, every kind, errors that are
# passed on, retried and refused, once and in runs longer than the
# retries of a busy call.
QUICK_CASES="
update rotation Update ip6 1 5
update rotation Query sni 5 1450
update rotation QueryNext ccs 1 2
noupdate rotation Delete sni 1 5
noupdate rotation Set ip4 5 5
noupdate rotation QueryNext ip6 5 1450
noupdate create Set ip6 1 87
"

# The HTTP.sys matrix.
test_httpsys_matrix() {
	local path phase call kind err count
	start_matrix
	if [ -n "${STRESS_QUICK:-}" ]; then
		# fd 3: wine must not read the list from stdin.
		while read -r -u 3 path phase call kind count err; do
			[ -n "$path" ] && run_case $path $phase $call $kind $count $err
		done 3<<<"$QUICK_CASES"
		return
	fi
	for path in ${STRESS_FAULT_PATHS:-update noupdate}; do
		for phase in rotation create; do
			for call in $(calls_for $path $phase); do
				for kind in $KINDS; do
					for err in 5 8 87 1312 1450 183 2 13; do
						for count in 1 5; do
							run_case $path $phase $call $kind $count $err
						done
					done
				done
			done
		done
	done
}

# other_case NAME PATH: run apply on PATH under a fault set up by the
# caller after a rotation, a fault outside HTTP.sys that must stop it
# before anything is deleted: it must exit 1 saying WHY (a pattern), the
# records stay as they are, and after the caller clears the fault
# converge_case checks that the next apply converges.
other_case() {   # other_case NAME PATH WHY
	local out rc n
	CASES=$((CASES + 1))
	out=$(cb "$2" apply --config "$POLICY" 2>&1); rc=$?
	n=$(printf '%s\n' "$out" | grep -cE -- "$3")
	FAULTS=$((FAULTS + n))
	if [ "$rc" -ne 1 ] || [ "$n" -eq 0 ]; then
		fail_case "$1: apply exits 1 and says why" "exit $rc" \
		    "$(printf '%s' "$out" | tail -5)"
		return 1
	fi
	if printf '%s' "$out" | grep -q 'IS UNBOUND'; then
		fail_case "$1: nothing is left unbound" "$(printf '%s' "$out" | grep 'IS UNBOUND')"
		return 1
	fi
	return 0
}

converge_case() {   # converge_case NAME PATH
	local out rc
	mark converge
	out=$(cb "$2" apply --config "$POLICY" 2>&1); rc=$?
	if [ "$rc" -ne 0 ]; then
		fail_case "$1: the next apply converges (exit 0)" "got $rc" \
		    "$(printf '%s' "$out" | tail -5)"
		return
	fi
	expect_all
	ok "$1"
}

# The rotation journal cannot be written: its key is read-only, or its
# parent is volatile (a non-volatile key cannot be made under it).  Wine
# enforces both, as Windows does.  Nothing may be deleted then.
JOURNAL='SOFTWARE\CertBind\Journal'
test_journal_faults() {
	local name="journal read-only"
	mark case "$name"
	rotate
	faultset sddl "$JOURNAL" 'D:P(A;;KR;;;WD)'
	other_case "$name" noupdate \
	    'writing the rotation journal failed.*Access denied' &&
	    { faultset sddl "$JOURNAL" 'D:P(A;;KA;;;WD)'; faultset drop "$JOURNAL"
	    converge_case "$name" noupdate; }
	[ -n "${STRESS_QUICK:-}" ] && return
	name="journal key cannot be created"
	mark case "$name"
	rotate
	faultset drop 'SOFTWARE\CertBind'
	faultset volatile 'SOFTWARE\CertBind'
	other_case "$name" noupdate 'writing the rotation journal failed' &&
	    { faultset drop 'SOFTWARE\CertBind'; converge_case "$name" noupdate; }
}

# LocalMachine\My cannot be read: no binding may move, none be removed.
MYKEY='SOFTWARE\Microsoft\SystemCertificates\My'
test_store_faults() {
	local name="store unreadable" path hex
	for path in update noupdate; do
		name="store unreadable ($path)"
		mark case "$name"
		rotate
		faultset sddl "$MYKEY" 'D:P(A;;WDRC;;;WD)'
		other_case "$name" $path 'cannot open certificate store|cannot read' &&
		    { faultset sddl "$MYKEY" 'D:P(A;;KA;;;WD)'
		    converge_case "$name" $path; }
		faultset sddl "$MYKEY" 'D:P(A;;KA;;;WD)'
		[ -n "${STRESS_QUICK:-}" ] && return
	done
	# A certificate whose stored blob is garbage: passed over, the
	# others still read and bound in the same run.
	name="store holds a corrupt certificate"
	mark case "$name"
	CASES=$((CASES + 1))
	FAULTS=$((FAULTS + 1))
	rotate
	hex=00112233445566778899AABBCCDDEEFF00112233
	wine reg add "HKLM\\$MYKEY\\Certificates\\$hex" /v Blob \
	    /t REG_BINARY /d 0300000001000000DEADBEEF /f >/dev/null
	converge_case "$name" update
	faultset drop "$MYKEY\\Certificates\\$hex"
}

# The metrics file cannot be written while `run` goes on (a folder, then
# a read-only file in its place): the rotations happen all the same, and
# the failure is reported (event 226, or 227 for a folder: not a file
# certbind wrote).
test_metrics_faults() {
	local m="$TMP/certbind.prom" wm run_pid
	wm="Z:$(cd "$TMP" && pwd -P | tr / '\\')\\certbind.prom"
	{
		cat "$POLICY"
		printf 'service:\n  resync_interval: 1h\n  debounce: 50ms\n'
		printf "  metrics_file: '%s'\n" "$wm"
	} >"$TMP/run.yaml"
	mark case "metrics file"
	WINEDEBUG=-all wine "$BIN/certbind.exe" run --config "$TMP/run.yaml" \
	    >"$TMP/run.out" 2>"$TMP/run.err" &
	run_pid=$!
	wait_for 15 test -s "$m" || not_ok "metrics: run wrote the file" \
	    "$(tail -3 "$TMP/run.err")"
	metrics_case "metrics file is a folder" "$run_pid" \
	    "rm -f '$m'; mkdir '$m'"
	if [ -z "${STRESS_QUICK:-}" ]; then
		rmdir "$m"
		wait_for 10 test -s "$m"
		metrics_case "metrics file is read-only" "$run_pid" \
		    "chmod 444 '$m'; wine attrib +r '$wm' >/dev/null 2>&1"
		wine attrib -r "$wm" >/dev/null 2>&1
	fi
	kill -INT "$run_pid" 2>/dev/null
	wait_for 10 sh -c "! kill -0 $run_pid 2>/dev/null" || kill "$run_pid"
	wait "$run_pid" 2>/dev/null
	rm -rf "$m"
}

metrics_case() {   # metrics_case NAME RUN_PID SHELL-TO-BREAK-IT
	local name=$1 before
	CASES=$((CASES + 1))
	sh -c "$3"
	before=$(grep -cE 'certbind\[22[67]\]' "$TMP/run.err")
	rotate
	if wait_for 20 sh -c "[ \"\$(tr -d '\r' <'$TMP/run.err' | grep -cE 'certbind\[22[67]\]')\" -gt $before ]"; then
		FAULTS=$((FAULTS + 1))
	elif [ "$name" != "metrics file is read-only" ]; then
		fail_case "$name: the failed write is reported (event 226 or 227)" \
		    "$(tail -3 "$TMP/run.err")"
	fi
	# The certificate rotation is the store change run reacts to; the
	# ccs option needs the policy reloaded, which this file does not.
	if wait_for 20 best_bound; then
		ok "$name: run rotates all the same"
	else
		fail_case "$name: run rotates all the same" "$(tail -3 "$TMP/run.err")"
	fi
	! kill -0 "$2" 2>/dev/null && fail_case "$name: run goes on" "it ended"
}

# `run` retries a binding whose write failed one backoff period later
# (core/schedule.h: 10 s the first time) with no other event to wake it:
# the faults cleared, it converges by then.
test_run_retry() {
	local path call spec run_pid t_fail t_ok name
	for path in update noupdate; do
		if [ $path = update ]; then call=Update spec="1 5"
		else call=Set spec="5 5"; fi
		name="run retries after one backoff period ($path)"
		CASES=$((CASES + 1))
		mark case "$name"
		faultset set "$call@0.0.0.0:8443" "$spec"
		new_cert
		wine "$(cb_exe $path)" run --config "$POLICY" >"$TMP/retry.out" 2>&1 &
		run_pid=$!
		if wait_for 30 best_bound; then
			ok "$name: it converges"
		else
			fail_case "$name: it converges" "$(tail -3 "$TMP/retry.out")"
		fi
		kill -INT "$run_pid" 2>/dev/null
		wait_for 10 sh -c "! kill -0 $run_pid 2>/dev/null" || kill "$run_pid"
		wait "$run_pid" 2>/dev/null
		faultset clear
		# From the first refused write to the one that went through.
		t_fail=$(tr -d '\r' <"$TRACE" | awk -v c="# case $name" -v call=$call '
			$0 == c { on = 1; next } on && $3 == call && $5 == "0.0.0.0:8443" && $6 != 0 { print $1; exit }')
		t_ok=$(tr -d '\r' <"$TRACE" | awk -v c="# case $name" '
			$0 == c { on = 1; next } on && ($3 == "Set" || $3 == "Update") && $5 == "0.0.0.0:8443" && $6 == 0 && $7 != "-" { t = $1 } END { print t }')
		FAULTS=$((FAULTS + ${spec%% *}))
		if [ -n "$t_fail" ] && [ -n "$t_ok" ] &&
		    [ $(((t_ok - t_fail) / 1000)) -le 13000 ]; then
			ok "$name: within one backoff period ($(((t_ok - t_fail) / 1000)) ms)"
		else
			fail_case "$name: within one backoff period" \
			    "failed at '$t_fail', converged at '$t_ok'"
		fi
		mark converge
		cb $path apply --config "$POLICY" >/dev/null 2>&1
		expect_all
	done
}

test_checker
test_httpsys_matrix
test_journal_faults
test_store_faults
test_metrics_faults
[ -z "${STRESS_QUICK:-}" ] && test_run_retry
replay
expect_eq "matrix: every case converged ($CASES cases, $FAULTS faults injected)" \
    "$FAILED_CASES" 0
stress_row "$NAME" "cases tried" "$CASES"
stress_row "$NAME" "faults injected" "$FAULTS"
stress_row "$NAME" "kills" 0
rm -f "$TRACE"
tap_end
