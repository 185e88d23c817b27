#!/bin/sh
# The workstation database from the command line: sample import, interview, resume, doctor;
# a full disk and a read-only file give clear messages and lose nothing.
. tests/cli/lib.sh

cat >"$TMP/f.form" <<'FORM'
form f
languages en
case region number 1..9
text t1
  say "First?"
text t2
  say "Second?"
text t3
  say "Third?"
integer n range 0..10
  say "Number?"
text t4
  say "Fourth?"
FORM
printf 'id,phone,name,region\nK1,+43 1 2345678,Anna,3\nK2,+43 1 2345679,Ben,4\n' >"$TMP/s.csv"

db="$TMP/c.db"
expect_exit 0 "$CATI" sample import "$TMP/s.csv" --form "$TMP/f.form" --db "$db"
expect_out "imported 2 cases for f"
# a second import of the same ids is refused, and nothing changes
expect_exit 1 "$CATI" sample import "$TMP/s.csv" --form "$TMP/f.form" --db "$db"
expect_out "s.csv:2: id 'K1' is already in the database"
expect_out "nothing was imported"
# the same in the interviewer's language: file:line stays, the words are German; an import's
# summary in Dutch; the database keeps the data as it was (nothing imported)
expect_exit 1 env LANGUAGE=de "$CATI" sample import "$TMP/s.csv" --form "$TMP/f.form" --db "$db"
expect_out "s.csv:2: id 'K1' ist schon in der Datenbank"
expect_out "cati: es wurde nichts importiert"
printf 'id,phone,name,region\nK3,+43 1 2345670,Cem,3\n' >"$TMP/s3.csv"
expect_exit 0 env LANG=nl_BE.UTF-8 "$CATI" sample import "$TMP/s3.csv" --form "$TMP/f.form" --db "$TMP/nl.db"
expect_out "1 adres voor f (versie 1) uit $TMP/s3.csv geïmporteerd"
expect_exit 0 env LANGUAGE=nl "$CATI" sample import "$TMP/s.csv" --form "$TMP/f.form" --db "$TMP/nl.db"
expect_out "2 adressen voor f (versie 1) uit $TMP/s.csv geïmporteerd"
[ "$(sqlite3 "$TMP/nl.db" "SELECT group_concat(case_key) FROM (SELECT case_key FROM cases ORDER BY id)")" = "K3,K1,K2" ] || fail "the Dutch import did not store K3, K1, K2"
expect_exit 2 env LANGUAGE=de "$CATI" doctor --db "$TMP/none.db"
expect_out "cati: kann Datenbank '$TMP/none.db' nicht öffnen: keine solche Datei"

# an interview, stopped and resumed where it stopped
OUT=$(printf 'a one\na two\nq\n' | "$CATI" interview --db "$db" --case K1 --interviewer iv1)
expect_out "started interview"
expect_out "@ question t3 0 text"
OUT=$(printf 'b\nq\n' | "$CATI" interview --db "$db" --case K1 --interviewer iv1)
expect_out "resumed interview"
expect_out "@ question t2 0 text max=255 answered=two"
OUT=$(printf 'n\na three\na 11\na 7\ns coffee break\n' | "$CATI" interview --db "$db" --case K1 --interviewer iv1)
expect_out "error: enter a number from 0 to 10"
expect_out "suspended"
[ "$(sqlite3 "$db" "SELECT status || ':' || suspend_reason FROM interviews")" = "suspended:coffee break" ] ||
	fail "interview not suspended with its reason"
expect_exit 0 "$CATI" doctor --db "$db"
expect_out "integrity ok"
expect_out "answers                  4"
expect_exit 0 env LANGUAGE=de "$CATI" doctor --db "$db"
expect_out "Schemaversion"
expect_out "Antworten                4"

# a device or a directory is no database: said so (not "the disk is full"), for every command
for not in /dev/null "$TMP"; do
	expect_exit 2 "$CATI" report rates --db "$not"
	expect_out "'$not' is not a database file (a directory or a device)"
	expect_exit 2 "$CATI" next --db "$not"
	expect_out "is not a database file"
done
# a newer database is refused and left untouched
cp "$db" "$TMP/newer.db"
sqlite3 "$TMP/newer.db" "PRAGMA user_version = 42"
sum=$(cksum <"$TMP/newer.db")
expect_exit 2 "$CATI" doctor --db "$TMP/newer.db"
expect_out "written by a newer cati (schema 42"
[ "$sum" = "$(cksum <"$TMP/newer.db")" ] || fail "the newer database was changed"
# a file that is not a database
printf 'hello, I am a text file and not a database at all, honestly.\n' >"$TMP/junk.db"
expect_exit 2 "$CATI" doctor --db "$TMP/junk.db"
expect_out "damaged or not a cati database"

# a full disk and a read-only file: on a small tmpfs in a private mount namespace
if [ "$(id -u)" = 0 ]; then ns="unshare -m"; else ns="unshare -Urm"; fi
mkdir -p "$TMP/small"
cat >"$TMP/medium.sh" <<MEDIUM
set -u
cd "$(pwd)"
small="$TMP/small"
mount -t tmpfs -o size=1m tmpfs "\$small" || exit 77
"$CATI" sample import "$TMP/s.csv" --form "$TMP/f.form" --db "\$small/c.db" >/dev/null || exit 1
# the disk fills up while the interviewer works: the session is running
mkfifo "$TMP/cmds"
"$CATI" interview --db "\$small/c.db" --case K2 --interviewer iv2 <"$TMP/cmds" >"$TMP/full.out" 2>&1 &
pid=\$!
exec 3>"$TMP/cmds"
printf 'a alpha\na beta\n' >&3
sleep 0.5
dd if=/dev/zero of="\$small/fill" bs=4096 2>/dev/null
dd if=/dev/zero of="\$small/fill2" bs=1 2>/dev/null
printf 'a gamma\n' >&3
sleep 0.5
sqlite3 "\$small/c.db" "SELECT group_concat(value, ' ') FROM (SELECT value FROM answers ORDER BY qid)" >"$TMP/full.answers" 2>&1
rm -f "\$small/fill" "\$small/fill2"
printf 'a gamma\nq\n' >&3
exec 3>&-
wait \$pid
# opening when the disk is already full says so
dd if=/dev/zero of="\$small/fill" bs=4096 2>/dev/null
dd if=/dev/zero of="\$small/fill2" bs=1 2>/dev/null
printf 'q\n' | "$CATI" interview --db "\$small/c.db" --case K1 --interviewer iv2 >"$TMP/open-full.out" 2>&1
rm -f "\$small/fill" "\$small/fill2"
# read-only
mount -o remount,ro "\$small"
printf 'a 5\nq\n' | "$CATI" interview --db "\$small/c.db" --case K2 --interviewer iv2 >"$TMP/ro.out" 2>&1
echo "exit \$?" >>"$TMP/ro.out"
mount -o remount,rw "\$small"
"$CATI" doctor --db "\$small/c.db" >"$TMP/after.out" 2>&1
sqlite3 "\$small/c.db" "SELECT group_concat(value, ' ') FROM (SELECT value FROM answers ORDER BY qid)" >"$TMP/after.answers"
umount "\$small"
MEDIUM
$ns sh "$TMP/medium.sh"
rc=$?
if [ $rc -eq 77 ]; then
	fail "cannot mount a tmpfs here: the disk-full test did not run"
elif [ $rc -ne 0 ]; then
	fail "disk-full script failed ($rc)"
else
	OUT=$(cat "$TMP/full.out")
	expect_out "error: cannot save in database"
	expect_out "the disk is full"
	# still at the unsaved question, then on after space was freed
	printf '%s\n' "$OUT" | grep -A1 'disk is full' | grep -q '@ question t3 0 text' || fail "not kept at t3: $OUT"
	expect_out "@ question n 0 integer"
	[ "$(cat "$TMP/full.answers")" = "alpha beta" ] || fail "after disk full the answers are: $(cat "$TMP/full.answers")"
	OUT=$(cat "$TMP/open-full.out")
	expect_out "the disk is full"
	OUT=$(cat "$TMP/ro.out")
	expect_out "cannot be written"
	OUT=$(cat "$TMP/after.out")
	expect_out "integrity ok"
	[ "$(cat "$TMP/after.answers")" = "alpha beta gamma" ] || fail "after read-only the answers are: $(cat "$TMP/after.answers")"
fi

finish
