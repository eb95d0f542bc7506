#!/usr/bin/env bash
# test_apply.sh - certbind.exe apply/check under Wine, end to end.
. "$(dirname "$0")/lib.sh"
suite_prefix

POLICY=tests/integration/policies/api.yaml
EP=0.0.0.0:8443
APPID=5A3F1D9C2E6B8F4EA0C47D2B95E1F3C6

add_api() {   # add_api [certmk options]: a certificate for api.example.test
	certmk add --cn api.example.test --dns api.example.test "$@"
}

# The rotation story: A, then a renewal B, then a crowd of certificates
# that must not win for one reason each.
test_rotation() {
	local a b out rc
	reset_state
	a=$(add_api --not-after 30)
	out=$(WINEDEBUG=-all,+eventlog certbind apply --config $POLICY 2>&1); rc=$?
	expect_eq "apply with A exits 0" "$rc" 0
	expect_eq "the record holds A" "$(bound_hash $EP)" "$a"
	expect_eq "a new record carries certbind's AppId" \
	    "$(reg_value $EP AppId)" "$APPID"
	expect_eq "a new record names store MY" "$(reg_value $EP SslCertStoreName)" MY
	expect_match "apply says it created the binding" "$out" \
	    "^api: created $EP with $a \\(CN=api.example.test, expires "
	expect_match "the creation goes to the Event Log" "$out" \
	    "eventlog:ReportEventW L\"api: created $EP with $a"

	b=$(add_api --not-after 60)
	out=$(certbind apply --config $POLICY 2>&1); rc=$?
	expect_eq "apply with renewal B exits 0" "$rc" 0
	expect_eq "the record moved to B" "$(bound_hash $EP)" "$b"
	expect_match "apply says it updated A to B" "$out" \
	    "^api: updated $EP from $a to $b"

	add_api --not-before -90 --not-after -1 >/dev/null           # C expired
	add_api --not-before 1 --not-after 90 >/dev/null             # D not yet valid
	add_api --not-after 90 --no-key >/dev/null                   # E keyless
	add_api --not-after 90 --eku client >/dev/null               # F clientAuth only
	certmk add --cn other.example.test --dns other.example.test \
	    --not-after 90 >/dev/null                                # G other name
	out=$(certbind apply --config $POLICY 2>&1); rc=$?
	expect_eq "apply among C..G exits 0" "$rc" 0
	expect_eq "none of C..G displaces B" "$(bound_hash $EP)" "$b"
	expect_match "apply says B is already bound" "$out" \
	    "^api: $EP already holds $b"
}

# Without a qualifying certificate nothing is created and nothing removed.
test_no_candidate() {
	local a out rc
	reset_state
	add_api --not-before -90 --not-after -2 >/dev/null
	add_api --not-after 90 --no-key >/dev/null
	out=$(certbind apply --config $POLICY 2>&1); rc=$?
	expect_eq "no candidate: apply exits 0" "$rc" 0
	expect_eq "no candidate: no record is created" "$(bound_hash $EP)" ""
	expect_match "no candidate: apply says so" "$out" \
	    "^api \\($EP\\): no certificate in LocalMachine\\\\My qualifies for api.example.test; nothing is bound"
	expect_match "no candidate: each certificate's reason is given" "$out" \
	    "^  [0-9A-F]{40}: expired [0-9]{4}-[0-9]{2}-[0-9]{2}"
	expect_match "no candidate: the keyless one is named" "$out" \
	    "^  [0-9A-F]{40}: no private key"

	a=$(add_api --not-after 30)
	certbind apply --config $POLICY >/dev/null 2>&1
	certmk del "$a" >/dev/null
	out=$(certbind apply --config $POLICY 2>&1); rc=$?
	expect_eq "certificate gone: apply exits 0" "$rc" 0
	expect_eq "certificate gone: the record is kept, not removed" \
	    "$(bound_hash $EP)" "$a"
}

# A bad policy is reported with its position and changes nothing.
test_bad_policy() {
	local a out rc
	reset_state
	a=$(add_api --not-after 30)
	certbind apply --config $POLICY >/dev/null 2>&1
	add_api --not-after 60 >/dev/null
	out=$(WINEDEBUG=-all,+eventlog certbind apply \
	    --config tests/integration/policies/broken.yaml 2>&1); rc=$?
	expect_eq "bad policy: apply exits 1" "$rc" 1
	expect_match "bad policy: FILE:LINE:COL on stderr" "$out" \
	    "^tests/integration/policies/broken.yaml:4:5: unknown key 'endpont' in a binding \\(did you mean 'endpoint'\\?\\)"
	expect_match "bad policy: reported to the Event Log as an error" "$out" \
	    "err:eventlog:ReportEventW L\"tests/integration/policies/broken.yaml:4:5"
	expect_eq "bad policy: the binding is unchanged" "$(bound_hash $EP)" "$a"

	out=$(certbind check --config tests/integration/policies/broken.yaml 2>&1); rc=$?
	expect_eq "check on a bad policy exits 1" "$rc" 1
	expect_match "check prints FILE:LINE:COL" "$out" \
	    "^tests/integration/policies/broken.yaml:4:5: unknown key"
	out=$(certbind check --config $POLICY 2>&1); rc=$?
	expect_eq "check on a good policy exits 0" "$rc" 0
	out=$(certbind check --config tests/integration/policies/missing.yaml 2>&1); rc=$?
	expect_eq "check on a missing file exits 1" "$rc" 1
	expect_match "check names the missing file" "$out" \
	    "^tests/integration/policies/missing.yaml: cannot open: No such file"
}

# An existing record (made by netsh, say) belongs to another AppId: it is
# left alone unless the binding says takeover, and then keeps every field
# but the hash.
test_read_modify_write() {
	local a b out rc k="$SSLKEY\\$EP"
	reset_state
	a=$(add_api --not-after 30)
	reg_put "$k" SslCertHash REG_BINARY "$a" \
	    AppId REG_BINARY 00112233445566778899AABBCCDDEEFF \
	    SslCertStoreName REG_SZ MY DefaultFlags REG_DWORD 2 \
	    DefaultSslRevocationFreshnessTime REG_DWORD 600 \
	    DefaultSslCtlStoreName REG_SZ CA
	b=$(add_api --not-after 60)
	out=$(WINEDEBUG=-all,+eventlog certbind apply --config $POLICY 2>&1); rc=$?
	expect_eq "conflict: apply exits 3" "$rc" 3
	expect_eq "conflict: the record is untouched" "$(bound_hash $EP)" "$a"
	expect_match "conflict: apply names the other AppId" "$out" \
	    "^api \\($EP\\): conflict: the record belongs to AppId \\{33221100-5544-7766-8899-aabbccddeeff\\}"
	expect_match "conflict: reported to the Event Log as a warning" "$out" \
	    "warn:eventlog:ReportEventW L\"api \\($EP\\): conflict"
	certbind apply --config tests/integration/policies/api-takeover.yaml \
	    >/dev/null 2>&1
	expect_eq "rotation: the hash moved to the renewal" "$(bound_hash $EP)" "$b"
	expect_eq "rotation: the operator's AppId is kept" \
	    "$(reg_value $EP AppId)" 00112233445566778899AABBCCDDEEFF
	expect_eq "rotation: the client-certificate flag is kept" \
	    "$(reg_value $EP DefaultFlags)" 0x2
	expect_eq "rotation: the revocation freshness is kept" \
	    "$(reg_value $EP DefaultSslRevocationFreshnessTime)" 0x258
	expect_eq "rotation: the CTL store is kept" \
	    "$(reg_value $EP DefaultSslCtlStoreName)" CA
}

test_cli() {
	local out rc
	out=$(certbind --help 2>&1); rc=$?
	expect_eq "--help exits 0" "$rc" 0
	expect_match "--help lists the commands" "$out" "^  apply --config FILE"
	out=$(certbind apply --help 2>&1); rc=$?
	expect_match "apply --help documents the exit status" "$out" "^exit status:"
	out=$(certbind frobnicate 2>&1); rc=$?
	expect_eq "an unknown command exits 1" "$rc" 1
	out=$(certbind apply 2>&1); rc=$?
	expect_eq "apply without --config exits 1" "$rc" 1
	expect_match "apply without --config says what is missing" "$out" \
	    "--config FILE is required"
	out=$(certbind version 2>&1); rc=$?
	expect_match "version prints the version" "$out" "^certbind [0-9]+\\.[0-9]+\\.[0-9]+"
	local c
	for c in apply plan status certs run check service; do
		out=$(certbind $c --help 2>&1); rc=$?
		expect_eq "$c --help exits 0" "$rc" 0
		expect_match "$c --help starts with its usage" "$out" "^usage: certbind $c"
	done
}

test_rotation
test_no_candidate
test_bad_policy
test_read_modify_write
test_cli
tap_end
