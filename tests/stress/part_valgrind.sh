#!/usr/bin/env bash
# part_valgrind.sh - core's unit tests and the planning benchmark under
# valgrind's memcheck, natively: 0 errors, 0 leaks.
#
# They are built without ASan for it (build/valgrind/: valgrind and ASan
# cannot share a process).  A leak is a block definitely, indirectly or
# possibly lost; blocks still reachable at exit are counted apart: the
# shared text pool (core/strpool.h) keeps its texts for the life of the
# process by design.  STRESS_QUICK=1 runs a subset and the benchmark's
# smallest size; the long form every unit test and sizes up to 10,000
# certificates.  With $STRESS_ROWS set, appends the figures to it.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

if [ -n "${STRESS_QUICK:-}" ]; then
	tests="policy plan der record"
	bench_max=1000
else
	tests=$(ls tests/unit/test_*.c | sed 's|.*/test_||; s|\.c$||')
	bench_max=10000
fi

if ! command -v valgrind >/dev/null 2>&1 &&
    ! sh build-aux/bootstrap.sh valgrind >&2; then
	echo "ok 1 # SKIP valgrind is not installed and could not be"
	echo "1..1"
	exit 0
fi

mkdir -p build/valgrind
bins="build/valgrind/bench_plan"
for t in $tests; do bins="$bins build/valgrind/test_$t"; done
# shellcheck disable=SC2086
if ! with_build_lock make --no-print-directory -s $bins \
    >build/valgrind/make.log 2>&1; then
	not_ok "the programs build without sanitizers" "$(tail -5 build/valgrind/make.log)"
	tap_end
	exit 1
fi
ok "the programs build without sanitizers"

# figure LOG PATTERN: the number before "bytes in N blocks" ... as blocks.
lost_blocks() {
	awk -v what="$2" '$0 ~ what {
		for (i = 1; i <= NF; i++) if ($i == "blocks") { gsub(",", "", $(i-1)); n += $(i-1) }
	} END { print n + 0 }' "$1"
}

programs=0
errors=0
leaks=0
reachable=0
export CMOCKA_MESSAGE_OUTPUT=TAP
run_one() {   # run_one NAME COMMAND...
	local name=$1 log rc e l r
	shift
	log=build/valgrind/$name.vg.log
	valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
	    --error-exitcode=99 --log-file="$log" "$@" >"build/valgrind/$name.out" 2>&1
	rc=$?
	programs=$((programs + 1))
	e=$(awk '/ERROR SUMMARY:/ { gsub(",", "", $4); print $4 }' "$log" | tail -n 1)
	l=$(lost_blocks "$log" '(definitely|indirectly|possibly) lost:')
	r=$(lost_blocks "$log" 'still reachable:')
	if [ -z "$e" ]; then
		not_ok "$name under valgrind: no summary (exit status $rc)" "$(tail -3 "$log")"
		errors=$((errors + 1))
		return
	fi
	errors=$((errors + e))
	leaks=$((leaks + l))
	reachable=$((reachable + r))
	if [ "$rc" -eq 0 ] && [ "$e" -eq 0 ] && [ "$l" -eq 0 ]; then
		ok "$name under valgrind: 0 errors, 0 blocks lost"
	else
		not_ok "$name under valgrind: $e errors, $l blocks lost (exit status $rc)" \
		    "$(grep -E 'Invalid|uninitialised|lost in loss record|not ok' "$log" \
		    "build/valgrind/$name.out" | head -5)"
	fi
}

for t in $tests; do
	run_one "test_$t" "build/valgrind/test_$t"
done
run_one "bench_plan $bench_max" build/valgrind/bench_plan "$bench_max"

if [ -n "${STRESS_ROWS:-}" ]; then
	# Native: nothing is bound, killed or injected here; those are 0 by
	# construction, not by measurement.
	{
		printf 'valgrind\tcases tried\t%s\n' "$programs"
		printf 'valgrind\tfaults injected\t0\n'
		printf 'valgrind\tkills\t0\n'
		printf 'valgrind\tbindings lost\t0\n'
		printf 'valgrind\twrong certificates bound\t0\n'
		printf 'valgrind\tprograms run\t%s\n' "$programs"
		printf 'valgrind\terrors\t%s\n' "$errors"
		printf 'valgrind\tleaks (blocks lost)\t%s\n' "$leaks"
		printf 'valgrind\tblocks still reachable (text pool)\t%s\n' "$reachable"
	} >>"$STRESS_ROWS"
fi
tap_end
