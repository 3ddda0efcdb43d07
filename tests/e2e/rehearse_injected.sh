#!/bin/bash
# End to end: a generated vendor-A municipality with every kind of injected
# defect goes through `iko rehearse`; every defect listed in injected.csv must
# show up in the rejects (or the gaiji warnings) with the expected reason,
# every stage must balance, the workbook must read back in openpyxl; then a
# clean sample must rehearse with no rejects and no failed measure.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
PY=/usr/bin/python3
W=$(mktemp -d /tmp/iko-e2e-rehearse.XXXXXX)
chmod 755 "$W"
cleanup() { "$IKO" db stop --dir "$W/pg" >/dev/null 2>&1 || true; rm -rf "$W"; }
trap cleanup EXIT

"$IKO" sample --vendor A --lg-code 435015 --residents 2000 --seed 11 --inject 2 --out "$W/dump" >/dev/null
"$IKO" sample --vendor A --lg-code 453617 --residents 1500 --seed 12 --out "$W/clean" >/dev/null

cat > "$W/project.yaml" <<YAML
project: e2e
runs: runs
db_dir: pg
municipalities:
  - {lg_code: "435015", name: 錦町, pack: $IKO_SOURCE_DIR/packs/vendor-a/jumin, dump: dump}
  - {lg_code: "453617", name: 高原町, pack: $IKO_SOURCE_DIR/packs/vendor-a/jumin, dump: clean}
YAML

set +e
"$IKO" rehearse "$W/project.yaml" --lg-code 435015 > "$W/out1.txt" 2> "$W/err1.txt"
rc=$?
set -e
cat "$W/out1.txt"
if [ "$rc" -ne 3 ]; then
	echo "expected exit 3 (checks found problems), got $rc"; cat "$W/err1.txt"; exit 1
fi
RUN="$W/runs/435015/R001"
test -f "$RUN/manifest.json"
test -f "$RUN/reports/discrepancies.xlsx"
grep -q "rehearsal R001 of 435015 錦町: completed" "$W/out1.txt"

"$PY" - "$RUN" "$W/dump/injected.csv" <<'PY'
import csv, glob, json, os, sys
run, injected = sys.argv[1], sys.argv[2]
m = json.load(open(os.path.join(run, "manifest.json")))
assert m["status"] == "completed", m
assert m["balanced"] is True, m["counts"]
for c in m["counts"]:
    assert c["in"] == c["out"] + c["rejected"], c
stages = [c["stage"] for c in m["counts"]]
for s in ("extract", "transform", "validate", "load"):
    assert s in stages, stages
assert len(m["inputs"]) == 2 and all(len(i["sha256"]) == 64 for i in m["inputs"]), m["inputs"]
# chain: what one stage writes, the next reads
by = {(c["stage"], c["object"]): c for c in m["counts"]}
assert by[("extract", "JUMIN.DAT")]["out"] == by[("transform", "resident")]["in"]
assert by[("transform", "resident")]["out"] == by[("validate", "resident")]["in"]
assert by[("validate", "resident")]["out"] == by[("load", "resident")]["out"]
assert by[("validate", "household")]["out"] == by[("load", "household")]["out"]

rejects = []
for f in glob.glob(os.path.join(run, "*", "*rejects.csv")):
    with open(f, newline="", encoding="utf-8") as fh:
        rejects += list(csv.DictReader(fh))
expected = {
    "invalid_date": "era-date-invalid", "bad_my_number": "check-digit",
    "unknown_code": "unmapped-code", "orphan_member": "orphan-member",
    "two_heads": "many-household-heads", "duplicate_key": "duplicate-key",
    "unmapped_gaiji": "unmapped-gaiji",
}
rows = list(csv.DictReader(open(injected, newline="", encoding="utf-8")))
assert len(rows) == 14, len(rows)
kinds = {}
missing = []
for r in rows:
    kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    want = expected[r["kind"]]
    key = r["atena_no"].lstrip("0") if False else r["atena_no"]
    hit = [x for x in rejects if x["reason"] == want and x["key"] == key]
    if not hit:
        missing.append((r["kind"], r["record"], key, want))
assert kinds == {k: 2 for k in expected}, kinds
assert not missing, missing
# reasons are explained
for x in rejects:
    assert x["reason"] and x["detail"], x
# the personal number never appears in clear in validate's value column
mn = [x for x in rejects if x["reason"] == "check-digit" and x["field"] == "my_number"]
assert len(mn) == 2 and all(x["value"] == "(masked)" for x in mn), mn
print("injected defects found:", len(rows))
PY

# Nothing but the planted defects (and their households) is rejected.
"$PY" "$IKO_SOURCE_DIR/tests/e2e/injected_check.py" "$RUN" "$W/dump/injected.csv" 2

# The workbook, read back by openpyxl.
"$PY" - "$RUN/reports/discrepancies.xlsx" <<'PY'
import sys, datetime
from openpyxl import load_workbook
wb = load_workbook(sys.argv[1])
names = wb.sheetnames
assert names[0] == "表紙" and names[1] == "集計照合", names
for s in ("チェックデジット誤り", "キーの重複", "世帯主が複数いる世帯",
          "世帯番号が存在しない", "コード変換表に未定義のコード", "和暦日付を変換できない",
          "外字が未登録（〓）", "レコード照合"):
    assert s in names, (s, names)
summ = wb["集計照合"]
hdr = [c.value for c in summ[1]]
assert hdr[:9] == ["差異ID", "判定", "集計項目", "区分", "旧システム", "抽出", "移行後", "差異", "許容差"], hdr
assert "確認状況" in hdr and "コメント" in hdr, hdr
import re
ids = [row[0].value for row in summ.iter_rows(min_row=2)]
assert all(re.fullmatch(r"M-[0-9a-f]{12}", i) for i in ids) and len(set(ids)) == len(ids), ids[:3]
statuses = {row[1].value for row in summ.iter_rows(min_row=2)}
assert "FAIL" in statuses and "PASS" in statuses, statuses
# numbers are numbers
nums = [row[6].value for row in summ.iter_rows(min_row=2)]
assert all(isinstance(v, (int, float)) for v in nums), nums[:5]
# the total number of current residents loaded is a measure row
tot = [r for r in summ.iter_rows(min_row=2, values_only=True) if r[2] == "住民数（住登者）"]
assert len(tot) == 1 and tot[0][4] is not None, tot
cov = {r[0]: r[1] for r in wb["表紙"].iter_rows(values_only=True) if r[0]}
assert cov.get("団体コード") == "435015", cov
assert cov.get("個人番号・支援措置") == "マスク済み", cov
mn = wb["チェックデジット誤り"]
mh = [c.value for c in mn[1]]
assert mh[:5] == ["差異ID", "段階", "入力ファイル", "レコード番号", "キー（宛名番号等）"], mh
vals = [r[mh.index("値")] for r in mn.iter_rows(min_row=2, values_only=True)]
assert vals and all(v in ("（非表示）", "(masked)") for v in vals), vals
print("workbook ok:", len(names), "sheets")
PY

# A clean municipality: nothing rejected, no failed measure, exit 0.
"$IKO" rehearse "$W/project.yaml" --lg-code 453617 > "$W/out2.txt"
cat "$W/out2.txt"
grep -q "measures: [0-9]* PASS, [0-9]* WARN, 0 FAIL" "$W/out2.txt"
grep -q "rejected: 0," "$W/out2.txt"
grep -q "0 only in source, 0 only in target, 0 mismatched" "$W/out2.txt"

# Rehearsing again numbers the run R002 and leaves R001 alone.
set +e
"$IKO" rehearse "$W/project.yaml" --lg-code 435015 > "$W/out3.txt" 2>&1
set -e
grep -q "rehearsal R002 of 435015" "$W/out3.txt"
test -f "$W/runs/435015/R001/manifest.json"
echo "rehearse_injected: ok"
