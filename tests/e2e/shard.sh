#!/usr/bin/env bash
# shard.sh — scale-out on existing engines: a second PostgreSQL server as a
# shard; a municipality placed there loads straight to it (all or nothing,
# as locally) and the coordinator reaches its rows through a postgres_fdw
# foreign partition of the same parent tables; other municipalities stay
# local and untouched; the routing catalog lists it.
set -euo pipefail
: "${IKO:?IKO must point at the iko binary}"
tmp=$(mktemp -d)
chmod 755 "$tmp"
cleanup() {
	for d in "$tmp/coord" "$tmp/shard" "$tmp/shard2"; do
		"$IKO" db stop --dir "$d" >/dev/null 2>&1 || true
		[ -f "$d/cluster.path" ] && rm -rf "$(cat "$d/cluster.path")"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

curl=$("$IKO" db start --dir "$tmp/coord")
surl=$("$IKO" db start --dir "$tmp/shard")
qc() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$curl" -c "$1"; }
qs() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$surl" -c "$1"; }
gen() {
	mkdir -p "$1"
	{ echo "lg_code,atena_no,setai_no,jumin_shubetsu,jumin_jotai,name,sex,birth_date_unknown,zokugara_code,city_code,shien_sochi"
	  for i in $(seq 1 "$3"); do echo "$2,$((1000 + i)),5001,1,1,名前$i,1,0,02,$2,0"; done; } > "$1/resident.csv"
	printf 'lg_code,setai_no,head_atena_no,member_count\n%s,5001,1001,%s\n' "$2" "$3" > "$1/household.csv"
}
gen "$tmp/a3" 131016 3
gen "$tmp/a5" 131016 5
gen "$tmp/b4" 131130 4
load() { "$IKO" load --db-dir "$tmp/coord" --schema jumin "$@"; }

load --lg-code 131016 --in "$tmp/a3" >/dev/null
load --lg-code 131130 --in "$tmp/b4" >/dev/null
"$IKO" shard add s1 "$surl" --dir "$tmp/coord" | grep -qx "shard s1 added (foreign server iko_shard_s1)"
"$IKO" shard place 131016 s1 --dir "$tmp/coord" >/dev/null
[ "$("$IKO" shard list --dir "$tmp/coord")" = "$(printf '%-16s %-8s %s' s1 131016 "$surl")" ] || fail "list: $("$IKO" shard list --dir "$tmp/coord")"

load --lg-code 131016 --in "$tmp/a5" > "$tmp/out"
head -1 "$tmp/out" | grep -qx "loaded on shard s1 (foreign partitions on the coordinator):" || fail "$(cat "$tmp/out")"
# the rows are on the shard, reached through the coordinator's parent table
[ "$(qs "select count(*) from jumin.resident_131016")" = 5 ] || fail "shard rows"
[ "$(qc "select relkind from pg_class where relname = 'resident_131016'")" = f ] || fail "not a foreign partition"
[ "$(qc "select count(*) from jumin.resident where lg_code = '131016'")" = 5 ] || fail "coordinator view of the shard"
[ "$(qc "select count(*) from jumin.resident_131016_prev")" = 3 ] || fail "local generation not kept"
[ "$(qc "select count(*) from jumin.resident where lg_code = '131130'")" = 4 ] || fail "other municipality"
[ "$(qc "select count(*) from jumin.resident")" = 9 ] || fail "parent total"
[ "$(qc "select count(*) from jumin.household")" = 2 ] || fail "household total"
# loading again swaps on the shard; the coordinator follows
load --lg-code 131016 --in "$tmp/a3" >/dev/null
[ "$(qc "select count(*) from jumin.resident where lg_code = '131016'")" = 3 ] || fail "reload on the shard"
[ "$(qs "select count(*) from jumin.resident_131016_prev")" = 5 ] || fail "shard keeps its previous generation"
[ "$(qc "select kind from iko.load_history where lg_code = '131016' order by loaded_at desc limit 1")" = "load@s1" ] || fail "history"
# a second shard: one query on the coordinator returns both shards' municipalities
s2url=$("$IKO" db start --dir "$tmp/shard2")
"$IKO" shard add s2 "$s2url" --dir "$tmp/coord" >/dev/null
# a second local generation of 131130 first: when it moves to s2, the
# local one before _prev is set aside in the attaching transaction and
# dropped after its commit (iko_load_drop_old); the newest stays as _prev
load --lg-code 131130 --in "$tmp/b4" >/dev/null
"$IKO" shard place 131130 s2 --dir "$tmp/coord" >/dev/null
load --lg-code 131130 --in "$tmp/b4" >/dev/null
[ "$(qc "select count(*) from jumin.resident_131130_prev")" = 4 ] || fail "131130's local generation not kept"
[ "$(qc "select count(*) from pg_class where relname like '%\_old%'")" = 0 ] ||
	fail "left on the coordinator: $(qc "select string_agg(relname, ',') from pg_class where relname like '%\_old%'")"
[ "$(psql -X -q -A -t "$s2url" -c "select count(*) from jumin.resident_131130")" = 4 ] || fail "s2 rows"
[ "$(qc "select string_agg(lg_code || '=' || n, ' ' order by lg_code) from
         (select lg_code, count(*) n from jumin.resident group by lg_code) x")" = "131016=3 131130=4" ] ||
	fail "coordinator over two shards: $(qc "select lg_code, count(*) from jumin.resident group by 1")"
[ "$(qc "select string_agg(relname || ':' || relkind::text, ' ' order by relname) from pg_class
         where relname in ('resident_131016', 'resident_131130')")" = "resident_131016:f resident_131130:f" ] || fail "relkinds: $(qc "select relname, relkind from pg_class where relname like 'resident_13%'")"
# errors
set +e
"$IKO" shard place 131016 nope --dir "$tmp/coord" 2> "$tmp/err"; rc=$?
set -e
[ $rc -eq 1 ] && [ "$(cat "$tmp/err")" = "iko: shard: no shard named nope (add it with iko shard add)" ] || fail "rc $rc: $(cat "$tmp/err")"
set +e
"$IKO" shard add 'Bad Name' "$surl" --dir "$tmp/coord" 2>/dev/null; rc=$?
"$IKO" shard frob --dir "$tmp/coord" 2>/dev/null; rc2=$?
set -e
[ $rc -eq 2 ] && [ $rc2 -eq 2 ] || fail "usage: $rc $rc2"
# back to the coordinator: the next load is local again
"$IKO" shard unplace 131016 --dir "$tmp/coord" >/dev/null
load --lg-code 131016 --in "$tmp/a5" > "$tmp/out"
grep -q "shard" "$tmp/out" && fail "unplaced load went to the shard"
[ "$(qc "select relkind from pg_class where relname = 'resident_131016'")" = r ] || fail "not local again"
[ "$(qc "select count(*) from jumin.resident where lg_code = '131016'")" = 5 ] || fail "local reload"
echo "shard: ok"
