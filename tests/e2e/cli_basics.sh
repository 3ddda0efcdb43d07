#!/bin/bash
# The iko command table: help, version, exit codes and exact error texts.
set -euo pipefail
: "${IKO:?}"
W=$(mktemp -d /tmp/iko-e2e-cli.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# expect CODE STDOUT-FILE STDERR-FILE -- command...
run() {
	local want=$1; shift
	set +e
	"$@" >"$W/out" 2>"$W/err"
	local got=$?
	set -e
	[ "$got" -eq "$want" ] || { cat "$W/out" "$W/err"; fail "$* exited $got, expected $want"; }
}

run 0 "$IKO" --version
[ "$(cat "$W/out")" = "iko 0.1.0" ] || fail "version: $(cat "$W/out")"
run 0 "$IKO" version
[ "$(cat "$W/out")" = "iko 0.1.0" ] || fail "version command"

run 0 "$IKO" help
cp "$W/out" "$W/help"
for c in demo sample extract transform validate load reconcile rehearse db schema; do
	grep -q "^  $c " "$W/help" || fail "help does not list $c"
	run 0 "$IKO" "$c" --help
	head -1 "$W/out" | grep -q "^usage: iko $c" || fail "$c --help: $(head -1 "$W/out")"
	grep -q "not implemented" "$W/out" && fail "$c is still a placeholder"
	run 0 "$IKO" help "$c"
done

run 2 "$IKO"
run 2 "$IKO" nope
[ "$(head -1 "$W/err")" = "iko: unknown command: nope" ] || fail "unknown command: $(cat "$W/err")"

run 2 "$IKO" extract --bogus
[ "$(head -1 "$W/err")" = "iko: extract: unknown option: --bogus" ] || fail "$(cat "$W/err")"
[ "$(sed -n 2p "$W/err")" = "Run \`iko extract --help\` for usage." ] || fail "$(cat "$W/err")"
run 2 "$IKO" extract
[ "$(head -1 "$W/err")" = "iko: extract: missing --layout" ] || fail "$(cat "$W/err")"
run 2 "$IKO" extract --layout x --input y --out z --on-error maybe
[ "$(head -1 "$W/err")" = "iko: extract: --on-error must be reject or stop, not maybe" ] || fail "$(cat "$W/err")"
run 1 "$IKO" extract --layout "$W/none.yaml" --input "$W/none.dat" --out "$W/o.csv"
[ "$(cat "$W/err")" = "iko: extract: cannot open $W/none.yaml: No such file or directory" ] || fail "$(cat "$W/err")"
run 2 "$IKO" transform --pack x --lg-code 123456 --in a --out b
[ "$(cat "$W/err")" = "iko: transform: invalid 団体コード 123456 (6 digits with a valid check digit)" ] || fail "$(cat "$W/err")"
run 2 "$IKO" transform --pack x --in a --out b
[ "$(head -1 "$W/err")" = "iko: transform: missing --lg-code" ] || fail "$(cat "$W/err")"
run 2 "$IKO" validate --in a
[ "$(head -1 "$W/err")" = "iko: validate: missing --out" ] || fail "$(cat "$W/err")"
run 1 "$IKO" validate --in "$W/nothing" --out "$W/v"
[ "$(cat "$W/err")" = "iko: validate: $W/nothing: no CSV for any table of schema jumin" ] || fail "$(cat "$W/err")"
run 1 "$IKO" rehearse "$W/missing.yaml"
[ "$(cat "$W/err")" = "iko: rehearse: cannot open $W/missing.yaml: No such file or directory" ] || fail "$(cat "$W/err")"
printf 'project: x\nmunicipalities:\n  - {lg_code: "131017", pack: p, dump: d}\n' > "$W/bad.yaml"
run 1 "$IKO" rehearse "$W/bad.yaml"
[ "$(cat "$W/err")" = "iko: rehearse: $W/bad.yaml:3: lg_code must be a 6-digit 団体コード with a valid check digit" ] || fail "$(cat "$W/err")"
run 2 "$IKO" schema frob
[ "$(head -1 "$W/err")" = "iko: schema: unknown subcommand: frob" ] || fail "$(cat "$W/err")"
run 0 "$IKO" schema show
grep -q "^table resident (住民)" "$W/out" || fail "schema show"
run 0 "$IKO" schema ddl
grep -q 'PARTITION BY LIST ("lg_code")' "$W/out" || fail "schema ddl"
run 1 "$IKO" schema show nope
[ "$(cat "$W/err")" = "iko: schema: no schema named nope ($IKO_SOURCE_DIR/schema/nope.yaml)" ] || fail "$(cat "$W/err")"
# The checked-in schema doc is what `iko schema doc` writes.
for s in jumin kojin_juminzei kotei_shisanzei; do
	run 0 "$IKO" schema doc $s
	diff -u "$IKO_SOURCE_DIR/docs/schema/$s.md" "$W/out" || fail "docs/schema/$s.md is stale: regenerate with iko schema doc $s"
done
# libpq is loaded by the commands that need it, when they need it
# (load/iko_libpq.c): without it they say so, and the others do not mind
NOPQ=$W/nowhere/libpq.so.5
msg="cannot load the PostgreSQL client library: $NOPQ: cannot open shared object file: No such file or directory (apt-get install libpq5)"
run 1 env IKO_LIBPQ="$NOPQ" "$IKO" db status --dir "$W/pg"
[ "$(cat "$W/err")" = "iko: db status: $msg" ] || fail "db status without libpq: $(cat "$W/err")"
run 1 env IKO_LIBPQ="$NOPQ" "$IKO" db start --dir "$W/pg"
[ "$(cat "$W/err")" = "iko: db start: $msg" ] || fail "db start without libpq: $(cat "$W/err")"
[ ! -e "$W/pg" ] || fail "db start without libpq made $W/pg"
run 1 env IKO_LIBPQ="$NOPQ" "$IKO" load --db "host=$W/nosocket" --schema jumin --lg-code 131016 --in "$W"
[ "$(cat "$W/err")" = "iko: load: $msg" ] || fail "load without libpq: $(cat "$W/err")"
run 0 env IKO_LIBPQ="$NOPQ" "$IKO" sample --vendor A --lg-code 131016 --residents 20 --seed 1 --out "$W/nopq"
run 0 env IKO_LIBPQ="$NOPQ" "$IKO" extract --layout "$IKO_SOURCE_DIR/packs/vendor-a/jumin/layouts/JUMIN.yaml" \
	--input "$W/nopq/JUMIN.DAT" --gaiji "$W/nopq/GAIJI.CSV" --out "$W/nopq/JUMIN.csv"
n=$(($(stat -c %s "$W/nopq/JUMIN.DAT") / 282)) # 280-byte records + CRLF
grep -q ": $n read, $n written, 0 rejected" "$W/err" || fail "extract without libpq: $(cat "$W/err")"
# libzip and libxlsxwriter are loaded the same way (common/iko_libzip.c,
# reports/iko_libxlsxwriter.c): a zip input or a workbook without them says
# which library and which package; a plain input does not need them
NOZIP=$W/nowhere/libzip.so.4
( cd "$W/nopq" && /usr/bin/python3 -c "import zipfile; zipfile.ZipFile('dump.zip', 'w').write('JUMIN.DAT')" )
run 1 env IKO_LIBZIP="$NOZIP" "$IKO" extract --layout "$IKO_SOURCE_DIR/packs/vendor-a/jumin/layouts/JUMIN.yaml" \
	--input "$W/nopq/dump.zip:JUMIN.DAT" --out "$W/nopq/Z.csv"
[ "$(cat "$W/err")" = "iko: extract: cannot open $W/nopq/dump.zip: cannot load the zip library: $NOZIP: cannot open shared object file: No such file or directory (apt-get install libzip4)" ] ||
	fail "extract from a zip without libzip: $(cat "$W/err")"
[ ! -e "$W/nopq/Z.csv" ] || fail "extract without libzip wrote Z.csv"
run 0 "$IKO" extract --layout "$IKO_SOURCE_DIR/packs/vendor-a/jumin/layouts/JUMIN.yaml" \
	--input "$W/nopq/dump.zip:JUMIN.DAT" --gaiji "$W/nopq/GAIJI.CSV" --out "$W/nopq/Z.csv"
cmp -s "$W/nopq/Z.csv" "$W/nopq/JUMIN.csv" || fail "extract from the zip differs from the plain file's"
NOXLSX=$W/nowhere/libxlsxwriter.so.4
run 1 env IKO_LIBXLSXWRITER="$NOXLSX" IKO_LIBZIP="$NOZIP" "$IKO" schedule "$IKO_SOURCE_DIR/examples/2012-miyazaki-kumamoto/plan.yaml" --out "$W/sched"
[ "$(cat "$W/err")" = "iko: schedule: cannot load the xlsx writer library: $NOXLSX: cannot open shared object file: No such file or directory (apt-get install libxlsxwriter4)" ] ||
	fail "schedule without libxlsxwriter: $(cat "$W/err")"
[ ! -e "$W/sched/schedule.xlsx" ] || fail "schedule without libxlsxwriter wrote schedule.xlsx"
run 0 env IKO_LIBZIP="$NOZIP" IKO_LIBPQ="$NOPQ" "$IKO" schedule "$IKO_SOURCE_DIR/examples/2012-miyazaki-kumamoto/plan.yaml" --out "$W/sched"
[ -s "$W/sched/schedule.xlsx" ] || fail "schedule.xlsx not written"
echo "cli_basics: ok"
