#!/bin/sh
# Exports without identities by default (issue 23): a default export of every format holds no
# respondent's name, phone number or free-text answer (the files searched as bytes);
# --with-identities does, and the audit trail says who asked; --pseudonyms gives keyed case ids,
# stable across two exports and different across studies, with no mapping in the export;
# assignment changes through `cati study` show up in `cati-store audit`, and a change whose
# audit line cannot be written is refused and not made; only admins read the audit trail
# (supervisors get 403). The real cati-store on 127.0.0.1 with a CA made here.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
cd "$TMP" || exit 1
server=
trap 'stop_store; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

for s in priv other; do
	cat >$s.form <<FORM
form $s
version 1
languages en
case name
case phone2
case region
single happy
  say en "Happy with {name}'s counsellor?"
  1 en "yes"
  2 en "no"
text why max 200 rf
  say en "Why?"
integer age range 16..99 personal
  say en "Age?"
FORM
done

make_ca
echo adm-pw | "$CATI_STORE" user add root --role admin --db central.db >/dev/null || fail "user add root"
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects priv,other --db central.db >/dev/null
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db central.db >/dev/null
echo pw-ben | "$CATI_STORE" user add ben --role interviewer --db central.db >/dev/null
start_store central.db
SUP=$(token sup s3cret)
ANNA=$(token anna pw-anna)
ROOT=$(token root adm-pw)
[ ${#SUP} -eq 64 ] && [ ${#ANNA} -eq 64 ] && [ ${#ROOT} -eq 64 ] || { fail "no tokens"; finish; }
for s in priv other; do
	python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' $s.form >pub.json
	api POST /v1/forms "$SUP" pub.json | grep -q hash || fail "publish $s"
done
# every personal value is unique, so that a search for it as bytes finds nothing else
python3 - <<'PY'
import json
people = {"P1": ("Zelda Quixotic", "+43 1 5559871", "0664 7770001", "my counsellor Xavertine never listens"),
          "P2": ("Yorrick Vandermolen", "+43 1 5559872", "0664 7770002", "Quillonby helped a lot"),
          "O1": ("Wendeline Okafor", "+43 1 5559873", "0664 7770003", "Mirabeaux was rude")}
recs = []
for study in ("priv", "other"):
    ids = [k for k in people if (k[0] == "O") == (study == "other")]
    cases = [{"id": k, "phone": people[k][1], "name": people[k][0], "interviewer": "anna",
              "fields": {"phone2": people[k][2], "region": "north"}} for k in ids]
    if study == "priv":   # a case nobody was given or called yet
        cases.append({"id": "P3", "phone": "+43 1 5559874", "name": "Ulrike Nobody", "fields": {}})
    json.dump({"form_id": study, "cases": cases}, open("cases-%s.json" % study, "w"))
for n, k in enumerate(sorted(people)):
    t = "2026-03-02T10:0%d:00.000Z" % n
    iv = "aaaaaaaa-0000-4000-8000-00000000000%d" % (n + 1)
    recs.append({"uuid": iv, "kind": "interview", "data": {"interview": iv, "case": k, "interviewer": "anna",
                 "status": "complete", "outcome": "complete", "lang": "en", "version": "1", "started_at": t,
                 "ended_at": t, "updated_at": t,
                 "answers": [["happy", 0, 1, "1"], ["why", 0, 1, people[k][3]], ["age", 0, 1, str(30 + n)]]}})
    recs.append({"uuid": "bbbbbbbb-0000-4000-8000-00000000000%d" % (n + 1), "kind": "attempt",
                 "data": {"uuid": "bbbbbbbb-0000-4000-8000-00000000000%d" % (n + 1), "case": k, "interviewer": "anna",
                          "at": t, "outcome": "complete", "disposition": "1.1"}})
json.dump({"records": recs, "workstation": "ws-anna"}, open("push.json", "w"))
# P1's call again with another outcome: a conflict for the supervisor to resolve
c = json.loads(json.dumps(recs[3]))
c["data"]["outcome"] = "busy"
json.dump({"records": [c], "workstation": "ws-anna"}, open("conflict.json", "w"))
PY
[ "$(api POST /v1/cases "$SUP" cases-priv.json)" = '{"cases":3}' ] || fail "cases priv"
[ "$(api POST /v1/cases "$SUP" cases-other.json)" = '{"cases":1}' ] || fail "cases other"
api POST /v1/push "$ANNA" push.json >push.out
[ "$(grep -o '"status":200' push.out | wc -l)" = 6 ] || fail "push: $(cat push.out)"
api POST /v1/push "$ANNA" conflict.json | grep -q '"status":409' || fail "no conflict"

# personal: names, phone numbers (the case's and a phone case field), text answers
PERSONAL="Zelda Quixotic|Yorrick|Ulrike|5559871|5559872|5559874|7770001|7770002|Xavertine|Quillonby"
found() { grep -a -l -E "$PERSONAL" "$@" 2>/dev/null; }

# the default: every format, and the calls file, hold nothing personal
expect_exit 0 "$CATI_STORE" export priv --format all --out def --calls def-calls.csv --db central.db
expect_out "exported 2 interviews"
expect_out "names, phone numbers and text answers left out: --with-identities adds them"
n=0
for f in def.csv def.json def.sav def.dta def.sas7bdat def.sas def.sss def.dat def.ddi.xml def.codebook.txt def-calls.csv; do
	[ -s "$f" ] || fail "the default export wrote no $f"
	n=$((n + 1))
done
[ $n = 11 ] || fail "11 files expected"
bad=$(found def.* def-calls.csv) && fail "a default export holds personal data: $bad"
# ... but the coded answers and the non-personal case field are there
grep -q '^"\{0,1\}interview' def.csv || fail "def.csv has no header: $(head -1 def.csv)"
head -1 def.csv | grep -q 'region' || fail "the region (not personal) is missing: $(head -1 def.csv)"
head -1 def.csv | tr -d '\r' | grep -q -E '(^|,)"?(name|phone2|why|age)"?(,|$)' && fail "personal columns in def.csv: $(head -1 def.csv)"
# (age: a question the form marks personal)
grep -q -E '(^|,)P1,' def.csv || fail "case ids without --pseudonyms expected: $(cat def.csv)"
for fmt in csv json sav dta sas sss; do
	expect_exit 0 "$CATI_STORE" export priv --format $fmt --out one.$fmt --db central.db
	bad=$(found one.*) && fail "export --format $fmt holds personal data: $bad"
	rm -f one.*
done

# --with-identities: the data files hold names and text answers; the audit says who asked
expect_exit 0 "$CATI_STORE" export priv --format all --out id --with-identities --calls id-calls.csv --with-phone --db central.db
for f in id.csv id.json id.sav id.dta id.sas7bdat id.dat; do
	grep -a -q "Zelda Quixotic" "$f" || fail "--with-identities: no name in $f"
	grep -a -q "Xavertine" "$f" || fail "--with-identities: no text answer in $f"
	grep -a -q "7770001" "$f" || fail "--with-identities: no phone field in $f"
done
grep -a -q "5559871" id-calls.csv || fail "--with-phone: no number in the calls"
head -1 id.csv | tr -d '\r' | grep -q -E '(^|,)"?age"?(,|$)' || fail "--with-identities: no column of the personal question age: $(head -1 id.csv)"
me=$(id -un)
expect_exit 0 "$CATI_STORE" audit --db central.db
expect_out "local:$me"
printf '%s\n' "$OUT" | grep "local:$me" | grep export | grep -q "study priv, format all, with identities" ||
	fail "the audit does not say who exported with identities: $OUT"
printf '%s\n' "$OUT" | grep export | grep -q "without identities" || fail "the default export is not in the audit: $OUT"
printf '%s\n' "$OUT" | grep -q "with phone numbers" || fail "the calls with phone numbers are not in the audit: $OUT"
bad=$(printf '%s\n' "$OUT" | grep -E "$PERSONAL") && fail "the audit holds personal data: $bad"

# pseudonyms: stable across two exports, keyed per study, the mapping nowhere in the export
expect_exit 0 "$CATI_STORE" export priv --format csv --out ps1.csv --pseudonyms --calls ps1-calls.csv --db central.db
expect_exit 0 "$CATI_STORE" export priv --format csv --out ps2.csv --pseudonyms --db central.db
expect_exit 0 "$CATI_STORE" export other --format csv --out pso.csv --pseudonyms --db central.db
bad=$(found ps1.csv ps1-calls.csv) && fail "a pseudonymised export holds personal data: $bad"
cmp -s ps1.csv ps2.csv || fail "pseudonyms differ between two exports: $(diff ps1.csv ps2.csv)"
grep -a -q -E 'P1|P2|aaaaaaaa-' ps1.csv ps1-calls.csv && fail "case or interview ids beside the pseudonyms: $(cat ps1.csv ps1-calls.csv)"
KP=$(sqlite3 central.db "SELECT key FROM study_keys WHERE study = 'priv'")
KO=$(sqlite3 central.db "SELECT key FROM study_keys WHERE study = 'other'")
[ ${#KP} = 64 ] && [ ${#KO} = 64 ] && [ "$KP" != "$KO" ] || fail "two different study keys expected: '$KP' '$KO'"
grep -a -q -E "$KP|$KO" ps1.csv pso.csv && fail "a key in an export"
python3 - "$KP" "$KO" <<'PY' || fail "pseudonyms: $(cat ps1.csv pso.csv ps1-calls.csv)"
import csv, hashlib, hmac, sys
kp, ko = (bytes.fromhex(k) for k in sys.argv[1:3])
ps = lambda k, i: "p" + hmac.new(k, i.encode(), hashlib.sha256).hexdigest()[:16]
priv = [r["case"] for r in csv.DictReader(open("ps1.csv", newline=""))]
other = [r["case"] for r in csv.DictReader(open("pso.csv", newline=""))]
calls = [r["case"] for r in csv.DictReader(open("ps1-calls.csv", newline=""))]
assert sorted(priv) == sorted([ps(kp, "P1"), ps(kp, "P2")]), priv
assert other == [ps(ko, "O1")] and other[0] != ps(kp, "O1"), other
assert sorted(calls) == sorted(priv), calls
PY
expect_exit 0 "$CATI_STORE" audit --db central.db
printf '%s\n' "$OUT" | grep -q "study other, format csv, without identities, pseudonyms" || fail "the pseudonymised export is not in the audit: $OUT"

# assignment changes through `cati study` (and the imports that named interviewers) show up in
# the audit, with who made them
export XDG_CONFIG_HOME="$TMP/cfgS"
echo s3cret >sup.pw
study() { "$CATI" study "$@" --store "$URL" --cacert ca.pem --user sup --password-file sup.pw; }
expect_exit 0 study assign --study priv --to ben P2
expect_exit 0 study take-back --study priv P1
expect_exit 0 study reopen --study priv P3
expect_exit 0 study count --study priv --interview aaaaaaaa-0000-4000-8000-000000000002
expect_exit 0 study resolve --conflict "$(sqlite3 central.db 'SELECT id FROM conflicts')" --keep stored
expect_exit 0 "$CATI_STORE" audit --user sup --db central.db
expect_out "assign"
printf '%s\n' "$OUT" | grep ' sup ' | grep assign | grep -q "study priv: 1 case (P2) to ben" || fail "assign not audited: $OUT"
printf '%s\n' "$OUT" | grep ' sup ' | grep -q "take-back  study priv: 1 case (P1)" || fail "take-back not audited: $OUT"
printf '%s\n' "$OUT" | grep ' sup ' | grep -q "reopen     study priv: 1 case (P3)" || fail "reopen not audited: $OUT"
printf '%s\n' "$OUT" | grep ' sup ' | grep -q "count      study priv: interview aaaaaaaa-0000-4000-8000-000000000002 is the complete that counts" ||
	fail "count not audited: $OUT"
printf '%s\n' "$OUT" | grep ' sup ' | grep -q -E "resolve    study priv: conflict [0-9]+, kept stored" || fail "resolve not audited: $OUT"
printf '%s\n' "$OUT" | grep -q export && fail "--user sup shows others' entries: $OUT"
expect_exit 0 "$CATI_STORE" audit --since 2999-01-01 --db central.db
[ -z "$OUT" ] || fail "--since in the future shows entries: $OUT"
expect_exit 2 "$CATI_STORE" audit --since yesterday --db central.db
expect_out "'yesterday' is not a date"

# the API: admins read the audit trail, supervisors and interviewers get 403
code=$(curl -s -o sup.out -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $SUP" "$URL/v1/manage/audit")
[ "$code" = 403 ] || fail "a supervisor read the audit trail: $code $(cat sup.out)"
code=$(curl -s -o anna.out -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $ANNA" "$URL/v1/manage/audit")
[ "$code" = 403 ] || fail "an interviewer read the audit trail: $code"
api GET "/v1/manage/audit?user=sup" "$ROOT" >root.out
python3 - <<'PY' || fail "the admin's audit: $(cat root.out)"
import json
a = json.load(open("root.out"))["audit"]
assert [x["action"] for x in a] == ["import", "import", "assign", "take-back", "reopen", "count", "resolve"], a
assert a[0]["what"] == "study priv: 3 cases imported or updated, 2 of them given to interviewers", a[0]
assert all(x["user"] == "sup" and x["at"].endswith("Z") for x in a), a
PY
[ "$(api GET '/v1/manage/audit?since=nonsense' "$ROOT" | grep -c since)" = 1 ] || fail "a bad since was accepted"

# a change of assignments and its audit line are stored together or neither: while the audit
# trail takes no line (a trigger refuses them, as a full disk would), an import, an assignment,
# a take-back, a reopening, a count and a resolution are refused (503, a clear message) and
# change nothing; after, the same requests go through, each with its line
if grep -q '^cati-pg-store ' central.db 2>/dev/null; then
	block='CREATE FUNCTION no_audit() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RAISE EXCEPTION '"'audit full'"'; END $f$;
	       CREATE TRIGGER no_audit BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION no_audit()'
	unblock='DROP TRIGGER no_audit ON audit; DROP FUNCTION no_audit()'
else
	block="CREATE TRIGGER no_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit full'); END"
	unblock='DROP TRIGGER no_audit'
fi
q() { sqlite3 central.db "$1"; }
state() {   # what the refused requests must leave as it was
	q "SELECT case_key || ':' || coalesce(interviewer, '-') FROM cases WHERE study = 'priv' ORDER BY case_key"
	q "SELECT count(*) FROM records WHERE kind = 'reopen'"
	q "SELECT count(*) FROM conflicts"
	q "SELECT count(*) FROM audit"
}
python3 - <<'PY'
import json
r = [x for x in json.load(open("push.json"))["records"] if x["kind"] == "attempt" and x["data"]["case"] == "O1"][0]
r["data"]["outcome"] = "busy"   # O1 (of study other) is still anna's: her second call conflicts
json.dump({"records": [r], "workstation": "ws-anna"}, open("conflict2.json", "w"))
PY
api POST /v1/push "$ANNA" conflict2.json >conflict2.out; grep -q "\"status\":409" conflict2.out || fail "no second conflict: $(cat conflict2.out)"
CONFLICT=$(q 'SELECT id FROM conflicts')
[ -n "$CONFLICT" ] || fail "no conflict to resolve"
printf '{"form_id": "priv", "cases": [{"id": "P4", "phone": "+43 1 5559875", "interviewer": "anna"}]}' >p4.json
q "$block" || fail "cannot block the audit trail"
before=$(state)
expect_exit 1 study assign --study priv --to anna P2
expect_out "the store answered 503: the store cannot write its audit trail, so nothing was changed"
expect_exit 1 study take-back --study priv P2
expect_out "cannot write its audit trail"
expect_exit 1 study reopen --study priv P3
expect_out "cannot write its audit trail"
expect_exit 1 study count --study priv --interview aaaaaaaa-0000-4000-8000-000000000002
expect_exit 1 study resolve --conflict "$CONFLICT" --keep theirs
code=$(curl -s -o imp.out -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $SUP" --data-binary @p4.json "$URL/v1/cases")
[ "$code" = 503 ] && grep -q "cannot write its audit trail, so nothing was changed" imp.out ||
	fail "an import without its audit line: $code $(cat imp.out)"
[ "$(state)" = "$before" ] || fail "changed without an audit line: $before -> $(state)"
[ -z "$(q "SELECT case_key FROM cases WHERE case_key = 'P4'")" ] || fail "P4 imported without an audit line"
[ "$(q "SELECT interviewer FROM cases WHERE case_key = 'P2'")" = ben ] || fail "P2 is no longer ben's"
grep -q "cannot write the audit trail" server.out || fail "the store's log does not say why: $(cat server.out)"
q "$unblock" || fail "cannot unblock the audit trail"
expect_exit 0 study assign --study priv --to anna P2
[ "$(q "SELECT interviewer FROM cases WHERE case_key = 'P2'")" = anna ] || fail "P2 not given to anna"
expect_exit 0 study take-back --study priv P2
expect_exit 0 study reopen --study priv P3
expect_exit 0 study count --study priv --interview aaaaaaaa-0000-4000-8000-000000000002
expect_exit 0 study resolve --conflict "$CONFLICT" --keep theirs
code=$(curl -s -o imp.out -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $SUP" --data-binary @p4.json "$URL/v1/cases")
[ "$code" = 200 ] || fail "the import after: $code $(cat imp.out)"
[ "$(q "SELECT interviewer FROM cases WHERE case_key = 'P4'")" = anna ] || fail "P4 not imported for anna"
api GET "/v1/manage/audit?user=sup" "$ROOT" >root.out
python3 - "$CONFLICT" <<'PY' || fail "the lines after the refusals: $(cat root.out)"
import json, sys
a = [(x["action"], x["what"]) for x in json.load(open("root.out"))["audit"]][7:]
assert a == [("assign", "study priv: 1 case (P2) to anna"), ("take-back", "study priv: 1 case (P2)"),
             ("reopen", "study priv: 1 case (P3)"),
             ("count", "study priv: interview aaaaaaaa-0000-4000-8000-000000000002 is the complete that counts"),
             ("resolve", "study other: conflict %s, kept theirs" % sys.argv[1]),
             ("import", "study priv: 1 cases imported or updated, 1 of them given to interviewers")], a
PY
finish
