# tests/e2e/lib/db.sh — sourced by the end-to-end tests that need a
# database: . "$(dirname "$0")/lib/db.sh"
#
# Makes $tmp (a fresh directory) and names $pg ($tmp/pg) for a throwaway
# embedded server, which db_start starts ($url: its connection string). On
# exit it runs the test's own on_exit (if the test defines one), stops the
# server, and removes its cluster and $tmp. fail, expect_eq and q (one
# statement, unaligned, tuples only) are the tests' shared helpers.
: "${IKO:?IKO must point at the iko binary}"
tmp=$(mktemp -d)
pg="$tmp/pg"
url=
cleanup() {
	if declare -F on_exit >/dev/null; then on_exit || true; fi
	"$IKO" db stop --dir "$pg" >/dev/null 2>&1 || true
	if [ -f "$pg/cluster.path" ]; then rm -rf "$(cat "$pg/cluster.path")"; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected [$2], got [$1]"; }
db_start() { url=$("$IKO" db start --dir "$pg"); }
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$url" -c "$1"; }
