#!/usr/bin/env bash
# load_settings.sh — the sessions of `iko load` sort each primary key in
# memory: maintenance_work_mem is raised to 256 MB when the server's is
# lower, and left as it is when higher. On a machine of at most two cores
# with the server on it (a Unix socket), the key is built without parallel
# workers; with more cores the server's own choice stands. What the server
# did is read from its own log (trace_sort), not from what iko sent.
set -euo pipefail
: "${IKO:?}"
. "$(dirname "$0")/lib/db.sh"
db_start
# the cluster is under $pg, or elsewhere when the server's user cannot reach $pg
log="$pg/server.log"
[ -f "$pg/cluster.path" ] && log="$(cat "$pg/cluster.path")/server.log"
[ -f "$log" ] || fail "no server log at $log"

mkdir -p "$tmp/in"
{
	echo "lg_code,atena_no,setai_no,jumin_shubetsu,jumin_jotai,name,sex,birth_date_unknown,zokugara_code,city_code,shien_sochi"
	for i in $(seq 1000 1999); do echo "131016,$i,$((i / 3)),1,1,住民 $i,1,0,02,131016,0"; done
} >"$tmp/in/resident.csv"
{
	echo "lg_code,setai_no,head_atena_no,member_count"
	for i in $(seq 333 666); do echo "131016,$i,$((i * 3)),3"; done
} >"$tmp/in/household.csv"

# The workMem of each primary key's sort, "table=KB" per line, from the
# server log's lines after byte $1: trace_sort's "begin index sort" of a
# unique index, whose STATEMENT line names the _new table's key.
key_sorts() {
	tail -c +"$(($1 + 1))" "$log" | awk '
		/begin index sort: unique = t, workMem = / { split($0, a, "workMem = "); split(a[2], b, ","); mem = b[1]; next }
		/STATEMENT:  CREATE UNIQUE INDEX "[a-z]+_131016_new_pkey"/ && mem != "" {
			match($0, /"[a-z]+_131016_new_pkey"/); t = substr($0, RSTART + 1, RLENGTH - 2)
			sub(/_131016_new_pkey/, "", t); print t "=" mem; mem = ""; next }
		/STATEMENT:/ { mem = "" }' | sort
}
# min_parallel_table_scan_size=0: the server would give even these small
# tables a parallel worker, and the leader's share of the memory shows it
load() {
	local from
	from=$(stat -c %s "$log")
	PGOPTIONS="-c trace_sort=on -c min_parallel_table_scan_size=0 $1" \
		"$IKO" load --db-dir "$pg" --schema jumin --lg-code 131016 --in "$tmp/in" >/dev/null
	key_sorts "$from"
}

cores=$(getconf _NPROCESSORS_ONLN)
# expect_sorts GOT KB LABEL: on <= 2 cores both keys sorted by one process
# with KB. With more the server may add workers (the leader and each
# worker then get KB/2 or KB/3), or launch none (KB): any of them shows the
# memory was KB, which is what iko sets there
expect_sorts() {
	local t
	if [ "$cores" -le 2 ]; then
		expect_eq "$1" "household=$2"$'\n'"resident=$2" "$3, $cores cores: one process"
		return
	fi
	for t in household resident; do
		echo "$1" | grep -Eqx "$t=($2|$(($2 / 2))|$(($2 / 3)))" || fail "$3, $cores cores, $t: [$1]"
	done
}
expect_sorts "$(load "")" 262144 "a server at 64 MB: 256 MB"
expect_sorts "$(load "-c maintenance_work_mem=1GB")" 1048576 "a server at 1 GB: left at 1 GB"
# the rows are all there, and the keys are the tables' primary keys
expect_eq "$(psql -X -q -A -t "$url" \
	-c "select (select count(*) from jumin.resident_131016) || ' ' || (select count(*) from jumin.household_131016) || ' ' ||
	           (select count(*) from pg_constraint where contype = 'p' and conrelid in
	              ('jumin.resident_131016'::regclass, 'jumin.household_131016'::regclass))")" \
	"1000 334 2" "rows and primary keys"
echo "load_settings: ok ($cores cores)"
