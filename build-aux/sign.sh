#!/bin/sh
# sign.sh - sign Windows files with Authenticode (osslsigncode), SHA-256.
#
#   SIGN_PFX=FILE [SIGN_PASS=...] [SIGN_TIMESTAMP_URL=URL] sh build-aux/sign.sh FILE...
#
# SIGN_PFX is a PKCS#12 file holding a code-signing certificate and its
# key; SIGN_PASS its password (read by osslsigncode from a private
# temporary file, never from its command line, where `ps` would show it);
# SIGN_TIMESTAMP_URL an RFC 3161 time-stamp authority, so that the
# signature stays valid after the certificate expires.  A file that is
# already signed gets the new signature in place of the old one.
#
# Each file is signed into FILE.signing and renamed over FILE only once
# signing has succeeded: a failure (bad password, unreachable time-stamp
# authority) leaves FILE as it was.
set -eu

if [ $# -eq 0 ]; then
	echo "usage: SIGN_PFX=FILE [SIGN_PASS=...] [SIGN_TIMESTAMP_URL=URL]" \
	    "sh build-aux/sign.sh FILE..." >&2
	exit 2
fi
if [ -z "${SIGN_PFX:-}" ]; then
	echo "sign: SIGN_PFX is not set: make sign SIGN_PFX=FILE.pfx" \
	    "[SIGN_PASS=...] [SIGN_TIMESTAMP_URL=URL]" >&2
	exit 1
fi
if [ ! -f "$SIGN_PFX" ] || [ ! -r "$SIGN_PFX" ]; then
	echo "sign: cannot read the PKCS#12 file '$SIGN_PFX'" >&2
	exit 1
fi
command -v osslsigncode >/dev/null 2>&1 || {
	echo "sign: osslsigncode is not installed (make bootstrap)" >&2
	exit 1
}

passfile=$(umask 077 && mktemp)
tmp=
cleanup() {
	rm -f "$passfile"
	[ -z "$tmp" ] || rm -f "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
printf '%s' "${SIGN_PASS:-}" >"$passfile"

# sign_one IN OUT
sign_one() {
	if [ -n "${SIGN_TIMESTAMP_URL:-}" ]; then
		osslsigncode sign -pkcs12 "$SIGN_PFX" -readpass "$passfile" \
		    -h sha256 -n certbind -ts "$SIGN_TIMESTAMP_URL" \
		    -in "$1" -out "$2"
	else
		osslsigncode sign -pkcs12 "$SIGN_PFX" -readpass "$passfile" \
		    -h sha256 -n certbind -in "$1" -out "$2"
	fi
}

for f in "$@"; do
	if [ ! -f "$f" ]; then
		echo "sign: no file '$f'" >&2
		exit 1
	fi
	tmp=$f.signing
	rm -f "$tmp"
	if ! out=$(sign_one "$f" "$tmp" 2>&1); then
		printf '%s\n' "$out" >&2
		echo "sign: $f was not signed; it is unchanged" >&2
		exit 1
	fi
	mv -f "$tmp" "$f"
	tmp=
	echo "signed $f"
done
