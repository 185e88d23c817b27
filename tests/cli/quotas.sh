#!/bin/sh
# Quotas end to end: a real cati-store (test CA made here) and two workstations. Cells fill up
# across workstations, a full cell screens out at the question that puts the respondent in it,
# allowances are spent offline and come back on sync, an offline overfill is reported and kept,
# targets change and cells close mid-study, cases of full cells leave the call queue.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
export CATI_STUDY="$(pwd)/tests/e2e/allday.study"
cd "$TMP" || exit 1
trap 'stop_store; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

cat >q.form <<'EOF'
form qstudy
languages en
case name
case region scale regions
scale regions
  1 "North"
  2 "South"
quota reg by region target 6 allowance 1
  say "Thank you, we have enough interviews in your region."
quota rs by region sex target 2 allowance 1
  say "Thank you, we have enough people like you."
info intro
  say "Hello {name}."
single sex
  say "Are you male or female?"
  1 "male"
  2 "female"
single sat
  say "How satisfied are you?"
  1 "very"
  2 "rather"
  3 "not"
EOF

make_ca
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects qstudy --db central.db || fail "user add"
echo pw-ann | "$CATI_STORE" user add ann --role interviewer --db central.db
echo pw-ben | "$CATI_STORE" user add ben --role interviewer --db central.db
start_store central.db
PORT=${URL##*:}
SUP=$(token sup s3cret)
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' q.form >pub.json
OUT=$(api POST /v1/forms "$SUP" pub.json)
expect_out '"form_id":"qstudy"'
# region 1: N1-N12, region 2: S1-S12; odd numbers ann's, even ben's
python3 - <<'PY' >cases.json
import json
cases = []
for r, p in ((1, "N"), (2, "S")):
    for i in range(1, 13):
        cases.append({"id": "%s%d" % (p, i), "phone": "+43 1 55%d%02d" % (r, i), "name": "%s%d" % (p, i),
                      "tz": "Europe/Vienna", "fields": {"region": str(r)}, "interviewer": "ann" if i % 2 else "ben"})
print(json.dumps({"form_id": "qstudy", "cases": cases}))
PY
OUT=$(api POST /v1/cases "$SUP" cases.json)
expect_out '"cases":24'

# the store set the cells up from the form
expect_exit 0 "$CATI_STORE" quota list qstudy --db central.db
expect_out "rs           2,2        South / female"
[ "$(sqlite3 central.db "SELECT count(*) FROM quota_cells WHERE study = 'qstudy'")" = 6 ] || fail "6 cells expected"

# ws STATION USER PW ARGS...: run cati as that workstation
ws() {
	station=$1 user=$2 pw=$3
	shift 3
	XDG_CONFIG_HOME="$TMP/cfg-$station" CATI_PASSWORD=$pw "$CATI" "$@"
}
# iv STATION CASE SEX [SAT]: interview; the output in $OUT
iv() {
	if [ -n "${4:-}" ]; then
		OUT=$(printf 'n\na %s\na %s\nq\n' "$3" "$4" | XDG_CONFIG_HOME="$TMP/cfg-$1" "$CATI" interview --db "$1.db" --case "$2" --interviewer "$1" 2>&1)
	else
		OUT=$(printf 'n\na %s\nq\n' "$3" | XDG_CONFIG_HOME="$TMP/cfg-$1" "$CATI" interview --db "$1.db" --case "$2" --interviewer "$1" 2>&1)
	fi
}
status_of() { sqlite3 "$1.db" "SELECT i.status || ' ' || coalesce(i.outcome, '') FROM interviews i JOIN cases c ON c.id = i.case_id WHERE c.case_key = '$2'"; }
# granted CELL: the allowances the store holds back for rs CELL
granted() { sqlite3 central.db "SELECT coalesce(sum(n), 0) FROM grants WHERE quota = 'rs' AND cell = '$1'"; }
achieved() { sqlite3 central.db "SELECT achieved FROM quota_cells WHERE quota = '$1' AND cell = '$2'"; }
# never more held back than the targets leave
invariant() {
	bad=$(sqlite3 central.db "SELECT count(*) FROM quota_cells q WHERE q.closed = 0 AND q.achieved <= q.target AND
		q.achieved + (SELECT coalesce(sum(n), 0) FROM grants g WHERE g.study = q.study AND g.quota = q.quota AND g.cell = q.cell) > q.target")
	[ "$bad" = 0 ] || fail "$1: grants exceed what the targets leave: $(sqlite3 central.db 'SELECT * FROM grants')"
}

for who in ann ben; do
	pw=pw-$who
	ws "$who" "$who" "$pw" enroll "$URL" --cacert ca.pem >/dev/null || fail "enroll $who"
	expect_exit 0 ws "$who" "$who" "$pw" sync --user "$who" --db "$who.db"
done
[ "$(granted 1,1)" = 2 ] || fail "each workstation should hold 1 of cell 1,1, not $(granted 1,1)"
invariant "after the first pulls"
expect_exit 0 "$CATI" report quotas --db ann.db
expect_out "qstudy           rs           1,1              2        0      0         1  open"

# cells filling across two workstations: ann's complete uses her allowance; after syncing, the
# store's count says 1 and ben's grant still holds the other place: ann's next man screens out
iv ann N1 1 1
[ "$(status_of ann N1)" = "complete complete" ] || fail "N1 should complete: $OUT"
expect_exit 0 ws ann ann pw-ann sync --user ann --db ann.db
[ "$(achieved rs 1,1)" = 1 ] || fail "the store should count 1 in rs 1,1"
[ "$(achieved reg 1)" = 1 ] || fail "the store should count 1 in reg 1"
invariant "after ann's first complete"
iv ann N3 1
printf '%s\n' "$OUT" | grep -q '^@ question sex' || fail "N3 should reach the sex question: $OUT"
expect_out "@ end quota_full"
printf '%s\n' "$OUT" | grep -q '^@ question sat' && fail "N3 went on past the full cell"
[ "$(status_of ann N3)" = "screenout quota_full" ] || fail "N3 should be screened out as quota_full: $(status_of ann N3)"
# ben fills the cell with his allowance; his next man screens out too
iv ben N2 1 2
[ "$(status_of ben N2)" = "complete complete" ] || fail "N2 should complete: $OUT"
iv ben N4 1
expect_out "@ end quota_full"
expect_exit 0 ws ben ben pw-ben sync --user ben --db ben.db
[ "$(achieved rs 1,1)" = 2 ] || fail "the store should count 2 in rs 1,1"
expect_exit 0 ws ann ann pw-ann sync --user ann --db ann.db
expect_exit 0 "$CATI" report quotas --db ann.db
expect_out "qstudy           rs           1,1              2        2      0         0  full"
# women in region 1 are still welcome
iv ann N5 2 1
[ "$(status_of ann N5)" = "complete complete" ] || fail "N5 (a woman) should complete: $OUT"

# offline: the store is down; ann spends her allowance in cell 2,2 and screens out the next
# woman of region 2 although the store's count is below the target: ben holds the other place
stop_store
expect_exit 1 ws ann ann pw-ann sync --user ann --db ann.db
iv ann S1 2 3
[ "$(status_of ann S1)" = "complete complete" ] || fail "S1 should complete offline: $OUT"
iv ann S3 2
expect_out "@ end quota_full"
iv ben S2 2 1
[ "$(status_of ben S2)" = "complete complete" ] || fail "S2 should complete offline on ben's allowance: $OUT"
start_store central.db --port "$PORT"
expect_exit 0 ws ann ann pw-ann sync --user ann --db ann.db
expect_exit 0 ws ben ben pw-ben sync --user ben --db ben.db
[ "$(achieved rs 2,2)" = 2 ] || fail "rs 2,2 should count 2 after the offline work"
[ "$(sqlite3 central.db "SELECT count(*) FROM interview_cells WHERE over = 1")" = 0 ] || fail "nothing should be over quota yet"
# unused allowances come back on sync and are granted afresh, never piling up
[ "$(granted 2,1)" = 2 ] || fail "cell 2,1: each workstation's unused place should be granted again, not $(granted 2,1)"
expect_exit 0 ws ann ann pw-ann sync --user ann --db ann.db
expect_exit 0 ws ann ann pw-ann sync --user ann --db ann.db
[ "$(granted 2,1)" = 2 ] || fail "syncing again must not pile up allowances: $(granted 2,1)"
invariant "after the offline round"

# an offline overfill: the supervisor lowers rs 2,1 to 1 while both workstations hold a place
# for it; both complete a man of region 2 offline. Both interviews are kept; the later counted
# is reported as over quota.
printf '{"study":"qstudy","quota":"rs","cell":"2,1","target":1}' >lower.json
OUT=$(api POST /v1/quotas "$SUP" lower.json)
expect_out '"changed":1'
iv ann S5 1 1
iv ben S4 1 2
[ "$(status_of ann S5)" = "complete complete" ] && [ "$(status_of ben S4)" = "complete complete" ] || fail "S5 and S4 should complete offline"
expect_exit 0 ws ann ann pw-ann sync --user ann --db ann.db
expect_exit 0 ws ben ben pw-ben sync --user ben --db ben.db
[ "$(achieved rs 2,1)" = 2 ] || fail "both completes count: $(achieved rs 2,1)"
[ "$(sqlite3 central.db "SELECT count(*) FROM interview_cells WHERE over = 1 AND quota = 'rs' AND cell = '2,1'")" = 1 ] ||
	fail "one complete should be flagged over quota"
[ "$(sqlite3 central.db "SELECT count(*) FROM interviews WHERE case_key IN ('S4', 'S5') AND status = 'complete'")" = 2 ] ||
	fail "an over-quota complete must be kept"
expect_exit 0 "$CATI_STORE" quota list qstudy --db central.db
expect_out "rs           2,1        South / male                       1        2   full     1"
[ "$(granted 2,1)" = 0 ] || fail "a full cell grants nothing"

# target raised mid-study: the cell opens again on the next sync
expect_exit 0 "$CATI_STORE" quota set qstudy rs 1,1 --target 3 --db central.db
expect_out "1 cell changed"
expect_exit 0 ws ann ann pw-ann sync --user ann --db ann.db
iv ann N7 1 3
[ "$(status_of ann N7)" = "complete complete" ] || fail "N7 should complete after the target was raised: $OUT"

# closing a cell over a case field: its cases leave the call queue and count as 4.80
printf '{"study":"qstudy","quota":"reg","cell":"2","closed":true}' >close.json
OUT=$(api POST /v1/quotas "$SUP" close.json)
expect_out '"changed":1'
expect_exit 0 ws ann ann pw-ann sync --user ann --db ann.db
expect_exit 0 "$CATI" next --db ann.db --interviewer ann
[ "$OUT" = N9 ] || fail "N9 should be next: $OUT"
for k in N9 N11; do "$CATI" call --db ann.db --case $k --outcome no_answer >/dev/null; done
expect_exit 1 "$CATI" next --db ann.db --interviewer ann --why
expect_out "in a full quota cell"
expect_exit 0 "$CATI" report rates --db ann.db
expect_out "4.80   quota filled"
# a woman of region 2 (cell 2,2 has room only by the reg quota) screens out at once
iv ann S7 2
printf '%s\n' "$OUT" | grep -q '^@ question' && fail "S7 should screen out before the first question: $OUT"
expect_out "@ end quota_full"
# reopened: the cases come back
printf '{"study":"qstudy","quota":"reg","cell":"2","closed":false}' >open.json
OUT=$(api POST /v1/quotas "$SUP" open.json)
expect_exit 0 ws ann ann pw-ann sync --user ann --db ann.db
expect_exit 0 "$CATI" next --db ann.db --interviewer ann
[ "$OUT" = S9 ] || fail "S9 should be next: $OUT"

# supervisors only; clear errors for bad requests
ANN=$(token ann pw-ann)
OUT=$(api POST /v1/quotas "$ANN" open.json)
expect_out "only supervisors and admins"
printf '{"study":"qstudy","quota":"nope","target":3}' >bad.json
OUT=$(api POST /v1/quotas "$SUP" bad.json)
expect_out "study 'qstudy' has no quota 'nope'"
printf '{"study":"qstudy","quota":"rs","target":-3}' >bad.json
OUT=$(api POST /v1/quotas "$SUP" bad.json)
expect_out "'target' must be a whole number from 0 to 1000000"
OUT=$(api GET "/v1/quotas?study=qstudy" "$SUP")
expect_out '"cell":"2,1"'
expect_exit 1 "$CATI_STORE" quota set qstudy rs 9,9 --close --db central.db
expect_out "study 'qstudy' has no cell '9,9' in quota 'rs'"
expect_exit 2 "$CATI_STORE" quota set qstudy rs --target x --db central.db
expect_out "--target: 'x' is not a number from 0 to 1000000"

# the store's export: every finished interview once, read back by PSPP, values as on the
# workstations that made them; the call records with their AAPOR codes
expect_exit 0 "$CATI_STORE" export qstudy --format sav --out q.sav --calls qcalls.csv --db central.db
printf "GET FILE='q.sav'.\nLIST.\n" >q.sps
pspp -O format=csv -o q.pspp.csv q.sps >/dev/null 2>&1 || fail "pspp cannot read the store's export"
python3 - <<'PY' || fail "the store's export differs from the workstations"
import csv, io, sqlite3, sys
lines = open("q.pspp.csv", encoding="utf-8").read().split("Table: Data List\n")[1].strip().split("\n")
rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
want = {}
for w in ("ann", "ben"):
    db = sqlite3.connect(w + ".db")
    for case, status, qid, value in db.execute(
            "SELECT c.case_key, i.status, a.qid, a.value FROM interviews i JOIN cases c ON c.id = i.case_id"
            " LEFT JOIN answers a ON a.interview = i.id AND a.on_route = 1 WHERE i.status IN ('complete', 'screenout')"):
        r = want.setdefault(case, {"status": status})
        if qid:
            r[qid] = value
bad = [r["case"] for r in rows if r["case"] not in want or r["status"].strip() != want[r["case"]]["status"]
       or any(r[q].strip() not in (want[r["case"]].get(q) or ".",) for q in ("sex", "sat"))]
if len(rows) != len(want) or bad:
    print("rows", len(rows), "want", len(want), "bad", bad[:5])
    sys.exit(1)
PY
[ "$(($(wc -l <qcalls.csv) - 1))" = "$(sqlite3 central.db "SELECT count(*) FROM attempts WHERE study = 'qstudy'")" ] ||
	fail "the call records: $(cat qcalls.csv)"

# every count on the store equals the completes it holds, cell by cell
bad=$(sqlite3 central.db "SELECT count(*) FROM quota_cells q WHERE q.achieved <> (SELECT count(*) FROM interview_cells i
	JOIN interviews v ON v.uuid = i.interview WHERE v.status = 'complete' AND i.study = q.study AND i.quota = q.quota AND i.cell = q.cell)")
[ "$bad" = 0 ] || fail "store counts differ from the completes held"
finish
