#!/usr/bin/env bash
# test_regtarget.sh - the registry values of the Remote Desktop listener and
# of SQL Server instances, read and written by service/regtarget.c (through
# build/test/targetreg.exe), including values that are not what Windows
# writes: another type, another length, a NUL inside, no NUL at the end.
. "$(dirname "$0")/lib.sh"
suite_prefix

RDPKEY='HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp'
SQLROOT='HKLM\SOFTWARE\Microsoft\Microsoft SQL Server'
NAMES="$SQLROOT\\Instance Names\\SQL"
NETPATH='SOFTWARE\Microsoft\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQLServer\SuperSocketNetLib'
NETLIB="HKLM\\$NETPATH"
T1=00112233445566778899AABBCCDDEEFF00112233
T2=A1B2C3D4E5F60718293A4B5C6D7E8F9001020304

tr_() { wine "$BIN/targetreg.exe" "$@" | tr -d '\r'; }

cleanup() {
	wine reg delete "$RDPKEY" /f >/dev/null 2>&1
	wine reg delete "$SQLROOT" /f >/dev/null 2>&1
	wine sc delete MSSQLSERVER >/dev/null 2>&1
}

# sql_cert BYTES: Certificate := those bytes (hex), as REG_SZ (type 1),
# whatever they are: `reg add` cannot write such data.
sql_cert() {
	tr_ reg-set "$NETPATH" Certificate 1 "$1" >/dev/null
}

cleanup

# --- Remote Desktop -------------------------------------------------------
expect_eq "rdp: no listener key is an error, not 'none'" \
    "$(tr_ rdp-read)" "error 2"
expect_eq "rdp: no key: nothing is created by a write" \
    "$(tr_ rdp-write $T1)" "error 2"
wine reg add "$RDPKEY" /f >/dev/null
expect_eq "rdp: no value: the self-signed certificate" "$(tr_ rdp-read)" none
expect_eq "rdp: write" "$(tr_ rdp-write $T1)" ok
expect_match "rdp: the value is REG_BINARY, the 20 bytes" \
    "$(wine reg query "$RDPKEY" /v SSLCertificateSHA1Hash | tr -d '\r')" \
    "SSLCertificateSHA1Hash +REG_BINARY +$T1\$"
expect_eq "rdp: read back" "$(tr_ rdp-read)" "$T1"
wine reg add "$RDPKEY" /v SSLCertificateSHA1Hash /t REG_BINARY \
    /d 00112233445566778899AABBCCDDEEFF001122 /f >/dev/null
expect_eq "rdp: 19 bytes are not a thumbprint" "$(tr_ rdp-read)" "error 13"
wine reg add "$RDPKEY" /v SSLCertificateSHA1Hash /t REG_BINARY \
    /d "${T1}44" /f >/dev/null
expect_eq "rdp: 21 bytes are not a thumbprint" "$(tr_ rdp-read)" "error 13"
wine reg add "$RDPKEY" /v SSLCertificateSHA1Hash /t REG_SZ /d "$T1" \
    /f >/dev/null
expect_eq "rdp: a REG_SZ is not a thumbprint" "$(tr_ rdp-read)" "error 13"
tr_ rdp-write $T2 >/dev/null
expect_eq "rdp: a write replaces a bad value" "$(tr_ rdp-read)" "$T2"
expect_eq "rdp: clear" "$(tr_ rdp-clear)" ok
expect_eq "rdp: cleared: no value" "$(tr_ rdp-read)" none
expect_eq "rdp: clearing twice is fine" "$(tr_ rdp-clear)" ok
dns=$(tr_ rdp-dns)
host=$(hostname | tr 'A-Z' 'a-z')
expect_match "rdp: the default DNS name is the host's, in lower case" \
    "$dns" "^${host%%.*}(\\.[a-z0-9.-]+)?\$"

# --- SQL Server -----------------------------------------------------------
expect_eq "sql: no instance installed" "$(tr_ sql-find MSSQLSERVER)" "error 2"
expect_eq "sql: check says so at the binding's line:col" \
    "$(tr_ sql-check MSSQLSERVER)" \
    "policy.yaml:3:5: binding sql: SQL Server instance MSSQLSERVER is not installed (no value MSSQLSERVER under HKLM\\SOFTWARE\\Microsoft\\Microsoft SQL Server\\Instance Names\\SQL)"
wine reg add "$NAMES" /v MSSQLSERVER /d MSSQL16.MSSQLSERVER /f >/dev/null
expect_match "sql: an instance without its SuperSocketNetLib key fails check" \
    "$(tr_ sql-check MSSQLSERVER)" \
    "^policy.yaml:3:5: binding sql: cannot read SQL Server instance MSSQLSERVER's Certificate value under MSSQL16.MSSQLSERVER: "
wine reg add "$NETLIB" /v Certificate /d "" /f >/dev/null
expect_eq "sql: the instance, its service, no account (no service)" \
    "$(tr_ sql-find MSSQLSERVER)" "MSSQL16.MSSQLSERVER MSSQLSERVER -"
expect_eq "sql: check passes" "$(tr_ sql-check MSSQLSERVER)" ok
expect_eq "sql: an empty Certificate is none" "$(tr_ sql-read MSSQLSERVER)" none
wine reg delete "$NETLIB" /v Certificate /f >/dev/null
expect_eq "sql: a missing Certificate is none" \
    "$(tr_ sql-read MSSQLSERVER)" none
expect_eq "sql: write" "$(tr_ sql-write MSSQLSERVER $T2)" ok
expect_match "sql: REG_SZ, lower-case hex" \
    "$(wine reg query "$NETLIB" /v Certificate | tr -d '\r')" \
    "Certificate +REG_SZ +$(echo $T2 | tr 'A-F' 'a-f')\$"
expect_eq "sql: read back" "$(tr_ sql-read MSSQLSERVER)" "$T2"
wine reg add "$NETLIB" /v Certificate /d "$T1" /f >/dev/null
expect_eq "sql: upper case is read too" "$(tr_ sql-read MSSQLSERVER)" "$T1"
wine reg add "$NETLIB" /v Certificate /d "$T1 " /f >/dev/null
expect_eq "sql: a character around the digits is refused" \
    "$(tr_ sql-read MSSQLSERVER)" "error 13"
wine reg add "$NETLIB" /v Certificate /t REG_EXPAND_SZ /d "$T1" /f >/dev/null
expect_eq "sql: REG_EXPAND_SZ is refused" "$(tr_ sql-read MSSQLSERVER)" \
    "error 13"
# "0011...33" as UTF-16 without its NUL: counted data, read whole.
hex=$(printf '%s' "$T1" | od -An -tx1 | tr -d ' \n' | sed 's/../&00/g')
sql_cert "$hex"
expect_eq "sql: a REG_SZ without its NUL is read whole" \
    "$(tr_ sql-read MSSQLSERVER)" "$T1"
sql_cert "${hex}00000000"
expect_eq "sql: a REG_SZ with two NULs at its end is read" \
    "$(tr_ sql-read MSSQLSERVER)" "$T1"
sql_cert "30000000${hex}0000"
expect_eq "sql: a NUL inside the text is refused, not cut at" \
    "$(tr_ sql-read MSSQLSERVER)" "error 13"
sql_cert "${hex}00"
expect_eq "sql: an odd byte count is refused" \
    "$(tr_ sql-read MSSQLSERVER)" "error 13"
expect_eq "sql: clear" "$(tr_ sql-clear MSSQLSERVER)" ok
expect_match "sql: cleared to an empty REG_SZ" \
    "$(wine reg query "$NETLIB" /v Certificate | tr -d '\r')" \
    "Certificate +REG_SZ *\$"
wine reg add "$NAMES" /v MSSQLSERVER /d 'MSSQL16.MSSQLSERVER\..\x' /f \
    >/dev/null
expect_eq "sql: an instance id that is not one key name is refused" \
    "$(tr_ sql-find MSSQLSERVER)" "error 13"
wine reg add "$NAMES" /v MSSQLSERVER /d MSSQL16.MSSQLSERVER /f >/dev/null

# The service's account, from the SCM.
wine sc create MSSQLSERVER binpath= 'C:\windows\system32\cmd.exe' \
    obj= 'NT Service\MSSQLSERVER' >/dev/null 2>&1
expect_eq "sql: the account is the service's" \
    "$(tr_ sql-find MSSQLSERVER)" \
    "MSSQL16.MSSQLSERVER MSSQLSERVER NT Service\\MSSQLSERVER"
wine reg add "$NAMES" /v SQLEXPRESS /d MSSQL16.SQLEXPRESS /f >/dev/null
expect_eq "sql: a named instance's service is MSSQL\$NAME" \
    "$(tr_ sql-find sqlexpress)" "MSSQL16.SQLEXPRESS MSSQL\$sqlexpress -"

cleanup
tap_end
