# lib.sh: drive the real bin/cati inside tmux. Source it; set COLS, ROWS, TERMTYPE first.
: "${CATI:=bin/cati}"
: "${COLS:=80}" "${ROWS:=24}" "${TERMTYPE:=xterm-256color}"
# UI_LANG=de or nl: the interface in that language (English by default)
TMP=$(mktemp -d)
SOCK="cati$$"
failures=0
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL ($COLS x $ROWS, $TERMTYPE): $*"
	echo "---- screen ----"
	screen
	echo "----------------"
	failures=$((failures + 1))
}

# start ARGS...: run cati with ARGS in a fresh tmux pane of COLS x ROWS. With CATI_STDERR set,
# cati's standard error is appended to that file (a sanitizer's report, say); ASAN_OPTIONS and
# UBSAN_OPTIONS are passed on when set.
start() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	_t=0
	while tmux -L "$SOCK" list-sessions >/dev/null 2>&1 && [ $_t -lt 100 ]; do
		sleep 0.02
		_t=$((_t + 1))
	done
	SOCK="cati$$_$(date +%N)"
	tmux -L "$SOCK" -f /dev/null new-session -d -x "$COLS" -y "$ROWS" \
		"env LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=${UI_LANG:-} TERM=$TERMTYPE CATI_STUDY=${CATI_STUDY:-$(pwd)/tests/e2e/allday.study}${ASAN_OPTIONS:+ ASAN_OPTIONS=$ASAN_OPTIONS}${UBSAN_OPTIONS:+ UBSAN_OPTIONS=$UBSAN_OPTIONS} $CATI $*${CATI_STDERR:+ 2>>$CATI_STDERR}; echo EXITED \$?; sleep 30"
}

# cati_pid: the pid of the cati this test started (the child of the pane's shell; env execs it).
cati_pid() {
	ps -o pid= --ppid "$(tmux -L "$SOCK" display -p '#{pane_pid}')" | tr -d ' ' | head -1
}

screen() {
	tmux -L "$SOCK" capture-pane -p 2>/dev/null
}

# keys K...: tmux key names (Enter, PPage, C-d, ...) or literal text with -l.
keys() {
	tmux -L "$SOCK" send-keys "$@"
}

type_text() {
	tmux -L "$SOCK" send-keys -l "$1"
}

# wait_for TEXT [SECONDS]: poll the screen until it shows TEXT (fixed string).
wait_for() {
	_t=0
	_limit=$(( ${2:-5} * 20 ))
	while [ $_t -lt $_limit ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.05
		_t=$((_t + 1))
	done
	fail "timed out waiting for '$1'"
	return 1
}

# stable: until two captures 100 ms apart are the same (the screen is drawn whole)
stable() {
	_t=0
	_a=$(screen)
	while [ $_t -lt 50 ]; do
		sleep 0.1
		_b=$(screen)
		[ "$_a" = "$_b" ] && return 0
		_a=$_b
		_t=$((_t + 1))
	done
}

# golden NAME: the screen must equal the capture $GOLDEN/NAME.txt (tmux's regress/ style);
# GOLDEN_UPDATE=1 writes the capture anew instead (look at the diff before committing it)
golden() {
	screen >"$TMP/$1.txt"
	if [ -n "${GOLDEN_UPDATE:-}" ]; then
		cp "$TMP/$1.txt" "$GOLDEN/$1.txt"
		echo "wrote $GOLDEN/$1.txt"
	elif ! diff -u "$GOLDEN/$1.txt" "$TMP/$1.txt" >"$TMP/$1.diff"; then
		fail "screen $1 differs from $GOLDEN/$1.txt:"
		cat "$TMP/$1.diff"
	else
		echo "same: $1"
	fi
}

# wait_gone TEXT [SECONDS]: poll until TEXT is no longer on the screen.
wait_gone() {
	_t=0
	_limit=$(( ${2:-5} * 20 ))
	while [ $_t -lt $_limit ]; do
		screen | grep -qF -- "$1" || return 0
		sleep 0.05
		_t=$((_t + 1))
	done
	fail "'$1' stayed on the screen"
	return 1
}

# The question id in the status line ("" when none).
current_q() {
	screen | head -1 | sed -n 's/.*│ \([A-Za-z_][A-Za-z0-9_.]*\(\[[0-9]*\]\)\{0,1\}\) Q [0-9]* of.*/\1/p'
}

# wait_q QID: until that question is on the screen.
wait_q() {
	wait_for "│ $1 Q " "${2:-5}"
}

# no line of the screen is wider than the terminal, and nothing is cut without a mark
check_layout() {
	screen | while IFS= read -r l; do
		w=$(printf '%s' "$l" | wc -m)
		[ "$w" -le "$COLS" ] || echo "line wider than $COLS: $l"
	done | grep -q . && fail "a line is wider than the terminal"
	return 0
}

# sql QUERY: read $DB as the sqlite3 shell would, through cati, which unseals the respondents'
# personal data with the interviewer's password ($SQL_PASSWORD, default the demo's)
sql() {
	CATI_PASSWORD="${SQL_PASSWORD:-demo}" "$CATI" doctor --db "$DB" --sql "$1"
}

# login ID PW
login() {
	wait_for "Interviewer:"
	type_text "$1"
	keys Enter
	type_text "$2"
	keys Enter
}

# quit_desk: log out from the case list (q), then quit at the login screen (Esc).
quit_desk() {
	keys q
	wait_for "Interviewer:"
	keys Escape
	wait_for "EXITED 0"
}

finish() {
	[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
	echo ok
}

# wait_change BEFORE: poll until the screen differs from BEFORE.
wait_change() {
	_t=0
	while [ $_t -lt 100 ]; do
		[ "$(screen)" != "$1" ] && return 0
		sleep 0.03
		_t=$((_t + 1))
	done
	return 1
}

# autopilot [MAXSTEPS]: answer whatever the interview shows with the first legal answer until
# the case list returns. Counts keystrokes in $KEYSTROKES.
KEYSTROKES=0
autopilot() {
	_steps=0
	_hard=0
	while [ $_steps -lt "${1:-400}" ]; do
		_s=$(screen)
		_foot=$(printf '%s\n' "$_s" | tail -2 | tr '\n' ' ')
		if printf '%s' "$_s" | head -1 | grep -q "case list"; then
			return 0
		fi
		case "$_foot" in
		*"Enter finish"*)
			keys Enter; KEYSTROKES=$((KEYSTROKES + 1)) ;;
		*"Enter confirm"*)
			keys Enter; KEYSTROKES=$((KEYSTROKES + 1)) ;;
		*"correct that question"*)
			_hard=$((_hard + 1))
			[ $_hard -gt 5 ] && { fail "autopilot: stuck at a hard check"; return 1; }
			keys 1; KEYSTROKES=$((KEYSTROKES + 1))
			wait_change "$_s"
			_s=$(screen)
			# answer differently: the last choice, or the top of the range
			if printf '%s' "$_s" | grep -q "a number from"; then
				_hi=$(printf '%s' "$_s" | sed -n 's/.*a number from [-0-9.]* to \([-0-9.]*\).*/\1/p' | head -1)
				keys C-e 2>/dev/null; keys Home; keys C-k 2>/dev/null
				for _i in 1 2 3 4 5 6 7 8 9 10; do keys DC; done
				type_text "$_hi"; keys Enter
			else
				keys End; keys Up; keys Enter
			fi
			KEYSTROKES=$((KEYSTROKES + 2)) ;;
		*"0-9 choose"*)
			# a bare Enter answers nothing: take the first choice with the arrows, unless
			# an answer is shown already
			if printf '%s' "$_s" | grep -q '^  >  '; then keys Enter; KEYSTROKES=$((KEYSTROKES + 1))
			else keys Down Up Enter; KEYSTROKES=$((KEYSTROKES + 3)); fi ;;
		*"0-9/Space toggle"*)
			if printf '%s' "$_s" | grep -q '\[x\]'; then keys Enter; KEYSTROKES=$((KEYSTROKES + 1))
			else keys Space Enter; KEYSTROKES=$((KEYSTROKES + 2)); fi ;;
		*"0-9 answer item"*)
			# Right gives an empty item the scale's first code; Down moves to the next item
			_i=0
			while [ $_i -lt 40 ]; do keys Right Down; _i=$((_i + 1)); done
			keys Enter
			KEYSTROKES=$((KEYSTROKES + 81)) ;;
		*"Enter continue"*)
			keys Enter; KEYSTROKES=$((KEYSTROKES + 1)) ;;
		*"type, Enter ok"*)
			if printf '%s' "$_s" | grep -q '^ > .'; then
				keys Enter; KEYSTROKES=$((KEYSTROKES + 1))
			else
				if printf '%s' "$_s" | grep -q "a number from"; then
					_v=$(printf '%s' "$_s" | sed -n 's/.*a number from \([-0-9.]*\) to.*/\1/p' | head -1)
				elif printf '%s' "$_s" | grep -q "a number"; then
					_v=1
				elif printf '%s' "$_s" | grep -q "a date YYYY-MM-DD from"; then
					_v=$(printf '%s' "$_s" | sed -n 's/.*from \([0-9-]*\) to.*/\1/p' | head -1)
				elif printf '%s' "$_s" | grep -q "a date"; then
					_v=2024-01-15
				else
					_v="Antwort über Qualität"
				fi
				type_text "$_v"; keys Enter
				KEYSTROKES=$((KEYSTROKES + ${#_v} + 1))
			fi ;;
		*)
			fail "autopilot: unknown screen"; return 1 ;;
		esac
		wait_change "$_s" || { fail "autopilot: the screen did not change"; return 1; }
		_steps=$((_steps + 1))
		# no progress: the same question with a message, again and again
		_top=$(screen | head -1 | sed 's/[0-9][0-9]:[0-9][0-9]//')
		if [ "$_top" = "${_last_top:-}" ]; then _same=$((_same + 1)); else _same=0; fi
		_last_top=$_top
		[ $_same -gt 8 ] && { fail "autopilot: no progress"; return 1; }
	done
	fail "autopilot: no end after $_steps steps"
	return 1
}
