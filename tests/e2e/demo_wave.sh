#!/bin/bash
# iko demo --wave: four vendor-A municipalities sharing the vendor's quirks.
# The pilot, rehearsed with the draft pack, finds the quirks; they become
# lessons (fix: pack 1.0.0); the later municipalities inherit them and find
# fewer defects. Every printed figure is checked against the run manifests.
# Also the single-municipality `iko demo` on a small sample.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
PY=/usr/bin/python3
W=$(mktemp -d /tmp/iko-e2e-wave.XXXXXX)
chmod 755 "$W"
cleanup() { "$IKO" db stop --dir "$W/.iko/pg" >/dev/null 2>&1 || true; rm -rf "$W"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$W"

"$IKO" demo --wave --dir wave --residents 600 --seed 7 > out 2> err || fail "exit $?: $(cat out err)"
grep -q "^2. pack fix: 3 code values the draft does not map and the vendor uses" out || fail "$(cat out)"
grep -qx "every later municipality found fewer defects than the pilot: its lessons were inherited" out || fail "$(cat out)"
[ "$(cut -d, -f1,3-6,8,9 wave/lessons.csv)" = "id,vendor,business,found_lg_code,found_run,fix_kind,fix
L001,A,jumin,435015,R001,pack-version,1.0.0
L002,A,jumin,435015,R001,pack-version,1.0.0
L003,A,jumin,435015,R001,pack-version,1.0.0" ] || fail "lessons: $(cat wave/lessons.csv)"
for v in "ido_reason に値 C3" "ido_reason に値 B4" "zokugara に値 09"; do
	grep -q "コード表 $v がない" wave/lessons.csv || fail "lesson $v: $(cat wave/lessons.csv)"
done
grep -q "^version: 1.0.0$" wave/packs/vendor-a/jumin/pack.yaml || fail "the pack was not moved to 1.0.0"

# the table's figures are the runs' own: defects = rejected + 〓 in each manifest
"$PY" - out <<'PY'
import json, re, sys
rows = [l.split() for l in open(sys.argv[1]) if re.match(r"^  \d{6} R\d{3} ", l)]
assert [(r[0], r[1], r[2]) for r in rows] == [("435015", "R001", "0.9.0"), ("435015", "R002", "1.0.0"),
        ("453617", "R001", "1.0.0"), ("454061", "R001", "1.0.0"), ("454052", "R001", "1.0.0")], rows
for r in rows:
    m = json.load(open(f"wave/runs/{r[0]}/{r[1]}/manifest.json"))
    rc = m["reconcile"]
    assert m["versions"]["pack_version"] == r[2], (r, m["versions"])
    assert int(r[4]) == rc["rejected"] + rc["gaiji_unmapped"], (r, rc)
    assert int(r[4]) == sum(c["rejected"] for c in m["counts"]) + rc["gaiji_unmapped"], r
    assert int(r[3]) == (0 if r == rows[0] else 3), r
    assert r[7] == "PASS", r
    if r != rows[0]:
        assert m["lessons_inherited"] == "L001, L002, L003", m["lessons_inherited"]
pilot = int(rows[0][4])
quirks = int(rows[0][5])
assert quirks > 0 and pilot >= quirks, rows[0]
assert all(int(r[4]) < pilot for r in rows[1:]), rows
assert all(int(r[6]) > 0 for r in rows[2:]), rows       # each later town had quirks to avoid
print("wave ok: pilot", pilot, "later", [int(r[4]) for r in rows[2:]])
PY

# a second wave into the same directory is refused, nothing touched
set +e
"$IKO" demo --wave --dir wave --residents 600 > out2 2>&1; rc=$?
set -e
[ $rc -eq 1 ] || fail "second wave: exit $rc"
grep -q "iko: demo --wave: wave already holds a wave (project.yaml): use another --dir or remove it" out2 || fail "$(cat out2)"
[ "$(wc -l < wave/lessons.csv)" -eq 4 ] || fail "lessons changed"

# the single-municipality demo
"$IKO" demo --dir one --residents 300 --inject 1 > out3 2>&1 || fail "demo: $(cat out3)"
grep -q "^rehearsal R001 of 435015 錦町（見本）: completed" out3 || fail "$(cat out3)"
[ -s one/runs/435015/R001/reports/discrepancies.xlsx ] || fail "no workbook: $(ls -R one/runs)"
echo "demo_wave: ok"
