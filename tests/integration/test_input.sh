#!/usr/bin/env bash
# test_input.sh - how certbind.exe words bad input it is given on the
# command line, under Wine.
. "$(dirname "$0")/lib.sh"
suite_prefix

# --config naming a directory says so, not "Permission denied".
test_config_directory() {
	local out rc
	out=$(certbind check --config tests/integration/policies 2>&1); rc=$?
	expect_eq "--config DIR: check exits 1" "$rc" 1
	expect_match "--config DIR: says it is a directory" "$out" \
	    "tests/integration/policies: is a directory, not a policy file"
	out=$(certbind plan --config tests/integration/policies 2>&1)
	expect_match "--config DIR: plan says the same" "$out" \
	    "is a directory, not a policy file"
}

# check notes the restarts and key access a valid policy asks for (of
# services Wine has: check refuses one this machine does not have, see
# test_restart.sh), and points at a hostile service name by line and
# column.
test_check_restarts() {
	local out rc p=$TMP/restarts.yaml
	mkdir -p "$TMP"
	printf '%s\n' 'version: 1' \
	    'defaults: {restart_window: "02:00-04:00"}' 'bindings:' \
	    '  - name: wmsvc' '    endpoint: 0.0.0.0:8172' \
	    '    match: {dns: web01.example.test}' \
	    '    restart_services: [PlugPlay, RpcSs]' \
	    '    key_access: [inherit, "NT AUTHORITY\\LOCAL SERVICE"]' >"$p"
	out=$(certbind check --config "$p" 2>&1); rc=$?
	expect_eq "check restarts: exits 0" "$rc" 0
	expect_match "check restarts: notes the services and the window" \
	    "$out" "^note: binding 'wmsvc' restarts PlugPlay and RpcSs after a change, in window 02:00-04:00 \\(local time\\)"
	expect_match "check restarts: notes the accounts" "$out" \
	    "^note: binding 'wmsvc' gives read access to the private key of each new certificate to NT AUTHORITY.LOCAL SERVICE and the accounts allowed on the key it held before"
	printf '%s\n' 'version: 1' 'bindings:' '  - name: a' \
	    '    endpoint: 0.0.0.0:443' '    match: {dns: a.test}' \
	    '    restart_services: [W3SVC, "..\\W3SVC"]' >"$p"
	out=$(certbind check --config "$p" 2>&1); rc=$?
	expect_eq "check bad service name: exits 1" "$rc" 1
	expect_match "check bad service name: line and column" "$out" \
	    ":6:31: service name '...W3SVC' in restart_services holds '/' or"
}

TMP=build/tmp/test_input
test_config_directory
test_check_restarts
tap_end
