#!/bin/sh
# Sync under faults and the store's scoping: a 500, a connection dropped after the batch was
# stored, a response slower than the client's timeout, a slow one within it; supervisors see
# their projects only; appointments, reassignments and counts travel back to the workstations.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
FORMS=$(pwd)/forms
cd "$TMP" || exit 1
trap 'kill $server 2>/dev/null; rm -rf "$TMP"' EXIT
make_ca

echo pw-root | "$CATI_STORE" user add root --role admin --db central.db
echo pw-sup | "$CATI_STORE" user add sup --role supervisor --projects demo --db central.db
echo pw-emp | "$CATI_STORE" user add emp --role supervisor --projects "cms_employer, cms_jobseeker" --db central.db
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db central.db
echo pw-ben | "$CATI_STORE" user add ben --role interviewer --db central.db
expect_exit 1 "$CATI_STORE" user projects nobody demo --db central.db
expect_out "no user 'nobody'"
expect_exit 2 "$CATI_STORE" serve --db central.db --cert srv.pem --key srv.key --faults "boom@1"
expect_out "--faults wants"

# faults: the 2nd push answers 500, the 3rd is stored but the connection drops before the
# answer, the 4th is stored and answered after 2.5 s (the client gave up after 1 s)
start_store central.db --faults "500@2,drop@3,slow@4" --fault-delay-ms 2500
SUP=$(token sup pw-sup)
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$FORMS/demo.form" >demo.json
OUT=$(api POST /v1/forms "$SUP" demo.json); expect_out '"form_id":"demo"'
python3 - <<'PY' >cases.json
import json
cases = [{"id": "F%02d" % i, "phone": "+43 1 666%04d" % i, "name": "F %d" % i, "fields": {"office": "Wien", "region": "9"},
          "interviewer": "anna" if i <= 12 else "ben"} for i in range(1, 15)]
print(json.dumps({"form_id": "demo", "cases": cases}))
PY
OUT=$(api POST /v1/cases "$SUP" cases.json); expect_out '"cases":14'

export XDG_CONFIG_HOME="$TMP/cfgA" CATI_PASSWORD=pw-anna
expect_exit 0 "$CATI" enroll "$URL" --cacert ca.pem --batch 20 --timeout 1
expect_exit 0 "$CATI" sync --user anna --db a.db
expect_out "received 1 forms, 12 cases"
i=1
while [ $i -le 10 ]; do
	printf 'n\na 1\na 2026-03-01\na 2\na 1,2\na 1,2,3\na 10\na 12\na 2\nq\n' |
		"$CATI" interview --db a.db --case "$(printf 'F%02d' $i)" --interviewer anna >/dev/null
	i=$((i + 1))
done
waiting=$(sqlite3 a.db "SELECT count(*) FROM outbox WHERE sent_at IS NULL")
[ "$waiting" -gt 80 ] || fail "expected more than 4 batches of 20 waiting, got $waiting"
expect_exit 0 "$CATI" sync --user anna --db a.db
expect_out "sent $waiting records ($waiting stored, 0 conflicts, 0 refused)"
expect_out "0 waiting"
same_records a.db central.db || fail "after the faults the store's records differ from the workstation's"
[ "$(sqlite3 central.db "SELECT count(*) FROM records")" = "$waiting" ] || fail "records stored more than once"
OUT=$("$CATI" sync --log --db a.db)
# the 500 and the slow answer are tried again by cati; the dropped connection by libcurl itself
# (a kept-open connection that dies before the answer is reopened and the request sent again)
expect_out "requests tried again"
expect_out "did not answer within 1 s"
stop_store

# a slow answer within the client's patience is simply waited for
start_store central.db --faults "slow@1" --fault-delay-ms 1500
export XDG_CONFIG_HOME="$TMP/cfgA2"
"$CATI" enroll "$URL" --cacert ca.pem --timeout 10 >/dev/null
cp a.db a2.db
printf 'n\na 1\na 2026-03-02\na 1\na 1\na 2\na 5\na 6\na 1\nq\n' | "$CATI" interview --db a2.db --case F11 --interviewer anna >/dev/null
expect_exit 0 "$CATI" sync --user anna --db a2.db
expect_out "0 conflicts, 0 refused"
OUT=$("$CATI" sync --log --db a2.db)
printf '%s' "$OUT" | tail -1 | grep -q "tried again" && fail "a slow answer within the timeout was retried"
same_records a2.db central.db || fail "slow answer: records differ"
stop_store

# a backlog meets a busy store: the first three pushes are answered after 0.7 s, so the
# workstation halves its batches (50, the first push's size, then 25: sync_batch_next), then
# doubles them again as the store answers quickly; everything arrives once
cp a2.db a3.db
sqlite3 a3.db "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500),
  u(i, id) AS (SELECT i, lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2)
    || '-a' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))) FROM n)
  INSERT INTO outbox(uuid, kind, ref, created_at, payload)
  SELECT id, 'note', 0, '2026-03-02T10:00:00Z', json_object('uuid', id, 'case', 'F11', 'interviewer', 'anna',
    'at', '2026-03-02T10:00:00Z', 'text', 'note ' || i) FROM u" || fail "cannot queue 1,500 notes"
start_store central.db --faults "slow@1,slow@2,slow@3" --fault-delay-ms 700
export XDG_CONFIG_HOME="$TMP/cfgA3"
"$CATI" enroll "$URL" --cacert ca.pem --timeout 10 >/dev/null
expect_exit 0 "$CATI" sync --user anna --db a3.db
expect_out "sent 1500 records (1500 stored, 0 conflicts, 0 refused)"
OUT=$("$CATI" sync --log --db a3.db)
printf '%s\n' "$OUT" | grep 'sent 1500 records' | tail -1 | grep -q 'pushes (batches of 25 to ' ||
	fail "a busy store did not get smaller batches: $OUT"
same_records a3.db central.db || fail "backlog: records differ"

# plain http to the HTTPS port: refused at the TLS layer, the store keeps serving
curl -s --max-time 5 "http://127.0.0.1:${URL##*:}/v1/pull" >/dev/null && fail "plain http was served"
OUT=$(api GET "/v1/pull?cursor=0" "$SUP"); expect_out '"cursor"'

# scoping: emp supervises cms_employer and cms_jobseeker, not demo
EMP=$(token emp pw-emp)
OUT=$(api POST /v1/forms "$EMP" demo.json); expect_out "not one of your projects"
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$FORMS/cms_employer.form" >emp.json
OUT=$(api POST /v1/forms "$EMP" emp.json); expect_out '"form_id":"cms_employer"'
OUT=$(api POST /v1/cases "$EMP" cases.json); expect_out "not one of your projects"
echo '{"form_id": "cms_employer", "cases": [{"id": "E1", "phone": "+43 1 1", "interviewer": "ben"}]}' >e1.json
OUT=$(api POST /v1/cases "$EMP" e1.json); expect_out '"cases":1'
# a case id of another study cannot be taken over
echo '{"form_id": "cms_employer", "cases": [{"id": "F01", "phone": "+43 1 1", "interviewer": "ben"}]}' >steal.json
OUT=$(api POST /v1/cases "$EMP" steal.json); expect_out "already a case of study 'demo'"
OUT=$(api GET "/v1/pull?cursor=0" "$EMP")
printf '%s' "$OUT" | grep -q '"id":"F01"' && fail "emp sees a demo case"
printf '%s' "$OUT" | grep -q '"form_id":"demo"' && fail "emp sees the demo form"
expect_out '"id":"E1"'
OUT=$(api GET "/v1/pull?cursor=0" "$SUP")
printf '%s' "$OUT" | grep -q '"id":"E1"' && fail "sup sees an employer case"
expect_out '"id":"F01"'
ROOT=$(token root pw-root)
OUT=$(api GET "/v1/pull?cursor=0" "$ROOT"); expect_out '"id":"E1"'; expect_out '"id":"F01"'
# a supervisor cannot push records about another project's cases
echo '{"records": [{"uuid": "00000000-0000-4000-8000-0000000000e1", "kind": "note", "data": {"case": "F01", "text": "x"}}]}' >n.json
OUT=$(api POST /v1/push "$EMP" n.json); expect_out '"status":403'
# counts: the demo study's finished interviews, as the store counts them
OUT=$(api GET "/v1/pull?cursor=0" "$SUP")
done=$(sqlite3 a2.db "SELECT count(*) FROM interviews WHERE status = 'complete'")
[ "$done" -ge 10 ] || fail "expected at least 10 completes on the workstation, got $done"
printf '%s' "$OUT" | python3 -c '
import json, sys
o = json.load(sys.stdin)
n = sum(c["n"] for c in o["counts"] if c["study"] == "demo" and c["status"] == "complete")
assert n == int(sys.argv[1]), o["counts"]' "$done" || fail "the store does not count $done completes of demo"

# appointments and reassignment: anna makes an appointment on F12, the supervisor gives F12 to
# ben; ben's workstation gets the case, the appointment and the counts, anna's loses the case
ANNA=$(token anna pw-anna)
echo '{"records": [{"uuid": "00000000-0000-4000-8000-0000000000a1", "kind": "appointment", "data": {"uuid": "00000000-0000-4000-8000-0000000000a1", "case": "F12", "at": "2026-03-05T10:30", "hard": 1, "with": "Frau F", "interviewer": "anna", "created_by": "anna", "created_at": "2026-03-01T09:00:00"}}]}' >appt.json
OUT=$(api POST /v1/push "$ANNA" appt.json); expect_out '"status":200'
echo '{"form_id": "demo", "cases": [{"id": "F12", "phone": "+43 1 6660012", "name": "F 12", "interviewer": "ben"}]}' >move.json
OUT=$(api POST /v1/cases "$SUP" move.json); expect_out '"cases":1'
export XDG_CONFIG_HOME="$TMP/cfgB" CATI_PASSWORD=pw-ben
"$CATI" enroll "$URL" --cacert ca.pem >/dev/null
expect_exit 0 "$CATI" sync --user ben --db b.db
expect_out "received 2 forms, 4 cases"
[ "$("$CATI" doctor --db b.db --sql "SELECT a.at || ' ' || a.hard || ' ' || a.with_whom FROM appointments a JOIN cases c ON c.id = a.case_id WHERE c.case_key = 'F12'")" = "2026-03-05T10:30 1 Frau F" ] ||
	fail "ben's workstation did not get anna's appointment on F12"
[ "$(sqlite3 b.db "SELECT count(*) FROM outbox")" = 0 ] || fail "an appointment from the store was queued to be sent back"
[ "$(sqlite3 b.db "SELECT sum(achieved) FROM quota_counts WHERE quota = 'study:demo' AND cell LIKE 'complete:%'")" = "$done" ] ||
	fail "ben's workstation did not get the store's counts"
OUT=$(api GET "/v1/pull?cursor=0" "$(token ben pw-ben)")
printf '%s' "$OUT" | grep -q '"form_id":"cms_employer"' || fail "ben did not get the form of his employer case"
export XDG_CONFIG_HOME="$TMP/cfgA" CATI_PASSWORD=pw-anna
"$CATI" enroll "$URL" --cacert ca.pem >/dev/null   # the store moved to another port
expect_exit 0 "$CATI" sync --user anna --db a.db
[ -n "$(sqlite3 a.db "SELECT withdrawn_at FROM cases WHERE case_key = 'F12'")" ] || fail "F12 was not withdrawn from anna"
[ -z "$(sqlite3 a.db "SELECT withdrawn_at FROM cases WHERE case_key = 'F11'")" ] || fail "F11 was withdrawn from anna"
# given back, it returns to her list
echo '{"form_id": "demo", "cases": [{"id": "F12", "phone": "+43 1 6660012", "name": "F 12", "interviewer": "anna"}]}' >back.json
api POST /v1/cases "$SUP" back.json >/dev/null
expect_exit 0 "$CATI" sync --user anna --db a.db
[ -z "$(sqlite3 a.db "SELECT withdrawn_at FROM cases WHERE case_key = 'F12'")" ] || fail "F12 given back stays withdrawn"
finish
