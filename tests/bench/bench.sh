#!/usr/bin/env bash
# bench.sh - `make bench`: every figure of certbind's performance, printed
# as one table from one run on this machine.
#
# Each part (bench_*.sh, and bench_plan natively) appends its rows to one
# file; the table is printed at the end, grouped by the issue's numbering,
# and kept in build/bench/table.txt.
# What certbind is compared with - the registry notification floor, Wine's
# process start-up, one process per binding as scripts rebind today - is
# measured in the same run, so that the ratios hold on a busy machine.
# Figures only: nothing fails on a number.
#
# Counts (environment; the defaults are the issue's, BENCH_QUICK=1 takes
# small ones for a quick look):
#   LAT_N      rotations in each of the latency cases (a) and (b)   30
#   LAT_QUIET  seconds of quiet before each isolated rotation        2.5
#   BURST_N    certificates in the burst, case (c)                 1000
#   STORE_N    certificates in LocalMachine\My for the scale part  10000
#   BIND_N     bindings in its policy (and rebound by the script)  1000
#   IDLE_S     seconds `certbind run` idles                          60
#   PLAN_MAX   largest native plan: 100000 certs x 10000 bindings
#   SCALE_WAIT seconds to wait for `certbind run` at scale            900
#   BENCH_PARTS  which parts, of: plan latency scale idle footprint
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)

if [ -n "${BENCH_QUICK:-}" ]; then
	: "${LAT_N:=5}" "${LAT_QUIET:=2.5}" "${BURST_N:=50}" "${STORE_N:=500}"
	: "${BIND_N:=50}" "${IDLE_S:=5}" "${PLAN_MAX:=10000}"
fi
export LAT_N=${LAT_N:-30} LAT_QUIET=${LAT_QUIET:-2.5} BURST_N=${BURST_N:-1000}
export STORE_N=${STORE_N:-10000} BIND_N=${BIND_N:-1000} IDLE_S=${IDLE_S:-60}
export PLAN_MAX=${PLAN_MAX:-100000}
PARTS=${BENCH_PARTS:-latency scale plan idle footprint}

mkdir -p build/bench build/tmp/bench
export ROWS=$ROOT/build/bench/rows.tsv
: >"$ROWS"
start=$(date +%s)

for part in $PARTS; do
	echo "bench: $part ..." >&2
	case $part in
	plan) build/bench/bench_plan "$PLAN_MAX" >>"$ROWS" ;;
	*) bash "tests/bench/bench_$part.sh" ;;
	esac || echo "bench: part $part did not finish" >&2
done

# The rows grouped by the number their section heading starts with, in
# the order the issue lists them, whatever order the parts ran in.
by_section() {
	awk -F'\t' '$2 $3 $4 $5 == "" && $1 ~ /^[0-9]+\./ { sec = $1 + 0 }
	    { printf "%d\t%d\t%s\n", sec, NR, $0 }' |
	    sort -t "$(printf '\t')" -k1,1n -k2,2n | cut -f3-
}

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
{
	echo "certbind benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'):" \
	    "$(nproc) x $cpu, $(wine --version 2>/dev/null)," \
	    "$(( $(date +%s) - start )) s"
	printf 'measure\tcertbind\tbeside it, same run\tratio\tgoal\n'
	by_section <"$ROWS"
} | awk -F'\t' '
	{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i
	      if (NR > 1 && $2 $3 $4 $5 != "" && length($i) > w[i])
	          w[i] = length($i) }
	  nf[NR] = NF }
	END {
		for (r = 1; r <= NR; r++) {
			if (r == 1 || cell[r, 2] cell[r, 3] cell[r, 4] cell[r, 5] == "") {
				print cell[r, 1]; continue }
			line = ""
			for (i = 1; i <= 5; i++)
				line = line sprintf(i == 5 ? "%s" : "%-" w[i] "s  ",
				    cell[r, i])
			sub(/ +$/, "", line); print line
		}
	}' | tee build/bench/table.txt
