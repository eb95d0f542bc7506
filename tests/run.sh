#!/usr/bin/env bash
# run.sh - run every test suite and print one line: "N passed, N failed".
#
# Suites print TAP ("ok N - ...", "not ok N - ..."); cmocka does too with
# CMOCKA_MESSAGE_OUTPUT=TAP.  A suite that exits non-zero without a failing
# line (a crash) counts as one failure.
#
# The Wine suites spend most of their time waiting on wineserver and on
# timers, so they run in lanes, one per core (at most CHECK_LANES,
# default 2; CHECK_LANES=1 runs them one by one).  Each lane boots a Wine
# prefix of its own (build/wineprefix, build/wineprefix-2) with its own
# wineserver, shared by the suites it runs, and takes the next suite from
# one queue when it is free.  The queue starts with the suites that took
# longest in the last run (build/tmp/run-times), or, with no last run (a
# fresh clone, as in CI), in a typical run (tests/run-times), so that the
# lanes end together.  The native suites (half a minute in all) run
# first, one after another.  A suite's report is printed when it ends.
set -u
cd "$(dirname "$0")/.."
. tests/integration/lib.sh

RUN=build/tmp/run
TIMES=build/tmp/run-times
# A typical run's times, for a fresh clone: a script's length says little
# of how long it waits (test_service_control is short and among the
# longest).  The same format as $TIMES; refresh it from $TIMES when the
# suites change much.
TYPICAL=tests/run-times
rm -rf "$RUN"
mkdir -p "$RUN"

# run_suite NAME COMMAND...: run one suite, print its report, and append
# "NAME PASSED FAILED SECONDS" to $RUN/counts.
run_suite() {
	local name=$1 out rc p f t0=$SECONDS report
	shift
	out=$("$@" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		out="$out
not ok - $name exited with status $rc"
	fi
	report=
	if [ "$f" -gt 0 ]; then
		report=$(printf '%s\n' "$out" | grep -E -A8 '^not ok' |
		    sed "s|^|  $name: |")
		report="$report
"
	fi
	report="$report$(printf '%-28s %4d passed, %d failed  (%d s)' \
	    "$name" "$p" "$f" $((SECONDS - t0)))"
	# One write per report, so that two lanes' reports do not interleave.
	printf '%s\n' "$report"
	echo "$name $p $f $((SECONDS - t0))" >>"$RUN/counts"
}

# The native suites first, one after another, before the lanes start:
# beside the lanes' first suites they made those slower and their
# timings less sure, for half a minute saved.
export CMOCKA_MESSAGE_OUTPUT=TAP
for t in build/native/test_*; do
	run_suite "unit/$(basename "$t")" "$t"
done
run_suite "imports" bash tests/integration/test_imports.sh
# Debian's python3, where the bootstrap installs python3-jsonschema.
run_suite "schema" /usr/bin/python3 tests/schema/test_schema.py

# suite_name FILE: a suite's name in the report.
suite_name() {
	case "$1" in
	tests/stress/part_*) echo "stress/$(basename "$1" .sh | sed 's/^part_//')" ;;
	*) echo "wine/$(basename "$1" .sh)" ;;
	esac
}

# The Wine suites and the reliability suite's parts (make stress, here at
# their short counts), the longest of the last run first, or with no last
# run of a typical one (unknown ones count as long: a new suite is likely
# to be slow).
wine_suites() {
	local t s times=$TIMES
	[ -s "$times" ] || times=$TYPICAL
	for t in tests/integration/test_*.sh tests/stress/part_*.sh; do
		case "$t" in */test_imports.sh) continue ;; esac
		[ -e "$t" ] || continue
		s=
		if [ -s "$times" ]; then
			s=$(awk -v n="$(suite_name "$t")" '$1 == n { s = $4 }
			    END { print s }' "$times")
		fi
		case "$s" in ''|*[!0-9]*) s=9999 ;; esac
		echo "$s $t"
	done | sort -k1,1nr -k2 | awk 'NF == 2 { print $2 }'
}
wine_suites >"$RUN/queue"
echo 0 >"$RUN/next"

# next_suite: the next suite of the queue, or nothing when it is empty.
next_suite() {
	(
		flock 9
		n=$(cat "$RUN/next")
		echo $((n + 1)) >"$RUN/next"
		sed -n "$((n + 1))p" "$RUN/queue"
	) 9>"$RUN/queue.lock"
}

# stray PREFIX SUITE: end the Windows programs SUITE left running in
# PREFIX (Wine's own aside), and say which: a `certbind run` or a test
# service left behind would go on writing while the lane's next suite
# runs, and fail it for no fault of its own.
stray() {
	local prefix=$1 suite=$2 pid cmd left=
	for pid in $(pgrep -f '\.exe'); do
		tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" |
		    grep -qxF "WINEPREFIX=$prefix" || continue
		cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")
		case ${cmd,,} in
		*'\services.exe'*|*'\winedevice.exe'*|*'\plugplay.exe'*|\
		*'\explorer.exe'*|*'\rpcss.exe'*|*'\svchost.exe'*|\
		*'\conhost.exe'*|*'\rundll32.exe'*|'') continue ;;
		esac
		kill -9 "$pid" 2>/dev/null && left="$left ${cmd%% *}"
	done
	[ -z "$left" ] || echo "# $suite left running (ended):$left"
}

# lane PREFIX FIRST: boot PREFIX, run FIRST (a command) if given, then
# suites from the queue until it is empty.
lane() {
	local prefix=$1 first=$2 t
	if ! wine_boot "$prefix"; then
		echo "not ok - the Wine prefix $prefix could not be booted"
		echo "wine/boot 0 1 0" >>"$RUN/counts"
		return
	fi
	export CERTBIND_PREFIX_READY=1
	if [ -n "$first" ]; then
		run_suite "wine/httpapi-stand-in" "$first"
		reset_state
	fi
	while t=$(next_suite) && [ -n "$t" ]; do
		run_suite "$(suite_name "$t")" env STRESS_QUICK=1 bash "$t"
		stray "$prefix" "$(suite_name "$t")"
	done
	wine_end
}

lanes=${CHECK_LANES:-2}
[ "$lanes" -ge 1 ] 2>/dev/null || lanes=1
[ "$lanes" -le "$(nproc)" ] || lanes=$(nproc)
lane "$ROOT/build/wineprefix" stand_in_contract &
for i in $(seq 2 "$lanes"); do
	lane "$ROOT/build/wineprefix-$i" "" &
done
wait

# Every suite of the queue must have reported: one that did not would
# otherwise pass unnoticed.
ran=$(grep -c -E '^(wine|stress)/' "$RUN/counts")
want=$(($(wc -l <"$RUN/queue") + 1))   # and the stand-in's contract
if [ "$ran" -ne "$want" ]; then
	echo "not ok - $((want - ran)) of $want Wine suites did not report"
	echo "wine/missing 0 1 0" >>"$RUN/counts"
fi

cp "$RUN/counts" "$TIMES"
awk '{ p += $2; f += $3 } END { printf "%d passed, %d failed\n", p, f }' \
    "$RUN/counts"
awk '{ f += $3 } END { exit f > 0 }' "$RUN/counts"
