#!/usr/bin/env bash
# load_binary.sh — `iko load` sends a table in PostgreSQL's binary COPY
# format when every value has an exact binary form, and as text otherwise.
# The loaded rows are the same either way: dates at the ends of the range
# and on leap days, NULL (an empty unquoted field) beside '' (a quoted
# empty one), quotes, commas and line breaks inside fields, CRLF files,
# negative and 18-digit integers. A value of another form (a date the
# binary path does not read, a bad date) sends the table again as text,
# so the server's own message about it is the one the user sees.
set -euo pipefail
: "${IKO:?}" "${IKO_SQLLOG:?}"
. "$(dirname "$0")/lib/db.sh"
db_start
logged() { LD_PRELOAD=$IKO_SQLLOG ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 "$@"; }
load() { logged "$IKO" load --db-dir "$pg" --schema jumin --lg-code 131016 "$@"; }
# every row, every column, NULL told apart from ''
contents() {
	q "select string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s', atena_no, coalesce(name_kana, '<null>'),
	          coalesce(birth_date::text, '<null>'), birth_date_unknown, name, coalesce(katagaki, '<null>'),
	          coalesce(removal_date::text, '<null>'), sex), E'\n' order by atena_no) from jumin.resident"
	q "select string_agg(format('%s|%s|%s', setai_no, member_count, coalesce(town_code, '<null>')), E'\n'
	          order by setai_no) from jumin.household"
}

H="lg_code,atena_no,setai_no,jumin_shubetsu,jumin_jotai,name,name_kana,sex,birth_date,birth_date_unknown,zokugara_code,city_code,shien_sochi,katagaki,removal_date"
mkdir -p "$tmp/in" "$tmp/odd" "$tmp/bad"
{
	echo "$H"
	echo '131016,1001,5001,1,1,千代田 一,,1,0001-01-01,0,02,131016,0,,9999-12-31'
	echo '131016,1002,5001,1,1,"千代田, 二","",2,2000-02-29,0,12,131016,0,"",'
	echo '131016,1003,5001,1,1,"引用 ""三""",チヨダ,1,1900-02-28,1,20,131016,0,"二行
目",2024-02-29'
	echo '131016,1004,5002,1,1,四,ヨン,1,1970-01-01,0,02,131016,0,方書,1999-12-31'
	echo '131016,1005,5002,1,1,五,,2,,1,20,131016,0,,'
} >"$tmp/in/resident.csv"
# CRLF records (the whole file: the text COPY wants one kind of line end)
printf 'lg_code,setai_no,head_atena_no,member_count,town_code\r\n131016,5001,1001,-3,\r\n131016,5002,1004,123456789012345678,"0010001"\r\n' \
	>"$tmp/in/household.csv"

IKO_SQL_LOG="$tmp/bin.sql" load --in "$tmp/in" >/dev/null
# (the shim may log a statement twice: libpq's PQexec goes through PQsendQuery)
for t in resident household; do
	grep -q "${t}_131016_new\".*FORMAT binary" "$tmp/bin.sql" || fail "$t not sent in binary: $(grep COPY "$tmp/bin.sql")"
done
grep -q 'FORMAT csv' "$tmp/bin.sql" && fail "sent as text too"
bin=$(contents)
IKO_LOAD_FORMAT=text IKO_SQL_LOG="$tmp/text.sql" load --in "$tmp/in" >/dev/null
for t in resident household; do
	grep -q "${t}_131016_new\".*FORMAT csv" "$tmp/text.sql" || fail "IKO_LOAD_FORMAT=text: $(grep COPY "$tmp/text.sql")"
done
grep -q 'FORMAT binary' "$tmp/text.sql" && fail "IKO_LOAD_FORMAT=text sent binary"
text=$(contents)
expect_eq "$bin" "$text" "binary and text loads"
expect_eq "$(q "select count(*) from jumin.resident where name_kana = ''") $(q "select count(*) from jumin.resident where name_kana is null")" \
	"1 2" "'' and NULL"
expect_eq "$(q "select birth_date || ' ' || removal_date from jumin.resident where atena_no = '1001'")" \
	"0001-01-01 9999-12-31" "range ends"
expect_eq "$(q "select katagaki from jumin.resident where atena_no = '1003'")" "二行
目" "line break inside a field"
expect_eq "$(q "select member_count from jumin.household order by setai_no" | paste -sd' ')" "-3 123456789012345678" "integers"

# a date the text COPY reads but the binary path does not (ISO with a
# time of day): the table goes again as text, and loads
cp "$tmp/in/household.csv" "$tmp/odd/"
sed '2s/,0001-01-01,/,0001-01-01 00:00:00,/' "$tmp/in/resident.csv" >"$tmp/odd/resident.csv"
IKO_SQL_LOG="$tmp/odd.sql" load --in "$tmp/odd" >/dev/null
# in this order (the other connection's statements may come in between)
awk '/resident_131016_new".*FORMAT binary/ && !b { b = NR }
     /^ROLLBACK$/ && b && !r { r = NR }
     /resident_131016_new".*FORMAT csv/ && r && !c { c = NR }
     END { exit !(b && r && c) }' "$tmp/odd.sql" || fail "not binary, ROLLBACK, then text: $(grep -n 'COPY\|ROLLBACK' "$tmp/odd.sql")"
expect_eq "$(contents)" "$text" "odd date loaded as text"

# a bad date: the server's message on the text COPY, with its line number
cp "$tmp/in/household.csv" "$tmp/bad/"
sed '6s/,1970-01-01,/,1970-02-30,/' "$tmp/in/resident.csv" >"$tmp/bad/resident.csv"
set +e
load --in "$tmp/bad" >"$tmp/out" 2>"$tmp/err"; rc=$?
set -e
expect_eq "$rc" 1 "bad date exit"
expect_eq "$(cat "$tmp/err")" \
	"iko: load: $tmp/bad/resident.csv: line 6, column birth_date: date/time field value out of range: \"1970-02-30\"" \
	"bad date message"
expect_eq "$(contents)" "$text" "previous generation kept"
echo "load_binary: ok"
