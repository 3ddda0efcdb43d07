#!/bin/bash
# Vendors B (IBM host, CCSID 930, H/D/T records, COMP-3, PIC N) and C
# (Fujitsu JEF, VB, KI/KO, JIS78 code points) rehearsed end to end like
# vendor A:
#  1. the same seed gives the same people whichever vendor writes them, so
#     the standard CSVs of clean A, B and C dumps must be byte-identical —
#     which proves every codec and field decoder on the way;
#  2. the old system's own totals (B: trailer counts and hash totals; C: the
#     TOUKEI.DAT 統計表 read through its copybook) reconcile with 0 FAIL;
#  3. every defect injected into a B and a C dump is found with its reason,
#     and nothing else is rejected (tests/e2e/injected_check.py).
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
PY=/usr/bin/python3
W=$(mktemp -d /tmp/iko-e2e-vendors.XXXXXX)
chmod 755 "$W"
cleanup() { "$IKO" db stop --dir "$W/pg" >/dev/null 2>&1 || true; rm -rf "$W"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

for v in A B C; do
	"$IKO" sample --vendor $v --lg-code 435015 --residents 2500 --seed 21 --out "$W/clean$v" >/dev/null
	lower=$(echo $v | tr ABC abc)
	cat > "$W/p$v.yaml" <<YAML
project: vendor $v
runs: runs$v
db_dir: pg
municipalities:
  - {lg_code: "435015", name: 錦町, pack: $IKO_SOURCE_DIR/packs/vendor-$lower/jumin, dump: clean$v}
YAML
	"$IKO" rehearse "$W/p$v.yaml" > "$W/out$v.txt" || { cat "$W/out$v.txt"; fail "clean vendor $v: exit $?"; }
	grep -q "measures: [0-9]* PASS, 0 WARN, 0 FAIL" "$W/out$v.txt" || { cat "$W/out$v.txt"; fail "vendor $v measures"; }
	grep -q "rejected: 0, warnings: 0, unmapped gaiji: 0" "$W/out$v.txt" || { cat "$W/out$v.txt"; fail "vendor $v rejects"; }
done
for t in resident household; do
	for v in B C; do
		cmp "$W/runsA/435015/R001/transform/$t.csv" "$W/runs$v/435015/R001/transform/$t.csv" ||
			fail "vendor $v $t.csv differs from vendor A's"
	done
done
# the C dump really holds JIS78-swapped kanji (桧 薮 篭 涛) and they came out right
grep -q "桧山" "$W/runsC/435015/R001/transform/resident.csv" || fail "no 桧山 in vendor C's residents"

# The old systems' own figures were read: B's trailers, C's 統計表.
"$PY" - "$W" <<'PY'
import csv, sys
w = sys.argv[1]
def old(v):
    rows = csv.DictReader(open(f"{w}/runs{v}/435015/R001/reconcile/measures.csv", newline="", encoding="utf-8"))
    return {(r["measure"], r["group"]): r for r in rows}
b = old("B")
for m in ("resident.records", "resident.residents", "resident.removed", "resident.atena_hash",
          "household.households", "household.household_members"):
    r = b[(m, "")]
    assert r["old"] != "" and r["status"] == "PASS", r
assert b[("resident.residents", "")]["old"] == "2500", b[("resident.residents", "")]
# 年齢階級 (age bands), computed on the CSV and in SQL alike
ab = [r for (m, g), r in b.items() if m == "resident.residents_by_age_band"]
assert {r["group"] for r in ab} <= {"0-14", "15-64", "65-74", "75-", "不詳"} and len(ab) >= 4, ab
assert all(r["status"] == "PASS" for r in ab) and sum(float(r["loaded"]) for r in ab) == 2500, ab
c = old("C")
towns = [r for (m, g), r in c.items() if m == "resident.residents_by_town_sex" and r["old"] != ""]
assert len(towns) >= 40 and all(r["status"] == "PASS" for r in towns), len(towns)
print("old system figures: B", len(b), "C", len(c))
PY

# Injected defects in B and C dumps are all found, and every stage balances.
"$IKO" sample --vendor B --lg-code 435023 --residents 2000 --seed 31 --inject 2 --out "$W/injB" >/dev/null
"$IKO" sample --vendor C --lg-code 435031 --residents 2000 --seed 32 --inject 2 --out "$W/injC" >/dev/null
cat > "$W/inj.yaml" <<YAML
project: injected
runs: runsI
db_dir: pg
municipalities:
  - {lg_code: "435023", name: 多良木町, pack: $IKO_SOURCE_DIR/packs/vendor-b/jumin, dump: injB}
  - {lg_code: "435031", name: 湯前町, pack: $IKO_SOURCE_DIR/packs/vendor-c/jumin, dump: injC}
YAML
for lg in 435023 435031; do
	set +e
	"$IKO" rehearse "$W/inj.yaml" --lg-code $lg > "$W/inj$lg.txt" 2>&1
	rc=$?
	set -e
	[ $rc -eq 3 ] || { cat "$W/inj$lg.txt"; fail "injected $lg: exit $rc, expected 3"; }
done
# every planted defect found, and nothing else rejected
for x in "435023 injB" "435031 injC"; do
	set -- $x
	"$PY" "$IKO_SOURCE_DIR/tests/e2e/injected_check.py" "$W/runsI/$1/R001" "$W/$2/injected.csv" 2
	[ -f "$W/runsI/$1/R001/reports/discrepancies.xlsx" ] || fail "no workbook for $1"
done
echo "rehearse_vendors: ok"
