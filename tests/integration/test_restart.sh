#!/usr/bin/env bash
# test_restart.sh - services restarted through the SCM after a certificate
# change (service/svcrestart.c): dependents stopped first and started
# again, a service that fails its start or hangs in START_PENDING, one
# that does not exist.  The services are build/test/fakesvc.exe, which
# logs every start and stop to C:\fakesvc.log.
. "$(dirname "$0")/lib.sh"
# A prefix of its own, booted for this suite (6 s), as test_service_control
# has: after other suites in a lane's shared prefix (run in the order
# msi, metrics, verify, concurrency), the services it had started were
# found stopped part way through, and the suite passed alone.
cd "$ROOT" || exit 1
wine_boot "$ROOT/build/wineprefix-restart" || exit 1
trap wine_end EXIT

OPTKEY='HKLM\SOFTWARE\CertBindTest\FakeSvc'
SVCLOG="$WINEPREFIX/drive_c/fakesvc.log"
SERVICES="rsa rsb rsc rsolo MSSQLSERVER"

tr_() { wine "$BIN/targetreg.exe" "$@" | tr -d '\r'; }
fakesvc() { wine "$BIN/fakesvc.exe" "$@"; }
svclog() { { tr -d "\r" <"$SVCLOG"; } 2>/dev/null | tr "\n" ","; }
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
wait_for 10 grep -qs 'rsolo gave up' "$SVCLOG"  # its process has ended

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

# --- certbind: restarts after a binding's change ------------------------------
TMP=build/tmp/test_restart
EP=0.0.0.0:8443
PENDKEY='HKLM\SOFTWARE\CertBind\PendingRestarts'
mkdir -p "$TMP"

# policy SERVICE [WINDOW]: $TMP/p.yaml, one binding restarting SERVICE
policy() {
	{
		echo "version: 1"
		echo "bindings:"
		echo "  - name: api"
		echo "    endpoint: $EP"
		echo "    match: { dns: api.example.test }"
		echo "    restart_services: [$1]"
		if [ -n "${2:-}" ]; then echo "    restart_window: \"$2\""; fi
	} >"$TMP/p.yaml"
}
add_api() { certmk add --cn api.example.test --dns api.example.test "$@"; }
# The local time MINUTES from now, HH:MM: windows that are open now or
# not, from the clock certbind reads (Wine's local time is the host's).
hhmm() { date -d "$1 minutes" +%H:%M; }
LATER="$(hhmm 120)-$(hhmm 180)"       # opens in two hours
OPEN="$(hhmm -1)-$(hhmm 30)"            # open now
apply() { certbind apply --config "$TMP/p.yaml" 2>&1 | tr -d '\r'; }
pending() { wine reg query "$PENDKEY" 2>/dev/null | tr -d '\r' |
    awk '$2 == "REG_SZ" { print $1 "=" $3 }'; }

reset_state
wine reg delete "$PENDKEY" /f >/dev/null 2>&1
wine reg delete "$OPTKEY" /f >/dev/null 2>&1
for s in rsa rsb rsc rsolo; do wine sc start "$s" >/dev/null 2>&1; done
rm -f "$SVCLOG"

policy rsa
a=$(add_api --not-after 30)
out=$(apply)
expect_eq "apply: the binding is created" "$(bound_hash $EP)" "$a"
expect_match "apply: the service was restarted (event 20)" "$out" \
    "^api: service rsa was restarted after its certificate changed"
expect_eq "apply: it and its dependents, through the SCM" "$(svclog)" \
    "rsc stop,rsb stop,rsa stop,rsa start,rsb start,rsc start,"
expect_eq "apply: nothing is left pending" "$(pending)" ""
rm -f "$SVCLOG"
apply >/dev/null
expect_eq "apply without a change restarts nothing" "$(svclog)" ""

# Outside the window: the change now, the restart later.
policy rsolo "$LATER"
b=$(add_api --not-after 60)
out=$(apply)
expect_eq "window: the binding moves at once" "$(bound_hash $EP)" "$b"
expect_match "window: the restart waits for it (event 21)" "$out" \
    "^api: the restart of service rsolo waits for the restart window $LATER \\(local time\\), at "
expect_eq "window: nothing was restarted" "$(svclog)" ""
expect_eq "window: it is recorded for the service" "$(pending)" "rsolo=api"
out=$(certbind status --config "$TMP/p.yaml" 2>&1 | tr -d '\r')
expect_match "window: status shows it pending" "$out" \
    "^restart pending: service rsolo after a change of binding api, waits for the restart window $LATER \\(local time\\), at [0-9T:-]+Z\$"
out=$(certbind status --config "$TMP/p.yaml" --json 2>&1 | tr -d '\r')
expect_match "window: status --json shows it pending" "$out" \
    "\"pending_restarts\": \\[\$"
expect_match "window: ... with its window" "$out" \
    "\\{\"service\": \"rsolo\", \"binding\": \"api\", \"window\": \"$LATER\", \"due\": \"[0-9T:-]+Z\"\\}"
apply >/dev/null
expect_eq "window: another apply outside it leaves it to the service" \
    "$(svclog),$(pending)" ",rsolo=api"
# The service's loop (here `certbind run`) runs it once its window is open.
policy rsolo "$OPEN"
WINEDEBUG=-all wine "$BIN/certbind.exe" run --config "$TMP/p.yaml" \
    >"$TMP/run.out" 2>"$TMP/run.err" &
RUN=$!
if wait_for 20 grep -qs 'rsolo start' "$SVCLOG"; then
	ok "window: inside it, the service's loop runs it"
else
	not_ok "window: inside it, the service's loop runs it" \
	    "$(tr -d '\r' <"$TMP/run.err")"
fi
wait_for 10 grep -q 'was restarted' "$TMP/run.err"
kill -INT "$RUN"
wait_for 10 sh -c "! kill -0 $RUN 2>/dev/null" || kill "$RUN"
wait "$RUN"
expect_match "window: ... and says so (event 20)" \
    "$(tr -d '\r' <"$TMP/run.err")" \
    "^certbind\\[20\\] information: api: service rsolo was restarted after its certificate changed"
expect_eq "window: restarted once" "$(svclog)" "rsolo stop,rsolo start,"
expect_eq "window: no longer pending" "$(pending)" ""
expect_match "window: status has nothing pending" \
    "$(certbind status --config "$TMP/p.yaml" --json 2>&1 | tr -d '\r')" \
    "\"pending_restarts\": \\[\\]"

# A service that does not come back: an error, the change stays.
rm -f "$SVCLOG"
policy rsolo
option rsolo FailStart 1064
c=$(add_api --not-after 90)
out=$(apply); rc=$?
expect_eq "failed restart: the binding keeps its new certificate" \
    "$(bound_hash $EP)" "$c"
expect_match "failed restart: an error with the exit code (event 330)" "$out" \
    "api: service rsolo did not come back after its certificate changed: waiting for rsolo to run failed: .*exit code 1064.  The binding keeps its new certificate"
expect_eq "failed restart: tried once, not again" "$(pending)" ""
wine reg delete "$OPTKEY\\rsolo" /f >/dev/null

# A service that does not exist: refused before anything is done.
policy nosuchsvc
d=$(add_api --not-after 120)
out=$(certbind check --config "$TMP/p.yaml" 2>&1 | tr -d '\r')
expect_eq "no such service: check says where" "$out" \
    "$TMP/p.yaml:6:24: binding api: restart_services: no service named \"nosuchsvc\" is installed"
out=$(apply)
expect_match "no such service: apply refuses the policy" "$out" \
    "$TMP/p.yaml:6:24: binding api: restart_services: no service named"
expect_eq "no such service: nothing changed" "$(bound_hash $EP)" "$c"

# A SQL Server instance (its registry keys, and fakesvc as its service):
# a change of its certificate restarts it, without restart_services.
SQLROOT='HKLM\SOFTWARE\Microsoft\Microsoft SQL Server'
NETLIB="$SQLROOT\\MSSQL16.MSSQLSERVER\\MSSQLServer\\SuperSocketNetLib"
wine reg add "$SQLROOT\\Instance Names\\SQL" /v MSSQLSERVER \
    /d MSSQL16.MSSQLSERVER /f >/dev/null
wine reg add "$NETLIB" /v Certificate /d "" /f >/dev/null
fakesvc install MSSQLSERVER
wine sc start MSSQLSERVER >/dev/null
printf '%s\n' 'version: 1' 'bindings:' '  - name: sql' \
    '    target: sqlserver' '    match: { dns: sql.example.test }' \
    >"$TMP/p.yaml"
q=$(certmk add --cn sql.example.test --dns sql.example.test --not-after 30)
rm -f "$SVCLOG"
out=$(apply)
expect_match "sqlserver: the instance's certificate is set" \
    "$(wine reg query "$NETLIB" /v Certificate | tr -d '\r')" \
    "Certificate +REG_SZ +$(printf '%s' "$q" | tr 'A-F' 'a-f')\$"
expect_match "sqlserver: its service was restarted" "$out" \
    "^sql: service MSSQLSERVER was restarted after its certificate changed"
expect_eq "sqlserver: once, through the SCM" "$(svclog)" \
    "MSSQLSERVER stop,MSSQLSERVER start,"
wine reg delete "$SQLROOT" /f >/dev/null 2>&1

reset_state
wine reg delete "$PENDKEY" /f >/dev/null 2>&1
rm -rf "$TMP"
cleanup
tap_end
