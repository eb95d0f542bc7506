#!/usr/bin/env bash
# demo.sh - certbind's main job, on this machine: a certificate is renewed
# and certbind moves the HTTPS binding to it.  Run by `make demo`.
set -eu
. "$(dirname "$0")/integration/lib.sh"
cd "$ROOT"

POLICY=config/examples/demo.yaml
EP=0.0.0.0:8443

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold= plain=; fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
show_binding() {
	local hash
	hash=$(bound_hash $EP)
	if [ -n "$hash" ]; then
		echo "HTTP.sys binding $EP -> certificate $hash"
	else
		echo "HTTP.sys has no binding for $EP"
	fi
}

say "Starting a private Wine prefix: a small stand-in Windows (about 10 s)"
wine_boot "$ROOT/build/demo-prefix"
trap wine_end EXIT
echo "Wine's HTTP.sys functions store nothing, so the demo uses the stand-in"
echo "httpapi.dll from tests/ that keeps bindings the way Windows does."
show_binding

say "The policy, $POLICY"
grep -v '^#' "$POLICY"

say "A certificate for api.example.test, valid 30 more days, enters LocalMachine\\My"
old=$(certmk add --cn api.example.test --dns api.example.test --not-after 30)
echo "certificate $old"

say "certbind apply: bind it"
certbind apply --config "$POLICY"
show_binding

say "Renewal: a new certificate, valid 90 days, enters the store"
new=$(certmk add --cn api.example.test --dns api.example.test --not-after 90)
echo "certificate $new"
echo "HTTP.sys still serves the old one until something moves the binding:"
show_binding

say "certbind plan --explain: what apply will do, and why (changes nothing)"
certbind plan --config "$POLICY" --explain || [ $? -eq 2 ]   # 2: changes pending

say "certbind apply: the binding follows the renewal"
certbind apply --config "$POLICY"
show_binding

say "certbind apply again: nothing left to do"
certbind apply --config "$POLICY"

if [ "$(bound_hash $EP)" = "$new" ]; then
	say "Done: $EP moved from $old to $new with no one editing a binding."
else
	echo "demo failed: the binding does not hold the renewed certificate" >&2
	exit 1
fi
