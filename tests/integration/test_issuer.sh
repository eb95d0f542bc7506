#!/usr/bin/env bash
# test_issuer.sh - match.issuer is a text filter; match.issuer_thumbprints
# is a trust check: the certificate must chain to a listed CA (Wine's
# CertGetCertificateChain builds chains from LocalMachine's stores).
. "$(dirname "$0")/lib.sh"
suite_prefix

EP=0.0.0.0:8443
POLICY=build/test-issuer.yaml

policy() {   # policy MATCH-KEYS...: the api binding with these match keys
	{
		printf 'version: 1\nbindings:\n  - name: api\n'
		printf '    endpoint: %s\n    match:\n' "$EP"
		printf '      dns: api.example.test\n'
		for k in "$@"; do printf '      %s\n' "$k"; done
	} >"$POLICY"
}

test_issuer_thumbprints() {
	local ca other real evil forged out
	reset_state
	ca=$(certmk add --cn 'Contoso Issuing CA, O=Contoso' --ca --eku none \
	    --not-after 365)
	other=$(certmk add --cn 'Fabrikam CA, O=Fabrikam' --ca --eku none \
	    --not-after 365)
	real=$(certmk add --cn api.example.test --dns api.example.test \
	    --issuer "$ca" --not-after 30)
	# Self-signed, with the CA's text in its own DN, and a later expiry.
	evil=$(certmk add --cn 'api.example.test, OU="O=Contoso"' \
	    --dns api.example.test --not-after 90)

	policy 'issuer: O=Contoso'
	out=$(certbind plan --config $POLICY 2>&1)
	expect_match "issuer text alone: the self-signed impostor would win" \
	    "$out" "create with $evil"

	policy 'issuer: O=Contoso' "issuer_thumbprints: ['$ca']"
	out=$(certbind plan --explain --config $POLICY 2>&1)
	expect_match "issuer_thumbprints: the impostor does not chain" "$out" \
	    "$evil .* does not chain to a CA in match.issuer_thumbprints"
	certbind apply --config $POLICY >/dev/null 2>&1
	expect_eq "issuer_thumbprints: the CA-issued certificate is bound" \
	    "$(bound_hash $EP)" "$real"
	out=$(certbind certs --config $POLICY 2>&1)
	expect_match "certs shows the issuing CA in the chain" "$out" \
	    "^  chain     $ca\\b"
	out=$(certbind certs --json --config $POLICY 2>&1)
	expect_match "certs --json lists the chain" "$out" \
	    "\"issuer_chain\": \[\"$ca\"\]"
	out=$(certbind plan --explain --json --config $POLICY 2>&1)
	expect_match "issuer_thumbprints: --json names the verdict" "$out" \
	    '"verdict": "issuer-thumbprint"'

	# The issuer DN is the real CA's, byte for byte, but the certificate
	# signs itself, so the CA's key does not verify it.  Windows may put
	# the CA in the chain with CERT_TRUST_IS_NOT_SIGNATURE_VALID on the
	# leaf, which service/store.c refuses; Wine 8's chain engine does not
	# link the leaf to the CA at all, so under Wine this case holds even
	# without that check: it guards the outcome, not that line.
	forged=$(certmk add --cn api.example.test --dns api.example.test \
	    --forge-issuer "$ca" --not-after 120)
	expect_match "forged issuer: certmk made it" "$forged" '^[0-9A-F]{40}$'
	out=$(certbind certs --config $POLICY 2>&1)
	expect_match "forged issuer: its issuer reads as the CA's" \
	    "$(printf '%s\n' "$out" | tr -d '\r' | grep -A2 "^$forged ")" \
	    '^  issuer    CN=Contoso Issuing CA, O=Contoso$'
	out=$(certbind plan --explain --config $POLICY 2>&1)
	expect_match "forged issuer: it does not chain to the CA" "$out" \
	    "$forged .* does not chain to a CA in match.issuer_thumbprints"
	certbind apply --config $POLICY >/dev/null 2>&1
	expect_eq "forged issuer: the CA-issued certificate stays bound" \
	    "$(bound_hash $EP)" "$real"

	reset_state
	other=$(certmk add --cn 'Fabrikam CA, O=Fabrikam' --ca --eku none \
	    --not-after 365)
	ca=$(certmk add --cn 'Contoso Issuing CA, O=Contoso' --ca --eku none \
	    --not-after 365)
	certmk add --cn api.example.test --dns api.example.test \
	    --issuer "$ca" --not-after 30 >/dev/null
	policy "issuer_thumbprints: ['$other']"
	certbind apply --config $POLICY >/dev/null 2>&1
	expect_eq "issuer_thumbprints: another CA's certificate is not bound" \
	    "$(bound_hash $EP)" ""
}

# traced CALL COMMAND...: how many times the certbind.exe run COMMAND
# called the crypt32 function CALL, counted from the entry lines of Wine's
# trace ("trace:crypt:CALL (ARGS"), so by count and not by time.
traced() {
	local call=$1
	shift
	WINEDEBUG=-all,trace+crypt wine "$BIN/certbind.exe" "$@" 2>&1 \
	    >/dev/null | tr -d '\r' | grep -c ":crypt:$call ("
}

# Chains certbind asks for: those on HCCE_LOCAL_MACHINE (1; Wine's chain
# engine also builds chains of its own, on its own engine, once it runs).
chains() {
	WINEDEBUG=-all,trace+crypt wine "$BIN/certbind.exe" "$@" 2>&1 \
	    >/dev/null | tr -d '\r' |
	    grep -c ':crypt:CertGetCertificateChain (0*1,'
}

# A reconcile builds chains only for a binding with issuer_thumbprints, and
# then only for the certificates that cover its name; it opens the private
# key only of certificates that cover some binding's name.  certs examines
# every certificate.
test_examined_only_as_needed() {
	local ca real n
	reset_state
	ca=$(certmk add --cn 'Contoso Issuing CA, O=Contoso' --ca --eku none \
	    --not-after 365)
	real=$(certmk add --cn api.example.test --dns api.example.test \
	    --issuer "$ca" --not-after 30)
	for n in 1 2 3; do
		certmk add --cn "other$n.example.test" \
		    --dns "other$n.example.test" >/dev/null
	done
	policy
	n=$(chains certs --config $POLICY)
	expect_eq "the trace counts chains: certs builds one per certificate" \
	    "$n" 5
	expect_eq "no issuer rule: plan builds no chain" \
	    "$(chains plan --config $POLICY)" 0
	expect_eq "no issuer rule: apply builds no chain" \
	    "$(chains apply --config $POLICY)" 0
	expect_eq "the binding got its certificate" "$(bound_hash $EP)" "$real"
	expect_eq "only the certificate covering the name has its key opened" \
	    "$(traced CryptAcquireCertificatePrivateKey plan --config $POLICY)" 1

	policy "issuer_thumbprints: ['$ca']"
	expect_eq "issuer_thumbprints: one chain, for the one name candidate" \
	    "$(chains plan --config $POLICY)" 1
	out=$(certbind plan --config $POLICY 2>&1)
	expect_match "issuer_thumbprints: the CA-issued certificate stays" \
	    "$out" "holds $real"
	expect_match "issuer_thumbprints: its chain was read: no change" \
	    "$out" "^nothing to change"
}

test_issuer_thumbprints
test_examined_only_as_needed
tap_end
