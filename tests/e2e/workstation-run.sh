#!/bin/sh
# One run of the workstation scenario at $COLS x $ROWS on $TERMTYPE.
. tests/e2e/lib.sh
DB="$TMP/w.db"
# a vt100 has no PgUp key: interviewers there use Ctrl-B
BACK=PPage
[ "$TERMTYPE" = vt100 ] && BACK=C-b
cat >"$TMP/wk.form" <<'FORM'
form wk
title en "Workstation test" de "Arbeitsplatztest"
languages en de
case region scale regions
scale regions
  1 en "North" de "Nord"
  2 en "South" de "Süd"
yesno contact
  say en "Did you contact the office in the {region} region?"
      de "Hatten Sie Kontakt mit der Geschäftsstelle in der Region {region}?"
  note en "Read slowly." de "Langsam vorlesen."
screenout no_contact if contact = no
  say en "Thank you, that is all." de "Danke, das war alles."
single sat dk rf
  say en "How satisfied were you?" de "Wie zufrieden waren Sie?"
  1 en "very" de "sehr"
  2 en "rather" de "eher"
  3 en "not at all" de "gar nicht"
text why if sat = 3
  say en "Why not?" de "Warum nicht?"
integer age range 15..99
  say en "How old are you?" de "Wie alt sind Sie?"
integer months range 0..600
  say en "Months registered?" de "Monate gemeldet?"
check soft months <= (age - 15) * 12 en "{months} months at age {age}? Please confirm."
  de "{months} Monate mit {age} Jahren? Bitte bestätigen."
integer kids range 0..9
  say en "Children?" de "Kinder?"
integer total range 0..99
  say en "People in the household?" de "Personen im Haushalt?"
check hard total > kids en "The household is smaller than the number of children."
  de "Der Haushalt ist kleiner als die Zahl der Kinder."
multi ch max 2
  say en "Which channels did you use?" de "Welche Kanäle haben Sie genutzt?"
  1 en "phone" de "Telefon"
  2 en "web" de "Web"
  9 en "none of these" de "keine davon" exclusive
info bye
  say en "Goodbye." de "Auf Wiedersehen."
FORM
printf 'id,phone,name,tz,region\nW1,+43 1 1111111,Anna Alt,Europe/Vienna,1\nW2,+43 1 2222222,Bernd Baum,Europe/Vienna,2\nW3,+43 1 3333333,Clara Czerny,Europe/Vienna,1\n' >"$TMP/s.csv"
"$CATI" demo --db "$DB" --form "$TMP/wk.form" --sample "$TMP/s.csv" --setup-only || { fail "demo setup"; finish; }

start --db "$DB"
wait_for "Demo: log in as interviewer 'demo'"
# a wrong password is refused
login demo wrong
wait_for "Login failed"
keys BSpace BSpace BSpace BSpace BSpace
type_text demo
keys Enter
wait_for "Next case to call: W1"
check_layout

# the first case: no answer, recorded with one keystroke
keys n
wait_for "Anna Alt"
wait_for "Local time of the respondent"
keys 2
wait_for "no_answer recorded"
[ "$(sql "SELECT outcome FROM call_attempts a JOIN cases c ON c.id = a.case_id WHERE c.case_key = 'W1'")" = "no_answer" ] ||
	fail "no-answer attempt not stored"

# the next case is W2: connected
wait_for "Next case to call: W2"
keys n
wait_for "Bernd Baum"
keys 1
wait_q contact
wait_for "Did you contact the office in the South region?"
wait_for "» Read slowly."
check_layout
keys 1                    # yes: one keystroke answers
wait_q sat
keys 3
wait_q why
type_text "langsam, größer Ärger"
keys Home                 # whatever the terminal sends for Home, never a digit
type_text "zu "
keys End
keys Enter
wait_q age

# back twice and change an early answer: 'why' leaves the route
keys $BACK
wait_q why
wait_for "> zu langsam, größer Ärger"
keys $BACK
wait_q sat
keys 1
wait_q age
[ "$(sql "SELECT on_route FROM answers WHERE qid = 'why'")" = "0" ] || fail "why should be off route"
[ "$(sql "SELECT value FROM answers WHERE qid = 'why'")" = "zu langsam, größer Ärger" ] || fail "why was not kept"

# a soft check, confirmed
type_text 16
keys Enter
wait_q months
type_text 30
keys Enter
wait_for "30 months at age 16? Please confirm."
check_layout
keys Enter
wait_q kids
[ "$(sql "SELECT count(*) FROM events WHERE type = 4")" = "1" ] || fail "the confirmation was not recorded"

# a hard check: must be corrected, jumps to the question
type_text 3
keys Enter
wait_q total
type_text 2
keys Enter
wait_for "The household is smaller than the number of children."
keys Enter
wait_for "A hard check must be corrected"
keys 1
wait_q total
keys BSpace
type_text 5
keys Enter
wait_q ch

# language switch shows German, and back
keys C-t
wait_for "Welche Kanäle haben Sie genutzt?"
wait_for "keine davon"
keys C-t
wait_for "Which channels did you use?"

# break off: suspend with a reason
keys C-x
wait_for "suspend it"
keys 1
type_text "lunch break"
keys Enter
wait_for "Interview suspended: lunch break."
got=$(sql "SELECT i.status || '/' || i.suspend_reason FROM interviews i JOIN cases c ON c.id = i.case_id WHERE c.case_key = 'W2'")
[ "$got" = "suspended/lunch break" ] || fail "not suspended: '$got'"

# resume it: at the question where it stopped
keys n
wait_for "Bernd Baum"
keys 1
wait_q ch
wait_for "Resumed where the interview stopped."
keys 2 Enter              # web
wait_q bye

# kill it mid-interview; the next start offers to resume, at the right question
pid=$(cati_pid)
[ -n "$pid" ] && kill -9 "$pid" || fail "no cati process to kill"
wait_for "EXITED"
start --db "$DB"
login demo demo
wait_for "These interviews were cut off"
wait_for "case W2"
keys Enter
wait_q bye
wait_for "Goodbye."
keys Enter
wait_for "END OF INTERVIEW: complete"
keys Enter
wait_for "Interview of case W2 recorded: complete."
got=$(sql "SELECT i.status FROM interviews i JOIN cases c ON c.id = i.case_id WHERE c.case_key = 'W2'")
[ "$got" = "complete" ] || fail "W2 not complete: '$got'"
[ "$(sql "SELECT group_concat(qid || '=' || value, ' ') FROM (SELECT qid, value FROM answers WHERE on_route = 1 ORDER BY qid)")" = "age=16 ch=2 contact=1 kids=3 months=30 sat=1 total=5" ] ||
	fail "answers: $(sql "SELECT group_concat(qid || '=' || value || ':' || on_route, ' ') FROM answers")"

# the third case in German: screened out
wait_for "Next case to call: W3"
keys n
wait_for "Clara Czerny"
keys 1
wait_q contact
keys C-t
wait_for "Hatten Sie Kontakt mit der Geschäftsstelle in der Region Nord?"
keys 2
wait_for "END OF INTERVIEW: screened out"
wait_for "Danke, das war alles."
keys Enter
wait_for "case list"
got=$(sql "SELECT i.outcome FROM interviews i JOIN cases c ON c.id = i.case_id WHERE c.case_key = 'W3'")
[ "$got" = "no_contact" ] || fail "W3 not screened out: '$got'"

# search the case list, and help
keys /
type_text clara
keys Enter
wait_for "W3   Clara Czerny"
wait_gone "Bernd Baum"
keys F1
wait_for "any key closes this help"
keys x
wait_for "case list"
quit_desk
finish
