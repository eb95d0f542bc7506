#!/usr/bin/env bash
# part_oom.sh - out of memory: the Nth allocation fails, for every N, in
# the policy loader (on each example policy), the planner and the report
# writers; no crash, no leak, a clear error (tests/stress/oom.c).
#
# Native only: no Wine prefix.  STRESS_QUICK=1 tries every 7th N; the
# long form every N.  With $STRESS_ROWS set, appends the figures to it.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

stride=1
[ -n "${STRESS_QUICK:-}" ] && stride=7
log=build/stress/oom.log

if ! with_build_lock make --no-print-directory -s build/stress/oom \
    >build/stress-oom-make.log 2>&1
then
	not_ok "the out-of-memory driver builds" "$(tail -5 build/stress-oom-make.log)"
	tap_end
	exit 1
fi
ok "the out-of-memory driver builds"

build/stress/oom "$stride" config/examples/*.yaml >"$log" 2>&1
rc=$?
# The last line: cases N-values faults leaks wrong.
read -r cases nvalues faults leaks wrong <<EOF
$(tail -n 1 "$log" | grep -E '^[0-9]+( [0-9]+){4}$')
EOF

if [ -z "${cases:-}" ]; then
	not_ok "the driver ran to its end (every N, stride $stride)" \
	    "exit status $rc" "$(grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -5)"
	tap_end
	exit 1
fi
ok "the driver ran to its end: $nvalues values of N (stride $stride), no crash"
if [ "$faults" -gt 0 ] && [ "$faults" -ge "$nvalues" ]; then
	ok "$faults allocations made to fail"
else
	not_ok "allocations made to fail" "faults $faults for $nvalues values of N"
fi
expect_eq "no leak after any failed allocation" "$leaks" 0
expect_eq "every failure gave a clear error or the same result" "$wrong" 0
expect_eq "the driver's exit status" "$rc" 0
if [ "$leaks" -ne 0 ] || [ "$wrong" -ne 0 ]; then
	grep '^# ' "$log" | grep -v 'allocations$' | head -20 | sed 's/^/#   /'
fi

if [ -n "${STRESS_ROWS:-}" ]; then
	# Nothing is bound natively: no binding can be lost or wrongly bound
	# here, so those two are 0 by construction, not by measurement.
	{
		printf 'oom\tcases tried\t%s\n' "$nvalues"
		printf 'oom\tfaults injected\t%s\n' "$faults"
		printf 'oom\tkills\t0\n'
		printf 'oom\tbindings lost\t0\n'
		printf 'oom\twrong certificates bound\t0\n'
		printf 'oom\tleaks found\t%s\n' "$leaks"
		printf 'oom\twrong errors\t%s\n' "$wrong"
		printf 'oom\truns\t%s\n' "$cases"
	} >>"$STRESS_ROWS"
fi
tap_end
