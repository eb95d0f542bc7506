#!/usr/bin/env bash
# test_imports.sh - certbind.exe imports only DLLs that ship with Windows
# (no libgcc, libwinpthread or libyaml DLLs to carry along), and links the
# real httpapi rather than anything of the tests'.
. "$(dirname "$0")/lib.sh"

dlls=$(x86_64-w64-mingw32-objdump -p "$ROOT/build/certbind.exe" |
    awk '/DLL Name:/ { print tolower($3) }' | sort | tr '\n' ' ')
allowed=" advapi32.dll crypt32.dll httpapi.dll kernel32.dll msvcrt.dll ncrypt.dll "
for dll in $dlls; do
	case "$allowed" in
	*" $dll "*) ok "imports $dll, which ships with Windows" ;;
	*) not_ok "imports $dll, which does not ship with Windows" ;;
	esac
done
expect_match "imports httpapi.dll" "$dlls" "httpapi.dll"
if x86_64-w64-mingw32-objdump -p "$ROOT/build/certbind.exe" |
    grep -q HttpUpdateServiceConfiguration; then
	not_ok "HttpUpdateServiceConfiguration is resolved at run time, not imported"
else
	ok "HttpUpdateServiceConfiguration is resolved at run time, not imported"
fi
tap_end
