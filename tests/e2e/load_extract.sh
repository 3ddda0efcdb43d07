#!/usr/bin/env bash
# load_extract.sh — `iko load --extract TABLE --layout L --input F` extracts a
# legacy file that already has the table's columns (here a Shift_JIS CSV)
# into DIR/TABLE.csv while the load reads it: the file, its rejects and its
# manifest are exactly what `iko extract` writes, the rows loaded are the
# rows written, a rejected record gives exit status 3, and an extract that
# fails (stopped at a bad record, an input that cannot be opened) loads
# nothing: the previous generation stays. Bad command lines are refused
# before anything runs.
set -euo pipefail
: "${IKO:?}" "${IKO_SQLLOG:?}"
PY=/usr/bin/python3
. "$(dirname "$0")/lib/db.sh"
db_start
load() { "$IKO" load --db-dir "$pg" --schema jumin --lg-code 131016 "$@"; }

H="lg_code,atena_no,setai_no,jumin_shubetsu,jumin_jotai,name,name_kana,sex,birth_date,birth_date_unknown,zokugara_code,city_code,shien_sochi"
{
	printf 'encoding: CP932\nrecfm: csv\nheader: true\nname: resident\nfields:\n'
	echo "$H" | tr , '\n' | sed 's/.*/  - {name: &, length: 100, type: X}/'
} >"$tmp/r.yaml"
# 30,000 residents in Shift_JIS (CP932: ① is an NEC special character),
# CRLF, one name quoted with a comma in it, one with a user-defined
# character (gaiji F040, 辻 in the gaiji table); bad.csv has one record of
# bytes that are not CP932 (0x85 0x40) at record 20,001
"$PY" - "$tmp" "$H" <<'PY'
import sys
d, h = sys.argv[1], sys.argv[2]
rows = [h]
for i in range(30000):
    name = '"千代田, ①%d"' % i if i == 7 else "\ue000田%d" % i if i == 9 else "千代田　%d" % i
    rows.append("131016,%d,%d,1,1,%s,チヨダ,%d,1970-01-%02d,0,02,131016,0" % (100000 + i, 500000 + i // 3, name, 1 + i % 2, 1 + i % 28))
good = ("\r\n".join(rows) + "\r\n").encode("cp932")
open(d + "/good.csv", "wb").write(good)
lines = good.split(b"\r\n")
lines[20001] = lines[20001].replace("千代田".encode("cp932"), b"\x85\x40", 1)
open(d + "/bad.csv", "wb").write(b"\r\n".join(lines))
PY
printf 'code,unicode,mj,note\nF040,U+8FBB,,辻\n' >"$tmp/gaiji.csv"
mkdir -p "$tmp/in" "$tmp/x"
echo "lg_code,setai_no,head_atena_no,member_count,town_code" >"$tmp/in/household.csv"
echo "131016,500000,100000,3," >>"$tmp/in/household.csv"

# ---- a clean file: exit 0, every row loaded, the extract's own files --------
load --in "$tmp/in" --extract resident --layout "$tmp/r.yaml" --input "$tmp/good.csv" --gaiji "$tmp/gaiji.csv" >"$tmp/out" 2>"$tmp/err" ||
	fail "good: exit $?: $(cat "$tmp/err")"
expect_eq "$(cat "$tmp/out")" "jumin.resident_131016: 30000 rows
jumin.household_131016: 1 rows" "good: output"
expect_eq "$(cat "$tmp/err")" "extract: $tmp/good.csv: 30000 read, 30000 written, 0 rejected; gaiji 1 mapped, 0 unmapped" "good: stderr"
expect_eq "$(q "select count(*) from jumin.resident_131016")" "30000" "good: rows"
expect_eq "$(q "select name from jumin.resident where atena_no = '100007'")" "千代田, ①7" "good: CP932 name"
expect_eq "$(q "select name from jumin.resident where atena_no = '100009'")" "辻田9" "good: gaiji"
expect_eq "$(q "select name || '|' || birth_date from jumin.resident where atena_no = '129999'")" "千代田　29999|1970-01-12" "good: last row"
"$IKO" extract --layout "$tmp/r.yaml" --input "$tmp/good.csv" --gaiji "$tmp/gaiji.csv" --out "$tmp/x/resident.csv" 2>/dev/null
cmp "$tmp/in/resident.csv" "$tmp/x/resident.csv" || fail "good: not iko extract's CSV"
cmp "$tmp/in/resident.csv.rejects.csv" "$tmp/x/resident.csv.rejects.csv" || fail "good: not iko extract's rejects"
grep -q '"records_written": 30000,' "$tmp/in/resident.csv.manifest.json" || fail "good: manifest: $(cat "$tmp/in/resident.csv.manifest.json")"
# the same rows when the table goes as text COPY (the path a value without
# an exact binary form takes), read from the file as it is written too
gen=$(q "select count(*) || ' ' || md5(string_agg(atena_no || name || birth_date, ',' order by atena_no)) from jumin.resident")
IKO_LOAD_FORMAT=text load --in "$tmp/in" --extract resident --layout "$tmp/r.yaml" --input "$tmp/good.csv" --gaiji "$tmp/gaiji.csv" >/dev/null 2>"$tmp/err" ||
	fail "text: exit $?: $(cat "$tmp/err")"
expect_eq "$(q "select count(*) || ' ' || md5(string_agg(atena_no || name || birth_date, ',' order by atena_no)) from jumin.resident")" "$gen" "text: rows"

# ---- a rejected record: exit 3, the rest loaded, the record in the rejects ---
rc=0
load --in "$tmp/in" --extract resident --layout "$tmp/r.yaml" --input "$tmp/bad.csv" >"$tmp/out" 2>"$tmp/err" || rc=$?
expect_eq "$rc" "3" "bad: exit status ($(cat "$tmp/err"))"
expect_eq "$(head -1 "$tmp/out")" "jumin.resident_131016: 29999 rows" "bad: output"
expect_eq "$(cat "$tmp/err")" "extract: $tmp/bad.csv: 30000 read, 29999 written, 1 rejected, undecodable 1; gaiji 0 mapped, 1 unmapped" "bad: stderr"
expect_eq "$(q "select name from jumin.resident where atena_no = '100009'")" "〓田9" "bad: gaiji without a table"
expect_eq "$(q "select count(*) from jumin.resident_131016 where atena_no = '120000'")" "0" "bad: rejected row loaded"
expect_eq "$(tail -n +2 "$tmp/in/resident.csv.rejects.csv" | cut -d, -f3,6)" "20001,undecodable" "bad: rejects"
"$IKO" extract --layout "$tmp/r.yaml" --input "$tmp/bad.csv" --out "$tmp/x/resident.csv" 2>/dev/null || [ $? -eq 3 ]
cmp "$tmp/in/resident.csv" "$tmp/x/resident.csv" || fail "bad: not iko extract's CSV"
cmp "$tmp/in/resident.csv.rejects.csv" "$tmp/x/resident.csv.rejects.csv" || fail "bad: not iko extract's rejects"

# ---- the other tables are loaded beside the extract, not after it ----------
# (the extract held just before its file gets its final name: by then the
# household table, on the load's other connection, has its rows committed)
IKO_TEST_PAUSE=commit:resident.csv IKO_TEST_PAUSE_FILE="$tmp/paused" IKO_TEST_PAUSE_RESUME="$tmp/resume" \
	load --in "$tmp/in" --extract resident --layout "$tmp/r.yaml" --input "$tmp/good.csv" --gaiji "$tmp/gaiji.csv" \
	>"$tmp/out" 2>"$tmp/err" &
pid=$!
for i in $(seq 600); do [ -e "$tmp/paused" ] && break; sleep 0.1; done
[ -e "$tmp/paused" ] || fail "beside: the extract did not reach its commit"
n=
for i in $(seq 100); do
	n=$(q "select count(*) from jumin.household_131016_new" 2>/dev/null) && [ "$n" = 1 ] && break
	sleep 0.1
done
touch "$tmp/resume"
wait $pid || fail "beside: exit $?: $(cat "$tmp/err")"
expect_eq "$n" "1" "beside: household rows while the extract was held"
expect_eq "$(q "select count(*) from jumin.resident_131016")" "30000" "beside: rows"

# ---- extracts that fail load nothing ----------------------------------------
load --in "$tmp/in" --extract resident --layout "$tmp/r.yaml" --input "$tmp/good.csv" >/dev/null 2>&1
cp "$tmp/in/resident.csv" "$tmp/before.csv"
good_gen=$(q "select count(*) || ' ' || md5(string_agg(atena_no || name, ',' order by atena_no)) from jumin.resident")
# stopped at the bad record, the load well under way
rc=0
load --in "$tmp/in" --extract resident --layout "$tmp/r.yaml" --input "$tmp/bad.csv" --on-error stop >"$tmp/out" 2>"$tmp/err" || rc=$?
expect_eq "$rc" "1" "stop: exit status"
expect_eq "$(cat "$tmp/out")" "" "stop: output"
grep -q "^iko: load: .*bad.csv.*record 20001" "$tmp/err" || fail "stop: no extract error: $(cat "$tmp/err")"
expect_eq "$(tail -1 "$tmp/err")" "iko: load: nothing loaded: the extract of resident failed; every table of 131016 keeps its data" "stop: load error"
expect_eq "$(q "select count(*) || ' ' || md5(string_agg(atena_no || name, ',' order by atena_no)) from jumin.resident")" "$good_gen" "stop: data changed"
cmp "$tmp/in/resident.csv" "$tmp/before.csv" || fail "stop: resident.csv replaced"
# an input that cannot be opened: the extract fails before it begins its
# file, and the load does not read the file an earlier run left in DIR
# (one row here): no COPY into resident_131016_new, nothing swapped
head -2 "$tmp/before.csv" >"$tmp/in/resident.csv"
rc=0
LD_PRELOAD=$IKO_SQLLOG ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 IKO_SQL_LOG="$tmp/none.sql" \
	load --in "$tmp/in" --extract resident --layout "$tmp/r.yaml" --input "$tmp/none.csv" >"$tmp/out" 2>"$tmp/err" || rc=$?
grep -q 'pg_try_advisory_lock' "$tmp/none.sql" || fail "no input: the SQL log has not the load's statements: $(head -3 "$tmp/none.sql")"
grep -q 'COPY .*resident_131016_new' "$tmp/none.sql" && fail "no input: the old resident.csv was copied"
expect_eq "$rc" "1" "no input: exit status"
grep -q "^iko: load: .*none.csv" "$tmp/err" || fail "no input: $(cat "$tmp/err")"
expect_eq "$(tail -1 "$tmp/err")" "iko: load: nothing loaded: the extract of resident failed; every table of 131016 keeps its data" "no input: load error"
expect_eq "$(q "select count(*) || ' ' || md5(string_agg(atena_no || name, ',' order by atena_no)) from jumin.resident")" "$good_gen" "no input: data changed"
expect_eq "$(q "select count(*) from iko.load_history where lg_code = '131016' and table_name = 'resident'")" "5" "loads recorded"

# ---- refused before anything runs -------------------------------------------
usage() {
	local want=$1
	shift
	rc=0
	load "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	expect_eq "$rc" "2" "usage ($*): exit status"
	expect_eq "$(head -1 "$tmp/err")" "$want" "usage ($*)"
}
usage "iko: load: --layout, --input, --gaiji, --comp5 and --on-error go with --extract TABLE" --in "$tmp/in" --layout "$tmp/r.yaml"
usage "iko: load: --extract needs --layout and --input" --in "$tmp/in" --extract resident --layout "$tmp/r.yaml"
usage "iko: load: --extract nosuch: not a table of schema jumin" --in "$tmp/in" --extract nosuch --layout "$tmp/r.yaml" --input "$tmp/good.csv"
usage "iko: load: --on-error must be reject or stop, not later" --in "$tmp/in" --extract resident --layout "$tmp/r.yaml" --input "$tmp/good.csv" --on-error later
mkdir "$tmp/empty"
rc=0
load --in "$tmp/empty" --extract resident --layout "$tmp/r.yaml" --input "$tmp/good.csv" >"$tmp/out" 2>"$tmp/err" || rc=$?
expect_eq "$rc:$(cat "$tmp/err")" "1:iko: load: missing input file $tmp/empty/household.csv" "missing household.csv"
[ -z "$(ls "$tmp/empty")" ] || fail "extracted although the load could not run: $(ls "$tmp/empty")"
echo "ok"
