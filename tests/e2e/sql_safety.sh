#!/bin/bash
# SQL is never built by splicing values (issue 9): every statement iko
# sends through libpq is logged by an LD_PRELOAD shim (tests/tools/sqllog.c)
# while hostile data goes through validate and load — quotes, backslashes,
# COPY's \N and \., SQL injection attempts, a 4-byte kanji, control
# characters and a NUL byte in values; quotes, semicolons, spaces and
# Japanese in the schema, table and column names. Values must arrive
# intact and never appear in statement text; identifiers appear only
# quoted ("" doubled); control characters and NUL are rejected by validate
# with a reason, their raw bytes kept.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}" "${IKO_SQLLOG:?}"
PY=/usr/bin/python3
W=$(mktemp -d /tmp/iko-e2e-sql.XXXXXX)
chmod 755 "$W"
cleanup() { "$IKO" db stop --dir "$W/pg" >/dev/null 2>&1 || true; rm -rf "$W"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$W"
export IKO_SQL_LOG=$W/sql.log
logged() { LD_PRELOAD=$IKO_SQLLOG ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 "$@"; }

"$IKO" sample --vendor A --lg-code 435015 --residents 60 --seed 3 --out dump >/dev/null
cat > p.yaml <<YAML
project: sql
runs: runs
db_dir: pg
municipalities:
  - {lg_code: "435015", name: 錦町, pack: $IKO_SOURCE_DIR/packs/vendor-a/jumin, dump: dump}
YAML
"$IKO" rehearse p.yaml --to transform > /dev/null
mkdir t
cp runs/435015/R001/transform/household.csv t/
"$PY" - runs/435015/R001/transform/resident.csv t/resident.csv expected.csv <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
h = rows[0]
ki, ai = h.index("katagaki"), h.index("atena_no")
vals = ["O'Brien'); DROP TABLE jumin.resident; --", 'back\\slash \\N \\. "quoted" E\'\\x27\'',
        "$$; SELECT pg_sleep(30); $$", "𠮷野　家 ＃'\"", "タブ\tと改行", "ctl\x01\x1f", "nul\x00byte"]
for i, v in enumerate(vals):
    rows[1 + i][ki] = v
with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
    csv.writer(f, lineterminator="\r\n").writerows(rows)
with open(sys.argv[3], "w", newline="", encoding="utf-8") as f:
    for i, v in enumerate(vals[:4]):
        f.write(rows[1 + i][ai] + "\t" + v + "\n")
PY
set +e
"$IKO" validate --in t --out v --lg-code 435015 --gaiji dump/GAIJI.CSV > out; rc=$?
set -e
[ $rc -eq 3 ] || fail "validate: exit $rc"
[ "$(cut -d, -f6,8 v/rejects.csv | sort | uniq -c | sed 's/^ *//')" = "3 char-outside-set,katagaki
1 reason,field" ] || fail "rejects: $(cat v/rejects.csv)"
"$PY" - v/rejects.csv <<'PY'
import csv, sys
raws = [bytes.fromhex(r["raw_hex"]) for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))]
assert any(b"nul\x00byte" in r for r in raws), "the NUL byte is not kept in raw_hex"
assert any(b"ctl\x01\x1f" in r for r in raws)
PY

logged "$IKO" load --db-dir pg --schema jumin --lg-code 435015 --in v > out || fail "load: $(cat out)"
url=$("$IKO" db start --dir pg)
psql -X -q -A -t -F $'\t' -v ON_ERROR_STOP=1 "$url" -c \
	"select atena_no, katagaki from jumin.resident where lg_code = '435015' and katagaki is not null and katagaki <> '' order by atena_no" > got.tsv
"$PY" - expected.csv got.tsv <<'PY'
import sys
exp = open(sys.argv[1], encoding="utf-8").read().splitlines()
got = open(sys.argv[2], encoding="utf-8").read().splitlines()
for line in exp:
    assert line in got, ("not loaded intact", line, got)
print("values intact:", len(exp))
PY

# identifiers: schema, table and column names with quotes, ; and Japanese
cat > s.yaml <<'YAML'
schema: '試験"; DROP SCHEMA jumin CASCADE; --'
label: 識別子の試験
version: 1.0.0
tables:
  - name: '住民"; DROP TABLE jumin.resident; --'
    label: 試験表
    key: [lg_code, '番号"''\']
    columns:
      - {name: lg_code, label: 団体, type: code, length: 6, required: true, check: lg_code}
      - {name: '番号"''\', label: 番号, type: code, length: 10, required: true}
      - {name: '値 ; DROP', label: 値, type: text, length: 200}
YAML
mkdir d
"$PY" - <<'PY'
import csv
with open('d/住民"; DROP TABLE jumin.resident; --.csv', "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\r\n")
    w.writerow(["lg_code", "番号\"'\\", "値 ; DROP"])
    w.writerow(["435015", "1", "Robert'); DROP TABLE students; --"])
    w.writerow(["435015", "2", "二行目"])
PY
logged "$IKO" load --db-dir pg --schema s.yaml --lg-code 435015 --in d > out || fail "identifiers: $(cat out)"
got=$(psql -X -q -A -t -v ON_ERROR_STOP=1 "$url" -c \
	"select string_agg(\"値 ; DROP\", '|' order by \"番号\"\"'\\\") from \"試験\"\"; DROP SCHEMA jumin CASCADE; --\".\"住民\"\"; DROP TABLE jumin.resident; --\"")
[ "$got" = "Robert'); DROP TABLE students; --|二行目" ] || fail "identifier table: $got"
[ "$(psql -X -q -A -t "$url" -c "select count(*) > 0 from jumin.resident")" = t ] || fail "jumin.resident is gone"

# the statement log: present, values absent, identifiers only quoted
grep -q "COPY" sql.log || fail "the SQL log caught nothing: $(head -c 300 sql.log)"
for v in "O'Brien" "back\\slash" "pg_sleep(30)" "𠮷野" "Robert');" "二行目"; do
	if grep -qF "$v" sql.log; then fail "a value was spliced into SQL: $v: $(grep -F "$v" sql.log | head -3)"; fi
done
grep -qF '"住民""; DROP TABLE jumin.resident; --' sql.log || fail "the table name never appeared quoted"
grep -qF '"試験""; DROP SCHEMA jumin CASCADE; --"' sql.log || fail "the schema name never appeared quoted"
if grep -F '住民"; DROP TABLE' sql.log | grep -vF '住民""; DROP TABLE' | grep -q .; then
	fail "an identifier was spliced unquoted: $(grep -F '住民"; DROP TABLE' sql.log | head -2)"
fi
echo "sql_safety: ok ($(grep -c '^;;$' sql.log) statements logged)"
