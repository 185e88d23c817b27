#!/bin/sh
# A full quota cell on the interviewer's screen: the interview ends right after the question that
# puts the respondent in the full cell, with the quota's text; the call is recorded as
# quota_full (AAPOR 4.80); a case whose cell by its case fields is full is not offered.
. tests/e2e/lib.sh
DB="$TMP/q.db"
"$CATI" demo --db "$DB" --setup-only || { fail "demo setup"; finish; }
cat >"$TMP/q.form" <<'EOF'
form qdemo
languages en
case name
case region scale regions
scale regions
  1 "North"
  2 "South"
quota bysex by sex target 1
  say "Thank you: we already have enough interviews with people like you."
quota byregion by region target 5
  cell 2 target 0
  say "Thank you: your region is complete."
info intro
  say "Hello {name}."
single sex
  say "Are you male or female?"
  1 "male"
  2 "female"
single sat
  say "How satisfied are you?"
  1 "very"
  2 "not"
EOF
printf 'id,phone,name,region\nQ1,+43 1 5550101,Quentin One,1\nQ2,+43 1 5550102,Quinn Two,1\nQ3,+43 1 5550103,Quirin Three,2\nQ4,+43 1 5550104,Qi Four,1\nQ5,+43 1 5550105,Quincy Five,1\nQ6,+43 1 5550106,Queenie Six,1\n' >"$TMP/q.csv"
"$CATI" sample import "$TMP/q.csv" --form "$TMP/q.form" --db "$DB" >/dev/null || { fail "import"; finish; }
# the men's cell fills with Q1
printf 'n\na 1\na 1\nq\n' | "$CATI" interview --db "$DB" --case Q1 --interviewer demo >/dev/null
[ "$(sql "SELECT i.status FROM interviews i JOIN cases c ON c.id = i.case_id WHERE case_key = 'Q1'")" = complete ] ||
	{ fail "Q1 should be complete"; finish; }

# an interview admitted to a cell keeps its place: Q4 (a woman) breaks off after the cell
# question, Q5 fills the women's cell, Q4 resumes and goes on; Q6, a woman, screens out
printf 'n\na 2\ns break\nq\n' | "$CATI" interview --db "$DB" --case Q4 --interviewer demo >/dev/null
printf 'n\na 2\na 1\nq\n' | "$CATI" interview --db "$DB" --case Q5 --interviewer demo >/dev/null
out=$(printf 'a 2\nq\n' | "$CATI" interview --db "$DB" --case Q4 --interviewer demo 2>&1)
printf '%s\n' "$out" | grep -q "^@ end complete" || fail "Q4 should resume past the full cell and complete: $out"
out=$(printf 'n\na 2\nq\n' | "$CATI" interview --db "$DB" --case Q6 --interviewer demo 2>&1)
printf '%s\n' "$out" | grep -q "^@ end quota_full" || fail "Q6 should screen out: $out"

start --db "$DB"
login demo demo
wait_for "N next case"
keys /
type_text Q2
keys Enter
wait_for "Quinn Two"
keys Enter
wait_for "Local time of the respondent"
keys 1
wait_q intro
keys Enter; wait_q sex
keys 1
wait_for "Thank you: we already have enough interviews with people like you."
wait_for "quota_full"
keys Enter
wait_for "recorded: quota_full"
[ "$(sql "SELECT i.status || ' ' || i.outcome FROM interviews i JOIN cases c ON c.id = i.case_id WHERE case_key = 'Q2'")" = "screenout quota_full" ] ||
	fail "Q2's interview: $(sql "SELECT i.status, i.outcome FROM interviews i JOIN cases c ON c.id = i.case_id WHERE case_key = 'Q2'")"
[ "$(sql "SELECT a.outcome || ' ' || a.disposition FROM call_attempts a JOIN cases c ON c.id = a.case_id WHERE case_key = 'Q2'")" = "quota_full 4.80" ] ||
	fail "Q2's call: $(sql "SELECT a.outcome, a.disposition FROM call_attempts a JOIN cases c ON c.id = a.case_id WHERE case_key = 'Q2'")"
[ "$(sql "SELECT count(*) FROM answers a JOIN interviews i ON i.id = a.interview JOIN cases c ON c.id = i.case_id WHERE case_key = 'Q2' AND qid = 'sat'")" = 0 ] ||
	fail "Q2 went on past the full cell"
quit_desk
# Q3 (region 2, a cell with target 0) is never offered
for i in 1 2 3 4 5 6; do
	got=$("$CATI" next --db "$DB" --interviewer demo 2>&1)
	[ "$got" = Q3 ] && fail "Q3 was offered"
	[ -n "$got" ] && "$CATI" call --db "$DB" --case "$got" --outcome refusal --interviewer demo >/dev/null 2>&1
done
# 4.80: Q2 and Q6, ended by a full cell (each with its call), and Q3, in a full cell
"$CATI" report rates --db "$DB" | grep -q "4.80   quota filled .* 3$" || fail "report: $("$CATI" report rates --db "$DB")"
finish
