#!/usr/bin/env bash
# test_version.sh - the version lives in VERSION only: `certbind version`
# prints it, and certbind.exe's VERSIONINFO resource (what Explorer's
# Properties and Windows Installer read) carries it beside the Event Log
# message table.  `make VERSION=x.y.z` rebuilds both, and a plain make
# afterwards puts the file's version back.
. "$(dirname "$0")/lib.sh"
suite_prefix

TMP=build/tmp/test_version
rm -rf "$TMP"
mkdir -p "$TMP"
# The copies below run beside the stand-in httpapi.dll, as in build/test.
cp "$BIN/httpapi.dll" "$TMP/"
VERSION=$(cat VERSION)

# verinfo_of EXE: its VERSIONINFO as tests/tools/verinfo.c prints it.
verinfo_of() { wine "$BIN/verinfo.exe" "$1" 2>&1 | tr -d '\r'; }
field() { printf '%s\n' "$1" | sed -n "s/^$2=//p"; }

test_cli() {
	expect_eq "certbind version prints VERSION" \
	    "$(certbind version | tr -d '\r')" "certbind $VERSION"
	expect_eq "certbind --version too" \
	    "$(certbind --version | tr -d '\r')" "certbind $VERSION"
}

test_resource() {
	local info
	info=$(verinfo_of "$BIN/certbind.exe")
	expect_eq "VERSIONINFO: FILEVERSION and PRODUCTVERSION are VERSION" \
	    "$(printf '%s\n' "$info" | sed -n 's/^fixed //p')" \
	    "$VERSION.0 $VERSION.0"
	expect_eq "VERSIONINFO: the strings are US English, Unicode" \
	    "$(printf '%s\n' "$info" | sed -n 's/^translation //p')" 040904B0
	expect_eq "VERSIONINFO: FileVersion" "$(field "$info" FileVersion)" \
	    "$VERSION"
	expect_eq "VERSIONINFO: ProductVersion" \
	    "$(field "$info" ProductVersion)" "$VERSION"
	expect_eq "VERSIONINFO: ProductName" "$(field "$info" ProductName)" \
	    certbind
	expect_eq "VERSIONINFO: OriginalFilename" \
	    "$(field "$info" OriginalFilename)" certbind.exe
	expect_eq "VERSIONINFO: InternalName" "$(field "$info" InternalName)" \
	    certbind
	expect_match "VERSIONINFO: CompanyName" "$(field "$info" CompanyName)" \
	    "certbind authors"
	expect_match "VERSIONINFO: FileDescription" \
	    "$(field "$info" FileDescription)" "HTTP.sys"
	expect_match "VERSIONINFO: LegalCopyright names the licence" \
	    "$(field "$info" LegalCopyright)" "Copyright .* MIT"
	expect_eq "the Event Log message table is still in the exe" \
	    "$(printf '%s\n' "$info" | sed -n 's/^messagetable //p')" yes
}

# A version Windows Installer or VS_FIXEDFILEINFO cannot hold is refused
# and writes no header.
test_refused() {
	local v out rc
	for v in 1.2 1.2.3.4 01.2.3 256.0.0 1.256.0 1.2.65536 1.2.3-rc1 ""; do
		out=$(sh build-aux/version.sh "$v" "$TMP/version.h" 2>&1); rc=$?
		if [ "$rc" -ne 0 ] && [ ! -e "$TMP/version.h" ] &&
		    printf '%s' "$out" | grep -q "'$v'"; then
			ok "version '$v' is refused, naming it"
		else
			not_ok "version '$v' is refused, naming it" "rc $rc: $out"
		fi
	done
}

# make VERSION=x.y.z rebuilds the exe with x.y.z; make rebuilds it back.
test_override() {
	local out rc before
	out=$(make -s --no-print-directory VERSION=9.8.7 build/certbind.exe 2>&1)
	rc=$?
	expect_eq "make VERSION=9.8.7 builds" "$rc" 0
	cp build/certbind.exe "$TMP/override.exe"
	out=$(make -s --no-print-directory build/certbind.exe 2>&1); rc=$?
	expect_eq "a plain make afterwards builds" "$rc" 0
	cp build/certbind.exe "$TMP/plain.exe"
	expect_eq "override: certbind version says 9.8.7" \
	    "$(wine "$TMP/override.exe" version | tr -d '\r')" "certbind 9.8.7"
	expect_eq "override: the VERSIONINFO says 9.8.7" \
	    "$(verinfo_of "$TMP/override.exe" | sed -n 's/^fixed //p')" \
	    "9.8.7.0 9.8.7.0"
	expect_eq "after it: certbind version is VERSION again" \
	    "$(wine "$TMP/plain.exe" version | tr -d '\r')" "certbind $VERSION"
	expect_eq "after it: the VERSIONINFO is VERSION again" \
	    "$(verinfo_of "$TMP/plain.exe" | sed -n 's/^FileVersion=//p')" \
	    "$VERSION"
	before=$(stat -c %Y.%y build/certbind.exe)
	make -s --no-print-directory build/certbind.exe >/dev/null 2>&1
	expect_eq "and a third make rebuilds nothing" \
	    "$(stat -c %Y.%y build/certbind.exe)" "$before"
}

test_cli
test_resource
test_refused
with_build_lock test_override
tap_end
