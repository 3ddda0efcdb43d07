#!/bin/bash
# transform and validate (pass 2) work on two threads (batches of whole
# records cut on the main thread, written out strictly in order): on a
# municipality of several batches with planted defects (unmapped codes,
# invalid 和暦, bad 個人番号, orphans, two heads, …), plus malformed CSV
# lines and a wrong field count, the outputs, the legacy values, the rejects
# and the manifests are byte for byte those of one thread; --max-errors
# stops at the same record with the same message.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
W=$(mktemp -d /tmp/iko-e2e-threads.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# same_outputs STAGE DIR1 DIR2 FILE...: the files and the manifest (but its times) are equal
same_outputs() {
	local stage=$1 d1=$2 d2=$3 f
	shift 3
	for f in "$@"; do
		cmp "$d1/$f" "$d2/$f" || fail "$stage: $f differs with two threads"
	done
	grep -v '"finished"\|"seconds"' "$d1/manifest.json" > "$W/m1"
	grep -v '"finished"\|"seconds"' "$d2/manifest.json" > "$W/m2"
	cmp "$W/m1" "$W/m2" || { diff "$W/m1" "$W/m2"; fail "$stage: manifest differs"; }
}
P="$IKO_SOURCE_DIR/packs/vendor-a/jumin"

"$IKO" sample --vendor A --lg-code 435015 --residents 30000 --seed 21 --inject 40 --out "$W/dump" >/dev/null
for f in JUMIN SETAI; do
	"$IKO" extract --layout "$P/layouts/$f.yaml" --input "$W/dump/$f.DAT" --gaiji "$W/dump/GAIJI.CSV" \
		--out "$W/x/$f.csv" 2>/dev/null || [ $? -eq 3 ]
done
# malformed lines among the extracted records: text after a closing quote,
# a quoted line break (the byte-wise reader), a record with too few fields
/usr/bin/python3 - "$W/x/JUMIN.csv" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, "rb").read().split(b"\n")
lines.insert(3001, b'"x"y,' + lines[3001])
lines.insert(7002, b'"multi' + b'\n' + b'line",' + lines[7002])
lines.insert(25003, b"only,two")
open(p, "wb").write(b"\n".join(lines))
PY
[ "$(stat -c %s "$W/x/JUMIN.csv")" -gt 3000000 ] || fail "JUMIN.csv too small for several batches"
IKO_TRANSFORM_THREADS=1 "$IKO" transform --pack "$P" --lg-code 435015 --in "$W/x" --out "$W/t1" > /dev/null 2>&1 ||
	[ $? -eq 3 ] || fail "one thread: exit $?"
"$IKO" transform --pack "$P" --lg-code 435015 --in "$W/x" --out "$W/t2" > "$W/out" 2>&1 || [ $? -eq 3 ] ||
	fail "two threads: exit $?: $(cat "$W/out")"
same_outputs transform "$W/t1" "$W/t2" resident.csv resident.legacy.csv household.csv household.legacy.csv rejects.csv
# what the comparison covered: rejects and warnings of several kinds, spread over the file
/usr/bin/python3 - "$W/t2" <<'PY'
import csv, json, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/rejects.csv", newline="", encoding="utf-8")))
kinds = {r["reason"] for r in rows}
assert {"bad-csv", "unmapped-code", "era-date-invalid"} <= kinds, kinds
recs = sorted(int(r["record"]) for r in rows if r["source"] == "JUMIN.csv")
assert recs[0] < 2000 and recs[-1] > 25000, (recs[0], recs[-1])
m = json.load(open(d + "/manifest.json"))
t = {x["table"]: x for x in m["tables"]}["resident"]
assert t["records_in"] == t["records_out"] + t["records_rejected"], t
print("transform: %d issues (%s), records %d..%d" % (len(rows), ", ".join(sorted(kinds)), recs[0], recs[-1]))
PY

# validate on the transformed records (with the malformed lines' rejects gone,
# so plant some into its input too)
/usr/bin/python3 - "$W/t2/resident.csv" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, "rb").read().split(b"\n")
lines.insert(5001, b'"x"y,' + lines[5001])
lines.insert(20002, b"only,two")
open(p, "wb").write(b"\n".join(lines))
PY
[ "$(stat -c %s "$W/t2/resident.csv")" -gt 3000000 ] || fail "resident.csv too small for several batches"
IKO_VALIDATE_THREADS=1 "$IKO" validate --in "$W/t2" --out "$W/v1" --lg-code 435015 --gaiji "$W/dump/GAIJI.CSV" \
	> /dev/null 2>&1 || [ $? -eq 3 ] || fail "validate, one thread: exit $?"
"$IKO" validate --in "$W/t2" --out "$W/v2" --lg-code 435015 --gaiji "$W/dump/GAIJI.CSV" > "$W/out" 2>&1 ||
	[ $? -eq 3 ] || fail "validate, two threads: exit $?: $(cat "$W/out")"
same_outputs validate "$W/v1" "$W/v2" resident.csv household.csv rejects.csv
# the record indexes (validate/<table>.index): the same offsets and hashes
# after their headers (which name the CSV's time)
for f in resident household; do
	cmp <(tail -c +49 "$W/v1/$f.index") <(tail -c +49 "$W/v2/$f.index") || fail "validate: $f.index differs with two threads"
	[ $(($(stat -c %s "$W/v1/$f.index") - 48)) -eq $((24 * $(($(wc -l < "$W/v1/$f.csv") - 1)))) ] || fail "$f.index: not 24 bytes a record"
done
/usr/bin/python3 - "$W/v2" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/rejects.csv", newline="", encoding="utf-8")))
kinds = {r["reason"] for r in rows}
assert {"bad-csv", "check-digit", "orphan-member", "many-household-heads"} <= kinds, kinds
recs = sorted(int(r["record"]) for r in rows if r["source"] == "resident")
assert recs[0] < 2000 and recs[-1] > 25000, (recs[0], recs[-1])
print("validate: %d issues (%s)" % (len(rows), ", ".join(sorted(kinds))))
PY
# --max-errors: the same record, the same message
for t in 1 2; do
	set +e
	IKO_VALIDATE_THREADS=$t "$IKO" validate --in "$W/t2" --out "$W/e$t" --lg-code 435015 --max-errors 150 \
		--gaiji "$W/dump/GAIJI.CSV" > "$W/err$t" 2>&1
	echo $? > "$W/rc$t"
	set -e
done
[ "$(cat "$W/rc1")" = "$(cat "$W/rc2")" ] && [ "$(cat "$W/rc1")" != 0 ] || fail "max-errors: exit $(cat "$W/rc1") / $(cat "$W/rc2")"
cmp "$W/err1" "$W/err2" || fail "max-errors: $(cat "$W/err1") / $(cat "$W/err2")"
grep -q "stopped at resident record [0-9]*: more than 150 records rejected (--max-errors 150)" "$W/err2" || fail "$(cat "$W/err2")"
echo "stage_threads: ok"
