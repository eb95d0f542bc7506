#!/bin/sh
# dist.sh - the release archive and its checksums.
#
#   sh build-aux/dist.sh VERSION EXE MSI OUTDIR
#
# Writes OUTDIR/certbind-VERSION-x64.zip, holding one folder of that name
# with certbind.exe, the MSI, README.md, LICENSE, CHANGELOG.md,
# config/certbind.schema.json and config/examples/, and OUTDIR/SHA256SUMS
# (sha256sum format) for the zip, the MSI and the exe, named as they sit
# beside it in OUTDIR.
#
# The zip is the same bytes from the same inputs: entries sorted, every
# file 0644 with the same time (SOURCE_DATE_EPOCH, else the last commit's
# time), no extra fields (zip -X), no folder entries, times in UTC.
set -eu

[ $# -eq 4 ] || { echo "usage: dist.sh VERSION EXE MSI OUTDIR" >&2; exit 2; }
version=$1
exe=$2
msi=$3
out=$4
name=certbind-$version-x64

for f in "$exe" "$msi" README.md LICENSE CHANGELOG.md \
    config/certbind.schema.json; do
	[ -f "$f" ] || { echo "dist: $f is missing" >&2; exit 1; }
done
# The archive's CHANGELOG must describe the version it ships.
top=$(sed -n 's/^## \[\([^]]*\)\].*/\1/p' CHANGELOG.md | head -n 1)
if [ "$top" != "$version" ]; then
	echo "dist: CHANGELOG.md's top entry is '$top', not $version" >&2
	exit 1
fi
command -v zip >/dev/null 2>&1 || {
	echo "dist: zip is not installed (make bootstrap)" >&2
	exit 1
}

epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || true)}
[ -n "$epoch" ] || epoch=1767225600            # 2026-01-01T00:00:00Z

stage=$out/dist.tmp
rm -rf "$stage"
mkdir -p "$stage/$name/config/examples"
cp "$exe" "$stage/$name/certbind.exe"
cp "$msi" "$stage/$name/$(basename "$msi")"
cp README.md LICENSE CHANGELOG.md "$stage/$name/"
cp config/certbind.schema.json "$stage/$name/config/"
cp config/examples/* "$stage/$name/config/examples/"
find "$stage/$name" -type f -exec chmod 0644 {} +
find "$stage/$name" -exec touch -h -d "@$epoch" {} +

zip=$out/$name.zip
rm -f "$zip" "$zip.tmp"
(cd "$stage" && find "$name" -type f | LC_ALL=C sort |
    TZ=UTC zip -q -X -D -@ "$name.zip.tmp")
mv -f "$stage/$name.zip.tmp" "$zip"
rm -rf "$stage"

# sha256sum prints the name it was given: hash each file from its own
# folder so that the names are those beside SHA256SUMS.
sums=$out/SHA256SUMS
: >"$sums.tmp"
for f in "$zip" "$msi" "$exe"; do
	(cd "$(dirname "$f")" && sha256sum "$(basename "$f")") >>"$sums.tmp"
done
mv -f "$sums.tmp" "$sums"
echo "$zip"
echo "$sums"
