#!/usr/bin/env bash
# test_init.sh - `certbind init` under Wine: on a server with a dozen
# records of every kind and option, the policy it writes loads, and
# `certbind plan` on it changes nothing except where a better certificate
# is already in the store; a record whose certificate is gone is a
# comment with the reason; an existing file is replaced only with --force.
. "$(dirname "$0")/lib.sh"
suite_prefix

SERVER=tests/integration/policies/init-server.yaml
DIR=build/test/init
OUT=$DIR/policy.yaml

# One certificate per name; seven.example.test in WebHosting.
make_server() {
	local n gone
	for n in one two three four five six eight ten eleven twelve; do
		certmk add --cn $n.example.test --dns $n.example.test \
		    --not-after 30 >/dev/null
	done
	certmk --store WebHosting add --cn seven.example.test \
	    --dns seven.example.test --not-after 30 >/dev/null
	certbind apply --config $SERVER >/dev/null 2>&1
	gone=$(bound_hash 0.0.0.0:9451)
	certmk del "$gone" >/dev/null
	echo "$gone"
}

test_round_trip() {
	local gone better out rc json
	reset_state
	rm -rf "$DIR"
	mkdir -p "$DIR"
	gone=$(make_server)
	expect_eq "the server has twelve records" \
	    "$(for k in "$SSLKEY" "$SNIKEY" "$CCSKEY"; do wine reg query "$k"; done 2>/dev/null |
	    tr -d '\r' | grep -c '^HKEY.*:[0-9]*$')" 12
	better=$(certmk add --cn ten.example.test --dns ten.example.test \
	    --not-after 90)

	out=$(certbind init --out $OUT 2>&1); rc=$?
	expect_eq "init exits 0" "$rc" 0
	expect_match "init says what it wrote" "$out" \
	    "^$OUT: a policy with 11 bindings, 1 record left out as comments"
	out=$(certbind check --config $OUT 2>&1); rc=$?
	expect_eq "the written policy is valid" "$rc" 0
	expect_match "it declares eleven bindings" "$out" "valid policy with 11 bindings"
	expect_match "the record whose certificate is gone is a comment, with why" \
	    "$(cat $OUT)" \
	    "^  # left out: 0.0.0.0:9451: certificate $gone is not in LocalMachine.x5cMy"
	expect_match "... and its binding is there, commented out" "$(cat $OUT)" \
	    "^  #   endpoint: \"0.0.0.0:9451\""
	expect_match "the AppId is kept" "$(cat $OUT)" \
	    "app_id: \"\\{11111111-2222-3333-4444-555555555555\\}\""
	expect_match "the CTL identifier is quoted and escaped" "$(cat $OUT)" \
	    "ssl_ctl_identifier: \"Partners \\\\\"CTL\\\\\" # x: y \\\\\\\\ z\""

	json=$(certbind plan --json --config $OUT 2>&1); rc=$?
	expect_eq "plan on it: changes pending (one better certificate)" "$rc" 2
	json=$(printf '%s' "$json" | tr -d '\r\n ')
	expect_eq "plan: ten records need nothing" \
	    "$(printf '%s' "$json" | grep -o '"action":"none"' | wc -l)" 10
	expect_match "plan: the renewed one moves to the better certificate" \
	    "$json" "\"endpoint\":\"0.0.0.0:9450\",\"kind\":\"ip\",\"action\":\"update-hash\".*\"chosen\":\\{\"thumbprint\":\"$better\""
	expect_eq "plan: no conflict, no other change" \
	    "$(printf '%s' "$json" | grep -o '"action":"[a-z-]*"' | sort | uniq -c |
	    awk '{ printf "%s %s; ", $1, $2 }')" \
	    '10 "action":"none"; 1 "action":"update-hash"; '
	out=$(certbind plan --config $OUT 2>&1)
	expect_match "plan names the SNI record by its host" "$out" \
	    "^sni-five.example.test-9445 \\(five.example.test:9445\\): holds "

	# An existing file: refused, unchanged; --force replaces it whole.
	echo "keep me" >$OUT
	out=$(certbind init --out $OUT 2>&1); rc=$?
	expect_eq "init over an existing file exits 1" "$rc" 1
	expect_match "init says the file exists" "$out" "$OUT exists; nothing was written \\(--force replaces it\\)"
	expect_eq "the existing file is unchanged" "$(cat $OUT)" "keep me"
	out=$(certbind init --out $OUT --force 2>&1); rc=$?
	expect_eq "init --force exits 0" "$rc" 0
	expect_match "init --force replaced the file" "$(head -1 $OUT)" \
	    "^# A policy written by 'certbind init'"
	expect_eq "no temporary file is left" "$(ls $DIR)" "policy.yaml"
	out=$(certbind init 2>/dev/null | head -4 | tail -1); rc=$?
	expect_eq "without --out the policy is printed" "$(printf '%s' "$out" | tr -d '\r')" "version: 1"
}

test_round_trip
tap_end
