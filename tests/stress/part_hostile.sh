#!/usr/bin/env bash
# part_hostile.sh - hostile certificates in LocalMachine\My, under Wine.
#
# Beside one good certificate for www.example.test (valid 30 days), each
# kind below is put in the store, most of them covering that name too and
# valid longer, so that any one that slipped through would win the
# choice.  The wildcard ones have bindings of their own with no good
# certificate.  Then `certbind apply`: it must not crash, the good
# certificate must be the one bound (and nothing where there is none),
# and `plan --explain` or `certs` must give each hostile one a reason.
# Bound or lost is read from the HTTP.sys records the stand-in keeps.
#
# STRESS_QUICK=1: every kind once, all together.  The long form then
# also puts random mixes of them in the store, in random order
# (STRESS_HOSTILE_ROUNDS, default 20).  With $STRESS_ROWS set, appends
# the figures to it.
set -u
. "$(dirname "$0")/../integration/lib.sh"
suite_prefix

GOOD=0.0.0.0:9443          # www.example.test
POLICY=build/stress/hostile.yaml
mkdir -p build/stress
cat >"$POLICY" <<'EOF'
# Written by tests/stress/part_hostile.sh.
version: 1
bindings:
  - name: good
    endpoint: 0.0.0.0:9443
    match: { dns: www.example.test }
  - name: com
    endpoint: 0.0.0.0:9444
    match: { dns: shop.com }
  - name: deep
    endpoint: 0.0.0.0:9445
    match: { dns: a.b.example.test }
  - name: partial
    endpoint: 0.0.0.0:9446
    match: { dns: foo.example.test }
EOF
EMPTY_EPS="0.0.0.0:9444 0.0.0.0:9445 0.0.0.0:9446"

LONG=$(head -c 6000 /dev/zero | tr '\0' a)
# kind|certmk arguments (eval'd: quoted words stay whole)
KINDS=$(cat <<EOF
expired|--cn www.example.test --dns www.example.test --not-before -400 --not-after -1
not-yet-valid|--cn www.example.test --dns www.example.test --not-before 2 --not-after 365
no-key|--cn www.example.test --dns www.example.test --not-after 365 --no-key
key-missing|--cn www.example.test --dns www.example.test --not-after 365 --lose-key
client-eku|--cn www.example.test --dns www.example.test --not-after 365 --eku client
not-covering|--cn other.example.test --dns other.example.test --dns example.test --not-after 365
wildcard-com|--cn shop.com --dns '*.com' --not-after 365
wildcard-deep|--cn a.b.example.test --dns '*.*.example.test' --not-after 365
wildcard-partial|--cn foo.example.test --dns 'f*o.example.test' --not-after 365
wildcard-alone|--cn star --dns '*' --not-after 365
nul-in-cn|--raw-cn 'www.example.test\\0.evil.test' --not-after 365
nul-in-san|--cn evil.test --raw-dns 'www.example.test\\0.evil.test' --not-after 365
control-in-cn|--raw-cn 'www.example.test\\x1b[2J' --not-after 365
control-in-san|--cn evil.test --raw-dns 'www.example.test\\x0a' --not-after 365
long-cn|--raw-cn '$LONG.www.example.test' --not-after 365
long-san|--cn evil.test --raw-dns '$LONG.www.example.test' --not-after 365
5000-sans|--cn www.example.test --many-dns 5000 --not-after 365
bad-san-extension|--cn www.example.test --raw-ext '2.5.29.17:301282107777772e6578616d706c652e7465' --not-after 365
bad-eku-extension|--cn www.example.test --dns www.example.test --eku none --raw-ext '2.5.29.37:300c06082b0601050507' --not-after 365
negative-serial|--cn www.example.test --dns www.example.test --serial 80a1b2c3d4e5f601 --not-after 365
not-after-before-not-before|--cn www.example.test --dns www.example.test --serial 01a1b2c3d4e5f602 --not-before 10 --not-after -10
EOF
)

cases=0
lost=0
wrong=0
crashes=0
declare -A THUMB

# add_kind KIND: put one of KIND in the store; its thumbprint in THUMB.
add_kind() {
	local spec args t
	spec=$(printf '%s\n' "$KINDS" | awk -F'|' -v k="$1" '$1 == k { print $2 }')
	eval "args=($spec)"
	t=$(certmk add "${args[@]}" 2>&1 | tail -n 1)
	if ! printf '%s' "$t" | grep -Eq '^[0-9A-F]{40}$'; then
		not_ok "certmk made the $1 certificate" "got: $t"
		return 1
	fi
	THUMB[$1]=$t
}

# check_round NAME KIND...: apply with these kinds in the store (and the
# good certificate); every check counted, failures named.
check_round() {
	local name=$1 good out rc k ep h plan certs
	shift
	reset_state
	THUMB=()
	good=$(certmk add --cn www.example.test --dns www.example.test --not-after 30)
	for k in "$@"; do add_kind "$k" || return; done
	cases=$((cases + $#))
	out=$(certbind apply --config "$POLICY" 2>&1)
	rc=$?
	# 0: as planned, or left for lack of a certificate.  Anything else
	# (a crash under Wine ends with a status of its own) is a failure.
	if [ "$rc" -ne 0 ]; then
		crashes=$((crashes + 1))
		not_ok "$name: apply exits 0" "exit status $rc" \
		    "$(printf '%s' "$out" | tr -d '\r' | tail -3)"
	else
		ok "$name: apply exits 0"
	fi
	h=$(bound_hash $GOOD)
	if [ "$h" = "$good" ]; then
		ok "$name: the good certificate is bound"
	else
		[ -z "$h" ] && lost=$((lost + 1))
		for k in "$@"; do
			[ "$h" = "${THUMB[$k]}" ] && wrong=$((wrong + 1))
		done
		not_ok "$name: the good certificate is bound" "bound: '$h'" \
		    "good: $good"
	fi
	for ep in $EMPTY_EPS; do
		h=$(bound_hash "$ep")
		if [ -n "$h" ]; then
			wrong=$((wrong + 1))
			not_ok "$name: nothing is bound at $ep" "bound: $h"
		fi
	done
	plan=$(certbind plan --explain --config "$POLICY" 2>&1)
	rc=$?
	plan=$(printf '%s\n' "$plan" | tr -d '\r')
	[ "$rc" -le 2 ] || not_ok "$name: plan exits 0, 1 or 2" "exit status $rc"
	certs=$(certbind certs --config "$POLICY" 2>&1)
	rc=$?
	certs=$(printf '%s\n' "$certs" | tr -d '\r')
	[ "$rc" -eq 0 ] || not_ok "$name: certs exits 0" "exit status $rc"
	for k in "$@"; do
		reason_given "$name" "$k" "${THUMB[$k]}" "$plan" "$certs"
	done
}

# reason_given ROUND KIND THUMB PLAN CERTS: the plan lists the
# certificate with the reason it lost, or certbind says why it skipped
# it, or (for one that covers none of the names: the plan considers only
# those that do) certs lists it with the names it has.
reason_given() {
	local line
	line=$(printf '%s\n' "$4" | grep -F "$3" | head -n 1)
	if [ -n "$line" ] && ! printf '%s' "$line" | grep -Eq 'chosen|qualifies'; then
		ok "$1: $2 gets a reason (plan: ${line##*  })"
	elif line=$(printf '%s\n' "$4" "$5" | grep -F "$3" | grep -m 1 'skipped'); then
		ok "$1: $2 gets a reason (${line##*skipped: })"
	elif [ -z "$line" ] && printf '%s\n' "$5" | grep -A3 -F "$3" | grep -q '^  names '; then
		ok "$1: $2 gets a reason (certs lists its names)"
	else
		not_ok "$1: $2 gets a reason" "plan: ${line:-not listed}" \
		    "certs: $(printf '%s\n' "$5" | grep -A3 -F "$3" | head -c 300)"
	fi
}

kinds=$(printf '%s\n' "$KINDS" | cut -d'|' -f1)
# shellcheck disable=SC2086
check_round "every kind" $kinds

if [ -z "${STRESS_QUICK:-}" ]; then
	rounds=${STRESS_HOSTILE_ROUNDS:-20}
	for r in $(seq 1 "$rounds"); do
		mix=$(printf '%s\n' $kinds | shuf -n "$(shuf -i 1-6 -n 1)")
		# shellcheck disable=SC2086
		check_round "mix $r ($(echo $mix | tr ' ' ','))" $mix
	done
fi

if [ -n "${STRESS_ROWS:-}" ]; then
	{
		printf 'hostile\tcases tried\t%s\n' "$cases"
		printf 'hostile\tfaults injected\t0\n'
		printf 'hostile\tkills\t0\n'
		printf 'hostile\tbindings lost\t%s\n' "$lost"
		printf 'hostile\twrong certificates bound\t%s\n' "$wrong"
		printf 'hostile\tkinds of certificate\t%s\n' "$(printf '%s\n' $kinds | wc -l)"
		printf 'hostile\tcrashes\t%s\n' "$crashes"
	} >>"$STRESS_ROWS"
fi
tap_end
