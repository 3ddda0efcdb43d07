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
grep -q "| 1 | 435015 | 錦町 | A | 11407 | 2012-01-20 | 2012-02-03 | the vendor's pilot (named) |" "$W/s/schedule.md" || fail "$(cat "$W/s/schedule.md")"

# the workbook: a row per municipality, a column per week coloured by phase
"$PY" - "$W/s/schedule.xlsx" <<'PY'
import sys
from openpyxl import load_workbook
wb = load_workbook(sys.argv[1])
assert wb.sheetnames == ["表紙", "切替計画", "理由", "停止期間"], wb.sheetnames
ws = wb["切替計画"]
hdr = [c.value for c in ws[1]]
assert hdr[:6] == ["順", "団体コード", "団体名", "ベンダ", "人口", "切替日"], hdr
row = {r[2]: r for r in ws.iter_rows(min_row=2, values_only=True)}
k = row["錦町"]
weeks = hdr[6:]
phases = {weeks[i]: v for i, v in enumerate(k[6:]) if v}
assert phases == {"01/16": "リハーサル", "01/23": "凍結", "01/30": "切替", "02/06": "稼働後", "02/13": "稼働後"}, phases
col = 7 + weeks.index("01/30")
assert ws.cell(2, col).value == "切替" and ws.cell(2, col).fill.fgColor.rgb == "FFF8696B"
assert row["川南町"][5].strftime("%Y-%m-%d") == "2012-02-24"
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
echo "schedule: ok"
