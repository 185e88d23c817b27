#!/bin/sh
# A sample as Excel saves it in German ("CSV UTF-8 (Trennzeichen-getrennt)"): a BOM, CRLF line
# ends, ';' between fields, names in quotes with ';' and '""' inside, umlauts. Its coded
# columns hold codes, labels (in any language of the form) or the form's short names, in any
# case and with stray spaces; each imports as the right code. An unknown value's error lists
# the valid ones; header and row errors come together in one run; nothing is imported then.
. tests/cli/lib.sh
command -v sqlite3 >/dev/null || { echo "skip: no sqlite3"; exit 0; }
DB="$TMP/s.db"
"$CATI" demo --db "$DB" --setup-only >/dev/null 2>&1 || { fail "demo setup"; finish; }

cat >"$TMP/at.form" <<'FORM'
form atsample
languages de en
case name
case region scale regions
case sex scale sexes
case age number 15..99
scale regions
  1 de "Burgenland"       en "Burgenland"     short B
  2 de "Kärnten"          en "Carinthia"      short K
  3 de "Niederösterreich" en "Lower Austria"  short NOE
  4 de "Oberösterreich"   en "Upper Austria"  short OOE
  5 de "Salzburg"         en "Salzburg"       short S
  6 de "Steiermark"       en "Styria"         short ST
  7 de "Tirol"            en "Tyrol"          short T
  8 de "Vorarlberg"       en "Vorarlberg"     short V
  9 de "Wien"             en "Vienna"         short W
scale sexes
  1 de "männlich" en "male"
  2 de "weiblich" en "female"
yesno contact
  de "Kontakt?" en "Contact?"
FORM
sed -i 's/^  de "Kontakt/  say de "Kontakt/' "$TMP/at.form"
expect_exit 0 "$CATI" check "$TMP/at.form"

# the file as Excel writes it
crlf() { sed 's/$/\r/'; }
{
	printf '\357\273\277'
	crlf <<'CSV'
id;phone;name;region;sex;age
A1;+43 1 5550101;"Huber; Anna";W;weiblich;34
A2;+43 1 5550102;"Müller ""Sepp"" Josef";Oberösterreich;männlich;51
A3;+43 1 5550103;"Öztürk, Ayşe";" niederösterreich ";WEIBLICH;28
A4;+43 1 5550104;Gruber Franz;ooe;Male;63
A5;+43 1 5550105;"Steirer; Maria";6;2;45
A6;+43 1 5550106;Kärntner Karl;KÄRNTEN;1;19
A7;+43 1 5550107;Tiroler Tom;Tyrol;MÄNNLICH;77
A8;+43 1 5550108;"Wiener Wanda";vienna;Female;22
CSV
} >"$TMP/excel.csv"
expect_exit 0 "$CATI" sample import "$TMP/excel.csv" --form "$TMP/at.form" --db "$DB"
# (names are sealed in the file: read through cati with the demo interviewer's password)
got=$(CATI_PASSWORD=demo "$CATI" doctor --db "$DB" --sql "SELECT case_key || ' ' || json_extract(fields, '\$.region') || ' ' || json_extract(fields, '\$.sex') || ' ' || name FROM cases WHERE study = 'atsample' ORDER BY case_key")
want='A1 9 2 Huber; Anna
A2 4 1 Müller "Sepp" Josef
A3 3 2 Öztürk, Ayşe
A4 4 1 Gruber Franz
A5 6 2 Steirer; Maria
A6 2 1 Kärntner Karl
A7 7 1 Tiroler Tom
A8 9 2 Wiener Wanda'
[ "$got" = "$want" ] || fail "imported codes: got
$got
want
$want"

# an unknown value: the error names the line, the field, the value and the valid ones
{
	printf '\357\273\277'
	crlf <<'CSV'
id;phone;name;region;sex;age
B1;+43 1 5550201;"Berger; Bea";Tirol;weiblich;30
B2;+43 1 5550202;"Bauer, Ben";OÖ;männlich;40
B3;+43 1 5550203;"Brunner";W;divers;50
CSV
} >"$TMP/unknown.csv"
expect_exit 1 "$CATI" sample import "$TMP/unknown.csv" --form "$TMP/at.form" --db "$DB"
expect_out "unknown.csv:3: region: 'OÖ' is not a code, label or short name of scale 'regions' (valid: 1 B Burgenland, 2 K Kärnten, 3 NOE Niederösterreich, 4 OOE Oberösterreich, 5 S Salzburg, 6 ST Steiermark, 7 T Tirol, ... (9 values))"
expect_out "unknown.csv:4: sex: 'divers' is not a code or label of scale 'sexes' (valid: 1 männlich, 2 weiblich)"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM cases WHERE case_key LIKE 'B%'")" = 0 ] || fail "a file with errors imported cases"

# a header error and row errors are reported in one run
{
	printf '\357\273\277'
	crlf <<'CSV'
id;phone;name;region;sex;alter
C1;+43 1 5550301;Clara;Wien;weiblich;30
C2;+43 1 5550302;Carl;Wean;männlich;40
C2;12;Conny;W;weiblich;50
CSV
} >"$TMP/both.csv"
expect_exit 1 "$CATI" sample import "$TMP/both.csv" --form "$TMP/at.form" --db "$DB"
expect_out "both.csv:1: form 'atsample' reads case field 'age', but the file has no column 'age'"
expect_out "both.csv:3: region: 'Wean' is not a code, label or short name of scale 'regions'"
expect_out "both.csv:4: duplicate id 'C2' (also on line 3)"
expect_out "both.csv:4: bad phone '12': too few digits"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM cases WHERE case_key LIKE 'C%'")" = 0 ] || fail "a file with errors imported cases"

# many bad rows: the first 200 problems, then how many more
{
	echo 'id;phone;name;region;sex;age'
	i=1
	while [ $i -le 250 ]; do
		echo "D$i;+43 1 555$((1000 + i));Name $i;Mars;1;30"
		i=$((i + 1))
	done
} >"$TMP/many.csv"
expect_exit 1 "$CATI" sample import "$TMP/many.csv" --form "$TMP/at.form" --db "$DB"
expect_out "many.csv:201: region: 'Mars'"
expect_out "many.csv: 50 more problems not shown (250 in all)"
printf '%s\n' "$OUT" | grep -q "many.csv:202:" && fail "more than 200 problems listed"

# a value that names two codes (a label of one, the short name of another) is not guessed
cat >"$TMP/amb.form" <<'FORM'
form amb
languages en
case kind scale kinds
scale kinds
  1 "Other" short OT
  2 "Outside" short other
yesno contact
  say "Contact?"
FORM
printf 'id,phone,kind\nE1,+43 1 5550401,OTHER\nE2,+43 1 5550402,ot\nE3,+43 1 5550403,outside\n' >"$TMP/amb.csv"
expect_exit 1 "$CATI" sample import "$TMP/amb.csv" --form "$TMP/amb.form" --db "$DB"
expect_out "amb.csv:2: kind: 'OTHER' could be code 1 or code 2 of scale 'kinds': give the code"
printf '%s\n' "$OUT" | grep -q "amb.csv:[34]" && fail "a short name or label that names one code was refused: $OUT"

# short names in the form: checked like any other name
cat >"$TMP/dup.form" <<'FORM'
form dup
languages en
case region scale regions
scale regions
  1 "North" short N
  2 "Nowhere" short n
  3 "Three" short "3"
yesno contact
  say "Contact?"
FORM
expect_exit 1 "$CATI" check "$TMP/dup.form"
expect_out "short name 'n' is already used by code 1"
expect_out "a short name is a word, not empty or a number"

finish
