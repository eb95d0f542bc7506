# lib.sh - shared by the Wine integration tests and the demo.
#
# One private WINEPREFIX is booted per run (wineboot costs 5-10 s) with a
# persistent wineserver, so each later `wine` call costs ~0.1 s.  Tests
# reset the state they touch (LocalMachine\My and the HTTP.sys records)
# instead of booting again.  Output is TAP: "ok N - what" / "not ok N - what".

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$ROOT/build/test
PARAMS='HKLM\SYSTEM\CurrentControlSet\Services\HTTP\Parameters'
SSLKEY="$PARAMS\\SslBindingInfo"
SNIKEY="$PARAMS\\SslSniBindingInfo"
CCSKEY="$PARAMS\\SslCcsBindingInfo"
FAULTKEY='HKLM\Software\CertBindStandIn\Faults'
JOURNALKEY='HKLM\SOFTWARE\CertBind\Journal'
HISTORYKEY='HKLM\SOFTWARE\CertBind\History'
PINNEDKEY='HKLM\SOFTWARE\CertBind\Pinned'
PENDINGKEY='HKLM\SOFTWARE\CertBind\PendingRestarts'

export WINEARCH=win64
# The stand-in httpapi.dll beside the exe; skip Mono and Gecko installs.
export WINEDLLOVERRIDES="httpapi=n;mscoree,mshtml="
# Set explicitly: Debian's wrapper sets fixme-all when it is unset.
export WINEDEBUG=${WINEDEBUG:--all}

wine_boot() {   # wine_boot PREFIX
	export WINEPREFIX=$1
	wineserver -k 2>/dev/null || true
	rm -rf "$WINEPREFIX"
	mkdir -p "$WINEPREFIX"
	# Persistent first: a server started by wineboot would refuse -p.  Its
	# output goes nowhere: it outlives the caller, and an inherited pipe
	# would keep the caller's reader (`| grep`, $(...)) waiting for it.
	wineserver -p </dev/null >/dev/null 2>&1 || return 1
	# The first program run in a new prefix makes Wine initialise it.
	# (`wineboot -i` would do that once on its own and once more as
	# asked, leaving two services.exe that split the service database.)
	# services.exe starts here, and the services it starts inherit its
	# WINEDEBUG and output: the CertBind service's events land in
	# $WINEPREFIX.boot.log (see svc_events).
	if ! WINEDEBUG=-all,+eventlog wine cmd /c exit 0 \
	    >"$WINEPREFIX.boot.log" 2>&1; then
		echo "Wine could not set up $WINEPREFIX; see $WINEPREFIX.boot.log" >&2
		return 1
	fi
}

wine_end() {
	wineserver -k 2>/dev/null || true
}

# with_build_lock CMD...: run CMD holding the lock on build/.  make check
# runs suites in two lanes at once, and some of them run make on the one
# build tree (a VERSION override, dist, sign) or read what it builds
# (build/certbind.exe, the MSI): without the lock, one lane's make rewrites
# build/win/version.h or relinks the exe under another's.
with_build_lock() {
	local fd rc
	exec {fd}>"$ROOT/build/.build-lock" || return 1
	flock "$fd"
	"$@"; rc=$?
	exec {fd}>&-
	return "$rc"
}

# For a suite: use the prefix tests/run.sh booted, or boot one of its own.
suite_prefix() {
	cd "$ROOT" || exit 1
	if [ -z "${CERTBIND_PREFIX_READY:-}" ]; then
		wine_boot "$ROOT/build/wineprefix" || exit 1
		trap wine_end EXIT
	fi
}

certbind() { wine "$BIN/certbind.exe" "$@"; }
# certbind built against httpapi without HttpUpdateServiceConfiguration,
# as on Windows before 10 1703: rotations are Delete then Set.
certbind_old() { wine "$ROOT/build/test-noupdate/certbind.exe" "$@"; }
# certmk's own exit status, not tr's.
certmk() { wine "$BIN/certmk.exe" "$@" | tr -d '\r'; return "${PIPESTATUS[0]}"; }

# Registry work through faultset.exe (tests/stress/faultset.c): a Wine
# reg.exe costs several times as much, and the suites reset and poll the
# registry thousands of times.  KEY is under HKLM, without "HKLM\".
regtool() { wine "$BIN/faultset.exe" "$@" | tr -d '\r'; return "${PIPESTATUS[0]}"; }

# Empty LocalMachine\My and \WebHosting (one process for both); remove
# every HTTP.sys SSL record, the stand-in's faults, call log and release
# file (see release), and certbind's rotation journal, history, rollback
# pins and pending restarts (one process for all the keys).
reset_state() {
	local k keys=
	certmk clear MY WebHosting >/dev/null
	for k in "$SSLKEY" "$SNIKEY" "$CCSKEY" "$FAULTKEY" "$JOURNALKEY" \
	    "$HISTORYKEY" "$PINNEDKEY" "$PENDINGKEY"; do
		keys="$keys ${k#HKLM\\}"
	done
	# shellcheck disable=SC2086  # the keys hold no blanks
	regtool drop $keys >/dev/null
	rm -f "$WINEPREFIX/drive_c/httpapi-calls.log" \
	    "$WINEPREFIX/drive_c/httpapi-release"
}

# release: end the call the stand-in holds for a "hold MS" fault.
release() { : >"$WINEPREFIX/drive_c/httpapi-release"; }

# svc_events [FROM_LINE]: the events the CertBind service reported, from
# line FROM_LINE (default 1) of the boot log, as "warn:eventlog:..." lines.
svc_events() {
	tail -n "+${1:-1}" "$WINEPREFIX.boot.log" | tr -d '\r' | grep ':eventlog:ReportEventW '
}

# The stand-in's contract test (tests/httpapi/httpapi_test.c), on real
# certificates: two with a key in My, one without, one in WebHosting.
stand_in_contract() {
	local k k2 n w
	reset_state
	k=$(certmk add --cn contract.example.test)
	k2=$(certmk add --cn contract.example.test --not-after 60)
	n=$(certmk add --cn contract.example.test --no-key)
	w=$(certmk --store WebHosting add --cn contract.example.test)
	if [ -z "$k" ] || [ -z "$k2" ] || [ -z "$n" ] || [ -z "$w" ]; then
		echo "not ok - certmk made the contract's certificates" \
		    "(got '$k' '$k2' '$n' '$w')"
		return 1
	fi
	wine "$BIN/httpapi_test.exe" "$k" "$k2" "$n" "$w"
}

# reg_value ENDPOINT NAME [TABLE]: a value of the record at ENDPOINT in
# TABLE (default $SSLKEY), "" if none; as reg.exe prints it.
reg_value() {
	local table=${3:-$SSLKEY}
	regtool value "${table#HKLM\\}\\$1" "$2"
}

bound_hash() { reg_value "$1" SslCertHash "${2:-$SSLKEY}"; }

# reg_put KEY NAME TYPE DATA [NAME TYPE DATA]...: set values of KEY
# (HKLM\...), created if needed, as `reg add /t TYPE /d DATA` does, all
# in one process: a reg.exe per value cost a Wine start-up each.
reg_put() { regtool put "${1#HKLM\\}" "${@:2}" >/dev/null; }

# uninstall_service: `certbind service uninstall`, then wait until the
# SCM has dropped CertBind.  While the service's process is still ending
# (long after the service reported STOPPED, on a loaded machine) it is
# only marked for deletion, and installing it again fails.
uninstall_service() {
	certbind service uninstall >/dev/null 2>&1
	wait_for 20 no_service
}
no_service() {
	! wine sc query CertBind 2>/dev/null | tr -d '\r' | grep -q STATE
}

# fault CALL SPEC: make the stand-in fail the next CALLs ("N ERROR"/crash).
fault() { regtool set "$1" "$2"; }

# The stand-in's call log: "MICROSECONDS CALL KIND KEY RESULT" lines.
calls() { tr -d '\r' <"$WINEPREFIX/drive_c/httpapi-calls.log" 2>/dev/null; }

# poll STEP TIMES COMMAND...: run COMMAND every STEP seconds until it
# succeeds, TIMES times at the most; 1 if it never did.
poll() {
	local i step=$1 n=$2
	shift 2
	for i in $(seq 1 "$n"); do
		if "$@"; then return 0; fi
		sleep "$step"
	done
	return 1
}

# wait_for SECONDS COMMAND...: run COMMAND every 0.1 s until it succeeds;
# 1 if it has not within SECONDS.
wait_for() { poll 0.1 $(($1 * 10)) "${@:2}"; }

# wait_slow SECONDS COMMAND...: as wait_for, polling every half second,
# for long waits: a poll costs CPU that certbind, or a figure taken from
# it, would otherwise have.
wait_slow() { poll 0.5 $(($1 * 2)) "${@:2}"; }

now_us() { echo $(( $(date +%s%N) / 1000 )); }

# A path as Windows names it (Wine's Z: drive).
wpath() { printf 'Z:%s' "$(printf '%s' "$1" | tr / '\\')"; }

# The stand-in's calls other than Query, in order: "Delete Set ".
writes() { calls | awk '$2 != "Query" { print $2 }' | tr '\n' ' '; }

# called CALL: the stand-in has logged a CALL.
called() {
	[ -f "$WINEPREFIX/drive_c/httpapi-calls.log" ] &&
	    calls | awk -v c="$1" '$2 == c' | grep -q .
}

# --- TAP -------------------------------------------------------------------

T_NUM=0
T_FAILED=0

ok() { T_NUM=$((T_NUM + 1)); echo "ok $T_NUM - $1"; }

not_ok() {
	T_NUM=$((T_NUM + 1))
	T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_NUM - $1"
	shift
	for line in "$@"; do printf '#   %s\n' "$line"; done
}

# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  '$2'" "want: '$3'"; fi
}

# expect_match WHAT TEXT PATTERN (grep -E)
expect_match() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then ok "$1"
	else not_ok "$1" "pattern: $3" "in: $(printf '%s' "$2" | head -c 600)"; fi
}

tap_end() {
	echo "1..$T_NUM"
	[ "$T_FAILED" -eq 0 ]
}
