#!/bin/sh
# The store against a hostile network (issue 17): TLS 1.2/1.3 with forward-secret AEAD suites
# only; error answers name no file; over-long user names refused and failed logins bounded; the
# login limit exact under 40 parallel attempts, and a limit per address.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
FORMS=$(pwd)/forms
cd "$TMP" || exit 1
trap 'kill $server $holder 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
make_ca
holder=
echo pw-root | "$CATI_STORE" user add root --role admin --db central.db
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db central.db
echo pw-ben | "$CATI_STORE" user add ben --role interviewer --db central.db
echo pw-sup | "$CATI_STORE" user add sup --role supervisor --projects demo --db central.db
start_store central.db
PORT=${URL##*:}

# tls ARGS...: 0 if a handshake with these s_client options succeeds
tls() {
	openssl s_client -connect "127.0.0.1:$PORT" -CAfile ca.pem "$@" </dev/null >tls.out 2>&1 &&
		grep -q "Cipher is [A-Z]" tls.out && ! grep -q "Cipher is (NONE)" tls.out
}

# --- 5. TLS: 1.2 and 1.3, forward-secret AEAD suites only (SECLEVEL=0: the client would agree)
tls -tls1 -cipher 'DEFAULT:@SECLEVEL=0' && fail "TLS 1.0 was accepted"
tls -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' && fail "TLS 1.1 was accepted"
tls -tls1_2 -cipher AES128-SHA256 && fail "TLS 1.2 static RSA AES128-SHA256 was accepted"
tls -tls1_2 -cipher AES128-GCM-SHA256 && fail "TLS 1.2 static RSA AES128-GCM-SHA256 was accepted"
tls -tls1_2 -cipher kRSA && fail "TLS 1.2 with RSA key exchange was accepted"
tls -tls1_2 -cipher ECDHE-RSA-AES128-SHA && fail "TLS 1.2 ECDHE with CBC was accepted"
tls -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 || fail "TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 refused: $(cat tls.out)"
tls -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305 || fail "TLS 1.2 ECDHE-RSA-CHACHA20-POLY1305 refused"
tls -tls1_3 || fail "TLS 1.3 refused: $(cat tls.out)"
cp server.out hs.out; stop_store
# the refused handshakes are in the operator's log in plain words, each line the store's own
grep -q '^cati-store: .* TLS handshake with 127.0.0.1 failed: the client and this server have no TLS version or cipher in common' server.out ||
	fail "the refused handshakes are not in the store's log: $(cat server.out)"
grep -q 'handshake message out of context' server.out && fail "libmicrohttpd's own words in the log: $(cat server.out)"
grep -v '^cati-store: ' server.out | grep -v '^https://' | grep -q . && fail "the store's log has lines not its own: $(cat server.out)"
# the priority string can be given; a bad one is refused at start
start_store central.db --tls-priority "NORMAL"
PORT=${URL##*:}
tls -tls1_2 -cipher AES128-GCM-SHA256 || fail "--tls-priority NORMAL did not allow AES128-GCM-SHA256"
stop_store
expect_exit 1 timeout 10 "$CATI_STORE" serve --db central.db --cert srv.pem --key srv.key --tls-priority "NO-SUCH-THING"
expect_out "tls priority"
start_store central.db
PORT=${URL##*:}

# --- 8. a busy database: the answer names no file, the operator's log has the detail
# (SQLite only: on PostgreSQL, tests/cli/pg-suites.sh, central.db is not a database file)
if [ "$(head -c 15 central.db 2>/dev/null)" = "SQLite format 3" ]; then
python3 - central.db <<'PY' &
import sqlite3, sys, time, os
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
open("held", "w").close()
end = time.time() + 20
while not os.path.exists("release") and time.time() < end:
    time.sleep(0.05)
db.execute("ROLLBACK")
PY
holder=$!
n=0
while [ ! -e held ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
[ -e held ] || fail "the lock holder did not start"
printf '{"user":"anna","password":"pw-anna"}' >login.json
curl -s -D busy.h --cacert ca.pem --data-binary @login.json "$URL/v1/login" >busy.out
touch release
wait $holder
holder=
OUT=$(cat busy.out)
grep -q '\.db' busy.out && fail "a busy answer names the database: $OUT"
grep -q "'/" busy.out && fail "a busy answer names a path: $OUT"
head -1 busy.h | grep -q ' 503' || fail "a busy store should answer 503: $(head -1 busy.h)"
grep -qi '^Retry-After:' busy.h || fail "a busy answer lacks Retry-After"
expect_out "busy"
grep -q "central.db" server.out || fail "the operator's log lacks the detail: $(cat server.out)"
fi

# --- 3. over-long user names are refused before anything is stored
python3 -c 'import json; print(json.dumps({"user": "x" * (8 * 1024 * 1024 - 64), "password": "p"}))' >long.json
size() { cat central.db central.db-wal 2>/dev/null | wc -c; }
before=$(size)
for i in 1 2 3 4 5; do
	curl -s -o long.out -w '%{http_code}\n' --cacert ca.pem --data-binary @long.json "$URL/v1/login" >>long.codes
done
after=$(size)
[ $((after - before)) -lt 1048576 ] || fail "5 logins with an 8 MB user name grew the store by $((after - before)) bytes"
[ "$(sort -u long.codes)" = 400 ] || fail "an over-long user name should answer 400: $(sort -u long.codes | tr '\n' ' ')"
OUT=$(cat long.out); expect_out "user name is too long"
python3 -c 'import json; print(json.dumps({"user": "y" * 65, "password": "p"}))' >long65.json
OUT=$(curl -s --cacert ca.pem --data-binary @long65.json "$URL/v1/login"); expect_out "user name is too long"
python3 -c 'import json; print(json.dumps({"user": "anna", "password": "p" * 5000}))' >longpw.json
OUT=$(curl -s --cacert ca.pem --data-binary @longpw.json "$URL/v1/login"); expect_out "password is too long"

# a pushed record's data is at most 1 MiB, a case's strings 256 bytes
SUP=$(token sup pw-sup)
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$FORMS/demo.form" >demo.json
OUT=$(api POST /v1/forms "$SUP" demo.json); expect_out '"form_id":"demo"'
printf '{"form_id":"demo","cases":[{"id":"H1","phone":"+43 1 1","interviewer":"anna"}]}' >case.json
OUT=$(api POST /v1/cases "$SUP" case.json); expect_out '"cases":1'
python3 -c 'import json; print(json.dumps({"form_id": "demo", "cases": [{"id": "H2", "phone": "9" * 300}]}))' >longcase.json
OUT=$(api POST /v1/cases "$SUP" longcase.json); expect_out "at most 256 bytes"
ANNA=$(token anna pw-anna)
python3 -c 'import json; print(json.dumps({"records": [{"uuid": "00000000-0000-4000-8000-000000000001", "kind": "note", "data": {"case": "H1", "text": "n" * (2 * 1024 * 1024)}}]}))' >bigrec.json
before=$(size)
OUT=$(api POST /v1/push "$ANNA" bigrec.json); expect_out '"status":413'
expect_out "too large"
after=$(size)
[ $((after - before)) -lt 1048576 ] || fail "a 2 MiB record grew the store by $((after - before)) bytes"

# --- 6. 40 parallel wrong passwords for one user: exactly 5 reach the password check (401)
printf '{"user":"ben","password":"wrong"}' >wrong.json
i=0
pids=
while [ $i -lt 40 ]; do
	curl -s -o /dev/null -w '%{http_code}\n' --max-time 60 --cacert ca.pem --data-binary @wrong.json "$URL/v1/login" >"par.$i" &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do wait "$p"; done
tried=$(cat par.* | grep -c 401)
limited=$(cat par.* | grep -c 429)
[ "$tried" -eq 5 ] || fail "40 parallel wrong passwords: $tried reached the password check, expected 5"
[ "$limited" -eq 35 ] || fail "40 parallel wrong passwords: $limited limited, expected 35"
# the right password is refused too while the user is locked out
OUT=$(curl -s --cacert ca.pem -d '{"user":"ben","password":"pw-ben"}' "$URL/v1/login"); expect_out "too many failed logins"
# a per-address limit: one address trying many names is stopped (from 127.0.0.2)
i=0
: >addr.codes
while [ $i -lt 40 ]; do
	printf '{"user":"guess%d","password":"x"}' $i >g.json
	curl -s -o /dev/null -w '%{http_code}\n' --interface 127.0.0.2 --cacert ca.pem --data-binary @g.json "$URL/v1/login" >>addr.codes
	i=$((i + 1))
done
[ "$(grep -c 429 addr.codes)" -gt 0 ] || fail "40 names from one address were all tried"
[ "$(grep -c 401 addr.codes)" -le 30 ] || fail "more than 30 failed logins from one address: $(grep -c 401 addr.codes)"
# another address is not affected
OUT=$(curl -s --cacert ca.pem -d '{"user":"anna","password":"pw-anna"}' "$URL/v1/login"); expect_out '"token"'
stop_store
finish
