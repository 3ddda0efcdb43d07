#!/bin/bash
# iko runbook render: the cutover, rollback and rehearsal runbooks of one
# municipality of a plan, with its dates (working days), the exact commands
# of its project, its contacts and the lessons it inherits; errors name the
# municipality or the template line.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
W=$(mktemp -d /tmp/iko-e2e-runbook.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
PLAN=$IKO_SOURCE_DIR/examples/2012-miyazaki-kumamoto/plan.yaml

# stdout: the cutover runbook of 高原町 (T = 2012-02-10, a Friday)
"$IKO" runbook render --plan "$PLAN" --lg-code 453617 > "$W/c.md" || fail "exit $?"
head -1 "$W/c.md" | grep -qx "# 切替手順書（カットオーバー・ランブック）— 高原町（453617）" || fail "$(head -3 "$W/c.md")"
grep -q "cutover (切替日, T) \*\*2012-02-10（金）\*\*" "$W/c.md" || fail "T"
grep -q "^| 2012-01-27（金） | Final rehearsal (最終リハーサル) with a fresh dump | \`iko rehearse PROJECT.yaml --lg-code 453617\` |" "$W/c.md" || fail "T-14"
grep -q "^| 2012-02-13（月） | Go-live (稼働開始)" "$W/c.md" || fail "go-live on the next working day: $(grep Go-live "$W/c.md")"
grep -q "^| 2012-02-09（木） | Final extract (最終抽出)" "$W/c.md" || fail "final extract"
if grep -q "{{" "$W/c.md"; then fail "unfilled placeholder: $(grep "{{" "$W/c.md")"; fi

# a project, contacts and lessons: exact commands, pack version, contacts, lessons
mkdir -p "$W/p"
cat > "$W/p/project.yaml" <<YAML
project: runbook test
runs: runs
db_dir: pg
municipalities:
  - {lg_code: "435015", name: 錦町, pack: $IKO_SOURCE_DIR/packs/vendor-a/jumin, dump: d1}
  - {lg_code: "453617", name: 高原町, pack: $IKO_SOURCE_DIR/packs/vendor-a/jumin, dump: d2}
YAML
sed -e 's/^plan: .*/plan: 宮崎・熊本 4町 住民記録\nproject: project.yaml\ncontacts:\n  - {role: 移行責任者, name: "ベンダA 移行チーム", tel: "内線 100"}/' \
    -e 's/{lg_code: "453617", name: 高原町, \(.*\)}$/{lg_code: "453617", name: 高原町, \1, contacts: [{role: 住民課, name: "住民課 | 窓口", tel: "内線 201"}]}/' \
    "$PLAN" > "$W/p/plan.yaml"
"$IKO" lesson add --project "$W/p/project.yaml" --vendor A --business jumin --found-in 435015/R001 \
	--symptom "続柄コード 09 が未定義" --fix-pack-version 1.0.0 >/dev/null
"$IKO" lesson add --project "$W/p/project.yaml" --vendor A --business jumin --found-in 453617/R001 \
	--symptom "its own lesson" --fix-pack-version 1.0.0 >/dev/null
(cd "$W" && "$IKO" runbook render --plan p/plan.yaml --lg-code 453617 --out out) > "$W/list" || fail "$(cat "$W/list")"
[ "$(cat "$W/list")" = "out/453617-cutover.md
out/453617-rollback.md
out/453617-rehearsal.md" ] || fail "$(cat "$W/list")"
C=$W/out/453617-cutover.md
grep -qF "| 2012-01-27（金） | Final rehearsal (最終リハーサル) with a fresh dump | \`iko rehearse p/project.yaml --lg-code 453617\` |" "$C" || fail "$(grep Final "$C")"
grep -qF "\`iko gate $W/p/runs/453617/RNNN\`" "$C" || fail "runs dir: $(grep gate "$C" | head -2)"
grep -qF "\`iko load --db-dir $W/p/pg --schema jumin --lg-code 453617 --rollback\`" "$C" || fail "$(grep rollback "$C")"
grep -qF "Freeze (凍結): pack $IKO_SOURCE_DIR/packs/vendor-a/jumin at version 1.0.0;" "$C" || fail "$(grep Freeze "$C")"
grep -qxF "| 移行責任者 | ベンダA 移行チーム | 内線 100 |" "$C" || fail "contacts: $(cat "$C")"
grep -qxF "| 住民課 | 住民課 \| 窓口 | 内線 201 |" "$C" || fail "contacts: $(cat "$C")"
grep -qxF "| L001 | 435015/R001 | 続柄コード 09 が未定義 | pack ≥ 1.0.0 |" "$C" || fail "lessons: $(cat "$C")"
if grep -q "its own lesson" "$C"; then fail "a municipality does not inherit its own lesson"; fi
grep -q "^Plan: 宮崎・熊本 4町 住民記録 · final rehearsal (R) \*\*2012-01-27（金）\*\* · cutover (T) 2012-02-10（金）$" "$W/out/453617-rehearsal.md" || fail "$(head -3 "$W/out/453617-rehearsal.md")"
grep -qF "\`iko load --db-dir $W/p/pg --schema jumin --lg-code 453617 --rollback\`" "$W/out/453617-rollback.md" || fail rollback

# errors
set +e
"$IKO" runbook render --plan "$PLAN" --lg-code 352152 > "$W/e" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -qx "iko: runbook render: 352152 is not in the plan $PLAN" "$W/e" || fail "not in plan: $rc $(cat "$W/e")"
sed 's/rehearsals_passed: 3}/rehearsals_passed: 1}/' "$PLAN" > "$W/inf.yaml"
"$IKO" runbook render --plan "$W/inf.yaml" --lg-code 435015 > "$W/e" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -qx "iko: runbook render: 435015 錦町 has no cutover date in the plan: blocked: 1 rehearsals passed, 2 required" "$W/e" || fail "unplaced: $rc $(cat "$W/e")"
mkdir -p "$W/t"
printf '# {{name}}\n\nstep {{T-3}} {{owner}}\n' > "$W/t/cutover.md"
"$IKO" runbook render --plan "$PLAN" --lg-code 435015 --templates "$W/t" > "$W/e" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -qx "iko: runbook render: $W/t/cutover.md:3: unknown placeholder {{owner}}" "$W/e" || fail "template: $rc $(cat "$W/e")"
"$IKO" runbook render --plan "$PLAN" --lg-code 435015 --kind golive > "$W/e" 2>&1; rc=$?
[ $rc -eq 2 ] || fail "bad kind: $rc"
set -e
echo "runbook: ok"
