# bench_lib.sh - shared by the parts of `make bench` (tests/bench/bench.sh).
#
# Each part appends rows to $ROWS, one per figure, tab-separated:
#   MEASURE  CERTBIND  BESIDE  RATIO  GOAL
# BESIDE is what the figure is compared with in the same run (the floor,
# Wine's start-up, the script), RATIO the two as a multiple, GOAL the
# issue's goal and whether this run met it.  bench.sh prints them as one
# aligned table.  Nothing here fails on a number.

. "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

BB=$ROOT/build/bench            # the benchmark's programs and output
BT=$ROOT/build/tmp/bench        # scratch

row() {   # row MEASURE CERTBIND [BESIDE [RATIO [GOAL]]]
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "${3:--}" "${4:--}" "${5:--}" \
	    >>"$ROWS"
}

section() { printf '%s\t\t\t\t\n' "$1" >>"$ROWS"; }

# pct P < NUMBERS: the P-th percentile (nearest rank) of one number a line.
pct() {
	sort -n | awk -v p="$1" '{ v[NR] = $1 } END {
		if (NR == 0) { print "n/a"; exit }
		r = int((p * NR + 99) / 100); if (r < 1) r = 1; if (r > NR) r = NR
		print v[r] }'
}

# ratio A B: A/B to one decimal, "n/a" if either is not a positive number.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a + 0 <= 0 || b + 0 <= 0 || a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/)
			print "n/a"
		else printf a / b < 10 ? "%.1fx\n" : "%.0fx\n", a / b }'
}

# goal OP VALUE LIMIT TEXT: "TEXT: met" or "TEXT: not met" ("<=" or ">=").
goal() {
	awk -v op="$1" -v v="$2" -v l="$3" -v t="$4" 'BEGIN {
		if (v !~ /^[0-9.]+x?$/) { print t ": n/a"; exit }
		sub(/x$/, "", v)
		met = op == "<=" ? v + 0 <= l + 0 : v + 0 >= l + 0
		print t ": " (met ? "met" : "not met") }'
}

# Microseconds as milliseconds: one decimal below 10 ms, none above.
ms() {
	awk -v us="$1" 'BEGIN { printf us < 10000 ? "%.1f" : "%.0f", us / 1000 }'
}

# A metric from the metrics file $1, its last value; empty when absent.
metric_of() {
	[ -f "$1" ] && tr -d '\r' <"$1" | awk -v m="$2" '$1 == m { v = $2 }
	    END { if (v != "") print v }'
}

# The stand-in's Update and Set calls: "MICROSECONDS" (Unix) a line.
rebind_times() {
	calls | awk '$2 == "Update" || $2 == "Set" {
	    printf "%.0f\n", $1 - 11644473600000000 }'
}
rebind_count() { rebind_times | wc -l; }

# time_ms COMMAND...: run it, print its wall time in ms; its output goes to
# $BT/last.out and $BT/last.err, its status to $BT/last.rc.
time_ms() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >"$BT/last.out" 2>"$BT/last.err"
	echo $? >"$BT/last.rc"
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000000 ))
}

# Wine's start-up: the median of five `certbind version`.
startup_ms() {
	local i
	for i in 1 2 3 4 5; do time_ms certbind version; done | pct 50
}
