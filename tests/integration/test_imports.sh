#!/usr/bin/env bash
# test_imports.sh - what certbind.exe carries: it imports only DLLs that
# ship with Windows (no libgcc, libwinpthread or libyaml DLLs to carry
# along), links the real httpapi rather than anything of the tests', and
# holds an Event Log message for every event ID it reports.
. "$(dirname "$0")/lib.sh"

# The sets below are read once into bash arrays and every check is done
# with bash's own tests: a process per check (grep, sed) costs more than
# all the checks together on a loaded machine.
# A copy, taken under the build lock: another lane may relink the exe.
EXE=$ROOT/build/tmp/test_imports/certbind.exe
mkdir -p "$(dirname "$EXE")"
with_build_lock cp "$ROOT/build/certbind.exe" "$EXE" || exit 1
objdump=$(x86_64-w64-mingw32-objdump -p "$EXE")
dlls=$(printf '%s\n' "$objdump" | awk '/DLL Name:/ { print tolower($3) }' |
    sort | tr '\n' ' ')
allowed=" advapi32.dll bcrypt.dll crypt32.dll httpapi.dll kernel32.dll msvcrt.dll ncrypt.dll secur32.dll ws2_32.dll "
for dll in $dlls; do
	case "$allowed" in
	*" $dll "*) ok "imports $dll, which ships with Windows" ;;
	*) not_ok "imports $dll, which does not ship with Windows" ;;
	esac
done
expect_match "imports httpapi.dll" "$dlls" "httpapi.dll"

# Each BCrypt* function from bcrypt.dll and each NCrypt* one from
# ncrypt.dll, the DLLs Microsoft documents them in: mingw's ncrypt import
# library lists BCrypt functions too (Wine's ncrypt.dll forwards them),
# so the link order decides, and a function bound to a DLL that does not
# export it on Windows stops the exe from loading at all.
misbound=$(printf '%s\n' "$objdump" | awk '
    /DLL Name:/ { dll = tolower($3); next }
    $NF ~ /^BCrypt/ && dll != "bcrypt.dll" { print dll ": " $NF }
    $NF ~ /^NCrypt/ && dll != "ncrypt.dll" { print dll ": " $NF }')
expect_eq "BCrypt and NCrypt functions come from their own DLLs" \
    "$misbound" ""
case $objdump in
*HttpUpdateServiceConfiguration*)
	not_ok "HttpUpdateServiceConfiguration is resolved at run time, not imported" ;;
*)	ok "HttpUpdateServiceConfiguration is resolved at run time, not imported" ;;
esac

# EV_NAME=ID of eventlog.h (ID_OF), the MessageIds of messages.mc
# (MESSAGE) and the IDs of README.md's Event Log table (README), as sets.
declare -A ID_OF MESSAGE README
ids=
re_ev=$'^\t(EV_[A-Z_]*) = ([0-9]*),?$'
while IFS= read -r line; do
	[[ $line =~ $re_ev ]] || continue
	ID_OF[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
	ids="$ids ${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
done <"$ROOT/service/eventlog.h"
while IFS= read -r line; do
	[[ $line =~ ^MessageId=([0-9]+)$ ]] && MESSAGE[${BASH_REMATCH[1]}]=1
done <"$ROOT/service/messages.mc"
readme_ids=
in_table=
while IFS= read -r line; do
	case $line in
	'### Event Log') in_table=1; continue ;;
	'## '*) in_table= ;;
	esac
	[ -n "$in_table" ] && [[ $line =~ ^\|\ ([0-9]+)\ \| ]] || continue
	README[${BASH_REMATCH[1]}]=1
	readme_ids="$readme_ids ${BASH_REMATCH[1]}"
done <"$ROOT/README.md"

# Every EV_* ID in eventlog.h has its MessageId in messages.mc, and the
# message text is in the binary (windmc writes it as UTF-16).
for entry in $ids; do
	id=${entry#*=}
	if [ -n "${MESSAGE[$id]:-}" ]; then
		ok "event $id has a message in messages.mc"
	else
		not_ok "event $id has a message in messages.mc"
	fi
done
if perl -e 'use Encode; open(my $f, "<:raw", $ARGV[0]) or exit 1;
    my $d = do { local $/; <$f> }; open(my $m, "<", $ARGV[1]) or exit 1; my $t;
    while (<$m>) { if (/^MessageId=101$/ .. /^\.$/) {
        ($t) = /^(An HTTP.sys SSL binding was updated\.)/ and last } }
    exit(defined $t && index($d, encode("UTF-16LE", $t)) >= 0 ? 0 : 1)' \
    "$EXE" "$ROOT/service/messages.mc"; then
	ok "the message table is linked into certbind.exe"
else
	not_ok "the message table is linked into certbind.exe"
fi

# Every message the service emits goes to the Event Log with a documented
# ID: each say() in service/ names an EV_* constant (never 0 or a bare
# number), and each EV_* has a MessageId in messages.mc and a row in
# README.md's Event Log table.
# The ID is the argument before the format string; it may be a choice
# between IDs (a ? EV_X : EV_Y), each of which must be documented.
calls=$(perl -0777 -ne 'while (/\bsay\(\s*([^,()]*?)\s*,\s*(.*?)\s*,\s*"/sg) {
	my ($l, $i) = ($1, $2); next if $l =~ /^enum /; $i =~ s/\s+/ /g;
	print "$ARGV\t$i\n"; }' "$ROOT"/service/*.c | sort -u)
[ -n "$calls" ] || not_ok "say() calls are found in service/"
before=$T_FAILED
re_bare='(^|[^A-Za-z_0-9])[0-9]+([^A-Za-z_0-9]|$)'
while IFS=$'\t' read -r file expr; do
	[ -n "$file" ] || continue
	file=${file#"$ROOT/"}
	names=
	rest=$expr
	while [[ $rest =~ (EV_[A-Z_]*)(.*) ]]; do
		names="$names ${BASH_REMATCH[1]}"
		rest=${BASH_REMATCH[2]}
	done
	if [ -z "$names" ] || [[ $expr =~ $re_bare ]]; then
		not_ok "$file: say() with ID '$expr': every message needs a named event ID"
		continue
	fi
	for id in $names; do
		num=${ID_OF[$id]:-}
		if [ -z "$num" ]; then
			not_ok "$file: say() with $id, which eventlog.h does not define"
		elif [ "$num" = 0 ]; then
			not_ok "$file: say() with $id = 0: it never reaches the Event Log"
		elif [ -z "${MESSAGE[$num]:-}" ]; then
			not_ok "$file: $id ($num) has no message in messages.mc"
		elif [ -z "${README[$num]:-}" ]; then
			not_ok "$file: $id ($num) has no row in README.md's Event Log table"
		fi
	done
done <<<"$calls"
[ "$T_FAILED" -eq "$before" ] &&
    ok "every say() in service/ uses an event ID with a message and a README row"
before=$T_FAILED
declare -A DEFINED
for entry in $ids; do
	num=${entry#*=}
	DEFINED[$num]=1
	[ -n "${README[$num]:-}" ] ||
	    not_ok "event ${entry%=*} ($num) has no row in README.md's Event Log table"
done
for num in $readme_ids; do
	[ -n "${DEFINED[$num]:-}" ] ||
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
