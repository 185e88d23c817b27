#!/bin/sh
# Call management from the command line: study-file errors, outcomes, locks between two
# processes, a break-off resumed by another interviewer at the right question.
. tests/cli/lib.sh
DB="$TMP/c.db"
"$CATI" sample import forms/demo-sample.csv --form forms/demo.form --db "$DB" >/dev/null || fail "import"
export CATI_NOW=2026-03-02T09:00:00Z      # Monday 10:00 in Vienna

printf 'weekdays 09:00-20:30\nmax-attempts three\n' >"$TMP/bad.study"
expect_exit 2 "$CATI" next --study "$TMP/bad.study" --db "$DB"
expect_out "bad.study:2: max-attempts wants a number from 1 to 1000"
expect_exit 2 "$CATI" call --case D001 --outcome bussy --db "$DB"
expect_out "'bussy' is not a call outcome; one of: complete"
expect_exit 2 env CATI_NOW=tomorrow "$CATI" next --db "$DB"
expect_out "CATI_NOW must look like"
expect_exit 1 "$CATI" call --case NOPE --outcome busy --db "$DB"

# two interviewers asking at once get different cases; asking again keeps your own
a=$("$CATI" next --lock --interviewer anna --db "$DB")
b=$("$CATI" next --lock --interviewer ben --db "$DB")
[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] || fail "locks: anna got '$a', ben got '$b'"
[ "$("$CATI" next --lock --interviewer anna --db "$DB")" = "$a" ] || fail "anna lost her locked case"
# recording the call releases it: busy keeps it away for 15 minutes
expect_exit 0 "$CATI" call --case "$a" --outcome busy --interviewer anna --db "$DB"
expect_out "$a: busy (for now 3.12, case stays open)"
OUT=$("$CATI" next --why --interviewer carl --db "$DB")
printf '%s' "$OUT" | grep -q "next: $a " && fail "$a offered inside its busy gap"
OUT=$(CATI_NOW=2026-03-02T09:16:00Z "$CATI" next --why --interviewer anna --db "$DB")
expect_out "zone Europe/Vienna: Mon 2026-03-02 10:16 local, open"
# the same reasons in German and Dutch: the respondent's time the interviewer's way
OUT=$(CATI_NOW=2026-03-02T09:16:00Z LANGUAGE=de "$CATI" next --why --interviewer anna --db "$DB")
expect_out "Zone Europe/Vienna: Mo 02.03.2026 10:16 Ortszeit, offen (Fenster 09:00-20:30)"
expect_out "Zeit der befragten Person Mo 02.03.2026 10:16)"
OUT=$(CATI_NOW=2026-03-02T09:16:00Z LANGUAGE=nl "$CATI" next --why --interviewer anna --db "$DB")
expect_out "zone Europe/Vienna: ma 02-03-2026 10:16 lokaal, open (venster 09:00-20:30)"
expect_exit 0 env LANGUAGE=de "$CATI" call --case "$a" --outcome busy --interviewer anna --db "$DB"
expect_out "$a: "
expect_out "(vorläufig 3.12, Fall bleibt offen)"

# a break-off by anna, resumed by ben at the question where it stopped
printf 'n\na 1\na 2026-01-02\ns phone died\n' | "$CATI" interview --db "$DB" --case D005 --interviewer anna >/dev/null
OUT=$(CATI_NOW=2026-03-02T09:30:00Z "$CATI" next --why --interviewer ben --db "$DB")
expect_out "next: D005 (partial interview to resume"
OUT=$(printf 'q\n' | "$CATI" interview --db "$DB" --case D005 --interviewer ben)
expect_out "resumed interview"
expect_out "@ question overall"

# a final outcome closes the case; the report counts it
expect_exit 0 "$CATI" call --case D006 --outcome disconnected --db "$DB"
expect_out "final disposition 4.30"
OUT=$("$CATI" report rates --db "$DB")
expect_out "4.30   non-working or disconnected number"
expect_out "NE 1"
finish
