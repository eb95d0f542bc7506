# stress_lib.sh - shared by the crash and churn parts of `make stress`
# (tests/stress/part_crash.sh, part_churn.sh), on top of the integration
# suites' lib.sh.
#
# A part prints TAP like the integration suites and, when $STRESS_ROWS is
# set, appends its figures there as "SECTION<TAB>MEASURE<TAB>VALUE" lines
# for the driver's table (tests/stress/stress.sh).

. "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

ST=$ROOT/build/tmp/stress       # scratch
# A path as Windows names it (Wine's Z: drive).
wpath() { printf 'Z:%s' "$(printf '%s' "$1" | tr / '\\')"; }

# stress_row SECTION MEASURE VALUE
stress_row() {
	[ -n "${STRESS_ROWS:-}" ] || return 0
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$STRESS_ROWS"
}

now_us() { echo $(( $(date +%s%N) / 1000 )); }

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

# wait_slow SECONDS COMMAND...: wait_for, polling every half second.
wait_slow() {
	local i n=$(($1 * 2))
	shift
	for i in $(seq 1 "$n"); do
		if "$@"; then return 0; fi
		sleep 0.5
	done
	return 1
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
