#!/usr/bin/env bash
# test_plan.sh - certbind.exe plan, and the policy keys that reach the store
# and HTTP.sys (renewal links, templates, WebHosting, options), under Wine.
. "$(dirname "$0")/lib.sh"
suite_prefix

TMP=build/tmp/test_plan
mkdir -p "$TMP"
EP=0.0.0.0:8443

add_api() {   # add_api [certmk options]: a certificate for api.example.test
	certmk add --cn api.example.test --dns api.example.test "$@"
}

# policy FILE [extra binding lines...]: one binding 'api' on $EP.
policy() {
	local file=$TMP/$1 line
	shift
	{
		printf 'version: 1\nbindings:\n  - name: api\n'
		printf '    endpoint: %s\n' "$EP"
		for line in "$@"; do printf '    %s\n' "$line"; done
	} >"$file"
	echo "$file"
}

json_get() {   # json_get EXPRESSION: evaluate on the JSON from stdin
	python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"
}

# plan says what apply will do, exits 2 until apply did it, then 0.
test_plan_cycle() {
	local p a out rc
	reset_state
	p=$(policy plain.yaml 'match: { dns: api.example.test }')
	add_api --not-before -90 --not-after -1 >/dev/null
	a=$(add_api --not-after 30)
	out=$(certbind plan --config "$p" 2>&1); rc=$?
	expect_eq "plan with a change pending exits 2" "$rc" 2
	expect_match "plan says it will create the binding" "$out" \
	    "^api \\($EP\\): create with $a"
	expect_match "plan counts the changes" "$out" "^1 change pending"
	expect_eq "plan changes nothing" "$(bound_hash $EP)" ""

	out=$(certbind plan --config "$p" --explain 2>&1)
	expect_match "--explain marks the winner" "$out" "^    $a  expires .*  chosen"
	expect_match "--explain says why the expired one lost" "$out" \
	    "^    [0-9A-F]{40}  expires [0-9-]+  expired [0-9-]+"

	out=$(certbind plan --config "$p" --json --explain 2>&1)
	expect_eq "--json is JSON with the action" \
	    "$(printf '%s' "$out" | json_get 'd["bindings"][0]["action"]')" create
	expect_eq "--json names the chosen certificate" \
	    "$(printf '%s' "$out" | json_get 'd["bindings"][0]["chosen"]["thumbprint"]')" "$a"
	expect_eq "--json --explain lists both candidates" \
	    "$(printf '%s' "$out" | json_get 'len(d["bindings"][0]["candidates"])')" 2

	certbind apply --config "$p" >/dev/null 2>&1
	out=$(certbind plan --config "$p" 2>&1); rc=$?
	expect_eq "plan after apply exits 0" "$rc" 0
	expect_match "plan after apply has nothing to change" "$out" \
	    "^nothing to change"
	out=$(certbind plan --config "$p" --json 2>&1)
	expect_eq "--json after apply: action none" \
	    "$(printf '%s' "$out" | json_get 'd["bindings"][0]["action"]')" none
	expect_eq "--json after apply: the record's thumbprint" \
	    "$(printf '%s' "$out" | json_get 'd["bindings"][0]["current"]["thumbprint"]')" "$a"

	out=$(certbind plan --config tests/integration/policies/broken.yaml 2>&1)
	rc=$?
	expect_eq "plan on a bad policy exits 1" "$rc" 1
}

# A pinned certificate is followed to its renewal (CERT_RENEWAL_PROP_ID).
test_renewal_link() {
	local p a b c out rc
	reset_state
	a=$(add_api --not-after 20)
	b=$(add_api --not-after 90)
	p=$(policy pinned.yaml 'match:' '  dns: api.example.test' \
	    "  thumbprints: [$a]")
	certbind apply --config "$p" >/dev/null 2>&1
	expect_eq "renewal: the pinned certificate is bound, not the newer one" \
	    "$(bound_hash $EP)" "$a"
	c=$(add_api --not-after 60)
	certmk renew "$a" "$c"
	out=$(certbind plan --config "$p" --explain 2>&1); rc=$?
	expect_eq "renewal: plan exits 2" "$rc" 2
	expect_match "renewal: plan moves to the successor" "$out" \
	    "^api \\($EP\\): update from $a to $c"
	expect_match "renewal: --explain says it is the renewal" "$out" \
	    "^    $c  expires .*  chosen \\(renewal of the bound certificate\\)"
	expect_match "renewal: the unlisted newer one stays out" "$out" \
	    "^    $b  expires .*  not in match.thumbprints"
	certbind apply --config "$p" >/dev/null 2>&1
	expect_eq "renewal: apply follows the link" "$(bound_hash $EP)" "$c"
}

# match.template and match.issuer read what the store holds.
test_filters() {
	local p t out
	reset_state
	t=$(add_api --not-after 30 --template WebServer)
	add_api --not-after 90 >/dev/null
	p=$(policy template.yaml \
	    'match: { dns: api.example.test, template: webserver }')
	out=$(certbind plan --config "$p" --explain 2>&1)
	expect_match "template: the certificate from the template wins" "$out" \
	    "^api \\($EP\\): create with $t"
	expect_match "template: the other one is passed over" "$out" \
	    "template is none, not webserver"
	p=$(policy issuer.yaml \
	    "match: { dns: api.example.test, issuer: 'CN=Contoso' }")
	out=$(certbind plan --config "$p" --explain 2>&1)
	expect_match "issuer: no self-signed certificate is from Contoso" "$out" \
	    "issuer 'CN=api.example.test' does not contain 'CN=Contoso'"
}

# cert_store: WebHosting takes its certificate from that store.
test_webhosting() {
	local p w
	reset_state
	add_api --not-after 90 >/dev/null
	w=$(certmk --store WebHosting add --cn api.example.test \
	    --dns api.example.test --not-after 30)
	p=$(policy web.yaml 'match: { dns: api.example.test }' \
	    'options: { cert_store: WebHosting }')
	certbind apply --config "$p" >/dev/null 2>&1
	expect_eq "WebHosting: the certificate comes from WebHosting" \
	    "$(bound_hash $EP)" "$w"
	expect_eq "WebHosting: the record names the store" \
	    "$(reg_value $EP SslCertStoreName)" WebHosting
}

# Declared options reach the record; an options-only change is an update.
test_options() {
	local p out rc
	reset_state
	add_api --not-after 90 >/dev/null
	p=$(policy plain.yaml 'match: { dns: api.example.test }')
	certbind apply --config "$p" >/dev/null 2>&1
	p=$(policy options.yaml 'match: { dns: api.example.test }' \
	    'options:' '  disable_http2: true' '  client_cert_negotiation: true' \
	    '  revocation_freshness_time: 10m')
	out=$(certbind plan --config "$p" 2>&1); rc=$?
	expect_eq "options: plan exits 2" "$rc" 2
	expect_match "options: plan lists what changes" "$out" \
	    "update options: check mode 0x0 -> 0x4, revocation freshness 0s -> 600s, flags 0x0 -> 0x12"
	out=$(certbind apply --config "$p" 2>&1); rc=$?
	expect_eq "options: apply exits 0" "$rc" 0
	expect_eq "options: DefaultFlags" "$(reg_value $EP DefaultFlags)" 0x12
	expect_eq "options: revocation freshness" \
	    "$(reg_value $EP DefaultSslRevocationFreshnessTime)" 0x258
	certbind plan --config "$p" >/dev/null 2>&1; rc=$?
	expect_eq "options: nothing left to change" "$rc" 0
}

# Private keys are opened in rank order, for the winner only: a key that
# does not open loses as "no private key" and the next one's is opened;
# the keys of those ranked below the winner are never opened, so C's
# missing key is never found and C loses on its date.
test_lazy_keys() {
	local p a b c out
	reset_state
	p=$(policy lazy.yaml 'match: { dns: api.example.test }')
	a=$(add_api --not-after 90 --no-key)
	b=$(add_api --not-after 60)
	c=$(add_api --not-after 30 --no-key)
	out=$(certbind plan --config "$p" --explain 2>&1)
	expect_match "lazy keys: the runner-up wins when the best has no key" \
	    "$out" "^    $b  expires .*  chosen"
	expect_match "lazy keys: the best lost for its key" "$out" \
	    "^    $a  expires [0-9-]+  no private key"
	expect_match "lazy keys: the key below the winner is not opened" \
	    "$out" "^    $c  expires [0-9-]+  expires [0-9-]+, before $b"
	certbind apply --config "$p" >/dev/null 2>&1
	expect_eq "lazy keys: apply binds the runner-up" "$(bound_hash $EP)" "$b"
}

# The first choices of many bindings are checked side by side (a thread
# per processor, service/keyprobe.c): each binding still gets its own
# certificate's answer.  Binding i's best certificate has a good key, no
# key, a broken key or another certificate's key, by i mod 4; its runner-up
# has a good one.
test_keys_side_by_side() {
	local p=$TMP/many.yaml n=12 i best runner want out verdict what
	reset_state
	{
		printf 'version: 1\nbindings:\n'
		for i in $(seq 1 $n); do
			printf '  - name: s%d\n    endpoint: 127.0.0.%d:8443\n' "$i" "$i"
			printf '    match: { dns: s%d.example.test }\n' "$i"
		done
	} >"$p"
	declare -a bests runners
	for i in $(seq 1 $n); do
		set -- --cn "s$i.example.test" --dns "s$i.example.test"
		runner=$(certmk add "$@" --not-after 60)
		case $((i % 4)) in
		0) best=$(certmk add "$@" --not-after 90) ;;
		1) best=$(certmk add "$@" --not-after 90 --no-key) ;;
		2) best=$(certmk add "$@" --not-after 90)
		   certmk break-key "$best" ;;
		3) best=$(certmk add "$@" --not-after 90 --key-of "$runner") ;;
		esac
		bests[i]=$best
		runners[i]=$runner
	done
	out=$(certbind plan --config "$p" --explain 2>&1 | tr -d '\r')
	for i in $(seq 1 $n); do
		want=${runners[i]}
		case $((i % 4)) in
		0) want=${bests[i]}; verdict="chosen"; what="wins" ;;
		1) verdict="no private key"; what="has no key" ;;
		2) verdict="key-unusable: .*\\(0x8009"; what="has a broken key" ;;
		3) verdict="key-unusable: the private key does not match"
		   what="has another's key" ;;
		esac
		expect_match "keys side by side: s$i's best $what" \
		    "$out" "^    ${bests[i]}  expires [0-9-]+  $verdict"
		expect_match "keys side by side: s$i gets the one it should" "$out" \
		    "^    $want  expires [0-9-]+  chosen"
	done
	certbind apply --config "$p" >/dev/null 2>&1
	for i in $(seq 1 $n); do
		want=${runners[i]}
		[ $((i % 4)) -eq 0 ] && want=${bests[i]}
		expect_eq "keys side by side: apply binds s$i's" \
		    "$(bound_hash "127.0.0.$i:8443")" "$want"
	done
}

# certs shows what the matcher sees in each certificate.
test_certs() {
	local a b out rc
	reset_state
	a=$(add_api --not-after 30 --template WebServer)
	b=$(add_api --not-after 60 --no-key --eku client)
	certmk renew "$a" "$b"
	out=$(certbind certs 2>&1 | tr -d '\r'; exit "${PIPESTATUS[0]}"); rc=$?
	expect_eq "certs: exits 0" "$rc" 0
	expect_match "certs: lists each certificate with its store" "$out" \
	    "^$a  LocalMachine\\\\My$"
	expect_match "certs: the template" "$out" "^  template  WebServer$"
	expect_match "certs: the renewal link" "$out" "^  renewed by $b$"
	expect_match "certs: a missing key" "$out" "^  key       NO PRIVATE KEY$"
	expect_match "certs: the EKU" "$out" "^  EKU       clientAuth only$"
	expect_match "certs: the count" "$out" "^2 certificates$"
	out=$(certbind certs --json 2>&1)
	expect_eq "certs --json: server_auth of the clientAuth one" \
	    "$(printf '%s' "$out" | json_get "[c['server_auth'] for c in d['certificates'] if c['thumbprint'] == '$b'][0]")" \
	    False
	expect_eq "certs --json: renewed_by" \
	    "$(printf '%s' "$out" | json_get "[c['renewed_by'] for c in d['certificates'] if c['thumbprint'] == '$a'][0]")" \
	    "$b"
}

# certs opens every key, side by side: each certificate still shows its
# own key's answer.
test_certs_keys() {
	local i t out want
	declare -a thumbs
	reset_state
	for i in 1 2 3 4 5 6; do
		thumbs[i]=$(add_api --not-after $((30 + i)))
		[ $((i % 2)) -eq 0 ] && certmk break-key "${thumbs[i]}"
	done
	out=$(certbind certs --json 2>&1)
	for i in 1 2 3 4 5 6; do
		t=${thumbs[i]}
		want=True
		[ $((i % 2)) -eq 0 ] && want=False
		expect_eq "certs: certificate $i's own key (has_private_key $want)" \
		    "$(printf '%s' "$out" | json_get "[c['has_private_key'] for c in d['certificates'] if c['thumbprint'] == '$t'][0]")" \
		    "$want"
	done
}

test_plan_cycle
test_certs
test_certs_keys
test_renewal_link
test_filters
test_webhosting
test_options
test_lazy_keys
test_keys_side_by_side
tap_end
