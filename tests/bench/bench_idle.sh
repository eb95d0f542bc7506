#!/usr/bin/env bash
# bench_idle.sh - what `certbind run` costs while nothing changes: part of
# `make bench` (run by bench.sh).
#
# One binding, nothing written for IDLE_S seconds.  procstat.exe reads the
# process's CPU time (GetProcessTimes) and private bytes
# (GetProcessMemoryInfo) at the start and the end of the quiet spell; the
# loop's own counters come from the metrics file when it has them
# (certbind_loop_wakeups_total{cause="..."}, certbind_private_bytes), else
# "n/a".  Under Wine the Windows process is a Unix process of the same
# pid as the `wine` started here, so its /proc figures are printed too:
# Wine reports swap as PrivateUsage (0 here), and GetProcessTimes of
# another process misses the time of threads that have ended (it can even
# go down), so the CPU time of the quiet spell comes from /proc.
set -u
. "$(dirname "$0")/bench_lib.sh"
cd "$ROOT" || exit 1
T=$BT/idle
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
certmk add --cn api.bench.test --dns api.bench.test --direct >/dev/null
wine "$BIN/certbind.exe" run --config "$T/policy.yaml" >"$T/run.out" \
    2>"$T/run.err" &
run_pid=$!
wait_for 30 called Set
sleep 2
prom=$T/certbind.prom
stat() { wine "$BB/procstat.exe" certbind.exe | tr -d '\r'; }
# The wake-ups by cause, "cause=N" a line, from the metrics file.
wakeups() {
	[ -f "$prom" ] && tr -d '\r' <"$prom" | sed -n \
	    's/^certbind_loop_wakeups_total{cause="\([^"]*\)"} \([0-9]*\).*/\1 \2/p'
}
# The Unix process's CPU ticks (user + system, every thread) and private
# memory (Private_Clean + Private_Dirty, kB), Wine's own DLLs included.
ticks() { awk '{ print $14 + $15 }' "/proc/$run_pid/stat" 2>/dev/null; }
unix_private() {
	awk '/^Private_(Clean|Dirty):/ { kb += $2 } END { print kb + 0 }' \
	    "/proc/$run_pid/smaps_rollup" 2>/dev/null
}
hz=$(getconf CLK_TCK)
s0=$(stat)
k0=$(ticks)
wakeups >"$T/wake0"
sleep "$IDLE_S"
s1=$(stat)
k1=$(ticks)
upriv=$(unix_private)
wakeups >"$T/wake1"
kill -INT "$run_pid" 2>/dev/null
wait "$run_pid"

section "5. idle: 'certbind run', one binding, nothing changing for $IDLE_S s"
if [ -n "$s0" ] && [ -n "$s1" ]; then
	set -- $s1; cpu1=$2 priv=$3 ws=$4
	row "  private bytes (GetProcessMemoryInfo PrivateUsage)" \
	    "$(awk -v b="$priv" 'BEGIN { printf "%.1f MB", b / 1048576 }')" \
	    "working set $(awk -v b="$ws" 'BEGIN { printf "%.1f MB", b / 1048576 }')" \
	    - "Wine reports swap here"
else
	row "  CPU time and private bytes" "procstat could not read the process"
fi
if [ -n "$k0" ] && [ -n "$k1" ]; then
	row "  CPU time in the $IDLE_S s (/proc, every thread)" \
	    "$(( (k1 - k0) * 1000 / hz )) ms" \
	    "GetProcessTimes since start ${cpu1:-n/a} ms"
	mb=$(awk -v k="$upriv" 'BEGIN { printf "%.1f", k / 1024 }')
	row "  private memory (/proc smaps, Wine's DLLs included)" "$mb MB" \
	    - - "$(goal "<=" "$mb" 4 "<= 4 MB")"
fi
own=$(metric_of "$prom" certbind_private_bytes)
row "  private bytes (certbind's own metric)" \
    "$([ -n "$own" ] && awk -v b="$own" 'BEGIN { printf "%.1f MB", b / 1048576 }' || echo n/a)"
if [ -s "$T/wake1" ]; then
	others=0
	while read -r cause n; do
		n0=$(awk -v c="$cause" '$1 == c { print $2 }' "$T/wake0")
		d=$((n - ${n0:-0}))
		[ "$cause" = timer ] || others=$((others + d))
		row "  loop wake-ups, cause $cause" "$d"
	done <"$T/wake1"
	row "  loop wake-ups other than the timer" "$others" - - \
	    "$(goal "<=" "$others" 0 "none")"
else
	row "  loop wake-ups" "n/a" - - "none but the timer: n/a"
fi
exit 0
