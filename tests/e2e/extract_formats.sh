#!/bin/bash
# iko extract on hand-made legacy bytes: CP932 with NEC/IBM extensions and
# gaiji, zoned with overpunch, packed decimal, binary; fixed, lines and
# rdw records; rejects with raw bytes, positions and reasons; the manifest.
set -euo pipefail
: "${IKO:?}"
PY=/usr/bin/python3
W=$(mktemp -d /tmp/iko-e2e-extract.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cat > "$W/layout.yaml" <<'YAML'
layout: test
encoding: CP932
recfm: fixed
record_length: 32
fields:
  - {name: CODE, length: 4, type: X}
  - {name: NAME, length: 10, type: X}
  - {name: AMT,  length: 5, type: S9, scale: 2}
  - {name: PK,   length: 3, type: P, scale: 2}
  - {name: CNT,  length: 4, type: "9"}
  - {name: BIN,  length: 2, type: B, signed: true}
  - {name: FILLER, length: 4, type: X}
YAML
printf 'code,unicode,mj,note\nF040,U+8FBB U+E0100,MJ028901,辻 (二点しんにょう)\n' > "$W/gaiji.csv"

# record 1: 髙(FBFC) gaiji F040, ①(8740), unmapped gaiji F041, ideographic space
r1='A001\xfb\xfc\xf0\x40\x87\x40\xf0\x41\x81\x401234}\x12\x34\x5d0012\xff\xfe    '
# record 2: half-width ｱ then spaces; +0 overpunch; packed +0; binary 300
r2='A002\xb1         0000{\x00\x00\x0c0000\x01\x2c    '
# record 3: bad packed sign nibble 9 (A-F are signs)
r3='A003          00000\x12\x34\x590000\x00\x00    '
# record 4: truncated
r4='A004xxxxxx'
printf "$r1$r2$r3$r4" > "$W/in.dat"

set +e
"$IKO" extract --layout "$W/layout.yaml" --input "$W/in.dat" --gaiji "$W/gaiji.csv" --out "$W/out.csv" 2>"$W/err"
rc=$?
set -e
[ $rc -eq 3 ] || { cat "$W/err"; fail "exit $rc, expected 3 (records rejected)"; }
[ "$(cat "$W/err")" = "extract: $W/in.dat: 4 read, 2 written, 2 rejected, record-length 1, bad-packed 1; gaiji 1 mapped, 1 unmapped" ] || fail "$(cat "$W/err")"

printf 'CODE,NAME,AMT,PK,CNT,BIN\nA001,髙\xe8\xbe\xbb\xf3\xa0\x84\x80①〓,-123.40,-123.45,12,-2\nA002,ｱ,0.00,0.00,0,300\n' > "$W/expect.csv"
cmp "$W/out.csv" "$W/expect.csv" || { diff "$W/out.csv" "$W/expect.csv"; fail "CSV differs"; }

"$PY" - "$W" <<'PY'
import csv, json, sys, hashlib
w = sys.argv[1]
rows = list(csv.DictReader(open(w + "/out.csv.rejects.csv", newline="", encoding="utf-8")))
got = [(r["record"], r["offset"], r["reason"], r["field"], r["raw_hex"]) for r in rows]
want = [("3", "64", "bad-packed", "PK", (b"A003          00000\x12\x34\x590000\x00\x00    ").hex()),
        ("4", "96", "record-length", "", b"A004xxxxxx".hex())]
assert got == want, got
m = json.load(open(w + "/out.csv.manifest.json"))
assert m["records_read"] == 4 and m["records_written"] == 2 and m["records_rejected"] == 2, m
assert m["rejected_by_reason"] == {"bad-packed": 1, "record-length": 1}, m
assert m["unmapped_gaiji"] == [{"code": "F041", "count": 1}], m
assert m["input_sha256"] == hashlib.sha256(open(w + "/in.dat", "rb").read()).hexdigest()
assert m["input_bytes"] == 106, m
print("rejects and manifest ok")
PY

# --on-error stop: exit 1 at the first bad record, no output under the final name
rm -f "$W/out.csv"
set +e
"$IKO" extract --layout "$W/layout.yaml" --input "$W/in.dat" --out "$W/out.csv" --on-error stop 2>"$W/err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "stop: exit $rc"
[ "$(cat "$W/err")" = "iko: extract: in.dat: record 3 (byte offset 64): bad-packed in field PK" ] || fail "$(cat "$W/err")"
[ ! -e "$W/out.csv" ] || fail "partial output left under the final name"
ls "$W" | grep -q tmp && fail "temporary file left behind"

# lines (CRLF and LF) and rdw give the same CSV for the good records
printf "$r1\r\n$r2\n" > "$W/lines.dat"
"$IKO" extract --layout "$W/layout.yaml" --recfm lines --input "$W/lines.dat" --gaiji "$W/gaiji.csv" --out "$W/lines.csv" 2>/dev/null
cmp "$W/lines.csv" "$W/expect.csv" || fail "lines differ"
printf "\x00\x24\x00\x00$r1\x00\x24\x00\x00$r2" > "$W/rdw.dat"
"$IKO" extract --layout "$W/layout.yaml" --recfm rdw --input "$W/rdw.dat" --gaiji "$W/gaiji.csv" --out "$W/rdw.csv" 2>/dev/null
cmp "$W/rdw.csv" "$W/expect.csv" || fail "rdw differs"
# a broken RDW is rejected, not guessed past
printf "\x00\x24\x00\x00$r1\x00\x02\x00\x00junk" > "$W/rdwbad.dat"
set +e
"$IKO" extract --layout "$W/layout.yaml" --recfm rdw --input "$W/rdwbad.dat" --gaiji "$W/gaiji.csv" --out "$W/rdwbad.csv" 2>"$W/err"
rc=$?
set -e
[ $rc -eq 3 ] || fail "rdw bad: exit $rc"
grep -q "2 read, 1 written, 1 rejected, bad-rdw 1" "$W/err" || fail "$(cat "$W/err")"

# an encoding iconv does not know is a usage error
set +e
"$IKO" extract --layout "$W/layout.yaml" --input "$W/in.dat" --out "$W/x.csv" --encoding NOPE-1 2>"$W/err"
rc=$?
set -e
[ $rc -eq 2 ] || fail "bad encoding: exit $rc"
[ "$(cat "$W/err")" = "iko: extract: unknown encoding NOPE-1 (not known to iconv)" ] || fail "$(cat "$W/err")"
echo "extract_formats: ok"

# Inputs straight from zip archives (no temporary copy), member named or the only one
/usr/bin/python3 - "$W" <<'PY'
import sys, zipfile
w = sys.argv[1]
data = open(w + "/in.dat", "rb").read()
with zipfile.ZipFile(w + "/two.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("in.dat", data)
    z.writestr("other.txt", b"x")
with zipfile.ZipFile(w + "/one.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("dir/in.dat", data)
open(w + "/broken.zip", "wb").write(open(w + "/two.zip", "rb").read()[:40])
PY
"$IKO" extract --layout "$W/layout.yaml" --input "$W/two.zip:in.dat" --gaiji "$W/gaiji.csv" --out "$W/z1.csv" 2>/dev/null || [ $? -eq 3 ]
cmp "$W/z1.csv" "$W/expect.csv" || fail "zip member output differs"
grep -q '"input_sha256": "'"$(sha256sum "$W/in.dat" | cut -c1-64)"'"' "$W/z1.csv.manifest.json" || fail "zip sha256"
grep -q '^extract,in.dat,3,64,' "$W/z1.csv.rejects.csv" || fail "zip rejects name the member"
"$IKO" extract --layout "$W/layout.yaml" --input "$W/one.zip" --gaiji "$W/gaiji.csv" --out "$W/z2.csv" 2>/dev/null || [ $? -eq 3 ]
cmp "$W/z2.csv" "$W/expect.csv" || fail "single-member zip output differs"
set +e
"$IKO" extract --layout "$W/layout.yaml" --input "$W/two.zip" --out "$W/z3.csv" 2>"$W/err"; rc=$?
set -e
[ $rc -eq 2 ] || fail "two members, none named: exit $rc"
[ "$(cat "$W/err")" = "iko: extract: $W/two.zip holds 2 members: name one as $W/two.zip:MEMBER" ] || fail "$(cat "$W/err")"
set +e
"$IKO" extract --layout "$W/layout.yaml" --input "$W/two.zip:nope.dat" --out "$W/z3.csv" 2>"$W/err"; rc=$?
set -e
[ $rc -eq 1 ] || fail "missing member: exit $rc"
[ "$(cat "$W/err")" = "iko: extract: $W/two.zip: no member named nope.dat" ] || fail "$(cat "$W/err")"
# A dump split into volumes: every member matching a pattern, in name order,
# as one stream (records continue across members, offsets are cumulative).
/usr/bin/python3 - "$W" <<'PY'
import sys, zipfile
w = sys.argv[1]
data = open(w + "/in.dat", "rb").read()
with zipfile.ZipFile(w + "/vols.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("VOL2.DAT", data[64:])      # stored out of order on purpose
    z.writestr("VOL1.DAT", data[:64])
    z.writestr("README.TXT", b"not data")
    z.writestr("VOL3/", b"")
PY
"$IKO" extract --layout "$W/layout.yaml" --input "$W/vols.zip:VOL?.DAT" --gaiji "$W/gaiji.csv" --out "$W/z4.csv" 2>"$W/err" || [ $? -eq 3 ]
cmp "$W/z4.csv" "$W/expect.csv" || fail "pattern members output differs"
grep -q '^extract,VOL?.DAT,3,64,,bad-packed,' "$W/z4.csv.rejects.csv" || fail "pattern rejects: $(cat "$W/z4.csv.rejects.csv")"
set +e
"$IKO" extract --layout "$W/layout.yaml" --input "$W/vols.zip:X*.DAT" --out "$W/z5.csv" 2>"$W/err"; rc=$?
set -e
[ $rc -eq 1 ] || fail "no match: exit $rc"
[ "$(cat "$W/err")" = "iko: extract: $W/vols.zip: no member matches X*.DAT" ] || fail "$(cat "$W/err")"
set +e
"$IKO" extract --layout "$W/layout.yaml" --input "$W/broken.zip" --out "$W/z3.csv" 2>"$W/err"; rc=$?
set -e
[ $rc -eq 1 ] || fail "broken zip: exit $rc"
grep -q "^iko: extract: cannot open $W/broken.zip: " "$W/err" || fail "$(cat "$W/err")"
[ ! -e "$W/z3.csv" ] || fail "output left behind"
echo "extract_formats (zip): ok"

# CSV quoting of decoded values (RFC 4180): a value with a comma, a quote
# or a line break is quoted, inner quotes doubled; any other value, a
# space inside included, is not. Fields of 2, 5, 9 and 12 bytes: each
# length the quoting check reads differently (bytes, two 4-byte words,
# 8-byte words with the last one overlapping), the byte that needs quotes
# at the start, middle and end; and a value with a CR LF inside.
cat > "$W/q.yaml" <<'YAML'
layout: quoting
encoding: CP932
recfm: fixed
record_length: 28
fields:
  - {name: A, length: 2, type: X}
  - {name: B, length: 5, type: X}
  - {name: C, length: 9, type: X}
  - {name: D, length: 12, type: X}
YAML
printf 'a,ab"cdabcdefgh,abcdefghijk"ababcd"abc efghiabc,efghijkl"aa"bcd\r\nefgh\rbc\nhijklmnopqr' > "$W/q.dat"
"$IKO" extract --layout "$W/q.yaml" --input "$W/q.dat" --out "$W/q.csv" 2>"$W/err" || { cat "$W/err"; fail "quoting: exit $?"; }
printf 'A,B,C,D\n"a,","ab""cd","abcdefgh,","abcdefghijk"""\nab,"abcd""",abc efghi,"abc,efghijkl"\n"""a","a""bcd","\r\nefgh\rbc","\nhijklmnopqr"\n' > "$W/q.expect"
cmp "$W/q.csv" "$W/q.expect" || { diff "$W/q.csv" "$W/q.expect"; fail "quoting differs"; }
echo "extract_formats (quoting): ok"
