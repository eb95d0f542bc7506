#!/usr/bin/env bash
# test_concurrency.sh - certbind and other writers of HTTP.sys at the same
# time: two certbind processes take turns through the writer lock
# (service/lock.c), and a record another program changes between
# certbind's read and its write is planned again, not overwritten.
#
# The stand-in's "hold MS" fault holds a call open after its work is
# done and logged, until the test releases it, so that a test can act at
# an exact point: start a second certbind between a Delete and its Set,
# or change a record between the read and the write.  (A fixed delay
# could end before a loaded machine had acted.)
. "$(dirname "$0")/lib.sh"
suite_prefix

TMP=build/tmp/test_concurrency
mkdir -p "$TMP"
EP=0.0.0.0:8443
IP=$TMP/ip.yaml
cat >"$IP" <<'YAML'
version: 1
bindings:
  - name: api
    endpoint: 0.0.0.0:8443
    match: { dns: api.example.test }
YAML

add_api() { certmk add --cn api.example.test --dns api.example.test "$@"; }

# $EP bound (by the Delete+Set build) to $OLD, and a renewal $NEW.
bound_and_renewed() {
	reset_state
	OLD=$(add_api --not-after 30)
	certbind_old apply --config "$IP" >/dev/null 2>&1
	NEW=$(add_api --not-after 60)
	rm -f "$WINEPREFIX/drive_c/httpapi-calls.log" \
	    "$WINEPREFIX/drive_c/httpapi-release"
}

# waiting FILE: the certbind writing to FILE waits for the lock.
waiting() { tr -d '\r' <"$1" | grep -q 'waiting up to'; }

# second_apply: while the first apply is held, start a second one (output
# in $TMP/second.out, pid in $P2), and release the first once the second
# waits for the lock.
second_apply() {
	certbind_old apply --config "$IP" >"$TMP/second.out" 2>&1 &
	P2=$!
	wait_for 20 waiting "$TMP/second.out"
	release
}

# Two applies at once on Windows without Update: the second one starts
# while the first is between its Delete and its Set.  Without the lock it
# takes the first one's journal entry for a crash and puts the old record
# back under it.
test_two_applies() {
	local p1 rc1 rc2 both
	bound_and_renewed
	fault Delete "hold 60000"
	certbind_old apply --config "$IP" >"$TMP/first.out" 2>&1 &
	p1=$!
	if wait_for 10 called Delete; then ok "two applies: the first is inside its rotation"
	else not_ok "two applies: the first is inside its rotation"; fi
	second_apply
	wait "$P2"; rc2=$?
	wait "$p1"; rc1=$?
	both=$(cat "$TMP/first.out" "$TMP/second.out" | tr -d '\r')
	expect_eq "two applies: the first exits 0" "$rc1" 0
	expect_eq "two applies: the second exits 0" "$rc2" 0
	expect_eq "two applies: the binding ends on the renewal" \
	    "$(bound_hash $EP)" "$NEW"
	expect_match "two applies: the second says it waits for the first" \
	    "$(tr -d '\r' <"$TMP/second.out")" \
	    "another certbind is changing HTTP.sys \\(pid [0-9]+, certbind apply, since [0-9T:-]+Z\\); waiting up to 30 s"
	expect_eq "two applies: nothing is put back, nothing is unbound" \
	    "$(printf '%s\n' "$both" | grep -cE 'put back|UNBOUND')" 0
	expect_eq "two applies: one Delete and one Set, nothing more" \
	    "$(writes)" "Delete Set "
	expect_eq "two applies: the lock's holder is cleared" \
	    "$(wine reg query 'HKLM\SOFTWARE\CertBind' /v WriterLock 2>/dev/null | grep -c WriterLock)" 0
}

# A certbind that waits longer than --lock-timeout gives up, changes
# nothing and names the holder; read-only commands do not wait at all.
test_lock_timeout() {
	local p1 rc1 out rc
	bound_and_renewed
	fault Query "hold 60000"
	certbind apply --config "$IP" >"$TMP/holder.out" 2>&1 &
	p1=$!
	wait_for 10 called Query
	out=$(certbind apply --config "$IP" --lock-timeout 1s 2>&1); rc=$?
	expect_eq "timeout: the second apply exits 1" "$rc" 1
	expect_match "timeout: it names the holder" "$out" \
	    "another certbind has been changing HTTP.sys for more than 1 s \\(pid [0-9]+, certbind apply, since [0-9T:-]+Z\\); nothing was changed"
	out=$(certbind plan --config "$IP" 2>&1); rc=$?
	expect_eq "timeout: plan does not wait for the lock (exit 2, changes pending)" \
	    "$rc" 2
	release
	wait "$p1"; rc1=$?
	expect_eq "timeout: the holder finishes and exits 0" "$rc1" 0
	expect_eq "timeout: the holder's rotation is in place" \
	    "$(bound_hash $EP)" "$NEW"
	out=$(certbind apply --config "$IP" --lock-timeout 0 2>&1); rc=$?
	expect_eq "timeout: --lock-timeout 0 is refused" "$rc" 1
	expect_match "timeout: and says what it takes" "$out" \
	    "--lock-timeout takes 1 to 3600 seconds"
	out=$(certbind plan --config "$IP" --lock-timeout 5 2>&1); rc=$?
	expect_eq "timeout: plan takes no lock, and no --lock-timeout" "$rc" 1
	expect_match "timeout: and says the option is unknown to it" "$out" \
	    "unknown option '--lock-timeout'"
}

# A certbind that dies holding the lock: the one waiting for it gets the
# lock abandoned, says so, and repairs what the dead one left.
test_abandoned() {
	local p1 rc1 out rc
	bound_and_renewed
	fault Delete "hold 60000"
	fault Set crash
	certbind_old apply --config "$IP" >/dev/null 2>&1 &
	p1=$!
	wait_for 10 called Delete
	second_apply
	wait "$p1"; rc1=$?
	wait "$P2"; rc=$?
	out=$(tr -d '\r' <"$TMP/second.out")
	expect_eq "abandoned: the first certbind died inside Set" "$rc1" 99
	expect_eq "abandoned: the second exits 0" "$rc" 0
	expect_match "abandoned: it says the holder ended without finishing" \
	    "$out" "the certbind that was changing HTTP.sys \\(pid [0-9]+, certbind apply, since [0-9T:-]+Z\\) ended without finishing"
	expect_match "abandoned: it puts the old record back first" "$out" \
	    "$EP: an interrupted rotation had left it unbound; the previous record was put back"
	expect_eq "abandoned: then the binding moves to the renewal" \
	    "$(bound_hash $EP)" "$NEW"
}

# Another program changes the record between certbind's read and its
# Update: certbind plans again and keeps that program's change.
test_changed_under_us() {
	local p1 rc1 out
	bound_and_renewed
	fault Query "hold 60000"
	certbind apply --config "$IP" >"$TMP/changed.out" 2>&1 &
	p1=$!
	wait_for 10 called Query
	wine reg add "$SSLKEY\\$EP" /v DefaultFlags /t REG_DWORD /d 2 /f >/dev/null
	release
	wait "$p1"; rc1=$?
	out=$(tr -d '\r' <"$TMP/changed.out")
	expect_eq "changed: apply exits 0" "$rc1" 0
	expect_eq "changed: the binding moves to the renewal" "$(bound_hash $EP)" "$NEW"
	expect_eq "changed: the other program's flag is kept" \
	    "$(reg_value $EP DefaultFlags)" 0x2
	expect_match "changed: apply says it planned again" "$out" \
	    "^api: the record for $EP changed after certbind read it"

	# Another program takes the endpoint over: a conflict, nothing written.
	bound_and_renewed
	fault Query "hold 60000"
	certbind apply --config "$IP" >"$TMP/changed.out" 2>&1 &
	p1=$!
	wait_for 10 called Query
	wine reg add "$SSLKEY\\$EP" /v AppId /t REG_BINARY \
	    /d 00112233445566778899AABBCCDDEEFF /f >/dev/null
	release
	wait "$p1"; rc1=$?
	expect_eq "taken over: apply exits 3 (conflict)" "$rc1" 3
	expect_eq "taken over: the other program's record is untouched" \
	    "$(bound_hash $EP)" "$OLD"
	expect_eq "taken over: no Update was made" "$(writes)" ""
}

# Creating a mutex in Global\ needs no privilege: another account may
# create the lock's name first.  certbind uses an existing lock only when
# SYSTEM, Administrators or its own account owns it (Wine lets a process
# give an object any owner, which stands in for another account here).
# The holder is killed outright (SIGKILL; Wine may outlive a SIGTERM),
# so that no later test finds the name taken.
squat() {   # squat mutex|event [SDDL]: hold the name for up to 15 s
	wine "$BIN/squat.exe" "$1" 15 ${2:+"$2"} >"$TMP/squat.out" 2>&1 &
	SQUAT=$!
	wait_for 10 grep -q held "$TMP/squat.out"
}
unsquat() { kill -KILL "$SQUAT" 2>/dev/null; wait "$SQUAT" 2>/dev/null; }

test_squatted_lock() {
	local out rc
	reset_state
	add_api --not-after 30 >/dev/null
	squat mutex 'O:BUD:(A;;GA;;;WD)'
	out=$(certbind apply --lock-timeout 2 --config "$IP" 2>&1); rc=$?
	unsquat
	expect_eq "squatted: a lock owned by Users is refused (exit 1)" "$rc" 1
	expect_match "squatted: naming its owner (event 310)" "$out" \
	    "writer lock Global.CertBindHttpSysWriter is owned by BUILTIN.Users \\(S-1-5-32-545\\), not by SYSTEM, Administrators or the account certbind runs as"
	expect_eq "squatted: nothing is bound" "$(bound_hash $EP)" ""

	squat mutex 'O:BAD:P(A;;GA;;;SY)(A;;GA;;;BA)'
	out=$(certbind apply --lock-timeout 1 --config "$IP" 2>&1); rc=$?
	unsquat
	expect_match "squatted: a lock owned by Administrators is certbind's, waited for" \
	    "$out" "another certbind has been changing HTTP.sys for more than 1 s"

	squat event
	out=$(certbind apply --lock-timeout 2 --config "$IP" 2>&1); rc=$?
	unsquat
	expect_eq "squatted: an event under the lock's name is refused (exit 1)" "$rc" 1
	expect_match "squatted: saying it is not a mutex" "$out" \
	    "Global.CertBindHttpSysWriter, the name of the HTTP.sys writer lock, is taken by an object that is not a mutex"
	expect_eq "squatted: and nothing is bound" "$(bound_hash $EP)" ""

	out=$(certbind apply --config "$IP" 2>&1); rc=$?
	expect_eq "squatted: once the other program ends, apply binds" "$rc" 0
}

test_two_applies
test_squatted_lock
test_lock_timeout
test_abandoned
test_changed_under_us
tap_end
