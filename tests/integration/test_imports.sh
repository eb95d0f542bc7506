#!/usr/bin/env bash
# test_imports.sh - what certbind.exe carries: it imports only DLLs that
# ship with Windows (no libgcc, libwinpthread or libyaml DLLs to carry
# along), links the real httpapi rather than anything of the tests', and
# holds an Event Log message for every event ID it reports.
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

# Every EV_* ID in eventlog.h has its MessageId in messages.mc, and the
# message text is in the binary (windmc writes it as UTF-16).
for id in $(sed -n 's/^\tEV_[A-Z_]* = \([0-9]*\),\{0,1\}$/\1/p' \
    "$ROOT/service/eventlog.h"); do
	if grep -q "^MessageId=$id\$" "$ROOT/service/messages.mc"; then
		ok "event $id has a message in messages.mc"
	else
		not_ok "event $id has a message in messages.mc"
	fi
done
text=$(sed -n '/^MessageId=101$/,/^\.$/p' "$ROOT/service/messages.mc" |
    sed -n 's/^\(An HTTP.sys SSL binding was updated\.\).*/\1/p')
if [ -n "$text" ] && python3 -c "import sys; d = open(sys.argv[1], 'rb').read(); sys.exit(0 if sys.argv[2].encode('utf-16-le') in d else 1)" \
    "$ROOT/build/certbind.exe" "$text"; then
	ok "the message table is linked into certbind.exe"
else
	not_ok "the message table is linked into certbind.exe"
fi
tap_end
