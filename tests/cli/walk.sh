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

# every shipped form simulates without getting stuck
for f in forms/*.form; do
	expect_exit 0 "$CATI" simulate "$f" -n 300 --seed 1
	printf '%s' "$OUT" | grep -q '(stuck)' && fail "$f: random interviews got stuck at a hard check"
done

finish
