#!/usr/bin/env bash
# load_partitions.sh — `iko load` into the embedded server: two
# municipalities share the jumin tables in their own partitions; reloading
# one never changes the other; a refused row fails the whole load and keeps
# the previous generation; loading the same input twice gives the same
# contents; personal data never appears in error messages.
set -euo pipefail

. "$(dirname "$0")/lib/db.sh"
db_start
# Row count and checksum of one municipality's rows in both tables.
sum_of() {
	q "select (select count(*) || ':' || md5(coalesce(string_agg(r::text, '|' order by atena_no), ''))
	           from jumin.resident r where lg_code = '$1')
	    || ' ' ||
	          (select count(*) || ':' || md5(coalesce(string_agg(h::text, '|' order by setai_no), ''))
	           from jumin.household h where lg_code = '$1')"
}
load() { "$IKO" load --db-dir "$pg" --schema jumin "$@"; }

RES_HDR="lg_code,atena_no,setai_no,jumin_shubetsu,jumin_jotai,name,name_kana,sex,birth_date,birth_date_unknown,zokugara_code,city_code,shien_sochi,my_number"

mkdir -p "$tmp/a1" "$tmp/a2" "$tmp/b1" "$tmp/bad" "$tmp/missing" "$tmp/unknown" "$tmp/secret"
cat >"$tmp/a1/resident.csv" <<EOF
$RES_HDR
131016,1001,5001,1,1,千代田 太郎,チヨダ タロウ,1,1970-04-01,0,02,131016,0,123456789018
131016,1002,5001,1,1,千代田 花子,チヨダ ハナコ,2,1972-05-02,0,12,131016,1,
131016,1003,5002,1,1,"番町, 一郎",,1,,1,02,131016,0,
EOF
cat >"$tmp/a1/household.csv" <<EOF
lg_code,setai_no,head_atena_no,member_count
131016,5001,1001,2
131016,5002,1003,1
EOF
# The same municipality, new data, columns in another order.
cat >"$tmp/a2/resident.csv" <<EOF
atena_no,lg_code,setai_no,jumin_shubetsu,jumin_jotai,name,sex,birth_date,birth_date_unknown,zokugara_code,city_code,shien_sochi
2001,131016,6001,1,1,麹町 次郎,1,1980-01-31,0,02,131016,0
2002,131016,6001,1,1,麹町 三郎,1,2010-12-24,0,20,131016,0
2003,131016,6002,2,1,Smith John,1,1990-07-07,0,02,131016,0
2004,131016,6003,1,3,麹町 四郎,1,1930-02-28,0,02,131016,0
EOF
cat >"$tmp/a2/household.csv" <<EOF
setai_no,head_atena_no,member_count,lg_code,town_code
6001,2001,2,131016,0010001
6002,2003,1,131016,0010002
EOF
cat >"$tmp/b1/resident.csv" <<EOF
$RES_HDR
131130,1001,7001,1,1,渋谷 一子,シブヤ イチコ,2,1965-03-03,0,02,131130,0,
131130,1002,7001,1,1,渋谷 二郎,シブヤ ジロウ,1,1999-09-09,0,20,131130,0,
EOF
cat >"$tmp/b1/household.csv" <<EOF
lg_code,setai_no,head_atena_no,member_count
131130,7001,1001,2
EOF
# One impossible date on the second data row (line 3 of the file).
cp "$tmp/a1/household.csv" "$tmp/bad/"
cat >"$tmp/bad/resident.csv" <<EOF
$RES_HDR
131016,3001,8001,1,1,壊 一,,1,1970-04-01,0,02,131016,0,
131016,3002,8001,1,1,壊 二,,1,2020-13-45,0,20,131016,0,
EOF
cp "$tmp/a1/resident.csv" "$tmp/missing/"
cp "$tmp/a1/household.csv" "$tmp/unknown/"
sed '1s/name_kana/name_yomi/' "$tmp/a1/resident.csv" >"$tmp/unknown/resident.csv"
cp "$tmp/a1/household.csv" "$tmp/secret/"
cat >"$tmp/secret/resident.csv" <<EOF
$RES_HDR
131016,4001,9001,1,1,秘 密,,1,1970-04-01,0,02,131016,0,9876543210987
EOF

# --- first loads ----------------------------------------------------------
out=$(load --lg-code 131016 --in "$tmp/a1" --run-id R1)
expect_eq "$out" "jumin.resident_131016: 3 rows
jumin.household_131016: 2 rows" "load a1 output"
out=$(load --lg-code 131130 --in "$tmp/b1")
expect_eq "$out" "jumin.resident_131130: 2 rows
jumin.household_131130: 1 rows" "load b1 output"

expect_eq "$(q "select string_agg(c.relname, ',' order by c.relname)
	from pg_inherits i join pg_class c on c.oid = i.inhrelid
	where i.inhparent = 'jumin.resident'::regclass")" "resident_131016,resident_131130" \
	"resident partitions"
expect_eq "$(q "select string_agg(c.relname, ',' order by c.relname)
	from pg_inherits i join pg_class c on c.oid = i.inhrelid
	where i.inhparent = 'jumin.household'::regclass")" "household_131016,household_131130" \
	"household partitions"
expect_eq "$(q "select pg_get_expr(relpartbound, oid) from pg_class where oid = 'jumin.resident_131130'::regclass")" \
	"FOR VALUES IN ('131130')" "partition bound"
expect_eq "$(q "select name || '|' || coalesce(name_kana, 'NULL') || '|' || coalesce(birth_date::text, 'NULL')
	from jumin.resident where lg_code = '131016' and atena_no = '1003'")" \
	"番町, 一郎|NULL|NULL" "quoted field and NULLs"
expect_eq "$(q "select count(*) from jumin.resident")" "5" "rows in parent"
expect_eq "$(q "select run_id || ' ' || table_name || ' ' || rows from iko.load_history
	where lg_code = '131016' order by table_name")" "R1 household 2
R1 resident 3" "load history"

b_sum=$(sum_of 131130)
expect_eq "${b_sum%%:*}" "2" "131130 resident count"

# --- reload 131016 with different data: 131130 is untouched ----------------------
out=$(load --lg-code 131016 --in "$tmp/a2")
expect_eq "$out" "jumin.resident_131016: 4 rows
jumin.household_131016: 2 rows" "load a2 output"
expect_eq "$(sum_of 131130)" "$b_sum" "131130 unchanged by 131016 reload"
expect_eq "$(q "select count(*) from jumin.resident where lg_code = '131016'")" "4" "a2 rows"
expect_eq "$(q "select count(*) from jumin.resident_131016_prev")" "3" "previous generation kept"
expect_eq "$(q "select town_code from jumin.household where setai_no = '6002'")" "0010002" "a2 town_code"
a_sum=$(sum_of 131016)

# --- a refused row: exit 1, exact message, nothing changes ----------------------
set +e
load --lg-code 131016 --in "$tmp/bad" >"$tmp/out" 2>"$tmp/err"; rc=$?
set -e
expect_eq "$rc" 1 "bad load exit code"
expect_eq "$(cat "$tmp/err")" \
	"iko: load: $tmp/bad/resident.csv: line 3, column birth_date: date/time field value out of range: \"2020-13-45\"" \
	"bad load message"
expect_eq "$(cat "$tmp/out")" "" "bad load prints nothing on stdout"
expect_eq "$(sum_of 131016)" "$a_sum" "131016 intact after failed load"
expect_eq "$(sum_of 131130)" "$b_sum" "131130 intact after failed load"
expect_eq "$(q "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
	where n.nspname = 'jumin' and c.relname like '%\_new'")" "0" "no _new table left"
expect_eq "$(q "select count(*) from jumin.resident_131016_prev")" "3" "prev kept after failed load"

# --- a refused row in the table the second connection loads (the smaller
# file): the same message as loading one table after the other ---------------
mkdir -p "$tmp/badhh"
cp "$tmp/a1/resident.csv" "$tmp/badhh/"
sed '3s/,1$/,x/' "$tmp/a1/household.csv" >"$tmp/badhh/household.csv"
for conns in 2 1; do
	set +e
	IKO_LOAD_CONNECTIONS=$conns load --lg-code 131016 --in "$tmp/badhh" >"$tmp/out" 2>"$tmp/err"; rc=$?
	set -e
	expect_eq "$rc" 1 "bad household exit code ($conns)"
	expect_eq "$(cat "$tmp/err")" \
		"iko: load: $tmp/badhh/household.csv: line 3, column member_count: invalid input syntax for type bigint: \"x\"" \
		"bad household message ($conns)"
	expect_eq "$(sum_of 131016)" "$a_sum" "131016 intact after failed household ($conns)"
	expect_eq "$(q "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
		where n.nspname = 'jumin' and c.relname like '%\_new'")" "0" "no _new table left ($conns)"
done

# --- the same input twice: identical contents ------------------------------------
load --lg-code 131016 --in "$tmp/a2" >/dev/null
expect_eq "$(sum_of 131016)" "$a_sum" "reload of the same input"
expect_eq "$(q "select count(*) from jumin.resident_131016_prev")" "4" "prev is the last generation"
# the generation before it (a1's) was set aside by the swap and dropped after
expect_eq "$(q "select string_agg(c.relname, ',' order by c.relname) from pg_class c
	join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'jumin' and c.relname like '%131016%'")" \
	"household_131016,household_131016_pkey,household_131016_prev,household_131016_prev_pkey,resident_131016,resident_131016_pkey,resident_131016_prev,resident_131016_prev_pkey" \
	"two generations kept"
expect_eq "$(sum_of 131130)" "$b_sum" "131130 still intact"

# --- input errors name the file ----------------------------------------------------
set +e
load --lg-code 131016 --in "$tmp/missing" >/dev/null 2>"$tmp/err"; rc=$?
set -e
expect_eq "$rc" 1 "missing file exit code"
expect_eq "$(cat "$tmp/err")" "iko: load: missing input file $tmp/missing/household.csv" "missing file message"
set +e
load --lg-code 131016 --in "$tmp/unknown" >/dev/null 2>"$tmp/err"; rc=$?
set -e
expect_eq "$rc" 1 "unknown column exit code"
expect_eq "$(cat "$tmp/err")" \
	"iko: load: $tmp/unknown/resident.csv: unknown column name_yomi for table resident" \
	"unknown column message"
set +e
load --lg-code 131017 --in "$tmp/a1" >/dev/null 2>"$tmp/err"; rc=$?
set -e
expect_eq "$rc" 2 "bad lg code exit code"
expect_eq "$(cat "$tmp/err")" \
	"iko: load: not a valid 団体コード (6 digits with check digit): 131017" "bad lg code message"
set +e
"$IKO" load --db-dir "$pg" --schema jumin --in "$tmp/a1" >/dev/null 2>"$tmp/err"; rc=$?
set -e
expect_eq "$rc" 2 "missing option exit code"
expect_eq "$(head -1 "$tmp/err")" "iko: load: --schema, --lg-code and --in are required" "usage text"

# --- a row of another municipality ------------------------------------------------
mkdir -p "$tmp/other"
cp "$tmp/a1/household.csv" "$tmp/other/"
cp "$tmp/b1/resident.csv" "$tmp/other/"
set +e
load --lg-code 131016 --in "$tmp/other" >/dev/null 2>"$tmp/err"; rc=$?
set -e
expect_eq "$rc" 1 "foreign lg_code exit code"
expect_eq "$(cat "$tmp/err")" \
	"iko: load: $tmp/other/resident.csv: line 2, column lg_code: not 131016" "foreign lg_code message"
expect_eq "$(sum_of 131016)" "$a_sum" "131016 intact after foreign rows"

# --- a sensitive value is never echoed -------------------------------------------
set +e
load --lg-code 131016 --in "$tmp/secret" >/dev/null 2>"$tmp/err"; rc=$?
set -e
expect_eq "$rc" 1 "too long my_number exit code"
expect_eq "$(cat "$tmp/err")" \
	"iko: load: $tmp/secret/resident.csv: line 2, column my_number: value refused (personal data, not shown)" \
	"sensitive message"
if grep -q 9876543210987 "$tmp/err"; then fail "my_number leaked to stderr"; fi
expect_eq "$(sum_of 131016)" "$a_sum" "131016 intact after refused my_number"

# --- --db with an explicit DSN ------------------------------------------------------
out=$("$IKO" load --db "$url" --schema jumin --lg-code 131130 --in "$tmp/b1")
expect_eq "$out" "jumin.resident_131130: 2 rows
jumin.household_131130: 1 rows" "load with --db"
expect_eq "$(sum_of 131130)" "$b_sum" "131130 reload identical"
echo "load_partitions: ok"
