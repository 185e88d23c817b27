#!/bin/sh
# Working time from a logged-in workstation's syncs: pulls with call= (what the workstation sends
# while its interviewer is logged in) start and extend ben's span of work, written at most every
# 30 s; a pull without call= (a workstation of before, or nobody logged in) does not count; more
# than 2 minutes unheard of starts a new span. The report's hours come from the spans
# (hours_from "sessions"); anna, with no sessions and no calls, has none. Real time cannot be
# waited for here: the kept span is moved back in time between pulls (as if the pulls had come
# minutes apart), and check_central works the gaps, midnight and the rate out with a set clock.
# A real cati-store on 127.0.0.1 with a test CA; on PostgreSQL too (pg-suites).
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
FORMS=$(pwd)/forms
cd "$TMP" || exit 1
trap 'stop_store; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

make_ca
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects demo --db central.db >/dev/null || fail "user add"
echo pw-ben | "$CATI_STORE" user add ben --role interviewer --db central.db >/dev/null
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db central.db >/dev/null
start_store central.db
SUP=$(token sup s3cret)
BEN=$(token ben pw-ben)
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$FORMS/demo.form" >pub.json
api POST /v1/forms "$SUP" pub.json | grep -q '"form_id":"demo"' || fail "publish the form"
cat >cases.json <<'JSON'
{"form_id": "demo", "cases": [
 {"id": "J011", "phone": "+43 1 5550011", "fields": {"office": "Mitte", "region": "9"}, "interviewer": "ben"},
 {"id": "J012", "phone": "+43 1 5550012", "fields": {"office": "Mitte", "region": "9"}, "interviewer": "anna"}]}
JSON
[ "$(api POST /v1/cases "$SUP" cases.json)" = '{"cases":2}' ] || fail "upload the cases"

# pull PATH-QUERY: ben pulls (the answer must be a pull's)
pull() {
	api GET "/v1/pull?cursor=0$1" "$BEN" | grep -q '"cursor"' || fail "pull$1"
}
spans() { sqlite3 central.db "SELECT count(*) FROM work_spans WHERE interviewer = 'ben'"; }

# a workstation of before (no call=): no working time
pull ""
[ "$(spans)" = 0 ] || fail "a pull without call= made a span"
# logged in, no interview open: a span starts (demo: all ben's cases are in it)
pull "&call="
[ "$(spans)" = 1 ] || fail "a logged-in pull made no span"
[ "$(sqlite3 central.db "SELECT study FROM work_spans WHERE interviewer = 'ben'")" = demo ] || fail "the span's study"
# the next pulls within 30 s are not written
end0=$(sqlite3 central.db "SELECT end_at FROM work_spans WHERE interviewer = 'ben'")
sqlite3 central.db "UPDATE work_spans SET start_at = start_at - 20, end_at = end_at - 20" >/dev/null
pull "&call=J011&question=contact&elapsed=5"
pull "&call=J011&question=contact&elapsed=6"
[ "$(sqlite3 central.db "SELECT end_at FROM work_spans WHERE interviewer = 'ben'")" = $((end0 - 20)) ] ||
	fail "a span written again within 30 s"
# ten minutes of syncs, as if: each time the kept span is moved 40 s back (the last write 40 s
# ago), the next pull writes it up to now: 15 writes of 40 s (the first 60 s: 20 s were moved before)
i=0
while [ $i -lt 15 ]; do
	sqlite3 central.db "UPDATE work_spans SET start_at = start_at - 40, end_at = end_at - 40" >/dev/null
	pull "&call=J011&question=q3&elapsed=60"
	i=$((i + 1))
done
[ "$(spans)" = 1 ] || fail "pulls within 2 minutes started a new span"
len=$(sqlite3 central.db "SELECT end_at - start_at FROM work_spans WHERE interviewer = 'ben'")
[ "$len" -ge 620 ] && [ "$len" -le 630 ] || fail "the span is $len s long, not 620"
[ "$(sqlite3 central.db "SELECT seconds FROM work_totals WHERE interviewer = 'ben' AND study = 'demo'")" = "$len" ] ||
	fail "the kept sum is not the span's length"
# 3 minutes unheard of: a new span
sqlite3 central.db "UPDATE work_spans SET start_at = start_at - 180, end_at = end_at - 180" >/dev/null
pull "&call="
[ "$(spans)" = 2 ] || fail "a pull after 3 minutes did not start a new span"

# the report: ben's hours from the sessions, anna's none
"$CATI_STORE" report demo --db central.db --format json --section interviewers >r.json || fail "report --format json"
python3 - r.json <<'PY' || fail "report: $(jq -c .interviewers r.json)"
import json, sys
r = {x["name"]: x for x in json.load(open(sys.argv[1]))["interviewers"]}
ben, anna = r["ben"], r["anna"]
assert ben["hours_from"] == "sessions", ben
assert 620 / 3600 - 1e-9 <= ben["hours"] <= 630 / 3600, ben
assert ben["per_hour"] is None, ben          # under 30 minutes worked
assert anna["hours_from"] is None and anna["hours"] is None, anna
PY
"$CATI_STORE" report demo --db central.db --section interviewers >r.txt || fail "report"
grep -Eq '^ben +[a-zA-Z0-9]+ +0 +0\.[12] ' r.txt || fail "text report: $(cat r.txt)"
grep -q '~' r.txt && fail "ben's hours marked as estimated: $(cat r.txt)"
grep -q 'hours worked: time logged in at a workstation' r.txt || fail "what hours worked means: $(cat r.txt)"
"$CATI_STORE" report demo --db central.db --section interviewers --format csv >r.csv || fail "report --format csv"
grep -q ',hours_from.$' r.csv && grep -Eq '^interviewers,ben,.*,sessions.$' r.csv || fail "CSV report: $(cat r.csv)"
finish
