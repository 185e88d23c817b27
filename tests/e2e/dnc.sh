#!/bin/sh
# The case screen's key 9, "do not call again" (issue 23): pressed once it asks again, another
# key cancels; pressed twice it records the refusal and puts the case's number on the
# workstation's do-not-call list, and the scheduler passes over the case from then on.
. tests/e2e/lib.sh
export CATI_NOW=2026-03-02T08:00:00Z
DB="$TMP/dnc.db"
"$CATI" demo --db "$DB" --setup-only || { fail "demo setup"; finish; }

start --db "$DB"
wait_for "Interviewer:" 5 || fail "no login screen"
login demo demo
wait_for "Next case to call: D001" 5 || fail "no case list"
keys n
wait_for "9 do not call again" 5 || fail "the case screen lacks key 9"
keys 9
wait_for "Press 9 again to record refusal: do not call again" 5 || fail "key 9 did not ask again"
keys x
wait_for "Not recorded." 5 || fail "another key did not cancel"
[ "$(sql "SELECT count(*) FROM dnc")" = 0 ] || fail "a cancelled key 9 listed a number"
keys 9
keys 9
wait_for "D001: do_not_call recorded" 5 || fail "key 9 twice did not record the outcome"
[ "$(sql "SELECT status FROM cases WHERE case_key = 'D001'")" = refused ] || fail "D001 is not refused"
[ "$(sql "SELECT count(*) FROM dnc d JOIN case_phones p USING (digest) JOIN cases c ON c.id = p.case_id WHERE c.case_key = 'D001'")" = 1 ] ||
	fail "D001's number is not on the list: $(sql "SELECT * FROM dnc")"
quit_desk
OUT=$(CATI_NOW=2026-03-05T09:00:00Z "$CATI" next --why --db "$DB" 2>&1)
printf '%s' "$OUT" | grep -q "next: D001" && fail "D001 was offered after do not call again"
printf '%s' "$OUT" | grep -q "1 open case is never offered" && fail "a refused (closed) case counted as held back"
finish
