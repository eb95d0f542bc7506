#!/bin/sh
# fuzz.sh - run each libFuzzer target for a while and print its figures.
#
#   fuzz.sh BUILD SECONDS TARGET...
#
# Each target BUILD/fuzz/fuzz_TARGET runs for SECONDS from its seeds in
# tests/fuzz/corpus/TARGET and what earlier runs found in
# BUILD/fuzz/corpus/TARGET, its log in BUILD/fuzz/TARGET.log.  Then one
# line per target: executions and crashes (inputs libFuzzer saved as
# crash-, leak-, timeout- or oom- in BUILD/fuzz/artifacts/TARGET/ during
# this run), also written to BUILD/fuzz/figures.tsv as
# TARGET<TAB>EXECUTIONS<TAB>CRASHES for the stress table.  Every target
# runs even when one fails; the exit status is 1 when any crashed.
set -u
b=$1
seconds=$2
shift 2

figures=$b/fuzz/figures.tsv
stamp=$b/fuzz/.started
mkdir -p "$b/fuzz"
: >"$figures.new"
failed=0
for t in "$@"; do
	mkdir -p "$b/fuzz/corpus/$t" "$b/fuzz/artifacts/$t"
	dict=
	[ -f "tests/fuzz/$t.dict" ] && dict=-dict=tests/fuzz/$t.dict
	touch "$stamp"
	echo "fuzz: $t for $seconds s"
	"$b/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=8192 \
	    -print_final_stats=1 -artifact_prefix="$b/fuzz/artifacts/$t/" \
	    $dict "$b/fuzz/corpus/$t" "tests/fuzz/corpus/$t" \
	    >"$b/fuzz/$t.log" 2>&1
	rc=$?
	# The final count, or after a crash the last status line's "#N".
	execs=$(awk '/^stat::number_of_executed_units:/ { print $2 }' \
	    "$b/fuzz/$t.log" | tail -n 1)
	[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' \
	    "$b/fuzz/$t.log" | tail -n 1)
	crashes=$(find "$b/fuzz/artifacts/$t" -type f -newer "$stamp" \
	    \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
	    -o -name 'oom-*' \) | wc -l)
	if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
		crashes=1       # it failed without saving an input
	fi
	grep -E '^(SUMMARY|artifact)' "$b/fuzz/$t.log"
	printf 'fuzz: %-10s %12s executions  %s crashes\n' "$t" "${execs:-0}" \
	    "$crashes"
	printf '%s\t%s\t%s\n' "$t" "${execs:-0}" "$crashes" >>"$figures.new"
	if [ "$crashes" -ne 0 ]; then
		echo "fuzz: $t failed; see $b/fuzz/$t.log"
		failed=1
	fi
done
mv "$figures.new" "$figures"
rm -f "$stamp"
exit "$failed"
