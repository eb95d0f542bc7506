#!/usr/bin/env bash
# test_httpsys.sh - the HTTP.sys adapter end to end, on the real certbind.exe
# under Wine: every record kind, read-modify-write, the atomic and the
# Delete-then-Set rotation, rollback, crash repair, ownership, retries.
#
# build/test-noupdate holds certbind.exe beside a stand-in without
# HttpUpdateServiceConfiguration, as on Windows before 10 1703.  The
# stand-in's call log (calls) shows every call with its time and result.
. "$(dirname "$0")/lib.sh"
suite_prefix

TMP=build/tmp/test_httpsys
mkdir -p "$TMP"
APPID=5A3F1D9C2E6B8F4EA0C47D2B95E1F3C6
OTHER=00112233445566778899AABBCCDDEEFF

add_cert() {   # add_cert NAME [certmk options]
	local name=$1
	shift
	certmk add --cn "$name" --dns "$name" "$@"
}


# A fresh state where $IP is bound (by the Delete+Set build) to $OLD and
# a better certificate $NEW has just arrived.
bound_and_renewed() {
	reset_state
	OLD=$(add_cert api.example.test --not-after 30)
	certbind_old apply --config "$IP" >/dev/null 2>&1
	NEW=$(add_cert api.example.test --not-after 60)
}

# The calls that change HTTP.sys, in order, on one line.

journal() { wine reg query "$JOURNALKEY" 2>/dev/null; }

# One policy with a binding of each kind.
ALL=$TMP/all.yaml
cat >"$ALL" <<'EOF'
version: 1
bindings:
  - name: ip6
    endpoint: '[::]:8443'
    match: { dns: api.example.test }
  - name: www
    endpoint: www.example.test:443
  - name: central
    endpoint: ccs:443
    options: { disable_legacy_tls: true }
EOF

printf 'version: 1\nbindings:\n  - name: www\n    endpoint: www.example.test:443\n' \
    >"$TMP/www-only.yaml"

IP=$TMP/ip.yaml
cat >"$IP" <<'EOF'
version: 1
bindings:
  - name: api
    endpoint: 0.0.0.0:8443
    match: { dns: api.example.test }
EOF

# Every kind is created, then rotated with one Update each and no Delete.
test_kinds() {
	local a w a2 w2 out rc
	reset_state
	a=$(add_cert api.example.test --not-after 30)
	w=$(add_cert www.example.test --not-after 30)
	out=$(certbind apply --config "$ALL" 2>&1); rc=$?
	expect_eq "kinds: apply exits 0" "$rc" 0
	expect_eq "kinds: IPv6 record created" "$(bound_hash '[::]:8443')" "$a"
	expect_eq "kinds: SNI record created under SslSniBindingInfo" \
	    "$(bound_hash www.example.test:443 "$SNIKEY")" "$w"
	expect_eq "kinds: SNI record carries certbind's AppId" \
	    "$(reg_value www.example.test:443 AppId "$SNIKEY")" "$APPID"
	expect_eq "kinds: ccs record created under SslCcsBindingInfo" \
	    "$(reg_value 0.0.0.0:443 AppId "$CCSKEY")" "$APPID"
	expect_eq "kinds: ccs record holds the declared option" \
	    "$(reg_value 0.0.0.0:443 DefaultFlags "$CCSKEY")" 0x400
	expect_eq "kinds: ccs record names no certificate" \
	    "$(bound_hash 0.0.0.0:443 "$CCSKEY")" ""

	a2=$(add_cert api.example.test --not-after 60)
	w2=$(add_cert www.example.test --not-after 60)
	rm -f "$WINEPREFIX/drive_c/httpapi-calls.log"
	out=$(certbind apply --config "$ALL" 2>&1); rc=$?
	expect_eq "kinds: rotation exits 0" "$rc" 0
	expect_eq "kinds: IPv6 record rotated" "$(bound_hash '[::]:8443')" "$a2"
	expect_eq "kinds: SNI record rotated" \
	    "$(bound_hash www.example.test:443 "$SNIKEY")" "$w2"
	expect_match "kinds: each rotation is one Update" "$(calls)" \
	    " Update sni www.example.test:443 0$"
	expect_eq "kinds: no record was ever deleted" \
	    "$(calls | grep -c ' Delete ')" 0
	expect_match "kinds: the ccs record is left as it is" "$out" \
	    "^central: ccs:443 already holds the planned record"
	out=$(certbind plan --config "$ALL" 2>&1); rc=$?
	expect_eq "kinds: nothing left to plan" "$rc" 0
}

# An SNI record made by hand keeps every field the policy does not set.
test_sni_read_modify_write() {
	local w w2 k="$SNIKEY\\www.example.test:443"
	reset_state
	w=$(add_cert www.example.test --not-after 30)
	reg_put "$k" SslCertHash REG_BINARY "$w" AppId REG_BINARY "$APPID" \
	    SslCertStoreName REG_SZ MY DefaultSslCertCheckMode REG_DWORD 2 \
	    DefaultSslRevocationFreshnessTime REG_DWORD 600 \
	    DefaultSslRevocationUrlRetrievalTimeout REG_DWORD 5000 \
	    DefaultSslCtlIdentifier REG_SZ Partners \
	    DefaultSslCtlStoreName REG_SZ CA DefaultFlags REG_DWORD 0x412
	w2=$(add_cert www.example.test --not-after 60)
	certbind apply --config "$ALL" >/dev/null 2>&1
	expect_eq "SNI rotation: the hash moved" \
	    "$(bound_hash www.example.test:443 "$SNIKEY")" "$w2"
	expect_eq "SNI rotation: check mode kept" \
	    "$(reg_value www.example.test:443 DefaultSslCertCheckMode "$SNIKEY")" 0x2
	expect_eq "SNI rotation: revocation freshness kept" \
	    "$(reg_value www.example.test:443 DefaultSslRevocationFreshnessTime "$SNIKEY")" 0x258
	expect_eq "SNI rotation: URL retrieval timeout kept" \
	    "$(reg_value www.example.test:443 DefaultSslRevocationUrlRetrievalTimeout "$SNIKEY")" 0x1388
	expect_eq "SNI rotation: CTL identifier kept" \
	    "$(reg_value www.example.test:443 DefaultSslCtlIdentifier "$SNIKEY")" Partners
	expect_eq "SNI rotation: CTL store kept" \
	    "$(reg_value www.example.test:443 DefaultSslCtlStoreName "$SNIKEY")" CA
	expect_eq "SNI rotation: flags kept" \
	    "$(reg_value www.example.test:443 DefaultFlags "$SNIKEY")" 0x412
}

# Without Update: Delete then Set, journaled, and nothing left behind.
test_delete_then_set() {
	local a b out rc
	bound_and_renewed
	a=$OLD
	b=$NEW
	rm -f "$WINEPREFIX/drive_c/httpapi-calls.log"
	out=$(certbind_old apply --config "$IP" 2>&1); rc=$?
	expect_eq "Delete+Set: apply exits 0" "$rc" 0
	expect_eq "Delete+Set: the record moved" "$(bound_hash 0.0.0.0:8443)" "$b"
	expect_match "Delete+Set: Delete, then Set" \
	    "$(writes)" \
	    "^Delete Set $"
	expect_eq "Delete+Set: the journal is empty afterwards" \
	    "$(journal | grep -c REG_BINARY)" 0
}

# A failed Set puts the old record back; a failed restore says how to.
test_rollback() {
	local a b out rc
	bound_and_renewed
	a=$OLD
	b=$NEW
	fault Set "1 1312"
	out=$(WINEDEBUG=-all,+eventlog certbind_old apply --config "$IP" 2>&1)
	rc=$?
	expect_eq "rollback: apply exits 1" "$rc" 1
	expect_eq "rollback: the old record is back" "$(bound_hash 0.0.0.0:8443)" "$a"
	expect_match "rollback: error 1312 is explained" "$out" \
	    "HTTP.sys cannot use the private key of certificate $b \\(missing, or not readable by SYSTEM\\)"
	expect_match "rollback: the restore is reported" "$out" \
	    "api: the previous record for 0.0.0.0:8443 was put back"

	# A run of refusals longer than a busy call's retries: the restore
	# is tried again whatever the error, and the port is not left unbound.
	fault Set "4 5"
	out=$(certbind_old apply --config "$IP" 2>&1)
	rc=$?
	expect_eq "refused restore: apply exits 1" "$rc" 1
	expect_eq "refused restore: the old record is back after all" \
	    "$(bound_hash 0.0.0.0:8443)" "$a"
	expect_match "refused restore: the restore is reported" "$out" \
	    "api: the previous record for 0.0.0.0:8443 was put back"
	expect_eq "refused restore: no UNBOUND error" \
	    "$(printf '%s\n' "$out" | grep -c 'IS UNBOUND')" 0

	# The new Set and all six tries of the restore fail.
	fault Set "7 5"
	out=$(WINEDEBUG=-all,+eventlog certbind_old apply --config "$IP" 2>&1)
	rc=$?
	expect_eq "failed restore: apply exits 1" "$rc" 1
	expect_eq "failed restore: the port is unbound" "$(bound_hash 0.0.0.0:8443)" ""
	expect_match "failed restore: an Event Log error with the netsh command" \
	    "$out" "err:eventlog:ReportEventW .*0.0.0.0:8443 IS UNBOUND.*netsh http add sslcert ipport=\\\\?\"0.0.0.0:8443\\\\?\" certhash=\\\\?\"$a\\\\?\" appid=\\\\?\"\\{9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3c6\\}\\\\?\" certstorename=\\\\?\"MY\\\\?\""
	out=$(certbind apply --config "$IP" 2>&1); rc=$?
	expect_eq "failed restore: the next run exits 0" "$rc" 0
	expect_match "failed restore: the next run puts the record back first" \
	    "$out" "0.0.0.0:8443: an interrupted rotation had left it unbound"
	expect_eq "failed restore: and then rotates it" \
	    "$(bound_hash 0.0.0.0:8443)" "$b"
}

# Killed between Delete and Set: the next run repairs, then rotates.
test_crash_repair() {
	local a b out rc
	bound_and_renewed
	a=$OLD
	b=$NEW
	fault Set crash
	certbind_old apply --config "$IP" >/dev/null 2>&1; rc=$?
	expect_eq "crash: certbind died inside Set" "$rc" 99
	expect_eq "crash: the record was deleted" "$(bound_hash 0.0.0.0:8443)" ""
	expect_eq "crash: the journal holds the old record" \
	    "$(journal | grep -c '0.0.0.0:8443')" 1
	rm -f "$WINEPREFIX/drive_c/httpapi-calls.log"
	out=$(certbind_old plan --config "$IP" 2>&1)
	expect_eq "crash: plan does not repair" "$(bound_hash 0.0.0.0:8443)" ""
	out=$(WINEDEBUG=-all,+eventlog certbind_old apply --config "$IP" 2>&1)
	rc=$?
	expect_eq "crash: the next run exits 0" "$rc" 0
	expect_match "crash: the repair is reported" "$out" \
	    "warn:eventlog:ReportEventW L\"0.0.0.0:8443: an interrupted rotation had left it unbound; the previous record was put back"
	expect_match "crash: the old record is Set back before anything else" \
	    "$(writes)" \
	    "^Set Delete Set $"
	expect_eq "crash: the binding ends on the renewal" \
	    "$(bound_hash 0.0.0.0:8443)" "$b"
	expect_eq "crash: the journal is empty" \
	    "$(journal | grep -c REG_BINARY)" 0
}

# A Set a crash cut short inside the stand-in (its values written but not
# the hash, its commit point): HTTP.sys writes a record whole, so this is
# no record, and certbind creates it as for a port with none.
test_unfinished_set() {
	local a json rc
	reset_state
	a=$(add_cert api.example.test --not-after 30)
	reg_put "$SSLKEY\\0.0.0.0:8443" AppId REG_BINARY "$OTHER" \
	    DefaultSslCtlStoreName REG_SZ Stale
	json=$(certbind plan --json --config "$IP" 2>&1 | tr -d '\r\n '); rc=$?
	expect_match "unfinished: plan creates the record" "$json" \
	    '"action":"create"'
	certbind apply --config "$IP" >/dev/null 2>&1; rc=$?
	expect_eq "unfinished: apply exits 0" "$rc" 0
	expect_eq "unfinished: the record is bound" \
	    "$(bound_hash 0.0.0.0:8443)" "$a"
	expect_eq "unfinished: nothing of the unfinished write is left" \
	    "$(reg_value 0.0.0.0:8443 DefaultSslCtlStoreName)" ""
}

# Records of another AppId: conflict, or takeover keeping their AppId.
test_ownership() {
	local w w2 out rc k="$SNIKEY\\www.example.test:443" p=$TMP/take.yaml
	reset_state
	w=$(add_cert www.example.test --not-after 30)
	reg_put "$k" SslCertHash REG_BINARY "$w" AppId REG_BINARY "$OTHER" \
	    SslCertStoreName REG_SZ MY
	w2=$(add_cert www.example.test --not-after 60)
	printf 'version: 1\nbindings:\n  - name: www\n    endpoint: www.example.test:443\n' \
	    >"$TMP/www.yaml"
	out=$(certbind apply --config "$TMP/www.yaml" 2>&1); rc=$?
	expect_eq "conflict: apply exits 3" "$rc" 3
	expect_eq "conflict: the record is untouched" \
	    "$(bound_hash www.example.test:443 "$SNIKEY")" "$w"
	out=$(certbind plan --config "$TMP/www.yaml" 2>&1); rc=$?
	expect_eq "conflict: plan has nothing to change" "$rc" 0
	expect_match "conflict: plan says conflict" "$out" "^www \\(www.example.test:443\\): conflict"
	printf 'version: 1\nbindings:\n  - name: www\n    endpoint: www.example.test:443\n    takeover: true\n' \
	    >"$p"
	out=$(certbind apply --config "$p" 2>&1); rc=$?
	expect_eq "takeover: apply exits 0" "$rc" 0
	expect_eq "takeover: the hash moved" \
	    "$(bound_hash www.example.test:443 "$SNIKEY")" "$w2"
	expect_eq "takeover: the record keeps its AppId" \
	    "$(reg_value www.example.test:443 AppId "$SNIKEY")" "$OTHER"
}

# Records no binding declares are never touched, not even read.
test_undeclared() {
	local a x k="$SSLKEY\\10.9.9.9:443"
	reset_state
	a=$(add_cert api.example.test --not-after 30)
	x=$(add_cert api.example.test --not-after 90)
	reg_put "$k" SslCertHash REG_BINARY "$a" AppId REG_BINARY "$APPID"
	certbind apply --config "$IP" >/dev/null 2>&1
	expect_eq "undeclared: the declared binding took the best certificate" \
	    "$(bound_hash 0.0.0.0:8443)" "$x"
	expect_eq "undeclared: the other record still holds its certificate" \
	    "$(bound_hash 10.9.9.9:443)" "$a"
	expect_eq "undeclared: no call named it" \
	    "$(calls | grep -c '10.9.9.9')" 0
}

# One failing binding does not stop the others; transient errors retry.
test_failures() {
	local a w out rc
	reset_state
	a=$(add_cert api.example.test --not-after 30)
	w=$(add_cert www.example.test --not-after 30)
	fault Set "1 5"
	out=$(certbind apply --config "$ALL" 2>&1); rc=$?
	expect_eq "one failure: apply exits 1" "$rc" 1
	expect_eq "one failure: the failed binding has no record" \
	    "$(bound_hash '[::]:8443')" ""
	expect_eq "one failure: the next binding was still created" \
	    "$(bound_hash www.example.test:443 "$SNIKEY")" "$w"
	expect_match "one failure: the error names the binding" "$out" \
	    "^ip6: HttpSetServiceConfiguration failed for \\[::\\]:8443: Access denied \\(error 5\\)"
	wine reg delete "$SNIKEY" /f >/dev/null
	fault Set "1 87"
	out=$(certbind apply --config "$TMP/www-only.yaml" 2>&1)
	expect_match "a rejected Set lists the fields written, not 'no SNI'" \
	    "$out" "^www: HttpSetServiceConfiguration failed for www.example.test:443: HTTP.sys rejected the record: hostnameport=www.example.test:443 certhash=$w appid=\\{9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3c6\\} certstorename=MY .*flags=0x0"
	expect_eq "a rejected Set does not blame the Windows version" \
	    "$(printf '%s\n' "$out" | grep -c 'does not support')" 0
	fault Query "1 87"
	out=$(certbind plan --config "$TMP/www-only.yaml" 2>&1); rc=$?
	expect_eq "old Windows: plan exits 1 when the SNI table cannot be read" "$rc" 1
	expect_match "old Windows: and says why" "$out" \
	    "^www: cannot read the HTTP.sys record for www.example.test:443: this Windows version does not support SNI bindings"
	reset_state
	a=$(add_cert api.example.test --not-after 30)
	fault Set "2 1450"
	out=$(certbind apply --config "$IP" 2>&1); rc=$?
	expect_eq "retry: a transient error is retried until it passes" "$rc" 0
	expect_eq "retry: the record is there" "$(bound_hash 0.0.0.0:8443)" "$a"
	expect_eq "retry: three Set calls were made" \
	    "$(calls | grep -c ' Set ')" 3
}

# status lists every record of every kind, declared or not, and what is off.
test_status() {
	local a w w0 out rc
	reset_state
	a=$(add_cert api.example.test --not-after 20)
	w0=$(add_cert www.example.test --not-after 10)
	w=$(add_cert www.example.test --not-after 60)
	certbind apply --config "$ALL" >/dev/null 2>&1
	reg_put "$SSLKEY\\10.9.9.9:443" \
	    SslCertHash REG_BINARY 0011223344556677889900112233445566778899 \
	    AppId REG_BINARY "$OTHER"
	out=$(certbind status --config "$ALL" 2>&1 | tr -d '\r'
	    exit "${PIPESTATUS[0]}"); rc=$?
	expect_eq "status: exits 0" "$rc" 0
	expect_match "status: an undeclared IP record is listed" "$out" \
	    "^ip +10.9.9.9:443 +0011223344556677889900112233445566778899 .*\\(not in the policy\\)"
	expect_match "status: its certificate is not in the store" "$out" \
	    "^     ! certificate not in the store"
	expect_match "status: it takes precedence over the SNI record" "$out" \
	    "^     ! takes precedence over SNI binding www.example.test:443"
	expect_match "status: the SNI record is listed" "$out" \
	    "^sni +www.example.test:443 +$w .* www$"
	expect_match "status: the ccs record is listed" "$out" \
	    "^ccs +ccs:443 +\\(no certificate\\) .*flags 0x400 +central$"
	expect_match "status: the expiring certificate is flagged" "$out" \
	    "^     ! certificate expires [0-9-]+, in (19|20) days"
	expect_match "status: the count" "$out" "^4 SSL bindings in HTTP.sys"
	wine reg add "$SNIKEY\\www.example.test:443" /v SslCertHash \
	    /t REG_BINARY /d "$w0" /f >/dev/null
	wine reg delete "$CCSKEY" /f >/dev/null
	out=$(certbind status --config "$ALL" --json 2>&1)
	expect_eq "status --json: three records" \
	    "$(printf '%s' "$out" | json_get 'len(d["records"])')" 3
	expect_eq "status --json: drift on the changed SNI record" \
	    "$(printf '%s' "$out" | json_get '[r["drift"] for r in d["records"] if r["kind"] == "sni"][0]')" \
	    update-hash
	expect_eq "status --json: the missing ccs record" \
	    "$(printf '%s' "$out" | json_get 'd["missing"][0]["binding"]')" central
	expect_eq "status --json: shadows" \
	    "$(printf '%s' "$out" | json_get '[r["shadows"] for r in d["records"] if r["binding"] is None][0]')" \
	    "['www.example.test:443']"
}

# check says which Windows the newer flags need.
test_check_notes() {
	local out rc
	out=$(certbind check --config "$ALL" 2>&1 | tr -d '\r'
	    exit "${PIPESTATUS[0]}"); rc=$?
	expect_eq "check notes: the policy is valid" "$rc" 0
	expect_match "check notes: disable_legacy_tls names its Windows" "$out" \
	    "^note: disable_legacy_tls \\(used by central\\) needs Windows Server 2019 / Windows 10 1809 \\(build 17763\\) with KB4490481, or later"
	out=$(certbind check --config "$IP" 2>&1 | tr -d '\r'
	    exit "${PIPESTATUS[0]}"); rc=$?
	expect_eq "check notes: the other policy is valid" "$rc" 0
	expect_eq "check notes: none without such flags" \
	    "$(printf '%s\n' "$out" | grep -c '^note:')" 0
}

# reg_text ENDPOINT NAME TABLE: a REG_SZ value whole, spaces included.
reg_text() {
	wine reg query "$3\\$1" /v "$2" 2>/dev/null | tr -d '\r' |
	    sed -n "s/^    $2    REG_SZ    //p"
}

# A record made by hand (by another tool) at SNI key $1 holding hash $2,
# the CTL identifier $3 and CTL store $4; no store name unless $5.
hand_record() {
	local k="$SNIKEY\\$1" v
	v=(SslCertHash REG_BINARY "$2" AppId REG_BINARY "$APPID")
	[ -n "${5:-}" ] && v+=(SslCertStoreName REG_SZ "$5")
	[ -n "$3" ] && v+=(DefaultSslCtlIdentifier REG_SZ "$3")
	[ -n "$4" ] && v+=(DefaultSslCtlStoreName REG_SZ "$4")
	reg_put "$k" "${v[@]}" DefaultFlags REG_DWORD 0x2
}

# N characters: the pattern repeated, cut to length.
long_text() { local t=""; while [ ${#t} -lt "$1" ]; do t="$t$2"; done; printf '%s' "${t:0:$1}"; }

# Long CTL values survive a rotation byte for byte, with Update and with
# Delete+Set (through the journal); a longer one than certbind keeps
# whole is refused and the record left alone.
test_long_values() {
	local w w2 out rc id store run
	id=$(long_text 400 '{Partners CTL 0123456789} ')
	store=$(long_text 100 'Trusted CTL Store ')
	for run in update delete-set; do
		reset_state
		w=$(add_cert www.example.test --not-after 30)
		hand_record www.example.test:443 "$w" "$id" "$store" MY
		w2=$(add_cert www.example.test --not-after 60)
		if [ $run = update ]; then
			out=$(certbind apply --config "$TMP/www-only.yaml" 2>&1); rc=$?
		else
			out=$(certbind_old apply --config "$TMP/www-only.yaml" 2>&1)
			rc=$?
		fi
		expect_eq "long values ($run): apply exits 0" "$rc" 0
		expect_eq "long values ($run): the hash moved" \
		    "$(bound_hash www.example.test:443 "$SNIKEY")" "$w2"
		expect_eq "long values ($run): the 400-character CTL identifier survives" \
		    "$(reg_text www.example.test:443 DefaultSslCtlIdentifier "$SNIKEY")" "$id"
		expect_eq "long values ($run): the 100-character CTL store survives" \
		    "$(reg_text www.example.test:443 DefaultSslCtlStoreName "$SNIKEY")" "$store"
	done

	reset_state
	w=$(add_cert www.example.test --not-after 30)
	id=$(long_text 1025 'x')
	hand_record www.example.test:443 "$w" "$id" CA MY
	add_cert www.example.test --not-after 60 >/dev/null
	rm -f "$WINEPREFIX/drive_c/httpapi-calls.log"
	out=$(certbind apply --config "$TMP/www-only.yaml" 2>&1); rc=$?
	expect_eq "too long: apply exits 1" "$rc" 1
	expect_match "too long: the record is reported, not cut" "$out" \
	    "^www: cannot read the HTTP.sys record for www.example.test:443: the record holds a value longer than certbind keeps whole"
	expect_eq "too long: nothing was written" "$(writes)" ""
	expect_eq "too long: the record still holds its certificate" \
	    "$(bound_hash www.example.test:443 "$SNIKEY")" "$w"
	expect_eq "too long: and its CTL identifier" \
	    "$(reg_text www.example.test:443 DefaultSslCtlIdentifier "$SNIKEY")" "$id"
}

# A record with no store name is in MY: nothing to rewrite.
test_null_store() {
	local w out rc
	reset_state
	w=$(add_cert www.example.test --not-after 30)
	hand_record www.example.test:443 "$w" "" ""
	out=$(certbind plan --config "$TMP/www-only.yaml" 2>&1); rc=$?
	expect_eq "no store name: plan has nothing to change" "$rc" 0
	expect_match "no store name: the record holds the certificate" "$out" \
	    "^www \\(www.example.test:443\\): holds $w"
	rm -f "$WINEPREFIX/drive_c/httpapi-calls.log"
	certbind_old apply --config "$TMP/www-only.yaml" >/dev/null 2>&1
	expect_eq "no store name: apply writes nothing (no Delete+Set)" \
	    "$(writes)" ""
}

# A host HTTP.sys holds in capitals keeps them through Update, the
# journal and a repair.
test_host_case() {
	local w w2 out rc
	reset_state
	w=$(add_cert www.example.test --not-after 30)
	hand_record WWW.Example.test:443 "$w" "" "" MY
	w2=$(add_cert www.example.test --not-after 60)
	rm -f "$WINEPREFIX/drive_c/httpapi-calls.log"
	out=$(certbind apply --config "$TMP/www-only.yaml" 2>&1); rc=$?
	expect_eq "host case: apply exits 0" "$rc" 0
	expect_match "host case: one Update of the record as HTTP.sys names it" \
	    "$(calls)" " Update sni WWW.Example.test:443 0$"
	expect_eq "host case: the record keeps its case" \
	    "$(wine reg query "$SNIKEY" | tr -d '\r' | grep -c '\\WWW.Example.test:443$')" 1
	expect_eq "host case: and holds the renewal" \
	    "$(bound_hash WWW.Example.test:443 "$SNIKEY")" "$w2"

	reset_state
	w=$(add_cert www.example.test --not-after 30)
	hand_record WWW.Example.test:443 "$w" "" "" MY
	w2=$(add_cert www.example.test --not-after 60)
	fault Set crash
	certbind_old apply --config "$TMP/www-only.yaml" >/dev/null 2>&1
	expect_eq "host case: the journal holds the host as HTTP.sys had it" \
	    "$(journal | grep -c '^    WWW.Example.test:443 ')" 1
	rm -f "$WINEPREFIX/drive_c/httpapi-calls.log"
	out=$(certbind_old apply --config "$TMP/www-only.yaml" 2>&1); rc=$?
	expect_eq "host case: the repair run exits 0" "$rc" 0
	expect_match "host case: the repair Sets it back with its case" \
	    "$(calls)" " Set sni WWW.Example.test:443 0$"
	expect_eq "host case: the record ends on the renewal" \
	    "$(bound_hash WWW.Example.test:443 "$SNIKEY")" "$w2"
}

# Junk beside a real entry: the real one is still repaired.
test_journal_junk() {
	local out rc big
	bound_and_renewed
	big=$(long_text 16000 'AB')
	reg_put "$JOURNALKEY" 0-oversized REG_BINARY "$big" \
	    0-short REG_BINARY 00 0-text REG_SZ hello
	fault Set crash
	certbind_old apply --config "$IP" >/dev/null 2>&1
	expect_eq "journal junk: the rotation was interrupted" \
	    "$(bound_hash 0.0.0.0:8443)" ""
	out=$(WINEDEBUG=-all,+eventlog certbind_old apply --config "$IP" 2>&1)
	rc=$?
	expect_match "journal junk: the good entry is repaired (event 303)" "$out" \
	    "warn:eventlog:ReportEventW L\"0.0.0.0:8443: an interrupted rotation had left it unbound; the previous record was put back"
	expect_eq "journal junk: the binding ends on the renewal" \
	    "$(bound_hash 0.0.0.0:8443)" "$NEW"
	expect_match "journal junk: the oversized value is reported by name" "$out" \
	    "err:eventlog:ReportEventW L\"the rotation journal entry '0-oversized' .*cannot be read: its 8000 bytes are not a record"
	expect_match "journal junk: the short value is reported by name" "$out" \
	    "err:eventlog:ReportEventW L\"the rotation journal entry '0-short' .*cannot be read: its 1 bytes"
	expect_match "journal junk: a value of another type is reported" "$out" \
	    "the rotation journal entry '0-text' .*not REG_BINARY"
	expect_eq "journal junk: the junk is left in place" \
	    "$(journal | grep -c '^    0-')" 3
	expect_eq "journal junk: the repaired entry is gone" \
	    "$(journal | grep -c '0.0.0.0:8443')" 0
}

# unusable THUMBPRINT...: HTTP.sys cannot use these certificates' keys.
unusable() {
	wine reg add "$FAULTKEY" /v Unusable /t REG_SZ /d "$*" /f >/dev/null
}

# HTTP.sys refuses the better certificate's key (1312): the next one is
# bound in the same run, and the refusal is reported with the thumbprint.
test_refused_key() {
	local a b c out rc
	reset_state
	a=$(add_cert api.example.test --not-after 30)
	b=$(add_cert api.example.test --not-after 60)
	unusable "$b"
	out=$(WINEDEBUG=-all,+eventlog certbind apply --config "$IP" 2>&1); rc=$?
	expect_eq "refused key: apply exits 1" "$rc" 1
	expect_eq "refused key: the next certificate is bound" \
	    "$(bound_hash 0.0.0.0:8443)" "$a"
	expect_match "refused key: the refusal names the certificate" "$out" \
	    "warn:eventlog:ReportEventW L\"api: HTTP.sys cannot use the private key of certificate $b \\(error 1312\\); it is passed over for this binding until [0-9T:-]+Z, and the next qualifying certificate is tried"
	expect_match "refused key: then the other one is created" "$out" \
	    "^api: created 0.0.0.0:8443 with $a"

	# Bound to a; a renewal c arrives whose key HTTP.sys cannot use.
	c=$(add_cert api.example.test --not-after 90)
	unusable "$b" "$c"
	rm -f "$WINEPREFIX/drive_c/httpapi-calls.log"
	out=$(certbind apply --config "$IP" 2>&1); rc=$?
	expect_eq "refused update: apply exits 1" "$rc" 1
	expect_eq "refused update: the record still holds the usable one" \
	    "$(bound_hash 0.0.0.0:8443)" "$a"
	expect_eq "refused update: both better certificates were tried" \
	    "$(calls | awk '$2 == "Update" { print $5 }' | tr '\n' ' ')" \
	    "1312 1312 "
	expect_match "refused update: and the binding is left on it" "$out" \
	    "^api: 0.0.0.0:8443 already holds $a"

	# The same without HttpUpdateServiceConfiguration: Delete, Set
	# refused, the old record Set back, and no second Delete.
	unusable "$c"
	rm -f "$WINEPREFIX/drive_c/httpapi-calls.log"
	out=$(certbind_old apply --config "$IP" 2>&1); rc=$?
	expect_eq "refused Set: apply exits 1" "$rc" 1
	expect_eq "refused Set: the record ends on the next one" \
	    "$(bound_hash 0.0.0.0:8443)" "$b"
	expect_match "refused Set: Delete, Set refused, restore, then Delete, Set" \
	    "$(writes)" "^Delete Set Set Delete Set $"
	expect_eq "refused Set: the journal is empty" \
	    "$(journal | grep -c REG_BINARY)" 0

	# Every certificate refused: the record is kept, and why is said.
	reset_state
	a=$(add_cert api.example.test --not-after 30)
	unusable "$a"
	out=$(certbind apply --config "$IP" 2>&1); rc=$?
	expect_eq "all refused: apply exits 1" "$rc" 1
	expect_eq "all refused: nothing is bound" "$(bound_hash 0.0.0.0:8443)" ""
	expect_match "all refused: the certificate's reason is given" "$out" \
	    "^  $a: HTTP.sys could not use its private key \\(error 1312\\)"
}

# gone_during APPLY_FUNCTION THUMBPRINT: run the apply, and while the
# stand-in holds its first Query open (after certbind has read the store),
# take the certificate THUMBPRINT out of the store, then release the
# Query (a fixed delay could end first on a loaded machine).  Output in
# $OUT, status in $RC.
gone_during() {
	rm -f "$WINEPREFIX/drive_c/httpapi-calls.log" \
	    "$WINEPREFIX/drive_c/httpapi-release"
	fault Query "hold 60000"
	"$1" apply --config "$IP" >"$TMP/gone.out" 2>&1 &
	local pid=$!
	wait_for 20 called Query
	# Its key stays: the plan, made after the Query, finds the key usable,
	# and only HTTP.sys finds the certificate gone.
	certmk unlist "$2" >/dev/null
	release
	wait "$pid"
	RC=$?
	OUT=$(tr -d '\r' <"$TMP/gone.out")
}

# The chosen certificate leaves the store between certbind's read of the
# store and its write: HTTP.sys answers 1312 as for a key it cannot use,
# but the key is not at fault.  The binding is planned again without the
# certificate, nothing is passed over for later, and nothing failed.
test_cert_gone() {
	local a b
	reset_state
	a=$(add_cert api.example.test --not-after 30)
	certbind apply --config "$IP" >/dev/null 2>&1
	b=$(add_cert api.example.test --not-after 60)
	gone_during certbind "$b"
	expect_eq "gone: apply exits 0" "$RC" 0
	expect_eq "gone: the Update was refused, and nothing more written" \
	    "$(writes)" "Update "
	expect_eq "gone: the record keeps the certificate still there" \
	    "$(bound_hash 0.0.0.0:8443)" "$a"
	expect_match "gone: what happened is said" "$OUT" \
	    "api: certificate $b left LocalMachine\\\\My after certbind read the store; 0.0.0.0:8443 was left as it was, and the binding is planned again without it"
	expect_eq "gone: no key is blamed" \
	    "$(printf '%s\n' "$OUT" | grep -c 'private key\|\[302\]')" 0
	expect_match "gone: the binding is planned again" "$OUT" \
	    "^api: 0.0.0.0:8443 already holds $a"

	# Delete then Set: the refused Set is undone, then the same.
	b=$(add_cert api.example.test --not-after 60)
	gone_during certbind_old "$b"
	expect_eq "gone, Delete+Set: apply exits 0" "$RC" 0
	expect_eq "gone, Delete+Set: Delete, Set refused, the old record Set back" \
	    "$(writes)" "Delete Set Set "
	expect_eq "gone, Delete+Set: the record keeps the certificate still there" \
	    "$(bound_hash 0.0.0.0:8443)" "$a"
	expect_match "gone, Delete+Set: the restore is said" "$OUT" \
	    "the previous record for 0.0.0.0:8443 was put back"
	expect_match "gone, Delete+Set: and why" "$OUT" \
	    "^api: certificate $b left LocalMachine.* planned again without it"
	expect_eq "gone, Delete+Set: the journal is empty" \
	    "$(journal | grep -c REG_BINARY)" 0
}

# A record certbind cannot parse is a row of its own; the others go on.
test_unreadable() {
	local a w out rc
	reset_state
	a=$(add_cert api.example.test --not-after 30)
	w=$(add_cert www.example.test --not-after 30)
	certbind apply --config "$ALL" >/dev/null 2>&1
	wine reg add "$SSLKEY\\10.9.9.9:443" /v SslCertHash /t REG_BINARY \
	    /d "$a" /f >/dev/null
	wine reg add "$SSLKEY\\not-an-address" /v SslCertHash /t REG_BINARY \
	    /d "$a" /f >/dev/null
	wine reg add "$FAULTKEY" /v Corrupt /t REG_SZ /d 10.9.9.9:443 /f >/dev/null
	out=$(certbind status --config "$ALL" 2>&1); rc=$?
	out=$(printf '%s\n' "$out" | tr -d '\r')
	expect_eq "unreadable: status exits 1 after printing" "$rc" 1
	expect_match "unreadable: the readable records are listed" "$out" \
	    "^sni +www.example.test:443 +$w .* www$"
	expect_match "unreadable: the corrupt record is a row" "$out" \
	    "^ip +\\(address family 48879\\) +cannot be read: its address family 48879 is neither IPv4 nor IPv6 \\(error 13\\)"
	expect_match "unreadable: so is the one Query fails on" "$out" \
	    "^ip +\\(record [0-9]+ of its kind\\) +cannot be read: .*\\(error 13\\)"
	expect_match "unreadable: the count" "$out" \
	    "^3 SSL bindings in HTTP.sys, 2 that cannot be read"
	out=$(certbind status --config "$ALL" --json 2>/dev/null)
	expect_eq "unreadable: status --json lists them" \
	    "$(printf '%s' "$out" | json_get '[(r["kind"], r["error"]) for r in d["unreadable"]]')" \
	    "[('ip', 13), ('ip', 13)]"

	# A declared record that cannot be read: plan shows every binding.
	wine reg add "$FAULTKEY" /v Corrupt /t REG_SZ /d '[::]:8443' /f >/dev/null
	out=$(certbind plan --config "$ALL" 2>&1); rc=$?
	out=$(printf '%s\n' "$out" | tr -d '\r')
	expect_eq "unreadable: plan exits 1" "$rc" 1
	expect_match "unreadable: plan shows the broken one as a row" "$out" \
	    "^ip6 \\(\\[::\\]:8443\\): the HTTP.sys record cannot be read \\(Invalid data \\(error 13\\)\\); left alone"
	expect_match "unreadable: and the others" "$out" \
	    "^www \\(www.example.test:443\\): holds $w"
	out=$(certbind plan --config "$ALL" --json 2>/dev/null)
	expect_eq "unreadable: plan --json says unreadable, with the error" \
	    "$(printf '%s' "$out" | json_get '[(b["action"], (b["error"] or {}).get("code")) for b in d["bindings"]]')" \
	    "[('unreadable', 13), ('none', None), ('none', None)]"
	out=$(certbind status --config "$ALL" 2>&1 | tr -d '\r')
	expect_match "unreadable: status names the binding whose record it is" \
	    "$out" "^ip +\\[::\\]:8443 +cannot be read: Invalid data \\(error 13\\) ip6$"
	expect_eq "unreadable: and does not call it missing" \
	    "$(printf '%s\n' "$out" | grep -c 'declared, but HTTP.sys has no record')" 0
	add_cert www.example.test --not-after 60 >/dev/null
	out=$(certbind apply --config "$ALL" 2>&1); rc=$?
	expect_eq "unreadable: apply exits 1" "$rc" 1
	expect_eq "unreadable: apply leaves that record alone" \
	    "$(bound_hash '[::]:8443')" "$a"
	expect_match "unreadable: and rotates the others" "$out" \
	    "^www: updated www.example.test:443 from $w"
}

# The listing misses a declared record that is there (one QueryNext of
# it fails, or it was rewritten while status listed): status finds it by
# its key and shows it, and never says it has no record.
test_listing_misses() {
	local a out rc
	reset_state
	a=$(add_cert api.example.test --not-after 30)
	add_cert www.example.test --not-after 30 >/dev/null
	certbind apply --config "$ALL" >/dev/null 2>&1
	for f in "1 5" "1 2"; do
		fault 'QueryNext@[::]:8443' "$f"
		out=$(certbind status --config "$ALL" 2>&1 | tr -d '\r')
		expect_eq "listing misses it ($f): not called missing" \
		    "$(printf '%s\n' "$out" | grep -c 'declared, but HTTP.sys has no record')" 0
		expect_match "listing misses it ($f): its record is shown" "$out" \
		    "^ip +\\[::\\]:8443 +$a .* ip6$"
	done
	wine reg delete "$FAULTKEY" /f >/dev/null 2>&1
}

json_get() {   # json_get EXPRESSION: evaluate on the JSON from stdin
	python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"
}

test_kinds
test_status
test_sni_read_modify_write
test_delete_then_set
test_rollback
test_crash_repair
test_unfinished_set
test_ownership
test_undeclared
test_failures
test_long_values
test_null_store
test_host_case
test_journal_junk
test_check_notes
test_refused_key
test_cert_gone
test_unreadable
test_listing_misses
tap_end
