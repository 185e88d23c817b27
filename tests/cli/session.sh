#!/bin/sh
# The workstation's background sync keeps one session with the store: it logs in once (one
# token at the store for many syncs, the password checked once), keeps one TLS connection open
# (libcurl opens no new one after the first sync), logs in again when its token is revoked and
# goes on, and says "wrong user name or password" when the password changed meanwhile.
# `cati sync --repeat N --every S` runs the same background loop as the workstation's screens.
# A user's expired tokens go from the store at the user's next login.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
FORMS=$(pwd)/forms
cd "$TMP" || exit 1
bg=
trap '[ -n "$bg" ] && kill "$bg" 2>/dev/null; stop_store; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

make_ca
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects demo --db central.db || fail "user add"
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db central.db
start_store central.db
SUP=$(token sup s3cret)
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$FORMS/demo.form" >pub.json
OUT=$(api POST /v1/forms "$SUP" pub.json)
expect_out '"form_id":"demo"'
printf '%s' '{"form_id":"demo","cases":[{"id":"D1","phone":"+43 1 5550001","name":"P1","tz":"Europe/Vienna",
 "fields":{"office":"Wien Mitte","region":"9"},"interviewer":"anna"}]}' >cases.json
OUT=$(api POST /v1/cases "$SUP" cases.json)
expect_out '"cases":1'

export XDG_CONFIG_HOME="$TMP/cfg"
expect_exit 0 "$CATI" enroll "$URL" --cacert ca.pem
export CATI_PASSWORD=pw-anna
# tokens: anna's logins the store holds a token for; lines FROM: the workstation's sync log from line FROM on
# (by user_id: "user" is a keyword in PostgreSQL)
tokens() { sqlite3 central.db "SELECT count(*) FROM tokens t JOIN users u ON u.id = t.user_id WHERE u.name = 'anna'"; }
lines() { sqlite3 a.db "SELECT line FROM sync_log WHERE id >= $1 ORDER BY id"; }
next_line() { sqlite3 a.db "SELECT coalesce(max(id), 0) + 1 FROM sync_log"; }
# wait_lines FROM N: poll (at most 30 s) until the sync log has N lines from FROM on
wait_lines() {
	n=0
	while [ "$(lines "$1" | wc -l)" -lt "$2" ] && [ $n -lt 600 ]; do sleep 0.05; n=$((n + 1)); done
	[ "$(lines "$1" | wc -l)" -ge "$2" ] || fail "fewer than $2 syncs in 30 s: $(lines "$1")"
}
: >a.db   # an empty file: the workstation's first open writes its tables
"$CATI" sync --log --db a.db >/dev/null || fail "cannot make the workstation's database"

# five background syncs: one login, one connection, the workstation registered
expect_exit 2 "$CATI" sync --user anna --db a.db --repeat 0
expect_out "--repeat: '0' is not a number from 1 to"
from=$(next_line)
expect_exit 0 "$CATI" sync --user anna --db a.db --repeat 5 --every 1
expect_out "5 syncs, the last one ok"
[ "$(tokens)" = 1 ] || fail "5 syncs made $(tokens) logins at the store, not 1"
L=$(lines "$from")
[ "$(printf '%s\n' "$L" | wc -l)" = 5 ] || fail "not 5 syncs logged: $L"
[ "$(printf '%s\n' "$L" | grep -c '^sync ok')" = 5 ] || fail "not every sync ok: $L"
printf '%s\n' "$L" | head -1 | grep -q 'received 1 forms, 1 cases.*\[logged in, new connection\]$' ||
	fail "the first sync did not log in on a new connection: $L"
[ "$(printf '%s\n' "$L" | grep -c '\[token kept, connection kept\]$')" = 4 ] ||
	fail "the later syncs did not keep the token and the connection: $L"
[ "$(sqlite3 central.db "SELECT count(*) FROM workstations")" = 1 ] || fail "the workstation is not registered"
# the password the store accepted is cached for offline login; the token is not on disk
[ "$(sqlite3 a.db "SELECT count(*) FROM credentials WHERE interviewer = 'anna'")" = 1 ] ||
	fail "no cached credential after the background sync"

# a one-shot cati sync: a session of its own (its own login and connection)
from=$(next_line)
expect_exit 0 "$CATI" sync --user anna --db a.db
expect_out "sync: sent 0 records"
[ "$(tokens)" = 2 ] || fail "a one-shot sync did not log in once: $(tokens) tokens"
lines "$from" | grep -q 'sync ok.*\[logged in, new connection\]$' || fail "one-shot sync: $(lines "$from")"

# a connection idle longer than the store keeps one (10 s): the next sync opens a new one, same token
from=$(next_line)
expect_exit 0 "$CATI" sync --user anna --db a.db --repeat 2 --every 12
[ "$(tokens)" = 3 ] || fail "one login for 2 syncs, not $(($(tokens) - 2))"
lines "$from" | tail -1 | grep -q '^sync ok.*\[token kept, new connection\]$' ||
	fail "after the store closed the idle connection: $(lines "$from")"

# the tokens revoked mid-run: the next sync logs in again and succeeds, once
from=$(next_line)
"$CATI" sync --user anna --db a.db --repeat 6 --every 1 >bg.out 2>&1 &
bg=$!
wait_lines "$from" 2
sqlite3 central.db "DELETE FROM tokens WHERE user_id = (SELECT id FROM users WHERE name = 'anna')"
wait "$bg"
rc=$?
bg=
[ $rc = 0 ] || fail "syncing on after a revoked token exited $rc: $(cat bg.out)"
L=$(lines "$from")
[ "$(printf '%s\n' "$L" | grep -c '^sync ok')" = 6 ] || fail "a sync failed around the revoked token: $L"
[ "$(printf '%s\n' "$L" | grep -c 'logged in')" = 2 ] || fail "not exactly one login again after revoking: $L"
[ "$(tokens)" = 1 ] || fail "$(tokens) tokens after one login again"

# the password changed mid-run (which revokes the tokens): the next syncs say so, as a one-shot sync does
from=$(next_line)
"$CATI" sync --user anna --db a.db --repeat 3 --every 1 >bg.out 2>&1 &
bg=$!
wait_lines "$from" 1
echo pw-new | "$CATI_STORE" user passwd anna --db central.db || fail "user passwd"
wait "$bg"
rc=$?
bg=
[ $rc = 1 ] || fail "syncing with a changed password exited $rc, not 1: $(cat bg.out)"
grep -q "the store answered 401: wrong user name or password" bg.out || fail "no login error: $(cat bg.out)"
lines "$from" | tail -1 | grep -q '^sync failed after sending 0 records: the store answered 401: wrong user name or password' ||
	fail "the sync log lacks the login error: $(lines "$from")"
[ "$(tokens)" = 0 ] || fail "a token for a wrong password"
expect_exit 1 "$CATI" sync --user anna --db a.db
expect_out "cati sync: the store answered 401: wrong user name or password"
# the new password: a session again
export CATI_PASSWORD=pw-new
expect_exit 0 "$CATI" sync --user anna --db a.db --repeat 2 --every 1
[ "$(tokens)" = 1 ] || fail "$(tokens) tokens after 2 syncs with the new password"

# expired tokens go at the user's next login: two of anna's three made to expire (and sup's);
# the next login of anna deletes her two, keeps her good one and sup's (sup logs in for himself)
expect_exit 0 "$CATI" sync --user anna --db a.db
expect_exit 0 "$CATI" sync --user anna --db a.db
[ "$(tokens)" = 3 ] || fail "$(tokens) tokens after two more one-shot syncs, not 3"
sqlite3 central.db "UPDATE tokens SET expires = 1 WHERE hash IN (SELECT t.hash FROM tokens t JOIN users u ON u.id = t.user_id
 WHERE u.name = 'anna' ORDER BY t.hash LIMIT 2)"
sqlite3 central.db "UPDATE tokens SET expires = 1 WHERE user_id = (SELECT id FROM users WHERE name = 'sup')"
expired() { sqlite3 central.db "SELECT count(*) FROM tokens t JOIN users u ON u.id = t.user_id WHERE u.name = '$1' AND t.expires = 1"; }
[ "$(expired anna)" = 2 ] && [ "$(expired sup)" -ge 1 ] || fail "no expired tokens to delete: $(expired anna), $(expired sup)"
sup_expired=$(expired sup)
expect_exit 0 "$CATI" sync --user anna --db a.db
[ "$(expired anna)" = 0 ] || fail "anna's login left $(expired anna) expired tokens of hers"
[ "$(tokens)" = 2 ] || fail "anna's good token and the new one should stay: $(tokens) tokens"
[ "$(expired sup)" = "$sup_expired" ] || fail "anna's login deleted sup's expired tokens"
# the store itself no longer takes an expired token
[ "$(api GET "/v1/pull?cursor=0" "$SUP" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("error",""))')" != "" ] ||
	fail "an expired token was taken"
finish
