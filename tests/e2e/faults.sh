#!/bin/bash
# Fault injection (issue 9): a full disk while writing outputs, corrupt and
# truncated zip input, unreadable input, SIGINT/SIGTERM in every stage of a
# rehearsal, and PostgreSQL stopped in the middle of a load. Each time: a
# clear error, a non-zero exit, no partial file under a final name (nor a
# temporary one left behind), no partial load — and a rerun that succeeds.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
W=$(mktemp -d /tmp/iko-e2e-faults.XXXXXX)
chmod 755 "$W"
FULL=$W/full
mkdir -p "$FULL"
MODE=fsize
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=64k,mode=0777 tmpfs "$FULL" 2>/dev/null; then MODE=tmpfs; fi
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
	"$IKO" db stop --dir "$W/pg" >/dev/null 2>&1 || true
	[ "$MODE" = tmpfs ] && umount "$FULL" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
L=$IKO_SOURCE_DIR/packs/vendor-a/jumin/layouts/JUMIN.yaml
cd "$W"
"$IKO" sample --vendor A --lg-code 435015 --residents 1500 --seed 3 --out dump >/dev/null

# a full disk: a 64 KiB tmpfs (as root), else a 32 KiB file size limit —
# both make the writes fail part way
on_full() {
	if [ "$MODE" = tmpfs ]; then "$@"; else bash -c 'trap "" XFSZ; ulimit -f 32; exec "$@"' _ "$@"; fi
}
nospace="No space left on device|File too large"
set +e
on_full "$IKO" extract --layout "$L" --input dump/JUMIN.DAT --gaiji dump/GAIJI.CSV --out "$FULL/JUMIN.csv" > out 2> err; rc=$?
set -e
[ $rc -eq 1 ] || fail "extract on a full disk: exit $rc: $(cat err)"
grep -Eq "^iko: extract: cannot write $FULL/JUMIN.csv.*: ($nospace)$" err || fail "$(cat err)"
[ -z "$(ls -A "$FULL")" ] || fail "left behind: $(ls -A "$FULL")"
set +e
on_full "$IKO" sample --vendor A --lg-code 435015 --residents 1500 --seed 3 --out "$FULL/dump" > out 2> err; rc=$?
set -e
[ $rc -eq 1 ] && grep -Eq "^iko: sample: cannot write .*($nospace)$" err || fail "sample: $rc $(cat err)"
[ -z "$(ls -A "$FULL/dump")" ] || fail "sample left: $(ls -A "$FULL/dump")"
"$IKO" extract --layout "$L" --input dump/JUMIN.DAT --gaiji dump/GAIJI.CSV --out x/JUMIN.csv > /dev/null
"$IKO" extract --layout "$IKO_SOURCE_DIR/packs/vendor-a/jumin/layouts/SETAI.yaml" --input dump/SETAI.DAT --out x/SETAI.csv > /dev/null
set +e
on_full "$IKO" transform --pack "$IKO_SOURCE_DIR/packs/vendor-a/jumin" --lg-code 435015 --in x --out "$FULL/t" > out 2> err; rc=$?
set -e
[ $rc -eq 1 ] && grep -Eq "^iko: transform: .*($nospace)$" err || fail "transform: $rc $(cat err)"
if find "$FULL" -type f | grep -q .; then fail "transform left: $(find "$FULL" -type f)"; fi
# the rerun with room succeeds
"$IKO" transform --pack "$IKO_SOURCE_DIR/packs/vendor-a/jumin" --lg-code 435015 --in x --out t > /dev/null || fail "transform rerun"
[ -s t/resident.csv ] || fail "no resident.csv"

# zip input: truncated (not an archive any more) and corrupt (bad deflate data)
/usr/bin/python3 - <<'PY'
import zipfile
with zipfile.ZipFile("d.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write("dump/JUMIN.DAT", "JUMIN.DAT")
b = open("d.zip", "rb").read()
open("trunc.zip", "wb").write(b[: len(b) // 2])
c = bytearray(b)
for i in range(2000, 2100):
    c[i] ^= 0x55
open("corrupt.zip", "wb").write(bytes(c))
PY
set +e
"$IKO" extract --layout "$L" --input trunc.zip:JUMIN.DAT --out z1.csv > out 2> err; rc=$?
[ $rc -eq 1 ] && grep -qx "iko: extract: cannot open trunc.zip: Not a zip archive" err || fail "truncated zip: $rc $(cat err)"
"$IKO" extract --layout "$L" --input corrupt.zip:JUMIN.DAT --out z2.csv > out 2> err; rc=$?
[ $rc -eq 1 ] && grep -Eq "^iko: extract: cannot read corrupt.zip:JUMIN.DAT \(byte offset [0-9]+\): Zlib error: data error$" err || fail "corrupt zip: $rc $(cat err)"
set -e
ls z1.csv* z2.csv* 2>/dev/null && fail "outputs of a failed extract exist"
"$IKO" extract --layout "$L" --input d.zip:JUMIN.DAT --gaiji dump/GAIJI.CSV --out z3.csv > /dev/null || fail "good zip"
cmp <(tail -n +2 z3.csv) <(tail -n +2 x/JUMIN.csv) || fail "zip extract differs"

# unreadable input (as an unprivileged user when root: root reads anything)
cp dump/JUMIN.DAT secret.DAT
chmod 000 secret.DAT
as_user() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }
set +e
as_user "$IKO" extract --layout "$L" --input "$W/secret.DAT" --out /tmp/iko-faults-never.csv > out 2> err; rc=$?
[ $rc -eq 1 ] && grep -qx "iko: extract: cannot open $W/secret.DAT: Permission denied" err || fail "unreadable: $rc $(cat err)"
"$IKO" extract --layout "$L" --input dump --out d.csv > out 2> err; rc=$?
[ $rc -eq 1 ] && grep -qx "iko: extract: cannot open dump: Is a directory" err || fail "a directory as input: $rc $(cat err)"
set -e
[ ! -e /tmp/iko-faults-never.csv ] || fail "output of an unreadable input"

# a rehearsal project; R001 is the good generation every interruption must keep
cat > p.yaml <<YAML
project: faults
runs: runs
db_dir: pg
municipalities:
  - {lg_code: "435015", name: 錦町, pack: $IKO_SOURCE_DIR/packs/vendor-a/jumin, dump: dump}
YAML
"$IKO" rehearse p.yaml > out || fail "R001: $(cat out)"
url=$("$IKO" db start --dir pg)
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$url" -c "$1"; }
gen() { q "select count(*) || ':' || md5(string_agg(r::text, '|' order by atena_no)) from jumin.resident r where lg_code = '435015'"; }
GOOD=$(gen)
no_tmp() { ! find runs -name '*.tmp.*' | grep -q .; }

# interrupt at a point of every stage: SIGINT or SIGTERM, alternately
n=0
for point in commit:JUMIN.csv stage:transform commit:resident.csv stage:validate stage:load \
	copied:resident indexed:household swap-begin stage:reconcile commit:discrepancies.xlsx commit:evidence.zip; do
	n=$((n + 1))
	sig=$([ $((n % 2)) = 1 ] && echo INT || echo TERM)
	rm -f paused
	IKO_TEST_PAUSE=$point IKO_TEST_PAUSE_FILE=$W/paused "$IKO" rehearse p.yaml > out 2> err &
	pid=$!
	for _ in $(seq 600); do [ -e paused ] && break; sleep 0.05; done
	[ -e paused ] || fail "$point: never reached: $(cat err)"
	kill -s $sig $pid
	set +e
	wait $pid; rc=$?
	set -e
	pid=
	want=$([ $sig = INT ] && echo 130 || echo 143)
	[ $rc -eq "$want" ] || fail "$point: SIG$sig: exit $rc (want $want): $(cat err)"
	grep -q "^iko: interrupted by SIG$sig: temporary files removed, nothing partial left under a final name; an unfinished load is rolled back$" err ||
		fail "$point: message: $(cat err)"
	no_tmp || fail "$point: temporary files left: $(find runs -name '*.tmp.*')"
	case $point in commit:*) f=${point#commit:}
		run=$(ls -d runs/435015/R* | tail -1)
		[ -z "$(find "$run" -name "$f")" ] || fail "$point: $f exists under its final name in $run";;
	esac
	[ "$(gen)" = "$GOOD" ] || fail "$point: the loaded generation changed"
done

# PostgreSQL stopped in the middle of a load: a clear error, nothing loaded
rm -f paused resume
IKO_TEST_PAUSE=copied:resident IKO_TEST_PAUSE_FILE=$W/paused IKO_TEST_PAUSE_RESUME=$W/resume \
	"$IKO" rehearse p.yaml > out 2> err &
pid=$!
for _ in $(seq 600); do [ -e paused ] && break; sleep 0.05; done
[ -e paused ] || fail "load never reached: $(cat err)"
"$IKO" db stop --dir pg > /dev/null
touch resume
set +e
wait $pid; rc=$?
set -e
pid=
[ $rc -eq 1 ] || fail "server stopped: exit $rc: $(cat err)"
grep -Eq "^iko: rehearse: .*(terminat|server closed the connection|connection)" err || fail "server stopped: $(cat err)"
run=$(ls -d runs/435015/R* | tail -1)
grep -q '"failed_stage": "load"' "$run/manifest.json" || fail "the manifest does not record the failed load: $(head -c 600 "$run/manifest.json")"
no_tmp || fail "server stopped: temporary files left"
url=$("$IKO" db start --dir pg)
[ "$(gen)" = "$GOOD" ] || fail "server stopped: the loaded generation changed"

# and a rerun succeeds, loading the same data again
"$IKO" rehearse p.yaml > out || fail "rerun: $(cat out)"
grep -q ": completed$" out || fail "$(cat out)"
[ "$(gen)" = "$GOOD" ] || fail "rerun loaded something else"
echo "faults: ok ($MODE)"
