#!/usr/bin/env bash
# test_keyaccess.sh - key_access under Wine: account names resolved as
# LookupAccountNameW resolves them, read access given to a certificate's
# private key (CryptoAPI keys, which Wine 8's rsaenh keeps a DACL for),
# entries kept, inherit, and the failures that must stop a grant cleanly:
# an unknown account, a DACL that denies the account, a certificate with
# no key, and a CNG key, which Wine 8 cannot open (NCryptOpenKey is a
# stub there).  tests/tools/katest.c drives service/keyaccess.c.
. "$(dirname "$0")/lib.sh"
suite_prefix

katest() { wine "$BIN/katest.exe" "$@" | tr -d '\r'; return "${PIPESTATUS[0]}"; }
# key_sddl THUMB: the key's DACL, read by katest.  Once, under a loaded
# make check, a read of a key just made printed nothing, before anything
# was granted; a read that fails is tried again, and one that keeps
# failing gives katest's own error instead of nothing.
key_sddl() {
	local out i err=$ROOT/build/tmp/keyaccess/katest.err
	mkdir -p "${err%/*}"
	for i in 1 2 3; do
		if out=$(wine "$BIN/katest.exe" sddl "$1" 2>"$err" | tr -d '\r'
		    exit "${PIPESTATUS[0]}"); then
			printf '%s\n' "$out"
			return 0
		fi
		sleep 0.2
	done
	printf 'katest sddl failed: %s %s\n' "$out" "$(tr -d '\r' <"$err")"
	return 1
}
# certbind's output, both streams, and its own exit status.
cb() { certbind "$@" 2>&1 | tr -d '\r'; return "${PIPESTATUS[0]}"; }

# The SID of "NT SERVICE\NAME" computed here, apart from certbind: SHA-1
# of the upper-case UTF-16LE name as five little-endian numbers.
service_sid() {
	/usr/bin/python3 -c 'import hashlib, struct, sys
h = hashlib.sha1(sys.argv[1].upper().encode("utf-16-le")).digest()
print("S-1-5-80-" + "-".join(str(x) for x in struct.unpack("<5I", h)))' "$1"
}

SQL_SID=S-1-5-80-3880718306-3832830129-1677859214-2598158968-1052248003
TMP=$ROOT/build/tmp/keyaccess
mkdir -p "$TMP"

# policy FILE ACCOUNTS: a policy of one binding, ka, on 0.0.0.0:8451 for
# ka.example.test, its key_access list ACCOUNTS on line 7.
policy() {
	cat >"$1" <<-EOF
	# test_keyaccess.sh
	version: 1
	bindings:
	  - name: ka
	    endpoint: 0.0.0.0:8451
	    match: { dns: ka.example.test }
	    key_access: [$2]
	EOF
}
USER_SID=S-1-5-21-1004336348-1177238915-682003330-1001
READ='0x80120089'

# plain FILE: the same binding without key_access.
plain() { policy "$1" '' && sed -i '/key_access/d' "$1"; }

# One katest call resolves every name, one line each.
test_account_names() {
	local names=() wants=() got i
	while IFS='|' read -r name want; do
		names+=("$name")
		wants+=("$want")
	done <<-'EOF'
	NETWORK SERVICE|S-1-5-20
	NT AUTHORITY\NETWORK SERVICE|S-1-5-20
	network service|S-1-5-20
	NT AUTHORITY\NetworkService|S-1-5-20
	NT AUTHORITY\LocalService|S-1-5-19
	LocalSystem|S-1-5-18
	SYSTEM|S-1-5-18
	Administrators|S-1-5-32-544
	S-1-5-20|S-1-5-20
	s-1-5-32-544|S-1-5-32-544
	no-such-account-katest|error 0x00000534: .*
	S-1-5-x|error 0x00000539: .*
	BUILTIN|error 0x00000534: .*
	NT Service\no-such-service-katest|error 0x00000534: .*
	EOF
	mapfile -t got < <(katest sid "${names[@]}" "")
	for i in "${!names[@]}"; do
		expect_match "account '${names[$i]}' resolves to ${wants[$i]%%:*}" \
		    "${got[$i]}" "^${wants[$i]}\$"
	done
	# LookupAccountNameW gives the BUILTIN domain for "": refused first.
	expect_match "an empty name is ERROR_INVALID_NAME" "${got[${#names[@]}]}" \
	    '^error 0x0000007B'
}

# Service SIDs exist for installed services only, as on Windows.
test_service_accounts() {
	# A lane's prefix is shared: a MSSQLSERVER another suite made stays.
	if ! wine sc query MSSQLSERVER >/dev/null 2>&1; then
		wine sc create MSSQLSERVER binPath= 'C:\windows\system32\cmd.exe' \
		    >/dev/null 2>&1
		MADE_SQL=1
	fi
	wine sc create certbind-katest binPath= 'C:\windows\system32\cmd.exe' \
	    >/dev/null 2>&1
	expect_eq "NT Service\\MSSQLSERVER is its published SID" \
	    "$(katest sid 'NT Service\MSSQLSERVER')" "$SQL_SID"
	expect_eq "NT SERVICE\\certbind-katest is SHA-1 of its name" \
	    "$(katest sid 'NT SERVICE\certbind-katest')" \
	    "$(service_sid certbind-katest)"
	wine sc delete certbind-katest >/dev/null 2>&1
	expect_match "a service deleted has no SID" \
	    "$(katest sid 'NT SERVICE\certbind-katest')" '^error 0x00000534'
}

test_grant_keeps_entries() {
	local t before after
	reset_state
	t=$(certmk add --cn ka.example.test --not-after 30)
	before=$(key_sddl "$t")
	expect_match "a new key has a DACL" "$before" '^D:'
	expect_eq "grant NETWORK SERVICE" "$(katest grant "$t" 'NETWORK SERVICE')" ok
	after=$(key_sddl "$t")
	expect_match "the key gives NETWORK SERVICE read" "$after" \
	    "\\(A;;$READ;;;NS\\)"
	expect_eq "every entry the key had is kept, before the new one" \
	    "${after%(A;;$READ;;;NS)}" "$before"
	katest grant "$t" 'NT AUTHORITY\NETWORK SERVICE' >/dev/null
	expect_eq "a second grant changes nothing" "$(key_sddl "$t")" "$after"
	expect_eq "a SID given twice, once by name: one entry" \
	    "$(key_sddl "$t" | grep -o ';NS)' | wc -l)" 1
}

# Wine 8's rsaenh takes one write of a key container's DACL; the next
# fails with NTE_BAD_KEYSET.  Each grant that writes gets a key of its own.
test_grant_targets() {
	local t
	t=$(certmk add --cn rdp.example.test --not-after 30)
	katest grant "$t" --target rdp >/dev/null
	expect_match "an rdp binding gives NETWORK SERVICE read" \
	    "$(key_sddl "$t")" "\\(A;;$READ;;;NS\\)"
	t=$(certmk add --cn sql.example.test --not-after 30)
	katest grant "$t" --also 'NT Service\MSSQLSERVER' >/dev/null
	expect_match "a SQL Server instance's account gets read" \
	    "$(key_sddl "$t")" "\\(A;;$READ;;;$SQL_SID\\)"
	[ -z "${MADE_SQL:-}" ] || wine sc delete MSSQLSERVER >/dev/null 2>&1
}

test_grant_inherit() {
	local old new sddl
	old=$(certmk add --cn ka.example.test --not-after 30)
	new=$(certmk add --cn ka.example.test --not-after 60)
	katest set-sddl "$old" "D:(A;;KA;;;BA)(A;;GR;;;$USER_SID)(A;;GR;;;S-1-5-5-0-999)(A;ID;GR;;;BU)"
	expect_eq "inherit alone" "$(katest grant "$new" --inherit "$old")" ok
	sddl=$(key_sddl "$new")
	expect_match "inherit copies the old key's explicit allow" "$sddl" \
	    "\\(A;;GR;;;$USER_SID\\)"
	expect_eq "inherit leaves out the logon session SID" \
	    "$(printf '%s' "$sddl" | grep -c 'S-1-5-5-')" 0
	expect_eq "inherit leaves out inherited entries" \
	    "$(printf '%s' "$sddl" | grep -c 'A;ID;GR;;;BU')" 0
	new=$(certmk add --cn ka.example.test --not-after 90)
	katest grant "$new" --inherit 0000000000000000000000000000000000000000 \
	    'NETWORK SERVICE' >/dev/null
	expect_match "inherit from a certificate gone: the accounts still" \
	    "$(key_sddl "$new")" "\\(A;;$READ;;;NS\\)"
}

test_grant_failures() {
	local t before out rc
	t=$(certmk add --cn ka.example.test --not-after 30)
	before=$(key_sddl "$t")
	out=$(katest grant "$t" 'NETWORK SERVICE' 'no-such-account-katest'); rc=$?
	expect_match "an unknown account fails the grant, named" "$rc $out" \
	    "^1 error 0x00000534: key_access: 'no-such-account-katest' is not an account here"
	expect_eq "... and the key is not changed, not even for the others" \
	    "$(key_sddl "$t")" "$before"

	katest set-sddl "$t" 'D:(D;;GR;;;NS)(A;;KA;;;BA)'
	before=$(key_sddl "$t")
	out=$(katest grant "$t" 'NETWORK SERVICE'); rc=$?
	expect_match "a deny of read for the account is refused" "$rc $out" \
	    '^1 error 0x0000053A: the key.s DACL denies read to S-1-5-20'
	expect_eq "... and the deny is left as it is" "$(key_sddl "$t")" "$before"

	t=$(certmk add --cn nokey.example.test --no-key --not-after 30)
	out=$(katest grant "$t" 'NETWORK SERVICE'); rc=$?
	expect_match "a certificate without a key fails, saying so" "$rc $out" \
	    '^1 error 0x[0-9A-F]{8}: the private key of [0-9A-F]{40}: the certificate names no private key'

	out=$(katest grant 0000000000000000000000000000000000000001 \
	    'NETWORK SERVICE'); rc=$?
	expect_match "a certificate not in the store fails, saying so" \
	    "$rc $out" '^1 error 0x80092004: certificate 0{39}1'

	# Nothing asked for: the key is not even opened.
	expect_eq "no accounts and no inherit: nothing to do" \
	    "$(katest grant 0000000000000000000000000000000000000001)" ok
}

# Wine 8's NCryptOpenKey is a stub: a CNG key is reported at the step
# that failed, and nothing else happens.  On Windows this path goes on to
# NCryptGetProperty/NCryptSetProperty (tested on paper only; README).
test_grant_cng_key() {
	local t out rc
	t=$(certmk add --cn cng.example.test --not-after 30)
	katest cng "$t"
	out=$(katest grant "$t" 'NETWORK SERVICE'); rc=$?
	expect_match "a CNG key under Wine: the grant fails at opening it" \
	    "$rc $out" "^1 error 0x80090029: the private key of $t: NCryptOpenKey"
}

# certbind check (and every load of the policy) resolves the accounts.
test_check() {
	local out rc
	policy "$TMP/unknown.yaml" '"NETWORK SERVICE", no-such-account-katest'
	out=$(certbind check --config "$TMP/unknown.yaml" 2>&1 | tr -d '\r')
	rc=$(certbind check --config "$TMP/unknown.yaml" >/dev/null 2>&1; echo $?)
	expect_eq "check: an unknown account is invalid" "$rc" 1
	expect_match "check: the unknown account at its line and column" "$out" \
	    "unknown\\.yaml:7:37: binding ka: key_access: 'no-such-account-katest' is not an account here"
	policy "$TMP/known.yaml" '"NETWORK SERVICE", S-1-5-19, LocalSystem'
	out=$(certbind check --config "$TMP/known.yaml" 2>&1); rc=$?
	expect_match "check: known accounts and SIDs are valid" "$rc $out" \
	    '^0 .*valid policy with 1 binding'
	out=$(certbind apply --config "$TMP/unknown.yaml" 2>&1); rc=$?
	expect_match "apply refuses the policy with the unknown account" \
	    "$rc $out" "^1 .*no-such-account-katest' is not an account here"
}

# apply: the grant comes before the move, and a grant that fails leaves
# the binding where it is.
test_apply() {
	local t n out rc
	reset_state
	policy "$TMP/ns.yaml" '"NETWORK SERVICE"'
	t=$(certmk add --cn ka.example.test --dns ka.example.test --not-after 30)
	out=$(certbind apply --config "$TMP/ns.yaml" 2>&1); rc=$?
	expect_eq "apply with key_access binds the certificate" \
	    "$rc $(bound_hash 0.0.0.0:8451)" "0 $t"
	expect_match "... after giving NETWORK SERVICE read on its key" \
	    "$(key_sddl "$t")" "\\(A;;$READ;;;NS\\)"
	expect_match "... and says so" "$out" \
	    "ka: read access to the private key of $t given to S-1-5-20"
	n=$(certmk add --cn ka.example.test --dns ka.example.test --not-after 90)
	katest set-sddl "$n" 'D:(D;;GR;;;NS)(A;;KA;;;BA)'
	out=$(certbind apply --config "$TMP/ns.yaml" 2>&1 | tr -d '\r')
	expect_eq "a grant that fails: the binding stays on its certificate" \
	    "$(bound_hash 0.0.0.0:8451)" "$t"
	expect_match "... with an error naming the step" "$out" \
	    "ka: not moved to $n: the accounts it needs could not be given read access to its private key: the key's DACL denies read to S-1-5-20"
	expect_eq "... and the new key's DACL as it was" "$(key_sddl "$n")" \
	    'D:(D;;GR;;;NS)(A;;KA;;;BA)'
}

# A binding that already holds its certificate: an account added to
# key_access gets read at the next apply, without a renewal; plan shows
# it first and writes nothing; a grant that fails moves nothing.
test_converge() {
	local t n out rc before
	reset_state
	plain "$TMP/plain.yaml"
	t=$(certmk add --cn ka.example.test --dns ka.example.test --not-after 30)
	certbind apply --config "$TMP/plain.yaml" >/dev/null 2>&1
	expect_eq "converge: bound without key_access" \
	    "$(bound_hash 0.0.0.0:8451)" "$t"
	before=$(key_sddl "$t")
	expect_eq "converge: ... and the key not given to NETWORK SERVICE" \
	    "$(printf '%s' "$before" | grep -c ';NS)')" 0
	policy "$TMP/ns.yaml" '"NETWORK SERVICE"'
	out=$(cb plan --config "$TMP/ns.yaml"); rc=$?
	expect_match "plan: a grant due on the held key is a change" "$rc $out" \
	    "^2 ka \\(0\\.0\\.0\\.0:8451\\): holds.*read access to its private key is to be given"
	out=$(cb plan --config "$TMP/ns.yaml" --json)
	expect_match "plan --json: key_grant_due" "$out" '"key_grant_due": true'
	expect_eq "plan wrote nothing to the key" "$(key_sddl "$t")" "$before"
	out=$(cb apply --config "$TMP/ns.yaml"); rc=$?
	expect_match "apply gives the added account read on the held key" \
	    "$rc $(printf '%s' "$out" | grep 'read access')" "^0 ka: read access to the private key of $t given to S-1-5-20"
	expect_eq "... keeping every entry the key had" \
	    "$(key_sddl "$t")" "$before(A;;$READ;;;NS)"
	expect_eq "... and the binding where it was" "$(bound_hash 0.0.0.0:8451)" "$t"
	out=$(cb plan --config "$TMP/ns.yaml" --json); rc=$?
	expect_match "plan afterwards: nothing due" \
	    "$rc $(printf '%s' "$out" | grep key_grant_due)" \
	    '^0 +"key_grant_due": false,$'
	out=$(cb apply --config "$TMP/ns.yaml"); rc=$?
	expect_eq "apply again: no grant said" \
	    "$rc $(printf '%s' "$out" | grep -c 'read access to the private key')" "0 0"

	# A held key that denies the account: an error, and nothing moves.
	reset_state
	n=$(certmk add --cn ka.example.test --dns ka.example.test --not-after 30)
	certbind apply --config "$TMP/plain.yaml" >/dev/null 2>&1
	katest set-sddl "$n" 'D:(D;;GR;;;NS)(A;;KA;;;BA)'
	out=$(cb apply --config "$TMP/ns.yaml"); rc=$?
	expect_match "a grant on the held key that fails is an error, named" \
	    "$rc $(printf '%s' "$out" | grep 'the accounts')" "^1 ka: the accounts it needs could not be given read access to the private key of $n, which it holds: the key's DACL denies read to S-1-5-20"
	expect_eq "... the binding stays, and the DACL is as it was" \
	    "$(bound_hash 0.0.0.0:8451) $(key_sddl "$n")" \
	    "$n D:(D;;GR;;;NS)(A;;KA;;;BA)"
}

test_account_names
test_check
test_converge
test_apply
test_service_accounts
test_grant_keeps_entries
test_grant_targets
test_grant_inherit
test_grant_failures
test_grant_cng_key
tap_end
