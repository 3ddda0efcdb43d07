#!/usr/bin/env bash
# sample_inject.sh — `iko sample --inject N` plants exactly N defects of each
# of the 7 kinds, one per record, lists them in injected.csv (sorted, exact
# header), prints the summary, and the independent checker finds exactly
# the planted problems and nothing else.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
py=/usr/bin/python3
fail() { echo "FAIL: $*" >&2; exit 1; }

"$IKO" sample --vendor A --lg-code 131016 --residents 2000 --seed 42 --inject 5 \
	--name 見本市 --out "$work/d" >"$work/stdout" 2>"$work/stderr"
cat >"$work/expected" <<EOT
sample: vendor A, lg_code 131016, seed 42 -> $work/d
  JUMIN.DAT    2159 records (2000 current, 159 removed)
  SETAI.DAT    890 records
  TOUKEI.CSV   64 rows (31 町字)
  GAIJI.CSV    9 codes
  KOJIN.DAT    1562 個人住民税 records
  KOTEI.DAT    423 固定資産税 records
  ZEI_TOUKEI.CSV 8 rows
  injected.csv 35 rows
    invalid_date    5
    bad_my_number   5
    unknown_code    5
    orphan_member   5
    two_heads       5
    duplicate_key   5
    unmapped_gaiji  5
EOT
diff -u "$work/expected" "$work/stdout" || fail "summary differs"
[ ! -s "$work/stderr" ] || fail "unexpected stderr: $(cat "$work/stderr")"

inj="$work/d/injected.csv"
[ "$(head -1 "$inj")" = "file,record,atena_no,field,kind" ] || fail "header"
[ "$(tail -n +2 "$inj" | wc -l)" = 35 ] || fail "rows: $(tail -n +2 "$inj" | wc -l)"
kinds=$(tail -n +2 "$inj" | cut -d, -f5 | sort | uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' ')
[ "$kinds" = "bad_my_number=5 duplicate_key=5 invalid_date=5 orphan_member=5 two_heads=5 unknown_code=5 unmapped_gaiji=5 " ] ||
	fail "kinds: $kinds"
[ "$(tail -n +2 "$inj" | cut -d, -f2 | sort -u | wc -l)" = 35 ] || fail "two defects on one record"
tail -n +2 "$inj" | cut -d, -f2 | sort -c -n || fail "rows not sorted by record"
[ "$(stat -c %a "$inj")" = 600 ] || fail "injected.csv mode"

# Each listed atena_no is the ATENA_NO written in that record (offset 1).
while IFS=, read -r file rec atena field kind; do
	got=$(LC_ALL=C awk -v r="$rec" 'NR == r { print substr($0, 2, 10); exit }' "$work/d/$file")
	[ "$got" = "$atena" ] || fail "record $rec: atena $got != $atena ($kind)"
done < <(tail -n +2 "$inj")

# The old system's totals include the defective records: 99 = 2000.
total=$(iconv -f CP932 -t UTF-8 "$work/d/TOUKEI.CSV" | tr -d '\r' | awk -F, '$1 == "99" { print $6 }')
[ "$total" = 2000 ] || fail "TOUKEI 99 = $total"

# What an independent checker finds is exactly what was planted.
out=$("$py" "$IKO_SOURCE_DIR/tests/e2e/sample_check.py" "$work/d" 131016) || fail "checker: $out"
case $out in *" defects=35") ;; *) fail "checker said: $out" ;; esac

# Same seed with --inject: identical bytes again.
"$IKO" sample --vendor A --lg-code 131016 --residents 2000 --seed 42 --inject 5 --out "$work/e" >/dev/null
for f in JUMIN.DAT SETAI.DAT TOUKEI.CSV injected.csv; do
	cmp -s "$work/d/$f" "$work/e/$f" || fail "$f differs on rerun"
done
echo "ok"
