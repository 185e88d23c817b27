#!/bin/sh
# AAPOR rates end to end: one fixed data set (a store, 21 cases, calls with every kind of
# outcome, four completes, two cases set by hand to 3.20 household, respondent's eligibility
# unknown) gives the same figures in `cati report rates` and in the store's report (command
# line and GET /v1/report); the 10th edition is the default, the 9th on request reproduces the
# figures cati printed before the 10th edition came in (golden files made by that build).
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
FORMS=$(pwd)/forms
GOLDEN=$(pwd)/tests/cli/golden
cd "$TMP" || exit 1
trap 'stop_store; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
make_ca
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects demo --db central.db >/dev/null || fail "user add"
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db central.db >/dev/null
start_store central.db
SUP=$(token sup s3cret)
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$FORMS/demo.form" >pub.json
OUT=$(api POST /v1/forms "$SUP" pub.json)
expect_out '"form_id":"demo"'
python3 - <<'PY' >cases.json
import json
cases = [{"id": "D%02d" % i, "phone": "+43 1 5551%03d" % i, "name": "Person %d" % i, "tz": "Europe/Vienna",
          "fields": {"name": "Person %d" % i, "office": "Wien Mitte", "region": "9"}, "interviewer": "anna"}
         for i in range(1, 22)]
print(json.dumps({"form_id": "demo", "cases": cases}))
PY
OUT=$(api POST /v1/cases "$SUP" cases.json)
expect_out '"cases":21'
export XDG_CONFIG_HOME="$TMP/cfg" CATI_PASSWORD=pw-anna CATI_NOW=2026-03-02T09:00:00Z
expect_exit 0 "$CATI" enroll "$URL" --cacert ca.pem
expect_exit 0 "$CATI" sync --user anna --db w.db

# I 4 (D01-D04); R 3 (refusal D05 D06, soft refusal D07); NC 1 (appointment D08); O 2 (D09 D10);
# UH 5 (no answer D11-D13, busy D14, never called D15); UO 1 (wrong number D16); UR 2 (D17 D18
# set to 3.20 by hand, as the call and as the record waiting to be sent: no call outcome
# records it); NE 3 (disconnected D19 and fax D20: no household; screened out D21: a household
# without an eligible respondent)
for k in D01 D02 D03 D04; do
	OUT=$(printf 'n\na 1\na 2026-01-02\na 1\na 2\na 10\na 12\na 1\n' | "$CATI" interview --db w.db --case $k --interviewer anna)
	expect_out "@ end complete"
done
call() {
	expect_exit 0 "$CATI" call --case "$1" --outcome "$2" --interviewer anna --db w.db
}
call D05 refusal
call D06 refusal
call D07 soft_refusal
call D08 appointment
call D09 language_barrier
call D10 deceased
call D11 no_answer
call D12 no_answer
call D13 no_answer
call D14 busy
call D16 wrong_number
call D17 wrong_number
call D18 wrong_number
call D19 disconnected
call D20 fax
call D21 screened_out
sqlite3 w.db "UPDATE call_attempts SET disposition = '3.20' WHERE case_id IN (SELECT id FROM cases WHERE case_key IN ('D17', 'D18'));
              UPDATE cases SET disposition = '3.20' WHERE case_key IN ('D17', 'D18');
              UPDATE outbox SET payload = NULL WHERE kind = 'attempt' AND ref IN (SELECT a.id FROM call_attempts a
               JOIN cases c ON c.id = a.case_id WHERE c.case_key IN ('D17', 'D18'))" || fail "set 3.20"
# (the records hold the sealed phone number: emptied, cati makes them again from the rows)
expect_exit 0 "$CATI" sync --user anna --db w.db
expect_out "0 conflicts, 0 refused"
# the 9th edition on request: as cati printed it before the 10th (golden files of that build),
# plus the line that names the edition and, in JSON, the fields added beside the old ones
"$CATI" report rates --db w.db --aapor 9 >ws9.txt 2>&1 || fail "cati report rates --aapor 9: $(cat ws9.txt)"
grep -qx "rates by AAPOR Standard Definitions, 9th edition (2016)" ws9.txt || fail "no edition line: $(cat ws9.txt)"
grep -v "^rates by AAPOR" ws9.txt | diff "$GOLDEN/rates-9th-ws.txt" - >diff9.txt || fail "the 9th edition differs: $(cat diff9.txt)"
"$CATI_STORE" report demo --db central.db --format json --aapor 9 >store9.json || fail "cati-store report --aapor 9"
api GET "/v1/report?study=demo&aapor=9" "$SUP" >http9.json
"$CATI_STORE" report demo --db central.db --format json >store10.json || fail "cati-store report"
api GET "/v1/report?study=demo" "$SUP" >http10.json
"$CATI" report rates --db w.db >ws10.txt 2>&1 || fail "cati report rates: $(cat ws10.txt)"
# the same rates in German: its words and a decimal comma, the same figures
LANGUAGE=de "$CATI" report rates --db w.db >ws10de.txt 2>&1 || fail "cati report rates in German: $(cat ws10de.txt)"
grep -q '^Raten nach AAPOR Standard Definitions, 10. Ausgabe (2023)$' ws10de.txt || fail "no German heading: $(cat ws10de.txt)"
grep -q '^  RR1 *0,[0-9]\{4\}$' ws10de.txt || fail "RR1 without a decimal comma in German: $(cat ws10de.txt)"
[ "$(grep '^  [A-Z]*[0-9] ' ws10.txt | tr . ,)" = "$(grep '^  [A-Z]*[0-9] ' ws10de.txt)" ] ||
	fail "the German rates differ from the English ones: $(cat ws10de.txt)"
python3 - "$GOLDEN/rates-9th-store.json" store9.json http9.json store10.json http10.json ws10.txt <<'PY' || fail "the figures differ"
import json, re, sys
gold, s9, h9, s10, h10 = (json.load(open(f)) for f in sys.argv[1:6])
ws = open(sys.argv[6]).read()
for r9 in (s9, h9):
    assert r9["dispositions"] == gold["dispositions"], r9["dispositions"]
    for k, v in gold["rates"].items():
        assert r9["rates"][k] == v, (k, r9["rates"][k], v)   # to the last bit
    assert r9["rates"]["edition"] == 9 and "UR" not in r9["rates"]["groups"], r9["rates"]
# the 10th edition by default, over HTTP as on the command line
for a, b in ((s10, h10),):
    assert a["rates"] == b["rates"] and a["dispositions"] == b["dispositions"]
r = s10["rates"]
assert r["edition"] == 10, r
assert {d["code"]: d["group"] for d in s10["dispositions"]}["3.20"] == "UR"
assert r["groups"] == {"I": 4, "P": 0, "R": 3, "NC": 1, "O": 2, "UH": 5, "UR": 2, "UO": 1, "NE": 3}, r["groups"]
# by hand: known 10; e_UH = e_UO = 10/13, e_UR = 10/(10 + 1 screened out) = 10/11;
# U' = 6 * 10/13 + 2 * 10/11 = 6.433566; RR3 = 4 / 16.433566; e = 6.433566 / 8
near = lambda a, b: abs(a - b) < 1e-4
assert near(r["e_UH"], 10 / 13) and near(r["e_UO"], 10 / 13) and near(r["e_UR"], 10 / 11), r
assert r["e_UH_estimated"] and r["e_UR_estimated"] and r["e_UO_estimated"] and r["e_estimated"]
assert near(r["e"], .804196) and near(r["RR3"], .243405) and near(r["REF2"], 3 / 16.433566), r
assert near(r["RR1"], 4 / 18) and near(r["CON3"], .9), r
# cati report prints the same figures (to its 4 decimals)
m = dict(re.findall(r"^  (RR\d|COOP\d|REF\d|CON\d) +([\d.]+|n/a)$", ws, re.M))
assert len(m) == 16, ws
for k, v in m.items():
    assert ("%.4f" % r[k]) == v, (k, r[k], v)
for k in ("UH", "UR", "UO"):
    assert ("e_%s = %.4f (proportional" % (k, r["e_" + k])) in ws, ws
assert "groups: I 4  P 0  R 3  NC 1  O 2  UH 5  UR 2  UO 1  NE 3" in ws, ws
assert "rates by AAPOR Standard Definitions, 10th edition (2023)" in ws, ws
PY

# e given per class, the same on both sides; one class given, the others estimated
"$CATI" report rates --db w.db --e UH=0.5,UR=0.8,UO=0.3 >ws.txt || fail "cati report rates --e per class"
"$CATI_STORE" report demo --db central.db --format json --e UH=0.5,UR=0.8,UO=0.3 >s.json || fail "cati-store report --e"
api GET "/v1/report?study=demo&e=UH%3D0.5,UR%3D0.8,UO%3D0.3" "$SUP" >h.json
python3 - s.json h.json ws.txt <<'PY' || fail "e given per class"
import json, re, sys
s, h = (json.load(open(f)) for f in sys.argv[1:3])
ws = open(sys.argv[3]).read()
r = s["rates"]
assert r == h["rates"], (r, h["rates"])
assert not r["e_estimated"] and not r["e_UR_estimated"] and r["e_UR"] == 0.8, r
# U' = 5 * .5 + 2 * .8 + 1 * .3 = 4.4; RR3 = 4 / 14.4
assert abs(r["RR3"] - 4 / 14.4) < 1e-9 and abs(r["e"] - 4.4 / 8) < 1e-9, r
assert "  RR3    %.4f\n" % r["RR3"] in ws and "e_UR = 0.8000 (given)" in ws, ws
PY
OUT=$("$CATI_STORE" report demo --db central.db --section dispositions --e UR=0.8)
expect_out "groups: I 4 P 0 R 3 NC 1 O 2 UH 5 UR 2 UO 1 NE 3; e 0.777 (partly given)"
expect_out "e by class: UH 0.769 (estimated)  UR 0.800 (given)  UO 0.769 (estimated)"
expect_out "RR1  22.2%   RR2  22.2%   RR3  24.7%"
expect_out "AAPOR Standard Definitions, 10th edition (2023)"
OUT=$("$CATI_STORE" report demo --db central.db --section dispositions --format csv --aapor 9)
expect_out "rates,edition,9"
expect_out "rates,RR3,0.2476"

# wrong words: a reason each, exit 2; over HTTP a 400 with the reason
expect_exit 2 "$CATI" report rates --db w.db --aapor 8
expect_out "cati report: --aapor: '8' is not an edition of the AAPOR Standard Definitions cati computes (9 or 10)"
expect_exit 2 "$CATI" report rates --db w.db --e UX=0.5
expect_out "cati report: --e: 'UX=0.5' is not CLASS=E with a class of unknown eligibility (UH, UR, UO)"
expect_exit 2 "$CATI" report rates --db w.db --aapor 9 --e UH=0.5
expect_out "the 9th edition has one e"
expect_exit 2 "$CATI_STORE" report demo --db central.db --e UR=2
expect_out "cati-store report: --e: UR: '2' is not a number from 0 to 1"
OUT=$(api GET "/v1/report?study=demo&aapor=11" "$SUP")
expect_out "'11' is not an edition"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $SUP" "$URL/v1/report?study=demo&e=2")
[ "$code" = 400 ] || fail "e=2 answered $code, expected 400"
finish
