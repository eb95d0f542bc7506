#!/usr/bin/env bash
# test_init.sh - `certbind init` under Wine: on a server with a dozen
# records of every kind and option, the policy it writes loads, and
# `certbind plan` on it changes nothing except where a better certificate
# is already in the store; a record whose certificate is gone is a
# comment with the reason; an existing file is replaced only with --force.
# The Remote Desktop listener's and SQL Server's certificates (registry
# values planted with `wine reg add`, as test_targets.sh does) become rdp
# and sqlserver bindings that plan leaves as they are; a value naming a
# certificate that is not in the store, or of the wrong type, is a comment
# with the reason; no listener and no SQL Server write nothing for them.
. "$(dirname "$0")/lib.sh"
suite_prefix

SERVER=tests/integration/policies/init-server.yaml
DIR=build/test/init
OUT=$DIR/policy.yaml
RDPKEY='HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp'
SQLROOT='HKLM\SOFTWARE\Microsoft\Microsoft SQL Server'
NAMES="$SQLROOT\\Instance Names\\SQL"
NETLIB="$SQLROOT\\MSSQL16.MSSQLSERVER\\MSSQLServer\\SuperSocketNetLib"
SALESLIB="$SQLROOT\\MSSQL16.SALES\\MSSQLServer\\SuperSocketNetLib"
T1=00112233445566778899AABBCCDDEEFF00112233

# No listener and no SQL Server (reset_state leaves their keys alone).
no_consumers() {
	wine reg delete "$RDPKEY" /f >/dev/null 2>&1
	wine reg delete "$SQLROOT" /f >/dev/null 2>&1
}

# The values as they are, to see that init changed none of them.
consumer_values() {
	local k
	for k in "$RDPKEY" "$NETLIB" "$SALESLIB"; do
		wine reg query "$k" 2>/dev/null | tr -d '\r' |
		    grep -E 'SSLCertificateSHA1Hash|Certificate'
	done
}

lower() { printf '%s' "$1" | tr 'A-F' 'a-f'; }

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
	no_consumers
	rm -rf "$DIR"
	mkdir -p "$DIR"
	gone=$(make_server)
	# A listener key without its value, SQL Server's list without an
	# instance: nothing to declare for them.
	wine reg add "$RDPKEY" /f >/dev/null
	wine reg add "$NAMES" /f >/dev/null
	expect_eq "the server has twelve records" \
	    "$(for k in "$SSLKEY" "$SNIKEY" "$CCSKEY"; do wine reg query "$k"; done 2>/dev/null |
	    tr -d '\r' | grep -c '^HKEY.*:[0-9]*$')" 12
	better=$(certmk add --cn ten.example.test --dns ten.example.test \
	    --not-after 90)

	out=$(certbind init --out $OUT 2>&1); rc=$?
	expect_eq "init exits 0" "$rc" 0
	expect_match "init says what it wrote" "$out" \
	    "^$OUT: a policy with 11 bindings, 1 left out as comments"
	expect_eq "no rdp or sqlserver binding without their values" \
	    "$(grep -c 'target:' $OUT)" 0
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

	# No listener key and no SQL Server at all: nothing for them, no error.
	no_consumers
	out=$(certbind init 2>&1 | tr -d '\r'); rc=${PIPESTATUS[0]}
	expect_eq "no listener, no SQL Server: init exits 0" "$rc" 0
	expect_match "no listener, no SQL Server: the records only" "$out" \
	    "certificates: 11 declared, 1 left out\$"
	expect_eq "no listener, no SQL Server: no rdp or sqlserver binding" \
	    "$(printf '%s\n' "$out" | grep -c 'target:')" 0
}

# The listener's and two instances' certificates, and nothing in HTTP.sys:
# three bindings, which load, and on which plan changes nothing.
test_consumers() {
	local host rdp db sales out rc json before
	reset_state
	no_consumers
	rm -rf "$DIR"
	mkdir -p "$DIR"
	host=$(wine "$BIN/targetreg.exe" rdp-dns | tr -d '\r')
	rdp=$(certmk add --cn "$host" --dns "$host" --not-after 60)
	db=$(certmk add --cn db.example.test --dns db.example.test --not-after 60)
	sales=$(certmk add --cn sales.example.test --dns sales.example.test \
	    --not-after 60)
	wine reg add "$RDPKEY" /v SSLCertificateSHA1Hash /t REG_BINARY \
	    /d "$rdp" /f >/dev/null
	# As on a server whose listener works: NETWORK SERVICE reads its key
	# (else plan rightly has a grant due; test_keyaccess covers that).
	wine "$BIN/katest.exe" grant "$rdp" --target rdp >/dev/null ||
	    not_ok "consumers: NETWORK SERVICE given read on the listener's key"
	wine reg add "$NAMES" /v MSSQLSERVER /d MSSQL16.MSSQLSERVER /f >/dev/null
	wine reg add "$NAMES" /v SALES /d MSSQL16.SALES /f >/dev/null
	wine reg add "$NETLIB" /v Certificate /d "$(lower "$db")" /f >/dev/null
	wine reg add "$SALESLIB" /v Certificate /d "$(lower "$sales")" \
	    /f >/dev/null
	before=$(consumer_values)

	out=$(certbind init --out $OUT 2>&1); rc=$?
	expect_eq "consumers: init exits 0 (they count as declared)" "$rc" 0
	expect_match "consumers: init says what it wrote" "$out" \
	    "^$OUT: a policy with 3 bindings, 0 left out as comments"
	expect_eq "consumers: init changed no value" "$(consumer_values)" \
	    "$before"
	expect_match "consumers: the listener is rdp, matching the host (no match)" \
	    "$(cat $OUT)" \
	    "^  - name: \"rdp\"\$"
	expect_eq "consumers: rdp and the default instance have no match.dns" \
	    "$(grep -c 'match:' $OUT)" 2
	expect_match "consumers: the default instance has no instance:" \
	    "$(tr '\n' '|' <$OUT)" \
	    "\\|  - name: \"sqlserver-MSSQLSERVER\"\\|    target: sqlserver\\|    match:\\|      dns: \"db.example.test\"\\|"
	expect_match "consumers: a named instance has its instance:" \
	    "$(tr '\n' '|' <$OUT)" \
	    "\\|  - name: \"sqlserver-SALES\"\\|    target: sqlserver\\|    instance: \"SALES\"\\|    match:\\|      dns: \"sales.example.test\"\\|"
	out=$(certbind check --config $OUT 2>&1); rc=$?
	expect_eq "consumers: the written policy is valid" "$rc" 0
	expect_match "consumers: three bindings" "$out" "valid policy with 3 bindings"
	json=$(certbind plan --json --config $OUT 2>&1); rc=$?
	expect_eq "consumers: plan on it exits 0 (no change)" "$rc" 0
	json=$(printf '%s' "$json" | tr -d '\r\n ')
	expect_eq "consumers: plan: all three need nothing" \
	    "$(printf '%s' "$json" | grep -o '"action":"[a-z-]*"' | sort | uniq -c |
	    awk '{ printf "%s %s; ", $1, $2 }')" '3 "action":"none"; '
	expect_match "consumers: plan: the listener holds its certificate" \
	    "$json" "\"name\":\"rdp\",\"target\":\"rdp\",.*\"current\":\\{\"thumbprint\":\"$rdp\"\\}"
}

# Values that cannot be declared: the listener's certificate is not in the
# store, the default instance's value is a REG_DWORD, SALES has no
# Certificate value (nothing for it).  Without an HTTP.sys record nothing
# can be declared: init writes nothing and exits 1.
test_consumers_left_out() {
	local db out rc
	reset_state
	no_consumers
	rm -rf "$DIR"
	mkdir -p "$DIR"
	db=$(certmk add --cn db.example.test --dns db.example.test --not-after 60)
	wine reg add "$RDPKEY" /v SSLCertificateSHA1Hash /t REG_BINARY \
	    /d "$T1" /f >/dev/null
	wine reg add "$NAMES" /v MSSQLSERVER /d MSSQL16.MSSQLSERVER /f >/dev/null
	wine reg add "$NAMES" /v SALES /d MSSQL16.SALES /f >/dev/null
	wine reg add "$NETLIB" /v Certificate /t REG_DWORD /d 7 /f >/dev/null
	wine reg add "$SALESLIB" /f >/dev/null

	out=$(certbind init --out $OUT 2>&1); rc=$?
	expect_eq "left out: init exits 1 (nothing to declare)" "$rc" 1
	expect_eq "left out: nothing was written" "$(ls $DIR)" ""
	expect_match "left out: init says why" "$out" \
	    "neither HTTP.sys, the RDP listener nor SQL Server has a certificate a policy can declare \\(2 left out, above\\)"
	expect_match "left out: the listener's certificate is not in the store" \
	    "$out" "^  # left out: the RDP listener: certificate $T1 is not in LocalMachine.x5cMy"
	expect_match "left out: ... its binding commented out" "$out" \
	    "^  #   target: rdp"
	expect_match "left out: the REG_DWORD is not a thumbprint" "$out" \
	    "^  # left out: SQL Server instance MSSQLSERVER: its certificate cannot be read: .*Certificate is not a thumbprint"
	expect_eq "left out: nothing for an instance without a value" \
	    "$(printf '%s\n' "$out" | grep -c SALES)" 0

	# With the certificate in a value of the right type, and an HTTP.sys
	# record: the rest is declared, the listener still a comment.
	wine reg add "$NETLIB" /v Certificate /d "$(lower "$db")" /f >/dev/null
	certmk add --cn one.example.test --dns one.example.test >/dev/null
	certbind apply --config $SERVER >/dev/null 2>&1
	out=$(certbind init --out $OUT 2>&1); rc=$?
	expect_eq "left out: with a record, init exits 0" "$rc" 0
	expect_match "left out: the listener stays a comment" "$(cat $OUT)" \
	    "^  # - name: \"rdp\""
	expect_match "left out: the instance is declared" "$(cat $OUT)" \
	    "^  - name: \"sqlserver-MSSQLSERVER\""
	out=$(certbind check --config $OUT 2>&1); rc=$?
	expect_eq "left out: the written policy is valid" "$rc" 0
	no_consumers
}

test_round_trip
test_consumers
test_consumers_left_out
no_consumers
tap_end
