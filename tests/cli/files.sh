#!/bin/sh
# Files the programs write, and enrolling: under umask 022 every database (workstation and
# store, with its -wal and -shm), the settings and the exports are readable by their owner only;
# `cati enroll` checks the address, the CA file and the store itself before it saves anything.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
umask 022
"$CATI" demo --db "$TMP/ws.db" --setup-only >/dev/null || fail "demo setup"
cd "$TMP" || exit 1
TMP=$(pwd -P)
trap 'kill $server 2>/dev/null; [ -n "${iv:-}" ] && kill $iv 2>/dev/null; rm -rf "$TMP"' EXIT
make_ca
openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 -subj "/CN=someone else" 2>/dev/null

# private FILE...: each file exists and has mode 600
private() {
	for f in "$@"; do
		if [ ! -e "$f" ]; then
			fail "$f was not created"
		elif [ "$(stat -c %a "$f")" != 600 ]; then
			fail "$f has mode $(stat -c %a "$f"), expected 600"
		fi
	done
}

# wait_for FILE: poll until FILE exists (at most 10 s)
wait_for() {
	n=0
	while [ ! -e "$1" ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
}

# the workstation's database, and its WAL and shared memory while an interview holds it open
private ws.db
mkfifo answers
"$CATI" interview --db ws.db --case D001 --interviewer anna <answers >iv.out 2>&1 &
iv=$!
exec 3<>answers   # (read and write: opening does not wait for the reader)
printf 'n\na 1\n' >&3
wait_for ws.db-wal
wait_for ws.db-shm
private ws.db-wal ws.db-shm
printf 'q\n' >&3
exec 3>&-
wait $iv
iv=

# exports hold answers, names and phone numbers: the owner's only too
expect_exit 0 "$CATI" export --db ws.db --study demo --format all --out all --calls calls.csv
private all.* calls.csv
[ -n "$(ls all.*)" ] || fail "nothing exported"

# the store's database, WAL and shared memory while it serves
echo pw-sup | "$CATI_STORE" user add sup --role supervisor --projects demo --db central.db
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db central.db
private central.db
start_store central.db
export XDG_CONFIG_HOME="$TMP/cfg" CATI_PASSWORD=pw-anna
expect_exit 0 "$CATI" enroll "$URL" --cacert ca.pem
expect_exit 0 "$CATI" sync --user anna --db ws.db
private central.db central.db-wal central.db-shm cfg/cati/settings.json
[ "$(stat -c %a cfg/cati)" = 700 ] || fail "cfg/cati has mode $(stat -c %a cfg/cati), expected 700"

# the CA is stored as an absolute path: a sync from another directory finds it
cacert=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cacert"])' cfg/cati/settings.json)
[ "$cacert" = "$TMP/ca.pem" ] || fail "the CA was stored as '$cacert', expected '$TMP/ca.pem'"
mkdir -p elsewhere
(cd elsewhere && "$CATI" sync --user anna --db ../ws.db >../out.txt 2>&1) || fail "sync from another directory: $(cat out.txt)"

# enrolling checks, and saves nothing when a check fails
cp cfg/cati/settings.json saved.json
unchanged() {
	cmp -s cfg/cati/settings.json saved.json || fail "a failed enroll changed the settings: $(cat cfg/cati/settings.json)"
}
expect_exit 2 "$CATI" enroll "http://127.0.0.1.example.org" --insecure-http
expect_out "--insecure-http is only for a store on this machine"
expect_out "not '127.0.0.1.example.org'"
unchanged
expect_exit 2 "$CATI" enroll "http://127.0.0.1@example.org:1" --insecure-http
expect_out "not 'example.org'"
unchanged
expect_exit 2 "$CATI" enroll "http://example.org:1"
expect_out "the store's address must be https://HOST:PORT"
expect_exit 2 "$CATI" enroll "https://"
expect_out "cannot parse the store's address 'https://'"
unchanged
expect_exit 1 "$CATI" enroll "$URL" --cacert missing.pem
expect_out "cannot read the CA file 'missing.pem': No such file or directory"
unchanged
expect_exit 1 "$CATI" enroll "$URL" --cacert other.pem
expect_out "the store's certificate is not trusted by the CA file '$TMP/other.pem'"
unchanged
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect_exit 1 "$CATI" enroll "https://127.0.0.1:$port" --cacert ca.pem
expect_out "cannot reach the store at https://127.0.0.1:$port: connection refused"
unchanged
expect_exit 1 env XDG_CONFIG_HOME="$TMP/cfg2" "$CATI" enroll "https://127.0.0.1:$port" --cacert ca.pem
[ -e cfg2/cati/settings.json ] && fail "a failed enroll saved settings"
# a store's name that is not the one its certificate was made for
expect_exit 1 "$CATI" enroll "$(echo "$URL" | sed 's/127.0.0.1/localhost/')" --cacert ca.pem
expect_out "the store's certificate is not for https://localhost:"
expect_out "does not match target host name 'localhost'"
unchanged
stop_store

# plain http on loopback for tests: allowed for exactly this machine's names
"$CATI_STORE" serve --db central.db --insecure-http >server.out 2>&1 &
server=$!
n=0
while ! grep -q listening server.out && [ $n -lt 600 ]; do sleep 0.05; n=$((n + 1)); done
HURL=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' server.out)
[ -n "$HURL" ] || fail "the plain-http store did not start: $(cat server.out)"
expect_exit 0 env XDG_CONFIG_HOME="$TMP/cfg3" "$CATI" enroll "$HURL" --insecure-http
expect_out "enrolled with $HURL"
expect_exit 0 env XDG_CONFIG_HOME="$TMP/cfg3" "$CATI" enroll "$(echo "$HURL" | sed 's/127.0.0.1/localhost/')" --insecure-http
stop_store
finish
