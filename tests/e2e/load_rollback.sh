#!/usr/bin/env bash
# load_rollback.sh — `iko load --rollback`: the previous generation comes
# back in one transaction (current and previous change places, so a second
# rollback returns to the newer data), other municipalities are untouched,
# iko.load_history records kind 'rollback', and without a previous
# generation nothing changes and the error says why.
set -euo pipefail
. "$(dirname "$0")/lib/db.sh"
chmod 755 "$tmp"
db_start
sum_of() {
	q "select count(*) || ':' || md5(coalesce(string_agg(r::text, '|' order by atena_no), ''))
	   from jumin.resident r where lg_code = '$1'"
}
gen() { # gen DIR LG N: N residents, one household
	mkdir -p "$1"
	{ echo "lg_code,atena_no,setai_no,jumin_shubetsu,jumin_jotai,name,sex,birth_date_unknown,zokugara_code,city_code,shien_sochi"
	  for i in $(seq 1 "$3"); do echo "$2,$((1000 + i)),5001,1,1,名前$i,1,0,02,$2,0"; done; } > "$1/resident.csv"
	printf 'lg_code,setai_no,head_atena_no,member_count\n%s,5001,1001,%s\n' "$2" "$3" > "$1/household.csv"
}
gen "$tmp/g1" 131016 3
gen "$tmp/g2" 131016 5
gen "$tmp/o1" 131130 4
load() { "$IKO" load --db-dir "$pg" --schema jumin "$@" >/dev/null; }

# no previous generation yet: error, exit 1, nothing changed
load --lg-code 131016 --in "$tmp/g1"
load --lg-code 131130 --in "$tmp/o1"
s1=$(sum_of 131016); other=$(sum_of 131130)
set +e
"$IKO" load --db-dir "$pg" --schema jumin --lg-code 131016 --rollback 2> "$tmp/err"; rc=$?
set -e
[ $rc -eq 1 ] || fail "rollback without a previous generation: exit $rc"
[ "$(cat "$tmp/err")" = "iko: load: no previous generation of jumin.resident for 131016 to roll back to (it is kept from the last load until the next one)" ] || fail "$(cat "$tmp/err")"
[ "$(sum_of 131016)" = "$s1" ] || fail "failed rollback changed data"

load --lg-code 131016 --in "$tmp/g2"
s2=$(sum_of 131016)
[ "$s1" != "$s2" ] || fail "generations should differ"
"$IKO" load --db-dir "$pg" --schema jumin --lg-code 131016 --rollback --run-id RB1 > "$tmp/out"
[ "$(cat "$tmp/out")" = "rolled back jumin for 131016 to the previous generation:
jumin.resident_131016: 3 rows
jumin.household_131016: 1 rows" ] || fail "$(cat "$tmp/out")"
[ "$(sum_of 131016)" = "$s1" ] || fail "rollback did not restore generation 1"
[ "$(sum_of 131130)" = "$other" ] || fail "rollback touched another municipality"
# a second rollback returns to the newer generation
"$IKO" load --db-dir "$pg" --schema jumin --lg-code 131016 --rollback > /dev/null
[ "$(sum_of 131016)" = "$s2" ] || fail "second rollback did not return to generation 2"
[ "$(q "select count(*) from jumin.resident")" = 9 ] || fail "parent table sees $(q "select count(*) from jumin.resident") rows"
[ "$(q "select string_agg(kind || ':' || coalesce(run_id, '-') || ':' || table_name || ':' || rows, ' ' order by loaded_at, table_name)
        from iko.load_history where lg_code = '131016' and kind = 'rollback'")" = \
  "rollback:RB1:household:1 rollback:RB1:resident:3 rollback:-:household:1 rollback:-:resident:5" ] ||
	fail "history: $(q "select * from iko.load_history")"
# usage
set +e
"$IKO" load --db-dir "$pg" --schema jumin --lg-code 131016 --rollback --in "$tmp/g1" 2> "$tmp/err"; rc=$?
set -e
[ $rc -eq 2 ] || fail "--rollback with --in: exit $rc"
echo "load_rollback: ok"
