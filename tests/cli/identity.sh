#!/bin/sh
# Identity decides, never the body (issue 17): a record's interviewer is the token's user; an
# interview id stays with the case, interviewer and workstation it came with; texts a report
# prints carry no terminal escapes; a deleted user's tokens stay dead when the name comes back.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
FORMS=$(pwd)/forms
cd "$TMP" || exit 1
trap 'stop_store; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

make_ca
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects demo --db central.db >/dev/null || fail "user add"
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db central.db >/dev/null
echo pw-ben | "$CATI_STORE" user add ben --role interviewer --db central.db >/dev/null
start_store central.db
SUP=$(token sup s3cret)
ANNA=$(token anna pw-anna)
BEN=$(token ben pw-ben)
[ ${#SUP} -eq 64 ] && [ ${#ANNA} -eq 64 ] && [ ${#BEN} -eq 64 ] || { fail "no tokens"; finish; }
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$FORMS/demo.form" >pub.json
api POST /v1/forms "$SUP" pub.json >/dev/null
python3 - <<'PY' >cases.json
import json
cases = [{"id": "D%d" % i, "phone": "+43 1 555000%d" % i, "fields": {"office": "Wien", "region": "9"},
          "interviewer": "anna" if i < 4 else "ben"} for i in range(1, 5)]
print(json.dumps({"form_id": "demo", "cases": cases}))
PY
[ "$(api POST /v1/cases "$SUP" cases.json)" = '{"cases":4}' ] || fail "cases"

# rec.py OUT KIND UUID CASE INTERVIEW WHO VALUE [WORKSTATION]: a push body of one record
cat >rec.py <<'PY'
import json, sys
out, kind, uuid, case, iv, who, value = sys.argv[1:8]
ws = sys.argv[8] if len(sys.argv) > 8 else None
t = "2026-03-02T10:%s:00.000Z" % value[-2:].rjust(2, "0")
if kind == "interview":
    d = {"interview": iv, "case": case, "interviewer": who, "status": "complete", "outcome": "complete",
         "lang": "en", "version": "1", "started_at": t, "ended_at": t, "updated_at": t,
         "answers": [["overall", 0, 1, value]]}
elif kind == "event":
    d = {"interview": iv, "case": case, "who": who, "seq": int(value), "type": "answer", "qid": "overall",
         "iter": 0, "state": 1, "value": value}
else:
    d = {"uuid": uuid, "case": case, "interviewer": who, "at": t, "outcome": "complete", "disposition": "1.1"}
body = {"records": [{"uuid": uuid, "kind": kind, "data": d}]}
if ws:
    body["workstation"] = ws
json.dump(body, open(out, "w"))
PY
# status OUT: the status of the one record in the push answer OUT
status() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["status"])' "$1"; }
IVB=bbbbbbbb-0000-4000-8000-000000000004
IVA=aaaaaaaa-0000-4000-8000-000000000002

# ben completes D4 from his workstation
python3 rec.py b.json interview $IVB D4 $IVB ben 1 ws-ben
api POST /v1/push "$BEN" b.json >b.out
[ "$(status b.out)" = 200 ] || fail "ben's complete: $(cat b.out)"
"$CATI_STORE" export demo --format csv --out before.csv --db central.db || fail "export"

# finding 1: anna pushes a complete on her D2 under ben's interview id: refused, nothing changes
python3 rec.py a1.json interview cccccccc-0000-4000-8000-000000000001 D2 $IVB anna 5 ws-anna
api POST /v1/push "$ANNA" a1.json >a1.out
[ "$(status a1.out)" = 403 ] || fail "anna's record under ben's interview id was not refused: $(cat a1.out)"
grep -q cccccccc-0000-4000-8000-000000000001 a1.out || fail "the answer does not name the refused record"
# ... nor may an event of hers touch it, nor ben's own interview from another workstation
python3 rec.py a2.json event cccccccc-0000-4000-8000-000000000002 D2 $IVB anna 5 ws-anna
api POST /v1/push "$ANNA" a2.json >a2.out
[ "$(status a2.out)" = 403 ] || fail "anna's event on ben's interview: $(cat a2.out)"
python3 rec.py b2.json interview cccccccc-0000-4000-8000-000000000003 D4 $IVB ben 6 ws-other
api POST /v1/push "$BEN" b2.json >b2.out
[ "$(status b2.out)" = 403 ] || fail "ben's interview from another workstation: $(cat b2.out)"
# ... and a call of hers may not take over the uuid of his call
python3 rec.py b3.json attempt eeeeeeee-0000-4000-8000-000000000004 D4 - ben 01
api POST /v1/push "$BEN" b3.json >b3.out
[ "$(status b3.out)" = 200 ] || fail "ben's call: $(cat b3.out)"
python3 rec.py a4.json attempt eeeeeeee-0000-4000-8000-000000000004 D2 - anna 09
sed 's/"uuid": "eeeeeeee-0000-4000-8000-000000000004", "kind"/"uuid": "cccccccc-0000-4000-8000-000000000004", "kind"/' a4.json >a4b.json
api POST /v1/push "$ANNA" a4b.json >a4.out
[ "$(status a4.out)" = 403 ] || fail "anna's call under ben's call uuid: $(cat a4.out)"
[ "$(sqlite3 central.db "SELECT case_key || ' ' || interviewer || ' ' || at FROM attempts WHERE uuid = 'eeeeeeee-0000-4000-8000-000000000004'")" = "D4 ben 2026-03-02T10:01:00.000Z" ] ||
	fail "ben's call changed"
"$CATI_STORE" export demo --format csv --out after.csv --db central.db || fail "export"
cmp -s before.csv after.csv || fail "ben's interview changed in the export: $(diff before.csv after.csv)"
[ "$(sqlite3 central.db "SELECT interviewer || ' ' || case_key FROM interviews WHERE uuid = '$IVB'")" = "ben D4" ] ||
	fail "ben's interview row changed"
[ "$(sqlite3 central.db "SELECT value FROM answers WHERE interview = '$IVB' AND qid = 'overall'")" = 1 ] ||
	fail "ben's answers changed"

# a complete anna pushes naming ben (with a terminal escape) is hers
python3 rec.py a3.json interview $IVA D2 $IVA "$(printf 'ben\033[2J\033]0;pwned\007')" 2 ws-anna
api POST /v1/push "$ANNA" a3.json >a3.out
[ "$(status a3.out)" = 200 ] || fail "anna's own complete: $(cat a3.out)"
[ "$(sqlite3 central.db "SELECT interviewer FROM interviews WHERE uuid = '$IVA'")" = anna ] ||
	fail "anna's complete is credited to '$(sqlite3 central.db "SELECT interviewer FROM interviews WHERE uuid = '$IVA'")'"
"$CATI_STORE" report demo --db central.db --format json >report.json || fail "report"
python3 - report.json <<'PY' || fail "the report does not credit anna's complete to anna"
import json, sys
r = json.load(open(sys.argv[1]))
who = {x["name"]: x.get("completes") for x in r["interviewers"]}
assert who.get("anna") == 1 and who.get("ben") == 1, who
PY

# finding 9: no text a report prints carries control characters, whatever was pushed (a
# supervisor's import keeps the interviewer its records name)
python3 - <<'PY' >esc.json
import json
e = "\x1b[2J\x1b]0;pwned\x07"
d = {"uuid": "dddddddd-0000-4000-8000-000000000001", "case": "D3", "interviewer": "x" + e + "y",
     "at": "2026-03-02T11:00:00.000Z", "outcome": "refusal" + e, "disposition": "2.112"}
print(json.dumps({"records": [{"uuid": d["uuid"], "kind": "attempt", "data": d}]}))
PY
api POST /v1/push "$SUP" esc.json >esc.out
[ "$(status esc.out)" = 200 ] || fail "the supervisor's import: $(cat esc.out)"
"$CATI_STORE" report demo --db central.db --format text >report.txt || fail "text report"
if LC_ALL=C grep -q "$(printf '\033')" report.txt; then fail "the text report carries an ESC byte"; fi
if LC_ALL=C grep -q "$(printf '\007')" report.txt; then fail "the text report carries a BEL byte"; fi
"$CATI_STORE" report demo --db central.db --format csv >report.csv || fail "csv report"
if LC_ALL=C grep -q "$(printf '\033')" report.csv; then fail "the CSV report carries an ESC byte"; fi
grep -q '^interviewers,xy,' report.csv || fail "the imported interviewer's name, cleaned, is not in the CSV report"

# finding 9: a user deleted and made again under the same name does not revive the old token
OLD=$(token ben pw-ben)
[ "$(api GET "/v1/pull?cursor=0" "$OLD" | head -c 1)" = "{" ] || fail "ben's token before the delete"
expect_exit 0 "$CATI_STORE" user delete ben --db central.db
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $OLD" "$URL/v1/pull?cursor=0")
[ "$code" = 401 ] || fail "a deleted user's token answered $code"
echo pw-ben2 | "$CATI_STORE" user add ben --role interviewer --db central.db >/dev/null || fail "user add ben again"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $OLD" "$URL/v1/pull?cursor=0")
[ "$code" = 401 ] || fail "the old token of a re-created user answered $code"
NEW=$(token ben pw-ben2)
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $NEW" "$URL/v1/pull?cursor=0")
[ "$code" = 200 ] || fail "the new ben's token answered $code"
expect_exit 1 "$CATI_STORE" user delete nobody --db central.db
expect_out "no user 'nobody'"
finish
