#!/bin/bash
# iko extract with COBOL copybooks: fixed and free format, several 01
# records told apart by a record-type VALUE / 88 level, OCCURS on a group,
# REDEFINES, SIGN LEADING SEPARATE, P scaling, COMP-3, COMP, continuation
# lines, and exact errors for what is not supported.
set -euo pipefail
: "${IKO:?}"
W=$(mktemp -d /tmp/iko-e2e-cpy.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cat > "$W/rec.cpy" <<'CPY'
000100* three record types sharing one 20-byte buffer
000200 01  HDR-REC.
000300     05  REC-TYPE      PIC X VALUE 'H'.
000400     05  RUN-DATE      PIC 9(8).
000500     05  FILLER        PIC X(11).
000600 01  DTL-REC.
000700     05  REC-TYPE      PIC X.
000800         88  IS-DETAIL VALUE 'D'.
000900     05  ITEM-ID       PIC X(3).
001000     05  ALT-ID REDEFINES ITEM-ID PIC 9(3).
001100     05  QTY           PIC S9(3) SIGN IS LEADING SEPA
001200-        RATE CHARACTER.
001300     05  PRICES OCCURS 2 TIMES.
001400         10  PRICE     PIC 9(3)V9.
001500     05  BIG           PIC 9(2)PP.
001600     05  FILLER        PIC XX.
001700 01  TRL-REC.
001800     05  REC-TYPE      PIC X VALUE 'T'.
001900     05  REC-COUNT     PIC 9(5).
002000     05  HASH-TOTAL    PIC S9(7)V99 COMP-3.
002100     05  FILLER        PIC X(9).
CPY
printf 'H20120201           D101-012012509901200T00001\x00\x01\x23\x45\x6c         X2012020100000000000' > "$W/in.dat"
set +e
"$IKO" extract --layout "$W/rec.cpy" --input "$W/in.dat" --out "$W/out" 2>"$W/err"
rc=$?
set -e
[ $rc -eq 3 ] || { cat "$W/err"; fail "exit $rc"; }
[ "$(cat "$W/err")" = "extract: $W/in.dat: 4 read, 3 written, 1 rejected, unknown-record-type 1; gaiji 0 mapped, 0 unmapped" ] || fail "$(cat "$W/err")"
[ "$(cat "$W/out/HDR-REC.csv")" = $'REC-TYPE,RUN-DATE\nH,20120201' ] || fail "header: $(cat "$W/out/HDR-REC.csv")"
[ "$(cat "$W/out/DTL-REC.csv")" = $'REC-TYPE,ITEM-ID,ALT-ID,QTY,PRICE_1,PRICE_2,BIG\nD,101,101,-12,12.5,99.0,1200' ] || fail "detail: $(cat "$W/out/DTL-REC.csv")"
[ "$(cat "$W/out/TRL-REC.csv")" = $'REC-TYPE,REC-COUNT,HASH-TOTAL\nT,1,1234.56' ] || fail "trailer: $(cat "$W/out/TRL-REC.csv")"
grep -q '^extract,in.dat,4,60,,unknown-record-type,' "$W/out.rejects.csv" || fail "$(cat "$W/out.rejects.csv")"

# free format (no sequence area) is recognised
printf '01 REC.\n   05 A PIC X(2).\n   05 B PIC S9(3) COMP-3.\n' > "$W/free.cpy"
printf 'ok\x12\x3d' > "$W/free.dat"
"$IKO" extract --layout "$W/free.cpy" --input "$W/free.dat" --out "$W/free.csv" 2>/dev/null
[ "$(cat "$W/free.csv")" = $'A,B\nok,-123' ] || fail "free: $(cat "$W/free.csv")"

# unsupported things are errors naming line and column
printf '       01  R.\n           05  F  PIC S9(4) COMP-1.\n' > "$W/bad1.cpy"
set +e
"$IKO" extract --layout "$W/bad1.cpy" --input "$W/free.dat" --out "$W/x.csv" 2>"$W/err"; rc=$?
set -e
[ $rc -eq 1 ] || fail "bad1 exit $rc"
[ "$(cat "$W/err")" = "iko: extract: $W/bad1.cpy:2:29: floating point items are not supported: COMP-1" ] || fail "$(cat "$W/err")"
printf '       01  R.\n           05  F  PIC X(2) FROBNICATE.\n' > "$W/bad2.cpy"
set +e
"$IKO" extract --layout "$W/bad2.cpy" --input "$W/free.dat" --out "$W/x.csv" 2>"$W/err"; rc=$?
set -e
[ "$(cat "$W/err")" = "iko: extract: $W/bad2.cpy:2:28: unsupported clause: FROBNICATE" ] || fail "$(cat "$W/err")"
printf '       01  R.\n           05  F  PIC X(2).\n       01  S.\n           05  G  PIC X(2).\n' > "$W/bad3.cpy"
set +e
"$IKO" extract --layout "$W/bad3.cpy" --input "$W/free.dat" --out "$W/x" 2>"$W/err"; rc=$?
set -e
[ "$(cat "$W/err")" = "iko: extract: $W/bad3.cpy:1:8: several 01 records: the first field of each must be the record type with a VALUE (or an 88 level) telling it apart: R" ] || fail "$(cat "$W/err")"
echo "extract_copybook: ok"
