#!/bin/bash
# iko validate: the schema comes from transform's manifest (or --schema NAME,
# FILE or a directory of schema files); --max-errors stops early with an
# exact message; the summary by reason code.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
W=$(mktemp -d /tmp/iko-e2e-validate.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
P=$IKO_SOURCE_DIR/packs/vendor-a

"$IKO" sample --vendor A --lg-code 435015 --residents 800 --seed 2 --inject 1 --out "$W/d" >/dev/null
for f in JUMIN SETAI; do
	"$IKO" extract --layout "$P/jumin/layouts/$f.yaml" --input "$W/d/$f.DAT" --gaiji "$W/d/GAIJI.CSV" \
		--out "$W/x/$f.csv" 2>/dev/null || [ $? -eq 3 ]
done
"$IKO" extract --layout "$P/kojin_juminzei/layouts/KOJIN.yaml" --input "$W/d/KOJIN.DAT" --out "$W/xk/KOJIN.csv" 2>/dev/null
"$IKO" transform --pack "$P/jumin" --lg-code 435015 --in "$W/x" --out "$W/t" >/dev/null || [ $? -eq 3 ]
"$IKO" transform --pack "$P/kojin_juminzei" --lg-code 435015 --in "$W/xk" --out "$W/tk" >/dev/null
grep -q '"schema": "kojin_juminzei"' "$W/tk/manifest.json" || fail "transform manifest names no schema"

# the schema named by transform's manifest, with and without a directory
"$IKO" validate --in "$W/tk" --out "$W/vk" > "$W/out"
[ "$(head -1 "$W/out")" = "validate: schema kojin_juminzei" ] || fail "$(cat "$W/out")"
"$IKO" validate --in "$W/tk" --out "$W/vk2" --schema "$IKO_SOURCE_DIR/schema" > "$W/out"
[ "$(head -1 "$W/out")" = "validate: schema $IKO_SOURCE_DIR/schema/kojin_juminzei.yaml" ] || fail "$(cat "$W/out")"
cmp "$W/vk/assessment.csv" "$W/vk2/assessment.csv" || fail "dir schema differs"
[ "$(wc -l < "$W/vk/assessment.csv")" -gt 400 ] || fail "too few assessments"

# 住民記録 with 1 defect of each kind: summary by reason, exit 3
set +e
"$IKO" validate --in "$W/t" --out "$W/v" --lg-code 435015 --gaiji "$W/d/GAIJI.CSV" > "$W/out"; rc=$?
set -e
[ $rc -eq 3 ] || fail "exit $rc"
grep -q "^  check-digit *1  " "$W/out" || fail "summary: $(cat "$W/out")"
grep -q "^  duplicate-key *2  " "$W/out" || fail "summary: $(cat "$W/out")"
# --max-errors: stop past N rejects, exit 3, exact message, no accepted file
set +e
"$IKO" validate --in "$W/t" --out "$W/vm" --lg-code 435015 --gaiji "$W/d/GAIJI.CSV" --max-errors 2 > "$W/out" 2> "$W/err"; rc=$?
set -e
[ $rc -eq 3 ] || fail "max-errors exit $rc"
grep -Eq "^iko: validate: stopped at (resident|household) record [0-9]+: more than 2 records rejected \(--max-errors 2\)$" "$W/err" || fail "$(cat "$W/err")"
[ ! -e "$W/vm/resident.csv" ] || fail "resident.csv written despite --max-errors"
set +e
"$IKO" validate --in "$W/t" --out "$W/vm" --max-errors -1 2> "$W/err"; rc=$?
set -e
[ $rc -eq 2 ] || fail "negative max-errors exit $rc"
# --charset: an MJ list replaces JIS X 0213 — every character of a clean
# municipality except 田 is listed, so exactly the records holding 田 go
"$IKO" sample --vendor A --lg-code 435015 --residents 600 --seed 9 --out "$W/c" >/dev/null
for f in JUMIN SETAI; do
	"$IKO" extract --layout "$P/jumin/layouts/$f.yaml" --input "$W/c/$f.DAT" --gaiji "$W/c/GAIJI.CSV" \
		--out "$W/cx/$f.csv" 2>/dev/null
done
"$IKO" transform --pack "$P/jumin" --lg-code 435015 --in "$W/cx" --out "$W/ct" >/dev/null
want=$(/usr/bin/python3 - "$W/ct/resident.csv" "$W/mj.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))[1:]
chars = sorted({ch for r in rows for v in r for ch in v if ord(ch) > 0x7E} - {"田"})
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write("MJ文字図形名,対応するUCS\n")
    for i, ch in enumerate(chars):
        f.write(f"MJ{i:06d},U+{ord(ch):04X}\n")
print(sum(1 for r in rows if any("田" in v for v in r)))
PY
)
[ "$want" -gt 0 ] || fail "no 田 in the sample"
set +e
"$IKO" validate --in "$W/ct" --out "$W/cv" --lg-code 435015 --gaiji "$W/c/GAIJI.CSV" --charset "$W/mj.csv" > "$W/out"; rc=$?
set -e
[ $rc -eq 3 ] || fail "charset: exit $rc"
grep -Eq "^  char-outside-set +$want  " "$W/out" || fail "want $want: $(cat "$W/out")"
"$IKO" validate --in "$W/ct" --out "$W/cv2" --lg-code 435015 --gaiji "$W/c/GAIJI.CSV" > "$W/out" || fail "default charset: $(cat "$W/out")"
echo "validate_options: ok"
