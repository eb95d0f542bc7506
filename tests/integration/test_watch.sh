#!/usr/bin/env bash
# test_watch.sh - `certbind run` keeps watching the policy when its folder
# is deleted and made again, or renamed away and replaced: it says the
# watch was lost (event 228), looks for the folder again, says when it is
# back (event 11), and from then on applies edits of the policy.
. "$(dirname "$0")/lib.sh"
suite_prefix

TMP=build/tmp/test_watch
rm -rf "$TMP"
mkdir -p "$TMP/policy"
POLICY=$TMP/policy/policy.yaml
EP=0.0.0.0:8443

add_api() { certmk add --cn api.example.test --dns api.example.test "$@"; }

write_policy() {   # write_policy [option line]
	{
		printf 'version: 1\n'
		printf 'service:\n  resync_interval: 1h\n  debounce: 50ms\n'
		printf 'bindings:\n  - name: api\n    endpoint: %s\n' "$EP"
		printf '    match: { dns: api.example.test }\n'
		[ -n "${1:-}" ] && printf '    options: { %s }\n' "$1"
	} >"$POLICY"
}

logged() { tr -d '\r' <"$TMP/run.err" | grep -Eq -- "$1"; }
count() { tr -d '\r' <"$TMP/run.err" | grep -Ec -- "$1"; }
flags_are() { [ "$(reg_value $EP DefaultFlags)" = "$1" ]; }

# expect_soon WHAT SECONDS COMMAND...
expect_soon() {
	local what=$1
	shift
	if wait_for "$@"; then ok "$what"
	else not_ok "$what" "$(tail -4 "$TMP/run.err")"; fi
}

test_folder_comes_back() {
	local pid
	reset_state
	add_api --not-after 30 >/dev/null
	write_policy
	WINEDEBUG=-all wine "$BIN/certbind.exe" run --config "$POLICY" \
	    >"$TMP/run.out" 2>"$TMP/run.err" &
	pid=$!
	expect_soon "run: started" 10 logged '^certbind\[1\] information'
	expect_soon "run: the binding is made" 10 flags_are 0x0

	rm -rf "$TMP/policy"
	expect_soon "deleted folder: the lost watch is reported (event 228)" 10 \
	    logged '^certbind\[228\] warning: the folder of .*policy.yaml was deleted'
	mkdir -p "$TMP/policy"
	write_policy 'disable_http2: true'
	expect_soon "deleted folder: its return is reported (event 11)" 10 \
	    logged '^certbind\[11\] information: the folder of .*policy.yaml is back'
	expect_soon "deleted folder: the policy in the new folder is applied" 10 \
	    flags_are 0x10
	write_policy 'disable_http2: true, reject: true'
	expect_soon "deleted folder: a later edit is applied too" 10 flags_are 0x18

	mv "$TMP/policy" "$TMP/policy.old"
	mkdir -p "$TMP/policy"
	write_policy 'disable_http2: false, reject: true'
	# Renaming a folder changes nothing in it, so its watch stays quiet;
	# the next wake-up of any kind (here a certificate) finds it out.
	add_api --not-after 20 >/dev/null
	expect_soon "replaced folder: the lost watch is reported at the next wake-up" 10 \
	    eval '[ "$(count "^certbind\\[228\\] warning")" -ge 2 ]'
	expect_soon "replaced folder: the new folder's policy is applied" 10 \
	    flags_are 0x8
	write_policy 'disable_http2: false, reject: false'
	expect_soon "replaced folder: a later edit is applied too" 10 flags_are 0x0
	rm -rf "$TMP/policy.old"

	kill -INT "$pid"
	wait_for 10 sh -c "! kill -0 $pid 2>/dev/null" || kill "$pid"
	wait "$pid"
	expect_eq "run: exit status 0 after Ctrl+C" "$?" 0
}

test_folder_comes_back
tap_end
