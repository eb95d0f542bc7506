#!/usr/bin/env bash
# test_service_config.sh - the service's own SCM settings (delayed start,
# restarts on failure, preshutdown timeout, description): put in place by
# `service install`, by `service configure` and by the service itself at
# each start, because an MSI installs the service without them.  Wine
# refuses some of them (ERROR_INVALID_LEVEL): that is one warning, event
# 305, and never a failure.
. "$(dirname "$0")/lib.sh"
suite_prefix

TMP=build/tmp/test_service_config
rm -rf "$TMP"
mkdir -p "$TMP"
POLICY=$TMP/policy.yaml
SVCKEY='HKLM\System\CurrentControlSet\Services\CertBind'
WARNING='certbind: warning: delayed automatic start was not set: .*\(error 124\)'

svc_state() { wine sc query CertBind 2>/dev/null | tr -d '\r' | awk '/STATE/ { print $4 }'; }
is_state() { [ "$(svc_state)" = "$1" ]; }
description() {
	wine reg query "$SVCKEY" /v Description 2>/dev/null | tr -d '\r' |
	    sed -n 's/^ *Description *REG_SZ *//p'
}
# The SCM's own interface, as an administrator's `sc` would change it.
set_description() { wine sc description CertBind "$1" >/dev/null 2>&1; }
warnings_from() { svc_events "$1" | grep -c -- "$WARNING"; }
warned_from() { [ "$(warnings_from "$1")" -ge 1 ]; }
started_from() { svc_events "$1" | grep -q 'certbind is watching'; }

write_policy() {
	printf 'version: 1\nbindings:\n  - name: api\n    endpoint: 0.0.0.0:8443\n' >"$POLICY"
	printf '    match: { dns: api.example.test }\n' >>"$POLICY"
}

test_install() {
	local out rc
	out=$(certbind service install --config "$POLICY" 2>&1); rc=$?
	expect_eq "install: exits 0" "$rc" 0
	expect_eq "install: the settings Wine refuses are one warning" \
	    "$(printf '%s\n' "$out" | grep -c 'was not set')" 1
	expect_match "install: which names each one and why" "$out" \
	    "$WARNING; restart on a non-zero exit was not set: .*\\(error 124\\); the service runs without them"
	expect_match "install: the description is set" "$(description)" \
	    "^Keeps the HTTP.sys SSL bindings"
}

test_start() {
	local from
	set_description "changed by hand"
	expect_eq "start: (the description was changed by hand)" \
	    "$(description)" "changed by hand"
	from=$(($(wc -l <"$WINEPREFIX.boot.log") + 1))
	wine sc start CertBind >/dev/null
	if wait_for 10 is_state RUNNING; then ok "start: running"
	else not_ok "start: running" "state $(svc_state)"; fi
	expect_match "start: the service puts its description back" \
	    "$(description)" "^Keeps the HTTP.sys SSL bindings"
	if wait_for 10 warned_from "$from"; then
		ok "start: what Wine refuses is a warning event"
	else
		not_ok "start: what Wine refuses is a warning event" \
		    "$(svc_events "$from" | tail -5)"
	fi
	expect_match "start: it is a warning (event 305)" \
	    "$(svc_events "$from" | grep -- "$WARNING")" "^[0-9a-f]+:warn:eventlog:"
	wait_for 10 started_from "$from"
	if started_from "$from"; then ok "start: and the service goes on"
	else not_ok "start: and the service goes on" "$(svc_events "$from")"; fi
	sleep 1
	expect_eq "start: the warning comes once" "$(warnings_from "$from")" 1
	wine sc stop CertBind >/dev/null
	wait_for 10 is_state STOPPED
}

test_configure() {
	local out rc
	set_description "changed by hand"
	out=$(certbind service configure 2>&1); rc=$?
	expect_eq "configure: exits 0 under Wine's stubs" "$rc" 0
	expect_eq "configure: with one warning" \
	    "$(printf '%s\n' "$out" | grep -c 'was not set')" 1
	expect_match "configure: the warning names what was not set" "$out" \
	    "$WARNING"
	expect_match "configure: puts the description back" "$(description)" \
	    "^Keeps the HTTP.sys SSL bindings"
	out=$(certbind service configure 2>&1); rc=$?
	expect_eq "configure: again, exits 0" "$rc" 0
	expect_match "configure: again, the description is unchanged" \
	    "$(description)" "^Keeps the HTTP.sys SSL bindings"
	out=$(certbind service configure --help 2>&1); rc=$?
	expect_match "configure: documented in service --help" "$out" \
	    "certbind service configure"
}

test_not_installed() {
	local out rc
	uninstall_service
	out=$(certbind service configure 2>&1); rc=$?
	expect_eq "configure without the service: exits 1" "$rc" 1
	expect_match "configure without the service: says why" "$out" \
	    "cannot open service CertBind: "
}

reset_state
write_policy
uninstall_service
test_install
test_start
test_configure
test_not_installed
tap_end
