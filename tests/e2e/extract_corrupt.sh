#!/bin/bash
# A corrupted-input corpus: truncated, bit-flipped, spliced and garbage
# variants of a vendor-A dump, in every record format. extract must never
# crash or fail: every record is written or rejected, and the manifest's
# records_read = records_written + records_rejected.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
W=$(mktemp -d /tmp/iko-e2e-corrupt.XXXXXX)
trap 'rm -rf "$W"' EXIT
L="$IKO_SOURCE_DIR/packs/vendor-a/jumin/layouts/JUMIN.yaml"
"$IKO" sample --vendor A --lg-code 435015 --residents 300 --seed 5 --out "$W/dump" >/dev/null
/usr/bin/python3 - "$W" <<'PY'
import random, struct, sys
w = sys.argv[1]
data = open(w + "/dump/JUMIN.DAT", "rb").read()
recs = [data[i:i + 282] for i in range(0, len(data), 282)]
rnd = random.Random(42)
variants = {}
variants["truncated"] = data[:-100]
b = bytearray(data)
for _ in range(200):
    b[rnd.randrange(len(b))] = rnd.randrange(256)
variants["flipped"] = bytes(b)
variants["spliced"] = data[:5000] + b"\x00\xff\x81" * 50 + data[5000:]
variants["garbage"] = bytes(rnd.randrange(256) for _ in range(20000))
variants["empty"] = b""
variants["lf_only"] = data.replace(b"\r\n", b"\n")
variants["sjis_cut"] = b"".join(r[:62] + b"\x88" + r[63:] for r in recs[:50])
for k, v in variants.items():
    open(f"{w}/{k}.lines", "wb").write(v)
# fixed (no separators) and RDW/VB framings of the same records, then damaged
fixed = b"".join(r[:280] for r in recs)
open(w + "/fixed.fixed", "wb").write(fixed[:-7])
rdw = b"".join(struct.pack(">HH", 284, 0) + r[:280] for r in recs)
open(w + "/good.rdw", "wb").write(rdw)
open(w + "/short.rdw", "wb").write(rdw[:-50])
bad = bytearray(rdw); bad[284 * 10] = 0x7f
open(w + "/badlen.rdw", "wb").write(bytes(bad))
blk = b"".join(struct.pack(">HH", 284, 0) + r[:280] for r in recs[:10])
vb = struct.pack(">HH", len(blk) + 4, 0) + blk
open(w + "/good.vb", "wb").write(vb * 3)
open(w + "/bad.vb", "wb").write(vb + struct.pack(">HH", 9999, 0) + blk)
PY
n=0
for f in "$W"/*.lines "$W"/*.fixed "$W"/*.rdw "$W"/*.vb; do
	fmt=${f##*.}
	[ "$fmt" = fixed ] || [ "$fmt" = lines ] || [ "$fmt" = rdw ] || [ "$fmt" = vb ]
	set +e
	"$IKO" extract --layout "$L" --recfm "$fmt" --input "$f" --gaiji "$W/dump/GAIJI.CSV" --out "$f.csv" 2>"$W/err"
	rc=$?
	set -e
	if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
		echo "FAIL: $(basename "$f"): exit $rc"; cat "$W/err"; exit 1
	fi
	/usr/bin/python3 - "$f.csv.manifest.json" "$f.csv" "$f.csv.rejects.csv" <<'PY'
import csv, json, sys
m = json.load(open(sys.argv[1]))
assert m["records_read"] == m["records_written"] + m["records_rejected"], m
rows = sum(1 for _ in csv.reader(open(sys.argv[2], newline="", encoding="utf-8"))) - 1
rej = sum(1 for _ in csv.reader(open(sys.argv[3], newline="", encoding="utf-8"))) - 1
assert rows == m["records_written"] and rej == m["records_rejected"], (rows, rej, m)
assert sum(m["rejected_by_reason"].values()) == m["records_rejected"], m
PY
	# one decoding thread gives byte-identical outputs, rejects and counts
	IKO_EXTRACT_THREADS=1 "$IKO" extract --layout "$L" --recfm "$fmt" --input "$f" --gaiji "$W/dump/GAIJI.CSV" \
		--out "$f.1.csv" 2>/dev/null || [ $? -eq 3 ]
	cmp "$f.csv" "$f.1.csv" || { echo "FAIL: $(basename "$f"): threads change the CSV"; exit 1; }
	cmp "$f.csv.rejects.csv" "$f.1.csv.rejects.csv" || { echo "FAIL: $(basename "$f"): threads change the rejects"; exit 1; }
	n=$((n + 1))
done
# a file of many batches (~256 KiB each) with rejects spread over them: the
# same with one thread and with two
/usr/bin/python3 - "$W" <<'PY'
import sys
w = sys.argv[1]
recs = open(w + "/dump/JUMIN.DAT", "rb").read().split(b"\r\n")[:-1]
out = []
for i in range(12000):
    r = bytearray(recs[i % len(recs)])
    if i % 997 == 5:
        r[104:111] = b"X" * 7          # not a zoned/era date: still X, kept
    if i % 1499 == 7:
        r[63:65] = b"\x85\x40"       # an invalid CP932 lead byte
    if i % 2003 == 11:
        r = r[:100]                    # a short line
    out.append(bytes(r))
open(w + "/many.lines", "wb").write(b"".join(x + b"\r\n" for x in out))
PY
"$IKO" extract --layout "$L" --recfm lines --input "$W/many.lines" --gaiji "$W/dump/GAIJI.CSV" --out "$W/many.csv" 2>/dev/null || [ $? -eq 3 ]
IKO_EXTRACT_THREADS=1 "$IKO" extract --layout "$L" --recfm lines --input "$W/many.lines" --gaiji "$W/dump/GAIJI.CSV" --out "$W/many1.csv" 2>/dev/null || [ $? -eq 3 ]
cmp "$W/many.csv" "$W/many1.csv" || { echo "FAIL: many batches: CSV differs"; exit 1; }
cmp "$W/many.csv.rejects.csv" "$W/many1.csv.rejects.csv" || { echo "FAIL: many batches: rejects differ"; exit 1; }
grep -q '"records_read": 12000,' "$W/many.csv.manifest.json" || { echo "FAIL: many: $(cat "$W/many.csv.manifest.json")"; exit 1; }
[ "$(($(wc -l < "$W/many.csv.rejects.csv") - 1))" -ge 10 ] || { echo "FAIL: too few rejects in many"; exit 1; }
# two decoding threads take whole lines and fixed records straight from the
# read buffer (fill_block) and leave the rest to the record reader: lines
# ended by LF alone, by CR CR LF, empty lines, a line of 3 MB (longer than
# a batch and than the read buffer), a last line with no LF; a fixed file
# whose last record is cut short. The same with one thread, and counted.
/usr/bin/python3 - "$W" <<'PY'
import sys
w = sys.argv[1]
recs = open(w + "/dump/JUMIN.DAT", "rb").read().split(b"\r\n")[:-1]
out = []
for i in range(9000):
    r = recs[i % len(recs)]
    k = i % 700
    out.append(r + b"\n" if k == 1 else b"\n" if k == 2 else r + b"\r\r\n" if k == 3 else
               b"A" * 3000000 + b"\r\n" if i == 4500 else r + b"\r\n")
open(w + "/edge.lines", "wb").write(b"".join(out) + recs[0])
open(w + "/edge.fixed", "wb").write(b"".join(recs[i % len(recs)] for i in range(4000)) + recs[0][:77])
PY
for f in lines fixed; do
	"$IKO" extract --layout "$L" --recfm $f --input "$W/edge.$f" --gaiji "$W/dump/GAIJI.CSV" --out "$W/edge.$f.csv" 2>/dev/null || [ $? -eq 3 ]
	IKO_EXTRACT_THREADS=1 "$IKO" extract --layout "$L" --recfm $f --input "$W/edge.$f" --gaiji "$W/dump/GAIJI.CSV" --out "$W/edge1.$f.csv" 2>/dev/null || [ $? -eq 3 ]
	cmp "$W/edge.$f.csv" "$W/edge1.$f.csv" || { echo "FAIL: edge $f: CSV differs"; exit 1; }
	cmp "$W/edge.$f.csv.rejects.csv" "$W/edge1.$f.csv.rejects.csv" || { echo "FAIL: edge $f: rejects differ"; exit 1; }
done
# lines: 9000 and the last; rejected the 13 empty and the 13 CR CR LF lines, the long one
grep -q '"records_read": 9001,' "$W/edge.lines.csv.manifest.json" &&
	grep -q '"records_rejected": 27,' "$W/edge.lines.csv.manifest.json" ||
	{ echo "FAIL: edge lines: $(cat "$W/edge.lines.csv.manifest.json")"; exit 1; }
[ "$(grep -c ',record-length,' "$W/edge.lines.csv.rejects.csv")" = 27 ] ||
	{ echo "FAIL: edge lines rejects: $(head -3 "$W/edge.lines.csv.rejects.csv")"; exit 1; }
grep -q '"records_read": 4001,' "$W/edge.fixed.csv.manifest.json" &&
	grep -q '"records_rejected": 1,' "$W/edge.fixed.csv.manifest.json" ||
	{ echo "FAIL: edge fixed: $(cat "$W/edge.fixed.csv.manifest.json")"; exit 1; }
# delimited input (--recfm csv) is cut into batches of whole records for the
# decoding threads: a file of several batches with every kind of awkward
# record spread over it (quoted line breaks, doubled quotes, CRLF and LF,
# lone CR, text after a closing quote, a wrong field count, bad CP932, a bad
# number, a quote left open at the end) reads the same with one thread and
# with two, with and without a header and a byte order mark
cat > "$W/c.yaml" <<'YAML'
encoding: CP932
recfm: csv
header: false
name: C
fields:
  - {name: ID, length: 8, type: "9"}
  - {name: NAME, length: 40, type: X}
  - {name: NOTE, length: 80, type: X}
YAML
sed 's/^header: false/header: true/' "$W/c.yaml" > "$W/ch.yaml"
/usr/bin/python3 - "$W" <<'PY'
import random, sys
w = sys.argv[1]
rnd = random.Random(9)
odd = [b'"a\r\nb",\x95\x5c,"say ""hi"""\r\n', b'1,"x"y,z\r\n', b'2,only\r\n', b'3,\x85\x40,n\r\n',
       b'4a,n,n\n', b'5,"multi\nline\nname","\r"\r\n', b'6,lone\rcr,x\r\n', b'7,"q"\rz,x\n', b'8,,\n',
       b'"9","\xe0",x\r\n', b'10,"\x82\xa0\x82\xa2",\x83\x5c\r\n']
out = []
for i in range(60000):
    if i % 331 == 7:
        out.append(odd[(i // 331) % len(odd)])
    else:
        out.append(b'%d,\x8e\x52\x93\x63\x81\x40\x91\xbe\x98\x59%d,"note, %d"\r\n' % (i, i % 97, rnd.randrange(10**6)))
body = b"".join(out)
open(w + "/c1.csv", "wb").write(body + b'99,"never closed\r\n')
open(w + "/c2.csv", "wb").write(b"\xef\xbb\xbfID,NAME,NOTE\r\n" + body)
open(w + "/c3.csv", "wb").write(b'"bad"header,x,y\n' + body)
open(w + "/c4.csv", "wb").write(b'\xef\xbb\xbf"bad"header,x,y\n' + body[:50000])
open(w + "/c5.csv", "wb").write(b'\xef\xbb\xbf')
PY
for v in c1:c c2:ch c3:ch c2:c c4:ch c5:ch c5:c; do
	f=${v%%:*}
	y=${v##*:}
	"$IKO" extract --layout "$W/$y.yaml" --input "$W/$f.csv" --out "$W/$f.$y.2.csv" 2>/dev/null || [ $? -eq 3 ]
	IKO_EXTRACT_THREADS=1 "$IKO" extract --layout "$W/$y.yaml" --input "$W/$f.csv" --out "$W/$f.$y.1.csv" 2>/dev/null || [ $? -eq 3 ]
	cmp "$W/$f.$y.2.csv" "$W/$f.$y.1.csv" || { echo "FAIL: csv $v: threads change the CSV"; exit 1; }
	cmp "$W/$f.$y.2.csv.rejects.csv" "$W/$f.$y.1.csv.rejects.csv" || { echo "FAIL: csv $v: threads change the rejects"; exit 1; }
	grep -v '"finished"\|"seconds"\|"elapsed\|"path"' "$W/$f.$y.2.csv.manifest.json" > "$W/m2"
	grep -v '"finished"\|"seconds"\|"elapsed\|"path"' "$W/$f.$y.1.csv.manifest.json" > "$W/m1"
	cmp "$W/m1" "$W/m2" || { echo "FAIL: csv $v: threads change the manifest"; diff "$W/m1" "$W/m2"; exit 1; }
done
# c1: 60,000 records + the open quote at the end; 182 odd ones (kinds 0-5
# 17 times, 6-10 16 times): bad-csv = kinds 1 and 7 + the open quote,
# bad-zoned = kinds 0 and 4, field-count = kind 2, undecodable = kinds 3 and 9
c1=$(/usr/bin/python3 -c "
import csv, json, sys
m = json.load(open(sys.argv[1]))
print(m['records_read'], m['records_written'], m['records_rejected'], json.dumps(m['rejected_by_reason'], sort_keys=True))
" "$W/c1.c.2.csv.manifest.json")
[ "$c1" = '60001 59883 118 {"bad-csv": 34, "bad-zoned": 34, "field-count": 17, "undecodable": 33}' ] || { echo "FAIL: c1 counts: $c1"; exit 1; }
grep -q '"records_read": 60000,' "$W/c2.ch.2.csv.manifest.json" || { echo "FAIL: c2 header: $(cat "$W/c2.ch.2.csv.manifest.json")"; exit 1; }
grep -q '"records_read": 60001,' "$W/c3.ch.2.csv.manifest.json" || { echo "FAIL: c3 bad header is a record"; exit 1; }
grep -q '"records_read": 0,' "$W/c5.ch.2.csv.manifest.json" || { echo "FAIL: c5: a byte order mark alone is no record"; exit 1; }
[ "$(sed -n 2p "$W/c4.ch.2.csv.rejects.csv" | cut -d, -f3,4,6)" = "1,3,bad-csv" ] || { echo "FAIL: c4: $(sed -n 2p "$W/c4.ch.2.csv.rejects.csv")"; exit 1; }
[ "$(sed -n 2p "$W/c3.ch.2.csv.rejects.csv" | cut -d, -f3,4,6)" = "1,0,bad-csv" ] || { echo "FAIL: c3: $(sed -n 2p "$W/c3.ch.2.csv.rejects.csv")"; exit 1; }
[ $n -eq 13 ] || { echo "FAIL: ran $n variants"; exit 1; }
grep -q '"records_rejected": 0' "$W/good.rdw.csv.manifest.json" || { echo "FAIL: good rdw"; exit 1; }
grep -q '"records_read": 30,' "$W/good.vb.csv.manifest.json" || { echo "FAIL: good vb"; exit 1; }
grep -q '"bad-rdw": 1' "$W/badlen.rdw.csv.manifest.json" || { echo "FAIL: badlen rdw"; exit 1; }
grep -q '"record-length": 1' "$W/truncated.lines.csv.manifest.json" || { echo "FAIL: truncated"; exit 1; }
echo "extract_corrupt: ok ($n variants)"
