#!/bin/sh
# wixl.sh - build the MSI: wixl.sh VERSION BUILD_DIR OUT.MSI
#
# BUILD_DIR holds certbind.exe and installer/certbind-ca.dll.  `make msi`
# runs this, and so does tests/integration/test_msi.sh for the packages
# with other versions it installs over the first.
#
# wixl 0.101 writes Execute="rollback" custom actions as immediate ones
# (no msidbCustomActionTypeInScript, no ...Rollback), which would run
# UndoCopyPolicy during every install instead of only on a rollback; the
# CustomAction row is set right after the build with msibuild (msitools).
set -eu
[ $# -eq 3 ] || { echo "usage: $0 VERSION BUILD_DIR OUT.MSI" >&2; exit 2; }

# Type: a DLL (1) in the script (0x400), run on rollback only (0x100), as
# LocalSystem (0x800), its result ignored (0x40).
UNDO_TYPE=$((1 + 0x40 + 0x100 + 0x400 + 0x800))

trap 'rm -f "$3.tmp"' EXIT
wixl -a x64 -D Version="$1" -D Build="$2" -o "$3.tmp" installer/certbind.wxs
msibuild "$3.tmp" -q "UPDATE CustomAction SET Type = $UNDO_TYPE WHERE Action = 'UndoCopyPolicy'"
mv "$3.tmp" "$3"
