#!/usr/bin/env bash
# test_policyacl.sh - who may change the policy (service/policyacl.c).
#
# Wine 8 keeps no security descriptor for these files: it makes one up
# from the Unix mode (owner, SYSTEM, and Everyone with the "other" bits),
# so "chmod o+w" is how a test lets Everyone write.  Windows' own DACLs
# and inheritance are judged by core/acl.c, table-tested in test_acl.c.
. "$(dirname "$0")/lib.sh"
suite_prefix

TMP=build/tmp/test_policyacl
chmod -R u+w "$TMP" 2>/dev/null
rm -rf "$TMP"
mkdir -p "$TMP/policy"
POLICY=$TMP/policy/policy.yaml
EP=0.0.0.0:8443

# write_policy [service line [mode]]: written beside, then moved into
# place, so that the loop never reads it with another mode.
write_policy() {
	{
		printf 'version: 1\n'
		[ -n "${1:-}" ] && printf 'service: { %s }\n' "$1"
		printf 'bindings:\n  - name: api\n    endpoint: %s\n' "$EP"
		printf '    match: { dns: api.example.test }\n'
	} >"$TMP/next.yaml"
	chmod "${2:-644}" "$TMP/next.yaml"
	mv "$TMP/next.yaml" "$POLICY"
}

holds() { [ "$(bound_hash $EP)" = "$1" ]; }

# refused_from LINE: the service has reported, from line LINE of the
# prefix's boot log on, that it refused to load the policy: an error, not
# the warning of a policy loaded.  (Wine cuts a long event's text, so the
# match is on its start.)
refused_from() {
	svc_events "$1" | grep -q ':err:eventlog:.*policy file may be changed by'
}

# boot_lines: the number of lines the boot log has now.
boot_lines() { tr -d '\r' <"$WINEPREFIX.boot.log" | wc -l; }

test_check() {
	local out rc
	reset_state
	write_policy
	out=$(certbind check --config "$POLICY" 2>&1); rc=$?
	expect_eq "check: a policy only its owner may write passes" "$rc" 0
	if printf '%s' "$out" | grep -q warning; then
		not_ok "check: and draws no warning" "$out"
	else
		ok "check: and draws no warning"
	fi

	chmod o+w "$POLICY"
	out=$(certbind check --config "$POLICY" 2>&1); rc=$?
	expect_eq "check: a file Everyone may write still passes in a console" \
	    "$rc" 0
	expect_match "check: with a warning naming the account and the rights" \
	    "$out" "warning: the policy file may be changed by Everyone \\(S-1-1-0\\).*FILE_WRITE_DATA"

	write_policy 'require_secure_policy: true'
	chmod o+w "$TMP/policy"
	out=$(certbind check --config "$POLICY" 2>&1); rc=$?
	expect_eq "check: with require_secure_policy, a folder Everyone may add to is refused" \
	    "$rc" 1
	expect_match "check: saying who and why" "$out" \
	    "its folder may be changed by Everyone.*FILE_ADD_FILE.*the policy is not loaded \\(service.require_secure_policy\\)"
	out=$(certbind apply --config "$POLICY" 2>&1); rc=$?
	expect_eq "apply: refuses it too" "$rc" 1
	expect_eq "apply: and binds nothing" "$(bound_hash $EP)" ""
	chmod o-w "$TMP/policy"
}

# A policy whose full path is longer than MAX_PATH is judged by its \\?\
# form, and so is one at a drive root (its folder is C:\, not C:).  Wine 8
# does not hold GetNamedSecurityInfoW to MAX_PATH as Windows does, so
# here these pass with the plain form too; they guard the \\?\ form.
test_long() {
	local deep long name out rc
	deep=$TMP/policy/$(printf 'd%.0s' $(seq 1 120))/$(printf 'e%.0s' $(seq 1 120))
	mkdir -p "$deep"
	long=$deep/policy.yaml
	write_policy 'require_secure_policy: true'
	cp "$POLICY" "$long"
	out=$(certbind check --config "$long" 2>&1); rc=$?
	if [ "$rc" = 0 ]; then ok "long path: a secure policy longer than MAX_PATH passes"
	else not_ok "long path: a secure policy longer than MAX_PATH passes" "$out"; fi
	name=$(printf 'r%.0s' $(seq 1 245)).yaml
	cp "$POLICY" "$WINEPREFIX/drive_c/$name"
	out=$(certbind check --config "C:\\$name" 2>&1); rc=$?
	if [ "$rc" = 0 ]; then ok "long path: a secure policy at a drive root (folder \\\\?\\C:\\) passes"
	else not_ok "long path: a secure policy at a drive root (folder \\\\?\\C:\\) passes" "$out"; fi
	rm -f "$WINEPREFIX/drive_c/$name"
	rm -rf "$TMP/policy/ddd"*
}

test_run() {
	local pid a n
	reset_state
	a=$(certmk add --cn api.example.test --dns api.example.test --not-after 30)
	write_policy 'require_secure_policy: true'
	chmod o+w "$POLICY"
	out=$(WINEDEBUG=-all timeout 20 wine "$BIN/certbind.exe" run \
	    --config "$POLICY" 2>&1); rc=$?
	expect_eq "run: an insecure policy with require_secure_policy does not start" \
	    "$rc" 1
	expect_match "run: event 316 says why" "$out" \
	    "^certbind\\[316\\] error: .*the policy file may be changed by Everyone"
	expect_eq "run: nothing is bound" "$(bound_hash $EP)" ""

	write_policy 'require_secure_policy: true'
	WINEDEBUG=-all wine "$BIN/certbind.exe" run --config "$POLICY" \
	    >"$TMP/run.out" 2>"$TMP/run.err" &
	pid=$!
	if wait_for 10 holds "$a"; then
		ok "run: a secure policy is applied"
	else
		not_ok "run: a secure policy is applied" "$(tail -3 "$TMP/run.err")"
	fi
	# An edit that also opens the file to Everyone is refused; the policy
	# loaded before stays.
	write_policy 'require_secure_policy: true, resync_interval: 2h' 666
	if wait_for 10 sh -c "tr -d '\r' <'$TMP/run.err' | grep -q '^certbind\\[316\\] error: .*(the policy loaded before stays in force)'"; then
		ok "run: a reload that became insecure is refused, the last policy stays"
	else
		not_ok "run: a reload that became insecure is refused, the last policy stays" \
		    "$(tail -3 "$TMP/run.err")"
	fi
	# Fixing only the permissions, not the content, lets it load.
	loaded() { [ "$(tr -d '\r' <"$TMP/run.err" | grep -c 'policy loaded')" -gt "$1" ]; }
	n=$(tr -d '\r' <"$TMP/run.err" | grep -c 'policy loaded')
	chmod 644 "$POLICY"
	if wait_for 10 loaded "$n"; then
		ok "run: once only the permissions are fixed, the refused policy loads"
	else
		not_ok "run: once only the permissions are fixed, the refused policy loads" \
		    "$(tail -3 "$TMP/run.err")"
	fi
	write_policy '' 666
	if wait_for 10 sh -c "tr -d '\r' <'$TMP/run.err' | grep -q '^certbind\\[229\\] warning: .*may be changed by Everyone'"; then
		ok "run: in a console the default is to warn (event 229) and load"
	else
		not_ok "run: in a console the default is to warn (event 229) and load" \
		    "$(tail -3 "$TMP/run.err")"
	fi
	kill -INT "$pid"
	wait_for 10 sh -c "! kill -0 $pid 2>/dev/null" || kill "$pid"
	wait "$pid"
	chmod o-w "$POLICY"
}

test_install() {
	local out rc
	out=$(certbind service install --config "$TMP/new/policy.yaml" 2>&1); rc=$?
	expect_eq "install: a missing policy folder is created" "$rc" 0
	expect_match "install: and says it is for administrators only" "$out" \
	    "created .*new, which only SYSTEM and Administrators may change"
	if [ -d "$TMP/new" ]; then ok "install: the folder exists"
	else not_ok "install: the folder exists"; fi
	uninstall_service

	mkdir -p "$TMP/open"
	chmod o+w "$TMP/open"
	out=$(certbind service install --config "$TMP/open/policy.yaml" 2>&1); rc=$?
	expect_eq "install: a missing policy in a folder Everyone may add to is refused" \
	    "$rc" 1
	# Judged as the service will: under Wine the folder's owner (the
	# account running the test, not an administrator to the service)
	# comes before Everyone.
	expect_match "install: saying who could create it" "$out" \
	    "policy.yaml does not exist, and someone else could create it: the folder may be changed by"
	expect_eq "install: and no service is installed" \
	    "$(wine sc query CertBind 2>/dev/null | grep -c STATE)" 0
	chmod o-w "$TMP/open"
}

# `service install` warns about what the service will refuse: it judges
# as the LocalSystem service, which does not trust the administrator who
# owns the file, while a console run by that administrator does.
test_install_view() {
	local out rc owner
	write_policy
	out=$(certbind check --config "$POLICY" 2>&1); rc=$?
	expect_eq "install view: check, run by the owner, passes" "$rc" 0
	owner=$(printf '%s' "$out" | grep -c warning)
	expect_eq "install view: and draws no warning" "$owner" 0
	out=$(certbind service install --config "$POLICY" 2>&1); rc=$?
	expect_eq "install view: install succeeds" "$rc" 0
	expect_match "install view: but warns that the owner, not trusted by the service, may change it" \
	    "$out" "warning: the policy file may be changed by [^ ]* \\(S-1-5-21-.*WRITE_DAC"
	uninstall_service
}

svc_state() { wine sc query CertBind 2>/dev/null | tr -d '\r' | awk '/STATE/ { print $4 }'; }
is_state() { [ "$(svc_state)" = "$1" ]; }

# Under the Service Control Manager require_secure_policy defaults to true.
test_service_default() {
	local a out rc from
	reset_state
	a=$(certmk add --cn api.example.test --dns api.example.test --not-after 30)
	write_policy '' 666
	out=$(certbind service install --config "$POLICY" 2>&1); rc=$?
	expect_eq "service: install of an insecure policy succeeds" "$rc" 0
	expect_match "service: with a warning naming the account" "$out" \
	    "warning: the policy file may be changed by .*\\(S-1-"
	from=$(($(boot_lines) + 1))
	wine sc start CertBind >/dev/null
	wait_for 10 is_state RUNNING
	# Until the service has judged the policy, nothing bound proves nothing.
	if wait_for 10 refused_from "$from"; then
		ok "service: says it refuses the policy"
	else
		not_ok "service: says it refuses the policy" \
		    "$(svc_events "$from" | tail -3)"
	fi
	expect_eq "service: refuses the policy by default, so binds nothing" \
	    "$(bound_hash $EP)" ""
	write_policy
	if wait_for 10 holds "$a"; then
		ok "service: once only administrators may change it, it is applied"
	else
		not_ok "service: once only administrators may change it, it is applied"
	fi
	wine sc stop CertBind >/dev/null
	wait_for 10 is_state STOPPED
	uninstall_service
}

# The policy cannot lower its own check: under the service a
# `require_secure_policy: false` in the very file being judged is not
# honoured; only `service install --allow-insecure-policy`, on the
# service's command line where only administrators can change it, is.
test_service_bypass() {
	local a out rc from
	reset_state
	a=$(certmk add --cn api.example.test --dns api.example.test --not-after 30)
	write_policy 'require_secure_policy: false' 666
	certbind service install --config "$POLICY" >/dev/null 2>&1
	from=$(($(boot_lines) + 1))
	wine sc start CertBind >/dev/null
	wait_for 10 is_state RUNNING
	if wait_for 10 refused_from "$from"; then
		ok "service: says it refuses the policy that lowers its own check"
	else
		not_ok "service: says it refuses the policy that lowers its own check" \
		    "$(svc_events "$from" | tail -3)"
	fi
	expect_eq "service: require_secure_policy: false in the policy itself does not lower the check" \
	    "$(bound_hash $EP)" ""
	wine sc stop CertBind >/dev/null
	wait_for 10 is_state STOPPED
	uninstall_service

	out=$(certbind service install --allow-insecure-policy \
	    --config "$POLICY" 2>&1); rc=$?
	expect_eq "service: install --allow-insecure-policy succeeds" "$rc" 0
	expect_match "service: and puts the option on the service's command line" \
	    "$out" "service run --allow-insecure-policy --config"
	wine sc start CertBind >/dev/null
	wait_for 10 is_state RUNNING
	if wait_for 10 holds "$a"; then
		ok "service: installed with --allow-insecure-policy, it loads the policy with a warning"
	else
		not_ok "service: installed with --allow-insecure-policy, it loads the policy with a warning"
	fi
	wine sc stop CertBind >/dev/null
	wait_for 10 is_state STOPPED
	uninstall_service
	chmod o-w "$POLICY"
}

test_check
test_long
test_run
test_install
test_install_view
test_service_default
test_service_bypass
tap_end
