#!/bin/bash
# Reconciliation catches rows deleted from the loaded data (the measures
# FAIL with the right difference, the records are listed), and `iko
# rehearsal compare` tells fixed, new and remaining discrepancies apart:
# R001 has injected defects, R002 is the same municipality cleaned.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
PY=/usr/bin/python3
W=$(mktemp -d /tmp/iko-e2e-compare.XXXXXX)
chmod 755 "$W"
cleanup() { "$IKO" db stop --dir "$W/pg" >/dev/null 2>&1 || true; rm -rf "$W"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$IKO" sample --vendor A --lg-code 435015 --residents 1200 --seed 23 --inject 1 --out "$W/dirty" >/dev/null
"$IKO" sample --vendor A --lg-code 435015 --residents 1200 --seed 23 --out "$W/clean" >/dev/null
for d in dirty clean; do
	cat > "$W/$d.yaml" <<YAML
project: compare
runs: runs
db_dir: pg
municipalities:
  - {lg_code: "435015", name: 錦町, pack: $IKO_SOURCE_DIR/packs/vendor-a/jumin, dump: $d}
YAML
done
"$IKO" rehearse "$W/dirty.yaml" > /dev/null || [ $? -eq 3 ]
"$IKO" rehearse "$W/clean.yaml" > "$W/out" || fail "clean rehearsal: $(cat "$W/out")"
R1=$W/runs/435015/R001 R2=$W/runs/435015/R002
"$IKO" rehearsal compare "$R1" "$R2" --out "$W/cmp.xlsx" > "$W/cmp1"
n1=$(grep -c ',1$' "$R1/reconcile/discrepancies.csv")
head -1 "$W/cmp1" | grep -qx "discrepancies: $n1 fixed, 0 new, 0 remaining" || fail "$(head -3 "$W/cmp1")"
grep -Eq "^measures: .* FAIL [1-9][0-9]* -> .* WARN 0 / FAIL 0, [1-9][0-9]* changed$" "$W/cmp1" || fail "$(sed -n 2p "$W/cmp1")"

# delete three current residents from the loaded data behind iko's back
url=$("$IKO" db url --dir "$W/pg")
psql -X -q -v ON_ERROR_STOP=1 "$url" -c "delete from jumin.resident where lg_code = '435015' and atena_no in
	(select atena_no from jumin.resident where lg_code = '435015' and jumin_jotai = '1' order by atena_no limit 3)"
# and change one birth date: a value mismatch, shown beside the legacy 和暦 value
psql -X -q -v ON_ERROR_STOP=1 "$url" -c "update jumin.resident set birth_date = birth_date + 1 where lg_code = '435015'
	and atena_no = (select max(atena_no) from jumin.resident where lg_code = '435015' and birth_date is not null)"
# and move the last character of one name to the front of its kana: every
# byte is still there, only where one value ends and the next begins moved
psql -X -q -v ON_ERROR_STOP=1 "$url" -c "update jumin.resident set name = left(name, -1), name_kana = right(name, 1) || name_kana
	where lg_code = '435015' and atena_no = (select min(atena_no) from jumin.resident where lg_code = '435015'
	and jumin_jotai <> '1' and length(name) > 1)"
# and give one 方書 a tab, a backslash before N, a newline, a CR and a
# backslash before x: the rows are read back as COPY text, whose escapes
# must come back as these very bytes
psql -X -q -v ON_ERROR_STOP=1 "$url" -c "update jumin.resident set katagaki = E'外\\t字\\\\N\\n\\r\\\\x'
	where lg_code = '435015' and atena_no = (select atena_no from jumin.resident where lg_code = '435015'
	and jumin_jotai = '1' order by atena_no offset 10 limit 1)"
set +e
"$IKO" reconcile --run "$R2" --db-dir "$W/pg" > "$W/rec" 2>&1; rc=$?
set -e
[ $rc -eq 3 ] || fail "reconcile after delete: exit $rc: $(cat "$W/rec")"
"$PY" - "$R2" <<'PY'
import csv, sys
run = sys.argv[1]
m = {(r["measure"], r["group"]): r for r in csv.DictReader(open(run + "/reconcile/measures.csv", newline="", encoding="utf-8"))}
r = m[("resident.residents", "")]
assert r["status"] == "FAIL" and float(r["extracted"]) - float(r["loaded"]) == 3, r
assert float(r["difference"]) in (-3, 3) and r["old"] == r["extracted"], r
# the loaded figures come from the rows the record comparison reads: the
# grouped ones lose the same three residents
for name in ("resident.residents_by_sex", "resident.residents_by_town", "resident.residents_by_age_band"):
    rows = [v for (mn, g), v in m.items() if mn == name]
    assert sum(float(v["extracted"]) - float(v["loaded"]) for v in rows) == 3, (name, rows)
    assert all(v["status"] == "PASS" for v in rows if v["extracted"] == v["loaded"]), (name, rows)
recs = list(csv.DictReader(open(run + "/reconcile/records.csv", newline="", encoding="utf-8")))
only = [x for x in recs if x["kind"] == "only_in_source" and x["table"] == "resident"]
assert len(only) == 3, recs[:5]
import re
mm = [x for x in recs if x["kind"] == "mismatch" and x["column"] == "birth_date"]
assert len(mm) == 1 and re.fullmatch(r"[1-5][0-9]{6}", mm[0]["legacy_value"]), mm
assert mm[0]["source_value"] != mm[0]["loaded_value"], mm
moved = [x for x in recs if x["kind"] == "mismatch" and x["column"] in ("name", "name_kana")]
assert len(moved) == 2 and moved[0]["key"] == moved[1]["key"], moved
assert moved[0]["source_value"] + moved[1]["source_value"] == moved[0]["loaded_value"] + moved[1]["loaded_value"], moved
esc = [x for x in recs if x["kind"] == "mismatch" and x["column"] == "katagaki"]
assert len(esc) == 1 and esc[0]["loaded_value"] == "外\t字\\N\n\r\\x", esc
# the legacy value is the record's source field exactly as extracted, read
# back from extract/JUMIN.csv at the offset transform noted
ext = {x["ATENA_NO"]: x for x in csv.DictReader(open(run + "/extract/JUMIN.csv", newline="", encoding="utf-8"))}
src = {"birth_date": "SEINENGAPPI", "name": "SHIMEI", "name_kana": "SHIMEI_KANA", "katagaki": "KATAGAKI"}
for x in mm + moved + esc:
    assert x["key"].startswith("435015|") and x["legacy_value"] == ext[x["key"][7:]][src[x["column"]]], (x, ext[x["key"][7:]])
assert len({x["legacy_value"] for x in mm + moved + esc}) == 4
print("deleted rows found:", r["difference"])
PY
# a big table is read in two halves at once (here: from 10 records on); the
# differences, their order and the figures are the ones one stream gives
mkdir "$W/one"
cp "$R2/reconcile/measures.csv" "$R2/reconcile/records.csv" "$W/one/"
set +e
IKO_RECONCILE_SPLIT_ROWS=10 "$IKO" reconcile --run "$R2" --db-dir "$W/pg" > "$W/rec2" 2>&1; rc=$?
set -e
[ $rc -eq 3 ] || fail "reconcile in two streams: exit $rc: $(cat "$W/rec2")"
cmp "$W/one/measures.csv" "$R2/reconcile/measures.csv" || fail "measures differ when read in two streams"
cmp "$W/one/records.csv" "$R2/reconcile/records.csv" || fail "records differ when read in two streams"
[ "$(grep -c ',only_in_source,\|^only_in_source,' "$R2/reconcile/records.csv")" = 3 ] || fail "$(head -5 "$R2/reconcile/records.csv")"
# reconcile reads the validated records from validate's record index
# (<table>.index: offsets and hashes); without one, or when the CSV has
# changed since (here: another time), it reads the CSV itself; and keys
# that share a hash (IKO_RECONCILE_KEY_HASH_BITS=1: every key shares one of
# two) are told apart by reading their records. The same results each way.
mism=$(sed -n 's/.*; records: .* \([0-9]*\) mismatched$/\1/p' "$W/rec")
[ -n "$mism" ] && [ "$mism" -gt 0 ] || fail "no mismatch count: $(cat "$W/rec")"
for how in bits noindex stale; do
	cp -a "$R2" "$W/R6" # -a: the times too, so the index is still the CSV's
	case $how in
	noindex) rm "$W/R6/validate/resident.index" "$W/R6/validate/household.index" ;;
	stale) touch -d '2001-01-01' "$W/R6/validate/resident.csv" "$W/R6/validate/household.csv" ;;
	esac
	set +e
	if [ $how = bits ]; then
		IKO_RECONCILE_KEY_HASH_BITS=1 "$IKO" reconcile --run "$W/R6" --db-dir "$W/pg" > "$W/rec6" 2>&1; rc=$?
	else
		"$IKO" reconcile --run "$W/R6" --db-dir "$W/pg" > "$W/rec6" 2>&1; rc=$?
	fi
	set -e
	[ $rc -eq 3 ] || fail "reconcile ($how): exit $rc: $(cat "$W/rec6")"
	cmp "$W/one/measures.csv" "$W/R6/reconcile/measures.csv" || fail "measures differ ($how)"
	cmp "$W/one/records.csv" "$W/R6/reconcile/records.csv" || fail "records differ ($how)"
	grep -q "; records: .* only in target, $mism mismatched$" "$W/rec6" || fail "($how) $(grep records: "$W/rec6")"
	rm -rf "$W/R6"
done
# the index is what is read when it is the CSV's: a record whose value hash
# there is not its own is read from the CSV, found equal to the loaded row
# (no column listed), and counted as a mismatch
cp -a "$R2" "$W/R6"
"$PY" - "$W/R6/validate/household.index" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(-8, 2)
    b = bytearray(f.read(8))
    b[0] ^= 1
    f.seek(-8, 2)
    f.write(b)
PY
set +e
"$IKO" reconcile --run "$W/R6" --db-dir "$W/pg" > "$W/rec6" 2>&1; rc=$?
set -e
[ $rc -eq 3 ] || fail "reconcile (changed index): exit $rc: $(cat "$W/rec6")"
grep -q "; records: .* only in target, $((mism + 1)) mismatched$" "$W/rec6" || fail "changed index: $(grep records: "$W/rec6")"
cmp "$W/one/records.csv" "$W/R6/reconcile/records.csv" || fail "records differ (changed index)"
rm -rf "$W/R6"
"$IKO" rehearsal compare "$R1" "$R2" > "$W/cmp2"
grep -Eq "^discrepancies: $n1 fixed, ([4-9]|[1-9][0-9]+) new, 0 remaining$" "$W/cmp2" || fail "$(head -2 "$W/cmp2")"
grep -q "  new       C-" "$W/cmp2" || fail "record differences not listed as new"
"$PY" - "$W/cmp.xlsx" "$R2/reports/discrepancies.xlsx" <<'PY'
import sys
from openpyxl import load_workbook
wb = load_workbook(sys.argv[1])
assert wb.sheetnames == ["表紙", "差異の比較", "集計の比較"], wb.sheetnames
w2 = load_workbook(sys.argv[2])
hdr = [c.value for c in w2["レコード照合"][1]]
assert hdr[:8] == ["差異ID", "区分", "テーブル", "キー", "項目", "移行元の値", "移行後の値", "旧システムの値"], hdr
ws = wb["差異の比較"]
assert [c.value for c in ws[1]] == ["状態", "差異ID", "シート", "区分", "キー", "項目"]
assert {r[0] for r in ws.iter_rows(min_row=2, values_only=True)} == {"解消"}
PY
# a table with no validated file is not read row by row: its figures come
# from SQL (on the second connection) and match the ones read from the rows
cp -r "$R2" "$W/R8"
rm "$W/R8/validate/household.csv"
"$IKO" reconcile --run "$W/R8" --db-dir "$W/pg" > "$W/rec8" 2>&1 || [ $? -eq 3 ] || fail "reconcile R8: $(cat "$W/rec8")"
for m in household.households household.households_by_town household.household_members resident.residents; do
	a=$(awk -F, -v m="$m" '$2 == m' "$R2/reconcile/measures.csv" | sort)
	b=$(awk -F, -v m="$m" '$2 == m' "$W/R8/reconcile/measures.csv" | sort)
	[ -n "$a" ] && [ "$a" = "$b" ] || fail "$m differs without validate/household.csv: $a / $b"
done
grep -q ",household," "$W/R8/reconcile/records.csv" && fail "household records compared without their file"
# an extract CSV that is not the one transform read (here one byte longer)
# is not read at the offsets transform noted: no legacy values, and a note
cp -r "$R2" "$W/R7"
printf 'x' >> "$W/R7/extract/JUMIN.csv"
set +e
"$IKO" reconcile --run "$W/R7" --db-dir "$W/pg" > "$W/rec7" 2>&1; rc=$?
set -e
[ $rc -eq 3 ] || fail "reconcile R7: exit $rc: $(cat "$W/rec7")"
n=$(($(stat -c %s "$W/R7/extract/JUMIN.csv") - 1))
grep -qx "  note:     no legacy values for resident: extract/JUMIN.csv is not the file transform read ($n bytes, now $((n + 1)))" "$W/rec7" ||
	fail "no note: $(cat "$W/rec7")"
"$PY" - "$R2/reconcile/records.csv" "$W/R7/reconcile/records.csv" <<'PY'
import csv, sys
a, b = (list(csv.DictReader(open(p, newline="", encoding="utf-8"))) for p in sys.argv[1:])
assert len(a) == len(b) and any(x["legacy_value"] for x in a)
for x, y in zip(a, b):
    assert y["legacy_value"] == "" and {**x, "legacy_value": ""} == y, (x, y)
PY
grep -q "note:" "$W/rec" && fail "a note where every file is there: $(cat "$W/rec")"
# an error on reconcile's second thread (it reads the validated records
# while the server computes its figures) reaches the user as it is
cp -r "$R2" "$W/R9"
sed -i '1s/^lg_code,/lgcode,x,/' "$W/R9/validate/household.csv"
set +e
"$IKO" reconcile --run "$W/R9" --db-dir "$W/pg" > "$W/rec9" 2>&1; rc=$?
set -e
[ $rc -eq 1 ] || fail "bad header: exit $rc"
[ "$(cat "$W/rec9")" = "iko: reconcile: $W/R9/validate/household.csv: header does not match table household" ] || fail "$(cat "$W/rec9")"
echo "rehearsal_compare: ok"
