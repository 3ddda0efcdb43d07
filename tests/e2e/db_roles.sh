#!/usr/bin/env bash
# db_roles.sh — `iko db roles`: each municipality's role reads and changes
# only its own rows (row-level security on the parent tables), cannot go
# around the policy through a partition, cannot write another
# municipality's lg_code; the loader role sees everything; re-running is
# harmless.
set -euo pipefail
. "$(dirname "$0")/lib/db.sh"
chmod 755 "$tmp"
db_start
as() { local role=$1; shift; psql -X -q -A -t -v ON_ERROR_STOP=1 "$url user=$role" -c "$1" 2>&1; }
gen() {
	mkdir -p "$1"
	{ echo "lg_code,atena_no,setai_no,jumin_shubetsu,jumin_jotai,name,sex,birth_date_unknown,zokugara_code,city_code,shien_sochi"
	  for i in $(seq 1 "$3"); do echo "$2,$((1000 + i)),5001,1,1,名前$i,1,0,02,$2,0"; done; } > "$1/resident.csv"
	printf 'lg_code,setai_no,head_atena_no,member_count\n%s,5001,1001,%s\n' "$2" "$3" > "$1/household.csv"
}
gen "$tmp/a" 131016 3
gen "$tmp/b" 131130 5
"$IKO" load --db-dir "$pg" --schema jumin --lg-code 131016 --in "$tmp/a" >/dev/null
"$IKO" load --db-dir "$pg" --schema jumin --lg-code 131130 --in "$tmp/b" >/dev/null
"$IKO" db roles --dir "$pg" > "$tmp/out"
[ "$(cat "$tmp/out")" = "roles: 2 municipality roles, 2 tables under row-level security, loader iko_loader
  iko_lg_131016
  iko_lg_131130" ] || fail "$(cat "$tmp/out")"
"$IKO" db roles --dir "$pg" --lg-code 131016 >/dev/null   # idempotent

A=iko_lg_131016
[ "$(as $A "select count(*) || ' ' || min(lg_code) || ' ' || max(lg_code) from jumin.resident")" = "3 131016 131016" ] || fail "A reads: $(as $A "select count(*) from jumin.resident")"
[ "$(as iko_lg_131130 "select count(*) from jumin.resident")" = 5 ] || fail "B reads"
[ "$(as $A "select count(*) from jumin.household where lg_code = '131130'")" = 0 ] || fail "A sees B's households"
# writes to another municipality: updates and deletes touch nothing, inserts are refused
[ "$(as $A "update jumin.resident set name = 'x' where lg_code = '131130' returning 1" | wc -l)" = 0 ] || fail "A updated B"
as $A "delete from jumin.resident where lg_code = '131130'" >/dev/null
[ "$(as iko_lg_131130 "select count(*) from jumin.resident")" = 5 ] || fail "A deleted B's rows"
out=$(as $A "insert into jumin.resident (lg_code, atena_no, setai_no, jumin_shubetsu, jumin_jotai, name, sex, birth_date_unknown, zokugara_code, city_code, shien_sochi) values ('131130', '9', '5001', '1', '1', 'x', '1', 0, '02', '131130', '0')" || true)
echo "$out" | grep -q 'new row violates row-level security policy' || fail "insert into B: $out"
out=$(as $A "update jumin.resident set lg_code = '131130' where atena_no = '1001'" || true)
echo "$out" | grep -q 'new row violates row-level security policy' || fail "move row to B: $out"
# its own rows: allowed
[ "$(as $A "update jumin.resident set name = '変更' where atena_no = '1001' returning lg_code")" = 131016 ] || fail "A cannot update its own row"
# the partitions are not granted: no way around the policy
out=$(as $A "select count(*) from jumin.resident_131130" || true)
echo "$out" | grep -q 'permission denied' || fail "partition access: $out"
# the loader is exempt
[ "$(as iko_loader "select count(*) from jumin.resident")" = 8 ] || fail "loader reads"
echo "db_roles: ok"
