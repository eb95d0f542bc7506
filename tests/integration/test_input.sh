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

test_config_directory
tap_end
