#!/bin/sh
# The interface language follows the interviewer (issue 22): F2 on the login screen goes round
# English, Deutsch, Nederlands and redraws at once; the choice is kept with the interviewer's
# cached credential and as this workstation's last choice, so the next start comes up in it,
# and an interviewer who chose before gets their language back at login. The questionnaire's
# language (Ctrl-T) stays separate from the interface's.
. tests/e2e/lib.sh
DB="$TMP/lang.db"
"$CATI" demo --db "$DB" --setup-only || { fail "demo setup"; finish; }
# a second interviewer with demo's password
sqlite3 "$DB" "INSERT INTO credentials(interviewer, hash, updated_at) SELECT 'bob', hash, updated_at FROM credentials WHERE interviewer = 'demo'"

# the environment's language before any choice (English here)
start --db "$DB"
wait_for "Language:    English"
wait_for "F2 language"
check_layout
keys F2
wait_for "Sprache:     Deutsch"
wait_for "Anmelden"
wait_for "F2 Sprache"
check_layout
keys F2
wait_for "Taal:        Nederlands"
wait_for "Inloggen"
check_layout
keys F2
wait_for "Language:    English"
keys F2
wait_for "Sprache:     Deutsch"
# a wrong password is told in the language on screen
login demo wrong
wait_for "Anmeldung fehlgeschlagen"
# quit before logging in, start again: still German (the workstation's last choice)
keys Escape
wait_for "EXITED 0"
start --db "$DB"
wait_for "Sprache:     Deutsch"
login demo demo
wait_for "Fallliste"
wait_for "Nächster Fall: D001"
check_layout
[ "$(sql "SELECT ui_lang FROM credentials WHERE interviewer = 'demo'")" = de ] ||
	fail "demo's language not kept: $(sql "SELECT interviewer, ui_lang FROM credentials")"
[ "$(sql "SELECT value FROM meta WHERE key = 'ui_lang'")" = de ] || fail "the workstation's last choice not kept"

# German interface, English questions, then German questions with Ctrl-T; the interface stays
keys n
wait_for "Anna Huber"
keys 1
wait_for "Good day, Anna Huber"
keys C-t
wait_for "Guten Tag, Anna Huber"
check_layout
# suspend it; the next interview keeps the German questions, the interface stays German
suspend() {
	keys C-x
	wait_change "$(screen)"
	keys 1
	wait_change "$(screen)"
	type_text "$1"
	keys Enter
	wait_for "Hannes Müller"   # the case list, in any language
}
# open ROW: the case on that row of the case list (from the top, Down ROW-1 times), reached:
# the interview
open_row() {
	keys PPage
	_k=1
	while [ $_k -lt "$1" ]; do keys Down; _k=$((_k + 1)); done
	_s=$(screen)
	keys Enter
	wait_change "$_s"
	keys 1
}
suspend "back later"
open_row 2
wait_for "Guten Tag, Bernhard Gruber"
[ "$(sql "SELECT value FROM meta WHERE key = 'ui_lang'")" = de ] || fail "the interface language changed with the questions"
keys C-t
wait_for "Good day, Bernhard Gruber"

# quit and start again: the login screen in German; another interviewer chooses Dutch
start --db "$DB"
wait_for "Sprache:     Deutsch"
wait_for "Tab nächstes Feld"
keys F2
wait_for "Taal:        Nederlands"
login bob demo
wait_for "adressenlijst"
[ "$(sql "SELECT ui_lang FROM credentials WHERE interviewer = 'bob'")" = nl ] ||
	fail "bob's language not kept: $(sql "SELECT interviewer, ui_lang FROM credentials")"

# the next start is in Dutch (the last choice here); demo logs in and gets German back
start --db "$DB"
wait_for "Taal:        Nederlands"
check_layout
login demo demo
wait_for "Diese Interviews wurden unterbrochen"
[ "$(sql "SELECT value FROM meta WHERE key = 'ui_lang'")" = de ] || fail "demo's login did not take up German"
start --db "$DB"
wait_for "Sprache:     Deutsch"

# the reverse: an English interface (F2 twice) with German questions, kept for the next interview
keys F2 F2
wait_for "Language:    English"
login demo demo
wait_for "These interviews were cut off"
keys Escape
wait_for "Next case to call"
open_row 3
wait_for "Good day, Clara Moser"
keys C-t
wait_for "Guten Tag, Clara Moser"
suspend "later please"
wait_for "Next case to call"
open_row 4
wait_for "Guten Tag, Dominik Wagner"
wait_for "Enter continue"
check_layout
[ "$(sql "SELECT ui_lang FROM credentials WHERE interviewer = 'demo'")" = en ] || fail "demo's English not kept"
finish
