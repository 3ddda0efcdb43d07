#!/bin/bash
# Progress on a terminal (issue 7): on a tty (script(1) gives one) a
# rehearsal shows, per stage, the records done of the expected total, the
# rate and the ETA; with stderr not a terminal it shows nothing.
set -euo pipefail
: "${IKO:?}" "${IKO_SOURCE_DIR:?}"
W=$(mktemp -d /tmp/iko-e2e-progress.XXXXXX)
chmod 755 "$W"
cleanup() { "$IKO" db stop --dir "$W/pg" >/dev/null 2>&1 || true; rm -rf "$W"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v script >/dev/null || fail "script(1) (bsdutils) is missing"
cd "$W"
# the input is made by the plain binary also when iko runs under valgrind
"${IKO_REAL:-$IKO}" sample --vendor A --lg-code 435015 --residents 60000 --seed 9 --out dump >/dev/null
cat > p.yaml <<YAML
project: progress
runs: runs
db_dir: pg
municipalities:
  - {lg_code: "435015", name: 錦町, pack: $IKO_SOURCE_DIR/packs/vendor-a/jumin, dump: dump}
YAML
"$IKO" rehearse p.yaml > out 2> err || fail "rehearse: $(cat err)"
[ ! -s err ] || fail "progress without a terminal: $(head -c 300 err)"
script -qec "\"$IKO\" rehearse p.yaml" /dev/null > tty.out 2>&1 || fail "rehearse on a tty: $(tail -5 tty.out)"
tr '\r' '\n' < tty.out > lines
# every stage shows records done of its expected total; validate, whose
# second pass runs after transform, its rate and ETA too. (Transform's
# own reports are held while extract, in front of it, shows its own: when
# it keeps pace with extract it shows only its last, so its rate is
# checked below, in a run of one stage after the other.)
for stage in extract transform validate load; do
	grep -Eq "^$stage +[0-9]+/[0-9]+ records" lines || fail "no $stage progress with a total: $(grep "^$stage" lines | head -3)"
done
grep -Eq "^validate +[0-9]+/[0-9]+ records +[0-9]+ rec/s +ETA +[0-9]+s" lines ||
	fail "no validate progress with a rate and ETA: $(grep "^validate" lines | head -3)"
grep -q "^rehearsal R002 of 435015 錦町: completed" lines || fail "$(tail -20 lines)"
# one stage after the other (R003): transform and validate, each alone,
# show their rate and ETA
script -qec "IKO_REHEARSE_OVERLAP=0 \"$IKO\" rehearse p.yaml" /dev/null > tty0.out 2>&1 ||
	fail "rehearse on a tty, stages one after the other: $(tail -5 tty0.out)"
tr '\r' '\n' < tty0.out > lines0
for stage in transform validate; do
	grep -Eq "^$stage +[0-9]+/[0-9]+ records +[0-9]+ rec/s +ETA +[0-9]+s" lines0 ||
		fail "no $stage progress with a rate and ETA: $(grep "^$stage" lines0 | head -3)"
done
grep -q "^rehearsal R003 of 435015 錦町: completed" lines0 || fail "$(tail -20 lines0)"
# the estimated total of the first file of transform is close to the real count
real=$(( $(wc -l < runs/435015/R001/transform/resident.csv) - 1 ))
est=$(grep -E "^transform +[0-9]+/[0-9]+ records" lines0 | head -1 | sed -E 's/^transform +[0-9]+\/([0-9]+) .*/\1/')
real_in=$(grep -E '"stage": "transform"' -A4 runs/435015/R003/manifest.json | grep -m1 '"in"' | grep -oE '[0-9]+')
diff=$(( est > real_in ? est - real_in : real_in - est ))
[ $((diff * 100)) -le "$real_in" ] || fail "estimated $est records, read $real_in (more than 1% off)"
echo "progress: ok (estimate $est for $real_in; $real written)"
