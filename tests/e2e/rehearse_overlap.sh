#!/bin/bash
# rehearse_overlap.sh — a rehearsal transforms the extracted files while
# extract still writes them, validates (first pass) the transformed files
# while transform still writes them, and loads transform's files ahead of
# validate (iko_follow; tests/e2e/rehearse_ahead.sh), and reconcile reads the
# loaded rows from the _new tables while the load builds their primary keys
# and analyzes them, before the swap (with IKO_REHEARSE_READ_EARLY=0:
# analyzes the swapped-in tables while reconcile reads them): the same
# files, rows, outputs and counts as one stage after the other
# (IKO_REHEARSE_OVERLAP=0), and the tables have their statistics when it
# ends; a validate that fails after its tables were
# written and copied swaps nothing: the previous generation stays, the _new
# tables are gone, validate's error is the one reported; an extract that
# fails after transform has read its file fails the run at extract, with
# extract's error, and transform leaves nothing under a final name; a
# transform that fails while validate reads its file fails the run at
# transform, with transform's error, and validate leaves nothing.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}" "${IKO_SQLLOG:?}"
W=$(mktemp -d /tmp/iko-e2e-overlap.XXXXXX)
chmod 755 "$W"
pid=
cleanup() {
	# a rehearsal left paused (a failed check): iko, then the shell running it
	[ -n "$pid" ] && kill -9 $(cat /proc/"$pid"/task/*/children 2>/dev/null) "$pid" 2>/dev/null || true
	"$IKO" db stop --dir "$W/pg" >/dev/null 2>&1 || true
	if [ -f "$W/pg/cluster.path" ]; then rm -rf "$(cat "$W/pg/cluster.path")"; fi
	rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$W"
"$IKO" sample --vendor A --lg-code 435015 --residents 4000 --seed 5 --out dump >/dev/null
cat > p.yaml <<YAML
project: overlap
runs: runs
db_dir: pg
municipalities:
  - {lg_code: "435015", name: 錦町, pack: $IKO_SOURCE_DIR/packs/vendor-a/jumin, dump: dump}
YAML
logged() { LD_PRELOAD=$IKO_SQLLOG IKO_SQL_LOG=$W/${SQL_LOG:-sql.log} ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 "$@"; }
counts() { python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(json.dumps(m["counts"], sort_keys=True))' "$1"; }
timings() { python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["status"], sorted(m["timings"]))' "$1"; }

# one stage after the other (R001); the load beside validate, reconcile's
# read-back beside the primary keys and ANALYZE (R002)
IKO_REHEARSE_OVERLAP=0 SQL_LOG=sql1.log logged "$IKO" rehearse p.yaml > out1 || fail "R001: $(cat out1)"
url=$("$IKO" db start --dir pg)
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$url" -c "$1"; }
stats() { q "select count(*) from pg_stats where schemaname = 'jumin' and tablename in ('resident_435015', 'household_435015')"; }
# the order of two statements in a SQL log (line numbers of their first lines)
first_line() { grep -n -m1 "$2" "$1" | cut -d: -f1; }
S1=$(stats)
[ "$S1" -gt 20 ] || fail "R001 left the tables without statistics ($S1 columns)"
[ "$(first_line sql1.log 'ANALYZE "jumin"."resident_435015_new"')" -lt "$(first_line sql1.log 'ATTACH PARTITION "jumin"."resident_435015"')" ] ||
	fail "R001: ANALYZE after the swap"
gen() {
	q "select count(*) || ':' || md5(string_agg(r::text, '|' order by atena_no)) from jumin.resident r where lg_code = '435015'"
	q "select count(*) || ':' || md5(string_agg(h::text, '|' order by setai_no)) from jumin.household h where lg_code = '435015'"
}
G1=$(gen)
SQL_LOG=sql2.log logged "$IKO" rehearse p.yaml > out2 || fail "R002: $(cat out2)"
G2=$(gen)
# the new tables (R002's) have their statistics; each table analyzed once,
# before the swap (as _new)
[ "$(stats)" = "$S1" ] || fail "R002: $(stats) columns with statistics, R001 had $S1"
# analyzed LOG: "before" / "after" the swap per table, in schema order (the
# log holds a statement once per libpq call that passed it on: counts are
# 0 or more, not 0 or 1)
analyzed() {
	local t pre post out=
	for t in resident household; do
		pre=$(grep -c "^ANALYZE \"jumin\".\"${t}_435015_new\"$" "$1" || true)
		post=$(grep -c "^ANALYZE \"jumin\".\"${t}_435015\"$" "$1" || true)
		if [ "$pre" -gt 0 ] && [ "$post" -eq 0 ]; then
			[ "$(first_line "$1" "^ANALYZE \"jumin\".\"${t}_435015_new\"$")" -lt "$(first_line "$1" "ATTACH PARTITION \"jumin\".\"${t}_435015\"")" ] ||
				{ echo "$1: $t analyzed as _new after the swap"; return 1; }
			out="$out before"
		elif [ "$pre" -eq 0 ] && [ "$post" -gt 0 ]; then
			[ "$(first_line "$1" "^ANALYZE \"jumin\".\"${t}_435015\"$")" -gt "$(first_line "$1" "ATTACH PARTITION \"jumin\".\"${t}_435015\"")" ] ||
				{ echo "$1: $t analyzed before its swap"; return 1; }
			out="$out after"
		else
			echo "$1: $t analyzed before the swap ($pre) and after it ($post)"
			return 1
		fi
	done
	echo $out
}
a2=$(analyzed sql2.log) || fail "R002: $a2"
[ "$a2" = "before before" ] || fail "R002: resident and household analyzed $a2 the swap"
# reconcile read the loaded rows from the _new tables, before the swap,
# and not again from the partitions after it; the primary key
# is built as a unique index (readers go on beside it) and becomes the
# constraint in the swap
for t in resident household; do
	n=$(grep -c "^COPY (SELECT .* FROM \"jumin\".\"${t}_435015_new\" WHERE lg_code = '435015') TO STDOUT$" sql2.log || true)
	[ "$n" -ge 1 ] || fail "R002: $t not read back from ${t}_435015_new"
	[ "$(first_line sql2.log "FROM \"jumin\".\"${t}_435015_new\" WHERE lg_code")" -lt \
	  "$(first_line sql2.log "ATTACH PARTITION \"jumin\".\"${t}_435015\"")" ] || fail "R002: $t read back after its swap"
	grep -q "^CREATE UNIQUE INDEX \"${t}_435015_new_pkey\" ON \"jumin\".\"${t}_435015_new\" (\"lg_code\", " sql2.log ||
		fail "R002: no unique index on ${t}_435015_new"
	[ "$(first_line sql2.log "^ALTER TABLE \"jumin\".\"${t}_435015_new\" ADD CONSTRAINT \"${t}_435015_new_pkey\" PRIMARY KEY USING INDEX \"${t}_435015_new_pkey\"$")" -lt \
	  "$(first_line sql2.log "ATTACH PARTITION \"jumin\".\"${t}_435015\"")" ] || fail "R002: ${t}'s primary key not made in the swap"
done
! grep -q 'FROM "jumin"."resident" WHERE lg_code' sql2.log || fail "R002: reconcile read the partitions again"
# the generation the swap set aside (R001's, as _old) dropped after it, beside reconcile
last_drop=$(grep -n '^DROP TABLE IF EXISTS "jumin"."resident_435015_old"$' sql2.log | tail -1 | cut -d: -f1)
[ -n "$last_drop" ] && [ "$last_drop" -gt "$(first_line sql2.log 'ATTACH PARTITION "jumin"."resident_435015"')" ] ||
	fail "R002: the generation set aside not dropped after the swap (line ${last_drop:-none})"
[ "$(q "select string_agg(conname, ',' order by conname) from pg_constraint where contype = 'p' and conrelid in ('jumin.resident_435015'::regclass, 'jumin.household_435015'::regclass)")" = \
  "household_435015_pkey,resident_435015_pkey" ] || fail "R002: primary keys $(q "select string_agg(conname, ',') from pg_constraint where contype = 'p'")"
[ "$G1" = "$G2" ] || fail "the overlapped load loaded something else: $G1 / $G2"
case "$G2" in 0:*) fail "nothing loaded: $G2";; esac
for f in extract/JUMIN.csv extract/SETAI.csv extract/JUMIN.csv.rejects.csv transform/resident.csv \
	transform/household.csv transform/resident.legacy.csv transform/household.legacy.csv transform/rejects.csv \
	transform/manifest.json validate/resident.csv validate/household.csv validate/rejects.csv reconcile/measures.csv \
	reconcile/records.csv reconcile/discrepancies.csv; do
	cmp "runs/435015/R001/$f" "runs/435015/R002/$f" || fail "$f differs"
done
[ "$(counts runs/435015/R001/manifest.json)" = "$(counts runs/435015/R002/manifest.json)" ] ||
	fail "counts differ: $(counts runs/435015/R001/manifest.json) / $(counts runs/435015/R002/manifest.json)"
timings runs/435015/R001/manifest.json | grep -q "^completed \['connect', 'extract', 'load', 'reconcile', 'total', 'transform', 'validate'\]$" ||
	fail "R001 manifest: $(timings runs/435015/R001/manifest.json)"
timings runs/435015/R002/manifest.json | grep -q "^completed \['analyze', 'connect', 'extract', 'load', 'read_back', 'reconcile', 'total', 'transform', 'validate'\]$" ||
	fail "R002 manifest: $(timings runs/435015/R002/manifest.json)"
grep -q '"stage": "load", "object": "resident"' runs/435015/R002/manifest.json ||
	grep -A3 '"stage": "load"' runs/435015/R002/manifest.json | grep -q '"object": "resident"' || fail "no load count"

# validate fails after writing both tables (its manifest.json cannot take its
# final name: a directory is there), by which time the load beside it has
# copied them into the _new tables: nothing is swapped
# blocked POINT RUN FILE N [CHECK]: a rehearsal (RUN) paused at POINT,
# CHECK run, a directory put where RUN/FILE is to be committed, resumed;
# its output in outN and errN, its exit status in rc
blocked() {
	rm -f paused resume sql.log
	IKO_TEST_PAUSE=$1 IKO_TEST_PAUSE_FILE=$W/paused IKO_TEST_PAUSE_RESUME=$W/resume \
		logged "$IKO" rehearse p.yaml > "out$4" 2> "err$4" &
	pid=$!
	for _ in $(seq 600); do [ -e paused ] && break; sleep 0.05; done
	[ -e paused ] || fail "$1 never reached: $(cat "err$4")"
	[ -z "${5:-}" ] || "$5"
	mkdir -p "$2/$3/blocked"
	touch resume
	set +e
	wait $pid; rc=$?
	set -e
	pid=
}
run=runs/435015/R003
blocked stage:validate "$run" validate/manifest.json 3
[ $rc -eq 1 ] || fail "failed validate: exit $rc: $(cat out3 err3)"
grep -q "^iko: rehearse: cannot rename $W/$run/validate/manifest.json.tmp.[0-9]* to $W/$run/validate/manifest.json: Is a directory$" err3 ||
	fail "message: $(cat err3)"
grep -q '"failed_stage": "validate"' "$run/manifest.json" || fail "manifest: $(head -c 600 "$run/manifest.json")"
cmp "$run/validate/resident.csv" runs/435015/R002/validate/resident.csv || fail "validate wrote another resident.csv"
# the load copied resident while validate ran, then stopped before the swap
grep -q 'COPY "jumin"."resident_435015_new"' sql.log || fail "the load did not run beside validate: $(grep -c . sql.log) statements"
grep -q 'ATTACH PARTITION' sql.log && fail "the failed rehearsal swapped"
[ "$(gen)" = "$G2" ] || fail "the loaded generation changed"
[ -z "$(q "select string_agg(relname, ',') from pg_class where relname like '%\_new'")" ] ||
	fail "left behind: $(q "select string_agg(relname, ',') from pg_class where relname like '%\_new'")"
! find runs -name '*.tmp.*' | grep -q . || fail "temporary files left: $(find runs -name '*.tmp.*')"

# extract fails when it commits JUMIN.csv (a directory is at its final
# name), after transform beside it has read every record of the file
# failed_at STAGE FILE N NEXT: the blocked run failed at STAGE, committing
# FILE, with that error; the stage after it (NEXT) left no file, nothing
# is left under a temporary name, the loaded generation is R002's
failed_at() {
	[ $rc -eq 1 ] || fail "failed $1: exit $rc: $(cat "out$3" "err$3")"
	grep -q "^iko: rehearse: cannot rename $W/$run/$2.tmp.[0-9]* to $W/$run/$2: Is a directory$" "err$3" ||
		fail "message: $(cat "err$3")"
	grep -q "\"failed_stage\": \"$1\"" "$run/manifest.json" || fail "manifest: $(head -c 600 "$run/manifest.json")"
	[ -z "$(find "$run/$4" -type f -name '*.csv' 2>/dev/null)" ] || fail "$4 left files: $(find "$run/$4" -type f)"
	! find runs -name '*.tmp.*' | grep -q . || fail "temporary files left: $(find runs -name '*.tmp.*')"
	[ "$(gen)" = "$G2" ] || fail "the loaded generation changed"
}
run=runs/435015/R004
blocked commit:JUMIN.csv "$run" extract/JUMIN.csv 4
failed_at extract extract/JUMIN.csv 4 transform

# validate and the load (ahead of validate) read transform's files while
# transform writes them: when transform is about to give household.csv
# its final name (written, synced and closed), validate and the load have
# it open under its temporary name, waiting for the commit; transform then
# fails at that commit (a directory is at its final name): the run fails
# at transform, with transform's error, validate leaves nothing under a
# final name and the load swaps nothing
run=runs/435015/R005
readers() { find /proc/[0-9]*/fd -lname "$W/$run/transform/household.csv.tmp.*" 2>/dev/null | wc -l; }
validate_reading() {
	for _ in $(seq 600); do [ "$(readers)" -ge 2 ] && break; sleep 0.05; done
	[ "$(readers)" = 2 ] || fail "transform/household.csv is open $(readers) times before its commit, not twice (validate, the load)"
}
blocked commit:household.csv "$run" transform/household.csv 5 validate_reading
failed_at transform transform/household.csv 5 validate

# with IKO_REHEARSE_READ_EARLY=0 (reconcile reads the tables after the
# swap, ANALYZE beside it): the load holds resident after its COPY (before
# its primary key) until household, copied and indexed on the other
# connection in the meantime, is being analyzed as household_435015_new:
# that ANALYZE ran beside resident's load, before the swap; resident, done
# last, is analyzed after the swap; the rows and the statistics are R002's
rm -f paused resume
IKO_REHEARSE_READ_EARLY=0 IKO_TEST_PAUSE=copied:resident IKO_TEST_PAUSE_FILE=$W/paused IKO_TEST_PAUSE_RESUME=$W/resume \
	SQL_LOG=sql6.log logged "$IKO" rehearse p.yaml > out6 2> err6 &
pid=$!
for _ in $(seq 600); do [ -e paused ] && break; sleep 0.05; done
[ -e paused ] || fail "copied:resident never reached: $(cat err6)"
# (the SQL log, not pg_stats: autovacuum may analyze a committed _new table too)
hh_new() { grep -q '^ANALYZE "jumin"."household_435015_new"$' sql6.log 2>/dev/null; }
for _ in $(seq 600); do hh_new && break; sleep 0.05; done
hh_new || fail "household_435015_new was not analyzed while resident's load was held: $(grep -c . sql6.log) statements"
touch resume
wait $pid || fail "R006: $(cat out6 err6)"
pid=
a6=$(analyzed sql6.log) || fail "R006: $a6"
[ "$a6" = "after before" ] || fail "R006: resident and household analyzed $a6 the swap"
[ "$(stats)" = "$S1" ] || fail "R006: $(stats) columns with statistics, R001 had $S1"
[ "$(gen)" = "$G2" ] || fail "R006 loaded something else: $(gen)"
grep -q "^rehearsal R006 of 435015 錦町: completed" out6 || fail "R006: $(cat out6)"
grep -q 'FROM "jumin"."resident" WHERE lg_code' sql6.log || fail "R006: reconcile did not read the swapped-in partition"
! grep -q 'FROM "jumin"."resident_435015_new" WHERE lg_code' sql6.log || fail "R006: reconcile read the _new table"
for f in reconcile/measures.csv reconcile/records.csv reconcile/discrepancies.csv; do
	cmp runs/435015/R002/$f runs/435015/R006/$f || fail "R006: $f differs from R002's"
done
# R006's swap set R001's generation (_prev until then) aside as _old, and
# it was dropped after the swap's commit, beside reconcile, after the
# ANALYZE on that connection: none is left, _prev is R002's
[ "$(first_line sql6.log 'RENAME TO "resident_435015_old"')" -lt "$(first_line sql6.log 'ATTACH PARTITION "jumin"."resident_435015"')" ] ||
	fail "R006: resident's generation before _prev not set aside in the swap"
last_drop=$(grep -n '^DROP TABLE IF EXISTS "jumin"."resident_435015_old"$' sql6.log | tail -1 | cut -d: -f1)
[ -n "$last_drop" ] && [ "$last_drop" -gt "$(first_line sql6.log '^ANALYZE "jumin"."resident_435015"$')" ] ||
	fail "R006: the generation set aside was not dropped after the ANALYZE (line ${last_drop:-none})"
[ "$(q "select count(*) from pg_class where relname like '%\_old%'")" = 0 ] ||
	fail "R006 left $(q "select string_agg(relname, ',') from pg_class where relname like '%\_old%'")"
[ "$(q "select count(*) from jumin.resident_435015_prev")" = "${G2%%:*}" ] || fail "R006: _prev is not R002's"

# the read-back before the swap fails half way: it has read resident from
# resident_435015_new, and its connection is cut before household; the
# load swaps all the same and reconcile reads every table again from the
# swapped-in partitions: the same outputs as R002, no read_back time
rm -f paused resume
IKO_TEST_PAUSE=reconcile-read:household IKO_TEST_PAUSE_FILE=$W/paused IKO_TEST_PAUSE_RESUME=$W/resume \
	SQL_LOG=sql7.log logged "$IKO" rehearse p.yaml > out7 2> err7 &
pid=$!
for _ in $(seq 600); do [ -e paused ] && break; sleep 0.05; done
[ -e paused ] || fail "reconcile-read:household never reached: $(cat err7)"
grep -q 'FROM "jumin"."resident_435015_new" WHERE lg_code' sql7.log || fail "R007: resident not read back from _new first"
cut=$(q "select count(pg_terminate_backend(pid)) from pg_stat_activity where query like 'RESET enable_bitmapscan%' and pid <> pg_backend_pid()")
[ "$cut" = 1 ] || fail "R007: $cut read-back connections cut, not 1"
touch resume
wait $pid || fail "R007: $(cat out7 err7)"
pid=
grep -q "^rehearsal R007 of 435015 錦町: completed" out7 || fail "R007: $(cat out7)"
for t in resident household; do
	[ "$(first_line sql7.log "FROM \"jumin\".\"${t}\" WHERE lg_code")" -gt \
	  "$(first_line sql7.log "ATTACH PARTITION \"jumin\".\"${t}_435015\"")" ] || fail "R007: $t not read again after the swap"
done
for f in reconcile/measures.csv reconcile/records.csv reconcile/discrepancies.csv; do
	cmp runs/435015/R002/$f runs/435015/R007/$f || fail "R007: $f differs from R002's"
done
timings runs/435015/R007/manifest.json | grep -q "^completed \['analyze', 'connect', 'extract', 'load', 'reconcile', 'total', 'transform', 'validate'\]$" ||
	fail "R007 manifest: $(timings runs/435015/R007/manifest.json)"
[ "$(gen)" = "$G2" ] || fail "R007 loaded something else: $(gen)"
echo "rehearse_overlap: ok"
