#!/usr/bin/env bash
# db_server.sh — `iko db start|stop|status|url`: the embedded PostgreSQL
# server. Checks idempotency, exit codes, exact status text, that psql can
# connect with the url, that there is no TCP listener, and the relocation
# rules (parent not traversable by the server user, socket path too long;
# an existing cluster is never replaced by a second one elsewhere).
set -euo pipefail

: "${IKO:?IKO must point at the iko binary}"
tmp=$(mktemp -d)
tmp2=$(mktemp -d /var/tmp/iko-e2e.XXXXXX)
chmod 755 "$tmp2"
dirs=("$tmp/pg" "$tmp2/pg" "$tmp2/long")
cleanup() {
	local d
	for d in "${dirs[@]}"; do
		"$IKO" db stop --dir "$d" >/dev/null 2>&1 || true
		if [ -f "$d/cluster.path" ]; then
			rm -rf "$(cat "$d/cluster.path")"
		fi
	done
	rm -rf "$tmp" "$tmp2"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected [$2], got [$1]"; }
PSQL=(psql -X -q -A -t -v ON_ERROR_STOP=1)

# --- usage errors ----------------------------------------------------------
set +e
"$IKO" db >/dev/null 2>"$tmp/err"; rc=$?
set -e
expect_eq "$rc" 2 "db without action exit code"
expect_eq "$(head -1 "$tmp/err")" "iko: db: expected one action: start, stop, status or url" "db usage text"
set +e
"$IKO" db restart --dir "$tmp/pg" >/dev/null 2>"$tmp/err"; rc=$?
set -e
expect_eq "$rc" 2 "unknown action exit code"
expect_eq "$(head -1 "$tmp/err")" "iko: db: unknown action: restart" "unknown action text"
"$IKO" db --help | grep -q '^usage: iko db start' || fail "db --help"

# --- stopped before the first start ----------------------------------------
set +e
out=$("$IKO" db status --dir "$tmp/pg"); rc=$?
set -e
expect_eq "$rc" 3 "status before start"
expect_eq "$(echo "$out" | head -1)" "status: stopped" "status before start text"

# --- start, idempotent -----------------------------------------------------
url=$("$IKO" db start --dir "$tmp/pg")
url2=$("$IKO" db start --dir "$tmp/pg")
expect_eq "$url2" "$url" "second start prints the same url"
expect_eq "$("$IKO" db url --dir "$tmp/pg")" "$url" "db url"

if [ "$(id -u)" = 0 ]; then
	# $tmp is root's 0700 mktemp dir: the server user cannot reach it.
	[ -f "$tmp/pg/cluster.path" ] || fail "cluster.path not written when relocating"
	root=$(cat "$tmp/pg/cluster.path")
	case "$root" in /var/tmp/iko-pg-????????????) ;; *) fail "relocated root: $root" ;; esac
	owner=$(stat -c %U "$root/data")
	[ "$owner" = postgres ] || [ "$owner" = nobody ] || fail "data dir owned by $owner"
else
	root="$tmp/pg"
fi
expect_eq "$url" "host=$root/socket port=5432 dbname=iko user=iko" "url text"
status=$("$IKO" db status --dir "$tmp/pg")
expect_eq "$status" "status: running
url: $url
data: $root/data" "status text"

# psql connects with the url; only the unix socket is configured.
expect_eq "$("${PSQL[@]}" "$url" -c "select current_user || ' ' || current_database()")" \
	"iko iko" "psql as iko on database iko"
expect_eq "$("${PSQL[@]}" "$url" -c "show listen_addresses")" "" "no TCP listener"
expect_eq "$("${PSQL[@]}" "$url" -c "show server_encoding")" "UTF8" "server encoding"
"${PSQL[@]}" "$url" -c "create table keep_me (x int); insert into keep_me values (42)"

# --- stop, idempotent; data survives a restart --------------------------------
out=$("$IKO" db stop --dir "$tmp/pg")
expect_eq "$out" "" "stop prints nothing"
"$IKO" db stop --dir "$tmp/pg"
set +e
status=$("$IKO" db status --dir "$tmp/pg"); rc=$?
set -e
expect_eq "$rc" 3 "status after stop exit code"
expect_eq "$status" "status: stopped
url: $url
data: $root/data" "status after stop text"
set +e
"${PSQL[@]}" "$url" -c "select 1" >/dev/null 2>&1; rc=$?
set -e
[ "$rc" != 0 ] || fail "psql connected to a stopped server"
expect_eq "$("$IKO" db start --dir "$tmp/pg")" "$url" "restart url"
expect_eq "$("${PSQL[@]}" "$url" -c "select x from keep_me")" "42" "data kept over restart"

# --- a command that connects with --dir (iko load here): straight to the
# database of a server that is up; a server up without the database iko, or
# a stopped one, it completes or starts as `iko db start` does ------------------
mkdir -p "$tmp/in"
printf 'lg_code,atena_no,setai_no,jumin_shubetsu,jumin_jotai,name,sex,birth_date_unknown,zokugara_code,city_code,shien_sochi\n131016,1001,5001,1,1,名前,1,0,02,131016,0\n' > "$tmp/in/resident.csv"
printf 'lg_code,setai_no,head_atena_no,member_count\n131016,5001,1001,1\n' > "$tmp/in/household.csv"
loaded="jumin.resident_131016: 1 rows
jumin.household_131016: 1 rows"
expect_eq "$("$IKO" load --db-dir "$tmp/pg" --schema jumin --lg-code 131016 --in "$tmp/in")" "$loaded" "load, server up"
"${PSQL[@]}" "${url/dbname=iko/dbname=postgres}" -c "drop database iko"
expect_eq "$("$IKO" load --db-dir "$tmp/pg" --schema jumin --lg-code 131016 --in "$tmp/in")" "$loaded" \
	"load, server up without the database iko"
expect_eq "$("${PSQL[@]}" "$url" -c "select count(*) from jumin.resident")" "1" "database iko made again"
"$IKO" db stop --dir "$tmp/pg"
expect_eq "$("$IKO" load --db-dir "$tmp/pg" --schema jumin --lg-code 131016 --in "$tmp/in")" "$loaded" "load, server stopped"
expect_eq "$("$IKO" db status --dir "$tmp/pg" | head -1)" "status: running" "load started the server"
"$IKO" db stop --dir "$tmp/pg"

# --- a directory the server user can reach: no relocation ----------------------
url=$("$IKO" db start --dir "$tmp2/pg")
expect_eq "$url" "host=$tmp2/pg/socket port=5432 dbname=iko user=iko" "direct url"
[ ! -e "$tmp2/pg/cluster.path" ] || fail "cluster.path written for a reachable dir"
expect_eq "$("${PSQL[@]}" "$url" -c "select 7")" "7" "psql on direct cluster"
"${PSQL[@]}" "$url" -c "create table keep_me (x int); insert into keep_me values (7)"
"$IKO" db stop --dir "$tmp2/pg"

# --- that cluster's directory no longer reachable: an error, not a second cluster --
if [ "$(id -u)" = 0 ]; then
	chmod 700 "$tmp2"
	set +e
	"$IKO" db start --dir "$tmp2/pg" >"$tmp/out" 2>"$tmp/err"; rc=$?
	set -e
	chmod 755 "$tmp2"
	expect_eq "$rc" 1 "start of an unreachable cluster exit code"
	expect_eq "$(cat "$tmp/err")" "iko: db start: the cluster in $tmp2/pg/data cannot be reached by the server user $(stat -c %U "$tmp2/pg/data"): give that user search access to $tmp2/pg and the directories above it again" "unreachable cluster text"
	expect_eq "$(cat "$tmp/out")" "" "no url for an unreachable cluster"
	[ ! -e "$tmp2/pg/cluster.path" ] || fail "a second cluster made for an unreachable dir"
	expect_eq "$("$IKO" db start --dir "$tmp2/pg")" "$url" "reachable again: same url"
	expect_eq "$("${PSQL[@]}" "$url" -c "select x from keep_me")" "7" "reachable again: same data"
	"$IKO" db stop --dir "$tmp2/pg"
fi

# --- socket path over 100 bytes: relocated ---------------------------------------
long="$tmp2/long"
dirs[2]="$long/$(printf 'd%.0s' {1..90})"
url=$("$IKO" db start --dir "${dirs[2]}")
root=$(cat "${dirs[2]}/cluster.path")
case "$root" in /var/tmp/iko-pg-????????????) ;; *) fail "long path root: $root" ;; esac
expect_eq "$url" "host=$root/socket port=5432 dbname=iko user=iko" "long path url"
expect_eq "$("${PSQL[@]}" "$url" -c "select 8")" "8" "psql on relocated cluster"
"$IKO" db status --dir "${dirs[2]}" >/dev/null
"$IKO" db stop --dir "${dirs[2]}"
echo "db_server: ok"
