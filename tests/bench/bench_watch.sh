#!/usr/bin/env bash
# bench_watch.sh - how fast the service loop reacts, under Wine: `make bench`.
#
# Runs `certbind run` (resync 1h, debounce 50ms) in a private prefix and
# measures:
#   - latency: from the moment `certmk add` has written a better
#     certificate, after a quiet spell, to the HTTP.sys Update call that
#     moves the binding, read from the stand-in's call log (its clock is
#     the system clock);
#   - burst: how many reconciles 1,000 certificates written as fast as
#     certmk can (one key, ~25 ms apart) cause, from the metrics file.
# Figures only; nothing here fails on a number.
set -u
. "$(dirname "$0")/../integration/lib.sh"
cd "$ROOT" || exit 1
N=${BURST:-1000}
TMP=build/tmp/bench_watch
rm -rf "$TMP"
mkdir -p "$TMP"
WTMP="Z:$(pwd -P | tr / '\\')\\build\\tmp\\bench_watch"

wine_boot "$ROOT/build/bench-prefix" || exit 1
trap wine_end EXIT
reset_state
cat >"$TMP/policy.yaml" <<EOF
version: 1
service:
  resync_interval: 1h
  debounce: 50ms
  metrics_file: '$WTMP\\certbind.prom'
bindings:
  - name: api
    endpoint: 0.0.0.0:8443
    match: { dns: api.example.test }
EOF
metric() { tr -d '\r' <"$TMP/certbind.prom" | awk -v m="$1" '$1 == m { print $2 }'; }
log_us() {   # the time of the last Update or Set, in Unix microseconds
	tr -d '\r' <"$WINEPREFIX/drive_c/httpapi-calls.log" |
	    awk '$2 == "Update" || $2 == "Set" { t = $1 } END { printf "%.0f\n", t - 11644473600000000 }'
}

wine "$BIN/certbind.exe" run --config "$TMP/policy.yaml" >"$TMP/run.out" \
    2>"$TMP/run.err" &
pid=$!
sleep 3
echo "certbind service loop under Wine (debounce 50 ms, resync 1 h)"
total=0
for i in 1 2 3 4 5; do
	sleep 2.5        # idle: a change after a quiet spell, not a stream
	certmk add --cn api.example.test --dns api.example.test \
	    --not-after $((30 + i)) >/dev/null
	written=$(($(date +%s%N) / 1000))
	sleep 0.5
	lat=$(( ($(log_us) - written) / 1000 ))
	printf '  latency %d: %4d ms from certmk returning to the Update call\n' \
	    "$i" "$lat"
	total=$((total + lat))
done
printf '  latency mean: %d ms (certmk returns ~ms after its store write;\n' \
    $((total / 5))
echo "    a negative figure means certbind acted before certmk returned)"

before=$(metric certbind_reconciles_total)
start=$(date +%s%N)
certmk add --cn burst.example.test --dns burst.example.test --not-after 90 \
    --count "$N" >/dev/null
spent=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 2
after=$(metric certbind_reconciles_total)
printf '  burst: %d certificates written in %d ms -> %d reconciles\n' \
    "$N" "$spent" $((after - before))
kill -INT "$pid"
wait "$pid"
