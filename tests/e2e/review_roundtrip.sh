#!/bin/bash
# The discrepancy workbook's round trip with municipal staff:
# rehearse a sample with injected defects → openpyxl reads the workbook
# (sheets, 差異ID, masked numbers, the drop-down lists) and fills review
# cells as staff would → `iko review import` records them (libzip + expat
# reader) → `iko review status` counts what remains → the next rehearsal
# carries the reviews over by 差異ID; a value outside a list is refused with
# the cell's address and nothing is recorded.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
PY=/usr/bin/python3
W=$(mktemp -d /tmp/iko-e2e-review.XXXXXX)
chmod 755 "$W"
cleanup() { "$IKO" db stop --dir "$W/pg" >/dev/null 2>&1 || true; rm -rf "$W"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$IKO" sample --vendor A --lg-code 435015 --residents 1500 --seed 17 --inject 1 --out "$W/dump" >/dev/null
cat > "$W/p.yaml" <<YAML
project: review
runs: runs
db_dir: pg
municipalities:
  - {lg_code: "435015", name: 錦町, pack: $IKO_SOURCE_DIR/packs/vendor-a/jumin, dump: dump}
YAML
"$IKO" rehearse "$W/p.yaml" > /dev/null || [ $? -eq 3 ]
R1=$W/runs/435015/R001
[ -f "$R1/reconcile/discrepancies.csv" ] || fail "no discrepancies.csv"
set +e
"$IKO" review status --run "$R1" > "$W/st0"; rc=$?
set -e
[ $rc -eq 3 ] || fail "status before review: exit $rc"
total=$(awk '$1 == "total" {print $2}' "$W/st0")
[ "$(awk '$1 == "total" {print $3}' "$W/st0")" = 0 ] || fail "$(cat "$W/st0")"
[ "$total" -eq "$(grep -c ",1$" "$R1/reconcile/discrepancies.csv")" ] || fail "total $total"

# staff fill some review cells
"$PY" - "$R1/reports/discrepancies.xlsx" "$W/reviewed.xlsx" "$W/bad.xlsx" "$W/picked" <<'PY'
import datetime, sys
from openpyxl import load_workbook
src, good, bad, picked = sys.argv[1:5]
wb = load_workbook(src)
ws = wb["チェックデジット誤り"]
hdr = [c.value for c in ws[1]]
assert hdr[0] == "差異ID", hdr
col = {h: i + 1 for i, h in enumerate(hdr)}
# masked values, and drop-down lists on the review columns
assert all(ws.cell(r, col["値"]).value in ("（非表示）", "(masked)") for r in range(2, ws.max_row + 1))
lists = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
assert '"未確認,確認済,要修正,旧システム誤り"' in lists, lists
row = 2
ws.cell(row, col["確認状況"]).value = "確認済"
ws.cell(row, col["原因区分"]).value = "旧システム誤り"
ws.cell(row, col["対応"]).value = "旧システムで修正"
ws.cell(row, col["担当"]).value = "山田 花子"
ws.cell(row, col["確認日"]).value = datetime.date(2026, 11, 20)
ws.cell(row, col["コメント"]).value = "旧システムで個人番号を誤入力。"
summ = wb["集計照合"]
sh = [c.value for c in summ[1]]
fails = [r for r in range(2, summ.max_row + 1) if summ.cell(r, sh.index("判定") + 1).value == "FAIL"]
summ.cell(fails[0], sh.index("確認状況") + 1).value = "要修正"
summ.cell(fails[0], sh.index("担当") + 1).value = "佐藤"
open(picked, "w").write(ws.cell(row, 1).value + "\n" + summ.cell(fails[0], 1).value + "\n")
wb.save(good)
ws.cell(3 if ws.max_row >= 3 else 2, col["確認状況"]).value = "済み"
wb.save(bad)
print("reviewed workbook written")
PY
# a value outside the list: refused, naming the cell; nothing recorded
set +e
"$IKO" review import "$W/bad.xlsx" --run "$R1" 2> "$W/err"; rc=$?
set -e
[ $rc -eq 3 ] || fail "bad import: exit $rc"
grep -Eq '^iko: review: チェックデジット誤り![A-Z]+[0-9]+: 済み is not one of the list: 未確認、確認済、要修正、旧システム誤り$' "$W/err" || fail "$(cat "$W/err")"
grep -q "nothing was recorded" "$W/err" || fail "$(cat "$W/err")"
[ ! -e "$W/runs/435015/reviews.csv" ] || fail "a refused import recorded reviews"

"$IKO" review import "$W/reviewed.xlsx" --run "$R1" > "$W/out"
grep -Eq "^review: [0-9]+ rows read from [0-9]+ sheets, 2 reviews recorded$" "$W/out" || fail "$(cat "$W/out")"
"$PY" - "$W/runs/435015/reviews.csv" "$W/picked" <<'PY'
import csv, sys
rows = {r["id"]: r for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))}
a, m = open(sys.argv[2]).read().split()
r = rows[a]
assert (r["確認状況"], r["原因区分"], r["対応"], r["担当"], r["確認日"], r["コメント"], r["run_id"]) == \
    ("確認済", "旧システム誤り", "旧システムで修正", "山田 花子", "2026-11-20", "旧システムで個人番号を誤入力。", "R001"), r
assert rows[m]["確認状況"] == "要修正" and rows[m]["担当"] == "佐藤", rows[m]
assert len(rows) == 2 and all(len(x["workbook_sha256"]) == 64 for x in rows.values())
print("reviews recorded")
PY
set +e
"$IKO" review status --run "$R1" > "$W/st1"; rc=$?
set -e
[ $rc -eq 3 ] && [ "$(awk '$1 == "total" {print $3}' "$W/st1")" = 2 ] || fail "status: $(cat "$W/st1")"

# the next rehearsal carries the reviews over to the same discrepancies
"$IKO" rehearse "$W/p.yaml" > /dev/null || [ $? -eq 3 ]
R2=$W/runs/435015/R002
"$PY" - "$R2/reports/discrepancies.xlsx" "$W/picked" <<'PY'
import datetime, sys
from openpyxl import load_workbook
wb = load_workbook(sys.argv[1])
a, m = open(sys.argv[2]).read().split()
found = {}
for ws in wb.worksheets[1:]:
    hdr = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2, values_only=True):
        if row[0] in (a, m):
            found[row[0]] = dict(zip(hdr, row))
assert found[a]["確認状況"] == "確認済" and found[a]["担当"] == "山田 花子", found[a]
assert found[a]["確認日"] == datetime.datetime(2026, 11, 20), found[a]["確認日"]
assert found[m]["確認状況"] == "要修正", found[m]
print("carried over")
PY
set +e
"$IKO" review status --run "$R2" > "$W/st2"; rc=$?
set -e
[ "$(awk '$1 == "total" {print $3}' "$W/st2")" = 2 ] || fail "R002 status: $(cat "$W/st2")"

# staff review everything: nothing remains
"$PY" - "$R2/reports/discrepancies.xlsx" "$W/all.xlsx" <<'PY'
import sys
from openpyxl import load_workbook
wb = load_workbook(sys.argv[1])
for ws in wb.worksheets[1:]:
    hdr = [c.value for c in ws[1]]
    if "差異ID" not in hdr:
        continue
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, hdr.index("確認状況") + 1).value == "未確認":
            ws.cell(r, hdr.index("確認状況") + 1).value = "確認済"
wb.save(sys.argv[2])
PY
"$IKO" review import "$W/all.xlsx" --run "$R2" > /dev/null
"$IKO" review status --run "$R2" > "$W/st3" || fail "status after full review: $(cat "$W/st3")"
[ "$(awk '$1 == "total" {print $4}' "$W/st3")" = 0 ] || fail "$(cat "$W/st3")"
# a workbook in the 1904 date system (workbookPr date1904, as old Excel for
# Mac saves): its date serials count from 1904-01-01, 1462 days later
"$PY" - "$R2/reports/discrepancies.xlsx" "$W/mac.xlsx" "$W/picked1904" <<'PY'
import datetime, sys, zipfile
from openpyxl import load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904
wb = load_workbook(sys.argv[1])
wb.epoch = CALENDAR_MAC_1904
ws = wb.worksheets[1]
hdr = [c.value for c in ws[1]]
ws.cell(2, hdr.index("確認日") + 1).value = datetime.date(2026, 12, 4)
open(sys.argv[3], "w").write(ws.cell(2, 1).value + "\n")
wb.save(sys.argv[2])
z = zipfile.ZipFile(sys.argv[2])
assert b'date1904="1"' in z.read("xl/workbook.xml") or b"date1904=\"true\"" in z.read("xl/workbook.xml"), z.read("xl/workbook.xml")[:400]
PY
"$IKO" review import "$W/mac.xlsx" --run "$R2" > /dev/null
"$PY" - "$W/runs/435015/reviews.csv" "$W/picked1904" <<'PY'
import csv, sys
rows = {r["id"]: r for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))}
i = open(sys.argv[2]).read().split()[0]
assert rows[i]["確認日"] == "2026-12-04", rows[i]
print("1904 date system ok")
PY
# usage
set +e
"$IKO" review import --run "$R2" 2>/dev/null; rc=$?
set -e
[ $rc -eq 2 ] || fail "usage: exit $rc"
echo "review_roundtrip: ok"
