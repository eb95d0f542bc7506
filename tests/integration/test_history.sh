#!/usr/bin/env bash
# test_history.sh - the records certbind replaced, `certbind history`,
# `certbind rollback`, the pin it leaves and `apply --force`, under Wine;
# and bad input: an unknown binding, an empty history, a history or pin
# value that is not certbind's, a rollback HTTP.sys refuses.
. "$(dirname "$0")/lib.sh"
suite_prefix

POLICY=tests/integration/policies/two.yaml
EP=0.0.0.0:8443
WEB=0.0.0.0:8444

add_api() { certmk add --cn api.example.test --dns api.example.test "$@"; }
add_web() { certmk add --cn web.example.test --dns web.example.test "$@"; }
history_value() { wine reg query "$HISTORYKEY" /v "$1" 2>/dev/null | tr -d '\r' |
    awk -v n="$1" '$1 == n { print $3 }'; }
pin_value() { wine reg query "$PINNEDKEY" /v "$1" 2>/dev/null | tr -d '\r' |
    awk -v n="$1" '$1 == n { print $3 }'; }

# A, then B: apply records A; rollback puts A back and pins it; apply
# keeps A; an older certificate does not free it, a newer one does.
test_rollback_and_pin() {
	local a b c d w out rc
	reset_state
	a=$(add_api --not-after 30)
	w=$(add_web --not-after 30)
	certbind apply --config $POLICY >/dev/null 2>&1
	out=$(certbind rollback --config $POLICY 2>&1); rc=$?
	expect_eq "rollback with an empty history exits 2" "$rc" 2
	expect_match "rollback says the history is empty" "$out" \
	    "^api: nothing to roll back to: its history is empty"
	expect_eq "an empty history changes nothing" "$(bound_hash $EP)" "$a"

	b=$(add_api --not-after 60)
	certbind apply --config $POLICY >/dev/null 2>&1
	expect_eq "apply moved api to B" "$(bound_hash $EP)" "$b"
	out=$(certbind history --config $POLICY 2>&1); rc=$?
	expect_eq "history exits 0" "$rc" 0
	expect_match "history lists A, replaced by B at apply" "$out" \
	    "^  1\\. [0-9T:-]+Z apply, replaced by $b"
	expect_match "history keeps the whole record" "$out" \
	    "^     ipport=$EP certhash=$a appid=\\{9c1d3f5a-6b2e-4e8f-a0c4-7d2b95e1f3c6\\} certstorename=MY "
	expect_match "a binding never changed has an empty history" "$out" \
	    "^web \\($WEB\\): 0 records replaced"
	out=$(certbind history --json --binding api --config $POLICY 2>&1)
	expect_match "history --json names the reason and the record" \
	    "$(printf '%s' "$out" | tr -d '\n ')" \
	    "\"reason\":\"apply\",\"replaced_by\":\"$b\",\"record\":\\{\"thumbprint\":\"$a\""

	out=$(WINEDEBUG=-all,+eventlog certbind rollback --config $POLICY 2>&1); rc=$?
	expect_eq "rollback exits 0" "$rc" 0
	expect_eq "rollback put A back" "$(bound_hash $EP)" "$a"
	expect_eq "rollback left web alone" "$(bound_hash $WEB)" "$w"
	expect_match "rollback says what it did and that it pinned" "$out" \
	    "^api: rolled back $EP from $b to $a, .*; pinned: certbind will not move it to another certificate until one issued after .* or 'certbind apply --force'"
	expect_match "rollback goes to the Event Log" "$out" \
	    "eventlog:ReportEventW L\"api: rolled back $EP from $b to $a"
	expect_match "rollback says web has nothing to roll back" "$out" \
	    "^web: nothing to roll back to"

	out=$(certbind apply --config $POLICY 2>&1); rc=$?
	expect_eq "apply on a pinned binding exits 0" "$rc" 0
	expect_eq "apply keeps the pinned binding on A" "$(bound_hash $EP)" "$a"
	expect_match "apply says it is pinned and names B" "$out" \
	    "^api \\($EP\\): holds $a .*; pinned by certbind rollback: not moved to $b until a certificate issued after the one rolled away from qualifies, or 'certbind apply --force'"
	out=$(certbind plan --config $POLICY 2>&1); rc=$?
	expect_eq "plan on a pinned binding: nothing to change" "$rc" 0

	c=$(add_api --not-before -5 --not-after 90)     # better, but older than B
	certbind apply --config $POLICY >/dev/null 2>&1
	expect_eq "a certificate issued before B does not free the pin" \
	    "$(bound_hash $EP)" "$a"
	d=$(add_api --not-before 0 --not-after 80)      # issued after B
	out=$(certbind apply --config $POLICY 2>&1); rc=$?
	expect_eq "a certificate issued after B: apply moves to it, not to C" \
	    "$(bound_hash $EP)" "$d"
	expect_eq "moving on drops the pin" "$(pin_value $EP)" ""

	certbind rollback --binding api --config $POLICY >/dev/null 2>&1
	expect_eq "rollback --binding api put A back again" "$(bound_hash $EP)" "$a"
	out=$(certbind apply --force --config $POLICY 2>&1); rc=$?
	expect_eq "apply --force exits 0" "$rc" 0
	expect_eq "apply --force moves it to the best, C" "$(bound_hash $EP)" "$c"
	expect_match "apply --force says it dropped the pin" "$out" \
	    "^api: --force: the pin 'certbind rollback' left was dropped"
	expect_eq "apply --force dropped the pin" "$(pin_value $EP)" ""
	out=$(certbind history --config $POLICY --binding api 2>&1)
	expect_eq "the history keeps the last five" \
	    "$(printf '%s\n' "$out" | grep -c '^  [0-9]\. ')" 5
	expect_match "the newest entry is A, replaced by C at apply" \
	    "$(printf '%s\n' "$out" | grep -A1 '^  1\. ' | tr '\n' ' ')" \
	    "apply, replaced by $c.*certhash=$a"
}

# A pin that cannot be removed (the Pinned key made read-only) is an
# error that says so (322), not a pin said to be dropped.
test_pin_not_dropped() {
	local a b w out pinned='SOFTWARE\CertBind\Pinned'
	reset_state
	a=$(add_api --not-after 30)
	w=$(add_web --not-after 30)
	certbind apply --config $POLICY >/dev/null 2>&1
	b=$(add_api --not-after 60)
	certbind apply --config $POLICY >/dev/null 2>&1
	certbind rollback --binding api --config $POLICY >/dev/null 2>&1
	expect_eq "rolled back to A, pinned" "$(bound_hash $EP)" "$a"
	wine "$BIN/faultset.exe" sddl "$pinned" 'D:P(A;;KR;;;WD)'
	out=$(WINEDEBUG=-all,+eventlog certbind apply --force --config $POLICY 2>&1)
	wine "$BIN/faultset.exe" sddl "$pinned" 'D:P(A;;KA;;;WD)'
	expect_eq "apply --force still moves it to B" "$(bound_hash $EP)" "$b"
	expect_match "a pin that cannot be removed is an error (322)" "$out" \
	    "api: the pin 'certbind rollback' left, HKLM.SOFTWARE.CertBind.Pinned value '$EP', could not be removed: "
	if printf '%s\n' "$out" | grep -q "was dropped"; then
		not_ok "it is not said to be dropped" "$out"
	else
		ok "it is not said to be dropped"
	fi
	expect_match "the pin is still there" "$(pin_value $EP)" "^[0-9A-F]+$"
	[ -n "$w" ]
}

# Bad input: nothing changes, and the error says what is wrong.
test_bad_input() {
	local a b out rc before
	reset_state
	a=$(add_api --not-after 30)
	add_web --not-after 30 >/dev/null
	certbind apply --config $POLICY >/dev/null 2>&1
	b=$(add_api --not-after 60)
	certbind apply --config $POLICY >/dev/null 2>&1
	before=$(history_value $EP)

	out=$(certbind rollback --binding nope --config $POLICY 2>&1); rc=$?
	expect_eq "rollback of an unknown binding exits 1" "$rc" 1
	expect_match "rollback names the unknown binding" "$out" \
	    "has no binding named 'nope'; nothing was changed"
	expect_eq "an unknown binding changes nothing" "$(bound_hash $EP)" "$b"
	out=$(certbind rollback --binding web --config $POLICY 2>&1); rc=$?
	expect_eq "rollback of a binding with no history exits 2" "$rc" 2
	expect_eq "the history is as it was" "$(history_value $EP)" "$before"

	# Magic and count right, the entry cut short.
	wine reg add "$HISTORYKEY" /v $EP /t REG_BINARY /d 434248310100000001 \
	    /f >/dev/null
	out=$(certbind rollback --config $POLICY 2>&1); rc=$?
	expect_eq "rollback with a corrupted history exits 1" "$rc" 1
	expect_match "rollback says the history value is not certbind's" "$out" \
	    "api: HKLM.SOFTWARE.CertBind.History, value '$EP', is not a history certbind wrote: .*; it was not used"
	expect_match "rollback says nothing was changed" "$out" \
	    "nothing was changed"
	expect_eq "a corrupted history changes nothing" "$(bound_hash $EP)" "$b"
	out=$(certbind history --config $POLICY 2>&1); rc=$?
	expect_eq "history with a corrupted value exits 1" "$rc" 1
	expect_match "history lists the corrupted value as unreadable" "$out" \
	    "^api \\($EP\\): cannot be read: "
	expect_match "history still lists the others" "$out" "^web \\($WEB\\): 0 records"
	wine reg add "$HISTORYKEY" /v $EP /t REG_SZ /d hello /f >/dev/null
	out=$(certbind history 2>&1); rc=$?
	expect_match "a history value that is not REG_BINARY is refused" "$out" \
	    "$EP: cannot be read: .*it is not REG_BINARY"
	wine reg add "$HISTORYKEY" /v "not an endpoint" /t REG_BINARY /d 00 \
	    /f >/dev/null
	out=$(certbind history 2>&1); rc=$?
	expect_eq "history with a stray value exits 1" "$rc" 1
	expect_match "a value not named for an endpoint is named" "$out" \
	    "the value 'not an endpoint' under .* is not named for an endpoint"

	# A change is still made; the damaged history is left, and said so.
	add_api --not-after 90 >/dev/null
	out=$(WINEDEBUG=-all,+eventlog certbind apply --config $POLICY 2>&1); rc=$?
	expect_eq "apply with a damaged history still rotates" "$rc" 0
	expect_match "apply warns that the record was not kept (234)" "$out" \
	    "id=234|the record it replaced was not kept in its history"
	expect_eq "the damaged value is left in place" \
	    "$(history_value $EP)" "hello"

	# A pin that is not certbind's is an error and is not used.
	wine reg add "$PINNEDKEY" /v $EP /t REG_BINARY /d 43425031 /f >/dev/null
	out=$(certbind plan --config $POLICY 2>&1)
	expect_match "a corrupted pin is reported (320)" "$out" \
	    "api: HKLM.SOFTWARE.CertBind.Pinned, value '$EP': it is not a pin certbind wrote"
}

# A rollback HTTP.sys refuses leaves the record as it was; on Windows
# before 10 1703 a rollback goes through the journal, Delete then Set.
test_rollback_paths() {
	local a b out rc
	reset_state
	a=$(add_api --not-after 30)
	add_web --not-after 30 >/dev/null
	certbind apply --config $POLICY >/dev/null 2>&1
	b=$(add_api --not-after 60)
	certbind apply --config $POLICY >/dev/null 2>&1
	certmk del "$a" >/dev/null
	out=$(certbind rollback --config $POLICY --binding api 2>&1); rc=$?
	expect_eq "a rollback HTTP.sys refuses exits 1" "$rc" 1
	expect_match "the refusal is reported" "$out" "api: rollback: .* failed for $EP"
	expect_eq "a refused rollback leaves B bound" "$(bound_hash $EP)" "$b"
	expect_eq "a refused rollback pins nothing" "$(pin_value $EP)" ""

	reset_state
	a=$(add_api --not-after 30)
	add_web --not-after 30 >/dev/null
	certbind_old apply --config $POLICY >/dev/null 2>&1
	b=$(add_api --not-after 60)
	certbind_old apply --config $POLICY >/dev/null 2>&1
	rm -f "$WINEPREFIX/drive_c/httpapi-calls.log"
	out=$(certbind_old rollback --config $POLICY 2>&1); rc=$?
	expect_eq "rollback without Update exits 0" "$rc" 0
	expect_eq "rollback without Update put A back" "$(bound_hash $EP)" "$a"
	expect_eq "rollback without Update is Delete then Set" "$(writes)" \
	    "Delete Set "
	expect_eq "the journal is empty after it" \
	    "$(wine reg query "$JOURNALKEY" 2>/dev/null | tr -d '\r' | grep -c REG_BINARY)" 0
}

test_rollback_and_pin
test_pin_not_dropped
test_bad_input
test_rollback_paths
tap_end
