#!/bin/sh
# Operating the store: `cati-store init` makes the CA, certificate, configuration and store; the
# store serves from its configuration file; a workstation enrols and syncs with the printed
# line; the log has a line per request, per failed login (no password) and per failed TLS
# handshake in plain words; `cati-store backup` copies the store while pushes go on, and a store
# started on the copy has the records and passes the figures check.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
FORMS=$(pwd)/forms
cd "$TMP" || exit 1
server=
pusher=
trap 'touch stop; [ -n "$pusher" ] && kill $pusher 2>/dev/null; [ -n "$server" ] && kill $server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

# wait_for FILE TEXT: until FILE has TEXT (5 s at most)
wait_for() {
	n=0
	while ! grep -qF -- "$2" "$1" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
	grep -qF -- "$2" "$1" || fail "$1 lacks '$2': $(cat "$1")"
}

INIT_PG=$(store_pg_url store.url) || fail "no PostgreSQL database for init"
PORT=$(free_port)

# --- init -------------------------------------------------------------------------------
expect_exit 0 "$CATI_STORE" init st --name 127.0.0.1 --name localhost --port "$PORT" ${INIT_PG:+--pg "$INIT_PG"}
INIT=$OUT
[ -z "$INIT_PG" ] || cp store.url st/central.db
expect_out "cati-store serve --config $TMP/st/store.conf"
expect_out "cati enroll https://127.0.0.1:$PORT --cacert $TMP/st/ca.pem"
for f in ca.pem ca.key store.pem store.key store.conf ${INIT_PG:-central.db}; do
	[ -n "$INIT_PG" ] && [ "$f" = "$INIT_PG" ] && { grep -q "^pg = $INIT_PG\$" st/store.conf || fail "store.conf lacks pg"; continue; }
	[ -s "st/$f" ] || fail "init made no st/$f"
done
[ "$(stat -c %a st/ca.key)" = 600 ] || fail "ca.key is mode $(stat -c %a st/ca.key), not 600"
[ "$(stat -c %a st/store.key)" = 600 ] || fail "store.key is mode $(stat -c %a st/store.key), not 600"
# the certificate: signed by the CA, for both names, a CA that is one
openssl verify -CAfile st/ca.pem st/store.pem >verify.out 2>&1 || fail "store.pem does not verify: $(cat verify.out)"
openssl x509 -in st/store.pem -noout -ext subjectAltName >san.out 2>&1
grep -q "IP Address:127.0.0.1" san.out && grep -q "DNS:localhost" san.out || fail "subjectAltName: $(cat san.out)"
openssl x509 -in st/ca.pem -noout -ext basicConstraints | grep -q "CA:TRUE" || fail "ca.pem is no CA"
openssl x509 -in st/store.pem -noout -checkend 31536000 >/dev/null || fail "store.pem expires within a year"
# never over existing keys
cp st/ca.key ca.key.before
expect_exit 1 "$CATI_STORE" init st --name 127.0.0.1
expect_out "already holds a certificate authority"
cmp -s st/ca.key ca.key.before || fail "a second init changed ca.key"
expect_exit 2 "$CATI_STORE" init
expect_exit 2 "$CATI_STORE" init other --port 70000
expect_out "--port: '70000' is not a number"

# the first supervisor with the printed line (SUPERVISOR replaced), an interviewer
line=$(printf '%s\n' "$INIT" | sed -n 's/^ *\(cati-store user add .*\)/\1/p' | sed 's/SUPERVISOR/sup/')
[ -n "$line" ] || fail "init printed no user add line: $INIT"
echo s3cret | sh -c "\"$CATI_STORE\" ${line#cati-store }" || fail "the printed user add line failed: $line"
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db st/central.db || fail "user add anna"

cp st/ca.pem ca.pem   # for token and api (tests/support/store.sh)

# --- the configuration file ---------------------------------------------------------------
printf '# a comment\n\nport = high\n' >bad1.conf
expect_exit 2 "$CATI_STORE" serve --config bad1.conf
expect_out "bad1.conf:3: port: 'high' is not a number from 0 to 65535"
printf 'db = x.db\nfrobnicate = 1\n' >bad2.conf
expect_exit 2 "$CATI_STORE" serve --config bad2.conf
expect_out "bad2.conf:2: unknown key 'frobnicate'"
printf 'db x.db\n' >bad3.conf
expect_exit 2 "$CATI_STORE" serve --config bad3.conf
expect_out "bad3.conf:1: expected 'key = value'"
printf 'log = loud\n' >bad4.conf
expect_exit 2 "$CATI_STORE" serve --config bad4.conf
expect_out "bad4.conf:1: log: 'loud' is not quiet or requests"
printf 'insecure-http = maybe\n' >bad5.conf
expect_exit 2 "$CATI_STORE" serve --config bad5.conf
expect_out "bad5.conf:1: insecure-http: 'maybe' is not yes or no"
expect_exit 2 "$CATI_STORE" serve --config missing.conf
expect_out "missing.conf"

# --- the operator's language: init in German, configuration and option errors in Dutch; the
# file:line and the quoted value stay first, English stays as it was
INIT_PG_DE=$(store_pg_url store-de.url) || fail "no PostgreSQL database for the German init"
expect_exit 0 env LANG=de_AT.UTF-8 "$CATI_STORE" init st-de --name 127.0.0.1 --port "$PORT" ${INIT_PG_DE:+--pg "$INIT_PG_DE"}
[ -z "$INIT_PG_DE" ] || cp store-de.url st-de/central.db
expect_out "cati-store: ein neuer Store in $TMP/st-de"
expect_out "Zertifizierungsstelle: $TMP/st-de/ca.pem"
expect_out "Den Store starten:"
expect_out "cati-store serve --config $TMP/st-de/store.conf"
grep -q '^# cati-store configuration, written by cati-store init' st-de/store.conf || fail "store.conf is not in English under German: $(head -2 st-de/store.conf)"
expect_exit 1 env LANG=de_AT.UTF-8 "$CATI_STORE" init st-de --name 127.0.0.1
expect_out "enthält bereits eine Zertifizierungsstelle"
expect_exit 2 env LANGUAGE=nl "$CATI_STORE" serve --config bad1.conf
expect_out "bad1.conf:3: port: 'high' is geen getal van 0 tot 65535"
expect_exit 2 env LC_ALL=nl_NL.UTF-8 "$CATI_STORE" serve --config bad2.conf
expect_out "bad2.conf:2: onbekende sleutel 'frobnicate' (zie cati-store serve --help)"
expect_exit 2 env LANG=de_DE.UTF-8 "$CATI_STORE" init other --port 70000
expect_out "cati-store init: --port: '70000' ist keine Zahl von 1 bis 65535"
expect_exit 2 env LANGUAGE=nl "$CATI_STORE" serve --bogus
expect_out "cati-store serve: onbekende optie '--bogus'"
expect_out "gebruik: cati-store serve --db PAD"
expect_exit 0 env LANGUAGE=de "$CATI_STORE" workstation list --db st/central.db
expect_out "Arbeitsplatz"
expect_out "stillgelegt"
expect_exit 0 env LANG=de_AT.UTF-8 "$CATI_STORE" user --help
expect_out "Aufruf: cati-store user add NAME"
expect_exit 2 "$CATI_STORE" serve --bogus
expect_out "cati-store serve: unknown option '--bogus'"
expect_out "usage: cati-store serve --db PATH"
# serve's start line in German; what the store sends to clients and writes to its log stays
# English (clients translate what they show; operators grep the log)
echo pw-chef | "$CATI_STORE" user add chef --role supervisor --projects '*' --db st-de/central.db || fail "user add chef"
env LANG=de_AT.UTF-8 "$CATI_STORE" serve --config st-de/store.conf --port 0 --bind 127.0.0.1 >de.out 2>&1 &
deserver=$!
wait_for de.out "cati-store: wartet auf https://127.0.0.1:"
DEURL=$(sed -n 's/.*wartet auf \(https:[^ ]*\).*/\1/p' de.out)
curl -s --cacert st-de/ca.pem "$DEURL/v1/pull" >de-pull.out
grep -q '"error":"log in first: the token is missing, wrong or expired"' de-pull.out || fail "the API's error is not English: $(cat de-pull.out)"
printf '{"user":"chef","password":"nope"}' >de-login.json
curl -s --cacert st-de/ca.pem --data-binary @de-login.json "$DEURL/v1/login" >de-login.out
grep -q '"error":"wrong user name or password"' de-login.out || fail "the login error is not English: $(cat de-login.out)"
wait_for de.out "login failed: user 'chef' from 127.0.0.1: wrong user name or password"
printf '{"user":"chef","password":"pw-chef"}' >de-login.json
DETOK=$(curl -s --cacert st-de/ca.pem --data-binary @de-login.json "$DEURL/v1/login" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("token",""))')
printf '{"source":"form x\\nlanguages en\\nsingel q\\n"}' >de-pub.json
curl -s --cacert st-de/ca.pem -H "Authorization: Bearer $DETOK" --data-binary @de-pub.json "$DEURL/v1/forms" >de-pub.out
grep -q '"error":"the form has errors"' de-pub.out && grep -q "'singel' is not a statement; did you mean 'single'?" de-pub.out ||
	fail "the form's errors are not English on the wire: $(cat de-pub.out)"
kill "$deserver"
wait "$deserver" 2>/dev/null
expect_exit 0 "$CATI_STORE" serve --help
expect_out "connections-per-address, log"
# the command line wins over the file: the store from the file, the bind address from here
serve_conf server.out --config st/store.conf --bind 127.0.0.1
[ "$URL" = "https://127.0.0.1:$PORT" ] || fail "served on $URL, not the configured port $PORT"

# --- reach it, enrol and sync with the printed line -----------------------------------------
curl -s --cacert st/ca.pem "https://localhost:$PORT/v1/pull" >reach.out
grep -q "log in first" reach.out || fail "curl --cacert st/ca.pem does not reach /v1/pull: $(cat reach.out)"
SUP=$(token sup s3cret)
[ ${#SUP} -eq 64 ] || fail "no supervisor token"
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$FORMS/demo.form" >pub.json
api POST /v1/forms "$SUP" pub.json | grep -q '"form_id":"demo"' || fail "publish"
python3 - <<'PY' >cases.json
import json
cases = [{"id": "D%d" % i, "phone": "+43 1 555000%d" % i, "name": "Person %d" % i, "tz": "Europe/Vienna",
          "fields": {"office": "Wien Mitte", "region": "9"}, "interviewer": "anna"} for i in range(1, 4)]
print(json.dumps({"form_id": "demo", "cases": cases}))
PY
api POST /v1/cases "$SUP" cases.json | grep -q '"cases":3' || fail "cases"
export XDG_CONFIG_HOME="$TMP/cfg"
enroll=$(printf '%s\n' "$INIT" | sed -n 's/^ *\(cati enroll .*\)/\1/p')
[ -n "$enroll" ] || fail "init printed no enroll line"
expect_exit 0 sh -c "\"$CATI\" ${enroll#cati }"
expect_out "enrolled with https://127.0.0.1:$PORT"
export CATI_PASSWORD=pw-anna
expect_exit 0 "$CATI" sync --user anna --db a.db
expect_out "received 1 forms, 3 cases"
printf 'n\na 1\na 2026-01-02\na 2\na 2\na 15\na 8\na 1\nq\n' | "$CATI" interview --db a.db --case D1 --interviewer anna >/dev/null
expect_exit 0 "$CATI" sync --user anna --db a.db
expect_out "0 conflicts, 0 refused"
unset CATI_PASSWORD

# --- the log --------------------------------------------------------------------------------
curl -s --cacert st/ca.pem -H "Authorization: Bearer $SUP" "$URL/v1/pull?cursor=0&token=SeCrEtToKeN" >/dev/null
wait_for server.out "sup GET /v1/pull?cursor=0 200 "
grep -Eq '^cati-store: 20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z 127\.0\.0\.1 sup GET /v1/pull\?cursor=0 200 [0-9]+ms [0-9]+B$' server.out ||
	fail "no request line with time, address, user, method, path, status, ms and bytes: $(cat server.out)"
grep -q SeCrEtToKeN server.out && fail "a token in the query reached the log"
# what a client sends cannot forge a line: a newline in the query is written as %0A
curl -s --cacert st/ca.pem "$URL/v1/pull?x=a%0Acati-store:%20forged%20line&password=hunter2" >/dev/null
wait_for server.out "- GET /v1/pull?x=a%0Acati-store:%20forged%20line 401 "
grep -q '^cati-store: forged' server.out && fail "a client forged a log line"
grep -q hunter2 server.out && fail "a password in the query reached the log"
grep -Eq ' anna POST /v1/push 200 [0-9]+ms [0-9]+B$' server.out || fail "no line for the workstation's push: $(cat server.out)"
grep -Eq ' - GET /v1/pull 401 [0-9]+ms [0-9]+B$' server.out || fail "no line for the request without a token"
printf '{"user":"sup","password":"Wr0ngPassW0rd"}' >badlogin.json
curl -s --cacert st/ca.pem --data-binary @badlogin.json "$URL/v1/login" >/dev/null
wait_for server.out "login failed: user 'sup' from 127.0.0.1: wrong user name or password"
grep -q Wr0ngPassW0rd server.out && fail "a password reached the log"
grep -q s3cret server.out && fail "a password reached the log"
grep -q "$SUP" server.out && fail "a token reached the log"
# TLS failures in plain words, never GnuTLS's or libmicrohttpd's own text
openssl req -x509 -newkey rsa:2048 -nodes -keyout wrong.key -out wrong.pem -days 2 -subj "/CN=another CA" 2>/dev/null
curl -s --cacert wrong.pem "$URL/v1/pull" >/dev/null 2>&1 && fail "curl trusted the store with another CA"
wait_for server.out "TLS handshake with 127.0.0.1 failed: the client does not trust this server's certificate"
curl -s "http://127.0.0.1:$PORT/v1/pull" >/dev/null 2>&1
wait_for server.out "TLS handshake with 127.0.0.1 failed: the client sent no TLS handshake (plain HTTP"
grep -q "libmicrohttpd" server.out && fail "raw libmicrohttpd text in the log: $(grep libmicrohttpd server.out)"

# --- backup while pushes go on, restore ----------------------------------------------------
# pusher: one interview a request (supervisor, for anna's cases), acknowledged uuids in acked.txt
cat >push.py <<'PY'
import json, os, ssl, sys, urllib.request, uuid
url, tok = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(cafile="st/ca.pem")
n = 0
while not os.path.exists("stop") and n < 2000:
    n += 1
    iv = str(uuid.uuid4())
    case = "D%d" % (n % 2 + 2)
    rec = {"uuid": iv, "kind": "interview", "data": {"interview": iv, "case": case, "interviewer": "anna",
           "status": "complete", "outcome": "complete", "lang": "en", "version": "1",
           "started_at": "2026-03-02T10:00:00.000Z", "ended_at": "2026-03-02T10:05:00.000Z",
           "updated_at": "2026-03-02T10:05:00.000Z", "answers": [["q1", 0, 1, "1"]]}}
    req = urllib.request.Request(url + "/v1/push", data=json.dumps({"records": [rec]}).encode(),
                                 headers={"Authorization": "Bearer " + tok})
    out = json.load(urllib.request.urlopen(req, context=ctx, timeout=30))
    assert out["results"][0]["status"] == 200, out
    with open("acked.txt", "a") as f:
        f.write(iv + "\n")
PY
: >acked.txt
python3 push.py "$URL" "$SUP" >push.out 2>&1 &
pusher=$!
n=0
while [ "$(wc -l <acked.txt)" -lt 20 ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
before=$(wc -l <acked.txt)
[ "$before" -ge 20 ] || fail "the pushes did not start: $(cat push.out)"
if [ -n "$INIT_PG" ]; then
	# PostgreSQL: cati-store points to pg_dump, which copies the store while it serves
	expect_exit 2 "$CATI_STORE" backup "$TMP/backup.db" --config st/store.conf
	expect_out "pg_dump --format=custom --file $TMP/backup.db '$INIT_PG'"
	"$PGBIN/pg_dump" --format=custom --file pg.dump "$INIT_PG" || fail "pg_dump"
	store_pg_url backup.db >/dev/null || fail "no PostgreSQL database for the restore"
	"$PGBIN/pg_restore" --no-owner --dbname "$(sed -n 's/^cati-pg-store //p' backup.db)" pg.dump || fail "pg_restore"
else
	expect_exit 0 "$CATI_STORE" backup "$TMP/backup.db" --config st/store.conf
	expect_out "the copy passes its integrity check"
fi
after=$(wc -l <acked.txt)
# the pushes go on after the copy, none failed
n=0
while [ "$(wc -l <acked.txt)" -le "$after" ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
[ "$(wc -l <acked.txt)" -gt "$after" ] || fail "the pushes stopped with the backup: $(cat push.out)"
touch stop
wait $pusher || fail "a push failed during the backup: $(cat push.out)"
pusher=
[ ! -e backup.db.tmp ] || fail "backup left backup.db.tmp"
kill "$server"
wait "$server"
server=
# every push acknowledged before the backup began is in it; nothing in it that was never pushed
sqlite3 backup.db "SELECT uuid FROM records WHERE kind = 'interview'" | sort >inbackup.txt
head -n "$before" acked.txt | sort >early.txt
[ -z "$(comm -23 early.txt inbackup.txt)" ] || fail "records acknowledged before the backup are missing from it"
sqlite3 st/central.db "SELECT uuid FROM records" | sort >all.txt
[ -z "$(comm -23 inbackup.txt all.txt)" ] || fail "the backup holds records the store never had"
expect_exit 0 "$CATI_STORE" check --figures --db backup.db
expect_out "the kept counts agree with a full count"
# a store on the copy serves them (and --log quiet leaves out the request lines)
serve_conf restored.out --config st/store.conf --db "$TMP/backup.db" --bind 127.0.0.1 --port 0 --log quiet
SUP=$(token sup s3cret)
[ ${#SUP} -eq 64 ] || fail "no login on the restored store"
api GET "/v1/pull?cursor=0" "$SUP" >pull.json
python3 - pull.json <<'PY' || fail "the restored store's pull lacks the cases"
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(c["id"] for c in d["cases"]) == ["D1", "D2", "D3"], d["cases"]
PY
grep -q " GET /v1/pull" restored.out && fail "--log quiet still logs requests: $(cat restored.out)"
kill "$server"
wait "$server"
server=
# refusals
expect_exit 2 "$CATI_STORE" backup x.db --pg postgresql://cati@127.0.0.1:5432/cati
expect_out "pg_dump --format=custom"
if [ -z "$INIT_PG" ]; then
	expect_exit 2 "$CATI_STORE" backup st/central.db --config st/store.conf
	expect_out "is the store itself"
	expect_exit 1 "$CATI_STORE" backup x.db --db nothere.db
	expect_out "cannot open database 'nothere.db': no such file"
fi
expect_exit 2 "$CATI_STORE" backup
finish
