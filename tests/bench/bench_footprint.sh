#!/usr/bin/env bash
# bench_footprint.sh - certbind.exe's size and what it imports: part of
# `make bench` (run by bench.sh).
set -u
. "$(dirname "$0")/bench_lib.sh"
cd "$ROOT" || exit 1
exe=build/certbind.exe
section "7. footprint of $exe"
row "  size" "$(stat -c %s "$exe" | awk '{ printf "%.0f KiB", $1 / 1024 }')"
# objdump -p: "DLL Name: X" opens each DLL's block of imported functions.
x86_64-w64-mingw32-objdump -p "$exe" | awk '
	/^\tDLL Name: / { dll = $3; order[++n] = dll; next }
	dll != "" && /^\t[0-9a-f]+\t *[0-9]+ / { count[dll]++ }
	/^$/ { dll = "" }
	END { for (i = 1; i <= n; i++) printf "%s %d\n", order[i], count[order[i]] }' \
    >"$BT/imports"
total=$(awk '{ s += $2 } END { print s + 0 }' "$BT/imports")
row "  imports" "$(wc -l <"$BT/imports") DLLs, $total functions"
while read -r dll n; do
	row "    from $dll" "$n"
done <"$BT/imports"
exit 0
