#!/usr/bin/env bash
# test_output.sh - certbind writes its output whole: a report, or the
# lines said before a wait, in one write, into a pipe or a file; and
# stdout and stderr sent to one place keep the order of their lines.
#
# The writes are counted with strace: under Wine a WriteFile on a pipe or
# a file is one write(2) by the wine process, on a descriptor that
# strace -y names by its path.  Nothing here measures time.
. "$(dirname "$0")/lib.sh"
suite_prefix

TMP=build/tmp/test_output
rm -rf "$TMP"
mkdir -p "$TMP"
ABS=$(cd "$TMP" && pwd -P)
N=20
MOST=2          # writes allowed for everything one stream says here

# A policy of N bindings on ports 8001.. for one name.
policy() {
	local i
	printf 'version: 1\nbindings:\n'
	for i in $(seq 1 $N); do
		printf '  - name: b%d\n    endpoint: 0.0.0.0:%d\n' "$i" $((8000 + i))
		printf '    match: { dns: out.example.test }\n'
	done
}

# traced NAME OUT ERR ARGS...: certbind ARGS under strace, its stdout to
# OUT and its stderr to ERR ("=" for where stdout goes); OUT "|" is a
# pipe (a FIFO, read into $TMP/NAME.pipe); the trace is $TMP/NAME.trace.
traced() {
	local name=$1 out=$2 err=$3 reader=
	shift 3
	if [ "$out" = "|" ]; then
		out=$ABS/$name.fifo
		mkfifo "$out"
		cat "$out" >"$TMP/$name.pipe" &
		reader=$!
	fi
	if [ "$err" = "=" ]; then
		strace -f -qq -y -e trace=write -o "$TMP/$name.trace" \
		    wine "$BIN/certbind.exe" "$@" >"$out" 2>&1
	else
		strace -f -qq -y -e trace=write -o "$TMP/$name.trace" \
		    wine "$BIN/certbind.exe" "$@" >"$out" 2>"$err"
	fi
	[ -z "$reader" ] || wait "$reader"
}

# writes NAME PATH: the write(2) calls of run NAME that reached PATH.
writes() { grep -c "^[0-9]* *write([0-9]*<$1>" "$TMP/$2.trace"; }

# lines FILE: its lines, without the CR of CRLF.
lines() { tr -d '\r' <"$1" | grep -c .; }

# expect_few WHAT COUNT LINES: COUNT writes carried LINES lines.
expect_few() {
	if [ "$3" -ge "$N" ] && [ "$2" -ge 1 ] && [ "$2" -le "$MOST" ]; then
		ok "$1: $3 lines in $2 write(s)"
	else
		not_ok "$1: $3 lines in $2 write(s), want at least $N lines" \
		    "in 1 to $MOST writes"
	fi
}

# in_order FILE: b1's info line, then its warning, then b2's, ...
in_order() {
	local want got
	want=$(for i in $(seq 1 $N); do
		printf 'b%d: holds\nb%d: warning\n' "$i" "$i"; done)
	got=$(tr -d '\r' <"$1" | sed -n \
	    -e 's/^\(b[0-9]*\): .* already holds .*/\1: holds/p' \
	    -e 's/^\(b[0-9]*\): certificate .* expires .*/\1: warning/p')
	[ "$got" = "$want" ]
}

test_output() {
	if ! command -v strace >/dev/null; then
		not_ok "strace is installed (build-aux/bootstrap.sh)"
		return
	fi
	reset_state
	policy >"$TMP/policy.yaml"
	# Expires in 20 days: each binding also gets a warning on stderr.
	certmk add --cn out.example.test --dns out.example.test \
	    --not-after 20 >/dev/null
	certmk add --cn out.example.test --dns out.example.test \
	    --not-after 10 >/dev/null

	traced plan-pipe "|" "$ABS/plan-pipe.err" plan --explain \
	    --config "$TMP/policy.yaml"
	expect_few "plan --explain into a pipe" \
	    "$(writes "$ABS/plan-pipe.fifo" plan-pipe)" \
	    "$(lines "$TMP/plan-pipe.pipe")"
	traced plan-file "$ABS/plan-file.out" "$ABS/plan-file.err" plan \
	    --explain --config "$TMP/policy.yaml"
	expect_few "plan --explain into a file" \
	    "$(writes "$ABS/plan-file.out" plan-file)" \
	    "$(lines "$TMP/plan-file.out")"
	expect_eq "the same report either way" \
	    "$(tr -d '\r' <"$TMP/plan-file.out" | sed 's/in [0-9]* days/DAYS/')" \
	    "$(tr -d '\r' <"$TMP/plan-pipe.pipe" | sed 's/in [0-9]* days/DAYS/')"

	# apply says a line per binding on stdout and a warning on stderr.
	traced apply-pipe "|" "$ABS/apply-pipe.err" apply \
	    --config "$TMP/policy.yaml"
	expect_few "apply into a pipe, stdout" \
	    "$(writes "$ABS/apply-pipe.fifo" apply-pipe)" \
	    "$(lines "$TMP/apply-pipe.pipe")"
	expect_few "apply into a pipe, stderr into a file" \
	    "$(writes "$ABS/apply-pipe.err" apply-pipe)" \
	    "$(lines "$TMP/apply-pipe.err")"
	expect_eq "apply created every binding" \
	    "$(tr -d '\r' <"$TMP/apply-pipe.pipe" | grep -c '^b[0-9]*: created ')" "$N"

	# stdout and stderr into one file: one place, in order.
	traced apply-both "$ABS/apply-both.out" = apply \
	    --config "$TMP/policy.yaml"
	expect_few "apply, stdout and stderr into one file" \
	    "$(writes "$ABS/apply-both.out" apply-both)" \
	    "$(lines "$TMP/apply-both.out")"
	if in_order "$TMP/apply-both.out"; then
		ok "stdout and stderr into one file keep the order of lines"
	else
		not_ok "stdout and stderr into one file keep the order of lines" \
		    "$(head -4 "$TMP/apply-both.out")"
	fi

	# Into one pipe, which Wine cannot tell is one: still in order.
	traced apply-both-pipe "|" = apply --config "$TMP/policy.yaml"
	if in_order "$TMP/apply-both-pipe.pipe"; then
		ok "stdout and stderr into one pipe keep the order of lines"
	else
		not_ok "stdout and stderr into one pipe keep the order of lines" \
		    "$(head -4 "$TMP/apply-both-pipe.pipe")"
	fi
	expect_eq "every line arrived" "$(lines "$TMP/apply-both-pipe.pipe")" \
	    $((2 * N))
}

test_output
tap_end
