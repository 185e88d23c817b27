#!/bin/sh
# A shared laptop: a second interviewer gets the workstation's key from the store. anna syncs on
# the laptop (its key goes to the store once); later, in another process and with no colleague
# logged in, ben syncs there for the first time: the store gives his session the key (an audit
# line says so), his password wraps a copy, and names read for him, offline too. A retired
# laptop's key is forgotten: a third interviewer syncing there gets a clear refusal and sees no
# names.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
FORMS=$(pwd)/forms
unset CATI_PASSWORD CATI_USER CATI_DB
cd "$TMP" || exit 1
make_ca

echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects demo --db central.db >/dev/null || fail "user add"
for u in anna ben cy; do
	echo "pw-$u" | "$CATI_STORE" user add $u --role interviewer --db central.db >/dev/null || fail "user add $u"
done
start_store central.db
trap 'stop_store; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
SUP=$(token sup s3cret)
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$FORMS/demo.form" >pub.json
api POST /v1/forms "$SUP" pub.json >/dev/null
python3 - <<'PY' >cases.json
import json
people = [("K1", "Wilhelmina Schattenhofer", "+43 1 7770001", "anna"), ("K2", "Bartholomaeus Zwirnlechner", "+43 1 7770002", "ben"),
          ("K3", "Cyrilla Obernosterer", "+43 1 7770003", "cy")]
cases = [{"id": k, "phone": p, "name": n, "tz": "Europe/Vienna", "fields": {"office": "Wien Mitte", "region": "9"},
          "interviewer": who} for k, n, p, who in people]
print(json.dumps({"form_id": "demo", "cases": cases}))
PY
OUT=$(api POST /v1/cases "$SUP" cases.json)
expect_out '"cases":3'

# the laptop: enrolled once, anna syncs (her password makes the key; the store keeps it)
export XDG_CONFIG_HOME="$TMP/cfg"
"$CATI" enroll "$URL" --cacert ca.pem >/dev/null || fail "enroll"
CATI_PASSWORD=pw-anna expect_exit 0 "$CATI" sync --user anna --db ws.db
CATI_USER=anna CATI_PASSWORD=pw-anna expect_exit 0 "$CATI" doctor --db ws.db --sql "SELECT name FROM cases WHERE case_key = 'K1'"
[ "$OUT" = "Wilhelmina Schattenhofer" ] || fail "anna reads no name: $OUT"
WS=$(sqlite3 ws.db "SELECT value FROM meta WHERE key = 'workstation_id'")
[ -n "$WS" ] || fail "no workstation id"
[ "$(sqlite3 central.db "SELECT count(*) FROM workstation_keys WHERE workstation = '$WS'")" = 1 ] ||
	fail "the store does not keep the laptop's key"
# ... once: a second sync of anna's sends nothing again
CATI_PASSWORD=pw-anna expect_exit 0 "$CATI" sync --user anna --db ws.db
[ "$(grep -c 'POST /v1/workstations/key' server.out)" = 1 ] || fail "the key was not sent once: $(grep workstations/key server.out)"

# nobody else replaces the kept key: a colleague's other key pair is refused, and so is a
# "pair" whose public key the secret does not make
openssl genpkey -algorithm X25519 -out other.pem 2>/dev/null || fail "openssl X25519"
openssl pkey -in other.pem -text -noout | python3 -c '
import base64, json, re, sys
t = sys.stdin.read()
hexes = [bytes.fromhex(re.sub(r"[^0-9a-f]", "", b)) for b in re.findall(r"(?:priv|pub):\n((?:\s+[0-9a-f:]+\n)+)", t)]
b64 = [base64.b64encode(h).decode() for h in hexes]
json.dump({"workstation": sys.argv[1], "key": b64[0], "public": b64[1]}, open("other.json", "w"))
json.dump({"workstation": sys.argv[1], "key": b64[0], "public": base64.b64encode(bytes(32)).decode()}, open("bad.json", "w"))
' "$WS" || fail "the other key pair"
CY=$(token cy pw-cy)
OUT=$(curl -s -w ' %{http_code}' --cacert ca.pem -H "Authorization: Bearer $CY" --data-binary @other.json "$URL/v1/workstations/key")
expect_out "only its registered user may replace it"
expect_out " 403"
OUT=$(curl -s -w ' %{http_code}' --cacert ca.pem -H "Authorization: Bearer $CY" --data-binary @bad.json "$URL/v1/workstations/key")
expect_out "not a key pair"
expect_out " 400"
sqlite3 central.db "SELECT public FROM workstation_keys" >kept.txt
grep -qF "$(python3 -c 'import json; print(json.load(open("other.json"))["public"])')" kept.txt && fail "a colleague replaced the laptop's key"

# the next shift: ben, in a process of his own, anna nowhere logged in. (The store keeps the
# laptop registered to anna, so it refuses ben's registration and his pull, 403, as it did
# before: workstations.sh. His login and the key exchange happen all the same.)
CATI_PASSWORD=pw-ben "$CATI" sync --user ben --db ws.db >ben.out 2>&1
grep -q "stays locked" ben.out && fail "ben's sync could not get the key: $(cat ben.out)"
CATI_USER=ben CATI_PASSWORD=pw-ben expect_exit 0 "$CATI" doctor --db ws.db --sql "SELECT name FROM cases WHERE case_key = 'K1'"
[ "$OUT" = "Wilhelmina Schattenhofer" ] || fail "ben reads no names after his sync: $OUT"
[ "$(sqlite3 ws.db "SELECT count(*) FROM keyring WHERE interviewer = 'ben'")" = 1 ] || fail "ben has no copy of the key"
# his copy is on the laptop: names read offline too (the store stopped)
stop_store
CATI_USER=ben CATI_PASSWORD=pw-ben expect_exit 0 "$CATI" doctor --db ws.db --sql "SELECT name FROM cases WHERE case_key = 'K1'"
[ "$OUT" = "Wilhelmina Schattenhofer" ] || fail "ben reads no name offline: $OUT"
# the audit trail names who got which laptop's key
expect_exit 0 "$CATI_STORE" audit --db central.db
printf '%s\n' "$OUT" | grep -q "ben.*key.*$WS" || fail "the audit trail lacks ben's key fetch: $OUT"

# the laptop is lost: retired, the store forgets its key
expect_exit 0 "$CATI_STORE" workstation retire "$WS" --db central.db
[ "$(sqlite3 central.db "SELECT count(*) FROM workstation_keys WHERE workstation = '$WS'")" = 0 ] ||
	fail "the retired laptop's key is still kept"
start_store central.db
"$CATI" enroll "$URL" --cacert ca.pem >/dev/null || fail "enroll again (the store's new port)"
CY=$(token cy pw-cy)
OUT=$(curl -s -w ' %{http_code}' --cacert ca.pem -H "Authorization: Bearer $CY" "$URL/v1/workstations/key?workstation=$WS")
expect_out "retired"
expect_out " 403"
CATI_PASSWORD=pw-cy "$CATI" sync --user cy --db ws.db >cy.out 2>&1
grep -q "personal data stays locked: .*retired" cy.out || fail "cy is not told why names stay locked: $(cat cy.out)"
CATI_USER=cy CATI_PASSWORD=pw-cy "$CATI" doctor --db ws.db --sql "SELECT name FROM cases" >cy.names 2>&1
grep -q "Schattenhofer\|Zwirnlechner\|Obernosterer" cy.names && fail "cy reads names on a retired laptop: $(cat cy.names)"
grep -q "locked" cy.names || fail "cy's names are not locked: $(cat cy.names)"
expect_exit 0 "$CATI_STORE" audit --db central.db
printf '%s\n' "$OUT" | grep -q "cy.*key" && fail "the audit trail shows a key for cy: $OUT"
finish
