#!/bin/sh
# The interviewer's screens in German and in Dutch at 80x24 (issue 22): the screens golden.sh
# covers, with the interface language set by LANGUAGE (UI_LANG), compared with the captures
# tests/e2e/golden/LL-ui-*.txt; on every capture no line is cut at the right edge (a full-width
# line ending inside a word, or a text cut with "…") and none is wider than the terminal.
# Dates are typed as the interviewer writes them (2.5.2026 in German, 2-5-2026 in Dutch) and
# stored as ISO dates, decimals typed with a comma (7,5) and stored with a point.
# GOLDEN_UPDATE=1 writes the captures anew; look at the diff before committing it.
. tests/e2e/lib.sh
GOLDEN=tests/e2e/golden
export CATI_NOW=2026-03-02T08:00:00Z

# uncut [MARKS]: no line wider than the terminal, none of full width ending inside a word
# (the footer, row 24, is whole keys by construction: left out by rank, never split), none
# whose text was cut with "…" at its end (translations must fit, or wrap at a word) unless
# MARKS is given: a screen of the interviewer's own answers, cut with a mark where too long
uncut() {
	_r=0
	screen | while IFS= read -r l; do
		_r=$((_r + 1))
		w=$(printf '%s' "$l" | wc -m)
		if [ "$w" -gt "$COLS" ]; then
			echo "wider than $COLS: $l"
		elif [ "$w" -eq "$COLS" ] && [ "$_r" -lt "$ROWS" ] && printf '%s' "$l" | grep -q '[[:alnum:]][[:alnum:]]$'; then
			echo "cut at the right edge: $l"
		elif [ -z "${1:-}" ] && printf '%s' "$l" | grep -q '…$'; then
			echo "cut with a mark: $l"
		fi
	done >"$TMP/uncut"
	[ -s "$TMP/uncut" ] && fail "$UI_LANG: a line is cut or wraps:
$(cat "$TMP/uncut")"
	return 0
}

# snap NAME TEXT [MARKS]: once TEXT shows, the screen must be uncut (uncut MARKS) and equal
# the capture LL-ui-NAME
snap() {
	wait_for "$2" 5 || return 0
	stable
	uncut "${3:-}"
	golden "$UI_LANG-ui-$1"
}

# the login screen is the login helper's: wait for its demo hint, which names 'demo' in any language
ui_login() {
	wait_for "'demo'"
	type_text demo
	keys Enter
	type_text demo
	keys Enter
}

ui_quit() {
	keys q
	wait_for "'demo'"
	keys Escape
	wait_for "EXITED 0"
}

# wq QID: until that question is on the screen (F in German, V in Dutch for "question")
wq() {
	wait_for "│ $1 $Q " "${2:-5}"
}

for UI_LANG in de nl; do
	export UI_LANG
	DB="$TMP/$UI_LANG.db"
	"$CATI" demo --db "$DB" --setup-only || { fail "demo setup"; continue; }
	if [ "$UI_LANG" = de ]; then
		Q=F; NEXT="Nächster Fall: D001"; OUTCOME="Ergebnis:"; APPT="Termin für Fall D001"
		NOTE="Notiz zum Fall"; AGAIN="7 noch einmal"; FIRST="Zuerst eine Antwort"; CHECK="PRÜFUNG: bitte"
		END="ENDE DES INTERVIEWS"; JUMP="Zu einer bereits"; HELP="schließt die Hilfe"
		BREAK="Interview abbrechen"; WHY="Warum wird unterbrochen"; SUSP="Interview unterbrochen"
		SYNC="Abgleichsprotokoll"; CUT="Diese Interviews wurden"; DATE=2.5.2026; CONT="Enter weiter"
		RESUME="Nächster Fall: D001, fortzusetzen"; CASE2="Fall D002"; DEC=7,5
		CASE3="Fall D003"; NOANSWER="keine Antwort erfasst"; APPT3="Termin für Fall D003"; ADATE=3.3.2026
		SAVED="Termin für Fall D003 gespeichert"
	else
		Q=V; NEXT="Volgend adres: D001"; OUTCOME="Belresultaat:"; APPT="Afspraak voor adres D001"
		NOTE="Notitie bij het adres"; AGAIN="Nog eens 7"; FIRST="Kies eerst een antwoord"; CHECK="CONTROLE: graag"
		END="EINDE VAN HET INTERVIEW"; JUMP="Naar een al gestelde"; HELP="sluit de hulp"
		BREAK="Interview afbreken"; WHY="Waarom wordt onderbroken"; SUSP="Interview onderbroken"
		SYNC="Synchronisatielog"; CUT="Deze interviews zijn"; DATE=2-5-2026; CONT="Enter verder"
		RESUME="Volgend adres: D001, te hervatten"; CASE2="adres D002"; DEC=7,5
		CASE3="adres D003"; NOANSWER="geen gehoor vastgelegd"; APPT3="Afspraak voor adres D003"; ADATE=3-3-2026
		SAVED="Afspraak voor adres D003 opgeslagen"
	fi
	start --db "$DB"
	ui_login
	snap list "$NEXT"
	keys n
	snap case "$OUTCOME"
	keys 6
	snap appointment "$APPT"
	keys Escape
	wait_for "$OUTCOME"
	keys C-n
	snap note "$NOTE"
	keys Escape
	wait_for "$OUTCOME"
	keys 7
	snap case-confirm "$AGAIN"
	keys x
	keys 1
	wq intro
	snap q-info "$CONT"
	keys Enter
	wq contact
	keys Enter
	snap q-yesno "$FIRST"
	keys 1
	snap q-date "visit $Q"
	type_text "$DATE"
	keys Enter
	snap q-single "overall $Q"
	keys 5
	wq why
	type_text "The waiting room was full and nobody told me when it would be my turn, so I waited"
	snap q-text "nobody told me"
	keys Enter
	snap q-multi "channel $Q"
	keys 1 Enter
	snap q-grid "adviser $Q"
	keys 1 2 3 Enter
	snap q-decimal "wait $Q"
	type_text "$DEC"
	keys Enter
	snap q-integer "months $Q"
	type_text 70
	keys Enter
	snap check "$CHECK"
	keys Enter
	wq recommend
	keys 1
	snap end "$END"
	keys PPage
	wq recommend
	keys C-g
	snap jump "$JUMP" answers
	keys Escape
	wq recommend
	keys F1
	snap help "$HELP"
	keys x
	wq recommend
	keys C-x
	snap breakoff "$BREAK"
	keys 1
	snap reason "$WHY"
	type_text "call back after lunch"
	keys Enter
	wait_for "$SUSP"
	keys L
	snap synclog "$SYNC"
	keys x
	wait_for "$NEXT"
	# a call and an appointment on D003, with its date typed the local way: the list counts
	# down to it, the case shows its history in the interviewer's language and convention
	keys Down Down Enter
	wait_for "$CASE3"
	keys 2
	wait_for "$NOANSWER"
	keys Enter
	wait_for "$CASE3"
	keys 6
	wait_for "$APPT3"
	type_text "$ADATE"
	keys Tab
	type_text 14:00
	keys Tab
	type_text "Frau Moser"
	keys Enter
	snap list-appointment "$SAVED"
	keys Enter
	snap case-history "$CASE3"
	keys Escape
	wait_for "$NEXT"
	ui_quit
	# stored as the files keep them: an ISO date, a decimal point
	[ "$(sqlite3 "$DB" "select value from answers where qid='visit'")" = 2026-05-02 ] ||
		fail "$UI_LANG: the date typed as $DATE is stored as '$(sqlite3 "$DB" "select value from answers where qid='visit'")'"
	[ "$(sqlite3 "$DB" "select value from answers where qid='wait'")" = 7.5 ] ||
		fail "$UI_LANG: the decimal typed as $DEC is stored as '$(sqlite3 "$DB" "select value from answers where qid='wait'")'"

	# the interrupted interview is offered on the next start
	start --db "$DB"
	ui_login
	snap resume "$CUT"
	keys Escape
	wait_for "$RESUME"
	keys Down Enter
	wait_for "$CASE2"
	keys Escape
	wait_for "$RESUME"
	ui_quit
done
finish
