#!/bin/bash
# iko extract on variable-length records (rdw and vb): records spanned over
# segments (RECFM=VS/VBS: byte 2 of a segment's descriptor 0 whole, 1
# first, 3 middle, 2 last), segments out of order, an extended block
# descriptor (large block interface), records that end inside a field
# (trailing blanks cut, as DFSORT's FTOV,VLTRIM leaves them) or run past
# the layout, and a descriptor word that is not one: the rest of the input
# is then one rejected record, its bytes counted and fingerprinted.
set -euo pipefail
: "${IKO:?}"
PY=/usr/bin/python3
W=$(mktemp -d /tmp/iko-e2e-variable.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

for recfm in rdw vb; do
	cat > "$W/$recfm.yaml" <<YAML
layout: variable
encoding: CP932
recfm: $recfm
fields:
  - {name: A, length: 4, type: X}
  - {name: N, length: 3, type: "9"}
  - {name: T, length: 6, type: X}
  - {name: B, length: 2, type: B}
YAML
done

# the records (data, segment code) and what each gives; vb puts them in
# blocks, the second behind an extended BDW, a spanned record across two
"$PY" - "$W" <<'PY'
import json, sys
w = sys.argv[1]
def word(n, code=0):
    return bytes([n >> 8, n & 255, code, 0])
segs = [  # (data, code)
    (b"AAAA123TEXT  \x01\x02", 0),                          # 1 whole
    (b"BBBB12", 1), (b"3TE", 3), (b"XT  \x00\x05", 2),      # 2 spanned over three segments
    (b"XYZ", 2),                                            # 3 a last segment with no first
    (b"CCCC", 1),                                           # 4 a first segment cut short by 5
    (b"DDDD456", 0),                                        # 5 ends after N: T and B absent
    (b"EEEE789TE", 0),                                      # 6 ends inside T
    (b"FFFF78", 0),                                         # 7 ends inside N's digits
    (b"GGGG000TEXT  \x01", 0),                              # 8 ends inside B (binary)
    (b"HHHH000TEXT  \x00\x01Z", 0),                         # 9 one byte past the layout
]
tail = b"\x00\x08\x00\x07" + b"JJJJ" + word(12) + b"KKKK000T"   # 10 not a descriptor word, and after it a good one
rdw = b"".join(word(len(d) + 4, c) + d for d, c in segs) + tail
open(w + "/in.rdw", "wb").write(rdw)
# vb: block 1 = segments 0-1, block 2 (extended BDW) = segments 2-3, block 3 = the rest
def block(parts, extended=False):
    body = b"".join(word(len(d) + 4, c) + d for d, c in parts)
    n = len(body) + 4
    return (bytes([0x80, 0, n >> 8, n & 255]) if extended else word(n)) + body
vb = block(segs[0:2]) + block(segs[2:4], True) + block(segs[4:])
n = len(tail) + 4
vb += word(n) + tail  # the bad word inside a block
open(w + "/in.vb", "wb").write(vb)
PY

check() { # recfm input [the input's bytes as a file]
	local recfm=$1 in=$2 bytes=${3:-$2}
	set +e
	"$IKO" extract --layout "$W/$recfm.yaml" --input "$in" --out "$W/$recfm.csv" 2>"$W/err"
	local rc=$?
	set -e
	[ $rc -eq 3 ] || { cat "$W/err"; fail "$recfm: exit $rc, expected 3"; }
	[ "$(cat "$W/err")" = "extract: $in: 10 read, 4 written, 6 rejected, record-length 2, bad-rdw 3, bad-zoned 1; gaiji 0 mapped, 0 unmapped" ] ||
		fail "$recfm: $(cat "$W/err")"
	printf 'A,N,T,B\nAAAA,123,TEXT,258\nBBBB,123,TEXT,5\nDDDD,456,,\nEEEE,789,TE,\n' > "$W/want.csv"
	cmp "$W/$recfm.csv" "$W/want.csv" || { diff "$W/$recfm.csv" "$W/want.csv"; fail "$recfm: CSV differs"; }
	"$PY" - "$W" "$recfm" "$bytes" <<'PY'
import csv, hashlib, json, sys
w, recfm, src = sys.argv[1:4]
data = open(src, "rb").read()
rej = list(csv.DictReader(open(w + "/" + recfm + ".csv.rejects.csv", newline="", encoding="utf-8")))
got = [(int(r["record"]), r["reason"], r["field"], r["detail"], bytes.fromhex(r["raw_hex"])) for r in rej]
bad_at = data.index(b"\x00\x08\x00\x07")
want = [
    (3, "bad-rdw", "", "segment of a spanned record without its first segment", b"XYZ"),
    (4, "bad-rdw", "", "spanned record without its last segment", b"CCCC"),
    (7, "bad-zoned", "N", "bytes 4..6 of the record are not valid zoned decimal", b"FFFF78"),
    (8, "record-length", "B", "record is 14 bytes, field ends at 15", b"GGGG000TEXT  \x01"),
    (9, "record-length", "", "record is 16 bytes, longer than the layout's 15", b"HHHH000TEXT  \x00\x01Z"),
    (10, "bad-rdw", "", "bad record descriptor word; the %d bytes from here to the end of the input cannot be cut into records" % (len(data) - bad_at), data[bad_at:]),
]
assert got == want, "\n".join(map(str, got))
# each reject's offset is its (first) segment's descriptor word
for r in rej:
    off = int(r["offset"])
    assert data[off + 4:off + 4 + 3] == bytes.fromhex(r["raw_hex"])[:3] or r["record"] == "10", (r, data[off:off + 8])
assert int(rej[-1]["offset"]) == bad_at
m = json.load(open(w + "/" + recfm + ".csv.manifest.json"))
assert m["input_bytes"] == len(data), m
assert m["input_sha256"] == hashlib.sha256(data).hexdigest(), m
assert m["records_read"] == 10 and m["records_written"] == 4 and m["records_rejected"] == 6, m
PY
}
check rdw "$W/in.rdw"
check vb "$W/in.vb"
echo "rdw and vb ok"

# the serial reader (--on-error stop) stops at the first reject, naming it
set +e
"$IKO" extract --layout "$W/rdw.yaml" --input "$W/in.rdw" --out "$W/stop.csv" --on-error stop 2>"$W/err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "stop: exit $rc"
[ "$(cat "$W/err")" = "iko: extract: in.rdw: record 3 (byte offset 46): bad-rdw" ] || fail "stop: $(cat "$W/err")"

# a zip member is fingerprinted as it is read: the bytes after the bad word
# are read too, so the manifest's SHA-256 is the member's
"$PY" -c "
import zipfile, sys
with zipfile.ZipFile(sys.argv[1] + '/in.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    z.write(sys.argv[1] + '/in.rdw', 'IN.RDW')
" "$W"
check rdw "$W/in.zip:IN.RDW" "$W/in.rdw"
echo "zip member ok"

# more than 1 MiB after the bad word: all of it counted, the first MiB kept
"$PY" - "$W" <<'PY'
import sys
w = sys.argv[1]
open(w + "/big.rdw", "wb").write(b"\x00\x13\x00\x00AAAA123TEXT  \x01\x02" + b"\xff\xff\xff\xff" + bytes(range(256)) * 5000)
PY
set +e
"$IKO" extract --layout "$W/rdw.yaml" --input "$W/big.rdw" --out "$W/big.csv" 2>"$W/err"
rc=$?
set -e
[ $rc -eq 3 ] || fail "big: exit $rc"
"$PY" - "$W" <<'PY'
import csv, sys
w = sys.argv[1]
csv.field_size_limit(1 << 24)
rej = list(csv.DictReader(open(w + "/big.csv.rejects.csv", newline="", encoding="utf-8")))
assert len(rej) == 1, rej
r = rej[0]
assert r["offset"] == "19" and r["record"] == "2", r
assert r["detail"] == "bad record descriptor word; the 1280004 bytes from here to the end of the input cannot be cut into records (raw bytes: the first 1048576)", r["detail"]
data = open(w + "/big.rdw", "rb").read()
assert bytes.fromhex(r["raw_hex"]) == data[19:19 + 1048576]
PY
echo "ok"
