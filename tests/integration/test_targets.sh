#!/usr/bin/env bash
# test_targets.sh - bindings whose consumer is not HTTP.sys, end to end
# under Wine: the Remote Desktop listener (target: rdp) and a SQL Server
# instance (target: sqlserver), whose registry keys the suite makes with
# `wine reg add` as the listener and SQL Server setup would; and the bad
# input around them.
. "$(dirname "$0")/lib.sh"
suite_prefix

TMP=build/tmp/test_targets
RDPKEY='HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp'
SQLROOT='HKLM\SOFTWARE\Microsoft\Microsoft SQL Server'
NAMES="$SQLROOT\\Instance Names\\SQL"
NETLIB="$SQLROOT\\MSSQL16.SALES\\MSSQLServer\\SuperSocketNetLib"
EP=0.0.0.0:8443

rm -rf "$TMP"
mkdir -p "$TMP"

# The suite's registry: no listener, no SQL Server, no records.
clean() {
	reset_state
	wine reg delete "$RDPKEY" /f >/dev/null 2>&1
	wine reg delete "$SQLROOT" /f >/dev/null 2>&1
}

# policy NAME BODY: write $TMP/NAME.yaml with BODY as its bindings.
policy() {
	printf 'version: 1\nbindings:\n%s' "$2" >"$TMP/$1.yaml"
}

rdp_value() {
	wine reg query "$RDPKEY" /v SSLCertificateSHA1Hash 2>/dev/null |
	    tr -d '\r' | awk '$1 == "SSLCertificateSHA1Hash" { print $2, $3 }'
}

sql_value() {
	wine reg query "$NETLIB" /v Certificate 2>/dev/null | tr -d '\r' |
	    awk '$1 == "Certificate" { print $2, $3 }'
}

lower() { printf '%s' "$1" | tr 'A-F' 'a-f'; }

policy rdp '  - name: rdp
    target: rdp
    match: {dns: host.example.test}
'
policy sql '  - name: db
    target: sqlserver
    instance: SALES
    match: {dns: db.example.test}
'

# RDP: created as 20 bytes of REG_BINARY, moved to a renewal, left alone
# when it is right; plan, status and the JSON name the target.
test_rdp() {
	local a b out rc
	clean
	wine reg add "$RDPKEY" /f >/dev/null
	a=$(certmk add --cn host.example.test --dns host.example.test \
	    --not-after 30)
	out=$(certbind plan --config "$TMP/rdp.yaml" 2>&1); rc=$?
	expect_eq "rdp: plan exits 2 (a change)" "$rc" 2
	expect_match "rdp: plan names the listener" "$out" \
	    "rdp \\(the RDP listener\\): create with $a"
	out=$(certbind plan --json --config "$TMP/rdp.yaml" 2>&1)
	expect_match "rdp: plan --json names the target" "$out" \
	    '"target": "rdp",'
	out=$(WINEDEBUG=-all,+eventlog certbind apply \
	    --config "$TMP/rdp.yaml" 2>&1); rc=$?
	expect_eq "rdp: apply exits 0" "$rc" 0
	expect_eq "rdp: the value is 20 bytes of REG_BINARY, the thumbprint" \
	    "$(rdp_value)" "REG_BINARY $a"
	expect_match "rdp: the event names the RDP listener" "$out" \
	    "eventlog:ReportEventW L\"rdp: the RDP listener was given $a"
	expect_match "rdp: the change is said to be not verifiable" "$out" \
	    "^rdp: the RDP listener was given $a .*; not verifiable"
	expect_eq "rdp: no HTTP.sys record was made" "$(bound_hash $EP)" ""

	b=$(certmk add --cn host.example.test --dns host.example.test \
	    --not-after 60)
	out=$(certbind apply --config "$TMP/rdp.yaml" 2>&1); rc=$?
	expect_eq "rdp: renewal: apply exits 0" "$rc" 0
	expect_eq "rdp: renewal: the value moved to B" "$(rdp_value)" \
	    "REG_BINARY $b"
	expect_match "rdp: renewal: apply says so" "$out" \
	    "^rdp: updated the RDP listener from $a to $b"

	out=$(certbind apply --config "$TMP/rdp.yaml" 2>&1); rc=$?
	expect_eq "rdp: right: apply exits 0" "$rc" 0
	expect_match "rdp: right: already holds" "$out" \
	    "^rdp: the RDP listener already holds $b"
	expect_eq "rdp: right: the value is unchanged" "$(rdp_value)" \
	    "REG_BINARY $b"
	out=$(certbind plan --config "$TMP/rdp.yaml" 2>&1); rc=$?
	expect_eq "rdp: right: plan exits 0" "$rc" 0
	out=$(certbind status --config "$TMP/rdp.yaml" 2>&1)
	expect_match "rdp: status shows what the listener holds" "$out" \
	    "^rdp +the RDP listener +$b rdp \\(plan: none\\)"
	out=$(certbind status --json --config "$TMP/rdp.yaml" 2>&1 | tr -d '\r')
	expect_match "rdp: status --json lists it under targets" "$out" \
	    '"targets": \[$'
	out=$(certbind verify --config "$TMP/rdp.yaml" 2>&1); rc=$?
	expect_eq "rdp: verify exits 0: nothing to check is no failure" "$rc" 0
	expect_match "rdp: verify says it is not verifiable" "$out" \
	    "not-verifiable"

	# Another program wrote a value certbind did not choose.
	wine reg add "$RDPKEY" /v SSLCertificateSHA1Hash /t REG_BINARY \
	    /d "$a" /f >/dev/null
	out=$(certbind apply --config "$TMP/rdp.yaml" 2>&1); rc=$?
	expect_eq "rdp: put back on B after another wrote A" "$(rdp_value)" \
	    "REG_BINARY $b"
}

# SQL Server: the instance's SuperSocketNetLib\Certificate, lower-case hex
# REG_SZ; the instance's id from Instance Names\SQL.
test_sqlserver() {
	local a b out rc
	clean
	wine reg add "$NAMES" /v SALES /d MSSQL16.SALES /f >/dev/null
	wine reg add "$NETLIB" /f >/dev/null
	# The instance's service, which a change restarts (test_restart.sh
	# checks the restart itself).
	wine "$BIN/fakesvc.exe" install 'MSSQL$SALES' >/dev/null
	wine sc start 'MSSQL$SALES' >/dev/null
	a=$(certmk add --cn db.example.test --dns db.example.test --not-after 30)
	out=$(certbind check --config "$TMP/sql.yaml" 2>&1); rc=$?
	expect_eq "sql: check passes with the instance installed" "$rc" 0
	out=$(WINEDEBUG=-all,+eventlog certbind apply \
	    --config "$TMP/sql.yaml" 2>&1); rc=$?
	expect_eq "sql: apply exits 0" "$rc" 0
	expect_eq "sql: Certificate is the thumbprint, lower-case, REG_SZ" \
	    "$(sql_value)" "REG_SZ $(lower "$a")"
	expect_match "sql: the event names the instance" "$out" \
	    "eventlog:ReportEventW L\"db: SQL Server instance SALES was given $a"
	b=$(certmk add --cn db.example.test --dns db.example.test --not-after 60)
	out=$(certbind apply --config "$TMP/sql.yaml" 2>&1); rc=$?
	expect_eq "sql: renewal: apply exits 0" "$rc" 0
	expect_eq "sql: renewal: moved to B" "$(sql_value)" \
	    "REG_SZ $(lower "$b")"
	out=$(certbind apply --config "$TMP/sql.yaml" 2>&1); rc=$?
	expect_match "sql: right: already holds" "$out" \
	    "^db: SQL Server instance SALES already holds $b"
	out=$(certbind plan --json --config "$TMP/sql.yaml" 2>&1)
	expect_match "sql: plan --json names target and instance" "$out" \
	    '"instance": "SALES",'
	wine "$BIN/fakesvc.exe" uninstall 'MSSQL$SALES' >/dev/null 2>&1
}

# Bad input: a clear error, and nothing changed.
test_bad_input() {
	local out rc
	clean
	wine reg add "$RDPKEY" /f >/dev/null
	certmk add --cn host.example.test --dns host.example.test >/dev/null
	policy unknown '  - name: x
    target: iis
'
	out=$(certbind check --config "$TMP/unknown.yaml" 2>&1); rc=$?
	expect_eq "unknown target: check exits 1" "$rc" 1
	expect_match "unknown target: the allowed ones, at line:col" "$out" \
	    "unknown.yaml:4:13: target must be httpsys, rdp or sqlserver, not 'iis'"
	policy rdpep '  - name: x
    target: rdp
    endpoint: 0.0.0.0:3389
'
	out=$(certbind apply --config "$TMP/rdpep.yaml" 2>&1); rc=$?
	expect_eq "rdp with an endpoint: apply exits 1" "$rc" 1
	expect_match "rdp with an endpoint: said at line:col" "$out" \
	    "rdpep.yaml:5:15: endpoint does not apply to a rdp binding"
	expect_eq "rdp with an endpoint: nothing written" "$(rdp_value)" ""

	# The instance is not installed: check says so; apply changes nothing.
	out=$(certbind check --config "$TMP/sql.yaml" 2>&1); rc=$?
	expect_eq "no instance: check exits 1" "$rc" 1
	expect_match "no instance: check says which, at line:col" "$out" \
	    "sql.yaml:3:5: .*SQL Server instance SALES is not installed"
	certmk add --cn db.example.test --dns db.example.test >/dev/null
	out=$(certbind apply --config "$TMP/sql.yaml" 2>&1); rc=$?
	expect_eq "no instance: apply exits 1" "$rc" 1
	expect_match "no instance: apply says why" "$out" \
	    "db: cannot read the certificate of SQL Server instance SALES: SQL Server instance SALES is not installed"
	expect_eq "no instance: nothing was created" \
	    "$(wine reg query "$SQLROOT" 2>&1 | tr -d '\r' | grep -c SALES)" 0
}

test_rdp
test_sqlserver
test_bad_input
clean
tap_end
