#!/bin/sh
# The interface's languages (issue 22): every text marked for translation in the sources is in
# each catalogue (po/LL.po), translated and not fuzzy; the programs speak the language the
# environment asks for (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, also a locale this machine has
# not generated), and English when the catalogue is missing, never message ids.
. tests/cli/lib.sh
SRC=$(pwd)
LINGUAS="de nl"

# every marked text of the sources, as make pot extracts them
xgettext --from-code=UTF-8 --language=C -k_ -kN_ -kP_:1,2 --no-location --sort-output \
	-o "$TMP/cati.pot" $(find src -name '*.c' | sort) 2>"$TMP/xgettext.err" || fail "xgettext: $(cat "$TMP/xgettext.err")"
total=$(msgcat --no-location "$TMP/cati.pot" 2>/dev/null | grep -c '^msgid ')
[ "$total" -gt 1 ] || fail "xgettext found no marked text"
echo "marked texts: $((total - 1))"
for l in $LINGUAS; do
	# a text of the sources missing from the catalogue
	out=$(msgcmp --use-untranslated po/$l.po "$TMP/cati.pot" 2>&1) || fail "po/$l.po lacks texts of the sources (make pot):
$(printf '%s\n' "$out" | head -20)"
	# translated, none fuzzy or untranslated, formats matching (msgfmt --check)
	stats=$(msgfmt --check --statistics -o /dev/null po/$l.po 2>&1) || fail "msgfmt --check po/$l.po: $stats"
	echo "po/$l.po: $stats"
	printf '%s' "$stats" | grep -q -e untranslated -e fuzzy && fail "po/$l.po: $stats"
	# texts in the catalogue no source has any more
	obsolete=$(grep -c '^#~ msgid' po/$l.po)
	[ "$obsolete" = 0 ] || fail "po/$l.po keeps $obsolete texts no source has (make pot removes them with msgattrib --no-obsolete)"
done

# the language from the environment; a locale not generated here works as well
expect_exit 0 env LANG=de_AT.UTF-8 "$CATI" --help
expect_out "Aufruf: cati"
expect_exit 0 env LANGUAGE=nl "$CATI" --help
expect_out "gebruik: cati"
expect_exit 0 env LC_ALL=nl_BE.UTF-8 LANG=de_DE.UTF-8 "$CATI" --help
expect_out "gebruik: cati"
expect_exit 0 env LC_MESSAGES=de_CH.UTF-8 "$CATI" --help
expect_out "Aufruf: cati"
expect_exit 0 env LANG=fr_FR.UTF-8 "$CATI" --help
expect_out "usage: cati"
expect_exit 2 env LANG=de_DE.UTF-8 "$CATI" frobnicate
expect_out "cati: unbekannter Befehl 'frobnicate'"
# a missing catalogue: English, never message ids
expect_exit 0 env LANG=de_AT.UTF-8 CATI_LOCALEDIR="$TMP/none" "$CATI" --help
expect_out "usage: cati"
# numbers in files stay with a decimal point whatever the language (the walk stops at the
# next question, exit 1)
expect_exit 1 env LANG=de_AT.UTF-8 "$CATI" walk "$SRC/forms/demo.form" --answer contact=yes --answer visit=2026-01-02 --answer overall=2 --answer channel=1 --answer adviser=2,2,2 --answer wait=12.5 --json
expect_out '12.5'
printf '%s' "$OUT" | grep -q '12,5' && fail "a decimal comma in JSON under German: $(printf '%s' "$OUT" | grep '12,5')"
finish
