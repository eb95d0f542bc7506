#!/usr/bin/env bash
# part_churn.sh - store churn: many changes to LocalMachine\My in bursts
# while `certbind run` goes on.  Part of `make stress`
# (tests/stress/stress.sh).
#
# Bindings (IPv4, IPv6, SNI) each have their certificate; a pool of other
# certificates comes and goes: some for other names, some for the bound
# names that expire sooner (they never win), some that expire later (they
# win while they are there).  storechurn.exe adds, deletes, re-adds them
# and changes their friendly names, CHURN_CHANGES changes in bursts of
# CHURN_BURST with CHURN_PAUSE_MS between, and removes the pool at the
# end.  Once the store is back to its starting contents, every record
# must be as it was before the churn, all fields; no endpoint may have
# been without a record (from the stand-in's call log); and the private
# bytes certbind measures in its own process (GetProcessMemoryInfo, the
# metrics file's certbind_private_bytes) must be within CHURN_MEM_PCT
# percent of the figure before the churn, beyond what a plain store
# reader beside it grows by (storechurn read: CertOpenStore, enumerate,
# CertCloseStore once a second, and nothing else): under Wine crypt32
# keeps memory from reading a changing registry store, however it is
# read.
#
# Counts: CHURN_CHANGES (10000), CHURN_BURST (50), CHURN_PAUSE_MS (250),
# CHURN_POOL (200), CHURN_BINDINGS (10), CHURN_MEM_PCT (10), STRESS_SEED;
# STRESS_QUICK=1 takes 300 changes (30 a burst, 300 ms apart) and a pool
# of 30, and a looser memory
# bound (25%): so few changes say little about a slow leak.
set -u
. "$(dirname "$0")/stress_lib.sh"

if [ -n "${STRESS_QUICK:-}" ]; then
	: "${CHURN_CHANGES:=300}" "${CHURN_BURST:=30}" "${CHURN_POOL:=30}"
	: "${CHURN_PAUSE_MS:=300}"
	: "${CHURN_MEM_PCT:=25}"
fi
CHANGES=${CHURN_CHANGES:-10000}
BURST=${CHURN_BURST:-50}
PAUSE_MS=${CHURN_PAUSE_MS:-250}
POOL=${CHURN_POOL:-200}
N=${CHURN_BINDINGS:-10}
MEM_PCT=${CHURN_MEM_PCT:-10}
SEED=${STRESS_SEED:-$$}
SECTION=churn

part_scratch churn
PROM=$T/certbind.prom

# Binding i's endpoint: IPv4, IPv6 and SNI in turn.
endpoint() { endpoint_of "$1" 9300 'n{n}.churn.test' ip4 ip6 sni; }

{
	echo "version: 1"
	echo "defaults: { renew_warning_days: 1 }"
	echo "service:"
	echo "  debounce: 50ms"
	echo "  metrics_file: '$(wpath "$PROM")'"
	echo "bindings:"
	for i in $(seq 1 "$N"); do
		echo "  - name: b$i"
		echo "    endpoint: \"$(endpoint "$i")\""
		echo "    match: { dns: n$i.churn.test }"
	done
} >"$POLICY"
eps=$(for i in $(seq 1 "$N"); do endpoint "$i"; done | tr '\n' ' ')

reset_state
rm -f "$STEPS"
# The bindings' own certificates, then the pool, kept aside by storechurn.
certmk add --cn 'n{n}.churn.test' --dns 'n{n}.churn.test' --count "$N" \
    --first 1 --not-after 400 --direct >"$T/right"
third=$((POOL / 3))
{
	certmk add --cn 'other{n}.churn.test' --dns 'other{n}.churn.test' \
	    --count $((POOL - 2 * third)) --first 1 --direct
	certmk add --cn 'n{n}.churn.test' --dns 'n{n}.churn.test' \
	    --count "$third" --first 1 --not-after 200 --direct
	certmk add --cn 'n{n}.churn.test' --dns 'n{n}.churn.test' \
	    --count "$third" --first 1 --not-after 500 --direct
} >"$T/pool"
if [ "$(grep -c . "$T/right")" -ne "$N" ] ||
    [ "$(grep -c . "$T/pool")" -ne "$POOL" ] ||
    ! wine "$BIN/storechurn.exe" save "$(wpath "$T/pool.bin")" \
    $(cat "$T/pool") >/dev/null; then
	not_ok "certmk and storechurn made the bindings' certificates and the pool"
	tap_end
	exit 1
fi

# metric NAME: its value in the metrics file, empty when absent.
metric() {
	[ -f "$PROM" ] && tr -d '\r' <"$PROM" | awk -v m="$1" '$1 == m { print $2 }'
}
sets() { calls 2>/dev/null | awk '$2 == "Set" && $5 == 0' | wc -l; }
bound_right() { [ "$(sets)" -ge "$N" ] && [ -n "$(metric certbind_private_bytes)" ]; }

# settled: the metrics file has not changed for 3 s (the loop is idle: a
# reconcile rewrites it), and the records are the wanted ones.
settled() {
	local a b
	a=$(cksum <"$PROM" 2>/dev/null)
	sleep 3
	b=$(cksum <"$PROM" 2>/dev/null)
	[ "$a" = "$b" ] && records_dump >"$T/got" && cmp -s "$T/want" "$T/got"
}

wine "$BIN/certbind.exe" run --config "$(wpath "$POLICY")" >"$T/run.out" \
    2>"$T/run.err" &
LAUNCHER=$!
if ! wait_slow 120 bound_right; then
	not_ok "certbind run bound the $N endpoints and wrote its metrics" \
	    "$(tail -n 5 "$T/run.err")"
	stop_run "$LAUNCHER"
	tap_end
	exit 1
fi
records_dump >"$T/want"
wait_slow 60 settled
before=$(metric certbind_private_bytes)
reconciles0=$(metric certbind_reconciles_total)
calls0=$(lines "$CALLS")

# The plain store reader beside certbind, reading the store once a
# second for as long as the churn should take, and 5 s more.
reads=$(( CHANGES / BURST * PAUSE_MS / 1000 + CHANGES / 500 + 5 ))
wine "$BIN/storechurn.exe" read "$reads" 1000 | tr -d '\r' >"$T/reader.out" &
reader=$!
t0=$(date +%s)
wine "$BIN/storechurn.exe" run "$(wpath "$T/pool.bin")" "$CHANGES" "$BURST" \
    "$PAUSE_MS" "$SEED" | tr -d '\r' >"$T/churn.out"
churn_rc=${PIPESTATUS[0]}
t1=$(date +%s)
expect_eq "storechurn made $CHANGES changes and put the store back" \
    "$churn_rc" 0

# Once the store is as it was, the loop reconciles once more and idles.
wait_slow 180 settled
wait "$reader"
# reader MEASURE: a figure of the reader's.
reader() { awk -v m="$1" '{ v = $NF; $NF = "" } $0 == m " " { print v }' "$T/reader.out"; }
rb=$(reader "private bytes before") ra=$(reader "private bytes after")
after=$(metric certbind_private_bytes)
reconciles=$(( $(metric certbind_reconciles_total) - reconciles0 ))
rebinds=$(calls_from "$calls0" | awk '$2 == "Update" || $2 == "Set"' | wc -l)
stop_run "$LAUNCHER"
run_rc=$?

records_dump >"$T/got"
diff=$(diff "$T/want" "$T/got" | grep '^[<>]' | head -n 6)
wrong=$(join -t'|' <(grep '|SslCertHash|' "$T/want" | cut -d'|' -f1,4 | sort) \
    <(grep '|SslCertHash|' "$T/got" | cut -d'|' -f1,4 | sort) |
    awk -F'|' '$2 != $3' | wc -l)
breaches=$(unbound_breaches "$calls0" "$eps")
lost=$(printf '%s' "$breaches" | grep -c .)
if [ -z "$diff" ]; then
	ok "after the churn every record is as before, all fields"
else
	not_ok "after the churn every record is as before, all fields" "$diff"
fi
if [ -z "$breaches" ]; then
	ok "no endpoint was without a record at any call"
else
	not_ok "no endpoint was without a record at any call" "$breaches"
fi
expect_match "certbind reconciled during the churn" "$reconciles" '^[1-9]'
expect_eq "certbind run stopped on Ctrl+C" "$run_rc" 0
# Error events, as a figure: a certificate deleted between certbind's
# read of the store and its write is no error (event 243), but one
# deleted and added again in that time is there when certbind looks, and
# HTTP.sys's 1312 is then taken for its key's (event 230, and 302).
errors=$(tr -d '\r' <"$T/run.err" | grep -cE '^certbind\[[0-9]+\] error')
# Under Wine, crypt32 itself keeps memory from reading a registry store
# that changes (a plain reader beside certbind shows it, with no certbind
# code in its process): certbind may grow by that much beyond the bound,
# and no more.  On Windows the reader's growth is expected to be ~0.
wine_growth=$(awk -v b="${rb:-0}" -v a="${ra:-0}" 'BEGIN {
	print (b > 0 && a > b) ? a - b : 0 }')
within=$(awk -v b="${before:-0}" -v a="${after:-0}" -v p="$MEM_PCT" \
    -v w="$wine_growth" 'BEGIN {
	print (b > 0 && a > 0 && a <= b * (1 + p / 100) + w &&
	    a >= b * (1 - p / 100)) ? "yes" : "no" }')
expect_eq "private bytes after the churn ($after) within $MEM_PCT% of before ($before), beyond the plain reader's growth beside it ($wine_growth)" \
    "$within" yes

echo "# $(tr '\n' ',' <"$T/churn.out" | sed 's/,$//; s/,/, /g') in $((t1 - t0)) s;" \
    "$reconciles reconciles, $rebinds rebinds"
stress_row "$SECTION" "cases tried" "$CHANGES"
stress_row "$SECTION" "faults injected" 0
stress_row "$SECTION" "kills" 0
stress_row "$SECTION" "bindings lost" "$lost"
stress_row "$SECTION" "wrong certificates bound" "$wrong"
while read -r line; do
	case $line in
	bursts*) stress_row "$SECTION" "bursts" "${line##* }" ;;
	*) stress_row "$SECTION" "store changes: ${line% *}" "${line##* }" ;;
	esac
done <"$T/churn.out"
stress_row "$SECTION" "reconciles during the churn" "$reconciles"
stress_row "$SECTION" "error events" "$errors"
stress_row "$SECTION" "rebinds during the churn" "$rebinds"
stress_row "$SECTION" "churn duration (s)" "$((t1 - t0))"
stress_row "$SECTION" "private bytes before" "${before:-n/a}"
stress_row "$SECTION" "private bytes after" "${after:-n/a}"
while read -r line; do
	stress_row "$SECTION" "plain store reader beside it: ${line% *}" \
	    "${line##* }"
done <"$T/reader.out"
tap_end
