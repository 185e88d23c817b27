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

# texts a person reads, left unmarked: in every file listed in tests/cli/i18n-files.txt (the
# files whose texts are all translated), a string that reads like words ("no case to call")
# must be marked for translation, or match a line of tests/cli/i18n-allow.txt (an extended
# regular expression for a whole string: SQL, JSON keys, formats of files and of the API)
files=$(grep -v '^#' tests/cli/i18n-files.txt | grep -v '^ *$')
if [ -n "$files" ]; then
	xgettext -a --from-code=UTF-8 --language=C --no-wrap -o "$TMP/all.pot" $files 2>/dev/null ||
		fail "xgettext -a failed on $files"
	python3 - "$TMP/all.pot" "$TMP/cati.pot" tests/cli/i18n-allow.txt >"$TMP/unmarked" <<'PY2'
import re, sys
def entries(path):
    out, refs, cur, field = [], [], [], None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#:"):
            refs.append(line[3:])
        elif line.startswith("msgid "):
            cur, field = [line[6:]], "id"
        elif line.startswith('"') and field == "id":
            cur.append(line)
        elif line.startswith("msgstr") or line.startswith("msgid_plural"):
            if field in ("id", "plural"):
                text = "".join(bytes(c[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8") for c in cur)
                out.append((text, " ".join(refs)))
            if line.startswith("msgid_plural"):
                # the plural form is marked as well (P_(one, many, n))
                cur, field = [line[13:]], "plural"
            else:
                refs, field = [], None
        elif line.startswith('"') and field == "plural":
            cur.append(line)
    return out
marked = {t for t, _ in entries(sys.argv[2])}
allow = [re.compile(l.rstrip("\n")) for l in open(sys.argv[3], encoding="utf-8") if l.strip() and not l.startswith("#")]
prose = re.compile(r"[A-Za-z]{2,}[,']? [a-z]{2,}")
for text, refs in entries(sys.argv[1]):
    if not text or text in marked or not prose.search(text):
        continue
    if any(a.fullmatch(text) for a in allow):
        continue
    print("%s: %r" % (refs.split(" ")[0], text))
PY2
	n=$(wc -l <"$TMP/unmarked")
	[ "$n" = 0 ] || fail "$n texts a person reads are not marked for translation (or allowed in tests/cli/i18n-allow.txt):
$(head -40 "$TMP/unmarked")"
fi

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
