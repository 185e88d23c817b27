#!/bin/sh
# The store's export (issue 20): each interview says the form version it ran on, after a form
# changed mid-fieldwork; the call records leave out phone numbers unless --with-phone asks for
# them, and then hold the number of each call's case; PSPP reads the version variable back.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
cd "$TMP" || exit 1
trap 'stop_store; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
command -v pspp >/dev/null || { fail "pspp is not installed"; finish; }

cat >v1.form <<'FORM'
form vers
version 1
languages en de
case name
single overall
  say en "How satisfied are you with the {name} office?" de "Wie zufrieden mit {name}?"
  1 en "good" de "gut"
  2 en "bad"  de "schlecht"
decimal wait range 0..240 decimals 1 dk
  say en "Minutes waited?" de "Wartezeit?"
FORM
sed 's/^version 1/version 2/' v1.form >v2.form
printf 'integer extra range 0..9\n  say en "Extra?" de "Extra?"\n' >>v2.form

make_ca
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects vers --db central.db >/dev/null || fail "user add"
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db central.db >/dev/null
start_store central.db
SUP=$(token sup s3cret)
ANNA=$(token anna pw-anna)
[ ${#SUP} -eq 64 ] && [ ${#ANNA} -eq 64 ] || { fail "no tokens"; finish; }
pub() { python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$1" >pub.json; api POST /v1/forms "$SUP" pub.json >/dev/null; }
pub v1.form
python3 - <<'PY' >cases.json
import json
cases = [{"id": "V%d" % i, "phone": "+43 1 555000%d" % i, "name": "N%d" % i, "fields": {}, "interviewer": "anna"} for i in (1, 2)]
print(json.dumps({"form_id": "vers", "cases": cases}))
PY
[ "$(api POST /v1/cases "$SUP" cases.json)" = '{"cases":2}' ] || fail "cases"
# push.py OUT: V1 on version 1, V2 on version 2 with the new question; a call each
cat >push.py <<'PY'
import json
recs = []
for n, (case, ver, answers) in enumerate((("V1", "1", [["overall", 0, 1, "1"], ["wait", 0, 1, "12.5"]]),
                                          ("V2", "2", [["overall", 0, 1, "2"], ["wait", 0, 1, "240"], ["extra", 0, 1, "3"]]))):
    t = "2026-03-02T10:0%d:00.000Z" % n
    iv = "aaaaaaaa-0000-4000-8000-00000000000%d" % (n + 1)
    recs.append({"uuid": iv, "kind": "interview", "data": {"interview": iv, "case": case, "interviewer": "anna",
                 "status": "complete", "outcome": "complete", "lang": "en", "version": ver, "started_at": t,
                 "ended_at": t, "updated_at": t, "answers": answers}})
    recs.append({"uuid": "bbbbbbbb-0000-4000-8000-00000000000%d" % (n + 1), "kind": "attempt",
                 "data": {"uuid": "bbbbbbbb-0000-4000-8000-00000000000%d" % (n + 1), "case": case, "interviewer": "anna",
                          "at": t, "outcome": "complete", "disposition": "1.1"}})
json.dump({"records": recs, "workstation": "ws-anna"}, open("push.json", "w"))
PY
python3 push.py
pub v2.form
api POST /v1/push "$ANNA" push.json >push.out
grep -q '"status":200' push.out || fail "push: $(cat push.out)"
stop_store

expect_exit 0 "$CATI_STORE" export vers --format csv --out v.csv --calls calls.csv --db central.db
expect_out "phone numbers left out: --with-phone adds them"
expect_out "exported 2 interviews"
head -1 calls.csv | grep -q phone && fail "the store exported phone numbers unasked: $(head -1 calls.csv)"
grep -q 5550001 calls.csv && fail "a phone number in calls.csv without --with-phone"
expect_exit 0 "$CATI_STORE" export vers --format csv --out v.csv --calls pcalls.csv --with-phone --db central.db
grep -q '^V1,anna,[^,]*,+43 1 5550001,complete,1.1,' pcalls.csv || fail "--with-phone: V1's number missing: $(cat pcalls.csv)"
grep -q '^V2,anna,[^,]*,+43 1 5550002,complete,1.1,' pcalls.csv || fail "--with-phone: V2's number missing: $(cat pcalls.csv)"
expect_exit 2 "$CATI_STORE" export vers --format csv --out v.csv --with-phone --db central.db
expect_out "--with-phone needs --calls"
python3 - <<'PY' || fail "the store's CSV: $(cat v.csv)"
import csv, sys
rows = {r["case"]: r for r in csv.DictReader(open("v.csv", encoding="utf-8", newline=""))}
want = {"V1": {"form_version": "1", "wait": "12.5", "extra": ""}, "V2": {"form_version": "2", "wait": "240", "extra": "3"}}
bad = ["%s %s: %r, want %r" % (c, k, rows.get(c, {}).get(k), v) for c, w in want.items() for k, v in w.items() if rows.get(c, {}).get(k) != v]
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
expect_exit 0 "$CATI_STORE" export vers --format sav --out v.sav --lang de --db central.db
printf "GET FILE='v.sav'.\nDISPLAY DICTIONARY.\nLIST.\n" >v.sps
pspp -O format=csv -o v.pspp.csv v.sps >/dev/null 2>&1 || fail "pspp cannot read v.sav: $(cat v.pspp.csv)"
grep -q '^form_version,.*Version des Fragebogens' v.pspp.csv || fail "v.sav: no form_version in German: $(grep form_version v.pspp.csv)"
grep -q '"Wie zufrieden mit \[name\]?"\|,Wie zufrieden mit \[name\]?,' v.pspp.csv || fail "v.sav: overall's label: $(grep '^overall' v.pspp.csv)"
python3 - <<'PY' || fail "v.sav's data: $(sed -n '/Data List/,$p' v.pspp.csv)"
import csv, io, sys
data = list(csv.reader(io.StringIO(open("v.pspp.csv", encoding="utf-8").read().split("Table: Data List\n")[1])))
head = data[0]
rows = {r[head.index("case")].strip(): dict(zip(head, (x.strip() for x in r))) for r in data[1:] if r}
ok = rows.get("V1", {}).get("form_version") == "1" and rows.get("V2", {}).get("form_version") == "2"
sys.exit(0 if ok else 1)
PY
finish
