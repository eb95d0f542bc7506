#!/usr/bin/env bash
# test_metrics.sh - service.metrics_file: certbind never writes over the
# policy or any file it did not create, handles paths longer than
# MAX_PATH whole, reports a failed write to the Event Log, and reports
# what HTTP.sys holds.
. "$(dirname "$0")/lib.sh"
suite_prefix

TMP=build/tmp/test_metrics
rm -rf "$TMP"
mkdir -p "$TMP"
WTMP="Z:$(pwd -P | tr / '\\')\\build\\tmp\\test_metrics"
POLICY=$TMP/policy.yaml
EP=0.0.0.0:8443

add_api() { certmk add --cn api.example.test --dns api.example.test "$@"; }

# write_policy FILE METRICS: a policy whose metrics file is METRICS (as
# Windows spells it).
write_policy() {
	{
		printf 'version: 1\n'
		printf 'service:\n  resync_interval: 1h\n  debounce: 50ms\n'
		printf "  metrics_file: '%s'\n" "$2"
		printf 'bindings:\n  - name: api\n    endpoint: %s\n' "$EP"
		printf '    match: { dns: api.example.test }\n'
	} >"$1"
}

logged() { tr -d '\r' <"$TMP/run.err" | grep -Eq -- "$1"; }

RUN_PID=
run_start() {   # run_start POLICY: certbind run, Event Log calls shown
	WINEDEBUG=-all,+eventlog wine "$BIN/certbind.exe" run --config "$1" \
	    >"$TMP/run.out" 2>"$TMP/run.err" &
	RUN_PID=$!
	wait_for 10 logged '^certbind\[1\] information' ||
	    not_ok "run: started" "$(tail -5 "$TMP/run.err")"
}
run_stop() {
	kill -INT "$RUN_PID" 2>/dev/null
	wait_for 10 sh -c "! kill -0 $RUN_PID 2>/dev/null" || kill "$RUN_PID"
	wait "$RUN_PID" 2>/dev/null
}

# check refuses a metrics file that is, or would replace, the policy.
test_check_refuses() {
	local out rc what m
	write_policy "$POLICY" "$WTMP\\policy.yaml"
	out=$(certbind check --config "$POLICY" 2>&1); rc=$?
	expect_eq "check: metrics_file = the policy file exits 1" "$rc" 1
	expect_match "check: and says why, at FILE:LINE:COL" "$out" \
	    "policy.yaml:5:17: service.metrics_file is the policy file itself"
	for m in "$WTMP/POLICY.YAML" "$WTMP\\sub\\..\\.\\policy.yaml. " \
	    "\\\\?\\$WTMP\\policy.yaml" "$WTMP\\policy.yaml::\$DATA"; do
		write_policy "$POLICY" "$m"
		out=$(certbind check --config "$POLICY" 2>&1); rc=$?
		expect_eq "check: metrics_file '$m' is refused" "$rc" 1
	done
	# What only the file system knows: a hard link to the policy.
	ln "$POLICY" "$TMP/link.prom"
	write_policy "$POLICY" "$WTMP\\link.prom"
	ln -f "$POLICY" "$TMP/link.prom"
	out=$(certbind check --config "$POLICY" 2>&1); rc=$?
	expect_eq "check: a hard link to the policy is refused" "$rc" 1
	expect_match "check: as the policy file under another name" "$out" \
	    "service.metrics_file is the policy file itself, under another name"
	rm -f "$TMP/link.prom"
	mkdir -p "$TMP/folder.prom"
	write_policy "$POLICY" "$WTMP\\folder.prom"
	out=$(certbind check --config "$POLICY" 2>&1); rc=$?
	expect_eq "check: a folder is refused" "$rc" 1
	expect_match "check: as a folder" "$out" "service.metrics_file is a folder"
	write_policy "$POLICY" "$WTMP\\certbind.prom"
	out=$(certbind check --config "$POLICY" 2>&1); rc=$?
	expect_eq "check: a metrics file beside the policy is fine" "$rc" 0
	# The service refuses such a policy too: nothing is written over it.
	write_policy "$POLICY" "$WTMP\\policy.yaml"
	cp "$POLICY" "$TMP/policy.copy"
	out=$(WINEDEBUG=-all timeout 20 wine "$BIN/certbind.exe" run \
	    --config "$POLICY" 2>&1); rc=$?
	expect_eq "run: refuses to start with it" "$rc" 1
	if cmp -s "$POLICY" "$TMP/policy.copy"; then
		ok "run: the policy file is left as it was"
	else
		not_ok "run: the policy file is left as it was" "$(head -3 "$POLICY")"
	fi
}

# At run time certbind replaces only a file it wrote.
test_foreign_file() {
	local a
	reset_state
	a=$(add_api --not-after 30)
	printf 'precious\n' >"$TMP/certbind.prom"
	write_policy "$POLICY" "$WTMP\\certbind.prom"
	run_start "$POLICY"
	if wait_for 10 logged '^certbind\[227\] warning: .*certbind.prom was not written'; then
		ok "metrics: a file certbind did not write is reported (event 227)"
	else
		not_ok "metrics: a file certbind did not write is reported (event 227)" \
		    "$(tail -5 "$TMP/run.err")"
	fi
	expect_eq "metrics: and left as it was" "$(cat "$TMP/certbind.prom")" precious
	expect_eq "metrics: the binding is made all the same" "$(bound_hash $EP)" "$a"
	run_stop
	rm -f "$TMP/certbind.prom"
	printf 'precious\n' >"$TMP/certbind.prom.tmp"
	run_start "$POLICY"
	wait_for 10 logged '^certbind\[227\] warning'
	expect_eq "metrics: a foreign FILE.tmp is left as it was too" \
	    "$(cat "$TMP/certbind.prom.tmp")" precious
	expect_eq "metrics: and the file is not written through it" \
	    "$(test -e "$TMP/certbind.prom" && echo exists)" ""
	run_stop
	rm -f "$TMP/certbind.prom.tmp"
	run_start "$POLICY"
	if wait_for 10 test -s "$TMP/certbind.prom"; then
		ok "metrics: written where nothing was"
	else
		not_ok "metrics: written where nothing was" "$(tail -5 "$TMP/run.err")"
	fi
	expect_eq "metrics: its first line marks it as certbind's" \
	    "$(head -1 "$TMP/certbind.prom" | tr -d '\r')" "# certbind metrics file"
	run_stop
	echo 'certbind_reconciles_total 0' >>"$TMP/certbind.prom"
	before=$(grep -c . "$TMP/certbind.prom")
	run_start "$POLICY"
	if wait_for 10 sh -c "[ \$(grep -c . '$TMP/certbind.prom') -lt $before ]"; then
		ok "metrics: a file certbind wrote is replaced"
	else
		not_ok "metrics: a file certbind wrote is replaced"
	fi
	run_stop
}

# A metrics path longer than MAX_PATH is written whole, and no file with
# the path cut short is created or replaced.
test_long_path() {
	local d w cut
	reset_state
	add_api --not-after 30 >/dev/null
	d="$TMP/$(printf 'a%.0s' $(seq 100))/$(printf 'b%.0s' $(seq 100))"
	mkdir -p "$d"
	w="$WTMP\\$(printf 'a%.0s' $(seq 100))\\$(printf 'b%.0s' $(seq 100))"
	w="$w\\$(printf 'm%.0s' $(seq 80)).prom"
	# What the old fixed buffer (MAX_PATH + 8) kept of "PATH.tmp".
	cut=$(printf '%s' "$w" | cut -c1-267)
	cut="$d/${cut##*\\}"
	printf 'precious\n' >"$cut"
	write_policy "$POLICY" "$w"
	run_start "$POLICY"
	if wait_for 10 test -s "$d/$(printf 'm%.0s' $(seq 80)).prom"; then
		ok "long path: a ${#w}-character metrics path is written whole"
	else
		not_ok "long path: a ${#w}-character metrics path is written whole" \
		    "$(tail -5 "$TMP/run.err")"
	fi
	expect_eq "long path: the file named by the path cut short is untouched" \
	    "$(cat "$cut" 2>/dev/null)" precious
	expect_eq "long path: no other file appears" "$(ls "$d" | wc -l)" 2
	run_stop
}

# A failed write reaches the Event Log with its own ID.
test_write_fails() {
	reset_state
	add_api --not-after 30 >/dev/null
	write_policy "$POLICY" "$WTMP\\no such folder\\certbind.prom"
	run_start "$POLICY"
	if wait_for 10 logged 'warn:eventlog:ReportEventW L"cannot write .*certbind.prom'; then
		ok "metrics: a failed write goes to the Event Log"
	else
		not_ok "metrics: a failed write goes to the Event Log" \
		    "$(tail -5 "$TMP/run.err")"
	fi
	expect_match "metrics: as event 226" "$(tr -d '\r' <"$TMP/run.err")" \
	    '^certbind\[226\] warning: cannot write'
	run_stop
}

# After a failed Update the metrics give the NotAfter of the certificate
# the record still holds, not of the one certbind failed to bind.
test_failed_update() {
	local a b now got
	reset_state
	a=$(add_api --not-after 30)
	write_policy "$POLICY" "$WTMP\\certbind.prom"
	rm -f "$TMP/certbind.prom"
	run_start "$POLICY"
	wait_for 10 test -s "$TMP/certbind.prom"
	fault Update "1 5"
	b=$(add_api --not-after 95)
	wait_for 10 logged "^certbind\\[302\\] error: api: HttpUpdateServiceConfiguration failed"
	wait_for 10 sh -c "grep -q '^certbind_errors_total [1-9]' '$TMP/certbind.prom'"
	expect_eq "failed update: the record still holds A" "$(bound_hash $EP)" "$a"
	now=$(date +%s)
	got=$(tr -d '\r' <"$TMP/certbind.prom" |
	    awk '$1 == "certbind_certificate_not_after_seconds{binding=\"api\"}" { print $2 }')
	if [ -n "$got" ] && [ $(( (got - now) / 86400 )) -ge 29 ] &&
	    [ $(( (got - now) / 86400 )) -le 30 ]; then
		ok "failed update: metrics give A's NotAfter, 30 days away"
	else
		not_ok "failed update: metrics give A's NotAfter, 30 days away" \
		    "got $got, $(( (${got:-0} - now) / 86400 )) days away"
	fi
	expect_eq "failed update: and the binding is not as planned" \
	    "$(tr -d '\r' <"$TMP/certbind.prom" | awk '$1 == "certbind_binding_as_planned{binding=\"api\"}" { print $2 }')" 0
	run_stop
}

test_check_refuses
test_foreign_file
test_long_path
test_write_fails
test_failed_update
tap_end
