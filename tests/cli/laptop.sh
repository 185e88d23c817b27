#!/bin/sh
# A lost laptop reveals nothing: a copy of the workstation's database taken mid-interview (the
# interview open, its answers in the WAL) holds none of the sample's names and phone numbers, an
# appointment's with-whom text, a break's reason or the interview's text answer, searched as
# bytes in the file and its -wal; the same copy opens for the interviewer with the password
# (cati interview shows the respondent and resumes, cati doctor --sql reads the answers), and not
# with a wrong one; without a password cati next and cati report still work, and names read
# "log in to see names".
. tests/cli/lib.sh
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
FORMS=$(pwd)/forms
unset CATI_PASSWORD CATI_USER CATI_DB
cd "$TMP" || exit 1
trap '[ -n "${iv:-}" ] && kill $iv 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

# the demo workstation: the interviewer demo (password demo), the demo sample
"$CATI" demo --db ws.db --setup-only --form "$FORMS/demo.form" --sample "$FORMS/demo-sample.csv" >/dev/null ||
	fail "demo setup"
export CATI_PASSWORD=demo
secret_with="Frau Gruber-Sonnleitner am Handy"
expect_exit 0 "$CATI" appointment --db ws.db --case D002 --at "2026-03-05 10:30" --with "$secret_with" --interviewer demo
secret_text="Mein Berater Herr Obermaier-Kleinschmidt war unfreundlich"

# wait_for FILE TEXT: poll until FILE contains TEXT (at most 10 s)
wait_for() {
	n=0
	while ! grep -qF -- "$2" "$1" 2>/dev/null && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
	grep -qF -- "$2" "$1" || fail "no '$2' in $1: $(cat "$1")"
}

# an interview broken off, its reason typed in
secret_reason="Rueckruf ueber Nachbarin Brunhilde"
expect_exit 0 sh -c "printf 'n\ns %s\n' '$secret_reason' | '$CATI' interview --db ws.db --case D003 --interviewer demo"
expect_out "suspended"
# an interview, left open after its text answer
mkfifo answers
"$CATI" interview --db ws.db --case D001 --interviewer demo <answers >iv.out 2>&1 &
iv=$!
exec 3<>answers
printf 'n\na 1\na 2026-01-02\na 5\na %s\n' "$secret_text" >&3
wait_for iv.out "@ question channel"
# the laptop, copied as it is: the database and its log
mkdir copy
cp ws.db copy/ws.db
cp ws.db-wal copy/ws.db-wal
[ -s copy/ws.db-wal ] || fail "the interview's answers are not in the WAL"

# every name, phone number (as written and as digits), the with-whom and the text answer: absent
secrets=secrets.txt
: >"$secrets"
tail -n +2 "$FORMS/demo-sample.csv" | while IFS=, read -r id phone name rest; do
	printf '%s\n%s\n%s\n' "$name" "$phone" "$(printf '%s' "$phone" | tr -d ' +')" >>"$secrets"
done
printf '%s\n%s\n%s\n%s\n' "$secret_with" "$secret_text" "Obermaier" "$secret_reason" >>"$secrets"
[ "$(wc -l <"$secrets")" -ge 20 ] || fail "too few secrets to look for: $(cat "$secrets")"
found=$(python3 - "$secrets" copy/ws.db copy/ws.db-wal <<'PY'
import sys
data = b"".join(open(p, "rb").read() for p in sys.argv[2:])
for s in open(sys.argv[1], encoding="utf-8").read().splitlines():
    if s and s.encode() in data:
        print(s)
PY
) || fail "the byte search failed"
[ -z "$found" ] || fail "the copied database holds in clear: $found"
# (the search finds what is there: the case keys and the form's texts are)
python3 - copy/ws.db copy/ws.db-wal <<'PY' || fail "the byte search does not see plain text"
import sys
data = b"".join(open(p, "rb").read() for p in sys.argv[1:])
assert b"D001" in data and b"Wien Mitte" in data
PY
# (sqlite3 reads the copy, its log included: the coded answer is there, names only sealed)
[ "$(sqlite3 copy/ws.db "SELECT count(*) FROM answers WHERE qid = 'overall' AND value = '5'")" = 1 ] ||
	fail "the copy lacks the interview's coded answer"
[ "$(sqlite3 copy/ws.db "SELECT count(*) FROM cases WHERE typeof(name) = 'blob' AND typeof(phone) = 'blob'")" = \
  "$(tail -n +2 "$FORMS/demo-sample.csv" | wc -l)" ] || fail "not every case's name and phone are sealed"

# the interview goes on at the workstation
printf 'q\n' >&3
exec 3>&-
wait $iv
iv=

# the copy opens for the interviewer with the password: the respondent, the answers
expect_exit 0 sh -c "printf 'b\nq\n' | '$CATI' interview --db copy/ws.db --case D001 --interviewer demo"
expect_out "resumed interview"
expect_out "respondent: Anna Huber, +43 1 5551001"
expect_out "@ question why 0 text max=300 answered=$secret_text"
expect_exit 0 "$CATI" doctor --db copy/ws.db --sql "SELECT value FROM answers WHERE qid = 'why'; SELECT with_whom FROM appointments;
 SELECT suspend_reason FROM interviews WHERE suspend_reason IS NOT NULL"
[ "$OUT" = "$secret_text
$secret_with
$secret_reason" ] || fail "the answers read with the password: $OUT"

# a wrong password opens nothing
CATI_PASSWORD=wrong expect_exit 1 "$CATI" doctor --db copy/ws.db --sql "SELECT name FROM cases"
expect_out "personal data is locked"
# without a password: commands on codes work, names are not shown
unset CATI_PASSWORD
expect_exit 0 "$CATI" next --db copy/ws.db --interviewer demo
expect_exit 0 "$CATI" report rates --db copy/ws.db
expect_exit 0 sh -c "printf 'q\n' | '$CATI' interview --db copy/ws.db --case D003 --interviewer demo"
expect_out "respondent: (log in to see names), (log in to see names)"
finish
