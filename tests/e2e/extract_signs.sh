#!/bin/bash
# iko extract: the sign of packed decimal (the low nibble of its last byte)
# and of EBCDIC zoned decimal (the zone of its sign byte), every one of the
# 16 values, against IBM's rule (z/Architecture Principles of Operation,
# decimal data; IBM COBOL): A, C, E and F are plus, B and D minus, 0-9 are
# no sign and reject the record. Digits in the other bytes of a zoned
# field take the zone F only; an unsigned field takes no sign zone.
set -euo pipefail
: "${IKO:?}"
PY=/usr/bin/python3
W=$(mktemp -d /tmp/iko-e2e-signs.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cat > "$W/rec.cpy" <<'CPY'
       01  SIGNS-REC.
           05  ID      PIC 99.
           05  Z       PIC S999.
           05  ZL      PIC S999 SIGN LEADING.
           05  P       PIC S99V9 COMP-3.
           05  U       PIC 99.
CPY
X=("$IKO" extract --layout "$W/rec.cpy" --encoding IBM930)

# 34 records: 1-16 the zoned sign zone 0-F (the packed sign C), 17-32 the
# packed sign nibble 0-F (the zoned sign zone C), 33 a zone C on a digit
# that is not the sign, 34 a zone C on an unsigned field
"$PY" - "$W/in.dat" <<'PY'
import sys
def rec(i, z, zl, p, u=b"\xf0\xf7"):
    r = bytes([0xf0 + i // 10, 0xf0 + i % 10]) + z + zl + p + u
    assert len(r) == 12
    return r
out = b""
for n in range(16):
    out += rec(n, b"\xf1\xf2" + bytes([n << 4 | 3]), bytes([n << 4 | 4]) + b"\xf5\xf6", b"\x12\x3c")
for n in range(16):
    out += rec(16 + n, b"\xf1\xf2\xc3", b"\xc4\xf5\xf6", bytes([0x12, 0x30 | n]))
out += rec(32, b"\xf1\xc2\xc3", b"\xc4\xf5\xf6", b"\x12\x3c")
out += rec(33, b"\xf1\xf2\xc3", b"\xc4\xf5\xf6", b"\x12\x3c", b"\xf0\xc7")
open(sys.argv[1], "wb").write(out)
PY

set +e
"${X[@]}" --input "$W/in.dat" --out "$W/out.csv" 2>"$W/err"
rc=$?
set -e
[ $rc -eq 3 ] || { cat "$W/err"; fail "exit $rc, expected 3 (records rejected)"; }
[ "$(cat "$W/err")" = "extract: $W/in.dat: 34 read, 12 written, 22 rejected, bad-zoned 12, bad-packed 10; gaiji 0 mapped, 0 unmapped" ] ||
	fail "$(cat "$W/err")"

"$PY" - "$W" <<'PY'
import csv, sys
w = sys.argv[1]
plus, minus = {0xA, 0xC, 0xE, 0xF}, {0xB, 0xD}
want = []
for n in range(16):          # the zoned sign zone n on Z and ZL
    if n in plus or n in minus:
        s = "-" if n in minus else ""
        want.append([str(n), s + "123", s + "456", "12.3", "7"])
for n in range(16):          # the packed sign nibble n
    if n in plus or n in minus:
        want.append([str(16 + n), "123", "456", ("-" if n in minus else "") + "12.3", "7"])
rows = list(csv.reader(open(w + "/out.csv", newline="", encoding="utf-8")))
assert rows[0] == ["ID", "Z", "ZL", "P", "U"], rows[0]
assert rows[1:] == want, rows[1:]
rej = list(csv.DictReader(open(w + "/out.csv.rejects.csv", newline="", encoding="utf-8")))
got = [(int(r["record"]), r["reason"], r["field"]) for r in rej]
exp = [(n + 1, "bad-zoned", "Z") for n in range(10)]
exp += [(17 + n, "bad-packed", "P") for n in range(10)]
exp += [(33, "bad-zoned", "Z"), (34, "bad-zoned", "U")]
assert got == exp, got
# the raw bytes of each rejected record, at its offset
data = open(w + "/in.dat", "rb").read()
for r in rej:
    k = int(r["record"]) - 1
    assert int(r["offset"]) == 12 * k, r
    assert r["raw_hex"] == data[12 * k:12 * k + 12].hex(), r
print("signs ok")
PY

# numbers of all spaces (a record initialised to SPACES): written empty,
# packed as zoned
printf '\xf0\xf2\x40\x40\x40\x40\x40\x40\x40\x40\x40\x40' > "$W/blank.dat"
"${X[@]}" --input "$W/blank.dat" --out "$W/blank.csv" 2>/dev/null
[ "$(sed -n 2p "$W/blank.csv")" = "2,,,," ] || fail "blank: $(cat "$W/blank.csv")"
# the same minus zero: -0 is written 0 (no sign on a zero)
printf '\xf0\xf1\xf0\xf0\xd0\xd0\xf0\xf0\x00\x0d\xf0\xf0' > "$W/zero.dat"
"${X[@]}" --input "$W/zero.dat" --out "$W/zero.csv" 2>/dev/null
[ "$(sed -n 2p "$W/zero.csv")" = "1,0,0,0.0,0" ] || fail "minus zero: $(cat "$W/zero.csv")"
echo "ok"
