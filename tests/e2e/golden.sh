#!/bin/sh
# Golden screens: every kind of screen of the workstation at 80x24, in English and with the
# questionnaire in German, compared with the captures in tests/e2e/golden/ (tmux's regress/
# style). The clock is fixed (CATI_NOW), so times and countdowns are the same on every run.
# GOLDEN_UPDATE=1 writes the captures anew; look at the diff before committing it.
. tests/e2e/lib.sh
GOLDEN=tests/e2e/golden
export CATI_NOW=2026-03-02T08:00:00Z
DB="$TMP/golden.db"
"$CATI" demo --db "$DB" --setup-only || { fail "demo setup"; finish; }

# snap NAME TEXT: once TEXT shows, the screen must equal the golden capture NAME
snap() {
	wait_for "$2" 5 || return 0
	stable
	check_layout
	golden "$1"
}

start --db "$DB"
snap login "Interviewer:"
login demo demo
snap list "Next case to call: D001"
keys n
snap case "Call outcome"
keys 6
snap appointment "Appointment for case D001"
keys Escape
wait_for "Call outcome"
keys C-n
snap note "Note on the case"
keys Escape
wait_for "Call outcome"
keys 7
snap case-confirm "Press 7 again"
keys x
keys 1
wait_q intro
snap q-info "Enter continue"
keys Enter
wait_q contact
keys Enter
snap q-yesno "Choose an answer first"
keys 1
snap q-date "visit Q"
type_text 2026-05-02
keys Enter
snap q-single "overall Q"
keys 5
wait_q why
type_text "The waiting room was full and nobody told me when it would be my turn, so I waited"
snap q-text "nobody told me"
keys Enter
snap q-multi "channel Q"
keys 1 Enter
snap q-grid "adviser Q"
keys 1 2 3 Enter
snap q-decimal "wait Q"
type_text 15
keys Enter
snap q-integer "months Q"
type_text 70
keys Enter
snap check "CHECK: please confirm"
keys Enter
wait_q recommend
keys 1
snap end "END OF INTERVIEW"
keys PPage
wait_q recommend
keys C-g
snap jump "Jump to a question"
keys Escape
wait_q recommend
keys F1
snap help "any key closes this help"
keys x
wait_q recommend
keys C-x
snap breakoff "Break off the interview"
keys 1
snap reason "Why is it suspended"
type_text "call back after lunch"
keys Enter
wait_for "Interview suspended"
keys L
snap synclog "Sync log"
keys x
wait_for "Next case to call"
quit_desk

# German questions, on the next case; first the interrupted interview is offered
start --db "$DB"
login demo demo
snap resume "These interviews were cut off"
keys Escape
wait_for "Next case to call: D001, partial to resume"
keys Down Enter
wait_for "case D002"
wait_for "Call outcome"
keys 1
wait_q intro
keys C-t
snap de-q-info "Guten Tag"
keys Enter
wait_q contact
snap de-q-yesno "Hatten Sie"
keys 1
snap de-q-date "An welchem Tag"
type_text 2.5.2026
keys Enter
snap de-q-single "Wie zufrieden sind Sie alles"
keys 5
wait_q why
snap de-q-text "Hauptgrund"
type_text "Zu lange Wartezeit"
keys Enter
snap de-q-multi "Wie hatten Sie Kontakt"
keys 1 Enter
snap de-q-grid "Beraterin"
keys 1 2 3 Enter
snap de-q-decimal "Wie viele Minuten"
type_text 15
keys Enter
snap de-q-integer "Wie viele Monate"
type_text 70
keys Enter
snap de-check "Monate sind mehr als"
keys Enter
wait_q recommend
snap de-q-recommend "Würden Sie"
keys 1
snap de-end "Vielen Dank"
keys Enter
wait_for "recorded: complete"
quit_desk
finish
