#!/usr/bin/env bash
# test_release.sh - what a release carries: the MIT LICENSE, a CHANGELOG
# whose top entry is the version certbind.exe prints, and the archive
# build-aux/dist.sh (make dist) builds - its entries, SHA256SUMS, and the
# same bytes when built twice.
. "$(dirname "$0")/lib.sh"
suite_prefix

TMP=build/tmp/test_release
rm -rf "$TMP"
mkdir -p "$TMP/out"

test_license() {
	expect_eq "LICENSE: MIT" "$(head -n 1 LICENSE)" "MIT License"
	expect_match "LICENSE: copyright the certbind authors, 2026" \
	    "$(cat LICENSE)" "^Copyright \\(c\\) 2026 The certbind authors$"
}

test_changelog() {
	local printed top
	printed=$(certbind version | tr -d '\r' | sed -n 's/^certbind //p')
	top=$(sed -n 's/^## \[\([^]]*\)\].*/\1/p' CHANGELOG.md | head -n 1)
	expect_eq "CHANGELOG: the top entry is the version certbind prints" \
	    "$top" "$printed"
	expect_match "CHANGELOG: the top entry is dated" \
	    "$(grep -m1 '^## \[' CHANGELOG.md)" \
	    "^## \\[$printed\\] - [0-9]{4}-[0-9]{2}-[0-9]{2}$"
	expect_match "CHANGELOG: Keep a Changelog sections" \
	    "$(cat CHANGELOG.md)" "^### Added$"
}

# The archive from a copy of the exe and a stand-in MSI (dist.sh copies
# the MSI as it is; the installer's own tests build the real one).
VERSION=$(cat VERSION)
NAME=certbind-$VERSION-x64
dist() { sh build-aux/dist.sh "$1" "$TMP/out/certbind.exe" "$TMP/out/$NAME.msi" "$TMP/out"; }

test_dist() {
	local out rc want first
	cp "$BIN/certbind.exe" "$TMP/out/certbind.exe"
	printf 'stand-in MSI\n' >"$TMP/out/$NAME.msi"
	out=$(dist "$VERSION" 2>&1); rc=$?
	expect_eq "dist: exits 0" "$rc" 0
	want=$(printf '%s\n' CHANGELOG.md LICENSE README.md "$NAME.msi" \
	    certbind.exe config/certbind.schema.json \
	    $(cd config/examples && ls | sed 's|^|config/examples/|') |
	    sed "s|^|$NAME/|" | LC_ALL=C sort)
	expect_eq "dist: the zip holds the release files, sorted, in one folder" \
	    "$(unzip -Z1 "$TMP/out/$NAME.zip" 2>&1)" "$want"
	mkdir -p "$TMP/unzipped"
	(cd "$TMP/unzipped" && unzip -q "../out/$NAME.zip")
	if cmp -s "$TMP/unzipped/$NAME/certbind.exe" "$BIN/certbind.exe" &&
	    cmp -s "$TMP/unzipped/$NAME/README.md" README.md &&
	    cmp -s "$TMP/unzipped/$NAME/config/certbind.schema.json" \
	    config/certbind.schema.json &&
	    diff -r "$TMP/unzipped/$NAME/config/examples" config/examples >/dev/null; then
		ok "dist: its files are the sources, byte for byte"
	else
		not_ok "dist: its files are the sources, byte for byte"
	fi
	expect_eq "dist: SHA256SUMS names the zip, the MSI and the exe" \
	    "$(awk '{ print $2 }' "$TMP/out/SHA256SUMS" | tr '\n' ' ')" \
	    "$NAME.zip $NAME.msi certbind.exe "
	out=$(cd "$TMP/out" && sha256sum -c SHA256SUMS 2>&1); rc=$?
	expect_eq "dist: sha256sum -c SHA256SUMS passes" "$rc" 0

	first=$(sha256sum <"$TMP/out/$NAME.zip")
	sleep 1.1
	dist "$VERSION" >/dev/null 2>&1
	expect_eq "dist: built again a second later, the zip is the same bytes" \
	    "$(sha256sum <"$TMP/out/$NAME.zip")" "$first"

	rm -f "$TMP/out/certbind-9.9.9-x64.zip"
	out=$(dist 9.9.9 2>&1); rc=$?
	expect_eq "dist: a version the CHANGELOG does not describe fails" "$rc" 1
	expect_match "dist: saying so" "$out" \
	    "CHANGELOG.md's top entry is '$VERSION', not 9.9.9"
	if [ -e "$TMP/out/certbind-9.9.9-x64.zip" ]; then
		not_ok "dist: and writes no zip"
	else
		ok "dist: and writes no zip"
	fi
}

test_make_dist() {
	local out rc
	if ! make -n --no-print-directory msi >/dev/null 2>&1; then
		T_NUM=$((T_NUM + 1))
		echo "ok $T_NUM # skip make dist: this tree has no msi target"
		return
	fi
	out=$(make -s --no-print-directory dist 2>&1); rc=$?
	expect_eq "make dist: exits 0" "$rc" 0
	out=$(cd build && sha256sum -c SHA256SUMS 2>&1); rc=$?
	expect_eq "make dist: build/SHA256SUMS checks build/'s files" "$rc" 0
	expect_match "make dist: the zip holds the MSI" \
	    "$(unzip -Z1 "build/$NAME.zip" 2>&1)" "^$NAME/$NAME.msi$"
}

test_license
test_changelog
test_dist
with_build_lock test_make_dist
tap_end
