#!/bin/sh
# Taking a case at the workstation's screens (N in the case list, in tmux) locks it at the store
# with the background sync's token: no login at the store per case taken. When that token was
# revoked, the lock logs in once, succeeds, and hands the new token to the background sync,
# which keeps it. A real cati-store on 127.0.0.1 with a test CA; on PostgreSQL too (pg-suites).
. tests/e2e/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
FORMS=$(pwd)/forms
export CATI_STUDY="$(pwd)/tests/e2e/allday.study"
cd "$TMP" || exit 1
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; stop_store; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

make_ca
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects demo --db central.db >/dev/null || fail "user add"
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db central.db >/dev/null
start_store central.db
SUP=$(token sup s3cret)
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$FORMS/demo.form" >pub.json
api POST /v1/forms "$SUP" pub.json | grep -q '"form_id":"demo"' || fail "publish the form"
python3 - <<'PY' >cases.json
import json
cases = [{"id": "K%d" % i, "phone": "+43 1 555%03d" % i, "name": "P%d" % i, "tz": "Europe/Vienna",
          "fields": {"office": "Mitte", "region": "9"}, "interviewer": "anna"} for i in range(1, 6)]
print(json.dumps({"form_id": "demo", "cases": cases}))
PY
[ "$(api POST /v1/cases "$SUP" cases.json)" = '{"cases":5}' ] || fail "upload the cases"

export XDG_CONFIG_HOME="$TMP/cfg"
"$CATI" enroll "$URL" --cacert ca.pem >/dev/null || fail "enroll"
# a first sync: the cases, and anna's password cached for the login screen
CATI_PASSWORD=pw-anna "$CATI" sync --user anna --db a.db >/dev/null || fail "first sync"
WS=$(sqlite3 a.db "SELECT value FROM meta WHERE key = 'workstation_id'")
# tokens: anna's logins the store holds a token for (by user_id: "user" is a keyword in PostgreSQL)
tokens() { sqlite3 central.db "SELECT count(*) FROM tokens t JOIN users u ON u.id = t.user_id WHERE u.name = 'anna'"; }
revoke() { sqlite3 central.db "DELETE FROM tokens WHERE user_id = (SELECT id FROM users WHERE name = 'anna')"; }
lines() { sqlite3 a.db "SELECT line FROM sync_log WHERE id >= $1 ORDER BY id"; }
next_line() { sqlite3 a.db "SELECT coalesce(max(id), 0) + 1 FROM sync_log"; }
# wait_lines FROM N: poll (at most 30 s) until the sync log has N lines from FROM on
wait_lines() {
	_n=0
	while [ "$(lines "$1" | wc -l)" -lt "$2" ] && [ $_n -lt 600 ]; do sleep 0.05; _n=$((_n + 1)); done
	[ "$(lines "$1" | wc -l)" -ge "$2" ] || fail "fewer than $2 syncs in 30 s: $(lines "$1")"
}
# take: N in the case list, the case screen, back to the list; the store then holds a lock of
# this workstation (all locks are cleared before, so each take must have reached the store)
take() {
	sqlite3 central.db "DELETE FROM locks"
	keys N
	wait_for "Local time of the respondent" 10 || return 1
	_n=0
	while [ "$(sqlite3 central.db "SELECT count(*) FROM locks WHERE holder = '$WS' AND \"user\" = 'anna'")" != 1 ] &&
		[ $_n -lt 200 ]; do sleep 0.05; _n=$((_n + 1)); done
	[ $_n -lt 200 ] || fail "take $1: the store holds no lock of this workstation: $(sqlite3 central.db 'SELECT * FROM locks')"
	keys q
	wait_for "N next case" 5
}

# the screens: anna logs in; the background sync logs in once and is online
revoke
from=$(next_line)
start --db a.db
login anna pw-anna
wait_for "case list │ online" 20 || finish
wait_lines "$from" 1
[ "$(tokens)" = 1 ] || fail "the background sync made $(tokens) logins, not 1"

# five cases taken: each locked at the store, no login for any
for i in 1 2 3 4 5; do take "$i"; done
[ "$(tokens)" = 1 ] || fail "taking 5 cases made $(($(tokens) - 1)) logins at the store, not 0"
echo "5 cases taken: $(($(tokens) - 1)) logins at the store for them"

# the token revoked right after a sync: the next take logs in once and locks (the background sync
# has not synced since: its log has no new line), and the background sync keeps that new token
from=$(next_line)
wait_lines "$from" 1
revoke
from=$(next_line)
take 6
if [ -z "$(lines "$from")" ]; then
	[ "$(tokens)" = 1 ] || fail "the lock with a revoked token made $(tokens) logins, not 1"
	wait_lines "$from" 1
	lines "$from" | head -1 | grep -q '^sync ok.*\[token kept, ' ||
		fail "the background sync did not take the lock's new token: $(lines "$from")"
else
	echo "note: the background sync ran between the revocation and the take: $(lines "$from")"
fi
[ "$(tokens)" = 1 ] || fail "$(tokens) tokens after the revoked one was replaced, not 1"
take 7
[ "$(tokens)" = 1 ] || fail "a take after the new login logged in again: $(tokens) tokens"
quit_desk
finish
