#!/usr/bin/env bash
# stress.sh - `make stress`: run every part of the reliability suite and
# print one table of what was tried and what was lost.
#
# A part is a script tests/stress/part_NAME.sh: it prints TAP like the
# integration suites and appends its figures to $STRESS_ROWS as
# "SECTION<TAB>MEASURE<TAB>VALUE" lines.  Every part that drives
# HTTP.sys writes "cases tried", "faults injected", "kills", "bindings
# lost" and "wrong certificates bound"; the table totals those, the
# private bytes each part measured before and after, and the executions
# of the last `make fuzz` (build/fuzz/figures.tsv, "target<TAB>
# executions<TAB>crashes"), when there was one.
#
# The table is printed and kept in build/stress/table.txt; each part's
# output in build/stress/NAME.log.  Exit status 1 when a part failed,
# or a binding was lost, or a wrong certificate bound.
#
#   STRESS_PARTS  which parts (names, e.g. "crash churn"); default all
#   STRESS_QUICK  1: the short counts make check runs
#   STRESS_SEED   the parts' random seed (default: a new one, printed)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

OUT=$ROOT/build/stress
mkdir -p "$OUT"
export STRESS_ROWS=$OUT/rows.tsv
: >"$STRESS_ROWS"
export STRESS_SEED=${STRESS_SEED:-$(( $(date +%s) % 100000 ))}
start=$(date +%s)

if [ -n "${STRESS_PARTS:-}" ]; then
	parts=$STRESS_PARTS
else
	parts=$(for f in tests/stress/part_*.sh; do
		[ -e "$f" ] && basename "$f" .sh | sed 's/^part_//'
	done)
fi

# One prefix for every part, as tests/run.sh does; a native part ignores it.
if ! wine_boot "$ROOT/build/stress-prefix"; then
	echo "stress: the Wine prefix could not be booted" >&2
	exit 1
fi
trap wine_end EXIT
export CERTBIND_PREFIX_READY=1

failed_parts=0
: >"$OUT/parts.tsv"
for name in $parts; do
	f=tests/stress/part_$name.sh
	if [ ! -f "$f" ]; then
		echo "stress: no part $name ($f)" >&2
		failed_parts=$((failed_parts + 1))
		printf '%s\t0\t1\t0\tmissing\n' "$name" >>"$OUT/parts.tsv"
		continue
	fi
	echo "stress: $name ..." >&2
	t0=$(date +%s)
	bash "$f" >"$OUT/$name.log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$OUT/$name.log")
	n=$(grep -c '^not ok ' "$OUT/$name.log")
	# A part that dies without a failing line (a crash) failed too.
	[ "$rc" -ne 0 ] && [ "$n" -eq 0 ] && n=1
	[ "$n" -gt 0 ] && failed_parts=$((failed_parts + 1))
	printf '%s\t%d\t%d\t%d\t%s\n' "$name" "$p" "$n" "$(( $(date +%s) - t0 ))" \
	    "$([ "$n" -gt 0 ] && echo FAILED || echo passed)" >>"$OUT/parts.tsv"
	grep -E -A8 '^not ok' "$OUT/$name.log" | sed "s|^|  $name: |" >&2
done

# total MEASURE: the sum of that measure over every part; "-" if none has it.
total() {
	awk -F'\t' -v m="$1" '$2 == m { s += $3; seen = 1 }
	    END { print seen ? s : "-" }' "$STRESS_ROWS"
}

lost=$(total "bindings lost")
wrong=$(total "wrong certificates bound")
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
fuzz=$ROOT/build/fuzz/figures.tsv
{
	printf 'certbind reliability, %s: %s x %s, %s, %s s%s, seed %s\n' \
	    "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$cpu" \
	    "$(wine --version 2>/dev/null)" "$(( $(date +%s) - start ))" \
	    "${STRESS_QUICK:+, quick counts (STRESS_QUICK=1)}" "$STRESS_SEED"
	printf 'measure\tvalue\n'
	while IFS=$'\t' read -r name p n secs verdict; do
		printf '%s: %s, %d checks passed, %d failed, %s s\t\n' \
		    "$name" "$verdict" "$p" "$n" "$secs"
		awk -F'\t' -v s="$name" '$1 == s { print "  " $2 "\t" $3 }' \
		    "$STRESS_ROWS"
	done <"$OUT/parts.tsv"
	printf 'totals\t\n'
	printf '  cases tried\t%s\n' "$(total "cases tried")"
	printf '  faults injected\t%s\n' "$(total "faults injected")"
	printf '  kills\t%s\n' "$(total "kills")"
	printf '  bindings lost (must be 0)\t%s\n' "$lost"
	printf '  wrong certificates bound (must be 0)\t%s\n' "$wrong"
	awk -F'\t' '$2 == "private bytes before" { b[$1] = $3 }
	    $2 == "private bytes after" { a[$1] = $3 }
	    END { for (s in b) if (s in a) {
	        d = ""
	        if (b[s] > 0 && a[s] > 0)
	            d = sprintf(" (%+.1f%%)", (a[s] - b[s]) * 100 / b[s])
	        printf "  memory before / after (%s)\t%s / %s bytes%s\n", s,
	            b[s], a[s], d } }' "$STRESS_ROWS"
	if [ -s "$fuzz" ]; then
		awk -F'\t' 'NF >= 3 { e += $2; c += $3; n++ }
		    END { printf "  fuzz executions, last make fuzz (%d targets)\t%d, %d crashes\n",
		        n, e, c }' "$fuzz"
	else
		printf '  fuzz executions\tno make fuzz figures (build/fuzz/figures.tsv)\n'
	fi
	printf '  parts failed\t%d\n' "$failed_parts"
} | awk -F'\t' '
	{ row[NR] = $0; a[NR] = $1; b[NR] = $2; if (NR > 1 && $2 != "" &&
	      length($1) > w) w = length($1) }
	END { for (r = 1; r <= NR; r++) {
		if (r == 1 || b[r] == "") { sub(/\t$/, "", row[r]); print a[r]; continue }
		printf "%-" w "s  %s\n", a[r], b[r] } }' | tee "$OUT/table.txt"

[ "$failed_parts" -eq 0 ] && [ "${lost:--}" = 0 -o "$lost" = - ] &&
    [ "${wrong:--}" = 0 -o "$wrong" = - ]
