#!/bin/sh
# Call management end to end in tmux, on a clock the test moves (CATI_NOW): no answer, busy, an
# appointment that comes due hours later, a refusal, a complete; calling hours respected; the
# dispositions in the database and `cati report rates` agree.
. tests/e2e/lib.sh
DB="$TMP/calls.db"
"$CATI" demo --db "$DB" --setup-only || { fail "demo setup"; finish; }
printf '# the defaults, written out\nweekdays 09:00-20:30\nweekends 09:00-17:00\ngap busy 15m\ngap no_answer 3h\n' >"$TMP/study"
export CATI_STUDY="$TMP/study"

# Monday 21:15 in Vienna: nobody is called
export CATI_NOW=2026-03-02T20:15:00Z
start --db "$DB"
login demo demo
wait_for "No case to call now."
keys n
wait_for "outside calling hours"
quit_desk

# Monday 09:00 in Vienna
export CATI_NOW=2026-03-02T08:00:00Z
start --db "$DB"
login demo demo
wait_for "Next case to call: D001, fresh case"
keys n
wait_for "Anna Huber"
keys 2
wait_for "no_answer recorded"
wait_for "Next case to call: D002, fresh case"
keys n
wait_for "Bernhard Gruber"
keys 3
wait_for "busy recorded"
wait_for "Next case to call: D003"
keys n
wait_for "Local time of the respondent"
keys 6
wait_for "Appointment"
type_text 2026-03-02
keys Tab
type_text 14:00
keys Enter
wait_for "Appointment saved for case D003"
wait_for "Next case to call: D004"
keys n
wait_for "Local time of the respondent"
keys 7
wait_for "Press 7 again to record refusal"   # a refusal closes the case: confirmed
[ "$(sql "SELECT count(*) FROM call_attempts a JOIN cases c ON c.id = a.case_id WHERE case_key = 'D004'")" = 0 ] ||
	fail "a refusal was recorded before its confirmation"
keys 7
wait_for "refusal recorded"
wait_for "Next case to call: D005"
keys n
wait_for "Local time of the respondent"
keys 1
wait_q intro
keys Enter;  wait_q contact
keys 1;      wait_q visit
type_text 2026-02-20; keys Enter; wait_q overall
keys 1;      wait_q channel
keys 2 Enter; wait_q wait
type_text 5; keys Enter; wait_q months
type_text 3; keys Enter; wait_q recommend
keys 1;      wait_for "END OF INTERVIEW: complete"
keys Enter;  wait_for "recorded: complete"
# busy D002 waits out its 15 minutes: the next fresh case comes first
wait_for "Next case to call: D006, fresh case"
wait_for "14:00 in 5h00m"     # the appointment counts down in the case list
quit_desk

# 14:00 in Vienna: the appointment is due and comes first
export CATI_NOW=2026-03-02T13:00:00Z
start --db "$DB"
login demo demo
wait_for "Next case to call: D003, appointment due 2026-03-02 14:00"
keys n
wait_for "Local time of the respondent: Mon 14:00"
keys 4
wait_for "answering_machine recorded"
quit_desk

# the database: attempts with their dispositions, closed cases with theirs
[ "$(sql "SELECT group_concat(c.case_key || ':' || a.outcome || ':' || a.disposition, ' ') FROM call_attempts a JOIN cases c ON c.id = a.case_id ORDER BY a.id")" = \
  "D001:no_answer:3.13 D002:busy:3.12 D003:appointment:2.21 D004:refusal:2.112 D005:complete:1.1 D003:answering_machine:3.14" ] ||
	fail "attempts: $(sql "SELECT group_concat(c.case_key || ':' || a.outcome || ':' || a.disposition, ' ') FROM call_attempts a JOIN cases c ON c.id = a.case_id")"
[ "$(sql "SELECT group_concat(case_key || '=' || coalesce(disposition, 'open'), ' ') FROM cases WHERE case_key <= 'D005' ORDER BY case_key")" = \
  "D001=open D002=open D003=open D004=2.112 D005=1.1" ] || fail "case dispositions: $(sql "SELECT group_concat(case_key || '=' || coalesce(disposition, 'open'), ' ') FROM cases")"
[ "$(sql "SELECT done FROM appointments a JOIN cases c ON c.id = a.case_id WHERE c.case_key = 'D003'")" = 1 ] ||
	fail "the appointment kept was not marked done"
# the report: I 1 (D005), R 1 (D004), NC 1 (D003: contact made, never available), UH 5
# (D001 no answer, D002 busy, D006-D008 not attempted); e = 3 / 3 = 1; RR1 = 1 / 8
expect_out() {
	printf '%s' "$OUT" | grep -qF -- "$1" || fail "the report lacks '$1':
$OUT"
}
OUT=$("$CATI" report rates --db "$DB")
expect_out "groups: I 1  P 0  R 1  NC 1  O 0  UH 5  UR 0  UO 0  NE 0"
expect_out "e = 1.0000"
expect_out "RR1    0.1250"
expect_out "COOP1  0.5000"
expect_out "REF3   0.3333"
expect_out "CON3   0.6667"
OUT=$("$CATI" report rates --e 0 --db "$DB")
expect_out "RR3    0.3333"
finish
