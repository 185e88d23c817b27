#!/bin/sh
# cati walk and cati simulate: routes printed, exit codes, determinism, bad input.
. tests/cli/lib.sh

cat >"$TMP/w.form" <<'FORM'
form w
languages en de
case region scale regions
scale regions
  1 en "Vienna" de "Wien"
  2 en "Tyrol" de "Tirol"
yesno contact
  say en "Contact?" de "Kontakt?"
screenout no_contact if contact = no
single sat
  say en "Satisfied?" de "Zufrieden?"
  1 en "very" de "sehr"
  2 en "not" de "nicht"
text why if sat = 2
  say en "Why?" de "Warum?"
group vienna if region = 1
  integer vq range 0..9
    say en "Vienna?" de "Wien?"
end
integer kids range 0..3
  say en "Children?" de "Kinder?"
loop kid times kids
  integer kage range 0..30
    say en "Age of child {kid}?" de "Alter von Kind {kid}?"
end
check soft kids < 3 en "Three children?" de "Drei Kinder?"
integer total range 0..9
  say en "Total?" de "Summe?"
check hard total >= kids en "Total below children" de "Summe zu klein"
FORM

# a full route to the ending, in order, with the loop iterations
expect_exit 0 "$CATI" walk "$TMP/w.form" --case region=1 --answer contact=yes --answer sat=2 \
	--answer why=slow --answer vq=4 --answer kids=2 --answer 'kage[1]=7' --answer 'kage[2]=9' --answer total=5
printf '%s\n' "$OUT" | grep -E '^(contact|sat|why|vq|kids|kage|total|END)' | awk '{print $1}' | tr '\n' ' ' >"$TMP/route"
[ "$(cat "$TMP/route")" = "contact sat why vq kids kage[1] kage[2] total END " ] || fail "route was: $(cat "$TMP/route")"
expect_out "sat                  = 2 (not)"

# another case skips the Vienna group; a screen-out ends early
expect_exit 0 "$CATI" walk "$TMP/w.form" --case region=2 --answer contact=no
expect_out "END no_contact"
# stopping at an unanswered question: exit 1, names it
expect_exit 1 "$CATI" walk "$TMP/w.form" --case region=2 --answer contact=yes --answer sat=1
expect_out "STOP at kids: no answer given"
# a soft check is reported and confirmed; a hard check stops the walk
expect_exit 1 "$CATI" walk "$TMP/w.form" --case region=2 --answer contact=yes --answer sat=1 \
	--answer kids=3 --answer kage=1 --answer total=1
expect_out "CHECK soft: Three children?"
expect_out "CHECK hard: Total below children"
expect_out "revisit: total kids"
# plain 'kage' answered all three iterations
expect_out "kage[3]              = 1"
# answers not asked on the route are pointed out
expect_exit 0 "$CATI" walk "$TMP/w.form" --case region=2 --answer contact=no --answer vq=3
expect_out "note: vq was given but not asked on this route"
# JSON
expect_exit 0 "$CATI" walk "$TMP/w.form" --json --case region=2 --answer contact=no
expect_out '"ending": "no_contact"'
expect_out '"question": "contact"'
# bad input: exit 2 with the reason
expect_exit 2 "$CATI" walk "$TMP/w.form" --answer contact=7
expect_out "contact: '7' is not accepted: 7 is not one of the choices"
expect_exit 2 "$CATI" walk "$TMP/w.form" --case nosuch=1
expect_out "'nosuch' is not a case field"
expect_exit 2 "$CATI" walk "$TMP/w.form" --lang fr
expect_exit 2 "$CATI" walk "$TMP/missing.form"
expect_exit 2 "$CATI" walk

# simulate: coverage report, deterministic for a seed
expect_exit 0 "$CATI" simulate "$TMP/w.form" -n 3000 --seed 5
expect_out "simulated 3000 interviews of w (seed 5)"
expect_out "no_contact"
expect_out "questions never reached: none"
expect_out "checks never raised: none"
a=$("$CATI" simulate "$TMP/w.form" -n 500 --seed 9 | cksum)
b=$("$CATI" simulate "$TMP/w.form" -n 500 --seed 9 | cksum)
[ "$a" = "$b" ] || fail "simulate is not deterministic for a seed"
c=$("$CATI" simulate "$TMP/w.form" -n 500 --seed 10 | cksum)
[ "$a" != "$c" ] || fail "simulate gives the same report for different seeds"
# a question no route reaches is reported
sed 's/^text why if sat = 2/text why if sat = 2 and sat = 1/' "$TMP/w.form" >"$TMP/w2.form"
expect_exit 0 "$CATI" simulate "$TMP/w2.form" -n 300
expect_out "questions never reached: why (line 14)"
expect_exit 2 "$CATI" simulate "$TMP/w.form" -n 0

# quotas: walk and simulate apply them as an interview does (issue 20)
cat >"$TMP/q.form" <<'FORM'
form qwalk
languages en
case name
case region scale regions
scale regions
  1 "North" short N
  2 "South" short S
quota bysex by sex target 50
  say "Thank you: we have enough interviews with people like you."
quota byregion by region target 1000000
  cell 2 target 0
  say "Thank you: your region is complete."
yesno contact
  say "Contact?"
screenout no_contact if contact = no
single sex
  say "Male or female?"
  1 "male"
  2 "female"
single employed
  say "Employed?"
  1 "yes"
  2 "no"
FORM
# a cell with target 0 (region 2, known from the case) ends the walk before the first question,
# as `cati interview` ends the same case
expect_exit 0 "$CATI" walk "$TMP/q.form" --case region=2 --answer contact=yes --answer sex=1 --answer employed=1
expect_out "END quota_full (call outcome quota_full)"
expect_out "quota byregion: cell 2 is full (0 completes, target 0)"
printf '%s' "$OUT" | grep -q '^contact' && fail "the walk asked contact in a full region: $OUT"
DB="$TMP/q.db"
"$CATI" demo --db "$DB" --setup-only >/dev/null 2>&1 || fail "demo setup"
printf 'id,phone,name,region\nQ1,+43 1 5550101,Quentin One,1\nQ2,+43 1 5550102,Quinn Two,2\n' >"$TMP/q.csv"
"$CATI" sample import "$TMP/q.csv" --form "$TMP/q.form" --db "$DB" >/dev/null || fail "import"
out=$(printf 'a 1\na 1\na 1\nq\n' | "$CATI" interview --db "$DB" --case Q2 --interviewer demo 2>&1)
printf '%s\n' "$out" | grep -q "^@ end quota_full" || fail "interview of Q2 should end quota_full: $out"
# the men's cell at its target (50 completes given): the walk ends after sex, not at employed
expect_exit 0 "$CATI" walk "$TMP/q.form" --case region=1 --answer contact=yes --answer sex=1 --quota-count bysex:1=50
expect_out "sex                  = 1 (male)"
expect_out "END quota_full (call outcome quota_full)"
expect_out "quota bysex: cell 1 is full (50 completes, target 50)"
# one below the target: open, the walk goes on to employed; labels and short names name a cell
expect_exit 1 "$CATI" walk "$TMP/q.form" --case region=N --answer contact=yes --answer sex=1 --quota-count bysex:Male=49
expect_out "STOP at employed: no answer given"
expect_exit 0 "$CATI" walk "$TMP/q.form" --json --case region=north --answer contact=yes --answer sex=1 \
	--quota-count 'bysex:male=50'
expect_out '"ending": "quota_full"'
expect_out '"quota": "bysex"'
expect_out '"quota_cell": "1"'
# --no-quotas walks past the full cell
expect_exit 1 "$CATI" walk "$TMP/q.form" --case region=2 --answer contact=yes --answer sex=1 --no-quotas
expect_out "STOP at employed: no answer given"
# and in an interview of Q1 (region 1, no completes yet) the men's cell is open too
out=$(printf 'a 1\na 1\nq\n' | "$CATI" interview --db "$DB" --case Q1 --interviewer demo 2>&1)
printf '%s\n' "$out" | grep -q "employed" || fail "interview of Q1 should go on to employed: $out"
# bad --quota-count values: exit 2 with the option, the value and what is valid
expect_exit 2 "$CATI" walk "$TMP/q.form" --quota-count bysex=3
expect_out "--quota-count takes QUOTA:CELL=COUNT (e.g. bysex:1=20), not 'bysex=3'"
expect_exit 2 "$CATI" walk "$TMP/q.form" --quota-count nosuch:1=3
expect_out "--quota-count 'nosuch:1=3': form 'qwalk' has no quota 'nosuch' (quotas: bysex, byregion)"
expect_exit 2 "$CATI" walk "$TMP/q.form" --quota-count bysex:3=3
expect_out "--quota-count 'bysex:3=3': '3' is not a value of sex (valid: 1 male, 2 female)"
expect_exit 2 "$CATI" walk "$TMP/q.form" --quota-count bysex:1,2=3
expect_out "a cell of quota 'bysex' is one value of each of sex"
expect_exit 2 "$CATI" simulate "$TMP/q.form" --quota-count bysex:1=many
expect_out "--quota-count 'bysex:1=many': 'many' is not a number from 0 to 1000000000"
expect_exit 2 "$CATI" walk "$TMP/q.form" --case region=East
expect_out "--case region: 'East' is not a value of scale 'regions' (valid: 1 N North, 2 S South)"

# simulate fills the cells as it goes. Worked by hand: region 2 (target 0) turns every case
# away at the start; of the rest, those who give contact and a sex fill that sex's cell to
# exactly 50 completes (10,000 interviews bring ~2,500 to each) and every later one in the cell
# ends quota_full. So: complete = 100, each sex cell 50, region 1 cell 100; quota_full = the
# region-2 cases + those a full sex cell ended; contact is reached by every case not in region 2.
sim_check() {  # sim_check N_COMPLETE MEN WOMEN [ARGS...]: run and check the worked figures
	sim_want=$1 men=$2 women=$3
	shift 3
	expect_exit 0 "$CATI" simulate "$TMP/q.form" -n 10000 --seed 3 "$@"
	printf '%s\n' "$OUT" >"$TMP/sim"
	complete=$(awk '$1 == "complete" {print $2}' "$TMP/sim")
	complete=${complete:-0}
	qfull=$(awk '$1 == "quota_full" {print $2}' "$TMP/sim")
	nocon=$(awk '$1 == "no_contact" {print $2}' "$TMP/sim")
	c1=$(awk '/^  bysex$/{q=1; next} /^  [a-z]/{q=0} q && $1 == "1" {print $2 " " $5}' "$TMP/sim")
	c2=$(awk '/^  bysex$/{q=1; next} /^  [a-z]/{q=0} q && $1 == "2" {print $2 " " $5}' "$TMP/sim")
	r1=$(awk '/^  byregion$/{q=1; next} /^  [a-z]/{q=0} q && $1 == "1" {print $2}' "$TMP/sim")
	r2=$(awk '/^  byregion$/{q=1; next} /^  [a-z]/{q=0} q && $1 == "2" {print $2 " " $5}' "$TMP/sim")
	contact=$(awk '$1 == "contact" {print $2}' "$TMP/sim")
	sex=$(awk '$1 == "sex" && NF == 3 {print $2}' "$TMP/sim")
	[ "${complete:-0}" = "$sim_want" ] || fail "simulate $*: $complete completes, expected $sim_want"
	[ "${c1%% *}" = "$men" ] || fail "simulate $*: men's cell ends at ${c1%% *}, expected $men"
	[ "${c2%% *}" = "$women" ] || fail "simulate $*: women's cell ends at ${c2%% *}, expected $women"
	[ "$r1" = "$complete" ] || fail "simulate $*: region 1 counts $r1 completes, not $complete"
	[ "${r2%% *}" = 0 ] || fail "simulate $*: region 2 (target 0) has completes: $r2"
	[ $((contact + ${r2##* })) -eq 10000 ] || fail "simulate $*: contact $contact + region-2 turned away ${r2##* } != 10000"
	[ $((${r2##* } + ${c1##* } + ${c2##* })) -eq "$qfull" ] || fail "simulate $*: quota_full $qfull != $r2 + $c1 + $c2"
	[ $((complete + ${c1##* } + ${c2##* })) -eq "$sex" ] || fail "simulate $*: $sex reached sex, not $complete + $c1 + $c2"
	[ $((complete + qfull + nocon)) -eq 10000 ] || fail "simulate $*: endings do not add up to 10000"
	[ "${r2##* }" -gt 4000 ] && [ "${r2##* }" -lt 6000 ] || fail "simulate $*: ${r2##* } of 10000 in region 2"
}
sim_check 100 50 50
# 45 men counted already: 5 more complete in that cell
sim_check 55 50 50 --quota-count bysex:1=45
# both cells full from the start: no complete at all
sim_check 0 50 50 --quota-count bysex:1=50 --quota-count bysex:female=50
# without quotas nothing ends quota_full
expect_exit 0 "$CATI" simulate "$TMP/q.form" -n 2000 --no-quotas
printf '%s' "$OUT" | grep -q "quota_full" && fail "--no-quotas: a quota_full ending: $OUT"
expect_out "quotas not applied (--no-quotas)"

# every shipped form simulates without getting stuck
for f in forms/*.form; do
	expect_exit 0 "$CATI" simulate "$f" -n 300 --seed 1
	printf '%s' "$OUT" | grep -q '(stuck)' && fail "$f: random interviews got stuck at a hard check"
done

finish
