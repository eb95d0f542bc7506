#!/usr/bin/env bash
# test_msi.sh - the MSI (installer/certbind.wxs, make msi) under Wine's
# msiexec, in a prefix of its own: installing changes more of the machine
# (services, Program Files, ProgramData) than the other suites reset.
#
# Install, a certificate bound by the installed service, an upgrade to a
# package built here with a higher version, a same-version and an older
# package refused, removal, and first installs with POLICY= (an invalid
# one, then a valid one with INSTALLFOLDER=).  Each step is printed; the
# MSI logs stay in build/tmp/test_msi when a test fails.
#
# The stand-in httpapi.dll is put in the program folder before each
# install: the service inherits WINEDLLOVERRIDES (httpapi=n) from the
# wineserver's first process, and loads the DLL beside its exe.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
wine_boot "$ROOT/build/wineprefix-msi" || exit 1
trap wine_end EXIT

VERSION=$(cat VERSION)
TMP=build/tmp/test_msi
rm -rf "$TMP"
mkdir -p "$TMP/same"
# A copy of the package make built: another lane's make dist may build
# it again while msiexec reads it.
MSI=$TMP/certbind-$VERSION-x64.msi
if ! with_build_lock cp "build/certbind-$VERSION-x64.msi" "$MSI"; then
	not_ok "build/certbind-$VERSION-x64.msi is there (make msi)"
	tap_end
	exit 1
fi
C=$WINEPREFIX/drive_c
PF="$C/Program Files/certbind"
PD=$C/ProgramData/certbind
EVKEY='HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\CertBind'
SVCKEY='HKLM\SYSTEM\CurrentControlSet\Services\CertBind'
ARPKEY='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall'
EP=0.0.0.0:8443

step() { echo "# --- $*"; }
winpath() { winepath -w "$1" 2>/dev/null | tr -d '\r'; }

# msi LOG ARGS...: msiexec ARGS /qn, logging to $TMP/LOG.log; its status.
msi() {
	local log=$1
	shift
	wine msiexec "$@" /qn /l*v "$(winpath "$TMP/$log.log")" >/dev/null 2>&1
}

logged() { tr -d '\r\0' <"$TMP/$1.log" 2>/dev/null | grep -Eq -- "$2"; }
svc_state() {
	wine sc query CertBind 2>/dev/null | tr -d '\r' | awk '/STATE/ { print $4 }'
}
is_running() { [ "$(svc_state)" = RUNNING ]; }
reg_get() {   # reg_get KEY NAME: "TYPE VALUE"
	wine reg query "$1" /v "$2" 2>/dev/null | tr -d '\r' |
	    awk -v n="$2" '$1 == n { $1 = ""; sub(/^ +/, ""); print }'
}
# The product codes of every certbind in Add/Remove Programs.
arp_entries() {
	wine reg query "$ARPKEY" /s 2>/dev/null | tr -d '\r' | awk '
	    /^HKEY/ { key = $0 }
	    $1 == "DisplayName" && $3 == "certbind" { sub(/.*\\/, "", key); print key }'
}
arp_value() { reg_get "$ARPKEY\\$(arp_entries | head -1)" "$1" | awk '{ $1 = ""; sub(/^ /, ""); print }'; }
holds() { [ "$(bound_hash $EP)" = "$1" ]; }

# with_standin DIR: the stand-in httpapi.dll where the service will run.
with_standin() { mkdir -p "$1" && cp "$BIN/httpapi.dll" "$1/"; }

# A package with another version, from the same sources: what a release
# after this one would be.  Its certbind.exe is built with that version
# (make VERSION=...), in a folder of its own; build/certbind.exe is then
# built back.
build_next() {   # build_next VERSION DIR
	local rc
	mkdir -p "$2/installer"
	make -s --no-print-directory VERSION="$1" build/certbind.exe \
	    >/dev/null 2>&1 && cp build/certbind.exe "$2/" &&
	    cp build/installer/certbind-ca.dll "$2/installer/"
	rc=$?
	make -s --no-print-directory build/certbind.exe >/dev/null 2>&1 || rc=1
	return "$rc"
}

NEXT=$(echo "$VERSION" | awk -F. -v OFS=. '{ $NF = $NF + 1; print }')
NEXT_MSI=$TMP/certbind-$NEXT-x64.msi
SAME_MSI=$TMP/same/certbind-$NEXT-x64.msi

test_install() {
	local ipath
	step "msiexec /i $MSI /qn"
	# A folder someone else made (and may write) before the install,
	# as anyone can in ProgramData: the installer takes it over.
	mkdir -p "$PD"
	chmod 777 "$PD"
	with_standin "$PF"
	msi install /i "$(winpath "$MSI")"
	expect_eq "install: msiexec succeeds" "$?" 0
	for f in certbind.exe README.md certbind.schema.json policy.example.yaml; do
		if [ -f "$PF/$f" ]; then ok "install: $f is in Program Files\\certbind"
		else not_ok "install: $f is in Program Files\\certbind"; fi
	done
	if cmp -s installer/policy.yaml "$PD/policy.yaml"; then
		ok "install: the example policy is in ProgramData\\certbind"
	else not_ok "install: the example policy is in ProgramData\\certbind"; fi
	if wait_for 10 is_running; then ok "install: service CertBind is RUNNING"
	else not_ok "install: service CertBind is RUNNING" "state: $(svc_state)"; fi
	ipath=$(reg_get "$SVCKEY" ImagePath)
	expect_match "install: the service runs certbind.exe service run on the policy" \
	    "$ipath" 'certbind\\certbind\.exe"? service run --config "C:\\ProgramData\\certbind\\policy\.yaml"$'
	expect_eq "install: as LocalSystem" "$(reg_get "$SVCKEY" ObjectName)" "REG_SZ LocalSystem"
	expect_eq "install: started automatically" "$(reg_get "$SVCKEY" Start)" "REG_DWORD 0x2"
	expect_eq "install: the Event Log source has certbind.exe's messages" \
	    "$(reg_get "$EVKEY" EventMessageFile)" \
	    'REG_EXPAND_SZ C:\Program Files\certbind\certbind.exe'
	expect_eq "install: for errors, warnings and information" \
	    "$(reg_get "$EVKEY" TypesSupported)" "REG_DWORD 0x7"
	expect_eq "install: Add/Remove Programs shows the version" \
	    "$(arp_value DisplayVersion)" "$VERSION"
	expect_eq "install: and the publisher" "$(arp_value Publisher)" certbind
	expect_eq "install: and no Modify" "$(arp_value NoModify)" 0x1
	# Wine keeps no DACL: it maps one to the Unix mode, so "others may
	# write" is the o+w bit.
	expect_eq "install: no one else may write in ProgramData\\certbind" \
	    "$(( $(stat -c %#a "$PD") & 2 ))" 0
	if logged install 'certbind: C:\\ProgramData\\certbind\\: only SYSTEM and Administrators'; then
		ok "install: the log says the policy folder was locked"
	else not_ok "install: the log says the policy folder was locked"; fi
}

test_binding() {
	local a
	step "a certificate for the edited policy, bound by the installed service"
	reset_state
	{
		printf 'version: 1\nbindings:\n  - name: api\n'
		printf '    endpoint: %s\n    match: { dns: api.example.test }\n' "$EP"
	} >"$PD/policy.yaml"
	a=$(certmk add --cn api.example.test --dns api.example.test)
	if [ -n "$a" ] && wait_for 20 holds "$a"; then ok "service: the new certificate is bound"
	else not_ok "service: the new certificate is bound" "bound: $(bound_hash $EP)" "want: $a"; fi
	BOUND=$a
}

test_upgrade() {
	local before_writes queries
	step "msiexec /i $NEXT_MSI /qn (an upgrade from $VERSION to $NEXT)"
	cp "$PD/policy.yaml" "$TMP/policy.before"
	before_writes=$(writes)
	# A mark the new file will not have (inode numbers are reused).
	touch -d 2000-01-01 "$PF/certbind.exe"
	queries=$(calls | wc -l)
	msi upgrade /i "$(winpath "$NEXT_MSI")"
	expect_eq "upgrade: msiexec succeeds" "$?" 0
	expect_eq "upgrade: one certbind in Add/Remove Programs" "$(arp_entries | wc -l)" 1
	expect_eq "upgrade: at version $NEXT" "$(arp_value DisplayVersion)" "$NEXT"
	expect_eq "upgrade: the installed certbind.exe is $NEXT" \
	    "$(wine "$PF/certbind.exe" version 2>/dev/null | tr -d '\r')" \
	    "certbind $NEXT"
	if cmp -s "$TMP/policy.before" "$PD/policy.yaml"; then
		ok "upgrade: the edited policy is untouched"
	else not_ok "upgrade: the edited policy is untouched"; fi
	if [ -f "$PF/certbind.exe" ] &&
	    [ "$(stat -c %Y "$PF/certbind.exe")" != "$(date -d 2000-01-01 +%s)" ]; then
		ok "upgrade: certbind.exe was replaced"
	else not_ok "upgrade: certbind.exe was replaced"; fi
	if wait_for 10 is_running; then ok "upgrade: service CertBind is RUNNING"
	else not_ok "upgrade: service CertBind is RUNNING" "state: $(svc_state)"; fi
	# The new service has looked at HTTP.sys, and changed nothing.
	if wait_for 10 eval '[ "$(calls | wc -l)" -gt "$queries" ]'; then
		ok "upgrade: the new service has read HTTP.sys"
	else not_ok "upgrade: the new service has read HTTP.sys"; fi
	sleep 1
	expect_eq "upgrade: no HTTP.sys record was written" "$(writes)" "$before_writes"
	expect_eq "upgrade: the binding still holds its certificate" "$(bound_hash $EP)" "$BOUND"
	expect_eq "upgrade: the Event Log source is still registered" \
	    "$(reg_get "$EVKEY" EventMessageFile)" \
	    'REG_EXPAND_SZ C:\Program Files\certbind\certbind.exe'
}

test_repair() {
	# REINSTALL=ALL is what /f means; Wine 8's msiexec /f answers 1605
	# (unknown product) for this package.
	step "msiexec /i $NEXT_MSI REINSTALL=ALL (a repair, after README.md was deleted)"
	cp "$PD/policy.yaml" "$TMP/policy.before"
	rm -f "$PF/README.md"
	msi repair /i "$(winpath "$NEXT_MSI")" REINSTALL=ALL REINSTALLMODE=amus
	expect_eq "repair: msiexec succeeds" "$?" 0
	if [ -f "$PF/README.md" ]; then ok "repair: README.md is back"
	else not_ok "repair: README.md is back"; fi
	if cmp -s "$TMP/policy.before" "$PD/policy.yaml"; then
		ok "repair: the policy is untouched"
	else not_ok "repair: the policy is untouched"; fi
	if wait_for 10 is_running; then ok "repair: service CertBind is RUNNING"
	else not_ok "repair: service CertBind is RUNNING" "state: $(svc_state)"; fi
}

test_refused() {
	step "msiexec /i of the same version (another build) and of $VERSION"
	msi same /i "$(winpath "$SAME_MSI")"
	if [ $? -ne 0 ]; then ok "same version: refused"
	else not_ok "same version: refused"; fi
	if logged same "certbind: certbind $NEXT is already installed .* this package is certbind $NEXT"; then
		ok "same version: the log says why"
	else not_ok "same version: the log says why"; fi
	msi downgrade /i "$(winpath "$MSI")"
	if [ $? -ne 0 ]; then ok "downgrade: refused"
	else not_ok "downgrade: refused"; fi
	if logged downgrade "certbind: certbind $NEXT is already installed .* this package is certbind $VERSION"; then
		ok "downgrade: the log says why"
	else not_ok "downgrade: the log says why"; fi
	expect_eq "refused: $NEXT is still installed" "$(arp_value DisplayVersion)" "$NEXT"
	expect_eq "refused: and its service RUNNING" "$(svc_state)" RUNNING
}

test_uninstall() {
	local f
	step "msiexec /x $NEXT_MSI /qn"
	cp "$PD/policy.yaml" "$TMP/policy.before"
	echo 'certbind_up 1' >"$PD/certbind.prom"
	msi uninstall /x "$(winpath "$NEXT_MSI")"
	expect_eq "uninstall: msiexec succeeds" "$?" 0
	if wine sc query CertBind >/dev/null 2>&1; then
		not_ok "uninstall: service CertBind is gone" "state: $(svc_state)"
	else ok "uninstall: service CertBind is gone"; fi
	if wine reg query "$EVKEY" >/dev/null 2>&1; then
		not_ok "uninstall: the Event Log source is gone"
	else ok "uninstall: the Event Log source is gone"; fi
	for f in certbind.exe README.md certbind.schema.json policy.example.yaml; do
		if [ -e "$PF/$f" ]; then not_ok "uninstall: $f is gone"
		else ok "uninstall: $f is gone"; fi
	done
	if cmp -s "$TMP/policy.before" "$PD/policy.yaml"; then
		ok "uninstall: the policy stays"
	else not_ok "uninstall: the policy stays"; fi
	if [ -f "$PD/certbind.prom" ]; then ok "uninstall: the metrics file stays"
	else not_ok "uninstall: the metrics file stays"; fi
	expect_eq "uninstall: nothing in Add/Remove Programs" "$(arp_entries | wc -l)" 0
	expect_eq "uninstall: the HTTP.sys record is left as it is" "$(bound_hash $EP)" "$BOUND"
}

# A machine certbind never reached: no policy folder.
test_policy_invalid() {
	step "msiexec /i POLICY=an invalid policy, on a fresh machine"
	rm -rf "$PD"
	printf 'version: 1\nbindings:\n  - name: api\n    endpoint: 0.0.0.0:99999\n    match: { dns: a.example.test }\n' \
	    >"$TMP/bad.yaml"
	msi bad /i "$(winpath "$MSI")" POLICY="$(winpath "$TMP/bad.yaml")"
	if [ $? -ne 0 ]; then ok "POLICY invalid: the install fails"
	else not_ok "POLICY invalid: the install fails"; fi
	if logged bad 'certbind: .*bad\.yaml:4:15: '; then
		ok "POLICY invalid: the log has FILE:LINE:COL and why"
	else not_ok "POLICY invalid: the log has FILE:LINE:COL and why" \
	    "$(tr -d '\r\0' <"$TMP/bad.log" | grep 'certbind:')"; fi
	if [ -e "$PF/certbind.exe" ] || [ -e "$PD" ] ||
	    wine sc query CertBind >/dev/null 2>&1 || [ -n "$(arp_entries)" ]; then
		not_ok "POLICY invalid: nothing is left behind"
	else ok "POLICY invalid: nothing is left behind"; fi
	msi missing /i "$(winpath "$MSI")" POLICY='C:\no-such-policy.yaml'
	if [ $? -ne 0 ]; then ok "POLICY missing: the install fails"
	else not_ok "POLICY missing: the install fails"; fi
	if logged missing 'certbind: C:\\no-such-policy\.yaml cannot be opened: '; then
		ok "POLICY missing: the log says it cannot be opened"
	else not_ok "POLICY missing: the log says it cannot be opened" \
	    "$(tr -d '\r\0' <"$TMP/missing.log" | grep 'certbind:')"; fi
	if [ -e "$PF/certbind.exe" ] || [ -e "$PD" ] || [ -n "$(arp_entries)" ]; then
		not_ok "POLICY missing: nothing is left behind"
	else ok "POLICY missing: nothing is left behind"; fi
	msi folder /i "$(winpath "$MSI")" POLICY="$(winpath "$TMP")"
	if [ $? -ne 0 ]; then ok "POLICY a folder: the install fails"
	else not_ok "POLICY a folder: the install fails"; fi
	if logged folder 'certbind: .*test_msi is a folder, not a policy file'; then
		ok "POLICY a folder: the log says so"
	else not_ok "POLICY a folder: the log says so" \
	    "$(tr -d '\r\0' <"$TMP/folder.log" | grep 'certbind:')"; fi
}

# The service cannot start (no stand-in beside it: Wine's httpapi is
# overridden away), so the install fails after the policy was copied in:
# the rollback removes it with the rest.
test_rollback() {
	step "msiexec /i POLICY=a valid policy, and the service cannot start"
	rm -rf "$PD"
	printf 'version: 1\nbindings:\n  - name: api\n    endpoint: %s\n    match: { dns: api.example.test }\n' \
	    "$EP" >"$TMP/good.yaml"
	msi rollback /i "$(winpath "$MSI")" POLICY="$(winpath "$TMP/good.yaml")" \
	    'INSTALLFOLDER=C:\certbind-nostandin\'
	if [ $? -ne 0 ]; then ok "rollback: the install fails"
	else not_ok "rollback: the install fails"; fi
	if [ -e "$PD/policy.yaml" ]; then
		not_ok "rollback: the policy it copied in is removed"
	else ok "rollback: the policy it copied in is removed"; fi
	if [ -e "$C/certbind-nostandin/certbind.exe" ] ||
	    wine sc query CertBind >/dev/null 2>&1 || [ -n "$(arp_entries)" ]; then
		not_ok "rollback: nothing else is left behind"
	else ok "rollback: nothing else is left behind"; fi
}

test_policy_valid() {
	local alt=$C/certbind-alt
	step "msiexec /i POLICY=a valid policy INSTALLFOLDER=C:\\certbind-alt\\"
	rm -rf "$PD"
	printf 'version: 1\nbindings:\n  - name: api\n    endpoint: %s\n    match: { dns: api.example.test }\n' \
	    "$EP" >"$TMP/good.yaml"
	with_standin "$alt"
	msi good /i "$(winpath "$MSI")" POLICY="$(winpath "$TMP/good.yaml")" \
	    'INSTALLFOLDER=C:\certbind-alt\'
	expect_eq "POLICY valid: msiexec succeeds" "$?" 0
	if cmp -s "$TMP/good.yaml" "$PD/policy.yaml"; then
		ok "POLICY valid: it is the policy"
	else not_ok "POLICY valid: it is the policy"; fi
	if [ -f "$alt/certbind.exe" ] && [ ! -e "$PF/certbind.exe" ]; then
		ok "INSTALLFOLDER: certbind.exe is there"
	else not_ok "INSTALLFOLDER: certbind.exe is there"; fi
	if wait_for 10 is_running; then ok "POLICY valid: service CertBind is RUNNING"
	else not_ok "POLICY valid: service CertBind is RUNNING" "state: $(svc_state)"; fi
	expect_match "INSTALLFOLDER: the service runs the exe there" \
	    "$(reg_get "$SVCKEY" ImagePath)" 'C:\\certbind-alt\\certbind\.exe'

	step "msiexec /i $NEXT_MSI POLICY=another policy (an upgrade)"
	printf 'version: 1\nbindings:\n  - name: other\n    endpoint: 0.0.0.0:9443\n    match: { dns: other.example.test }\n' \
	    >"$TMP/other.yaml"
	msi good-upgrade /i "$(winpath "$NEXT_MSI")" \
	    POLICY="$(winpath "$TMP/other.yaml")"
	expect_eq "upgrade with POLICY: msiexec succeeds" "$?" 0
	if cmp -s "$TMP/good.yaml" "$PD/policy.yaml"; then
		ok "upgrade with POLICY: the policy there is kept"
	else not_ok "upgrade with POLICY: the policy there is kept"; fi
	if [ -f "$alt/certbind.exe" ] && [ ! -e "$PF/certbind.exe" ]; then
		ok "upgrade: installed in the folder of the version it replaces"
	else not_ok "upgrade: installed in the folder of the version it replaces"; fi
	if wait_for 10 is_running; then ok "upgrade: service CertBind is RUNNING"
	else not_ok "upgrade: service CertBind is RUNNING" "state: $(svc_state)"; fi

	step "msiexec /x $NEXT_MSI"
	msi good-uninstall /x "$(winpath "$NEXT_MSI")"
	expect_eq "uninstall: msiexec succeeds" "$?" 0
	if [ -e "$alt/certbind.exe" ]; then not_ok "uninstall: certbind.exe is gone from INSTALLFOLDER"
	else ok "uninstall: certbind.exe is gone from INSTALLFOLDER"; fi
}

# The custom actions run inside msiexec on a bare server: like
# certbind.exe (test_imports.sh), they import only what ships with Windows.
step "what certbind-ca.dll imports"
for dll in $(x86_64-w64-mingw32-objdump -p build/installer/certbind-ca.dll |
    awk '/DLL Name:/ { print tolower($3) }' | sort); do
	case " advapi32.dll kernel32.dll msi.dll msvcrt.dll " in
	*" $dll "*) ok "certbind-ca.dll imports $dll, which ships with Windows" ;;
	*) not_ok "certbind-ca.dll imports $dll, which does not ship with Windows" ;;
	esac
done
expect_match "certbind-ca.dll imports msi.dll" \
    "$(x86_64-w64-mingw32-objdump -p build/installer/certbind-ca.dll)" \
    'DLL Name: msi\.dll'

# The same version built twice is two packages of one certbind.exe: each
# wixl run gives its package a product code of its own (Product Id="*"),
# which is what makes the second "another build".
step "two packages of certbind $NEXT from the same sources"
if with_build_lock build_next "$NEXT" "$TMP/build-$NEXT" &&
    sh installer/wixl.sh "$NEXT" "$TMP/build-$NEXT" "$NEXT_MSI" >/dev/null 2>&1 &&
    sh installer/wixl.sh "$NEXT" "$TMP/build-$NEXT" "$SAME_MSI" >/dev/null 2>&1; then
	ok "wixl builds certbind $NEXT"
else
	not_ok "wixl builds certbind $NEXT"
fi
test_install
test_binding
test_upgrade
test_repair
test_refused
test_uninstall
test_policy_invalid
test_rollback
test_policy_valid
if [ "$T_FAILED" -eq 0 ]; then
	rm -rf "$TMP"
else
	echo "# the MSI logs are in $TMP"
fi
tap_end
