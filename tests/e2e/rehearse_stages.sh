#!/bin/bash
# iko rehearse --from/--to: a run stopped after validate is "partial" (no
# load, no gate passes it); --from load reuses the earlier run's extract,
# transform and validate (linked into the new run, counts and input
# fingerprints copied) and gives the same counts as a full run; --from
# without an earlier run that got that far is an error naming it.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
PY=/usr/bin/python3
W=$(mktemp -d /tmp/iko-e2e-stages.XXXXXX)
chmod 755 "$W"
cleanup() { "$IKO" db stop --dir "$W/pg" >/dev/null 2>&1 || true; rm -rf "$W"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$IKO" sample --vendor A --lg-code 435015 --residents 800 --seed 5 --inject 1 --out "$W/dump" >/dev/null
cat > "$W/p.yaml" <<YAML
project: stages
runs: runs
db_dir: pg
municipalities:
  - {lg_code: "435015", name: 錦町, pack: $IKO_SOURCE_DIR/packs/vendor-a/jumin, dump: dump}
YAML
set +e
"$IKO" rehearse "$W/p.yaml" --from load > "$W/out" 2>&1; rc=$?
[ $rc -eq 1 ] || fail "--from load with no run: exit $rc"
grep -qx "iko: rehearse: --from load: no earlier run of 435015 (jumin) got past validate; run the stages before it first" "$W/out" || fail "$(cat "$W/out")"
"$IKO" rehearse "$W/p.yaml" --from load --to transform > "$W/out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "iko: rehearse: --from load comes after --to transform" "$W/out" || fail "from > to: $rc $(cat "$W/out")"
"$IKO" rehearse "$W/p.yaml" --to loading > "$W/out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "unknown stage loading: extract, transform, validate, load or reconcile" "$W/out" || fail "bad stage: $rc $(cat "$W/out")"

# R002: to validate — partial, nothing loaded (the failed R001 above took a number)
"$IKO" rehearse "$W/p.yaml" --to validate > "$W/out"; rc=$?
set -e
[ $rc -eq 3 ] || fail "--to validate: exit $rc (rejects planted: 3 expected)"
grep -q "^rehearsal R002 of 435015 錦町: partial" "$W/out" || fail "$(cat "$W/out")"
grep -q "^  stopped after validate (--to): partial run" "$W/out" || fail "$(cat "$W/out")"
[ ! -d "$W/runs/435015/R002/reports" ] || fail "reconcile ran"
[ ! -d "$W/pg" ] || fail "a partial run to validate needs no database"
set +e
"$IKO" gate "$W/runs/435015/R002" > "$W/gate"; rc=$?
set -e
[ $rc -eq 3 ] && grep -q "^  FAIL completed .*the run did not complete (status partial)" "$W/gate" || fail "gate: $rc $(cat "$W/gate")"

# R003: from load — reuses R002's first three stages
set +e
"$IKO" rehearse "$W/p.yaml" --from load > "$W/out"; rc=$?
set -e
[ $rc -eq 3 ] || fail "--from load: exit $rc: $(cat "$W/out")"
grep -q "^  reused from R002: the stages before the first one run here" "$W/out" || fail "$(cat "$W/out")"
[ -s "$W/runs/435015/R003/validate/resident.csv" ] || fail "validate not linked: $(ls "$W/runs/435015/R003")"
[ "$(stat -c %i "$W/runs/435015/R003/extract/JUMIN.csv")" = "$(stat -c %i "$W/runs/435015/R002/extract/JUMIN.csv")" ] || fail "not a hard link"
# R004: a full run for comparison
set +e
"$IKO" rehearse "$W/p.yaml" > "$W/out"; rc=$?
set -e
[ $rc -eq 3 ] || fail "full: exit $rc"
"$PY" - "$W/runs/435015" <<'PY'
import json, sys
d = sys.argv[1]
r2, r3, r4 = (json.load(open(f"{d}/{r}/manifest.json")) for r in ("R002", "R003", "R004"))
assert r2["status"] == "partial" and r2["stopped_after"] == "validate", r2["status"]
assert r3["status"] == "completed" and r3["reused_from"] == "R002", (r3["status"], r3.get("reused_from"))
assert "reused_from" not in r4
strip = lambda m: [(c["stage"], c["object"], c["in"], c["out"], c["rejected"], c["warnings"]) for c in m["counts"]]
assert strip(r3) == strip(r4), (strip(r3), strip(r4))
assert [c for c in strip(r2)] == [c for c in strip(r4) if c[0] in ("extract", "transform", "validate")]
assert r3["inputs"] == r4["inputs"] and r3["inputs"], r3["inputs"]
assert set(r3["timings"]) == {"connect", "load", "analyze", "reconcile", "total"}, r3["timings"]
assert r3["reconcile"] == r4["reconcile"], (r3["reconcile"], r4["reconcile"])
print("stages ok")
PY
echo "rehearse_stages: ok"
