#!/bin/bash
# iko schedule: the 2012 seed example comes out of its constraints (錦町 the
# pilot, then one municipality a week, smaller before larger, in February);
# the .ics is parsed back (RFC 5545: CRLF, VEVENT, DTSTART dates, SUMMARY
# 切替 <name>); a blackout week moves the later cutovers; an infeasible plan
# names the constraint that blocks which municipality.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
PY=/usr/bin/python3
W=$(mktemp -d /tmp/iko-e2e-schedule.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
PLAN=$IKO_SOURCE_DIR/examples/2012-miyazaki-kumamoto/plan.yaml

"$IKO" schedule "$PLAN" --out "$W/s" > "$W/out" || fail "exit $?: $(cat "$W/out")"
ics() { # ics FILE → "date summary" per cutover event, in order
	"$PY" - "$1" <<'PY'
import sys
raw = open(sys.argv[1], newline="").read()
assert raw.startswith("BEGIN:VCALENDAR\r\n") and raw.endswith("END:VCALENDAR\r\n"), raw[:40]
# folded at 75 octets, never inside a UTF-8 character (each line decodes)
for l in open(sys.argv[1], "rb").read().split(b"\r\n"):
    assert len(l) <= 75, l
    l.decode("utf-8")
lines = raw.replace("\r\n ", "").split("\r\n")
events, cur = [], None
for l in lines:
    if l == "BEGIN:VEVENT":
        cur = {}
    elif l == "END:VEVENT":
        events.append(cur)
        cur = None
    elif cur is not None and ":" in l:
        k, v = l.split(":", 1)
        cur[k.split(";")[0]] = v
assert all("UID" in e and "DTSTAMP" in e and "DTSTART" in e for e in events), events
for e in sorted(events, key=lambda e: e["DTSTART"]):
    if e["SUMMARY"].startswith("切替"):
        print(e["DTSTART"], e["SUMMARY"])
print(len(events), "events")
PY
}
[ "$(ics "$W/s/schedule.ics")" = "20120203 切替 錦町（435015）
20120210 切替 高原町（453617）
20120217 切替 都農町（454061）
20120224 切替 川南町（454052）
8 events" ] || fail "ics: $(ics "$W/s/schedule.ics")"
grep -q "| 1 | 435015 | 錦町 | A | 11407 | 2012-01-20 | 2012-02-03 | 0 | 0 | the vendor's pilot (named) |" "$W/s/schedule.md" || fail "$(cat "$W/s/schedule.md")"

# a name too long for one line: its SUMMARY folded (RFC 5545 3.1) and
# unfolded whole, the rest of the file as before
long=宮崎県児湯郡西都児湯広域市町村圏協議会加盟の都農町役場本庁舎
sed "s/name: 都農町/name: $long/" "$PLAN" > "$W/long.yaml"
grep -q "$long" "$W/long.yaml" || fail "the long name is not in the plan"
"$IKO" schedule "$W/long.yaml" --out "$W/l" > /dev/null || fail "long name: exit $?"
[ "$(ics "$W/l/schedule.ics")" = "20120203 切替 錦町（435015）
20120210 切替 高原町（453617）
20120217 切替 $long（454061）
20120224 切替 川南町（454052）
8 events" ] || fail "long ics: $(ics "$W/l/schedule.ics")"
grep -c $'^ ' "$W/l/schedule.ics" | grep -qx 2 || fail "folded lines: $(grep -c $'^ ' "$W/l/schedule.ics")"

# the workbook: a row per municipality, a column per week coloured by phase
"$PY" - "$W/s/schedule.xlsx" <<'PY'
import sys
from openpyxl import load_workbook
wb = load_workbook(sys.argv[1])
assert wb.sheetnames == ["表紙", "切替計画", "理由", "停止期間", "費用按分"], wb.sheetnames
ws = wb["切替計画"]
hdr = [c.value for c in ws[1]]
assert hdr[:8] == ["順", "団体コード", "団体名", "ベンダ", "人口", "切替日", "先行団体", "教訓"], hdr
row = {r[2]: r for r in ws.iter_rows(min_row=2, values_only=True)}
k = row["錦町"]
weeks = hdr[8:]
phases = {weeks[i]: v for i, v in enumerate(k[8:]) if v}
assert phases == {"01/16": "リハーサル", "01/23": "凍結", "01/30": "切替", "02/06": "稼働後", "02/13": "稼働後"}, phases
assert [row[n][6] for n in ("錦町", "高原町", "都農町", "川南町")] == [0, 1, 2, 3]
col = 9 + weeks.index("01/30")
assert ws.cell(2, col).value == "切替" and ws.cell(2, col).fill.fgColor.rgb == "FFF8696B"
assert row["川南町"][5].strftime("%Y-%m-%d") == "2012-02-24"
# 割り勘 (seed 001): 設計 0.3 and プログラム作成 2.0 split across the four towns,
# the rest (testing with each town's own data) borne by each
cs = wb["費用按分"]
hdr = [c.value for c in cs[1]]
assert hdr == ["団体コード", "団体名", "ベンダ", "打合せ（各団体）", "設計（均等按分 A）", "プログラム作成（均等按分 A）",
               "テスト検証作業（各団体のデータで検証）（各団体）", "適用作業・操作説明（各団体）", "合計（人日）"], hdr
rows = list(cs.iter_rows(min_row=2, values_only=True))
assert [r[1] for r in rows] == ["錦町", "高原町", "都農町", "川南町", None], rows
assert rows[0][3:] == (0.5, 0.08, 0.5, 1, 0.5, 2.58), rows[0]
assert rows[3][3:] == (0.5, 0.07, 0.5, 1, 0.5, 2.57), rows[3]
assert rows[4][0] == "合計" and rows[4][3:] == (2, 0.3, 2, 4, 2, 10.3), rows[4]
print("workbook ok")
PY

# a blackout on 2012-02-10 (an election, say) moves the rest a week: 川南町 no longer fits
sed 's/^blackouts:$/blackouts:\n  - {from: 2012-02-10, to: 2012-02-10, reason: 選挙}/' "$PLAN" > "$W/b.yaml"
set +e
"$IKO" schedule "$W/b.yaml" --out "$W/b" > "$W/out"; rc=$?
set -e
[ $rc -eq 3 ] || fail "blackout: exit $rc: $(cat "$W/out")"
grep -Eq "^   2 453617 高原町 +2012-02-17 " "$W/out" || fail "$(cat "$W/out")"
grep -Eq "^   0 454052 川南町 +-  blocked: no free slot for vendor A before 2012-02-29" "$W/out" || fail "$(cat "$W/out")"
grep -q "選挙" "$W/b/schedule.md" || fail "blackout reason missing"
# too few rehearsals passed
sed 's/residents: 9847, min_rehearsals: 2, rehearsals_passed: 2/residents: 9847, min_rehearsals: 2, rehearsals_passed: 1/' "$PLAN" > "$W/r.yaml"
set +e
"$IKO" schedule "$W/r.yaml" --out "$W/r" > "$W/out"; rc=$?
set -e
[ $rc -eq 3 ] || fail "rehearsals: exit $rc"
grep -Eq "453617 高原町 +-  blocked: 1 rehearsals passed, 2 required$" "$W/out" || fail "$(cat "$W/out")"
# replan after 錦町 went live and 高原町 failed its gate: 都農町 moves up
cat > "$W/actuals.yaml" <<'YAML'
as_of: 2012-02-08
actuals:
  - {lg_code: "435015", status: done, cutover: 2012-02-03}
  - {lg_code: "453617", status: gate_failed, reason: 差異確認未了}
YAML
"$IKO" schedule "$PLAN" --out "$W/a" --actuals "$W/actuals.yaml" > "$W/out" || fail "replan: $(cat "$W/out")"
[ "$(ics "$W/a/schedule.ics" | head -4)" = "20120203 切替 錦町（435015）
20120210 切替 都農町（454061）
20120217 切替 高原町（453617）
20120224 切替 川南町（454052）" ] || fail "replan: $(cat "$W/out")"
grep -q "replanned (gate_failed: 差異確認未了)" "$W/out" || fail "$(cat "$W/out")"

# lessons recorded beside the plan: each municipality shows how many it inherits
mkdir -p "$W/l"
cp "$PLAN" "$W/l/plan.yaml"
"$IKO" lesson add --project "$W/l/plan.yaml" --vendor A --business jumin --found-in 435015/R001 \
	--symptom "続柄コード 09 が未定義" --fix-pack-version 1.0.0 >/dev/null
"$IKO" lesson add --project "$W/l/plan.yaml" --vendor A --business juminzei --found-in 435015/R001 \
	--symptom "another business" --fix-pack-version 1.0.0 >/dev/null
"$IKO" schedule "$W/l/plan.yaml" --out "$W/l/s" > /dev/null
grep -q "| 2 | 453617 | 高原町 | A | 9847 | 2012-01-27 | 2012-02-10 | 1 | 1 | " "$W/l/s/schedule.md" || fail "$(cat "$W/l/s/schedule.md")"
grep -q "| 1 | 435015 | 錦町 | A | 11407 | 2012-01-20 | 2012-02-03 | 0 | 0 | " "$W/l/s/schedule.md" || fail "$(cat "$W/l/s/schedule.md")"
grep -q "^| 454052 | 川南町 | 0.50 | 0.07 | 0.50 | 1.00 | 0.50 | 2.57 |$" "$W/l/s/schedule.md" || fail "costs: $(cat "$W/l/s/schedule.md")"

# the 2018 山口 example (seed 000): 周南市 first in January 2018, then 柳井市
# and 光市; 下松市 once ready in January 2019, 阿武町 in March 2019
"$IKO" schedule "$IKO_SOURCE_DIR/examples/2018-yamaguchi/plan.yaml" --out "$W/y" > "$W/out" || fail "2018: $(cat "$W/out")"
[ "$(ics "$W/y/schedule.ics")" = "20180108 切替 周南市（352152）
20180115 切替 柳井市（352128）
20180122 切替 光市（352101）
20190107 切替 下松市（352071）
20190304 切替 阿武町（355020）
10 events" ] || fail "2018 ics: $(ics "$W/y/schedule.ics")"
grep -q "| 1 | 352152 | 周南市 | H | 141000 | 2017-12-18 | 2018-01-08 | 0 | 0 | the vendor's pilot (named); not 2018-01-01 (年末年始閉庁) |" "$W/y/schedule.md" || fail "$(cat "$W/y/schedule.md")"
grep -q "| 4 | 352071 | 下松市 | H | 57000 | 2018-12-17 | 2019-01-07 | 3 | 0 | after its vendor's pilot, smaller before larger; ready from 2019-01-07 |" "$W/y/schedule.md" || fail "$(cat "$W/y/schedule.md")"

# bad cost items are named
sed 's/amount: 0.3,/amount: 0.3x,/' "$PLAN" > "$W/c.yaml"
set +e
"$IKO" schedule "$W/c.yaml" --out "$W/c" > "$W/out" 2>&1; rc=$?
set -e
[ $rc -eq 1 ] || fail "bad amount: exit $rc"
grep -q "c.yaml:[0-9]*: amount 0.3x: not a number of 人日" "$W/out" || fail "$(cat "$W/out")"
# a shared cost nobody in the plan can bear is refused, not silently dropped
sed 's/amount: 0.3, split: shared, vendor: A}/amount: 0.3, split: shared, vendor: Z}/' "$PLAN" > "$W/z.yaml"
set +e
"$IKO" schedule "$W/z.yaml" --out "$W/z" > "$W/out" 2>&1; rc=$?
set -e
[ $rc -eq 1 ] && grep -qx "iko: schedule: $W/z.yaml: cost item 設計: no municipality of vendor Z to bear it" "$W/out" || fail "cost for nobody: $rc $(cat "$W/out")"
# a list given as a mapping is named, not a crash (found by fuzz/fuzz_schedule)
printf 'plan: x\nstart: 2012-02-01\nend: 2012-02-29\nmunicipalities:\n  a: {lg_code: "435015"}\n' > "$W/m.yaml"
set +e
"$IKO" schedule "$W/m.yaml" --out "$W/m" > "$W/out" 2>&1; rc=$?
set -e
[ $rc -eq 1 ] && grep -qx "iko: schedule: $W/m.yaml:5: municipalities: must be a list (- {…} items)" "$W/out" || fail "not a list: $rc $(cat "$W/out")"
echo "schedule: ok"
