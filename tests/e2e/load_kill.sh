#!/usr/bin/env bash
# load_kill.sh — all or nothing under a crash: `iko load` killed with SIGKILL
# in the middle of its COPY leaves the previous generation of the
# municipality intact, and the next load (which drops the leftover _new
# table) succeeds.
set -euo pipefail

. "$(dirname "$0")/lib/db.sh"
pid=
on_exit() { if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi; }
db_start
sum_of() {
	q "select count(*) || ':' || md5(coalesce(string_agg(r::text, '|' order by atena_no), ''))
	   from jumin.resident r where lg_code = '$1'"
}
load() { "$IKO" load --db-dir "$pg" --schema jumin "$@"; }

HDR="lg_code,atena_no,setai_no,jumin_shubetsu,jumin_jotai,name,sex,birth_date_unknown,zokugara_code,city_code,shien_sochi"
mkdir -p "$tmp/small" "$tmp/big"
{
	echo "$HDR"
	echo "131016,1,1,1,1,小 一,1,0,02,131016,0"
	echo "131016,2,1,1,1,小 二,2,0,12,131016,0"
} >"$tmp/small/resident.csv"
printf 'lg_code,setai_no,head_atena_no,member_count\n131016,1,1,2\n' >"$tmp/small/household.csv"
cp "$tmp/small/household.csv" "$tmp/big/"
awk -v hdr="$HDR" 'BEGIN {
	print hdr
	for (i = 1; i <= 600000; i++)
		printf "131016,%d,%d,1,1,大 量%d,1,0,02,131016,0\n", i, i, i
}' >"$tmp/big/resident.csv"

load --lg-code 131016 --in "$tmp/small" >/dev/null
before=$(sum_of 131016)
expect_eq "${before%%:*}" "2" "small load"

"$IKO" load --db-dir "$pg" --schema jumin --lg-code 131016 --in "$tmp/big" >/dev/null 2>&1 &
pid=$!
# Wait until the server is receiving the COPY, then kill iko outright.
copying=0
for _ in $(seq 1 400); do
	if [ "$(q "select count(*) from pg_stat_activity where query like 'COPY %resident_131016_new%'")" != 0 ]; then
		copying=1
		break
	fi
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
[ "$copying" = 1 ] || fail "never saw the COPY running"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
pid=

# The backend notices the lost client and rolls back.
for _ in $(seq 1 200); do
	[ "$(q "select count(*) from pg_stat_activity where query like 'COPY %'")" = 0 ] && break
	sleep 0.05
done
expect_eq "$(sum_of 131016)" "$before" "previous generation intact after kill"
expect_eq "$(q "select string_agg(c.relname, ',' order by c.relname)
	from pg_inherits i join pg_class c on c.oid = i.inhrelid
	where i.inhparent = 'jumin.resident'::regclass")" "resident_131016" "partitions after kill"

# The next load cleans up and succeeds.
out=$(load --lg-code 131016 --in "$tmp/small")
expect_eq "$out" "jumin.resident_131016: 2 rows
jumin.household_131016: 1 rows" "load after kill"
expect_eq "$(sum_of 131016)" "$before" "same contents after reload"
echo "load_kill: ok"
