#!/bin/sh
# A shared laptop on the interviewer's screen: anna's syncs keyed the laptop and sent its key to
# the store; ben's password was cached there without a copy of the key (a sync of his before the
# store kept keys). ben logs in on the screen: names are locked at first; the background sync
# gets the key from the store and wraps his copy, and the case list shows the names without
# logging in again. A real cati-store on 127.0.0.1 with a test CA.
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
echo pw-ben | "$CATI_STORE" user add ben --role interviewer --db central.db >/dev/null
start_store central.db
SUP=$(token sup s3cret)
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$FORMS/demo.form" >pub.json
api POST /v1/forms "$SUP" pub.json | grep -q '"form_id":"demo"' || fail "publish the form"
printf '%s' '{"form_id":"demo","cases":[{"id":"K1","phone":"+43 1 5550001","name":"Wilhelmina Schattenhofer","tz":"Europe/Vienna","fields":{"office":"Mitte","region":"9"},"interviewer":"anna"}]}' >cases.json
[ "$(api POST /v1/cases "$SUP" cases.json)" = '{"cases":1}' ] || fail "upload the cases"

export XDG_CONFIG_HOME="$TMP/cfg"
"$CATI" enroll "$URL" --cacert ca.pem >/dev/null || fail "enroll"
CATI_PASSWORD=pw-anna "$CATI" sync --user anna --db ws.db >/dev/null || fail "anna's sync"
[ "$(sqlite3 central.db "SELECT count(*) FROM workstation_keys")" = 1 ] || fail "the store keeps no key of the laptop"
# ben's password cached, his copy of the key not there (as before the store kept keys)
CATI_PASSWORD=pw-ben "$CATI" sync --user ben --db ws.db >/dev/null 2>&1
sqlite3 ws.db "DELETE FROM keyring WHERE interviewer = 'ben'"
sqlite3 central.db "DELETE FROM audit WHERE action = 'key'"
[ "$(sqlite3 ws.db "SELECT count(*) FROM credentials WHERE interviewer = 'ben'")" = 1 ] || fail "ben's password is not cached"

start --db ws.db
login ben pw-ben
wait_for "case list" 10 || finish
wait_for "Wilhelmina Schattenhofer" 20
# his copy is on the laptop now, and the store noted who got the key
[ "$(sqlite3 ws.db "SELECT count(*) FROM keyring WHERE interviewer = 'ben'")" = 1 ] || fail "ben has no copy of the key"
"$CATI_STORE" audit --db central.db | grep -q "ben .*key" || fail "the audit trail lacks ben's key: $("$CATI_STORE" audit --db central.db)"
keys q
wait_for "Interviewer:"
keys Escape
wait_for "EXITED 0"
finish
