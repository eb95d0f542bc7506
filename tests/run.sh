#!/usr/bin/env bash
# run.sh - run every test suite and print one line: "N passed, N failed".
#
# Suites print TAP ("ok N - ...", "not ok N - ..."); cmocka does too with
# CMOCKA_MESSAGE_OUTPUT=TAP.  A suite that exits non-zero without a failing
# line (a crash) counts as one failure.  The Wine prefix is booted once here
# and shared by the Wine suites.
set -u
cd "$(dirname "$0")/.."
. tests/integration/lib.sh

passed=0
failed=0

run_suite() {   # run_suite NAME COMMAND...
	local name=$1 out rc p f
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
	if [ "$f" -gt 0 ]; then
		printf '%s\n' "$out" | grep -E -A8 '^not ok' | sed "s|^|  $name: |"
	fi
	printf '%-28s %4d passed, %d failed\n' "$name" "$p" "$f"
	passed=$((passed + p))
	failed=$((failed + f))
}

export CMOCKA_MESSAGE_OUTPUT=TAP
for t in build/native/test_*; do
	run_suite "unit/$(basename "$t")" "$t"
done

run_suite "imports" bash tests/integration/test_imports.sh
# Debian's python3, where the bootstrap installs python3-jsonschema.
run_suite "schema" /usr/bin/python3 tests/schema/test_schema.py

if wine_boot "$ROOT/build/wineprefix"; then
	export CERTBIND_PREFIX_READY=1
	run_suite "wine/httpapi-stand-in" stand_in_contract
	reset_state
	for t in tests/integration/test_*.sh; do
		case "$t" in */test_imports.sh) continue ;; esac
		run_suite "wine/$(basename "$t" .sh)" bash "$t"
	done
	# The reliability suite's parts (make stress), at their short counts.
	for t in tests/stress/part_*.sh; do
		[ -e "$t" ] || continue
		run_suite "stress/$(basename "$t" .sh | sed 's/^part_//')" \
		    env STRESS_QUICK=1 bash "$t"
	done
	wine_end
else
	failed=$((failed + 1))
	echo "not ok - the Wine prefix could not be booted"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
