#!/bin/sh
# libyaml.sh - fetch libyaml's source from Debian and build it for Windows.
#
# Debian packages no libyaml for mingw, so the source package is fetched
# with `apt-get source` through a private apt configuration under OUTDIR
# (deb-src twins of the machine's own Debian sources; /etc/apt is only
# read), checked against the sha256 pinned in libyaml.sha256, and compiled
# into OUTDIR/libyaml.a with the cross compiler.
#
# usage: libyaml.sh OUTDIR
set -eu

out=${1:?usage: libyaml.sh OUTDIR}
cross=${CROSS:-x86_64-w64-mingw32-}
here=$(cd "$(dirname "$0")" && pwd)
version=0.2.5
tarball=libyaml_$version.orig.tar.gz
apt=$out/apt

mkdir -p "$out/src" "$out/include" "$out/obj"
out=$(cd "$out" && pwd)
apt=$out/apt

verified() {
	[ -f "$out/src/$tarball" ] &&
	    (cd "$out/src" && sha256sum -c --status "$here/libyaml.sha256")
}

fetch() {
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" \
	    "$apt/sources.list.d"
	: > "$apt/sources.list"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" \
		    >> "$apt/sources.list"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		sed 's/^Types:.*$/Types: deb-src/' "$f" \
		    > "$apt/sources.list.d/$(basename "$f")"
	done
	set -- -o "Dir::Etc::SourceList=$apt/sources.list" \
	    -o "Dir::Etc::SourceParts=$apt/sources.list.d" \
	    -o "Dir::State::Lists=$apt/lists" \
	    -o "Dir::Cache=$apt/cache" -o Debug::NoLocking=1
	[ "$(id -u)" -ne 0 ] || set -- "$@" -o APT::Sandbox::User=root
	echo "libyaml: fetching the Debian source package"
	apt-get "$@" -qq update
	(cd "$out/src" && apt-get "$@" -qq source --download-only \
	    "libyaml=$version-1")
}

if ! verified; then
	rm -f "$out/src/$tarball"
	fetch
	if ! verified; then
		echo "libyaml: $tarball does not match the sha256 pinned in" \
		    "build-aux/libyaml.sha256; refusing to build it" >&2
		exit 1
	fi
fi

rm -rf "$out/src/libyaml-$version" "$out/obj"/*.o
tar -xzf "$out/src/$tarball" -C "$out/src"
srcdir=$out/src/libyaml-$version
for c in "$srcdir"/src/*.c; do
	"${cross}gcc" -O2 -DYAML_DECLARE_STATIC -DYAML_VERSION_MAJOR=0 \
	    -DYAML_VERSION_MINOR=2 -DYAML_VERSION_PATCH=5 \
	    -DYAML_VERSION_STRING='"0.2.5"' -I"$srcdir/include" \
	    -c "$c" -o "$out/obj/$(basename "$c" .c).o"
done
cp "$srcdir/include/yaml.h" "$out/include/"
rm -f "$out/libyaml.a"
"${cross}ar" rcs "$out/libyaml.a" "$out/obj"/*.o
echo "libyaml: built $out/libyaml.a"
