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

test_issuer_thumbprints
tap_end
