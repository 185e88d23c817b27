#!/bin/sh
# Every shipped form, in each of its languages, interviewed to its end through the real
# workstation in tmux; the database holds a finished interview each time.
. tests/e2e/lib.sh
for form in forms/*.form; do
	langs=$(sed -n 's/^ *languages //p' "$form" | sed 's/#.*//')
	for lang in $langs; do
		DB="$TMP/$(basename "$form" .form)-$lang.db"
		"$CATI" sample example "$form" -n 2 --seed 3 >"$TMP/s.csv" || { fail "$form: no example sample"; continue; }
		"$CATI" demo --db "$DB" --form "$form" --sample "$TMP/s.csv" --setup-only >/dev/null ||
			{ fail "$form: setup"; continue; }
		start --db "$DB"
		login demo demo
		wait_for "Next case to call" || continue
		keys n
		wait_for "Call outcome" || continue
		keys 1
		wait_for " Q 1 of " || continue
		n=0
		while ! screen | head -1 | grep -q "│ $lang │" && [ $n -lt 10 ]; do
			before=$(screen)
			keys C-t
			wait_change "$before"
			n=$((n + 1))
		done
		check_layout
		KEYSTROKES=0
		autopilot 500 || { echo "  in $form ($lang)"; continue; }
		got=$(sql "SELECT status FROM interviews")
		case "$got" in
		complete|screenout) echo "  $form ($lang): $got after $KEYSTROKES keystrokes" ;;
		*) fail "$form ($lang): interview status '$got'" ;;
		esac
	done
done
finish
