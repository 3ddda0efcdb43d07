#!/bin/bash
# The tax businesses (個人住民税, 固定資産税) of vendors A (PC, CP932, the
# 税務統計 CSV) and B (IBM host, CCSID 930, COMP-3 amounts, trailers with
# hash totals) rehearsed end to end next to 住民記録 in one project:
#  - each rehearsal of any business takes the municipality's next run number
#    and records its business in the manifest;
#  - every measure has the old system's own figure and PASSes;
#  - the same seed gives the same standard tax CSVs from A and B.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
PY=/usr/bin/python3
W=$(mktemp -d /tmp/iko-e2e-tax.XXXXXX)
chmod 755 "$W"
cleanup() { "$IKO" db stop --dir "$W/pg" >/dev/null 2>&1 || true; rm -rf "$W"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
P=$IKO_SOURCE_DIR/packs

"$IKO" sample --vendor A --lg-code 435015 --residents 2500 --seed 8 --out "$W/dA" > "$W/sA.txt"
"$IKO" sample --vendor B --lg-code 435023 --residents 2500 --seed 8 --out "$W/dB" > "$W/sB.txt"
nA=$(awk '/KOJIN.DAT/ {print $2}' "$W/sA.txt")
nB=$(awk '/KOJINZEI.DAT/ {print $2}' "$W/sB.txt")
[ -n "$nA" ] && [ "$nA" = "$nB" ] || fail "個人住民税 records: A $nA, B $nB"
cat > "$W/p.yaml" <<YAML
project: tax
runs: runs
db_dir: pg
municipalities:
  - {lg_code: "435015", name: 錦町, pack: $P/vendor-a/jumin, dump: dA}
  - {lg_code: "435015", name: 錦町, pack: $P/vendor-a/kojin_juminzei, dump: dA}
  - {lg_code: "435015", name: 錦町, pack: $P/vendor-a/kotei_shisanzei, dump: dA}
  - {lg_code: "435023", name: 多良木町, pack: $P/vendor-b/kojin_juminzei, dump: dB}
  - {lg_code: "435023", name: 多良木町, pack: $P/vendor-b/kotei_shisanzei, dump: dB}
YAML
"$IKO" rehearse "$W/p.yaml" > "$W/out.txt" || { cat "$W/out.txt"; fail "rehearse exit $?"; }
grep -q "rehearsal R002 of 435015 錦町 (kojin_juminzei): completed" "$W/out.txt" || fail "$(cat "$W/out.txt")"
grep -q "rehearsal R003 of 435015 錦町 (kotei_shisanzei): completed" "$W/out.txt" || fail "R003"
grep -q "rehearsal R002 of 435023 多良木町 (kotei_shisanzei): completed" "$W/out.txt" || fail "435023 R002"
[ "$(grep -c ' 0 FAIL' "$W/out.txt")" = 5 ] || fail "FAILs: $(grep FAIL "$W/out.txt")"
# --business picks one business; an unknown one is a usage error
"$IKO" rehearse "$W/p.yaml" --lg-code 435023 --business kotei_shisanzei > "$W/one.txt"
[ "$(grep -c '^rehearsal ' "$W/one.txt")" = 1 ] && grep -q "R003 of 435023 多良木町 (kotei_shisanzei)" "$W/one.txt" || fail "$(cat "$W/one.txt")"
set +e
"$IKO" rehearse "$W/p.yaml" --business juminzei 2> "$W/err"; rc=$?
set -e
[ $rc -eq 2 ] && [ "$(cat "$W/err")" = "iko: rehearse: no municipality with business juminzei in $W/p.yaml" ] || fail "rc $rc: $(cat "$W/err")"

"$PY" - "$W" "$nA" <<'PY'
import csv, json, sys
w, n = sys.argv[1], int(sys.argv[2])
def measures(run):
    return list(csv.DictReader(open(f"{w}/runs/{run}/reconcile/measures.csv", newline="", encoding="utf-8")))
def manifest(run):
    return json.load(open(f"{w}/runs/{run}/manifest.json"))
for run, business, nmeasures in (("435015/R002", "kojin_juminzei", 10), ("435015/R003", "kotei_shisanzei", 4),
                                 ("435023/R001", "kojin_juminzei", 4), ("435023/R002", "kotei_shisanzei", 4)):
    m = manifest(run)
    assert m["business"] == business and m["balanced"] is True, (run, m["business"])
    rows = measures(run)
    old = [r for r in rows if r["old"] != ""]
    assert len(old) == nmeasures and all(r["status"] == "PASS" for r in rows), (run, rows)
# the trailer count is the number of assessments, for fiscal 2024
r = [r for r in measures("435023/R001") if r["measure"] == "assessment.assessments"][0]
assert (r["group"], r["old"], r["loaded"]) == ("2024", str(n), str(n)), r
# the same people and amounts whichever vendor wrote them
for a, b in (("435015/R002", "435023/R001"), ("435015/R003", "435023/R002")):
    ra = [row[1:] for row in csv.reader(open(f"{w}/runs/{a}/transform/assessment.csv", encoding="utf-8"))]
    rb = [row[1:] for row in csv.reader(open(f"{w}/runs/{b}/transform/assessment.csv", encoding="utf-8"))]
    assert ra == rb and len(ra) > 100, (a, b, len(ra), len(rb))
print("tax rehearsals ok:", n, "個人住民税 assessments")
PY
# Pack rules: a record whose 年税額 is not 所得割 + 均等割, and a 非課税 record
# with a tax, are rejected by transform with reason pack-rule and the rule.
mkdir -p "$W/bad"
"$PY" - "$W/dA/KOJIN.DAT" "$W/bad/KOJIN.DAT" <<'PY'
import sys
recs = open(sys.argv[1], "rb").read().split(b"\r\n")[:-1]
out, done = [], set()
for r in recs:
    r = bytearray(r)
    if r[15:16] == b"1" and "sum" not in done:
        r[32:41] = b"%09d" % (int(r[32:41]) + 1)
        done.add("sum")
    elif r[15:16] == b"9" and "hikazei" not in done:
        r[16:25] = b"%09d" % 100
        r[32:41] = b"%09d" % 100
        done.add("hikazei")
    out.append(bytes(r))
open(sys.argv[2], "wb").write(b"".join(x + b"\r\n" for x in out))
PY
"$IKO" extract --layout "$P/vendor-a/kojin_juminzei/layouts/KOJIN.yaml" --input "$W/bad/KOJIN.DAT" --out "$W/bx/KOJIN.csv" 2>/dev/null
set +e
"$IKO" transform --pack "$P/vendor-a/kojin_juminzei" --lg-code 435015 --in "$W/bx" --out "$W/bt" > /dev/null; rc=$?
set -e
[ $rc -eq 3 ] || fail "pack rules: transform exit $rc"
"$PY" - "$W/bt/rejects.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
got = sorted((r["reason"], r["field"], r["detail"].split(":")[0]) for r in rows)
assert got == [("pack-rule", "annual_tax", "rule annual_is_sum (年税額＝所得割額＋均等割額)"),
               ("pack-rule", "annual_tax", "rule hikazei_no_tax (非課税者に税額なし)")], got
assert any("the sum of the rule's columns is" in r["detail"] for r in rows), rows
print("pack rules ok")
PY
echo "rehearse_tax: ok"
