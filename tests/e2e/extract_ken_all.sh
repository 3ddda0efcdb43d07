#!/bin/bash
# Real data nobody here wrote: Japan Post's KEN_ALL.CSV (Shift_JIS CSV,
# 124,825 rows) extracted straight from its zip with --recfm csv; and the
# csv record format's rejects (wrong field count, malformed quoting).
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
REF="$IKO_SOURCE_DIR/../shared/reference/ken_all.zip"
[ -f "$REF" ] || { echo "FAIL: reference data missing: $REF"; exit 1; }
W=$(mktemp -d /tmp/iko-e2e-ken.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$IKO" extract --layout "$IKO_SOURCE_DIR/examples/layouts/ken_all.yaml" \
	--input "$REF:KEN_ALL.CSV" --out "$W/ken.csv" 2>"$W/err"
[ "$(cat "$W/err")" = "extract: $REF:KEN_ALL.CSV: 124825 read, 124825 written, 0 rejected; gaiji 0 mapped, 0 unmapped" ] || fail "$(cat "$W/err")"
[ "$(wc -l < "$W/ken.csv")" -eq 124826 ] || fail "rows"
# 千代田区 (13101): the catch-all row of the ward
grep -q '^13101,100,1000000,ﾄｳｷｮｳﾄ,ﾁﾖﾀﾞｸ,ｲｶﾆｹｲｻｲｶﾞﾅｲﾊﾞｱｲ,東京都,千代田区,以下に掲載がない場合,0,0,0,0,0,0$' "$W/ken.csv" || fail "千代田区 row"
want=$(/usr/bin/python3 -c "import hashlib,zipfile,sys; print(hashlib.sha256(zipfile.ZipFile(sys.argv[1]).read('KEN_ALL.CSV')).hexdigest())" "$REF")
grep -q "\"input_sha256\": \"$want\"" "$W/ken.csv.manifest.json" || fail "sha256"

# csv_layout FILE NAME HEADER FIELD...: a CP932 CSV layout, each FIELD
# "name length type"
csv_layout() {
	local f=$1 n
	printf 'encoding: CP932\nrecfm: csv\nheader: %s\nname: %s\nfields:\n' "$3" "$2" > "$f"
	shift 3
	for n in "$@"; do
		set -- $n
		printf '  - {name: %s, length: %s, type: "%s"}\n' "$1" "$2" "$3" >> "$f"
	done
}
csv_layout "$W/three.yaml" T true "A 5 X" "N 5 9" "B 5 X"
printf 'a,n,b\r\n\x95\x5c,12,x\r\nonly,2\r\n"bad"q,1,y\r\nz,1a,w\r\n"q,1",-3.5,"end"\r\n' > "$W/t.csv"
set +e
"$IKO" extract --layout "$W/three.yaml" --input "$W/t.csv" --out "$W/t.out.csv" 2>"$W/err"; rc=$?
set -e
[ $rc -eq 3 ] || fail "exit $rc"
[ "$(cat "$W/err")" = "extract: $W/t.csv: 5 read, 2 written, 3 rejected, bad-zoned 1, bad-csv 1, field-count 1; gaiji 0 mapped, 0 unmapped" ] || fail "$(cat "$W/err")"
[ "$(cat "$W/t.out.csv")" = $'A,N,B\n表,12,x\n"q,1",-3.5,end' ] || fail "$(cat "$W/t.out.csv")"
cut -d, -f3,4,6,8 "$W/t.out.csv.rejects.csv" > "$W/rej"
[ "$(cat "$W/rej")" = $'record,offset,reason,field\n2,16,field-count,\n3,24,bad-csv,\n4,36,bad-zoned,N' ] || fail "$(cat "$W/rej")"
# a CSV export that kept the fixed fields' padding: trailing ASCII and
# ideographic spaces go, an '@' after a kanji whose trail byte is 0x81 stays,
# a space inside a value stays
csv_layout "$W/pad.yaml" P false "NAME 40 X" "N 3 9"
printf '"\x90\xbc\x91\xba\x81\x40\x91\xe5\x8e\xf7\x81\x40\x81\x40  \x81\x40",1\r\n\x8b\x81\x40\x81\x40 ,2\r\n\x81\x40 \x81\x40,3\r\n' > "$W/pad.csv"
"$IKO" extract --layout "$W/pad.yaml" --input "$W/pad.csv" --out "$W/pad.out.csv" 2>"$W/err" || fail "pad: $(cat "$W/err")"
[ "$(cat "$W/pad.out.csv")" = $'NAME,N\n西村\u3000大樹,1\n求@,2\n,3' ] || fail "pad: $(cat "$W/pad.out.csv")"
echo "extract_ken_all: ok"
