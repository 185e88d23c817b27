#!/bin/sh
# cati check / cati show on the shipped forms and on broken input.
. tests/cli/lib.sh

# every shipped form passes, and check says so
for f in forms/*.form; do
	expect_exit 0 "$CATI" check "$f"
	expect_out "$f: ok"
done

# a broken form: every error as file:line:col, exit 1
cat >"$TMP/bad.form" <<'FORM'
form bad
languages en de
scale s
  1 en "a" de "b"
  1 en "c" de "d"
single q1 s if q2 = 1
  say en "x"
single q2 sat6
  say en "y" de "z"
skip to q1
FORM
expect_exit 1 "$CATI" check "$TMP/bad.form"
expect_out "$TMP/bad.form:5:3: duplicate code 1 in scale 's' (first on line 4)"
expect_out "$TMP/bad.form:6:1: no 'de' text for the say of question 'q1'"
expect_out "$TMP/bad.form:6:16: 'q2' is asked later (line 8)"
expect_out "$TMP/bad.form:8:11: unknown scale 'sat6'"
expect_out "$TMP/bad.form:10:9: skip to 'q1' goes backwards"
expect_out "$TMP/bad.form: 5 errors"

# the same errors in German and Dutch for the researcher: file:line:col first, the quoted
# subject kept; a --help and an option error in the interface language
expect_exit 1 env LANG=de_AT.UTF-8 "$CATI" check "$TMP/bad.form"
expect_out "$TMP/bad.form:5:3: doppelter Code 1 in scale 's' (zuerst in Zeile 4)"
expect_out "$TMP/bad.form:6:1: kein 'de'-Text für den say-Text der Frage 'q1'"
expect_out "$TMP/bad.form:6:16: 'q2' wird später gefragt (Zeile 8)"
expect_out "$TMP/bad.form:8:11: unbekannte Skala 'sat6'"
expect_out "$TMP/bad.form:10:9: Sprung zu 'q1' geht rückwärts"
expect_exit 1 env LANGUAGE=nl "$CATI" check "$TMP/bad.form"
expect_out "$TMP/bad.form:8:11: onbekende schaal 'sat6'"
expect_out "$TMP/bad.form:10:9: sprong naar 'q1' gaat terug"
printf 'form typo\nlanguages en\nsingel q\n  say en "x"\n' >"$TMP/typo.form"
expect_exit 1 env LANG=de_DE.UTF-8 "$CATI" check "$TMP/typo.form"
expect_out "$TMP/typo.form:3:1: 'singel' ist keine Anweisung; meinten Sie 'single'?"
expect_exit 1 "$CATI" check "$TMP/typo.form"
expect_out "$TMP/typo.form:3:1: 'singel' is not a statement; did you mean 'single'?"

# several files: exit 1 if any has errors, and the good one is still reported
expect_exit 1 "$CATI" check forms/demo.form "$TMP/bad.form"
expect_out "forms/demo.form: ok"

# I/O and usage errors: exit 2
expect_exit 2 "$CATI" check "$TMP/missing.form"
expect_out "cannot open '$TMP/missing.form'"
expect_exit 2 "$CATI" check
expect_exit 2 "$CATI" check --bogus forms/demo.form
expect_exit 2 "$CATI" frobnicate

# binary junk is an error with a position, never a crash
head -c 4096 "$CATI" >"$TMP/junk.form"
expect_exit 1 "$CATI" check "$TMP/junk.form"
expect_out "$TMP/junk.form:1:"

# show: a paper script in the chosen language
expect_exit 0 "$CATI" show forms/demo.form --lang de
expect_out "READ     Wie zufrieden sind Sie alles in allem mit der Geschäftsstelle"
expect_out "NOTE     Skala von 1 bis 6 vorlesen."
expect_out "1  sehr zufrieden"
expect_exit 0 "$CATI" show forms/demo.form
expect_out "ASK IF   overall >= 4"
expect_out "-> SKIP TO wait IF not (1 in channel)"
expect_out "CHECK (hard)"
expect_out "END: screen-out 'no_contact' IF contact = no"
# the paper script in the researcher's language: labels and notes translated, the form's
# names, conditions and outcome codes as written
expect_exit 0 env LANG=de_AT.UTF-8 "$CATI" show forms/demo.form --lang de
expect_out "Version 1; Sprachen: en de; gezeigt in de; 10 Fragen"
expect_out "NUR WENN overall >= 4"
expect_out "-> SPRUNG ZU wait WENN not (1 in channel)"
expect_out "ENDE: Screen-out 'no_contact' WENN contact = no"
expect_exit 0 env LANGUAGE=nl "$CATI" show forms/demo.form
expect_out "EINDE: screen-out 'no_contact' ALS contact = no"
printf '%s' "$OUT" | grep -q "PRÜFUNG" && fail "German in the Dutch script"
expect_exit 2 "$CATI" show forms/demo.form --lang xx
expect_out "the form has no language 'xx'"
expect_exit 1 "$CATI" show "$TMP/bad.form"

# the worked example of forms/README.md compiles and routes as the text says
awk '/^## A worked example/{f=1} f&&/^```$/{n++; if(n==2) exit; next} f&&n==1' forms/README.md |
	sed 's/ *# [0-9]*$//' >"$TMP/example.form"
expect_exit 0 "$CATI" check "$TMP/example.form"
expect_exit 0 "$CATI" walk "$TMP/example.form" --case region=1 --case office=Mitte --answer contact=yes \
	--answer q1=6 --answer q1why=slow --answer hotline=no --answer age=17
expect_out "CHECK soft: Under 18 and very dissatisfied (very dissatisfied)? Please confirm."
expect_out "END complete"

finish
