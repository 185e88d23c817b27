#!/bin/sh
# Sync end to end: the real cati-store on 127.0.0.1 with a test CA made here by openssl; two
# workstations; every record arrives exactly once; conflicts, duplicates, auth and hostile input.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
FORMS=$(pwd)/forms
cd "$TMP" || exit 1

# a private CA and a certificate for 127.0.0.1
make_ca
openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 -subj "/CN=someone else" 2>/dev/null

echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects demo --db central.db || fail "user add"
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db central.db
echo pw-ben | "$CATI_STORE" user add ben --role interviewer --db central.db
expect_exit 1 sh -c "echo x | '$CATI_STORE' user add anna --role interviewer --db central.db"
expect_out "user 'anna' already exists"
expect_exit 2 "$CATI_STORE" serve --db central.db
expect_out "refusing to serve plain HTTP"

"$CATI_STORE" serve --db central.db --cert srv.pem --key srv.key >server.out 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$TMP"' EXIT
n=0
while ! grep -q listening server.out && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
URL=$(sed -n 's/.*listening on \(https:[^ ]*\).*/\1/p' server.out)
[ -n "$URL" ] || { fail "the store did not start: $(cat server.out)"; finish; }

SUP=$(token sup s3cret)
[ ${#SUP} -eq 64 ] || fail "no supervisor token"

# publish: a broken form gives line:col; the demo is accepted
python3 -c 'import json,sys; print(json.dumps({"source": "form x\nlanguages en\nsingel q\n"}))' >bad.json
OUT=$(api POST /v1/forms "$SUP" bad.json)
expect_out '"line":3,"col":1,"message":"'"'"'singel'"'"' is not a statement'
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$FORMS/demo.form" >pub.json
OUT=$(api POST /v1/forms "$SUP" pub.json)
expect_out '"form_id":"demo"'
# cases: D1-D3 for anna, D4 for ben
python3 - <<'PY' >cases.json
import json
cases = [{"id": "D%d" % i, "phone": "+43 1 555000%d" % i, "name": "Person %d" % i, "tz": "Europe/Vienna",
          "fields": {"office": "Wien Mitte", "region": "9"}, "interviewer": "anna" if i < 4 else "ben"} for i in range(1, 5)]
print(json.dumps({"form_id": "demo", "cases": cases}))
PY
OUT=$(api POST /v1/cases "$SUP" cases.json)
expect_out '"cases":4'

# an interviewer may not publish
ANNA=$(token anna pw-anna)
OUT=$(api POST /v1/forms "$ANNA" pub.json)
expect_out "only supervisors and admins"

# workstation A (anna): enroll, sync down, interview, sync up
export XDG_CONFIG_HOME="$TMP/cfgA"
expect_exit 0 "$CATI" enroll "$URL" --cacert ca.pem
export CATI_PASSWORD=pw-anna
expect_exit 0 "$CATI" sync --user anna --db a.db
expect_out "received 1 forms, 3 cases"
printf 'n\na 1\na 2026-01-02\na 2\na 2\na 15\na 8\na 1\nq\n' | "$CATI" interview --db a.db --case D1 --interviewer anna >/dev/null
printf 'n\na 1\na dk\nq\n' | "$CATI" interview --db a.db --case D2 --interviewer anna >/dev/null
[ "$(sqlite3 a.db "SELECT i.status FROM interviews i JOIN cases c ON c.id = i.case_id WHERE case_key = 'D1'")" = complete ] ||
	fail "D1 not complete on the workstation"
waiting=$(sqlite3 a.db "SELECT count(*) FROM outbox WHERE sent_at IS NULL")
expect_exit 0 "$CATI" sync --user anna --db a.db
expect_out "sent $waiting records ($waiting stored, 0 conflicts, 0 refused)"
expect_out "0 waiting"
# the password the store accepted is cached for offline login
[ "$(sqlite3 a.db "SELECT count(*) FROM credentials WHERE interviewer = 'anna' AND hash LIKE '\$argon2id\$%'")" = 1 ] ||
	fail "no cached credential after sync"
# every record is in the store exactly once, with the same content
"$CATI" doctor --db a.db --sql "SELECT uuid || ' ' || payload FROM outbox ORDER BY uuid" >local.txt
sqlite3 central.db "SELECT uuid || ' ' || data FROM records ORDER BY uuid" >central.txt
python3 - local.txt central.txt <<'PY' || fail "the store's records differ from the workstation's"
import json, sys
def load(p):
    out = {}
    for line in open(p):
        u, d = line.split(" ", 1)
        out[u] = json.loads(d)
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
assert a == b, (len(a), len(b), [k for k in a if a[k] != b.get(k)][:3])
PY
# syncing again sends nothing; replaying the whole batch stores nothing twice
expect_exit 0 "$CATI" sync --user anna --db a.db
expect_out "sent 0 records"
# (the records' personal data is sealed in the file: read through cati with the password)
"$CATI" doctor --db a.db --sql "SELECT uuid || ' ' || kind || ' ' || payload FROM outbox ORDER BY id" >outbox.txt
python3 - outbox.txt <<'PY' >replay.json
import json, sys
rows = [line.rstrip("\n").split(" ", 2) for line in open(sys.argv[1])]
print(json.dumps({"records": [{"uuid": u, "kind": k, "data": json.loads(p)} for u, k, p in rows]}))
PY
before=$(sqlite3 central.db "SELECT count(*) FROM records")
OUT=$(api POST /v1/push "$ANNA" replay.json)
printf '%s' "$OUT" | python3 -c 'import json,sys; r=json.load(sys.stdin)["results"]; assert r and all(x["status"]==200 for x in r), r' ||
	fail "a replayed batch was not acknowledged again"
[ "$(sqlite3 central.db "SELECT count(*) FROM records")" = "$before" ] || fail "a replayed batch was stored twice"
# the same uuid with other content: 409, kept aside, nothing overwritten
python3 - replay.json <<'PY' >conflict.json
import json, sys
r = json.load(open(sys.argv[1]))["records"][-1]
r["data"]["tampered"] = True
print(json.dumps({"records": [r]}))
PY
OUT=$(api POST /v1/push "$ANNA" conflict.json)
expect_out '"status":409'
[ "$(sqlite3 central.db "SELECT count(*) FROM conflicts")" = 1 ] || fail "the conflict was not kept aside"
[ "$(sqlite3 central.db "SELECT count(*) FROM records WHERE CAST(data AS TEXT) LIKE '%tampered%'")" = 0 ] || fail "a conflict overwrote a record"
# anna may not write to ben's case, and sees only her own cases
python3 - replay.json <<'PY' >foreign.json
import json, sys
r = json.load(open(sys.argv[1]))["records"][0]
r["uuid"] = "00000000-0000-4000-8000-000000000001"
r["data"]["case"] = "D4"
print(json.dumps({"records": [r]}))
PY
OUT=$(api POST /v1/push "$ANNA" foreign.json)
expect_out '"status":403'
OUT=$(api GET "/v1/pull?cursor=0" "$ANNA")
printf '%s' "$OUT" | grep -q '"id":"D4"' && fail "anna can read ben's case"
expect_out '"id":"D1"'

# the same case completed on two workstations offline: both kept, the later flagged
export XDG_CONFIG_HOME="$TMP/cfgA2"
"$CATI" enroll "$URL" --cacert ca.pem >/dev/null
"$CATI" sync --user anna --db a2.db >/dev/null
printf 'n\na 1\na 2026-01-03\na 1\na 2\na 5\na 3\na 2\nq\n' | "$CATI" interview --db a2.db --case D3 --interviewer anna >/dev/null
export XDG_CONFIG_HOME="$TMP/cfgA"
printf 'n\na 1\na 2026-01-04\na 3\na 2\na 9\na 4\na 1\nq\n' | "$CATI" interview --db a.db --case D3 --interviewer anna >/dev/null
expect_exit 0 "$CATI" sync --user anna --db a.db
export XDG_CONFIG_HOME="$TMP/cfgA2"
expect_exit 0 "$CATI" sync --user anna --db a2.db
[ "$(sqlite3 central.db "SELECT count(DISTINCT json_extract(data, '$.interview')) FROM records WHERE case_key = 'D3' AND kind = 'interview'")" = 2 ] ||
	fail "both interviews of D3 should be kept"
[ "$(sqlite3 central.db "SELECT count(*) FROM records WHERE duplicate = 1")" = 1 ] || fail "the second complete was not flagged"

# auth: wrong password, an unknown CA, plain http, a bad token
CATI_PASSWORD=wrong "$CATI" sync --user anna --db a2.db >out.txt 2>&1
OUT=$(cat out.txt)
expect_out "wrong user name or password"
export XDG_CONFIG_HOME="$TMP/cfgB"
expect_exit 1 "$CATI" enroll "$URL" --cacert other.pem
expect_out "the store's certificate is not trusted by the CA file"
# (a CA file that changes after enrolling: sync itself refuses the store)
cp ca.pem moving.pem
"$CATI" enroll "$URL" --cacert moving.pem >/dev/null
cp other.pem moving.pem
expect_exit 1 "$CATI" sync --user anna --db b.db
expect_out "cannot trust the store"
expect_exit 2 "$CATI" enroll "http://example.org:1"
OUT=$(curl -s --cacert ca.pem -H "Authorization: Bearer 0123" "$URL/v1/pull")
expect_out "log in first"

# hostile input: malformed JSON, wrong types, unknown fields, a huge body; the store keeps serving
printf '{"records": "nope"}' >x.json
OUT=$(api POST /v1/push "$ANNA" x.json); expect_out "push needs 'records' (an array)"
printf '{"records": [], "extra": 1}' >x.json
OUT=$(api POST /v1/push "$ANNA" x.json); expect_out "unknown field"
printf '{"records": [' >x.json
OUT=$(api POST /v1/push "$ANNA" x.json); expect_out "the body must be a JSON object"
printf '{"records":[{"uuid":"short","kind":"event","data":{}}]}' >x.json
OUT=$(api POST /v1/push "$ANNA" x.json); expect_out '"status":422'
head -c 9000000 /dev/zero | tr '\0' 'a' >huge.json
OUT=$(api POST /v1/push "$ANNA" huge.json); expect_out "too large"
OUT=$(api GET "/v1/pull?cursor=0" "$ANNA"); expect_out '"cursor"'
# rate limit: five wrong passwords lock the login for a minute
for i in 1 2 3 4 5; do token ben wrong >/dev/null; done
printf '{"user":"ben","password":"pw-ben"}' >login.json
OUT=$(curl -s --cacert ca.pem --data-binary @login.json "$URL/v1/login"); expect_out "too many failed logins"
# a store killed in the middle of a sync, after a long time offline: nothing lost, nothing twice
export XDG_CONFIG_HOME="$TMP/cfgA"
python3 - <<'PY' >more.json
import json
cases = [{"id": "M%03d" % i, "phone": "+43 1 77%05d" % i, "name": "M %d" % i, "fields": {"office": "Graz", "region": "6"},
          "interviewer": "anna"} for i in range(1, 61)]
print(json.dumps({"form_id": "demo", "cases": cases}))
PY
api POST /v1/cases "$SUP" more.json >/dev/null
"$CATI" sync --user anna --db a.db >/dev/null
kill $server; wait $server 2>/dev/null
i=1
while [ $i -le 60 ]; do
	printf 'n\na 1\na 2026-02-01\na 2\na 1,2\na 1,2,3\na 10\na 12\na 2\nq\n' |
		"$CATI" interview --db a.db --case "$(printf 'M%03d' $i)" --interviewer anna >/dev/null
	i=$((i + 1))
done
expect_exit 1 "$CATI" sync --user anna --db a.db
expect_out "cannot reach the store"
waiting=$(sqlite3 a.db "SELECT count(*) FROM outbox WHERE sent_at IS NULL")
[ "$waiting" -gt 1000 ] || fail "expected over 1000 records waiting, got $waiting"
port=${URL##*:}
"$CATI_STORE" serve --db central.db --cert srv.pem --key srv.key --port "$port" >server.out 2>&1 &
server=$!
sleep 0.3
"$CATI" sync --user anna --db a.db >/dev/null 2>&1 &
syncer=$!
sleep 0.15
kill -9 $server
wait $syncer
"$CATI_STORE" serve --db central.db --cert srv.pem --key srv.key --port "$port" >server.out 2>&1 &
server=$!
sleep 0.3
expect_exit 0 "$CATI" sync --user anna --db a.db
expect_out "0 waiting"
"$CATI" doctor --db a.db --sql "SELECT uuid || ' ' || payload FROM outbox ORDER BY uuid" >local.txt
sqlite3 central.db "SELECT uuid || ' ' || data FROM records ORDER BY uuid" >central.txt
python3 - local.txt central.txt <<'PY' || fail "after the kill the store's records differ from the workstation's"
import json, sys
def load(p):
    out = {}
    for line in open(p):
        u, d = line.split(" ", 1)
        assert u not in out, "twice: " + u
        out[u] = json.loads(d)
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
a2 = json.load(open("a2_uuids.json")) if False else None
missing = [k for k in a if k not in b]
assert not missing, ("missing", len(missing))
assert all(a[k] == b[k] for k in a), "content differs"
PY

# the workstation syncs by itself in the background while the interviewer works
export XDG_CONFIG_HOME="$TMP/cfgA"
echo '{"form_id": "demo", "cases": [{"id": "T1", "phone": "+43 1 7000001", "name": "Tina", "fields": {"office": "Linz", "region": "4"}, "interviewer": "anna"}]}' >t1.json
api POST /v1/cases "$SUP" t1.json >/dev/null
sock="sync$$"
tmux -L "$sock" -f /dev/null new-session -d -x 100 -y 30 \
	"env LANG=C.UTF-8 TERM=xterm XDG_CONFIG_HOME=$TMP/cfgA $CATI --db $TMP/a.db"
shot() { tmux -L "$sock" capture-pane -p; }
until_shows() {
	n=0
	while ! shot | grep -qF -- "$1"; do
		n=$((n + 1))
		[ $n -gt "${2:-100}" ] && { fail "the workstation never showed '$1'"; shot; return 1; }
		sleep 0.1
	done
}
until_shows "Interviewer:"
tmux -L "$sock" send-keys anna Enter pw-anna Enter
until_shows "case D2"             # D2 was left unfinished above: offered for resumption
tmux -L "$sock" send-keys Escape
until_shows "case list │ online" 150
tmux -L "$sock" send-keys /
tmux -L "$sock" send-keys -l T1
tmux -L "$sock" send-keys Enter Enter
until_shows "Tina"
tmux -L "$sock" send-keys 1
until_shows "intro Q 1"
tmux -L "$sock" send-keys Enter 1
until_shows "visit Q 3"
until_shows "online, 0 waiting" 150
[ "$(sqlite3 central.db "SELECT count(*) FROM records WHERE case_key = 'T1' AND kind = 'event' AND json_extract(data, '$.qid') = 'contact' AND json_extract(data, '$.value') = '1'")" = 1 ] ||
	fail "the answer given on the workstation did not reach the store"
tmux -L "$sock" send-keys C-x 1
tmux -L "$sock" send-keys -l "end of test"
tmux -L "$sock" send-keys Enter
until_shows "Interview suspended"
tmux -L "$sock" send-keys L
until_shows "sync ok: sent"
tmux -L "$sock" send-keys x q
tmux -L "$sock" kill-server 2>/dev/null

# the sync log explains itself
export XDG_CONFIG_HOME="$TMP/cfgA"
OUT=$("$CATI" sync --log --db a.db); expect_out "sync ok: sent"
# in German: the times the interviewer's way (the log itself keeps ISO 8601), the count in German
at=$(printf '%s\n' "$OUT" | sed -n 's/^\([0-9]\{4\}\)-\([0-9][0-9]\)-\([0-9][0-9]\)T\([0-9:]\{8\}\)  sync ok: sent.*/\3.\2.\1 \4/p' | tail -1)
[ -n "$at" ] || fail "no ISO time before a sync ok line: $OUT"
OUT=$(LANGUAGE=de "$CATI" sync --log --db a.db)
expect_out "$at  sync ok: sent"
expect_out "warten auf Synchronisation"
sqlite3 a.db "SELECT at FROM sync_log" | grep -qv '^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T' && fail "the sync log holds a time that is not ISO 8601"
finish
