#!/bin/sh
# Erasure on request and retention (cati-store erase): a respondent interviewed on two
# workstations, one of them offline during the erasure. After both sync, neither the store (its
# files, searched as bytes; on PostgreSQL a dump) nor a fresh export nor either workstation's
# file holds the name, number, note, appointment or text answers; the erasure report lists both
# confirmations; an old record pushed again brings nothing back; the figures still agree.
# Retention: a case closed 100 days ago is cleared, one closed today is not.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
FORMS=$(pwd)/forms
cd "$TMP" || exit 1
make_ca

echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects demo --db central.db || fail "user add"
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db central.db
start_store central.db
trap 'stop_store; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
SUP=$(token sup s3cret)
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$FORMS/demo.form" >pub.json
api POST /v1/forms "$SUP" pub.json >/dev/null
python3 - <<'PY' >cases.json
import json
people = [("E1", "Zelda Quigglesworth", "+43 664 7770001"), ("E2", "Kept Person", "+43 664 5550002"),
          ("R1", "Ottokar Retentionsky", "+43 1 9990001"), ("R2", "Rosalind Recentia", "+43 1 9990002")]
cases = [{"id": k, "phone": p, "name": n, "tz": "Europe/Vienna", "fields": {"office": "Wien Mitte", "region": "9",
          "email": n.split()[0].lower() + "@example.org"}, "interviewer": "anna"} for k, n, p in people]
print(json.dumps({"form_id": "demo", "cases": cases}))
PY
OUT=$(api POST /v1/cases "$SUP" cases.json)
expect_out '"cases":4'
export CATI_PASSWORD=pw-anna

# workstation A: an appointment with a name, an interview begun with a text answer
export XDG_CONFIG_HOME="$TMP/cfgA"
"$CATI" enroll "$URL" --cacert ca.pem >/dev/null
expect_exit 0 "$CATI" sync --user anna --db a.db
expect_exit 0 "$CATI" appointment --db a.db --case E1 --at '2030-05-06 10:00' --with 'Hildegard Quigglesworth'
printf 'n\na 1\na 2026-01-02\na 5\na Fennimore ignored my letters\nq\n' | "$CATI" interview --db a.db --case E1 --interviewer anna >/dev/null
expect_exit 0 "$CATI" sync --user anna --db a.db
# workstation B: the interview completed, with another text answer; a note it has not sent
export XDG_CONFIG_HOME="$TMP/cfgB"
"$CATI" enroll "$URL" --cacert ca.pem >/dev/null
expect_exit 0 "$CATI" sync --user anna --db b.db
printf 'n\na 1\na 2026-01-02\na 5\na Fennimore was rude to me\na 2\na 15\na 8\na 1\nq\n' |
	"$CATI" interview --db b.db --case E1 --interviewer anna >/dev/null
printf 'n\na 1\na 2026-01-03\na 5\na Waiting room too cold\na 2\na 15\na 8\na 1\nq\n' |
	"$CATI" interview --db b.db --case E2 --interviewer anna >/dev/null
expect_exit 0 "$CATI" sync --user anna --db b.db
sqlite3 b.db "INSERT INTO notes(uuid, case_id, interviewer, at, text) SELECT '11111111-1111-4111-8111-111111111111', id, 'anna',
	'2026-01-02T10:00:00.000Z', 'Zelda prefers evenings' FROM cases WHERE case_key = 'E1';
	INSERT INTO outbox(uuid, kind, ref, created_at, payload) SELECT '22222222-2222-4222-8222-222222222222', 'note', n.id,
	n.at, json_object('uuid', n.uuid, 'case', 'E1', 'interviewer', 'anna', 'at', n.at, 'text', n.text) FROM notes n"
[ "$(sqlite3 central.db "SELECT count(*) FROM answers WHERE value LIKE '%Fennimore%'")" = 1 ] || fail "the text answer did not reach the store"
# the records A sent, as they were, for sending again after the erasure
# (the workstation seals personal data: read through cati with anna's password)
"$CATI" doctor --db a.db --sql "SELECT json_array(uuid, kind, payload) FROM outbox ORDER BY id" >outbox.rows ||
	fail "cati doctor --sql could not read a.db's outbox"
python3 - outbox.rows <<'PY' >replay.json
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(json.dumps({"records": [{"uuid": u, "kind": k, "data": json.loads(p)} for u, k, p in rows]}))
PY
grep -q Quigglesworth replay.json || fail "the replayed records should hold the appointment's name"

# the bytes searched for below are there before the erasure (the search can find them)
if ! grep -q '^cati-pg-store ' central.db; then
	[ "$(cat central.db central.db-wal 2>/dev/null | grep -c -a Fennimore)" -gt 0 ] || fail "the store's files should hold the text answer"
fi
[ "$(cat b.db b.db-wal 2>/dev/null | grep -c -a 'Zelda prefers')" -gt 0 ] || fail "B's file should hold the note"

# the erasure, by case id, while B is offline
expect_exit 2 "$CATI_STORE" erase --case E1 --phone 1 --db central.db
expect_exit 1 "$CATI_STORE" erase --case NOPE --db central.db
expect_out "no case 'NOPE'"
expect_exit 0 "$CATI_STORE" erase --case E1 --by dpo --reason "request 2026-17" --db central.db
expect_out "erased case E1 of study demo"
expect_out "name, phone"
EID=$(printf '%s' "$OUT" | sed -n 's/.*(erasure \([0-9a-f]*\)).*/\1/p')
[ ${#EID} -eq 32 ] || fail "no erasure id in: $OUT"
[ "$(sqlite3 central.db "SELECT count(*) FROM answers WHERE value LIKE '%Fennimore%'")" = 0 ] || fail "the store kept the text answer"
if grep -q '^cati-pg-store ' central.db; then
	# PostgreSQL: the old row versions are dead tuples until VACUUM, which the erasure ran
	n=0
	while [ "$(sqlite3 central.db "SELECT count(*) FROM pg_stat_user_tables WHERE relname IN ('cases', 'records') AND last_vacuum IS NOT NULL")" != 2 ] && [ $n -lt 40 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	[ $n -lt 40 ] || fail "the erasure did not vacuum the tables it touched"
fi
[ "$(sqlite3 central.db "SELECT count(*) FROM answers a JOIN interviews i ON i.uuid = a.interview WHERE i.case_key = 'E1' AND a.qid = 'overall' AND a.value = '5'")" -ge 1 ] ||
	fail "the coded answers of the erased case should stay"
[ "$(sqlite3 central.db "SELECT count(*) FROM cases WHERE case_key = 'E2' AND name = 'Kept Person'")" = 1 ] || fail "another case was erased"
# A syncs: erases locally and confirms; B has not synced since
export XDG_CONFIG_HOME="$TMP/cfgA"
expect_exit 0 "$CATI" sync --user anna --db a.db
[ "$(sqlite3 a.db "SELECT count(*) FROM cases WHERE case_key = 'E1' AND withdrawn_at IS NOT NULL")" = 1 ] ||
	fail "the erased case (its interview still open) should leave A's list"
expect_exit 0 "$CATI_STORE" erase --report "$EID" --db central.db
expect_out "case E1 of study demo"
expect_out "by dpo: request 2026-17"
[ "$(printf '%s\n' "$OUT" | grep -c '^  confirmed by workstation')" = 1 ] || fail "one confirmation expected: $OUT"
expect_out "has not synced since the erasure"
# B comes back: its unsent note goes in without its text, then it erases and confirms
export XDG_CONFIG_HOME="$TMP/cfgB"
expect_exit 0 "$CATI" sync --user anna --db b.db
expect_exit 0 "$CATI_STORE" erase --report --db central.db
[ "$(printf '%s\n' "$OUT" | grep -c '^  confirmed by workstation')" = 2 ] || fail "both workstations should confirm: $OUT"
printf '%s' "$OUT" | grep -q "not yet confirmed" && fail "no workstation should be waiting: $OUT"
[ "$(sqlite3 central.db "SELECT count(*) FROM records WHERE uuid = '11111111-1111-4111-8111-111111111111' OR uuid = '22222222-2222-4222-8222-222222222222'")" = 1 ] ||
	fail "B's late note should be stored (without its text)"
# an old record sent again: acknowledged, nothing comes back, nothing kept aside
OUT=$(api POST /v1/push "$(token anna pw-anna)" replay.json)
printf '%s' "$OUT" | python3 -c 'import json,sys; r=json.load(sys.stdin)["results"]; assert r and all(x["status"]==200 for x in r), r' ||
	fail "the replayed records were not acknowledged: $OUT"
[ "$(sqlite3 central.db "SELECT count(*) FROM conflicts")" = 0 ] || fail "a replayed record was kept aside"

# no trace anywhere, searched as bytes
"$CATI_STORE" export demo --format csv --out export.csv --calls calls.csv --with-phone --with-identities --db central.db >/dev/null || fail "export"
"$CATI_STORE" export demo --format json --out export.json --with-identities --db central.db >/dev/null || fail "export json"
grep -q "Kept Person\|Waiting room" export.csv export.json || fail "the export lacks the other case's data"
if grep -q '^cati-pg-store ' central.db; then
	"$PGBIN/pg_dump" "$(sed -n 's/^cati-pg-store //p' central.db)" >store.dump || fail "pg_dump"
	files="store.dump"
else
	files="central.db central.db-wal"
fi
for f in $files export.csv export.json calls.csv a.db a.db-wal b.db b.db-wal; do
	[ -e "$f" ] || continue
	for word in Zelda Quigglesworth 7770001 Fennimore Hildegard "prefers evenings" zelda@example; do
		n=$(grep -c -a -- "$word" "$f")
		[ "$n" = 0 ] || fail "'$word' is still in $f ($n lines)"
	done
done
"$CATI" doctor --db b.db --sql "SELECT name FROM cases" | grep -q "Kept Person" || fail "B lost another case's name"
# the workstations' files are sealed, so the search above would pass without the erasure: search
# their contents unsealed too (a clear copy made with anna's password)
for w in a b; do
	rm -f "$w-plain.db"
	"$CATI" doctor --db "$w.db" --plain-copy "$w-plain.db" >/dev/null || fail "no clear copy of $w.db"
	for word in Zelda Quigglesworth 7770001 Fennimore Hildegard "prefers evenings" zelda@example; do
		n=$(grep -c -a -- "$word" "$w-plain.db")
		[ "$n" = 0 ] || fail "'$word' is still in $w.db, unsealed ($n lines)"
	done
done
grep -q -a "Kept Person" b-plain.db || fail "the clear copy of b.db lacks another case's name (the search is blind)"
expect_exit 0 "$CATI_STORE" check --figures --db central.db
expect_out "agree"
# an erasure by phone number, written in local notation (a number that only begins the same is not it)
expect_exit 1 "$CATI_STORE" erase --phone "0664 555000" --db central.db
expect_out "no case with the phone number '0664 555000'"
expect_exit 1 "$CATI_STORE" erase --phone "+49 664 5550002 9" --db central.db
expect_exit 0 "$CATI_STORE" erase --phone "0664 5550002" --study demo --db central.db
expect_out "erased case E2"
# with the store's country set, a national number is that country's: the Austrian whose case
# holds it as its second number is erased, not the German with the same digits after +49
cat >more.json <<'EOF2'
{"form_id": "demo", "cases": [
 {"id": "E3", "phone": "+43 1 2223334; 0043 664 8880003", "name": "Austrian Twonumbers"},
 {"id": "E4", "phone": "+49 664 8880003", "name": "German Samedigits"}]}
EOF2
OUT=$(api POST /v1/cases "$SUP" more.json)
expect_out '"cases":2'
expect_exit 0 "$CATI_STORE" dnc country AT --db central.db
expect_exit 0 "$CATI_STORE" erase --phone "0664 888 00 03" --db central.db
expect_out "erased case E3"
case $OUT in *E4*) fail "the German with the same national digits was erased too: $OUT" ;; esac
[ "$(sqlite3 central.db "SELECT count(*) FROM cases WHERE case_key = 'E4' AND name = 'German Samedigits'")" = 1 ] ||
	fail "E4 was erased by another country's number"
expect_exit 0 "$CATI_STORE" erase --phone "+49 (0)664 8880003" --db central.db
expect_out "erased case E4"

# retention: R1 refused 100 days ago, R2 today; the study keeps personal data 90 days
export XDG_CONFIG_HOME="$TMP/cfgA"
old=$(python3 -c 'import datetime as d; print((d.datetime.utcnow() - d.timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
CATI_NOW=$old "$CATI" call --db a.db --case R1 --outcome refusal >/dev/null || fail "call R1"
"$CATI" call --db a.db --case R2 --outcome refusal >/dev/null || fail "call R2"
expect_exit 0 "$CATI" sync --user anna --db a.db
printf 'retention 90x\n' >bad.rules
expect_exit 2 "$CATI_STORE" erase --retention demo --rules bad.rules --db central.db
expect_out "is not a retention like 90d"
printf '# the study rules\nmax-attempts 8\nretention 90d\n' >demo.rules
expect_exit 0 "$CATI_STORE" erase --retention demo --rules demo.rules --db central.db
expect_out "for 90 days"
expect_exit 0 "$CATI_STORE" erase --expired --db central.db
expect_out "erased case R1"
expect_out "1 closed case(s)"
[ "$(sqlite3 central.db "SELECT count(*) FROM cases WHERE case_key = 'R1' AND name IS NULL AND phone = ''")" = 1 ] || fail "R1 was not cleared"
[ "$(sqlite3 central.db "SELECT count(*) FROM cases WHERE case_key = 'R2' AND name = 'Rosalind Recentia'")" = 1 ] || fail "R2 was cleared too early"
# the workstation erases R1 as told, and clears R2 itself: closed and synced
expect_exit 0 "$CATI" sync --user anna --db a.db
for word in Retentionsky Recentia 9990001 9990002; do
	[ "$(grep -c -a "$word" a.db a.db-wal 2>/dev/null | awk -F: '{s += $NF} END {print s + 0}')" = 0 ] || fail "'$word' is still on workstation A"
done
[ "$(sqlite3 central.db "SELECT count(*) FROM cases WHERE case_key = 'R2' AND name = 'Rosalind Recentia'")" = 1 ] || fail "the store lost R2's name"
# serve clears at start-up: a study whose retention is 1 day, a refusal 2 days old
stop_store
printf 'retention 1d\n' >short.rules
"$CATI_STORE" erase --retention demo --rules short.rules --db central.db >/dev/null
sqlite3 central.db "UPDATE attempts SET at = '2020-01-01T00:00:00.000Z' WHERE case_key = 'R2'" >/dev/null
start_store central.db
n=0
while ! grep -q "retention: erased" server.out && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
grep -q "retention: erased the personal data of 1 closed case" server.out || fail "serve did not apply the retention: $(cat server.out)"
[ "$(sqlite3 central.db "SELECT count(*) FROM cases WHERE case_key = 'R2' AND name IS NULL")" = 1 ] || fail "R2 was not cleared at start-up"
# the audit trail names the erasure, who asked and why, and none of what was erased
expect_exit 0 "$CATI_STORE" audit --db central.db
expect_out "erase"
expect_out "request 2026-17"
printf '%s' "$OUT" | grep -q -e 'Quigglesworth' -e '7770001' && fail "the audit trail holds erased data: $OUT"
finish
