#!/usr/bin/env bash
# sample_determinism.sh — `iko sample` is byte-for-byte deterministic, writes
# the vendor A layout exactly (282-byte JUMIN records, 42-byte SETAI records,
# CRLF), keeps personal data files at 0600, and a clean sample passes every
# check of tests/e2e/sample_check.py with TOUKEI.CSV matching the records.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
py=/usr/bin/python3
fail() { echo "FAIL: $*" >&2; exit 1; }

gen() { "$IKO" sample --vendor A --lg-code 131016 --residents 2000 --seed "$1" --out "$2" >/dev/null; }
gen 42 "$work/a"
gen 42 "$work/b"
gen 43 "$work/c"

files="JUMIN.DAT SETAI.DAT TOUKEI.CSV GAIJI.CSV"
for f in $files; do
	sa=$(sha256sum <"$work/a/$f"); sb=$(sha256sum <"$work/b/$f")
	[ "$sa" = "$sb" ] || fail "$f differs between two runs with the same seed"
done
for f in JUMIN.DAT SETAI.DAT TOUKEI.CSV; do
	sa=$(sha256sum <"$work/a/$f"); sc=$(sha256sum <"$work/c/$f")
	[ "$sa" != "$sc" ] || fail "$f is the same for seeds 42 and 43"
done
[ ! -e "$work/a/injected.csv" ] || fail "injected.csv written without --inject"

# Modes: personal data 0600, the rest 0644.
[ "$(stat -c %a "$work/a/JUMIN.DAT")" = 600 ] || fail "JUMIN.DAT mode"
[ "$(stat -c %a "$work/a/SETAI.DAT")" = 600 ] || fail "SETAI.DAT mode"
[ "$(stat -c %a "$work/a/TOUKEI.CSV")" = 644 ] || fail "TOUKEI.CSV mode"
ls "$work/a" | grep -q tmp && fail "temporary file left behind"

# Every JUMIN.DAT line is 280 bytes + CR before the LF; SETAI.DAT 40 + CR.
bad=$(LC_ALL=C awk 'length($0) != 281 || substr($0, 281, 1) != "\r" { n++ } END { print n + 0 }' "$work/a/JUMIN.DAT")
[ "$bad" = 0 ] || fail "$bad JUMIN.DAT records are not 280 bytes + CRLF"
bad=$(LC_ALL=C awk 'length($0) != 41 { n++ } END { print n + 0 }' "$work/a/SETAI.DAT")
[ "$bad" = 0 ] || fail "$bad SETAI.DAT records are not 40 bytes + CRLF"
size=$(stat -c %s "$work/a/JUMIN.DAT")
recs=$(LC_ALL=C awk 'END { print NR }' "$work/a/JUMIN.DAT")
[ "$size" = $((recs * 282)) ] || fail "JUMIN.DAT size $size != $recs * 282"
[ "$(od -An -tx1 -j280 -N2 "$work/a/JUMIN.DAT" | tr -d ' ')" = 0d0a ] || fail "first record end"
[ "$(tail -c 2 "$work/a/JUMIN.DAT" | od -An -tx1 | tr -d ' ')" = 0d0a ] || fail "last record end"

# JUMIN_JOTAI (offset 22) = 0: exactly the 2000 current residents, and the
# 99 row of TOUKEI.CSV says the same.
cur=$(LC_ALL=C awk 'substr($0, 23, 1) == "0" { n++ } END { print n + 0 }' "$work/a/JUMIN.DAT")
[ "$cur" = 2000 ] || fail "current residents: $cur"
total=$(iconv -f CP932 -t UTF-8 "$work/a/TOUKEI.CSV" | tr -d '\r' | awk -F, '$1 == "99" { print $6 }')
[ "$total" = "$cur" ] || fail "TOUKEI 99 row says $total, JUMIN.DAT has $cur current"
[ "$(head -c 2 "$work/a/TOUKEI.CSV" | od -An -tx1 | tr -d ' ')" = 8f57 ] || fail "TOUKEI.CSV is not CP932 (集 = 8F57)"
[ "$(head -1 "$work/a/GAIJI.CSV")" = "code,unicode,mj,note" ] || fail "GAIJI.CSV header"
grep -qx 'F042,U+8FBB U+E0100,MJ026286,辻 一点しんにょう (IVS)' "$work/a/GAIJI.CSV" || fail "GAIJI.CSV IVS row"

# SHI_CD (offset 240) is the first 5 digits of --lg-code everywhere.
bad=$(LC_ALL=C awk 'substr($0, 241, 5) != "13101" { n++ } END { print n + 0 }' "$work/a/JUMIN.DAT")
[ "$bad" = 0 ] || fail "SHI_CD"

# Independent checks (BRIEF.md load checks, TOUKEI totals): a clean sample.
out=$("$py" "$IKO_SOURCE_DIR/tests/e2e/sample_check.py" "$work/a" 131016) || fail "checker: $out"
case $out in "ok current=2000 "*"defects=0") ;; *) fail "checker said: $out" ;; esac
out=$("$py" "$IKO_SOURCE_DIR/tests/e2e/sample_check.py" "$work/c" 131016) || fail "checker seed 43: $out"

# Regenerating over an existing directory gives the same bytes again.
gen 42 "$work/a"
[ "$(sha256sum <"$work/a/JUMIN.DAT")" = "$(sha256sum <"$work/b/JUMIN.DAT")" ] || fail "rerun differs"
echo "ok"
