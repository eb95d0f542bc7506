#!/usr/bin/env bash
# test_imports.sh - what certbind.exe carries: it imports only DLLs that
# ship with Windows (no libgcc, libwinpthread or libyaml DLLs to carry
# along), links the real httpapi rather than anything of the tests', and
# holds an Event Log message for every event ID it reports.
. "$(dirname "$0")/lib.sh"

dlls=$(x86_64-w64-mingw32-objdump -p "$ROOT/build/certbind.exe" |
    awk '/DLL Name:/ { print tolower($3) }' | sort | tr '\n' ' ')
allowed=" advapi32.dll bcrypt.dll crypt32.dll httpapi.dll kernel32.dll msvcrt.dll ncrypt.dll secur32.dll ws2_32.dll "
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

# Every message the service emits goes to the Event Log with a documented
# ID: each say() in service/ names an EV_* constant (never 0 or a bare
# number), and each EV_* has a MessageId in messages.mc and a row in
# README.md's Event Log table.
ids=$(sed -n 's/^\t\(EV_[A-Z_]*\) = \([0-9]*\),\{0,1\}$/\1=\2/p' \
    "$ROOT/service/eventlog.h")
readme_ids=$(sed -n '/^### Event Log$/,/^## /p' "$ROOT/README.md" |
    sed -n 's/^| \([0-9][0-9]*\) |.*/\1/p')
# The ID is the argument before the format string; it may be a choice
# between IDs (a ? EV_X : EV_Y), each of which must be documented.
calls=$(perl -0777 -ne 'while (/\bsay\(\s*([^,()]*?)\s*,\s*(.*?)\s*,\s*"/sg) {
	my ($l, $i) = ($1, $2); next if $l =~ /^enum /; $i =~ s/\s+/ /g;
	print "$ARGV\t$i\n"; }' "$ROOT"/service/*.c)
[ -n "$calls" ] || not_ok "say() calls are found in service/"
before=$T_FAILED
while IFS=$'\t' read -r file expr; do
	[ -n "$file" ] || continue
	file=${file#"$ROOT/"}
	names=$(printf '%s\n' "$expr" | grep -o 'EV_[A-Z_]*')
	if [ -z "$names" ] ||
	    printf '%s\n' "$expr" | grep -Eq '(^|[^A-Za-z_0-9])[0-9]+([^A-Za-z_0-9]|$)'; then
		not_ok "$file: say() with ID '$expr': every message needs a named event ID"
		continue
	fi
	for id in $names; do
		num=$(printf '%s\n' "$ids" | sed -n "s/^$id=//p")
		if [ -z "$num" ]; then
			not_ok "$file: say() with $id, which eventlog.h does not define"
		elif [ "$num" = 0 ]; then
			not_ok "$file: say() with $id = 0: it never reaches the Event Log"
		elif ! grep -q "^MessageId=$num\$" "$ROOT/service/messages.mc"; then
			not_ok "$file: $id ($num) has no message in messages.mc"
		elif ! printf '%s\n' "$readme_ids" | grep -qx "$num"; then
			not_ok "$file: $id ($num) has no row in README.md's Event Log table"
		fi
	done
done <<EOF_CALLS
$(printf '%s\n' "$calls" | sort -u)
EOF_CALLS
[ "$T_FAILED" -eq "$before" ] &&
    ok "every say() in service/ uses an event ID with a message and a README row"
before=$T_FAILED
for entry in $ids; do
	num=${entry#*=}
	printf '%s\n' "$readme_ids" | grep -qx "$num" ||
	    not_ok "event ${entry%=*} ($num) has no row in README.md's Event Log table"
done
for num in $readme_ids; do
	printf '%s\n' "$ids" | grep -q "=$num\$" ||
	    not_ok "README.md's Event Log table lists $num, which eventlog.h does not define"
done
[ "$T_FAILED" -eq "$before" ] &&
    ok "README.md's Event Log table and eventlog.h list the same IDs"

# Output goes through service/out.c, which writes it whole and keeps
# stdout and stderr in order; stdio would write a console a character
# at a time, and its text would pass or trail what out.c holds.
stdio=$(grep -nE '(^|[^A-Za-z0-9_])(printf|fprintf|vprintf|vfprintf|puts|fputs|putchar|fputc|putc|fwrite|fflush|wprintf|fwprintf|putwchar|fputws|_cputs|_cprintf)[[:space:]]*\(|(^|[^A-Za-z0-9_])(stdout|stderr)([^A-Za-z0-9_]|$)' \
    "$ROOT"/service/*.c | grep -v '^[^:]*/out\.c:' |
    grep -vE '^[^:]*:[0-9]+:[[:space:]]*("|\*|/\*)')
if [ -z "$stdio" ]; then
	ok "service/ prints only through out.c"
else
	not_ok "service/ prints only through out.c" "$stdio"
fi
tap_end
