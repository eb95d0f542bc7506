#!/usr/bin/env bash
# part_crash.sh - crash points: `certbind run` killed with SIGKILL at
# random moments of rotations of many bindings, then started again; every
# record must end as a clean rotation leaves it, and no endpoint may stay
# unbound.  Part of `make stress` (tests/stress/stress.sh).
#
# Both paths: the Update build (build/test) and the Delete+Set build
# (build/test-noupdate, with its rotation journal).  The bindings are IPv4,
# IPv6 and SNI, with declared options, and some records carry a field no
# binding declares (a CTL store name), which a rotation must keep.  Each
# round adds a better certificate for every binding, starts `certbind
# run`, kills its Windows process (not the `wine` launcher) after a random
# delay, starts `run` again and waits until every record equals the
# record before with only its thumbprint changed, all fields compared.
# The stand-in is told to sleep inside each of its calls ("Pause"), so
# that many kills land inside a call; its step log and call log, the
# journal and the kill's time say where each kill landed.  From the call
# log, after every call: an endpoint a Delete removed is Set back by the
# very next write (by the killed process or, after the kill, by the next
# one's repair), and none is left without a record.
#
# Counts: CRASH_BINDINGS (50), CRASH_KILLS per path (50, so 100 in all),
# CRASH_PAUSE_MS (5), STRESS_SEED; STRESS_QUICK=1 takes 8 bindings and 2
# kills per path.
set -u
. "$(dirname "$0")/stress_lib.sh"

if [ -n "${STRESS_QUICK:-}" ]; then
	: "${CRASH_BINDINGS:=8}" "${CRASH_KILLS:=2}"
fi
N=${CRASH_BINDINGS:-50}
KILLS=${CRASH_KILLS:-50}
PAUSE_MS=${CRASH_PAUSE_MS:-5}
RANDOM=${STRESS_SEED:-$$}
SECTION=crash

part_scratch crash

# Binding i's endpoint, as the stand-in names its record: IPv4, IPv6 and
# SNI in turn, two of five IPv4 and two SNI.
endpoint() { endpoint_of "$1" 9100 'c{n}.crash.test' ip4 ip4 ip6 sni sni; }

# Declared options, varied, so that every field has a value to keep.
options() {
	case $(($1 % 4)) in
	0) echo "{ client_cert_negotiation: true, ssl_ctl_identifier: ctl-$1 }" ;;
	1) echo "{ revocation_freshness_time: 60s, url_retrieval_timeout: 5s }" ;;
	2) echo "{ ds_mapper_usage: true, verify_client_cert_revocation: false }" ;;
	*) echo "{ usage_check: false }" ;;
	esac
}

write_policy() {
	local i
	{
		echo "version: 1"
		echo "defaults: { renew_warning_days: 1 }"
		echo "bindings:"
		for i in $(seq 1 "$N"); do
			echo "  - name: b$i"
			echo "    endpoint: \"$(endpoint "$i")\""
			echo "    match: { dns: c$i.crash.test }"
			echo "    options: $(options "$i")"
		done
	} >"$POLICY"
}

# A generation of certificates, one per binding, expiring DAYS from now:
# their thumbprints, binding 1's first.
generation() {
	certmk add --cn 'c{n}.crash.test' --dns 'c{n}.crash.test' --count "$N" \
	    --first 1 --not-after "$1" --direct
}

# A field no binding declares, on every third record: a rotation keeps it.
foreign_fields() {
	local i k f=$T/foreign.reg
	printf 'REGEDIT4\r\n\r\n' >"$f"
	for i in $(seq 3 3 "$N"); do
		k=SslBindingInfo
		case $(($i % 5)) in 3 | 4) k=SslSniBindingInfo ;; esac
		printf '[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters\\%s\\%s]\r\n"DefaultSslCtlStoreName"="CA-%s"\r\n\r\n' \
		    "$k" "$(endpoint "$i")" "$i" >>"$f"
	done
	wine regedit /S "$(wpath "$f")" >/dev/null 2>&1
}

# Where a kill at Unix time KILL_US landed, from the steps since line
# STEP0, the calls since line CALL0 and whether the journal held an
# entry; BINDINGS rotated before it.
kill_point() {   # kill_point KILL_US STEP0 CALL0 JOURNAL ROTATED
	local last call what t
	last=$(steps_from "$2" | tail -n 1)
	if [ -z "$last" ]; then
		echo "start-up, before any HTTP.sys call"
		return
	fi
	set -- "$1" "$2" "$3" "$4" "$5" $last
	t=$(( $6 - EPOCH_1601_US ))
	what=$7 call=$8
	if [ "$what" = enter ]; then
		# Between the mark before the work and the mark after it: the
		# call's log line, written after the work, tells whether the
		# work was done (unless the kill came between the two).
		if calls_from "$3" | awk -v c="$call" -v t="$6" \
		    '$2 == c && $1 >= t' | grep -q .; then
			echo "inside $call, its work done"
		else
			echo "inside $call, before its work was logged"
		fi
		return
	fi
	if [ $(( $1 - t )) -lt $((PAUSE_MS * 1000)) ]; then
		echo "inside $call, its work done"
		return
	fi
	if [ "$call" = Delete ]; then
		echo "between Delete and Set"
	elif [ "$4" != 0 ]; then
		echo "journal written, before Delete"
	elif [ "$5" -ge "$N" ]; then
		echo "after the last rotation"
	elif [ "$call" = Query ]; then
		echo "between a Query and the next call"
	else
		echo "after a rotation, before the next"
	fi
}

# start_run EXE: `EXE run` in the background; LAUNCHER and WPID set.
start_run() {
	wine "$1" run --config "$(wpath "$POLICY")" >>"$T/run.out" \
	    2>>"$T/run.err" &
	LAUNCHER=$!
	WPID=$(win_pid "$LAUNCHER")
}

kills=0 lost=0 wrong=0 inside=0 cases=0
: >"$T/points"

# Between the paths and at the start: no records, no journal, the stand-in
# pausing in its calls.
clean_records() {
	local k keys=
	for k in "$SSLKEY" "$SNIKEY" "$CCSKEY" "$JOURNALKEY" "$FAULTKEY"; do
		keys="$keys ${k#HKLM\\}"
	done
	# shellcheck disable=SC2086  # the keys hold no blanks
	regtool drop $keys && regtool set Pause "$PAUSE_MS"
}

# One path: EXE is the build, LABEL its name in the output.
crash_path() {
	local exe=$1 label=$2 old new eps i r t0 first last su wp delay kus
	local step0 call0
	local jn rotated where breaches diff journal
	clean_records
	write_policy
	eps=$(for i in $(seq 1 "$N"); do endpoint "$i"; done | tr '\n' ' ')
	old=$(generation 400)
	if [ "$(printf '%s\n' "$old" | grep -c .)" -ne "$N" ]; then
		not_ok "$label: certmk made $N certificates" "got: $old"
		return
	fi

	# The records, created by one `run`; its time from the process to
	# its last write sizes the window the kills are drawn from.
	call0=$(lines "$CALLS")
	start_run "$exe"
	t0=$(now_us)
	CALL0=$call0
	wait_for 120 all_set
	first=$(calls_from "$call0" | head -n 1 | cut -d' ' -f1)
	last=$(calls_from "$call0" | awk '$2 == "Set"' | tail -n 1 | cut -d' ' -f1)
	stop_run "$LAUNCHER"
	# The windows the kills are drawn from: the start-up, as the creation
	# took it; and the calls, from the first: a rotation lists the records
	# too and makes a call more per binding than the creation (Query,
	# Update: 3 calls for 2), or two more on the Delete+Set path (Query,
	# Delete, Set: 4 for 2), and a tenth more takes in what follows the
	# last write.  A kill that finds the rotation over measures it, and
	# the window follows.
	if [ -n "$first" ] && [ -n "$last" ]; then
		su=$(( first - EPOCH_1601_US - t0 ))
		wp=$(( last - first ))
	else
		su=500000 wp=1000000
	fi
	[ "$su" -gt 0 ] || su=1
	case $label in
	update) wp=$(( wp * 3 / 2 * 11 / 10 + 1 )) ;;
	*) wp=$(( wp * 2 * 11 / 10 + 1 )) ;;
	esac
	foreign_fields
	records_dump >"$T/got"
	if [ "$(grep -c '|SslCertHash|' "$T/got")" -ne "$N" ] ||
	    [ "$(grep -c '|CA-' "$T/got")" -ne "$((N / 3))" ]; then
		not_ok "$label: $N records to rotate, every third with a CTL store" \
		    "$(head -n 12 "$T/got")"
		return
	fi

	for r in $(seq 1 "$KILLS"); do
		new=$(generation $((400 + r)))
		# The records a clean rotation leaves: each thumbprint replaced.
		paste -d' ' <(printf '%s\n' "$old") <(printf '%s\n' "$new") |
		    awk '{ printf "s/|%s$/|%s/\n", $1, $2 }' >"$T/subst"
		sed -f "$T/subst" "$T/got" >"$T/want"
		step0=$(lines "$STEPS")
		call0=$(lines "$CALLS")

		start_run "$exe"
		# One kill in eight during the start-up, the others from the
		# first HTTP.sys call on.
		if [ $((RANDOM % 8)) -eq 0 ]; then
			delay=$(( (RANDOM * 32768 + RANDOM) % su ))
		else
			wait_step "$step0"
			delay=$(( (RANDOM * 32768 + RANDOM) % wp ))
		fi
		sleep "$(awk -v d="$delay" 'BEGIN { printf "%.6f", d / 1e6 }')"
		kus=$(now_us)
		if [ -n "$WPID" ] && kill -KILL "$WPID" 2>/dev/null; then
			kills=$((kills + 1))
			wait "$LAUNCHER" 2>/dev/null
		else
			stop_run "$LAUNCHER"
		fi
		jn=0
		[ "$label" = update ] || jn=$(journal_values | wc -l)
		rotated=$(calls_from "$call0" | awk -v u="${label}" '
		    ($2 == "Update" || ($2 == "Set" && u != "update")) && $5 == 0' |
		    wc -l)
		where=$(kill_point "$kus" "$step0" "$call0" "$jn" "$rotated")
		if [ "$rotated" -ge "$N" ]; then
			first=$(steps_from "$step0" | head -n 1 | cut -d' ' -f1)
			last=$(calls_from "$call0" | awk '$2 == "Update" || $2 == "Set"' |
			    tail -n 1 | cut -d' ' -f1)
			wp=$(( (last - first) * 11 / 10 + 1 ))
		fi
		echo "$label	$where" >>"$T/points"
		case $where in inside*) inside=$((inside + 1)) ;; esac

		start_run "$exe"
		wait_slow 120 converged
		stop_run "$LAUNCHER"
		cases=$((cases + 1))
		breaches=$(unbound_breaches "$call0" "$eps")
		diff=$(diff "$T/want" "$T/got" | grep '^[<>]' | head -n 6)
		wrong=$((wrong + $(wrong_hashes "$T/want" "$T/got")))
		lost=$((lost + $(printf '%s' "$breaches" | grep -c .)))
		journal=$(journal_values | tr '\n' ' ')
		if [ -z "$diff" ] && [ -z "$breaches" ] && [ -z "$journal" ]; then
			ok "$label: kill $r ($where): every record converged, all fields"
		else
			not_ok "$label: kill $r ($where): every record converged, all fields" \
			    ${diff:+"$diff"} ${breaches:+"$breaches"} \
			    ${journal:+"left in the journal: $journal"}
		fi
		storechurn_del $old
		old=$new
	done
	storechurn_del $old
}

# The records since line CALL0 of the call log hold N Sets.
all_set() {
	[ "$(calls_from "$CALL0" | awk '$2 == "Set" && $5 == 0' | wc -l)" -ge "$N" ]
}

# Until the stand-in marks a step after line $1 of its step log, polling
# every 5 ms (a rotation of a few bindings takes a few hundred), 60 s at most.
wait_step() {
	local i
	for i in $(seq 1 12000); do
		[ "$(lines "$STEPS")" -gt "$1" ] && return 0
		sleep 0.005
	done
	return 1
}

converged() { records_dump >"$T/got"; cmp -s "$T/want" "$T/got"; }

# The records of dump GOT that hold a thumbprint other than the one
# dump WANT gives them (none, when the record is missing: that is a
# lost binding, counted from the call log).
wrong_hashes() {   # wrong_hashes WANT GOT
	join -t'|' <(grep '|SslCertHash|' "$1" | cut -d'|' -f1,4 | sort) \
	    <(grep '|SslCertHash|' "$2" | cut -d'|' -f1,4 | sort) |
	    awk -F'|' '$2 != $3' | wc -l
}

storechurn_del() { wine "$BIN/storechurn.exe" del "$@" >/dev/null; }

certmk clear >/dev/null
rm -f "$CALLS" "$STEPS"
crash_path "$BIN/certbind.exe" update
crash_path "$ROOT/build/test-noupdate/certbind.exe" delete-set
clean_records
regtool drop "${FAULTKEY#HKLM\\}"

echo "# where the $kills kills landed:"
cut -f2 "$T/points" | sort | uniq -c | sort -rn | sed 's/^/#   /'
expect_eq "every kill reached certbind.exe's own process" "$kills" \
    "$((2 * KILLS))"
expect_eq "no binding lost" "$lost" 0
expect_eq "no wrong certificate bound" "$wrong" 0

stress_row "$SECTION" "cases tried" "$cases"
stress_row "$SECTION" "faults injected" 0
stress_row "$SECTION" "kills" "$kills"
stress_row "$SECTION" "bindings lost" "$lost"
stress_row "$SECTION" "wrong certificates bound" "$wrong"
stress_row "$SECTION" "bindings per rotation" "$N"
stress_row "$SECTION" "kills landed inside a stand-in call" "$inside"
cut -f2 "$T/points" | sort | uniq -c | sort -rn |
    while read -r n where; do
	    stress_row "$SECTION" "kills landed: $where" "$n"
    done
tap_end
