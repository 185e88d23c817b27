#!/bin/sh
# defects.sh: the workstation defects of issue 16, each reproduced through keys at 80x24.
#   CATI=bin/cati sh tests/e2e/defects.sh          every case (d1 ... d10)
#   sh tests/e2e/defects.sh d3 d6                   only these
# One line per check: "PASS name", or "FAIL (...): name: why" followed by the screen.
# Each case starts from a fresh demo database. cati's standard error goes to a file per case;
# a sanitizer report in it fails the case. d4 also runs its note case under the sanitizer
# binary ($CATI_SAN, default build/san/bin/cati) when that exists.
COLS=80
ROWS=24
. tests/e2e/lib.sh
LC_ALL=C.UTF-8
export LC_ALL
ESC=$(printf '\033')

# Checks --------------------------------------------------------------------------------------

why=
# check NAME CMD...: run CMD; print PASS NAME, or FAIL NAME with why and the screen.
check() {
	_name=$1
	shift
	why=
	if "$@"; then
		echo "PASS $_name"
	else
		fail "$_name${why:+: $why}"
	fi
}

# step NAME CMD...: a step the checks after it need: silent when it works, FAIL when not.
step() {
	_name=$1
	shift
	why=
	"$@" && return 0
	fail "$_name${why:+: $why}"
	return 1
}

# sees TEXT [SECONDS]: poll the screen until it shows TEXT (a fixed string).
sees() {
	_t=0
	_limit=$(( ${2:-3} * 20 ))
	while [ $_t -lt $_limit ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.05
		_t=$((_t + 1))
	done
	why="'$1' not on the screen after ${2:-3}s"
	return 1
}

# gone TEXT [SECONDS]: poll until TEXT is no longer on the screen.
gone() {
	_t=0
	_limit=$(( ${2:-3} * 20 ))
	while [ $_t -lt $_limit ]; do
		screen | grep -qF -- "$1" || return 0
		sleep 0.05
		_t=$((_t + 1))
	done
	why="'$1' still on the screen after ${2:-3}s"
	return 1
}

# sees_q QID: the interview shows question QID.
sees_q() {
	sees "│ $1 Q " "${2:-3}" && return 0
	why="not on question $1 (on '$(current_q)')"
	return 1
}

# absent TEXT: TEXT is not on the screen now.
absent() {
	screen | grep -qF -- "$1" || return 0
	why="'$1' is on the screen"
	return 1
}

eq() {
	[ "$1" = "$2" ] && return 0
	why="got '$1', want '$2'"
	return 1
}

alive() {
	absent "EXITED"
}

# on_q QID: the interview is on QID now.
on_q() {
	eq "$(current_q)" "$1"
}

# highlighted TEXT: a line in reverse video (the highlight) shows TEXT.
highlighted() {
	_t=0
	while [ $_t -lt 60 ]; do
		tmux -L "$SOCK" capture-pane -p -e |
			grep "${ESC}\[\(7\|[0-9;]*;7\)\(;[0-9;]*\)\{0,1\}m" |
			sed "s/${ESC}\[[0-9;]*m//g" | grep -qF -- "$1" && return 0
		sleep 0.05
		_t=$((_t + 1))
	done
	why="no highlighted line shows '$1'"
	return 1
}

# footer_has TEXT / footer_lacks TEXT: the last two lines (the keys) show TEXT or not.
footer_has() {
	screen | tail -2 | grep -qF -- "$1" && return 0
	why="the footer lacks '$1'"
	return 1
}
footer_lacks() {
	screen | tail -2 | grep -qF -- "$1" || return 0
	why="the footer offers '$1'"
	return 1
}

# cursor_after TEXT: the terminal cursor stands right after TEXT (its first place on the screen).
cursor_after() {
	_t=0
	while [ $_t -lt 20 ]; do
		_row=$(screen | grep -nF -m1 -- "$1" | cut -d: -f1)
		if [ -n "$_row" ]; then
			_line=$(screen | sed -n "${_row}p")
			_pre=${_line%%"$1"*}
			_want="$(printf '%s%s' "$_pre" "$1" | wc -m) $((_row - 1))"
			_got=$(tmux -L "$SOCK" display -p '#{cursor_x} #{cursor_y}')
			[ "$_got" = "$_want" ] && return 0
		fi
		sleep 0.05
		_t=$((_t + 1))
	done
	why="cursor (x y) at '$_got', want '${_want:-?}' (right after '$1')"
	return 1
}

# field_is LABEL VALUE: the dialog line that starts with LABEL ends with VALUE.
field_is() {
	_t=0
	while [ $_t -lt 60 ]; do
		_line=$(screen | grep -m1 "^ *$1\($\|[^s]\)" | sed 's/ *$//')
		case "$_line" in *" $2") return 0 ;; esac
		sleep 0.05
		_t=$((_t + 1))
	done
	why="the $1 line reads '$_line', want it to end with '$2'"
	return 1
}

# new_text BEFORE-FILE: the non-blank lines on the screen now that BEFORE-FILE does not have,
# leaving out the first line (the clock) and input lines ("> ...").
new_text() {
	screen | sed 1d | grep -vxF -f "$1" | grep -v -e '^ *$' -e '^ *> '
}

snapshot() {
	screen | sed 1d >"$1"
}

# enter_refused QID: Enter on QID is refused: it stays on QID and a message appears (in $MSG).
enter_refused() {
	snapshot "$TMP/before"
	keys Enter
	_t=0
	while [ $_t -lt 60 ]; do
		_q=$(current_q)
		if [ -n "$_q" ] && [ "$_q" != "$1" ]; then
			sleep 0.1
			why="Enter moved on to '$(current_q)': it was taken"
			return 1
		fi
		MSG=$(new_text "$TMP/before")
		[ -n "$MSG" ] && return 0
		sleep 0.05
		_t=$((_t + 1))
	done
	why="Enter on $1 showed no message"
	return 1
}

# layout NAME: no line wider than the terminal (lib.sh's check_layout).
layout() {
	_f=$failures
	check_layout
	if [ "$failures" -eq "$_f" ]; then
		echo "PASS $1"
	else
		echo "     (that was check $1)"
	fi
}

# value QID: the stored value of QID ("" when none), and its state.
value() {
	sql "SELECT value FROM answers WHERE qid = '$1' AND state > 0"
}
state() {
	sql "SELECT state FROM answers WHERE qid = '$1'"
}

# clear_line: empty the input line of a text, number or date question.
clear_line() {
	keys End
	for _i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
		keys BSpace
	done
}

# Getting there -------------------------------------------------------------------------------

N=0
# setup_db [DEMO ARGS...]: a fresh demo database in $DB.
setup_db() {
	N=$((N + 1))
	DB="$TMP/d$N.db"
	"$CATI" demo --db "$DB" --setup-only "$@" >"$TMP/setup.log" 2>&1 && return 0
	fail "demo setup: $(cat "$TMP/setup.log")"
	return 1
}

# open_db: cati on $DB, logged in as demo, on the case list.
open_db() {
	start --db "$DB"
	step "login screen" sees "Interviewer:" 10 || return 1
	type_text demo
	keys Enter
	type_text demo
	keys Enter
	step "case list after login" sees "case list" 10
}

fresh() {
	setup_db "$@" && open_db
}

# next_case KEY: N opens the next case, which must be KEY.
next_case() {
	keys n
	step "N opens case $1" sees "case $1"
}

# open_case KEY: search the case list for KEY and open it.
open_case() {
	keys /
	type_text "$1"
	keys Enter
	step "the search shows $1" sees " $1 " || return 1
	keys Enter
	step "case $1 opens" sees "case $1"
}

# to_contact: N, 1 (connected), Enter on the intro: D001's interview on contact.
to_contact() {
	next_case D001 || return 1
	keys 1
	step "1 starts the interview" sees_q intro || return 1
	keys Enter
	step "Enter on the intro" sees_q contact
}

# to_overall: from contact: yes, a date.
to_overall() {
	keys 1
	step "contact 1 goes to visit" sees_q visit || return 1
	type_text 2026-05-02
	keys Enter
	step "a date goes to overall" sees_q overall
}

# d1: a bare Enter answers nothing ----------------------------------------------------------

d1() {
	fresh || return 0
	to_contact || return 0
	layout d1.layout-contact
	keys Enter
	check d1.contact-enter-says-choose sees "Choose an answer first"
	check d1.contact-enter-stores-nothing eq "$(sql "SELECT count(*) FROM answers WHERE qid = 'contact' AND state > 0")" 0
	check d1.contact-enter-stays on_q contact
	if [ "$(current_q)" != contact ]; then
		keys PPage
		step "back on contact" sees_q contact || return 0
	fi
	to_overall || return 0
	keys Enter
	check d1.overall-enter-says-choose sees "Choose an answer first"
	check d1.overall-enter-stores-nothing eq "$(sql "SELECT count(*) FROM answers WHERE qid = 'overall' AND state > 0")" 0
	check d1.overall-enter-stays on_q overall
	if [ "$(current_q)" != overall ]; then
		keys PPage
		step "back on overall" sees_q overall || return 0
	fi
	# refused stays refused when Enter is pressed on it
	keys C-r
	step "Ctrl-R on overall moves on" sees_q channel || return 0
	check d1.ctrl-r-stores-refused eq "$(state overall)" 3
	keys PPage
	step "PgUp back on overall" sees_q overall || return 0
	check d1.overall-shown-refused sees "refused"
	keys Enter
	check d1.enter-on-refused-moves-on sees_q channel
	check d1.enter-on-refused-keeps-refused eq "$(state overall)" 3
}

# d2: arrow to the first option + Enter takes it ---------------------------------------------

d2() {
	fresh || return 0
	to_contact || return 0
	keys 1
	step "contact 1 goes to visit" sees_q visit || return 0
	keys PPage
	step "PgUp back on contact" sees_q contact || return 0
	keys Down Enter
	check d2.down-enter-takes-no sees "END OF INTERVIEW: screened out"
	check d2.contact-stored-no eq "$(value contact)" 2
	keys PPage
	step "PgUp back on contact" sees_q contact || return 0
	check d2.highlight-on-no highlighted "2  no"
	keys Up
	check d2.up-highlights-yes highlighted "1  yes"
	keys Enter
	check d2.up-enter-shows-visit sees_q visit
	check d2.up-enter-stores-yes eq "$(value contact)" 1
	layout d2.layout
}

# d3: the appointment dialog -----------------------------------------------------------------

# appt_bad: in the appointment dialog: a date, a bad time, who; Enter. The error is in $ERR.
appt_bad() {
	type_text 2026-12-02
	keys Tab
	type_text 9:3x
	keys Tab
	type_text "Frau Gruber"
	step "the dialog shows what was typed" sees "Frau Gruber" || return 1
	snapshot "$TMP/before"
	keys Enter
	_t=0
	ERR=
	while [ $_t -lt 40 ] && [ -z "$ERR" ]; do
		# the field lines (they end with what was typed) may change with the focus
		ERR=$(new_text "$TMP/before" | sed 's/ *$//' | grep -v -e '9:3x$' -e '2026-12-02$' -e 'Frau Gruber$')
		sleep 0.05
		_t=$((_t + 1))
	done
	return 0
}

error_about_time() {
	printf '%s\n' "$ERR" | grep -qi 'time\|hh:mm' && return 0
	why="no error about the time; new text: '$ERR'"
	return 1
}

# no_error_left: none of the lines of the dialog's error ($ERR) is on the screen.
no_error_left() {
	[ -n "$ERR" ] || { why="there was no error to look for"; return 1; }
	printf '%s\n' "$ERR" | while IFS= read -r _l; do
		screen | grep -qxF -- "$_l" && echo "$_l"
	done >"$TMP/left"
	[ -s "$TMP/left" ] || return 0
	why="the error is still shown: '$(head -1 "$TMP/left")'"
	return 1
}

appt_stored() {
	eq "$(sql "SELECT group_concat(at || '|' || coalesce(with_whom, ''), ';') FROM appointments")" "$1"
}

# open_appt: from the case list, N then 6: the appointment dialog for D001.
open_appt() {
	next_case D001 || return 1
	keys 6
	step "6 opens the appointment dialog" gone "Call outcome"
}

d3() {
	# a bad time, corrected with one Backspace
	fresh || return 0
	open_appt || return 0
	layout d3.layout-dialog
	appt_bad || return 0
	check d3.time-error-shows error_about_time
	check d3.focus-on-time-end cursor_after "9:3x"
	keys BSpace
	check d3.backspace-edits-time field_is Time "9:3"
	check d3.date-kept field_is Date "2026-12-02"
	check d3.who-kept field_is With "Frau Gruber"
	type_text 0
	keys Enter
	check d3.saved sees "Appointment saved"
	check d3.stored appt_stored "2026-12-02 09:30|Frau Gruber"
	check d3.alive alive

	# a bad time, then Esc: back on the case screen, no error left on it
	fresh || return 0
	open_appt || return 0
	appt_bad || return 0
	keys Escape
	check d3.esc-back-on-case sees "Call outcome:"
	check d3.esc-no-error-left no_error_left
	check d3.esc-alive alive
	layout d3.layout-case

	# a bad time, Backspace, then Esc
	fresh || return 0
	open_appt || return 0
	appt_bad || return 0
	keys BSpace
	check d3.bs-esc-time-edited field_is Time "9:3"
	keys Escape
	check d3.bs-esc-back-on-case sees "Call outcome:"
	check d3.bs-esc-no-case-question-mark absent "case ?"
	check d3.bs-esc-alive alive

	# from an interview: Ctrl-X, 2, the same bad time, fixed
	fresh || return 0
	to_contact || return 0
	keys C-x
	step "Ctrl-X: the break-off menu" gone "│ contact Q" || return 0
	keys 2
	appt_bad || return 0
	check d3.iv-time-error-shows error_about_time
	keys BSpace
	check d3.iv-backspace-edits-time field_is Time "9:3"
	check d3.iv-date-kept field_is Date "2026-12-02"
	check d3.iv-who-kept field_is With "Frau Gruber"
	type_text 0
	keys Enter
	check d3.iv-saved sees "Appointment saved"
	check d3.iv-stored appt_stored "2026-12-02 09:30|Frau Gruber"
	check d3.iv-suspended eq "$(sql "SELECT status FROM interviews")" suspended
	check d3.iv-alive alive

	# H:MM and D.M.YYYY are taken
	fresh || return 0
	open_appt || return 0
	type_text 2026-12-02
	keys Tab
	type_text 9:30
	keys Enter
	check d3.time-h-mm-saved sees "Appointment saved"
	check d3.time-h-mm-stored appt_stored "2026-12-02 09:30|"
	fresh || return 0
	open_appt || return 0
	type_text 2.12.2026
	keys Tab
	type_text 09:30
	keys Enter
	check d3.date-d-m-yyyy-saved sees "Appointment saved"
	check d3.date-d-m-yyyy-stored appt_stored "2026-12-02 09:30|"
}

# d4: a note from the case screen; no appointment error left on the interview ----------------

# d4_note SUFFIX: N, Ctrl-N, x, Enter: the note is saved for D001.
d4_note() {
	fresh || return 0
	next_case D001 || return 0
	keys C-n
	step "Ctrl-N opens the note editor" gone "Call outcome" || return 0
	type_text x
	keys Enter
	check "d4.note-saved$1" sees "Note saved."
	check "d4.note-stored$1" eq "$(sql "SELECT group_concat(n.text) FROM notes n JOIN cases c ON c.id = n.case_id WHERE c.case_key = 'D001'")" x
	check "d4.note-alive$1" alive
}

d4() {
	d4_note ""
	_san=${CATI_SAN:-build/san/bin/cati}
	if [ "$_san" = "$CATI" ]; then
		:   # the run above was under the sanitizer already
	elif [ -x "$_san" ] && ! [ "$CATI" -nt "$_san" ]; then   # (not a sanitizer build older than the binary under test)
		_cati=$CATI
		_err=$CATI_STDERR
		CATI=$_san
		CATI_STDERR="$TMP/d4-san.stderr"
		: >"$CATI_STDERR"
		d4_note "-san"
		check d4.note-san-no-report stderr_clean
		CATI=$_cati
		CATI_STDERR=$_err
	else
		echo "SKIP d4.note-san: no sanitizer binary '$_san' (make BUILD=build/san BINDIR=build/san/bin SAN=1 build/san/bin/cati)"
	fi

	# an appointment error does not stay on the interview after Esc
	fresh || return 0
	next_case D001 || return 0
	keys 1
	step "1 starts the interview" sees_q intro || return 0
	keys C-x
	step "Ctrl-X: the break-off menu" gone "│ intro Q" || return 0
	keys 2
	step "2: the appointment dialog" sees "Date" || return 0
	snapshot "$TMP/before"
	keys Enter
	_t=0
	ERR=
	while [ $_t -lt 60 ] && [ -z "$ERR" ]; do
		ERR=$(new_text "$TMP/before")
		sleep 0.05
		_t=$((_t + 1))
	done
	step "Enter with empty fields shows an error" eq "$([ -n "$ERR" ] && echo shown)" shown || return 0
	_dialog=$(screen)
	keys Escape
	wait_change "$_dialog"
	# Esc leads back to the interview, perhaps through the break-off menu
	if ! sees_q intro 1; then
		keys Escape
		step "Esc Esc: back on the interview" sees_q intro || return 0
	fi
	check d4.no-appointment-error-on-interview no_error_left
	layout d4.layout-interview
}

# d6: final outcomes take a second key -------------------------------------------------------

attempts() {
	sql "SELECT count(*) FROM call_attempts WHERE outcome = '$1'"
}

# d6_final KEY OUTCOME: on the case screen KEY asks again; another key cancels; KEY KEY records.
d6_final() {
	fresh || return 0
	next_case D001 || return 0
	keys "$1"
	check "d6.$2-asks-again" sees "again to record"
	check "d6.$2-not-yet" eq "$(sql "SELECT count(*) FROM call_attempts")" 0
	layout "d6.$2-layout"
	keys x
	check "d6.$2-other-key-cancels" gone "again to record"
	check "d6.$2-cancel-records-nothing" eq "$(sql "SELECT count(*) FROM call_attempts")" 0
	keys "$1" "$1"
	check "d6.$2-twice-back-on-list" sees "case list"
	check "d6.$2-twice-recorded" eq "$(attempts "$2")" 1
}

d6() {
	d6_final 7 refusal
	d6_final 5 wrong_number
	d6_final 8 language_barrier

	# a closed case: 1 asks again, 1 1 reopens it
	setup_db || return 0
	"$CATI" call --db "$DB" --case D001 --outcome refusal >/dev/null 2>&1 ||
		{ fail "cati call --outcome refusal"; return 0; }
	open_db || return 0
	open_case D001 || return 0
	check d6.closed-case-says-closed sees "This case is closed"
	keys 1
	check d6.closed-1-asks-again sees "again to call this closed case"
	check d6.closed-1-no-interview eq "$(sql "SELECT count(*) FROM interviews")" 0
	check d6.closed-1-no-reopen-yet eq "$(attempts reopened)" 0
	layout d6.closed-layout
	keys 1
	check d6.closed-1-1-starts-interview sees_q intro
	check d6.closed-1-1-records-reopened eq "$(attempts reopened)" 1
}

# d7: columns measured in display width ------------------------------------------------------

# status_aligned NAME...: on the case list, the status of each row named NAME starts in the
# column of the heading "status".
status_aligned() {
	_hdr=$(screen | grep -m1 " status ")
	[ -n "$_hdr" ] || { why="no heading with 'status'"; return 1; }
	_col=$(printf '%s' "${_hdr%%status*}" | wc -m)
	_bad=
	for _n in "$@"; do
		_line=$(screen | grep -m1 -F -- "${_n%%…*}")
		[ -n "$_line" ] || { _bad="$_bad '$_n' not shown;"; continue; }
		_c=$(printf '%s' "${_line%%" new "*}" | wc -m)
		_c=$((_c + 1))
		[ "$_c" -eq "$_col" ] || _bad="$_bad '$_n' status at column $_c, heading at $_col;"
	done
	[ -z "$_bad" ] && return 0
	why=$_bad
	return 1
}

ids_whole() {
	_bad=
	for _k in "$@"; do
		screen | grep -qF -- " $_k " || _bad="$_bad $_k"
	done
	[ -z "$_bad" ] && return 0
	why="ids not shown whole:$_bad"
	return 1
}

d7() {
	printf '%s\n' "id,phone,name,tz,region,office" \
		"U01,+43 1 5550001,Hannes Müller,Europe/Vienna,9,Wien Mitte" \
		"U02,+43 1 5550002,Ännchen Weiß-Überbacher,Europe/Vienna,9,Wien Mitte" \
		"U03-LONG-ID-2026,+43 1 5550003,Otto Lang,Europe/Vienna,9,Wien Mitte" \
		"U04,+43 1 5550004,Anna Huber,Europe/Vienna,9,Wien Mitte" >"$TMP/umlauts.csv"
	fresh --sample "$TMP/umlauts.csv" || return 0
	step "the list shows the cases" sees "Otto Lang" || return 0
	check d7.status-column-aligned status_aligned "Hannes Müller" "Ännchen Weiß" "Otto Lang" "Anna Huber"
	check d7.long-id-whole ids_whole U03-LONG-ID-2026
	layout d7.layout

	"$CATI" sample example forms/cms_jobseeker.form -n 3 >"$TMP/cms.csv" ||
		{ fail "cati sample example"; return 0; }
	fresh --form forms/cms_jobseeker.form --sample "$TMP/cms.csv" || return 0
	step "the list shows the cases" sees "Person 3" || return 0
	check d7.example-ids-whole ids_whole cms_jobseeker000001 cms_jobseeker000002 cms_jobseeker000003
	check d7.example-status-aligned status_aligned "Person 1" "Person 2" "Person 3"
	layout d7.example-layout
}

# d8: the cursor in wrapped text -------------------------------------------------------------

d8() {
	fresh || return 0
	to_contact || return 0
	to_overall || return 0
	keys 5
	step "overall 5 goes to why" sees_q why || return 0
	type_text "the waiting room was full and nobody told me when it would be my turn, so I waited for about two hours qqEND"
	step "the text is shown" sees "qqEND" || return 0
	check d8.cursor-after-last-char cursor_after "qqEND"
	_first=$(screen | grep -n -m1 '^ *> ' | cut -d: -f1)
	_end=$(screen | grep -nF -m1 qqEND | cut -d: -f1)
	check d8.text-on-second-input-line eq "$_end" "$((_first + 1))"
	layout d8.layout
}

# d9: input as a person types it -------------------------------------------------------------

d9() {
	fresh || return 0
	to_contact || return 0
	keys 1
	step "contact 1 goes to visit" sees_q visit || return 0
	type_text 31.02.2025
	keys Enter
	check d9.feb-31-says-28-days sees "28 days"
	check d9.feb-31-stays on_q visit
	check d9.feb-31-stores-nothing eq "$(value visit)" ""
	layout d9.layout-visit
	[ "$(current_q)" = visit ] || { keys PPage; step "back on visit" sees_q visit || return 0; }
	clear_line
	type_text 15.3.2025
	keys Enter
	check d9.d-m-yyyy-accepted sees_q overall
	check d9.d-m-yyyy-stored-iso eq "$(value visit)" 2025-03-15
	if [ "$(current_q)" != overall ]; then
		clear_line
		type_text 2025-03-15
		keys Enter
		step "an ISO date goes to overall" sees_q overall || return 0
	fi
	keys 2
	step "overall 2 goes to channel" sees_q channel || return 0
	keys 2 Enter
	step "channel 2 goes to wait" sees_q wait || return 0
	for _bad in 1e2 0x10; do
		_before=$(value wait)
		clear_line
		type_text "$_bad"
		step "the input shows $_bad" sees "> $_bad" || return 0
		check "d9.wait-$_bad-refused" enter_refused wait
		check "d9.wait-$_bad-stores-nothing" eq "$(value wait)" "$_before"
		[ "$(current_q)" = wait ] || { keys PPage; step "back on wait" sees_q wait || return 0; }
	done
	clear_line
	type_text 3,5
	step "the input shows 3,5" sees "> 3,5" || return 0
	keys Enter
	check d9.wait-comma-accepted sees_q months
	check d9.wait-comma-stored eq "$(value wait)" 3.5
}

# d10: smaller ones ----------------------------------------------------------------------------

no_ellipsis() {
	screen | grep -qF "…" || return 0
	why="a line is cut: '$(screen | grep -F -m1 "…")'"
	return 1
}

footer_not_cut() {
	screen | tail -1 | grep -qF "…" || return 0
	why="the footer is cut: '$(screen | tail -1)'"
	return 1
}

# login_message ID PW: start cati, log in with ID and PW; the message it shows is in $MSG.
login_message() {
	start --db "$DB"
	step "login screen" sees "Interviewer:" 10 || return 1
	type_text "$1"
	keys Enter
	type_text "$2"
	step "the password is typed" sees "*****" || return 1
	snapshot "$TMP/before"
	keys Enter
	_t=0
	MSG=
	while [ $_t -lt 60 ] && [ -z "$MSG" ]; do
		MSG=$(new_text "$TMP/before" | grep -v 'Interviewer:\|Password:')
		sleep 0.05
		_t=$((_t + 1))
	done
	[ -n "$MSG" ] && return 0
	why="no message after a failed login as '$1'"
	return 1
}

d10() {
	# (a) the footer offers dk and rf only where they are allowed; (b) it is not cut
	fresh || return 0
	to_contact || return 0
	check d10.contact-footer-no-dk footer_lacks "^D"
	check d10.contact-footer-no-rf footer_lacks "^R"
	keys 1
	step "contact 1 goes to visit" sees_q visit || return 0
	check d10.visit-footer-f1 footer_has F1
	check d10.visit-footer-not-cut footer_not_cut
	type_text 2026-05-02
	keys Enter
	step "a date goes to overall" sees_q overall || return 0
	check d10.overall-footer-dk footer_has "^D"
	check d10.overall-footer-rf footer_has "^R"
	keys 5
	step "overall 5 goes to why" sees_q why || return 0
	check d10.why-footer-f1 footer_has F1
	check d10.why-footer-not-cut footer_not_cut
	layout d10.layout-why

	# (c) F1 help is not cut
	keys F1
	step "F1 shows the help" gone "│ why Q" || return 0
	check d10.help-not-cut no_ellipsis
	layout d10.layout-help
	keys Escape
	step "Esc closes the help" sees_q why || return 0

	# (d) Ctrl-G: 1 Enter jumps to the first question of the route
	keys C-g
	step "Ctrl-G shows the jump list" gone "│ why Q" || return 0
	keys 1 Enter
	check d10.jump-1-enter sees_q intro
	keys C-e
	step "Ctrl-E back to why" sees_q why || return 0
	keys C-g
	step "Ctrl-G shows the jump list" gone "│ why Q" || return 0
	keys Down Down
	keys 1 Enter
	check d10.jump-arrows-then-1-enter sees_q intro

	# (e) the language chosen stays for the next interview
	fresh || return 0
	next_case D001 || return 0
	keys 1
	step "1 starts the interview" sees_q intro || return 0
	keys C-t
	step "Ctrl-T: German" sees "Guten Tag, Anna Huber" || return 0
	keys C-x
	step "Ctrl-X: the break-off menu" gone "│ intro Q" || return 0
	keys 1
	type_text Pause
	step "the reason is typed" sees "Pause" || return 0
	keys Enter
	step "suspended: on the case list" sees "case list" || return 0
	open_case D002 || return 0
	keys 1
	step "1 starts the interview of D002" sees_q intro || return 0
	check d10.language-kept-for-next-case sees "Guten Tag, Bernhard Gruber"

	# (f) a wrong password and an unknown interviewer read alike
	setup_db || return 0
	login_message demo wrong || return 0
	_wrong=$MSG
	login_message nobody wrong || return 0
	check d10.login-same-message eq "$MSG" "$_wrong"

	# (g) q on the case list logs out
	fresh || return 0
	keys q
	check d10.q-logs-out sees "Interviewer:"
	check d10.q-keeps-running alive
}

# Running ------------------------------------------------------------------------------------

stderr_clean() {
	grep -q 'AddressSanitizer\|runtime error\|LeakSanitizer' "$CATI_STDERR" || return 0
	why="$(grep -m1 'AddressSanitizer\|runtime error\|LeakSanitizer' "$CATI_STDERR")"
	sed -n '1,30p' "$CATI_STDERR"
	return 1
}

CASES="d1 d2 d3 d4 d6 d7 d8 d9 d10"
[ $# -gt 0 ] && CASES=$*
for c in $CASES; do
	case " d1 d2 d3 d4 d6 d7 d8 d9 d10 " in
	*" $c "*) ;;
	*) echo "unknown case '$c' (cases: d1 d2 d3 d4 d6 d7 d8 d9 d10)"; exit 2 ;;
	esac
	echo "== $c"
	CATI_STDERR="$TMP/$c.stderr"
	: >"$CATI_STDERR"
	"$c"
	check "$c.no-sanitizer-report" stderr_clean
	tmux -L "$SOCK" kill-server 2>/dev/null
done
finish
