#!/bin/sh
# An interview's end records its call in the same transaction: interviews finished with the
# headless `cati interview` count as 1.1 complete or by their ending's call outcome in
# `cati report rates`, never as 3.11 not attempted; a consent refusal counts as a refusal.
. tests/cli/lib.sh
DB="$TMP/o.db"
"$CATI" sample import forms/demo-sample.csv --form forms/demo.form --db "$DB" >/dev/null || fail "import"
export CATI_NOW=2026-03-02T09:00:00Z

# two completes and a screen-out, each in its own process that stops right at the END screen
for k in D001 D002; do
	OUT=$(printf 'n\na 1\na 2026-01-02\na 1\na 2\na 10\na 12\na 1\n' | "$CATI" interview --db "$DB" --case $k --interviewer anna)
	expect_out "@ end complete"
done
OUT=$(printf 'n\na 2\n' | "$CATI" interview --db "$DB" --case D003 --interviewer anna)
expect_out "@ end no_contact"
# going back from the ending and finishing again records no second call
OUT=$(printf 'n\na 2\nb\na 2\n' | "$CATI" interview --db "$DB" --case D004 --interviewer anna)
expect_out "@ end no_contact"
n=$(sqlite3 "$DB" "SELECT count(*) FROM call_attempts a JOIN cases c ON c.id = a.case_id WHERE c.case_key = 'D004'")
[ "$n" = 1 ] || fail "D004 has $n call attempts, expected 1"

OUT=$("$CATI" report rates --db "$DB")
expect_out "1.1    complete                                                            2"
expect_out "4.70   no eligible respondent (screened out)                               2"
expect_out "3.11   not attempted                                                       4"
expect_out "groups: I 2  P 0  R 0  NC 0  O 0  UH 4  UR 0  UO 0  NE 2"
# every finished interview has exactly one call with its outcome
n=$(sqlite3 "$DB" "SELECT count(*) FROM interviews i WHERE i.status IN ('complete', 'screenout')
	AND (SELECT count(*) FROM call_attempts a WHERE a.interview = i.id
	     AND a.outcome = CASE i.status WHEN 'complete' THEN 'complete' ELSE 'screened_out' END) <> 1")
[ "$n" = 0 ] || fail "$n finished interviews without exactly one end attempt"
n=$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE kind = 'attempt'")
[ "$n" = 4 ] || fail "$n attempt records queued for the central store, expected 4"

# a form's ending names its call outcome; a name that is not one an ending records is an error
OUT=$("$CATI" walk forms/cms_jobseeker.form --case region=9 --case custtype=1 --answer consent=2)
expect_out "END refused_interview (call outcome refusal)"
printf 'form f\nlanguages en\nyesno ok\n say "Go on?"\nscreenout stop if ok = no outcome refusl\n say "Bye."\n' >"$TMP/bad.form"
expect_exit 1 "$CATI" check "$TMP/bad.form"
expect_out "bad.form:5:35: 'refusl' is not a call outcome an ending can record (refusal, language_barrier, unable, deceased, screened_out, quota_full, do_not_call)"

# cms_jobseeker: refusing consent ends the interview as a refusal (AAPOR 2.112), not a screen-out
J="$TMP/j.db"
"$CATI" sample example forms/cms_jobseeker.form -n 3 >"$TMP/j.csv" || fail "sample example"
"$CATI" sample import "$TMP/j.csv" --form forms/cms_jobseeker.form --db "$J" >/dev/null || fail "import cms_jobseeker"
OUT=$(printf 'n\na 2\n' | "$CATI" interview --db "$J" --case cms_jobseeker000001 --interviewer anna)
expect_out "@ end refused_interview call_outcome=refusal"
OUT=$("$CATI" report rates --db "$J")
expect_out "2.112  known-respondent refusal                                            1"
expect_out "groups: I 0  P 0  R 1  NC 0  O 0  UH 2  UR 0  UO 0  NE 0"
n=$(sqlite3 "$J" "SELECT outcome || ' ' || disposition FROM call_attempts")
[ "$n" = "refusal 2.112" ] || fail "the consent refusal was recorded as '$n'"
# the case is done: its interview is not started again
expect_exit 1 "$CATI" interview --db "$J" --case cms_jobseeker000001 --interviewer anna
expect_out "already done"

# the central store counts the same: the refusal as 2.112; an ending changed after going back
# (refusal, then no contact) arrives as the one attempt with its last outcome
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
FORMS=$(pwd)/forms
cd "$TMP" || exit 1
trap 'stop_store; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
make_ca
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects cms_jobseeker --db central.db >/dev/null || fail "user add"
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db central.db >/dev/null
start_store central.db
SUP=$(token sup s3cret)
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$FORMS/cms_jobseeker.form" >pub.json
OUT=$(api POST /v1/forms "$SUP" pub.json)
expect_out '"form_id":"cms_jobseeker"'
python3 - <<'PY' >cases.json
import json
cases = [{"id": "J%d" % i, "phone": "+43 1 555100%d" % i, "name": "Person %d" % i, "tz": "Europe/Vienna",
          "fields": {"name": "Person %d" % i, "office": "Wien Mitte", "region": "9", "custtype": "1", "addon": "0",
                     "months_registered": "12"}, "interviewer": "anna"} for i in range(1, 5)]
print(json.dumps({"form_id": "cms_jobseeker", "cases": cases}))
PY
OUT=$(api POST /v1/cases "$SUP" cases.json)
expect_out '"cases":4'
export XDG_CONFIG_HOME="$TMP/cfg" CATI_PASSWORD=pw-anna
expect_exit 0 "$CATI" enroll "$URL" --cacert ca.pem
expect_exit 0 "$CATI" sync --user anna --db w.db
OUT=$(printf 'n\na 2\n' | "$CATI" interview --db w.db --case J1 --interviewer anna)
expect_out "@ end refused_interview call_outcome=refusal"
OUT=$(printf 'n\na 1\na 2\n' | "$CATI" interview --db w.db --case J2 --interviewer anna)
expect_out "@ end no_contact call_outcome=screened_out"
OUT=$(printf 'n\na 2\nb\na 1\na 2\n' | "$CATI" interview --db w.db --case J3 --interviewer anna)
expect_out "@ end no_contact call_outcome=screened_out"
expect_exit 0 "$CATI" sync --user anna --db w.db
expect_out "0 conflicts, 0 refused"
OUT=$("$CATI" report rates --db w.db)
expect_out "2.112  known-respondent refusal                                            1"
expect_out "4.70   no eligible respondent (screened out)                               2"
"$CATI_STORE" report cms_jobseeker --db central.db --format json >report.json || fail "cati-store report"
python3 - report.json <<'PY' || fail "the central store's dispositions differ"
import json, sys
r = json.load(open(sys.argv[1]))
d = {x["code"]: x["n"] for x in r["dispositions"]}
assert d == {"2.112": 1, "4.70": 2, "3.11": 1}, d
assert r["rates"]["groups"]["R"] == 1, r["rates"]["groups"]
PY
n=$(sqlite3 central.db "SELECT count(*) || ' ' || group_concat(outcome) FROM attempts WHERE case_key = 'J3'")
[ "$n" = "1 screened_out" ] || fail "J3's attempts at the central store: $n"
finish
