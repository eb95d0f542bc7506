#!/bin/sh
# bootstrap.sh - install what building and testing certbind needs.
#
# Arguments name extra packages (make fuzz adds clang's).  Quiet and quick
# when everything is present.  As root it installs what is missing with
# apt-get; otherwise it prints the command to run and fails.
set -eu

packages="make gcc mingw-w64 wine wine64 libyaml-dev libcmocka-dev
pkg-config ca-certificates xz-utils python3 python3-yaml python3-jsonschema
wixl msitools
$*"

missing=""
for p in $packages; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "certbind needs these Debian packages:$missing" >&2
	echo "install them as root with:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "bootstrap: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq $missing >/dev/null
