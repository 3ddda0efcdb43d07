#!/bin/bash
# rehearse_ahead.sh — the load ahead of validate (docs/load.md, "Ahead of
# validate"): a rehearsal sends each table's rows to the server while
# transform still writes them, and commits only what validate passed.
#  - Every kind of injected defect: the rows loaded, validate's files and
#    the counts are those of the load from validate's files
#    (IKO_LOAD_AHEAD=0); resident went ahead, and the records validate
#    rejected for what only validate can see (keys twice, households
#    without a record or a 世帯主) were sent and deleted before the commit.
#  - The server refuses a row ahead of validate (a CHECK added by an event
#    trigger, against a key validate rejects): resident rolls back and is
#    loaded from validate's file, with the same rows.
#  - A pack whose 世帯員数 has 19 digits (validate passes it; iko's
#    binary COPY carries at most 18): household cannot go ahead, rolls
#    back and is loaded from validate's file, with the same rows as
#    without; resident still goes ahead.
#  - validate's copy of a table that passed whole as transform wrote it is
#    a hard link to transform's file (link_unchanged), also where the load
#    reads it (the wide household); with IKO_LOAD_AHEAD=0 (the load reads
#    validate's files as they are written) every table is written.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
W=$(mktemp -d /tmp/iko-e2e-ahead.XXXXXX)
chmod 755 "$W"
cleanup() {
	"$IKO" db stop --dir "$W/pg" >/dev/null 2>&1 || true
	if [ -f "$W/pg/cluster.path" ]; then rm -rf "$(cat "$W/pg/cluster.path")"; fi
	rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$W"
"$IKO" sample --vendor A --lg-code 435015 --residents 3000 --seed 7 --inject 3 --out dump >/dev/null
cp -r "$IKO_SOURCE_DIR/packs/vendor-a/jumin" wide
sed -i 's|member_count: {from: SETAIIN_SU}|member_count: {from: SETAIIN_SU, steps: [{regex: {pattern: "^.*$", replace: "1000000000000000000"}}]}|' wide/pack.yaml
grep -q 'replace: "1000000000000000000"' wide/pack.yaml || fail "the pack copy was not changed"
project() {
	cat > "$1.yaml" <<YAML
project: ahead
runs: runs-$1
db_dir: pg
municipalities:
  - {lg_code: "435015", name: 錦町, pack: $2, dump: dump}
YAML
}
project std "$IKO_SOURCE_DIR/packs/vendor-a/jumin"
project wide "$W/wide"
# rehearse NAME PROJECT [ENV…]: exit 3 (the injected defects fail checks)
rehearse() {
	local name=$1 p=$2 rc
	shift 2
	set +e
	env "$@" "$IKO" rehearse "$p.yaml" > "out-$name" 2> "err-$name"
	rc=$?
	set -e
	[ $rc -eq 3 ] || fail "$name: exit $rc: $(cat "out-$name" "err-$name")"
}
url=$("$IKO" db start --dir pg)
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$url" -c "$1"; }
gen() {
	q "select count(*) || ':' || md5(string_agg(r::text, '|' order by atena_no)) from jumin.resident r where lg_code = '435015'"
	q "select count(*) || ':' || md5(string_agg(h::text, '|' order by setai_no)) from jumin.household h where lg_code = '435015'"
}
# NAME: how the load went, from the run's manifest: table:ahead:deleted:rows …
how() {
	python3 - "$1"/manifest.json <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
print(" ".join("%s:%s:%d:%d" % (t["table"], str(t["ahead_of_validate"]).lower(), t["deleted_after_validate"], t["rows"])
               for t in m["load"]))
PY
}
# RUN: each table's validate/<table>.csv, "linked" (transform's file) or "written"
links() {
	local t out=""
	for t in resident household; do
		if [ "$(stat -c %d:%i "$1/validate/$t.csv")" = "$(stat -c %d:%i "$1/transform/$t.csv")" ]; then
			out="$out $t:linked"
		else
			out="$out $t:written"
		fi
	done
	echo "${out# }"
}
# RUN: validate's rejects of TABLE (its manifest counts)
vrejected() {
	python3 -c 'import json,sys; print([c["rejected"] for c in json.load(open(sys.argv[1]))["counts"]
	            if c["stage"] == "validate" and c["object"] == sys.argv[2]][0])' "$1/manifest.json" "$2"
}
counts() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["counts"], sort_keys=True))' "$1"; }
# validate's resident rejects: all of them, and those for what only the
# whole file shows (the record itself is well formed, so it was sent)
rejected() {
	python3 - "$1"/validate/rejects.csv <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))
        if r["stage"] == "validate" and r["source"] == "resident" and r["severity"] == "reject"]
whole = {"duplicate-key", "orphan-member", "no-household-head", "many-household-heads"}
print(len(rows), sum(r["reason"] in whole for r in rows))
PY
}

# the standard pack: ahead (A), then from validate's files (B)
rehearse ahead std
GA=$(gen)
rehearse without std IKO_LOAD_AHEAD=0
GB=$(gen)
A=runs-std/435015/R001
B=runs-std/435015/R002
[ "$GA" = "$GB" ] || fail "ahead of validate loaded something else: $GA / $GB"
case "$GA" in 0:*) fail "nothing loaded: $GA";; esac
for f in validate/resident.csv validate/household.csv validate/rejects.csv reconcile/measures.csv reconcile/records.csv; do
	cmp "$A/$f" "$B/$f" || fail "$f differs"
done
[ "$(counts $A/manifest.json)" = "$(counts $B/manifest.json)" ] || fail "counts differ"
read -r all whole < <(rejected $A)
[ "$whole" -gt 0 ] || fail "no whole-file rejects among the injected defects ($all resident rejects)"
ha=$(how $A)
hb=$(how $B)
res_rows=$(echo "$GA" | head -1 | cut -d: -f1)
hh_rows=$(echo "$GA" | tail -1 | cut -d: -f1)
read -r ra hhA <<< "$ha"
IFS=: read -r t ahead deleted rows <<< "$ra"
[ "$t:$ahead:$rows" = "resident:true:$res_rows" ] || fail "resident: $ra (expected ahead, $res_rows rows)"
[ "$deleted" -ge "$whole" ] && [ "$deleted" -le "$all" ] ||
	fail "resident: $deleted rows deleted after validate; it rejected $all, $whole of them for what the whole file shows"
[ "$hhA" = "household:true:0:$hh_rows" ] || fail "household: $hhA (expected ahead, nothing deleted, $hh_rows rows)"
[ "$hb" = "resident:false:0:$res_rows household:false:0:$hh_rows" ] || fail "IKO_LOAD_AHEAD=0: $hb"
grep -q "^rehearsal R001 of 435015 錦町: completed" out-ahead || fail "$(cat out-ahead)"
[ "$(vrejected $A resident) $(vrejected $A household)" = "$all 0" ] ||
	fail "validate's rejects: $(vrejected $A resident) $(vrejected $A household), expected $all 0"
[ "$(links $A)" = "resident:written household:linked" ] || fail "ahead: $(links $A)"
[ "$(links $B)" = "resident:written household:written" ] || fail "IKO_LOAD_AHEAD=0: $(links $B)"
cmp "$A/validate/household.csv" "$A/transform/household.csv" || fail "household differs from transform's"
[ "$(stat -c %a "$A/validate/household.csv")" = 600 ] || fail "household: mode $(stat -c %a "$A/validate/household.csv")"

# the server refuses a row ahead of validate (a CHECK an event trigger adds
# to resident's _new, against a key validate rejects as occurring twice):
# resident rolls back and is loaded from validate's file, which lacks that
# key, with the same rows; household still goes ahead
dupkey=$(python3 - $A/validate/rejects.csv <<'PY'
import csv, sys
print(sorted(r["key"] for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))
             if r["source"] == "resident" and r["reason"] == "duplicate-key")[0])
PY
)
case "$dupkey" in [0-9]*) ;; *) fail "no duplicated key among the injected defects: $dupkey";; esac
psql -X -q -v ON_ERROR_STOP=1 "$url" <<SQL
CREATE FUNCTION refuse_one() RETURNS event_trigger LANGUAGE plpgsql AS \$\$
DECLARE r record;
BEGIN
	FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' LOOP
		IF r.object_identity = 'jumin.resident_435015_new' THEN
			EXECUTE 'ALTER TABLE jumin.resident_435015_new ADD CONSTRAINT refuse_one CHECK (atena_no <> ''$dupkey'')';
		END IF;
	END LOOP;
END \$\$;
CREATE EVENT TRIGGER refuse_one ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION refuse_one();
SQL
rehearse refused std
q "DROP EVENT TRIGGER refuse_one"
[ "$(gen)" = "$GA" ] || fail "refused: another generation: $(gen) / $GA"
[ "$(how runs-std/435015/R003)" = "resident:false:0:$res_rows household:true:0:$hh_rows" ] ||
	fail "refused: $(how runs-std/435015/R003)"
[ "$(q "select count(*) from pg_constraint where conname = 'refuse_one'")" = 1 ] ||
	fail "refused: resident was not loaded through the refusing table"

# 19-digit 世帯員数: household from validate's file, resident ahead
rehearse wide wide
GW=$(gen)
rehearse wide0 wide IKO_LOAD_AHEAD=0
[ "$(gen)" = "$GW" ] || fail "wide: ahead of validate loaded something else: $GW / $(gen)"
[ "$(echo "$GW" | head -1)" = "$(echo "$GA" | head -1)" ] || fail "wide: other residents: $GW"
[ "$(q "select min(member_count) || ' ' || max(member_count) from jumin.household_435015")" = \
	"1000000000000000000 1000000000000000000" ] || fail "wide: 世帯員数 $(q "select min(member_count) from jumin.household_435015")"
hw=$(how runs-wide/435015/R001)
[ "$hw" = "resident:true:$deleted:$res_rows household:false:0:$hh_rows" ] || fail "wide: $hw"
# household from validate's file, which the load read once it was whole (a link)
[ "$(links runs-wide/435015/R001)" = "resident:written household:linked" ] || fail "wide: $(links runs-wide/435015/R001)"
[ "$(links runs-wide/435015/R002)" = "resident:written household:written" ] || fail "wide0: $(links runs-wide/435015/R002)"
[ -z "$(q "select string_agg(relname, ',') from pg_class where relname like '%\_new'")" ] ||
	fail "left behind: $(q "select string_agg(relname, ',') from pg_class where relname like '%\_new'")"
echo "rehearse_ahead: ok"
