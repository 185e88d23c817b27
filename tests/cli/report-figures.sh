#!/bin/sh
# The report's kept figures against a full count: a real cati-store over HTTPS (test CA made
# here) takes random batches from several interviewers' workstations: completes, break-offs,
# screen-outs, calls with various outcomes, appointments, the same records again, two
# workstations completing one case (duplicates), a uuid sent again with other content
# (conflicts), quota targets changed and cells closed, cases reassigned and new cases imported.
# After each step `cati-store report --check` builds the report from the kept figures and by
# counting everything, with and without by=, and the JSON must be the same; the report over
# HTTPS shows what was pushed at once. Figures made wrong on purpose must fail the check, and a
# store whose figures are missing, or of the schema before them (an upgrade), builds them when it
# opens.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
cd "$TMP" || exit 1
trap 'stop_store; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

cat >fig.form <<'EOF'
form fig
languages en
case name
case office
case region scale regions
case custtype scale custtypes
scale regions
  1 "North"
  2 "South"
scale custtypes
  1 "new"
  2 "long-term"
scale sat6
  1 "very satisfied"
  2 "satisfied"
  3 "rather satisfied"
  4 "rather dissatisfied"
  5 "dissatisfied"
  6 "very dissatisfied"
quota rc by region custtype target 3 allowance 1
  say "Thank you, we have enough interviews like yours."
single overall sat6 dk rf
  say "All in all, how satisfied are you?"
grid adviser sat6 dk
  say "And with your adviser?"
  item time "time"
  item offers "offers"
EOF

make_ca
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects fig --db central.db || fail "user add"
start_store central.db
SUP=$(token sup s3cret)
[ -n "$SUP" ] || fail "no token"
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' fig.form >pub.json
OUT=$(api POST /v1/forms "$SUP" pub.json)
expect_out '"form_id":"fig"'

# check LABEL [BY...]: the kept figures are the full count's, by default and by the segments given
check() {
	label=$1
	shift
	out=$("$CATI_STORE" report fig --db central.db --check 2>&1) || fail "$label: $out"
	for by do
		out=$("$CATI_STORE" report fig --db central.db --check --by "$by" 2>&1) || fail "$label: by $by: $out"
	done
}

# the steps: written by a seeded random walk, run one by one; after each the figures are checked
python3 - "${FIG_SEED:-18}" "${FIG_STEPS:-30}" <<'PY' >steps.txt
import json, random, sys, uuid
rnd = random.Random(int(sys.argv[1]))
steps = int(sys.argv[2])
ivs = ["ann", "ben", "cat", "dan"]
cases = {}
def new_cases(n):
    out = []
    for _ in range(n):
        k = "C%03d" % (len(cases) + 1)
        c = {"id": k, "phone": "+43 1 %05d" % len(cases), "name": k,
             "fields": {"office": rnd.choice(["Wien", "Linz", "Graz"]), "region": str(rnd.randint(1, 2)),
                        "custtype": str(rnd.randint(1, 2))}, "interviewer": rnd.choice(ivs)}
        cases[k] = c
        out.append(c)
    return {"form_id": "fig", "cases": out}
sent = []        # records pushed so far (to send again)
done = {}        # case -> interview uuid of its first complete
def u(): return str(uuid.UUID(int=rnd.getrandbits(128), version=4))
def t(day, minute): return "2026-%02d-%02dT%02d:%02d:%02d.000Z" % (1 + day // 28, 1 + day % 28, 8 + minute // 60, minute % 60, rnd.randint(0, 59))
def answers():
    a = [["overall", 0, 1, str(rnd.randint(1, 6))] if rnd.random() < .8 else ["overall", 0, 2, "dk"]]
    if rnd.random() < .7:
        a.append(["adviser", 0, 1, "%d,%s" % (rnd.randint(1, 6), rnd.choice(["1", "2", "5", "dk"]))])
    return a
def interview(k, who, status, iv=None):
    day, m = rnd.randint(0, 60), rnd.randint(0, 500)
    iv = iv or u()
    d = {"interview": iv, "case": k, "interviewer": who, "status": status, "outcome": status,
         "started_at": t(day, m), "ended_at": t(day, m + rnd.randint(2, 20)), "lang": "en", "version": "1"}
    d["updated_at"] = d["ended_at"]
    if status in ("complete", "screenout"):
        d["answers"] = answers()
    if status == "complete":
        c = cases[k]["fields"]
        d["cells"] = {"rc": "%s,%s" % (c["region"], c["custtype"])}
    recs = [{"uuid": u(), "kind": "interview", "data": d}]
    outcome = {"complete": ("complete", "1.1"), "screenout": ("screened_out", "4.70"), "active": ("break_off", "2.12")}[status]
    recs.append({"uuid": u(), "kind": "attempt", "data": {"uuid": u(), "case": k, "interviewer": who, "at": d["ended_at"],
                 "outcome": outcome[0], "disposition": outcome[1]}})
    return iv, recs
calls = [("no_answer", "3.13"), ("busy", "3.12"), ("answering_machine", "3.14"), ("soft_refusal", "2.112"),
         ("refusal", "2.112"), ("wrong_number", "3.90"), ("appointment", "2.21"), ("language_barrier", "2.332")]
print(json.dumps(["cases", new_cases(30)]))
for step in range(steps):
    r = rnd.random()
    if r < .1:
        print(json.dumps(["cases", new_cases(rnd.randint(1, 5))]))
        continue
    if r < .2:
        k = rnd.choice(sorted(cases))
        c = dict(cases[k]); c["interviewer"] = rnd.choice(ivs); cases[k] = c
        print(json.dumps(["cases", {"form_id": "fig", "cases": [c]}]))
        continue
    if r < .3:
        q = {"study": "fig", "quota": "rc", "cell": "%d,%d" % (rnd.randint(1, 2), rnd.randint(1, 2))}
        if rnd.random() < .5: q["target"] = rnd.randint(0, 4)
        else: q["closed"] = rnd.random() < .5
        print(json.dumps(["quota", q]))
        continue
    batch, ws = [], rnd.choice(["ws1", "ws2", "ws3"])
    for _ in range(rnd.randint(1, 6)):
        k, x = rnd.choice(sorted(cases)), rnd.random()
        who = cases[k]["interviewer"]
        if x < .3:
            iv, recs = interview(k, who, "complete")
            done.setdefault(k, iv)
        elif x < .4:
            iv, recs = interview(k, who, "screenout")
        elif x < .5:
            iv, recs = interview(k, who, "active")
            if rnd.random() < .5:   # taken up again later: the same interview, finished
                d = dict(recs[0]["data"]); d["status"] = "complete"; d["outcome"] = "complete"
                d["ended_at"] = d["updated_at"] = d["ended_at"][:-5] + "9.000Z"; d["answers"] = answers()
                c = cases[k]["fields"]; d["cells"] = {"rc": "%s,%s" % (c["region"], c["custtype"])}
                recs.append({"uuid": u(), "kind": "interview", "data": d})
        elif x < .8:
            o = rnd.choice(calls)
            recs = [{"uuid": u(), "kind": "attempt", "data": {"uuid": u(), "case": k, "interviewer": who,
                     "at": t(rnd.randint(0, 60), rnd.randint(0, 500)), "outcome": o[0], "disposition": o[1]}}]
            if o[0] == "appointment":
                recs.append({"uuid": u(), "kind": "appointment", "data": {"case": k, "created_by": who,
                             "at": t(rnd.randint(0, 60), 300), "uuid": u()}})
        elif x < .9 and sent:
            recs = rnd.sample(sent, min(len(sent), rnd.randint(1, 3)))       # sent again
        elif sent:
            r0 = json.loads(json.dumps(rnd.choice(sent)))                    # same uuid, other content
            r0["data"]["note"] = "changed %d" % step
            recs = [r0]
        else:
            recs = []
        batch += recs
    sent += [b for b in batch if b not in sent]
    print(json.dumps(["push", {"records": batch, "workstation": ws}]))
PY

python3 -c '
import json, sys
for n, line in enumerate(open("steps.txt"), 1):
    s = json.loads(line)
    json.dump(s[1], open("step-%d.json" % n, "w"))
    print(n, s[0])' >kinds.txt
while read -r n what; do
	case $what in
	cases) OUT=$(api POST /v1/cases "$SUP" "step-$n.json"); expect_out '"cases":' ;;
	quota) OUT=$(api POST /v1/quotas "$SUP" "step-$n.json"); expect_out '"changed":' ;;
	push) OUT=$(api POST /v1/push "$SUP" "step-$n.json"); expect_out '"results":' ;;
	esac
	# halfway, the interviewer-days lose their first and last time, as rows kept before the
	# store kept them (schema 8, PostgreSQL 6): the days are counted again as they change
	[ "$n" = 15 ] && { sqlite3 central.db "UPDATE fig_days SET lo = NULL, hi = NULL" || fail "cannot clear lo, hi"; }
	case $((n % 4)) in
	0) check "step $n ($what)" office ;;
	1) check "step $n ($what)" region,custtype ;;
	2) check "step $n ($what)" custtype ;;
	3) check "step $n ($what)" office,region,custtype ;;   # the default segments: kept results
	esac
done <kinds.txt
[ "$(wc -l <kinds.txt)" -gt 20 ] || fail "only $(wc -l <kinds.txt) steps"

# what was pushed is in the report over HTTPS at once: calls and interviews as stored
OUT=$(api GET "/v1/report?study=fig" "$SUP")
want=$(sqlite3 central.db "SELECT count(*) FROM attempts WHERE study = 'fig'")/$(sqlite3 central.db "SELECT count(*) FROM interviews WHERE study = 'fig'")/$(sqlite3 central.db "SELECT count(*) FROM cases WHERE study = 'fig'")
got=$(printf '%s' "$OUT" | python3 -c 'import json,sys; t=json.load(sys.stdin)["totals"]; print("%d/%d/%d" % (t["attempts"], t["interviews"], t["cases"]))')
[ "$got" = "$want" ] || fail "report over HTTPS: $got, the store holds $want"
[ "${got%%/*}" -gt 20 ] || fail "too few calls stored: $got"
sqlite3 central.db "SELECT count(*) FROM conflicts" | grep -qv '^0$' || fail "no conflict was kept"
sqlite3 central.db "SELECT count(*) FROM interviews WHERE duplicate <> 0" | grep -qv '^0$' || fail "no duplicate was made"

# figures made wrong fail the check, section by section
stop_store
sqlite3 central.db "UPDATE fig_counts SET n = n + 1 WHERE study = 'fig' AND what = 'attempts'"
expect_exit 1 "$CATI_STORE" report fig --db central.db --check
expect_out "differ from the full count in totals"
sqlite3 central.db "UPDATE fig_counts SET n = n - 1 WHERE study = 'fig' AND what = 'attempts'"
sqlite3 central.db "UPDATE fig_results SET n = n + 1 WHERE study = 'fig' AND q = 'overall'"
expect_exit 1 "$CATI_STORE" report fig --db central.db --check
expect_out "differ from the full count in results"
expect_exit 0 "$CATI_STORE" report fig --db central.db --check --by office

# an old store (no figures yet) builds them when it opens
sqlite3 central.db "DELETE FROM fig_specs"
expect_exit 0 "$CATI_STORE" report fig --db central.db --check
expect_out "the same as a full count"
check "after the rebuild" office region,custtype

# a store of the schema before the figures (SQLite 7, PostgreSQL 5) is moved forward and its
# figures are built from its records when it opens
drop="DROP TABLE fig_specs; DROP TABLE fig_counts; DROP TABLE fig_cases; DROP TABLE fig_days; DROP TABLE fig_people;
 DROP TABLE fig_results; DROP TABLE fig_over; DROP INDEX attempts_day; DROP INDEX interviews_day; DROP INDEX interviews_dup;"
if grep -q '^cati-pg-store ' central.db 2>/dev/null; then
	sqlite3 central.db "$drop UPDATE cati_schema SET version = 5;"
else
	# (and what later steps added to tables that stay: SQLite has no ADD COLUMN IF NOT EXISTS)
	sqlite3 central.db "$drop ALTER TABLE cases DROP COLUMN dnc; PRAGMA user_version = 7;"
fi
expect_exit 0 "$CATI_STORE" report fig --db central.db --check
expect_out "the same as a full count"
[ "$(sqlite3 central.db "SELECT count(*) FROM fig_specs")" = 1 ] || fail "no figures after the upgrade"
check "after the upgrade" office,region,custtype
# a step of the upgrade that fails says which and why (SQLite: the do-not-call list, step 13 to
# 14, meets a column of that name), and the store is left at the version before it
if ! grep -q '^cati-pg-store ' central.db 2>/dev/null; then
	cp central.db stuck.db
	sqlite3 stuck.db "PRAGMA user_version = 13;"
	expect_exit 2 "$CATI_STORE" report fig --db stuck.db
	expect_out "cannot upgrade the store's schema in 'stuck.db' from version 13 to 14: duplicate column name: dnc (that step changed nothing)"
	[ "$(sqlite3 stuck.db "PRAGMA user_version")" = 13 ] || fail "a failed step changed the schema version"
fi
finish
