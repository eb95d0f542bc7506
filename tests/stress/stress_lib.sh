# stress_lib.sh - shared by the parts of `make stress` that drive
# HTTP.sys (tests/stress/part_*.sh), on top of the integration suites'
# lib.sh: the crash and churn parts' scratch, call log and bindings, and
# the traced parts' (faults, concurrency) records, policy and replay.
#
# A part prints TAP like the integration suites and, when $STRESS_ROWS is
# set, appends its figures there as "SECTION<TAB>MEASURE<TAB>VALUE" lines
# for the driver's table (tests/stress/stress.sh).

. "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

ST=$ROOT/build/tmp/stress       # scratch

# stress_row SECTION MEASURE VALUE
stress_row() {
	[ -n "${STRESS_ROWS:-}" ] || return 0
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$STRESS_ROWS"
}

# The call log's and the step log's times are microseconds since 1601.
EPOCH_1601_US=11644473600000000

# suite_prefix, then the stand-in's logs in that prefix.
stress_prefix() {
	suite_prefix
	CALLS=$WINEPREFIX/drive_c/httpapi-calls.log
	STEPS=$WINEPREFIX/drive_c/httpapi-steps.log
}

lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }

# The rows of the call log from line $1 on.
calls_from() { tail -n "+$(($1 + 1))" "$CALLS" 2>/dev/null | tr -d '\r'; }
steps_from() { tail -n "+$(($1 + 1))" "$STEPS" 2>/dev/null | tr -d '\r'; }

# The invariant over the calls since line $1, read after every call: an
# endpoint a Delete removed is Set back by the next write, and at the end
# every declared endpoint ($2, space-separated) has a record.  A Query
# that found the record is evidence too: a process killed inside a Set
# after its work but before the stand-in logged it leaves no Set line,
# and the next process's Query finds the record.  Prints one line per
# breach; nothing when it held.
unbound_breaches() {
	calls_from "$1" | awk -v eps="$2" '
	    BEGIN { n = split(eps, e, " "); for (i = 1; i <= n; i++) have[e[i]] = 1 }
	    $2 == "Query" && $5 == 0 { have[$4] = 1; if ($4 == pending) pending = "" }
	    $2 == "Query" { next }
	    pending != "" && !($2 == "Set" && $4 == pending && $5 == 0) {
	        printf "%s left without a record: the write after its Delete was %s %s (%s)\n",
	            pending, $2, $4, $5; pending = "" }
	    $2 == "Delete" && $5 == 0 { have[$4] = 0; pending = $4; next }
	    $2 == "Set" && $5 == 0 { have[$4] = 1; if ($4 == pending) pending = "" }
	    END { for (i = 1; i <= n; i++) if (!have[e[i]])
	        printf "%s has no record at the end\n", e[i] }'
}

# win_pid LAUNCHER: the Linux pid of the certbind.exe Windows process that
# `wine ... &` (pid LAUNCHER) started: the launcher itself once the wine
# loader has exec'd into it, or a child of it, and in no case a process
# of another prefix.  Waits up to 10 s; prints nothing if there is none.
win_pid() {
	local i p arg0
	for i in $(seq 1 1000); do
		for p in "$1" $(pgrep -P "$1" 2>/dev/null); do
			arg0=$(tr '\0' '\n' 2>/dev/null <"/proc/$p/cmdline" | head -n 1)
			case $arg0 in
			*certbind.exe)
				if tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" |
				    grep -qxF "WINEPREFIX=$WINEPREFIX"; then
					echo "$p"
					return 0
				fi ;;
			esac
		done
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.01
	done
	return 1
}

# stop_run LAUNCHER: Ctrl+C to a `certbind run` and wait for it; SIGKILL
# to its Windows process if it has not stopped within 20 s.  0 if it
# stopped on its own.
stop_run() {
	local i p
	kill -INT "$1" 2>/dev/null
	for i in $(seq 1 200); do
		kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
		sleep 0.1
	done
	p=$(win_pid "$1") && kill -KILL "$p" 2>/dev/null
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 1
}

# Every SSL record HTTP.sys holds, all fields: "KEY|NAME|TYPE|DATA" a line,
# sorted (a record written again may list its values in another order).
records_dump() {
	wine reg query "$PARAMS" /s 2>/dev/null | tr -d '\r' | awk '
	    /^HKEY_/ { k = $0; sub(/.*\\Parameters\\/, "", k); next }
	    NF >= 2 && k ~ /\\/ { n = $1; t = $2; $1 = ""; $2 = ""
	        print k "|" n "|" t "|" substr($0, 3) }' | sort
}

# The values under the rotation journal's key, one a line.
journal_values() {
	wine reg query "$JOURNALKEY" 2>/dev/null | tr -d '\r' |
	    awk 'NF >= 2 && $2 ~ /^REG_/ { print $1 }'
}

# --- many bindings (part_crash.sh, part_churn.sh) ---------------------------

# part_scratch NAME: the prefix, and the part's scratch $T (emptied) with
# its policy file $POLICY.
part_scratch() {
	stress_prefix
	T=$ST/$1
	rm -rf "$T" && mkdir -p "$T"
	POLICY=$T/policy.yaml
}

# endpoint_of I BASE HOST KIND...: binding I's endpoint as the stand-in
# names its record, the KINDs in turn (I modulo their count): ip4 is
# 0.0.0.0:BASE+I, ip6 [::]:BASE+I, sni HOST:443 with {n} in HOST as I.
endpoint_of() {
	local i=$1 base=$2 host=$3
	shift 3
	shift $((i % $#))
	case $1 in
	ip4) echo "0.0.0.0:$((base + i))" ;;
	ip6) echo "[::]:$((base + i))" ;;
	sni) echo "${host//\{n\}/$i}:443" ;;
	esac
}

# --- the traced parts (part_faults.sh, part_concurrency.sh) -----------------
#
# The stand-in appends every call it receives to C:\httpapi-trace.log, and
# the part its own "# ..." lines (declare, rank, case, expect: see
# tests/stress/invariant.py), which replays the whole trace at the end.
# Four records: IPv4 and IPv6 on $PORT, SNI $DNS on $PORT+1, and a ccs
# record on $PORT+2 whose option $CCS_FLAG flips at each rotation.

# traced_part NAME PORT DNS: the part's scratch $TMP (emptied), $POLICY,
# $TRACE, and its records ("KIND KEY" a word, ":" for the blank).
traced_part() {
	NAME=$1 PORT=$2 DNS=$3
	TMP=build/tmp/stress_$NAME
	rm -rf "$TMP"
	mkdir -p "$TMP"
	POLICY=$TMP/policy.yaml
	TRACE=$WINEPREFIX/drive_c/httpapi-trace.log
	KEYS="ip:0.0.0.0:$PORT ip:[::1]:$PORT sni:$DNS:$((PORT + 1))"
	CCS_KEY=0.0.0.0:$((PORT + 2))
	CCS_FLAG=false
	SEQ=0 BEST= KEPT=
}

mark() { printf '# %s\n' "$*" >>"$TRACE"; }
faultset() { regtool "$@"; }

# An empty trace, the four records declared in it.
start_trace() {
	local k
	: >"$TRACE"
	for k in $KEYS; do mark declare "${k%%:*}" "${k#*:}"; done
	mark declare ccs "$CCS_KEY"
}

# The policy of the four records, after $POLICY_HEAD (lines, if any);
# written beside and moved in, so that a running `certbind run` never
# reads half of it.
write_policy() {
	{
		echo "version: 1"
		[ -z "${POLICY_HEAD:-}" ] || printf '%s\n' "$POLICY_HEAD"
		cat <<YAML
bindings:
  - name: v4
    endpoint: 0.0.0.0:$PORT
    match: { dns: $DNS }
  - name: v6
    endpoint: '[::1]:$PORT'
    match: { dns: $DNS }
  - name: sni
    endpoint: $DNS:$((PORT + 1))
  - name: ccs
    endpoint: ccs:$((PORT + 2))
    options: { client_cert_negotiation: $CCS_FLAG }
YAML
	} >"$POLICY.tmp"
	mv "$POLICY.tmp" "$POLICY"
}

# A certificate better than every one before it: it expires later.  With
# KEEP_CERTS set, the store keeps only that many of them, so that a
# refused one leaves others to try and the thousandth case reads no more
# than the first.
new_cert() {
	SEQ=$((SEQ + 1))
	BEST=$(certmk add --cn "$DNS" --dns "$DNS" --not-after $((30 + SEQ)))
	mark rank "$BEST" "$SEQ"
	[ -n "${KEEP_CERTS:-}" ] || return 0
	KEPT="$KEPT $BEST"
	set -- $KEPT
	if [ $# -gt "$KEEP_CERTS" ]; then
		certmk del "$1" >/dev/null
		shift
		KEPT="$*"
	fi
}

# A rotation: a better certificate, and the ccs option flipped.
rotate() {
	new_cert
	if [ "$CCS_FLAG" = false ]; then CCS_FLAG=true; else CCS_FLAG=false; fi
	write_policy
}

# What every record must hold once it converged.
expect_all() {
	local k
	for k in $KEYS; do mark expect "${k%%:*}" "${k#*:}" "$BEST"; done
	mark expect ccs "$CCS_KEY" -
}

# The IPv4 record holds the best certificate.
best_bound() { [ "$(bound_hash "0.0.0.0:$PORT")" = "$BEST" ]; }

cb() {   # cb PATH COMMAND...: certbind with (update) or without Update
	local path=$1
	shift
	if [ "$path" = update ]; then certbind "$@"; else certbind_old "$@"; fi
}

# The exe of PATH, for a `run` in the background: its process ID must be
# the one a kill stops, not that of a subshell around it.
cb_exe() {
	if [ "$1" = update ]; then echo "$BIN/certbind.exe"
	else echo "$ROOT/build/test-noupdate/certbind.exe"; fi
}

# The replay of the whole trace: every call, not only each case's end.
replay() {
	local out rc
	out=$(python3 tests/stress/invariant.py "$TRACE" ${STRESS_ROWS:+--rows \
	    "$STRESS_ROWS" "$NAME"}); rc=$?
	cp "$TRACE" "$TMP/trace.log"
	if [ "$rc" -eq 0 ]; then
		ok "replay: no record lost, none on a worse certificate ($(printf '%s' "$out" | tail -1))"
	else
		not_ok "replay: no record lost, none on a worse certificate" \
		    "$(printf '%s\n' "$out" | head -20)" "trace: $TMP/trace.log"
	fi
}
