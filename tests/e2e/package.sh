#!/bin/bash
# The standard migration package: `iko load --target package` writes a zip
# of one CSV per table plus manifest.json (rows and SHA-256 checked here by
# Python's zipfile/csv/hashlib, independently of iko), mode 0600, English or
# Japanese headers; `iko package verify` accepts it and names the first
# problem of a tampered, truncated or padded one.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
PY=/usr/bin/python3
W=$(mktemp -d /tmp/iko-e2e-package.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
P=$IKO_SOURCE_DIR/packs/vendor-a/jumin

"$IKO" sample --vendor A --lg-code 435015 --residents 600 --seed 6 --out "$W/d" >/dev/null
for f in JUMIN SETAI; do
	"$IKO" extract --layout "$P/layouts/$f.yaml" --input "$W/d/$f.DAT" --gaiji "$W/d/GAIJI.CSV" --out "$W/x/$f.csv" 2>/dev/null
done
"$IKO" transform --pack "$P" --lg-code 435015 --in "$W/x" --out "$W/t" >/dev/null
"$IKO" validate --in "$W/t" --out "$W/v" --lg-code 435015 --gaiji "$W/d/GAIJI.CSV" >/dev/null
"$IKO" load --target package --out "$W/p.zip" --schema jumin --lg-code 435015 --in "$W/v" > "$W/out"
head -1 "$W/out" | grep -qx "package $W/p.zip: jumin 1.0.0, lg_code 435015" || fail "$(cat "$W/out")"
[ "$(stat -c %a "$W/p.zip")" = 600 ] || fail "mode $(stat -c %a "$W/p.zip")"
ls "$W" | grep -q tmp && fail "temporary file left behind"
"$IKO" load --target package --header ja --out "$W/pj.zip" --schema jumin --lg-code 435015 --in "$W/v" >/dev/null

"$PY" - "$W" <<'PY'
import csv, hashlib, io, json, sys, zipfile
w = sys.argv[1]
for name, header in (("p.zip", "en"), ("pj.zip", "ja")):
    z = zipfile.ZipFile(f"{w}/{name}")
    m = json.loads(z.read("manifest.json"))
    assert m["format"] == "iko-migration-package/1" and m["lg_code"] == "435015", m
    assert (m["schema"], m["schema_version"], m["pack"], m["pack_version"], m["header"]) == \
        ("jumin", "1.0.0", "vendor-a/jumin", "1.0.0", header), m
    assert sorted(z.namelist()) == ["household.csv", "manifest.json", "resident.csv"], z.namelist()
    for t in m["tables"]:
        data = z.read(t["file"])
        assert hashlib.sha256(data).hexdigest() == t["sha256"], t
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        assert len(rows) - 1 == t["rows"] and len(rows[0]) == t["columns"], (t, len(rows))
        src = list(csv.reader(open(f"{w}/v/{t['table']}.csv", newline="", encoding="utf-8")))
        assert rows[1:] == src[1:], t["table"]
        if header == "en":
            assert rows[0] == src[0], rows[0]
        else:
            assert rows[0][:2] == ["地方公共団体コード", "宛名番号" if t["table"] == "resident" else "世帯番号"], rows[0]
    res = [t for t in m["tables"] if t["table"] == "resident"][0]
    assert res["rows"] > 600, res
# tampered copies for verify
z = zipfile.ZipFile(f"{w}/p.zip")
parts = {n: z.read(n) for n in z.namelist()}
def write(name, parts):
    with zipfile.ZipFile(f"{w}/{name}", "w") as o:
        for n, d in parts.items():
            o.writestr(n, d)
t = dict(parts); t["resident.csv"] = t["resident.csv"].replace(b"435015,", b"435016,", 1); write("tampered.zip", t)
t = dict(parts); t["household.csv"] = t["household.csv"].rsplit(b"\n", 2)[0] + b"\n"; write("short.zip", t)
t = dict(parts); t["extra.txt"] = b"x"; write("extra.zip", t)
t = dict(parts); del t["household.csv"]; write("missing.zip", t)
print("package contents ok")
PY
"$IKO" package verify "$W/p.zip" > "$W/out" || fail "verify exit $?: $(cat "$W/out")"
[ "$(tail -1 "$W/out")" = OK ] || fail "$(cat "$W/out")"
check() { # check ZIP MESSAGE
	set +e
	"$IKO" package verify "$W/$1" > "$W/out"; rc=$?
	set -e
	[ $rc -eq 3 ] || fail "$1: exit $rc"
	[ "$(tail -1 "$W/out")" = "NOT OK: $2" ] || fail "$1: $(cat "$W/out")"
}
check tampered.zip "resident.csv: SHA-256 differs from manifest.json"
check short.zip "household.csv: row count differs from manifest.json"
check extra.zip "member extra.txt is not listed in manifest.json"
check missing.zip "member household.csv listed in manifest.json is missing"
set +e
"$IKO" package verify "$W/nope.zip" 2> "$W/err"; rc=$?
"$IKO" package frobnicate 2>/dev/null; rc2=$?
"$IKO" load --target package --schema jumin --lg-code 435015 --in "$W/v" 2>/dev/null; rc3=$?
set -e
[ $rc -eq 1 ] || fail "missing file: exit $rc"
[ $rc2 -eq 2 ] && [ $rc3 -eq 2 ] || fail "usage: $rc2 $rc3"
echo "package: ok"
