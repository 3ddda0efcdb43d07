#!/bin/bash
# iko extract ARCHIVE.zip:MEMBER with member names that are not ASCII: a
# name flagged UTF-8 (general purpose bit 11), a name written in CP932
# with no flag (Windows in Japanese: 住民.DAT), and an unflagged name that
# is not CP932 (read as CP437, the zip format's own default). Each is
# found by its name, matched by a pattern, and named in the manifest.
set -euo pipefail
: "${IKO:?}"
PY=/usr/bin/python3
W=$(mktemp -d /tmp/iko-e2e-zipnames.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# entries: 世帯.DAT (UTF-8, flagged), 住民.DAT and 住民2.DAT (CP932, no
# flag), \x80BC.DAT (no flag, not CP932: Ç in CP437)
"$PY" - "$W/d.zip" <<'PY'
import sys, zipfile
path = sys.argv[1]
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("世帯.DAT", "S001\r\n")
    z.writestr("PLACE1.DAT", "J001\r\nJ002\r\n")
    z.writestr("PLACE22.DAT", "J003\r\n")
    z.writestr("PLACE3.DAT", "C001\r\n")
d = open(path, "rb").read()
for ascii_name, raw in ((b"PLACE1.DAT", "住民.DAT".encode("cp932") + b"\x20\x20"),
                        (b"PLACE22.DAT", "住民2.DAT".encode("cp932") + b"\x20\x20"),
                        (b"PLACE3.DAT", b"\x80BC.DAT\x20\x20\x20")):
    assert len(raw) == len(ascii_name) and d.count(ascii_name) == 2
    d = d.replace(ascii_name, raw)
open(path, "wb").write(d)
flags = {i.orig_filename if hasattr(i, "orig_filename") else i.filename: i.flag_bits & 0x800 for i in zipfile.ZipFile(path).infolist()}
assert sorted(flags.values()) == [0, 0, 0, 0x800], flags
PY
# the replaced names end in spaces (the same length as the ASCII ones)
printf 'encoding: CP932\nrecfm: lines\nrecord_length: 4\nfields:\n  - {name: A, length: 4, type: X}\n' > "$W/l.yaml"
x() { "$IKO" extract --layout "$W/l.yaml" --input "$W/d.zip:$1" --out "$W/$2.csv" 2>"$W/$2.err"; }

x '住民.DAT  ' a || fail "CP932 name: $(cat "$W/a.err")"
[ "$(tail -n +2 "$W/a.csv")" = "$(printf 'J001\nJ002')" ] || fail "CP932 member: $(cat "$W/a.csv")"
grep -qF "\"input\": \"$W/d.zip:住民.DAT  \"" "$W/a.csv.manifest.json" || fail "manifest: $(cat "$W/a.csv.manifest.json")"
x '世帯.DAT' b || fail "UTF-8 name: $(cat "$W/b.err")"
[ "$(tail -n +2 "$W/b.csv")" = "S001" ] || fail "UTF-8 member"
x 'ÇBC.DAT   ' c || fail "CP437 name: $(cat "$W/c.err")"
[ "$(tail -n +2 "$W/c.csv")" = "C001" ] || fail "CP437 member"
# a pattern over the CP932 names, in name order (住民.DAT before 住民2.DAT)
x '住民*' p || fail "pattern: $(cat "$W/p.err")"
[ "$(tail -n +2 "$W/p.csv")" = "$(printf 'J001\nJ002\nJ003')" ] || fail "pattern: $(cat "$W/p.csv")"
[ "$(cat "$W/p.err")" = "extract: $W/d.zip:住民*: 3 read, 3 written, 0 rejected; gaiji 0 mapped, 0 unmapped" ] ||
	fail "pattern: $(cat "$W/p.err")"
# a name that is not there
set +e
x '住民3.DAT' n
rc=$?
set -e
[ $rc -eq 1 ] || fail "missing member: exit $rc"
[ "$(cat "$W/n.err")" = "iko: extract: $W/d.zip: no member named 住民3.DAT" ] || fail "$(cat "$W/n.err")"
echo ok
