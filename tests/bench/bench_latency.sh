#!/usr/bin/env bash
# bench_latency.sh - how soon a renewed certificate is served: part of
# `make bench` (run by bench.sh, which sets ROWS and the counts).
#
# `certbind run` (debounce 50 ms, resync 1 h) keeps one binding; certmk
# writes a better certificate into LocalMachine\My, noting the time just
# before its registry write, and the stand-in's call log gives the time of
# the Update or Set that serves it.  regwait.exe, watching the store's
# registry key in the same run, gives the floor: when any watcher can first
# know of that write.  Three cases:
#   (a) LAT_N isolated rotations, each after LAT_QUIET seconds of quiet;
#   (b) LAT_N rotations one a second: each written as soon as the previous
#       one is bound, and no sooner than a second after the previous write;
#   (c) a burst of BURST_N writes: reconciles caused (metrics file) and the
#       time from the first write to the last rebind, once certbind has the
#       best certificate bound (`certbind plan` finds nothing to do).
set -u
. "$(dirname "$0")/bench_lib.sh"
cd "$ROOT" || exit 1
T=$BT/latency
rm -rf "$T" && mkdir -p "$T"

wine_boot "$ROOT/build/bench-prefix" || exit 1
trap wine_end EXIT
reset_state
cat >"$T/policy.yaml" <<EOF2
version: 1
service:
  resync_interval: 1h
  debounce: 50ms
  metrics_file: '$(wpath "$T")\\certbind.prom'
bindings:
  - name: api
    endpoint: 0.0.0.0:8443
    match: { dns: api.bench.test }
EOF2
certmk add --cn api.bench.test --dns api.bench.test --not-after 30 --direct \
    >/dev/null
wine "$BB/regwait.exe" "$(wpath "$T")\\floor.log" 3600 >/dev/null 2>&1 &
floor_pid=$!
wine "$BIN/certbind.exe" run --config "$T/policy.yaml" >"$T/run.out" \
    2>"$T/run.err" &
run_pid=$!
stop() {
	kill -INT "$run_pid" 2>/dev/null && wait "$run_pid"
	kill "$floor_pid" 2>/dev/null
	wait "$floor_pid" 2>/dev/null
	return 0
}
wait_for 30 called Set || { echo "bench: certbind run bound nothing" >&2; stop; exit 1; }
wait_for 10 grep -q armed "$T/floor.log"
sleep 1

days=30
last_write=0
# write: a better certificate for the binding; prints "THUMB STAMP_US".
write() {
	days=$((days + 1))
	certmk add --cn api.bench.test --dns api.bench.test --not-after "$days" \
	    --direct --stamp
}

served() { [ "$(rebind_count)" -gt "$1" ]; }

# rotate: one write, then wait until it is bound; appends "LATENCY_US
# FLOOR_US" to $1.
rotate() {
	local before stamp t wake
	before=$(rebind_count)
	stamp=$(write | awk '{ print $2 }')
	if ! wait_for 30 served "$before"; then
		echo "bench: a rotation was never served" >&2
		return 1
	fi
	last_write=$stamp
	t=$(rebind_times | tail -n 1)
	wake=$(tr -d '\r' <"$T/floor.log" | awk -v s="$stamp" \
	    '$1 ~ /^[0-9]+$/ && $1 + 0 >= s + 0 { print $1; exit }')
	echo "$((t - stamp)) $(( ${wake:-0} > 0 ? wake - stamp : -1 ))" >>"$1"
}

: >"$T/isolated" ; : >"$T/paced"
for i in $(seq 1 "$LAT_N"); do
	sleep "$LAT_QUIET"
	rotate "$T/isolated" || break
done
sleep "$LAT_QUIET"
for i in $(seq 1 "$LAT_N"); do
	# One a second: wait out what is left of the second since the last write.
	left=$(( last_write + 1000000 - $(now_us) ))
	[ "$left" -gt 0 ] && sleep "$(awk -v u="$left" 'BEGIN { printf "%.3f", u / 1e6 }')"
	rotate "$T/paced" || break
done

# report FILE NAME: the percentiles of one case, certbind beside the floor.
report() {
	local n p c f
	n=$(wc -l <"$1")
	for p in 50 95 99 100; do
		c=$(awk '{ print $1 }' "$1" | pct "$p")
		f=$(awk '$2 >= 0 { print $2 }' "$1" | pct "$p")
		c=$(ms "$c"); [ "$f" = n/a ] || f=$(ms "$f")
		case $p in
		50) g=$(goal "<=" "$c" 100 "p50 <= 100 ms") ;;
		99) g=$(goal "<=" "$c" 300 "p99 <= 300 ms") ;;
		*) g=- ;;
		esac
		[ "$p" = 100 ] && p=max || p=p$p
		row "  $2, $p (n=$n)" "$c ms" "floor $f ms" \
		    "$(ratio "$c" "$f")" "$g"
	done
}
section "3. rotation latency under 'certbind run' (store write -> HTTP.sys call)"
report "$T/isolated" "(a) isolated, ${LAT_QUIET} s quiet"
report "$T/paced" "(b) one a second"

# (c) a burst, then the time until the best certificate is bound.
sleep "$LAT_QUIET"
prom="$T/certbind.prom"
before=$(metric_of "$prom" certbind_reconciles_total)
certmk add --cn api.bench.test --dns api.bench.test --not-after 400 \
    --count "$BURST_N" --direct --stamp >"$T/burst"
first=$(head -n 1 "$T/burst" | awk '{ print $2 }')
last=$(tail -n 1 "$T/burst" | awk '{ print $2 }')
in_line() { wine "$BIN/certbind.exe" plan --config "$T/policy.yaml" \
    >/dev/null 2>&1; }
if wait_for 300 in_line; then
	sleep 1       # the reconcile that bound it has written its metrics
	final=$(rebind_times | tail -n 1)
	after=$(metric_of "$prom" certbind_reconciles_total)
	row "  (c) burst of $BURST_N writes over $(ms $((last - first))) ms: reconciles" \
	    "$(( ${after:-0} - ${before:-0} ))"
	row "  (c) first write -> final binding" "$(ms $((final - first))) ms" \
	    "last write +$(ms $((last - first))) ms"
else
	row "  (c) burst of $BURST_N writes" "never in line within 300 s"
fi
stop
exit 0
