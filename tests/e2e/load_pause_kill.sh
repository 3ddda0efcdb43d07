#!/usr/bin/env bash
# load_pause_kill.sh — SIGKILL at every named point of a load (the test-only
# IKO_TEST_PAUSE stops iko there): the previous generation stays intact
# until the swap commits, and the next load succeeds with the new data. While
# municipality 131016's load is paused outside the swap, a query on 131130
# is never blocked (it runs under a 2-second lock timeout).
set -euo pipefail
: "${IKO:?IKO must point at the iko binary}"
tmp=$(mktemp -d)
chmod 755 "$tmp"
pg="$tmp/pg"
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
	"$IKO" db stop --dir "$pg" >/dev/null 2>&1 || true
	[ -f "$pg/cluster.path" ] && rm -rf "$(cat "$pg/cluster.path")"
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

url=$("$IKO" db start --dir "$pg")
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$url" -c "$1"; }
sum_of() {
	q "select (select count(*) || ':' || md5(coalesce(string_agg(r::text, '|' order by atena_no), ''))
	           from jumin.resident r where lg_code = '$1') || ' ' ||
	          (select count(*) from jumin.household where lg_code = '$1')"
}
gen() {
	mkdir -p "$1"
	{ echo "lg_code,atena_no,setai_no,jumin_shubetsu,jumin_jotai,name,sex,birth_date_unknown,zokugara_code,city_code,shien_sochi"
	  for i in $(seq 1 "$3"); do echo "$2,$((1000 + i)),5001,1,1,名前$i,1,0,02,$2,0"; done; } > "$1/resident.csv"
	printf 'lg_code,setai_no,head_atena_no,member_count\n%s,5001,1001,%s\n' "$2" "$3" > "$1/household.csv"
}
gen "$tmp/old" 131016 3
gen "$tmp/new" 131016 7
gen "$tmp/other" 131130 4
load() { "$IKO" load --db-dir "$pg" --schema jumin "$@"; }
load --lg-code 131130 --in "$tmp/other" >/dev/null
load --lg-code 131016 --in "$tmp/old" >/dev/null
old=$(sum_of 131016)
load --lg-code 131016 --in "$tmp/new" >/dev/null
new=$(sum_of 131016)
load --lg-code 131016 --in "$tmp/old" >/dev/null
[ "$(sum_of 131016)" = "$old" ] || fail "loading the same input twice differs"

for point in locked copied:resident indexed:resident copied:household indexed:household \
	     swap-begin swap:resident swap:household swapped; do
	rm -f "$tmp/paused"
	IKO_TEST_PAUSE=$point IKO_TEST_PAUSE_FILE="$tmp/paused" \
		"$IKO" load --db-dir "$pg" --schema jumin --lg-code 131016 --in "$tmp/new" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 1 200); do [ -e "$tmp/paused" ] && break; sleep 0.05; done
	[ -e "$tmp/paused" ] || fail "$point: never paused"
	case $point in
	swap:*) ;;   # inside the swap transaction other readers may wait: that is the swap
	*)
		out=$(psql -X -q -A -t "$url" -c "set lock_timeout = '2s'; select count(*) from jumin.resident where lg_code = '131130'" 2>&1) ||
			fail "$point: query on 131130 blocked: $out"
		[ "$out" = 4 ] || fail "$point: 131130 reads $out";;
	esac
	kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=
	# the server notices the lost client and rolls back its transaction
	for _ in $(seq 1 100); do
		[ "$(q "select count(*) from pg_stat_activity where datname = 'iko' and pid <> pg_backend_pid() and state <> 'idle'")" = 0 ] && break
		sleep 0.05
	done
	if [ "$point" = swapped ]; then
		[ "$(sum_of 131016)" = "$new" ] || fail "$point: committed swap lost"
		# the generation before _prev, set aside by the swap, is dropped
		# only after its commit: here it is still there, the next load
		# drops it
		[ "$(q "select count(*) from pg_class where relname in ('resident_131016_old', 'household_131016_old')")" = 2 ] ||
			fail "$point: the generation set aside is not there: $(q "select string_agg(relname, ',') from pg_class where relname like '%131016%'")"
	else
		[ "$(sum_of 131016)" = "$old" ] || fail "$point: previous generation not intact"
	fi
	load --lg-code 131016 --in "$tmp/old" >/dev/null || fail "$point: next load failed"
	[ "$(sum_of 131016)" = "$old" ] || fail "$point: next load wrong"
	[ "$(q "select count(*) from pg_class where relname like '%\_new'")" = 0 ] || fail "$point: _new left over"
	[ "$(q "select count(*) from pg_class where relname like '%\_old%'")" = 0 ] || fail "$point: _old left over"
done
[ "$(sum_of 131130)" = "$(sum_of 131130)" ] && [ "$(q "select count(*) from jumin.resident where lg_code = '131130'")" = 4 ] || fail "131130 changed"
echo "load_pause_kill: ok"
