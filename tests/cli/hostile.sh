#!/bin/sh
# Hostile input against the real store (issue 17): oversized headers and bodies, chunked
# abuse, malformed and deeply nested JSON, SQL injection in every string field, tokens of
# disabled, deleted and expired users, and every endpoint with every role. After each group
# the store still serves a real client, the database is intact (SQLite: PRAGMA
# integrity_check; PostgreSQL: a count(*) of every table succeeds) and every record stored
# before the group is unchanged. Prints inputs sent, classes and failures at the end
# (HOSTILE_VERBOSE=1: every status seen).
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
FORMS=$(pwd)/forms
HERE=$(pwd)
cd "$TMP" || exit 1
trap 'stop_store; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

make_ca
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects demo --db central.db >/dev/null || fail "user add"
echo s3cret2 | "$CATI_STORE" user add other --role supervisor --projects elsewhere --db central.db >/dev/null
echo adm1n | "$CATI_STORE" user add adm --role admin --db central.db >/dev/null
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db central.db >/dev/null
for u in victim dis del expu; do
	echo "pw-$u" | "$CATI_STORE" user add "$u" --role interviewer --db central.db >/dev/null
done
start_store central.db
[ -n "$URL" ] || finish
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$FORMS/demo.form" >pub.json
SUP=$(token sup s3cret)
[ "$(api POST /v1/forms "$SUP" pub.json | head -c 12)" = '{"form_id":"' ] || fail "publish"
python3 - <<'PY' >cases.json
import json
cases = [{"id": "D%d" % i, "phone": "+43 1 555000%d" % i, "fields": {"office": "Wien", "region": "9"},
          "interviewer": "anna"} for i in range(1, 5)]
print(json.dumps({"form_id": "demo", "cases": cases}))
PY
[ "$(api POST /v1/cases "$SUP" cases.json)" = '{"cases":4}' ] || fail "cases"

# The groups run in python (raw TLS sockets where curl cannot say it); the checks after each
# group call back into sqlite3 (or pg-bin's) and cati-store as found on PATH / $CATI_STORE.
URL=$URL CATI_STORE=$CATI_STORE python3 "$HERE/tests/support/hostile.py" || fail "the hostile groups"
finish
