#!/usr/bin/env bash
# sample_usage.sh — `iko sample` usage errors: exact texts on stderr, exit 2,
# nothing written.
set -euo pipefail
: "${IKO:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_usage "expected first line" args...
expect_usage() {
	local want=$1 rc=0
	shift
	"$IKO" sample "$@" >"$work/out" 2>"$work/err" || rc=$?
	[ "$rc" = 2 ] || fail "exit $rc for: $*"
	printf '%s\nRun `iko sample --help` for usage.\n' "$want" >"$work/want"
	diff -u "$work/want" "$work/err" || fail "stderr for: $*"
	[ ! -s "$work/out" ] || fail "stdout not empty for: $*"
}

o=$work/dump
expect_usage "iko: sample: vendor D is not supported (supported: A, B, C)" \
	--vendor D --lg-code 131016 --residents 10 --seed 1 --out "$o"
expect_usage "iko: sample: --lg-code 131017: not a 6-digit 団体コード with a valid check digit" \
	--vendor A --lg-code 131017 --residents 10 --seed 1 --out "$o"
expect_usage "iko: sample: --lg-code 13101: not a 6-digit 団体コード with a valid check digit" \
	--vendor A --lg-code 13101 --residents 10 --seed 1 --out "$o"
expect_usage "iko: sample: --residents 0: must be 1..10000000" \
	--vendor A --lg-code 131016 --residents 0 --seed 1 --out "$o"
expect_usage "iko: sample: --residents 10000001: must be 1..10000000" \
	--vendor A --lg-code 131016 --residents 10000001 --seed 1 --out "$o"
expect_usage "iko: sample: --seed: not an unsigned 64-bit integer: -1" \
	--vendor A --lg-code 131016 --residents 10 --seed -1 --out "$o"
expect_usage "iko: sample: --seed: not an unsigned 64-bit integer: 18446744073709551616" \
	--vendor A --lg-code 131016 --residents 10 --seed 18446744073709551616 --out "$o"
expect_usage "iko: sample: missing --out" \
	--vendor A --lg-code 131016 --residents 10 --seed 1
expect_usage "iko: sample: --inject 3: too many defects for 20 residents (at most 2 per kind)" \
	--vendor A --lg-code 131016 --residents 20 --seed 1 --inject 3 --out "$o"
expect_usage "iko: sample: unknown option: --bogus" \
	--vendor A --bogus
[ ! -e "$o" ] || fail "output written despite usage errors"

# The largest seed is accepted; --help shows the synopsis.
"$IKO" sample --vendor A --lg-code 131130 --residents 3 --seed 18446744073709551615 --out "$o" >/dev/null
[ "$(LC_ALL=C awk 'END { print NR }' "$o/SETAI.DAT")" -ge 1 ] || fail "tiny sample"
"$IKO" sample --help | head -1 | grep -qx 'usage: iko sample --vendor A|B|C --lg-code CODE --residents N --seed S' ||
	fail "--help"
echo "ok"
