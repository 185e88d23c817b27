#!/bin/sh
# Exports a researcher can sign (issue 20), read back by PSPP and ReadStat: don't know and
# refused declared missing in text variables too, a don't-know date told apart from one never
# asked, fills in labels as [name] and loop iterations numbered, every fixed word in the export
# language, rating scales ordinal, the form version of each interview, numbers written one way in
# CSV, and the call records' phone column only on request.
. tests/cli/lib.sh
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
cd "$TMP" || exit 1
command -v pspp >/dev/null || { fail "pspp is not installed"; finish; }
command -v readstat >/dev/null || { fail "readstat is not installed"; finish; }
command -v extract_metadata >/dev/null || { fail "extract_metadata (ReadStat) is not installed"; finish; }

cat >decl.form <<'FORM'
form decl
title en "Declarations" de "Deklarationen" nl "Declaraties"
version 1
languages en de nl
case name
case office

scale sat6
  1 en "very satisfied"      de "sehr zufrieden"   nl "zeer tevreden"
  2 en "satisfied"           de "zufrieden"        nl "tevreden"
  3 en "rather satisfied"    de "eher zufrieden"   nl "eerder tevreden"
  4 en "rather dissatisfied" de "eher unzufrieden" nl "eerder ontevreden"
  5 en "dissatisfied"        de "unzufrieden"      nl "ontevreden"
  6 en "very dissatisfied"   de "sehr unzufrieden" nl "zeer ontevreden"

single overall sat6 dk rf
  say en "How satisfied are you with the {office} office?"
      de "Wie zufrieden sind Sie mit der Geschäftsstelle {office}?"
      nl "Hoe tevreden bent u over het kantoor {office}?"
text why max 100 dk rf
  say en "Why?" de "Warum?" nl "Waarom?"
yesno visited
  say en "Have you visited {office}?" de "Waren Sie in {office}?" nl "Bent u in {office} geweest?"
date visit range 2024-01-01..2030-12-31 dk rf if visited = yes
  say en "Day of the last visit?" de "Tag des letzten Besuchs?" nl "Dag van het laatste bezoek?"
decimal wait range 0..240 decimals 1 dk
  say en "Minutes waited?" de "Wartezeit in Minuten?" nl "Wachttijd in minuten?"
multi channel
  say en "How did you contact {office}?" de "Wie hatten Sie Kontakt mit {office}?" nl "Hoe had u contact met {office}?"
  1 en "in person" de "persönlich" nl "persoonlijk"
  2 en "by phone"  de "telefonisch" nl "telefonisch"
integer nkids range 0..2
  say en "How many children?" de "Wie viele Kinder?" nl "Hoeveel kinderen?"
loop kid times nkids max 2
  integer kage range 0..30
    say en "Age of this child?" de "Alter dieses Kindes?" nl "Leeftijd van dit kind?"
end
FORM
# version 2, mid-fieldwork: one question more
sed -e 's/^version 1/version 2/' decl.form >decl2.form
printf 'integer extra range 0..9\n  say en "Extra?" de "Extra?" nl "Extra?"\n' >>decl2.form

DB=x.db
iv() { printf "$2" | "$CATI" interview --db $DB --case "$1" --interviewer anna >/dev/null || fail "interview $1"; }
printf 'id,phone,name,office\nK1,+43 1 5550001,Ann,Graz\nK2,+43 1 5550002,Bo,Linz\nK4,+43 1 5550004,Di,Steyr\n' >k.csv
"$CATI" sample import k.csv --form decl.form --db $DB >/dev/null || fail "import v1"
iv K1 'a 5\na dk\na 1\na dk\na 12.5\na 1,2\na 2\na 7\na 9\nq\n'
iv K2 'a rf\na rf\na 1\na 2026-01-02\na 0\na 1\na 0\nq\n'
iv K4 'a 6\na slow\na 2\na dk\na 2\na 0\nq\n'
printf 'id,phone,name,office\nK3,+43 1 5550003,Cy,Wels\n' >k3.csv
"$CATI" sample import k3.csv --form decl2.form --db $DB >/dev/null || fail "import v2"
iv K3 'a 2\na fine\na 1\na 2026-02-03\na 240\na 2\na 0\na 3\nq\n'
"$CATI" call --db $DB --case K2 --outcome busy --interviewer anna >/dev/null || fail "call K2"

for l in en de nl; do
	expect_exit 0 "$CATI" export --db $DB --study decl --format all --out $l --lang $l --with-identities
	expect_out "exported 4 interviews"
	printf "GET FILE='%s.sav'.\nDISPLAY DICTIONARY.\nLIST.\n" $l >$l.sps
	pspp -O format=csv -o $l.pspp.csv $l.sps >/dev/null 2>&1 || fail "pspp cannot read $l.sav: $(cat $l.pspp.csv)"
	readstat $l.dta $l.dta.csv >/dev/null 2>&1 || fail "readstat cannot read $l.dta"
	readstat $l.sas7bdat $l.sas.csv >/dev/null 2>&1 || fail "readstat cannot read $l.sas7bdat"
	extract_metadata $l.dta $l.dta.json >/dev/null 2>&1 || fail "extract_metadata cannot read $l.dta"
	xmllint --noout $l.sss $l.ddi.xml || fail "$l: Triple-S or DDI not well-formed"
done
# the call records: no phone numbers unless asked for
expect_exit 0 "$CATI" export --db $DB --study decl --format csv --out c.csv --calls calls.csv
expect_out "phone numbers left out"
head -1 calls.csv | grep -q phone && fail "phone numbers exported without --with-phone: $(head -1 calls.csv)"
grep -q 5550002 calls.csv && fail "a phone number in calls.csv without --with-phone"
expect_exit 0 "$CATI" export --db $DB --study decl --format csv --out c.csv --calls pcalls.csv --with-phone
grep -q '^K2,anna,[^,]*,+43 1 5550002,busy,' pcalls.csv || fail "--with-phone: K2's phone missing: $(cat pcalls.csv)"
expect_exit 2 "$CATI" export --db $DB --study decl --format csv --out c.csv --with-phone
expect_out "--with-phone needs --calls"

python3 - <<'PY' || fail "the exports lack the declarations"
import csv, io, json, re, sys
import xml.etree.ElementTree as ET
bad = []
def check(cond, msg):
    if not cond:
        bad.append(msg)

def sections(path):
    out, name = {}, None
    for line in open(path, encoding="utf-8").read().split("\n"):
        if line.startswith("Table: "):
            name = line[7:]
            out[name] = []
        elif name and line.strip():
            out[name].append(line)
    return {k: list(csv.reader(io.StringIO("\n".join(v)))) for k, v in out.items()}

# CSV: the values, the status variables, the form version; numbers written one way
rows = {r["case"]: r for r in csv.DictReader(open("en.csv", encoding="utf-8", newline=""))}
want = {
    "K1": {"form_version": "1", "why": "dk", "why_st": "8", "visit": "-8", "visit_st": "8", "wait": "12.5", "overall": "5", "kage_2": "9"},
    "K2": {"form_version": "1", "why": "rf", "why_st": "9", "visit": "2026-01-02", "visit_st": "1", "wait": "0", "overall": "-9"},
    "K4": {"form_version": "1", "why": "slow", "why_st": "1", "visit": "", "visit_st": "", "wait": "-8", "overall": "6", "extra": ""},
    "K3": {"form_version": "2", "why": "fine", "why_st": "1", "visit": "2026-02-03", "visit_st": "1", "wait": "240", "extra": "3"},
}
for case, w in want.items():
    for k, v in w.items():
        check(rows.get(case, {}).get(k) == v, "en.csv %s %s: %r, want %r" % (case, k, rows.get(case, {}).get(k), v))
for case, r in rows.items():
    for k, v in r.items():
        if k in ("interview", "why", "name", "office", "started", "ended", "case", "interviewer", "lang", "status", "outcome"):
            continue
        check(not re.fullmatch(r"-?\d+\.\d*0|.*[eE][-+]?\d+", v or "x"), "en.csv %s %s: number written %r" % (case, k, v))

# SPSS read by PSPP: string missing values, measurement levels, labels in each language
for lang, words in (("en", ("don't know", "refused", "chosen", "not chosen")),
                    ("de", ("weiß nicht", "verweigert", "gewählt", "nicht gewählt")),
                    ("nl", ("weet niet", "geweigerd", "gekozen", "niet gekozen"))):
    t = sections(lang + ".pspp.csv")
    head = t["Variables"][0]
    V = {r[0]: dict(zip(head, r)) for r in t["Variables"][1:]}
    miss = lambda n: V.get(n, {}).get("Missing Values", "")
    check(re.sub(r'(\w) +"', r'\1"', miss("why")) == '"dk"; "rf"', "%s.sav: why's missing values %r" % (lang, miss("why")))
    check(miss("visit") == "-8; -9", "%s.sav: visit's missing values %r" % (lang, miss("visit")))
    lvl = lambda n: V.get(n, {}).get("Measurement Level")
    for n, m in (("overall", "Ordinal"), ("channel_1", "Nominal"), ("wait", "Scale"), ("why", "Nominal"), ("visit_st", "Nominal")):
        check(lvl(n) == m, "%s.sav: %s measured %r, want %s" % (lang, n, lvl(n), m))
    check("form_version" in V, "%s.sav: no form_version" % lang)
    lab = lambda n: V.get(n, {}).get("Label", "")
    check("{" not in "".join(lab(n) for n in V), "%s.sav: raw fills in labels" % lang)
    check(lab("kage_1").endswith("(1)") and lab("kage_2").endswith("(2)"), "%s.sav: loop labels %r %r" % (lang, lab("kage_1"), lab("kage_2")))
    vl, cur = {}, None
    for r in t["Value Labels"][1:]:
        if len(r) < 3: continue
        if r[0]: cur = r[0]
        vl.setdefault(cur, {})[r[1].replace("[a]", "").strip().strip('"').strip()] = r[2]
    ov = vl.get(lab("overall"), {})
    check(ov.get("-8") == words[0] and ov.get("-9") == words[1], "%s.sav: overall's missing labels %r" % (lang, ov))
    ch = vl.get(lab("channel_1"), {})
    check(ch.get("1") == words[2] and ch.get("0") == words[3], "%s.sav: channel_1's labels %r" % (lang, ch))
    st = vl.get(lab("visit_st"), {})
    check(st.get("8") == words[0] and st.get("9") == words[1], "%s.sav: visit_st's labels %r" % (lang, st))
    data = t["Data List"]
    D = {r[data[0].index("case")].strip(): dict(zip(data[0], (x.strip() for x in r))) for r in data[1:]}
    for case, n, v in (("K1", "visit_st", "8"), ("K4", "visit_st", "."), ("K1", "why", "dk"), ("K1", "why_st", "8"),
                       ("K3", "form_version", "2"), ("K1", "form_version", "1")):
        check(D.get(case, {}).get(n) == v, "%s.sav %s %s: %r, want %r" % (lang, case, n, D.get(case, {}).get(n), v))
t = sections("en.pspp.csv")
V = {r[0]: r for r in t["Variables"][1:]}
check(V["overall"][2] == "How satisfied are you with the [office] office?", "en.sav: overall's label %r" % V["overall"][2])
t = sections("de.pspp.csv")
V = {r[0]: r for r in t["Variables"][1:]}
check(V["channel_1"][2] == "Wie hatten Sie Kontakt mit [office]?: persönlich", "de.sav: channel_1's label %r" % V["channel_1"][2])

# Stata read by ReadStat: texts empty for don't know / refused, the status says which; .a/.b labelled
for lang, dk in (("en", "don't know"), ("de", "weiß nicht")):
    S = {r["case"]: r for r in csv.DictReader(open(lang + ".dta.csv", encoding="utf-8", newline=""))}
    num = lambda x: "" if x == "" else "%g" % float(x)
    for case, n, v in (("K1", "why", ""), ("K1", "why_st", "8"), ("K2", "why_st", "9"), ("K4", "why", "slow"),
                       ("K1", "visit_st", "8"), ("K4", "visit_st", ""), ("K3", "form_version", "2"), ("K4", "wait", "")):
        got = S.get(case, {}).get(n)
        got = got if n in ("why", "form_version") else num(got or "")
        check(got == v, "%s.dta %s %s: %r, want %r" % (lang, case, n, got, v))
    meta = json.loads(open(lang + ".dta.json", encoding="utf-8").read().split("\n\n")[0])
    M = {v["name"]: v for v in meta["variables"]}
    cats = {str(c["code"]): c["label"] for c in M["visit"].get("categories", [])}
    check(cats.get(".a") == dk, "%s.dta: visit's .a label %r" % (lang, cats))
    check("{" not in "".join(v.get("label", "") for v in M.values()), "%s.dta: raw fills in labels" % lang)

# SAS read by ReadStat: texts empty for don't know / refused, the status says which; the formats
# program in the export language
S = {r["case"]: r for r in csv.DictReader(open("de.sas.csv", encoding="utf-8", newline=""))}
for case, n, v in (("K1", "why", ""), ("K1", "why_st", "8"), ("K4", "visit_st", ""), ("K3", "form_version", "2"), ("K2", "overall", "")):
    got = S.get(case, {}).get(n)
    got = got if n in ("why", "form_version") or not got else "%g" % float(got)
    check(got == v, "de.sas7bdat %s %s: %r, want %r" % (case, n, got, v))
prog = open("de.sas", encoding="utf-8").read()
for w in ("PROC FORMAT;", ".A = 'weiß nicht'", ".B = 'verweigert'", "'nicht gewählt'", "SET 'de.sas7bdat';", "overall L"):
    check(w in prog, "de.sas lacks %r" % w)

# Triple-S: text empty for don't know, the status variable coded, the form version
sss = ET.parse("en.sss").getroot()
dat = open("en.dat", encoding="utf-8", newline="").read().split("\r\n")[:-1]
cols = {v.findtext("name"): v for v in sss.iter("variable")}
for n in ("why_st", "visit_st", "form_version"):
    check(n in cols, "en.sss: no %s" % n)
def cell(line, n):
    p = cols[n].find("position")
    return line.encode("utf-8")[int(p.get("start")) - 1:int(p.get("finish"))].decode("utf-8").strip()
S = {cell(l, "case"): l for l in dat}
for case, n, v in (("K1", "why", ""), ("K1", "why_st", "8"), ("K1", "visit_st", "8"), ("K4", "visit_st", ""), ("K3", "form_version", "2")):
    check(cell(S[case], n) == v if case in S and n in cols else False, "en.dat %s %s" % (case, n))
check(cols["why_st"].get("type") == "single", "en.sss: why_st is not single")

# DDI: string missing categories, the measurement level, the form version
ns = "{ddi:codebook:2_5}"
ddi = {v.get("name"): v for v in ET.parse("de.ddi.xml").getroot().iter(ns + "var")}
check(ddi["overall"].get("nature") == "ordinal", "DDI: overall's nature %r" % ddi["overall"].get("nature"))
check(ddi["channel_1"].get("nature") == "nominal", "DDI: channel_1's nature")
wm = sorted((c.findtext(ns + "catValu"), c.findtext(ns + "labl")) for c in ddi["why"].findall(ns + "catgry") if c.get("missing") == "Y")
check(wm == [("dk", "weiß nicht"), ("rf", "verweigert")], "DDI: why's missing categories %r" % wm)
check("form_version" in ddi, "DDI: no form_version")
cb = open("de.codebook.txt", encoding="utf-8").read()
for w in ("weiß nicht", "verweigert", "ordinal", "form_version", "Codebuch"):
    check(w in cb, "de.codebook.txt lacks %r" % w)
check("don't know" not in cb and "refused" not in cb, "de.codebook.txt has English words")
for m in bad[:40]:
    print(m)
sys.exit(1 if bad else 0)
PY

# a text wider than 8 bytes: SPSS keeps its missing values in the long string missing values
# record (7/22: name, count, one value length, the values), its value labels in 7/21 at the
# variable's width. (PSPP 1.6 reads 7/22 the old, buggy way, with a length before each value, so
# the record is checked here byte by byte against the documented format.)
printf 'id,phone,name,office\nK5,+43 1 5550005,Flo,Enns\n' >k5.csv
"$CATI" sample import k5.csv --form decl2.form --db $DB >/dev/null || fail "import K5"
iv K5 'a 2\na a reason longer than eight bytes, 37 b\na 2\na 0\na 2\na 0\na 1\nq\n'
expect_exit 0 "$CATI" export --db $DB --study decl --format sav --out long.sav --lang nl --with-identities
printf "GET FILE='long.sav'.\nDISPLAY DICTIONARY.\n" >long.sps
pspp -O format=csv -o long.pspp.csv long.sps >long.err 2>&1
grep -q "does not match the variable's width" long.pspp.csv long.err && fail "long.sav: PSPP drops why's value labels: $(cat long.err)"
grep -q '^Waarom?,dk,weet niet' long.pspp.csv || fail "long.sav: why's value labels: $(grep -A3 '^Waarom' long.pspp.csv)"
python3 - <<'PY' || fail "long.sav: why's long string missing values"
import struct, sys
b = open("long.sav", "rb").read()
i = b.find(struct.pack("<iii", 7, 22, 1))
if i < 0:
    print("no long string missing values record"); sys.exit(1)
count = struct.unpack("<i", b[i + 12:i + 16])[0]
rec, ofs, found = b[i + 16:i + 16 + count], 0, {}
while ofs < len(rec):
    n = struct.unpack("<i", rec[ofs:ofs + 4])[0]; name = rec[ofs + 4:ofs + 4 + n].decode(); ofs += 4 + n
    k = rec[ofs]; ofs += 1
    vl = struct.unpack("<i", rec[ofs:ofs + 4])[0]; ofs += 4
    found[name] = [rec[ofs + j * vl:ofs + (j + 1) * vl].decode().rstrip() for j in range(k)]; ofs += k * vl
sys.exit(0 if found.get("why") == ["dk", "rf"] and ofs == len(rec) else 1)
PY
finish
