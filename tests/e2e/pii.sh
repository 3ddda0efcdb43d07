#!/bin/bash
# Personal data (個人番号, 支援措置) never reaches logs (ours and the embedded
# server's), stdout, stderr, manifests, the evidence bundle or the review lists, and the workbook shows it masked; every file holding
# personal data is created with mode 0600. The sample plants bad personal
# numbers too, so rejected values are covered.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
PY=/usr/bin/python3
W=$(mktemp -d /tmp/iko-e2e-pii.XXXXXX)
chmod 755 "$W"
cleanup() { "$IKO" db stop --dir "$W/pg" >/dev/null 2>&1 || true; rm -rf "$W"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$IKO" sample --vendor A --lg-code 435015 --residents 800 --seed 77 --inject 2 --out "$W/d" > "$W/log" 2>&1
cat > "$W/p.yaml" <<YAML
project: pii
runs: runs
db_dir: pg
municipalities:
  - {lg_code: "435015", name: 錦町, pack: $IKO_SOURCE_DIR/packs/vendor-a/jumin, dump: d}
YAML
"$IKO" rehearse "$W/p.yaml" >> "$W/log" 2>&1 || [ $? -eq 3 ]
R=$W/runs/435015/R001
"$IKO" gate "$R" >> "$W/log" 2>&1 || true
"$IKO" review status --run "$R" >> "$W/log" 2>&1 || true
"$IKO" validate --in "$R/transform" --out "$W/v" --lg-code 435015 >> "$W/log" 2>&1 || true
# every personal number of the dump, valid or planted
"$PY" - "$W/d/JUMIN.DAT" "$W/numbers" <<'PY'
import sys
data = open(sys.argv[1], "rb").read().split(b"\r\n")[:-1]
nums = {r[245:257].decode() for r in data if r[245:257].strip()}
open(sys.argv[2], "w").write("\n".join(sorted(nums)) + "\n")
print(len(nums), "personal numbers")
PY
[ "$(wc -l < "$W/numbers")" -gt 800 ] || fail "too few numbers"
# logs and manifests
for f in "$W/log" "$R/manifest.json" "$R"/*/manifest.json "$R"/*/*.manifest.json \
	 "$R/reconcile/measures.csv" "$R/reconcile/discrepancies.csv"; do
	[ -f "$f" ] || continue
	if grep -qFf "$W/numbers" "$f"; then fail "a personal number in $f: $(grep -oFf "$W/numbers" "$f" | head -1 | cut -c1-4)…"; fi
done
# the evidence bundle and the embedded server's own logs (a failed COPY
# would print the row there)
mkdir "$W/ev" && "$PY" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$R/evidence.zip" "$W/ev"
if grep -rqFf "$W/numbers" "$W/ev"; then fail "a personal number in evidence.zip"; fi
srv=$(cat "$W/pg/cluster.path" 2>/dev/null || echo "$W/pg")
nlogs=0
while IFS= read -r f; do
	nlogs=$((nlogs + 1))
	if grep -qFf "$W/numbers" "$f"; then fail "a personal number in the server log $f"; fi
done < <(find "$W/pg" "$srv" -type f \( -name '*.log' -o -path '*/log/*' \) 2>/dev/null | sort -u)
[ $nlogs -gt 0 ] || fail "no server log found under $W/pg"
# 支援措置 (DV support): the residents under it are never named in a log,
# and the flag itself is never printed
"$PY" - "$R/transform/resident.csv" "$W/dv" <<'PY'
import csv, sys
dv = [r["atena_no"] for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")) if r["shien_sochi"] == "1"]
open(sys.argv[2], "w").write("\n".join(dv) + "\n")
print(len(dv), "residents under 支援措置")
PY
[ "$(wc -l < "$W/dv")" -gt 0 ] || fail "no 支援措置 resident in the sample"
for f in "$W/log" "$R/manifest.json" "$R"/*/manifest.json "$R"/*/*.manifest.json; do
	[ -f "$f" ] || continue
	if grep -qFf "$W/dv" "$f"; then fail "a resident under 支援措置 is named in $f"; fi
	if grep -q "支援措置対象" "$f"; then fail "the 支援措置 flag is printed in $f"; fi
done
# the workbook: masked (********1234), never whole
mkdir "$W/x" && "$PY" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$R/reports/discrepancies.xlsx" "$W/x"
if grep -rqFf "$W/numbers" "$W/x"; then fail "a personal number in the workbook"; fi
grep -rq '\*\*\*\*\*\*\*\*[0-9]\{4\}\|（非表示）' "$W/x/xl" || fail "no masked number in the workbook"
# the rejects and the validate details name the field, not the value
for f in "$R"/validate/rejects.csv "$W/v/rejects.csv"; do
	"$PY" - "$f" "$W/numbers" <<'PY'
import csv, sys
nums = set(open(sys.argv[2]).read().split())
for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")):
    for k in ("key", "value", "detail", "field"):
        assert not any(n in r[k] for n in nums), (sys.argv[1], k)
PY
done
# files with personal data are 0600
for f in "$W/d/JUMIN.DAT" "$R"/extract/*.csv "$R"/transform/*.csv "$R"/validate/*.csv \
	 "$R/reconcile/records.csv" "$R/reports/discrepancies.xlsx"; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "$f has mode $(stat -c %a "$f")"
done
echo "pii: ok"
