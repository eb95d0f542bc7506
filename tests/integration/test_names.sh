#!/usr/bin/env bash
# test_names.sh - certificate names that hold a NUL, under Wine, end to end.
#
# A CN "good.example.test\0.evil.test" (no SAN) or such a SAN dNSName must
# never be bound for good.example.test, and `certs` must show the whole
# name with the NUL escaped, not a name cut at the NUL.
. "$(dirname "$0")/lib.sh"
suite_prefix

POLICY=tests/integration/policies/good-name.yaml
EP=0.0.0.0:8444

test_nul_in_cn() {
	local t out rc
	reset_state
	t=$(certmk add --raw-cn 'good.example.test\0.evil.test' --not-after 30)
	out=$(certbind apply --config $POLICY 2>&1); rc=$?
	expect_eq "NUL in the CN: apply exits 0" "$rc" 0
	expect_eq "NUL in the CN: nothing is bound for good.example.test" \
	    "$(bound_hash $EP)" ""
	expect_match "NUL in the CN: apply says no certificate qualifies" \
	    "$(printf '%s\n' "$out" | tr -d '\r')" \
	    'good \(0\.0\.0\.0:8444\): no certificate in LocalMachine\\My qualifies for good\.example\.test; nothing is bound$'
	out=$(certbind certs --config $POLICY 2>&1)
	expect_match "NUL in the CN: certs shows the CN whole, escaped" "$out" \
	    'good\.example\.test\\x00\.evil\.test \(CN; no SAN dNSName\)'
	expect_match "NUL in the CN: certs shows the subject escaped" "$out" \
	    'CN=good\.example\.test\\x00\.evil\.test'
	out=$(certbind certs --json --config $POLICY 2>&1)
	expect_match "NUL in the CN: certs --json shows the CN escaped" "$out" \
	    '"cn": "good\.example\.test\\\\x00\.evil\.test"'
	expect_match "NUL in the CN: certs lists the certificate" "$out" "$t"
}

test_nul_in_san() {
	local out
	reset_state
	certmk add --cn good.example.test \
	    --raw-dns 'good.example.test\0.evil.test' --not-after 30 >/dev/null
	certbind apply --config $POLICY >/dev/null 2>&1
	expect_eq "NUL in a SAN dNSName: nothing is bound" "$(bound_hash $EP)" ""
	out=$(certbind certs --config $POLICY 2>&1)
	expect_match "NUL in a SAN dNSName: certs shows it whole, escaped" \
	    "$out" 'good\.example\.test\\x00\.evil\.test'
}

# The same CN without the NUL is bound: the test above fails for the NUL.
test_plain_cn() {
	local t
	reset_state
	t=$(certmk add --raw-cn 'good.example.test' --not-after 30)
	certbind apply --config $POLICY >/dev/null 2>&1
	expect_eq "a plain raw CN is bound" "$(bound_hash $EP)" "$t"
}

test_nul_in_cn
test_nul_in_san
test_plain_cn
tap_end
