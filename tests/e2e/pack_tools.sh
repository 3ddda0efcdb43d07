#!/bin/bash
# iko pack coverage | diff | new-overlay: a new joiner's dump with code
# values the pack does not know (found with exact frequencies, exit 3), the
# gap analysis workbook read back by openpyxl, a clean dump (exit 0), an
# overlay's customisations counted by kind, unknown names in an overlay
# refused, and a fresh overlay that the loader accepts and that is never
# written over.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
PY=/usr/bin/python3
W=$(mktemp -d /tmp/iko-e2e-pack.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cp -r "$IKO_SOURCE_DIR/packs/vendor-a/jumin" "$W/pack"

# a dump whose old system used codes the pack does not know
"$IKO" sample --vendor A --lg-code 435015 --residents 1500 --seed 5 --out "$W/d" >/dev/null
"$PY" - "$W/d/JUMIN.DAT" <<'PY'
import sys
p = sys.argv[1]
recs = open(p, "rb").read().split(b"\r\n")[:-1]
out = []
for i, r in enumerate(recs):
    r = bytearray(r)
    if i % 100 == 3:
        r[103:104] = b"X"          # 性別 X: 15 records
    if i % 250 == 7 and r[22:23] == b"0":
        r[147:149] = b"D1"         # 異動事由 D1 on current residents
    out.append(bytes(r))
open(p, "wb").write(b"".join(x + b"\r\n" for x in out))
n_sex = sum(1 for i in range(len(recs)) if i % 100 == 3)
n_jiyu = sum(1 for i, r in enumerate(recs) if i % 250 == 7 and r[22:23] == b"0")
open(p + ".expect", "w").write(f"{n_sex} {n_jiyu}\n")
PY
read -r n_sex n_jiyu < "$W/d/JUMIN.DAT.expect"
rm "$W/d/JUMIN.DAT.expect"
set +e
"$IKO" pack coverage --pack "$W/pack" --input "$W/d" --out "$W/gap.xlsx" > "$W/out"; rc=$?
set -e
[ $rc -eq 3 ] || fail "coverage exit $rc: $(cat "$W/out")"
grep -Eq "^  resident\.sex +sex +X +$n_sex$" "$W/out" || fail "sex: $(cat "$W/out")"
grep -Eq "^  resident\.ido_reason +ido_reason +D1 +$n_jiyu$" "$W/out" || fail "ido: $(cat "$W/out")"
grep -q "^unmapped code values: 2$" "$W/out" || fail "$(cat "$W/out")"
grep -Eq "^  JUMIN\.REC_KBN +[0-9]+ of [0-9]+ records hold data$" "$W/out" || fail "ignored fields: $(cat "$W/out")"
grep -Eq "^  resident\.town_name +住所_町字$" "$W/out" || fail "unsourced: $(cat "$W/out")"
"$PY" - "$W/gap.xlsx" "$n_sex" "$n_jiyu" <<'PY'
import sys
from openpyxl import load_workbook
wb = load_workbook(sys.argv[1])
assert wb.sheetnames == ["表紙", "対応のないコード値", "移行先のない旧項目", "移行元のない標準項目"], wb.sheetnames
ws = wb["対応のないコード値"]
assert [c.value for c in ws[1]] == ["テーブル", "項目", "コード表", "旧システムの値", "件数"]
rows = {(r[1], r[3]): r[4] for r in ws.iter_rows(min_row=2, values_only=True)}
assert rows == {("sex", "X"): int(sys.argv[2]), ("ido_reason", "D1"): int(sys.argv[3])}, rows
cols = [r for r in wb["移行元のない標準項目"].iter_rows(min_row=2, values_only=True)]
assert ("resident", "town_name", "住所_町字", None) in cols, cols
print("gap analysis ok")
PY

# a clean dump maps completely
"$IKO" sample --vendor A --lg-code 435015 --residents 800 --seed 6 --out "$W/clean" >/dev/null
"$IKO" pack coverage --pack "$W/pack" --input "$W/clean" > "$W/out" || fail "clean coverage: $(cat "$W/out")"
grep -q "^unmapped code values: 0$" "$W/out" || fail "$(cat "$W/out")"
grep -Eq "^records: ([0-9]+) of \1 mapped \(100\.0% would pass transform\), 0 rejected$" "$W/out" || fail "$(cat "$W/out")"

# no overlay yet
"$IKO" pack diff --pack "$W/pack" --lg-code 435015 > "$W/out"
[ "$(cat "$W/out")" = "no overlay for 435015 in $W/pack: the pack is used as it is (0 customisations)" ] || fail "$(cat "$W/out")"
# new-overlay: commented, loadable, 0 customisations, never written over
"$IKO" pack new-overlay --pack "$W/pack" --lg-code 435015 | grep -qx "wrote $W/pack/overlays/435015.yaml"
grep -q '^overlay: "435015"$' "$W/pack/overlays/435015.yaml" || fail "$(cat "$W/pack/overlays/435015.yaml")"
"$IKO" pack diff --pack "$W/pack" --lg-code 435015 | tail -1 | grep -qx "customisations: 0 (code-added 0, code-replaced 0, policy 0, column 0)" || fail "empty overlay"
set +e
"$IKO" pack new-overlay --pack "$W/pack" --lg-code 435015 2> "$W/err"; rc=$?
set -e
[ $rc -eq 1 ] && [ "$(cat "$W/err")" = "iko: pack new-overlay: $W/pack/overlays/435015.yaml already exists: edit it, or remove it first" ] || fail "rc $rc: $(cat "$W/err")"

# an overlay with customisations, counted by kind; coverage then maps X
cat > "$W/pack/overlays/435015.yaml" <<'YAML'
overlay: "435015"
pack: vendor-a/jumin
reason: 旧システム独自の性別コード X と異動事由 D1
codes:
  sex: {map: {X: "0", U: "9"}}
  ido_reason: {unmapped: warn, map: {D1: "43"}}
tables:
  resident:
    columns:
      katagaki: {from: KATAGAKI, steps: [trim, zenkaku]}
YAML
"$IKO" pack diff --pack "$W/pack" --lg-code 435015 > "$W/out"
[ "$(tail -1 "$W/out")" = "customisations: 5 (code-added 2, code-replaced 1, policy 1, column 1)" ] || fail "$(cat "$W/out")"
grep -Eq "^  code-replaced +sex +U → 9 \(pack: 0\)$" "$W/out" || fail "$(cat "$W/out")"
"$IKO" pack coverage --pack "$W/pack" --input "$W/d" --lg-code 435015 > "$W/out" || fail "with overlay: $(cat "$W/out")"
# unknown names in an overlay are errors naming them
for bad in 'codes: {sexx: {map: {X: "0"}}}' 'tables: {resident: {columns: {katagak: {from: KATAGAKI}}}}' \
	   'tables: {people: {columns: {name: {from: SHIMEI}}}}' 'code: {sex: {map: {X: "0"}}}'; do
	printf 'overlay: "435015"\npack: vendor-a/jumin\n%s\n' "$bad" > "$W/pack/overlays/435015.yaml"
	set +e
	"$IKO" pack diff --pack "$W/pack" --lg-code 435015 2> "$W/err"; rc=$?
	set -e
	[ $rc -eq 1 ] || fail "bad overlay ($bad): exit $rc"
	case "$bad" in
	*sexx*) grep -q "435015.yaml:3: code table sexx is not in pack vendor-a/jumin" "$W/err" ;;
	*katagak*) grep -q "katagak is not a column of the standard table resident" "$W/err" ;;
	*people*) grep -q "table people is not in pack vendor-a/jumin" "$W/err" ;;
	*) grep -q "unknown key code (an overlay has overlay, pack, reason, codes, tables)" "$W/err" ;;
	esac || fail "bad overlay ($bad): $(cat "$W/err")"
done
# usage
set +e
"$IKO" pack coverage --pack "$W/pack" 2>/dev/null; r1=$?
"$IKO" pack frob --pack "$W/pack" 2>/dev/null; r2=$?
"$IKO" pack diff --pack "$W/pack" --lg-code 435016 2>/dev/null; r3=$?
set -e
[ $r1 -eq 2 ] && [ $r2 -eq 2 ] && [ $r3 -eq 2 ] || fail "usage: $r1 $r2 $r3"
echo "pack_tools: ok"
