#!/usr/bin/env bash
# test_sign.sh - Authenticode signing (build-aux/sign.sh, behind make
# sign) with a throwaway code-signing certificate made here: certbind.exe
# and an MSI are signed with SHA-256 and pass `osslsigncode verify`, a
# tampered copy does not, and a failed signing leaves the file as it was.
# Copies are signed, never build/certbind.exe itself.
. "$(dirname "$0")/lib.sh"
suite_prefix

TMP=build/tmp/test_sign
rm -rf "$TMP"
mkdir -p "$TMP"
PFX=$TMP/signing.pfx
PASS='pass phrase with spaces'

# A self-signed code-signing certificate, valid for two days, and its
# PKCS#12 file; the verifier trusts it as a root.
make_certificate() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
	    -subj "/CN=certbind test signing" \
	    -addext "keyUsage=critical,digitalSignature" \
	    -addext "extendedKeyUsage=codeSigning" \
	    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null &&
	openssl pkcs12 -export -inkey "$TMP/key.pem" -in "$TMP/cert.pem" \
	    -out "$PFX" -passout "pass:$PASS"
}

# A throwaway MSI holding one file (the real one is installer/'s).
make_msi() {
	cat >"$TMP/tiny.wxs" <<'WXS'
<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="*" Name="certbind signing test" Language="1033" Version="1.0.0"
      Manufacturer="certbind tests" UpgradeCode="6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b">
    <Package InstallerVersion="500" Compressed="yes" InstallScope="perMachine"/>
    <Media Id="1" Cabinet="tiny.cab" EmbedCab="yes"/>
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFiles64Folder">
        <Directory Id="INSTALLFOLDER" Name="certbind-signing-test">
          <Component Id="Exe" Guid="*" Win64="yes">
            <File Id="Exe" Source="certbind.exe" KeyPath="yes"/>
          </Component>
        </Directory>
      </Directory>
    </Directory>
    <Feature Id="Main" Level="1"><ComponentRef Id="Exe"/></Feature>
  </Product>
</Wix>
WXS
	(cd "$TMP" && wixl -a x64 -o tiny.msi tiny.wxs)
}

sign() { SIGN_PFX=$PFX SIGN_PASS=$PASS sh build-aux/sign.sh "$@"; }
verify() { osslsigncode verify -CAfile "$TMP/cert.pem" -in "$1" 2>&1; }
verifies() { verify "$1" >/dev/null; }

# flip_byte FILE OFFSET: change one byte of FILE in place.
flip_byte() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $(((b + 1) % 256)))" |
	    dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

test_sign_exe() {
	local out rc
	cp "$BIN/certbind.exe" "$TMP/certbind.exe"
	cp "$BIN/httpapi.dll" "$TMP/"
	if verifies "$TMP/certbind.exe"; then
		not_ok "exe: unsigned, it does not verify"
	else
		ok "exe: unsigned, it does not verify"
	fi
	out=$(sign "$TMP/certbind.exe" 2>&1); rc=$?
	expect_eq "exe: signing exits 0" "$rc" 0
	out=$(verify "$TMP/certbind.exe"); rc=$?
	expect_eq "exe: osslsigncode verify accepts it" "$rc" 0
	expect_match "exe: the signature is good" "$out" \
	    "^Signature verification: ok"
	expect_match "exe: SHA-256" "$out" "Message digest algorithm *: SHA256"
	expect_match "exe: signed by the certificate given" "$out" \
	    "Subject: /CN=certbind test signing"
	expect_eq "exe: the signed exe still runs" \
	    "$(wine "$TMP/certbind.exe" version | tr -d '\r')" \
	    "certbind $(cat VERSION)"
	out=$(sign "$TMP/certbind.exe" 2>&1); rc=$?
	expect_eq "exe: signing it again exits 0" "$rc" 0
	expect_match "exe: and replaces the signature rather than adding one" \
	    "$(verify "$TMP/certbind.exe")" "Number of verified signatures: 1"

	cp "$TMP/certbind.exe" "$TMP/tampered.exe"
	flip_byte "$TMP/tampered.exe" 4096
	if cmp -s "$TMP/certbind.exe" "$TMP/tampered.exe"; then
		not_ok "exe: (the copy was tampered with)"
	elif verifies "$TMP/tampered.exe"; then
		not_ok "exe: a tampered copy fails verification" \
		    "$(verify "$TMP/tampered.exe" | tail -3)"
	else
		ok "exe: a tampered copy fails verification"
	fi
}

test_sign_msi() {
	local out rc
	if ! make_msi >"$TMP/wixl.log" 2>&1; then
		not_ok "msi: wixl builds the throwaway MSI" "$(cat "$TMP/wixl.log")"
		return
	fi
	out=$(sign "$TMP/tiny.msi" 2>&1); rc=$?
	expect_eq "msi: signing exits 0" "$rc" 0
	out=$(verify "$TMP/tiny.msi"); rc=$?
	expect_eq "msi: osslsigncode verify accepts it" "$rc" 0
	expect_match "msi: SHA-256" "$out" "Message digest algorithm *: SHA256"
	cp "$TMP/tiny.msi" "$TMP/tampered.msi"
	flip_byte "$TMP/tampered.msi" $(($(stat -c %s "$TMP/tiny.msi") / 2))
	if verifies "$TMP/tampered.msi"; then
		not_ok "msi: a tampered copy fails verification"
	else
		ok "msi: a tampered copy fails verification"
	fi
}

# Signing that fails leaves the file untouched and no temporary behind.
test_failures() {
	local out rc
	cp "$BIN/certbind.exe" "$TMP/plain.exe"
	out=$(SIGN_PFX=$PFX SIGN_PASS=wrong sh build-aux/sign.sh \
	    "$TMP/plain.exe" 2>&1); rc=$?
	expect_eq "wrong password: exits 1" "$rc" 1
	expect_match "wrong password: says the file is unchanged" "$out" \
	    "plain.exe was not signed; it is unchanged"
	if cmp -s "$BIN/certbind.exe" "$TMP/plain.exe" &&
	    [ ! -e "$TMP/plain.exe.signing" ]; then
		ok "wrong password: the file is as it was, no temporary left"
	else
		not_ok "wrong password: the file is as it was, no temporary left"
	fi
	# Nothing listens on port 9 here: the time-stamp authority is asked,
	# and its absence fails the signing as a whole.
	out=$(SIGN_PFX=$PFX SIGN_PASS=$PASS \
	    SIGN_TIMESTAMP_URL=http://127.0.0.1:9/ sh build-aux/sign.sh \
	    "$TMP/plain.exe" 2>&1); rc=$?
	expect_eq "timestamp: an unreachable authority fails the signing" "$rc" 1
	expect_match "timestamp: it is asked by RFC 3161" "$out" \
	    "RFC 3161 timestamping failed"
	if cmp -s "$BIN/certbind.exe" "$TMP/plain.exe"; then
		ok "timestamp: the file is as it was"
	else
		not_ok "timestamp: the file is as it was"
	fi
	out=$(SIGN_PFX= sh build-aux/sign.sh "$TMP/plain.exe" 2>&1); rc=$?
	expect_eq "no SIGN_PFX: exits 1" "$rc" 1
	expect_match "no SIGN_PFX: says how to give it" "$out" \
	    "make sign SIGN_PFX=FILE.pfx"
}

# make sign: unsigned builds stay the default; signing needs SIGN_PFX,
# and signs the exe before the MSI is built from it.
test_make_sign() {
	local out rc before
	before=$(stat -c %Y.%y build/certbind.exe)
	out=$(make -s --no-print-directory sign SIGN_PFX= 2>&1); rc=$?
	if [ "$rc" -ne 0 ] && printf '%s' "$out" | grep -q "SIGN_PFX is not set"; then
		ok "make sign without SIGN_PFX fails, saying so"
	else
		not_ok "make sign without SIGN_PFX fails, saying so" "rc $rc: $out"
	fi
	expect_eq "make sign without SIGN_PFX leaves certbind.exe alone" \
	    "$(stat -c %Y.%y build/certbind.exe)" "$before"
	if verifies build/certbind.exe; then
		not_ok "a plain build is unsigned"
	else
		ok "a plain build is unsigned"
	fi
	# Dry run: the order of the signing steps, around the msi target.
	if ! make -n --no-print-directory msi >/dev/null 2>&1; then
		T_NUM=$((T_NUM + 1))
		echo "ok $T_NUM # skip make sign's order: this tree has no msi target"
		return
	fi
	out=$(make -n --no-print-directory sign SIGN_PFX="$PFX" 2>&1 |
	    sed -n 's/^.*build-aux\/sign\.sh /sign /p' | tr '\n' ' ')
	expect_eq "make sign signs the exe, then the MSI built from it" "$out" \
	    "sign build/certbind.exe sign build/certbind-$(cat VERSION)-x64.msi "
}

if make_certificate; then
	ok "a throwaway code-signing certificate"
	test_sign_exe
	test_sign_msi
	test_failures
	with_build_lock test_make_sign
else
	not_ok "a throwaway code-signing certificate"
fi
tap_end
