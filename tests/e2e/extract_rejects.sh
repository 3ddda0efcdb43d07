#!/bin/bash
# Every kind of bad input the extract issue lists is rejected with its own
# reason code, its record number, byte offset, field and raw bytes — never a
# crash, never a silent null: truncated last record, wrong LRECL, RDW longer
# than the data, invalid DBCS pair, lone SO, invalid Shift_JIS lead and trail
# bytes, bad packed nibble, non-digit zoned byte, unknown record type.
set -euo pipefail
: "${IKO:?}"
W=$(mktemp -d /tmp/iko-e2e-rejects.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# rejects as "record offset reason field raw_hex" lines
rej() { /usr/bin/python3 -c '
import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")):
    print(r["record"], r["offset"], r["reason"], r["field"], r["raw_hex"])' "$1"; }
x() { "$IKO" extract "$@" 2>"$W/err" || [ $? -eq 3 ] || { cat "$W/err"; fail "extract $*"; }; }

cat > "$W/sj.yaml" <<'YAML'
layout: rejects
encoding: CP932
recfm: fixed
record_length: 8
fields:
  - {name: TXT, length: 4, type: X}
  - {name: NUM, length: 2, type: "9"}
  - {name: PK,  length: 2, type: P}
YAML
# 1 good; 2 invalid lead byte 0x85 (unassigned in CP932); 3 invalid trail
# byte 0x7F; 4 non-digit zoned byte; 5 packed digit nibble A; 6 truncated
printf 'ABCD12\x12\x3c\x85\x40AB12\x12\x3c\x81\x7fAB12\x12\x3cABCD1X\x12\x3cABCD12\x1a\x3cABC' > "$W/sj.dat"
x --layout "$W/sj.yaml" --input "$W/sj.dat" --out "$W/sj.csv"
[ "$(cat "$W/sj.csv")" = $'TXT,NUM,PK\nABCD,12,123' ] || fail "sj csv: $(cat "$W/sj.csv")"
[ "$(rej "$W/sj.csv.rejects.csv")" = "2 8 undecodable TXT 854041423132123c
3 16 undecodable TXT 817f41423132123c
4 24 bad-zoned NUM 414243443158123c
5 32 bad-packed PK 4142434431321a3c
6 40 record-length  414243" ] || fail "sj rejects: $(rej "$W/sj.csv.rejects.csv")"
grep -q '"records_read": 6' "$W/sj.csv.manifest.json" || fail "sj manifest"

# IBM930 mixed field: 1 good (一 between SO/SI); 2 invalid DBCS pair
# (X'4501'); 3 lone SO (no SI before the end of the field)
cat > "$W/eb.yaml" <<'YAML'
layout: ebcdic
encoding: IBM930
recfm: fixed
record_length: 6
fields:
  - {name: MIX, length: 6, type: X}
YAML
printf '\x0e\x45\x41\x0f\x40\x40\x0e\x45\x01\x0f\x40\x40\x0e\x45\x41\x40\x40\x40' > "$W/eb.dat"
x --layout "$W/eb.yaml" --input "$W/eb.dat" --out "$W/eb.csv"
[ "$(cat "$W/eb.csv")" = $'MIX\n一' ] || fail "eb csv: $(cat "$W/eb.csv")"
[ "$(rej "$W/eb.csv.rejects.csv")" = "2 6 undecodable MIX 0e45010f4040
3 12 undecodable MIX 0e4541404040" ] || fail "eb rejects: $(rej "$W/eb.csv.rejects.csv")"

# wrong LRECL: lines whose length is not the layout's 8 bytes
printf 'ABCD12\x12\x3c\r\nABCD12\x12\r\nABCD12\x12\x3cXY\n' > "$W/lines.dat"
x --layout "$W/sj.yaml" --recfm lines --input "$W/lines.dat" --out "$W/lines.csv"
[ "$(rej "$W/lines.csv.rejects.csv")" = "2 10 record-length  41424344313212
3 19 record-length  414243443132123c5859" ] || fail "lines rejects: $(rej "$W/lines.csv.rejects.csv")"
# and --lrecl that disagrees with a fixed file: the short tail is rejected
x --layout "$W/sj.yaml" --lrecl 9 --input "$W/sj.dat" --out "$W/lrecl.csv"
grep -q '"records_read": 5' "$W/lrecl.csv.manifest.json" || fail "lrecl: $(cat "$W/lrecl.csv.manifest.json")"
[ "$(rej "$W/lrecl.csv.rejects.csv" | tail -1 | cut -d' ' -f1-3)" = "5 36 record-length" ] || fail "lrecl rejects: $(rej "$W/lrecl.csv.rejects.csv")"

# RDW longer than the data: the record says 32 bytes, 12 remain
printf '\x00\x0c\x00\x00ABCD12\x12\x3c\x00\x20\x00\x00ABCD12\x12\x3c' > "$W/rdw.dat"
x --layout "$W/sj.yaml" --recfm rdw --input "$W/rdw.dat" --out "$W/rdw.csv"
[ "$(rej "$W/rdw.csv.rejects.csv" | cut -d' ' -f1-3)" = "2 12 bad-rdw" ] || fail "rdw rejects: $(rej "$W/rdw.csv.rejects.csv")"
[ "$(cat "$W/rdw.csv")" = $'TXT,NUM,PK\nABCD,12,123' ] || fail "rdw csv"

# unknown record type
cat > "$W/rt.yaml" <<'YAML'
layout: types
encoding: CP932
recfm: fixed
record_length: 4
record_type: {offset: 0, length: 1}
records:
  - {name: HDR, when: "H", fields: [{name: T, length: 1, type: X}, {name: V, length: 3, type: X}]}
  - {name: DTL, when: "D", fields: [{name: T, length: 1, type: X}, {name: V, length: 3, type: "9"}]}
YAML
printf 'HabcD123Zxyz' > "$W/rt.dat"
x --layout "$W/rt.yaml" --input "$W/rt.dat" --out "$W/rt"
[ "$(rej "$W/rt.rejects.csv")" = "3 8 unknown-record-type  5a78797a" ] || fail "rt rejects: $(rej "$W/rt.rejects.csv")"
echo "extract_rejects: ok"
