#!/usr/bin/env bash
# test_restart.sh - services restarted through the SCM after a certificate
# change (service/svcrestart.c): dependents stopped first and started
# again, a service that fails its start or hangs in START_PENDING, one
# that does not exist.  The services are build/test/fakesvc.exe, which
# logs every start and stop to C:\fakesvc.log.
. "$(dirname "$0")/lib.sh"
suite_prefix

OPTKEY='HKLM\SOFTWARE\CertBindTest\FakeSvc'
SVCLOG="$WINEPREFIX/drive_c/fakesvc.log"
SERVICES="rsa rsb rsc rsolo"

tr_() { wine "$BIN/targetreg.exe" "$@" | tr -d '\r'; }
fakesvc() { wine "$BIN/fakesvc.exe" "$@"; }
svclog() { tr -d '\r' <"$SVCLOG" 2>/dev/null | tr '\n' ',' ; }
state() { wine sc query "$1" | tr -d '\r' | awk '$1 == "STATE" { print $4 }'; }
option() {   # option SERVICE NAME DWORD
	wine reg add "$OPTKEY\\$1" /v "$2" /t REG_DWORD /d "$3" /f >/dev/null
}

cleanup() {
	local s
	for s in $SERVICES; do fakesvc uninstall "$s" >/dev/null 2>&1; done
	wine reg delete "$OPTKEY" /f >/dev/null 2>&1
	rm -f "$SVCLOG"
}

cleanup
fakesvc install rsa
fakesvc install rsb rsa              # rsb depends on rsa,
fakesvc install rsc rsb              # rsc on rsb
fakesvc install rsolo
for s in rsa rsb rsc rsolo; do wine sc start "$s" >/dev/null; done
rm -f "$SVCLOG"

# --- a restart ---------------------------------------------------------------
expect_eq "restart: the service and its dependents come back" \
    "$(tr_ svc-restart rsa)" ok
expect_eq "restart: dependents stopped first, started after, in order" \
    "$(svclog)" "rsc stop,rsb stop,rsa stop,rsa start,rsb start,rsc start,"
expect_eq "restart: all running again" \
    "$(state rsa) $(state rsb) $(state rsc)" "RUNNING RUNNING RUNNING"

# --- failures ----------------------------------------------------------------
rm -f "$SVCLOG"
option rsolo FailStart 1064
expect_eq "a service that fails its start: its exit code" \
    "$(tr_ svc-restart rsolo)" "error 1064 step wait service rsolo exit 1064"
expect_eq "it was stopped and started once" "$(svclog)" \
    "rsolo stop,rsolo start,rsolo failed,"
expect_eq "a stopped service is left stopped by a restart" \
    "$(tr_ svc-restart rsolo)" ok
expect_eq "... and nothing started it" "$(svclog)" \
    "rsolo stop,rsolo start,rsolo failed,"

wine reg delete "$OPTKEY\\rsolo" /f >/dev/null
wine sc start rsolo >/dev/null
option rsolo HangStart 4
t0=$SECONDS
expect_eq "a service that hangs in START_PENDING: a timeout" \
    "$(tr_ svc-restart rsolo)" "error 1053 step wait service rsolo exit 0"
expect_match "... after its wait hint (1 s, 2 s at least), not 60 s" \
    "$((SECONDS - t0))" '^([0-9]|1[0-9])$'
wine reg delete "$OPTKEY\\rsolo" /f >/dev/null
wait_for 10 grep -q 'rsolo gave up' "$SVCLOG"  # its process has ended

rm -f "$SVCLOG"
option rsb FailStart 1066
expect_eq "a dependent that fails to come back is named" \
    "$(tr_ svc-restart rsa)" "error 1066 step wait service rsb exit 0"
expect_eq "the service came back; what depends on the failed one did not start" \
    "$(svclog)" "rsc stop,rsb stop,rsa stop,rsa start,rsb start,rsb failed,"
expect_eq "... so it is as the SCM leaves it" \
    "$(state rsa) $(state rsb) $(state rsc)" "RUNNING STOPPED STOPPED"

# --- check ---------------------------------------------------------------------
expect_eq "check: installed services pass" "$(tr_ svc-check rsa rsolo)" ok
expect_eq "check: a service that does not exist, at its line:col" \
    "$(tr_ svc-check rsa nosuchsvc)" \
    'policy.yaml:5:9: binding web: restart_services: no service named "nosuchsvc" is installed'
expect_eq "check: a name that is not a service name" \
    "$(tr_ svc-check 'a\b')" \
    'policy.yaml:4:9: binding web: restart_services: no service named "a\b" is installed'
expect_eq "check: a display name gets the service's name" \
    "$(tr_ svc-check 'Plug and Play Service')" \
    'policy.yaml:4:9: binding web: restart_services: "Plug and Play Service" is a display name; the service'"'"'s name is "PlugPlay"'
expect_eq "restart: a service that does not exist" \
    "$(tr_ svc-restart nosuchsvc)" "error 1060 step open service nosuchsvc exit 0"

cleanup
tap_end
