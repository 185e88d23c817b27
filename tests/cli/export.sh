#!/bin/sh
# Exports read back by tools nobody here wrote: GNU PSPP reads the .sav (variable labels, value
# labels, missing values, every value), ReadStat's own command reads the .dta, and every value
# of CSV, JSON, .sav and .dta is compared with the answers in the database, worked out apart in
# Python. Off-route answers and unfinished interviews stay out; a loop becomes one variable per
# iteration; multiple choice one 0/1 variable per option.
. tests/cli/lib.sh
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
"$CATI" demo --db "$TMP/x.db" --setup-only >/dev/null || fail "demo setup"
export CATI_PASSWORD=demo   # the demo interviewer's: the text answers are sealed in the file
cd "$TMP" || exit 1
command -v pspp >/dev/null || { fail "pspp is not installed (scripts/install-deps installs it)"; finish; }
command -v readstat >/dev/null || { fail "readstat is not installed (scripts/install-deps installs it)"; finish; }

DB=x.db
iv() { printf "$2" | "$CATI" interview --db $DB --case "$1" --interviewer "$3" >/dev/null; }
# D001: everything, with a text full of separators and quotes, a grid with don't know
iv D001 'n\na 1\na 2026-01-02\na 5\na Too long, "quoted" & <odd>; ä€\na 1,2\na 2,dk,5\na 15.5\na 8\na 1\nq\n' anna
# D002: don't know and refused; the reason given first then made off route by a better rating
iv D002 'n\na 1\na dk\na 5\na left off the route\nb\nb\na rf\na 2\na 12\na 60\na dk\nq\n' anna
# D003: screened out at once
iv D003 'n\na 2\nq\n' ben
# D004: unfinished (suspended): not exported
iv D004 'n\na 1\na 2026-03-01\ns break\nq\n' ben
# a form with a loop, a yes/no and a number case field
cat >loop.form <<'EOF'
form kids
languages en de
case name
case size number 0..5
yesno haskids
  say en "Do you have children?" de "Haben Sie Kinder?"
integer nkids range 1..3 if haskids = yes
  say en "How many?" de "Wie viele?"
loop kid times nkids max 3
  integer kage range 0..30 dk
    say en "Age of child {kid}?" de "Alter von Kind {kid}?"
end
EOF
printf 'id,phone,name,size\nK1,+43 1 5550001,Zoë Ñandú,3\nK2,+43 1 5550002,Bo,0\n' >k.csv
"$CATI" sample import k.csv --form loop.form --db $DB >/dev/null || fail "import"
iv K1 'a 1\na 2\na 7\na dk\nq\n' anna
iv K2 'a 2\nq\n' anna

expect_exit 0 "$CATI" export --db $DB --study demo --format all --out all --with-identities
for f in sss ddi.xml; do
	xmllint --noout all.$f 2>xmllint.out || fail "all.$f is not well-formed XML: $(cat xmllint.out)"
done
[ "$(xmllint --xpath 'count(/sss/survey/record/variable)' all.sss)" = 30 ] || fail "all.sss should describe 30 variables"
[ "$(xmllint --xpath 'string(//*[local-name()="caseQnty"])' all.ddi.xml)" = 3 ] || fail "DDI caseQnty should be 3"
[ "$(xmllint --xpath 'string(//*[local-name()="varQnty"])' all.ddi.xml)" = 30 ] || fail "DDI varQnty should be 30"
for x in codeBook/docDscr/citation/titlStmt/titl codeBook/stdyDscr/citation/titlStmt/titl codeBook/fileDscr/fileTxt/fileName; do
	p=$(printf '%s' "/$x" | sed 's#/\([A-Za-z]*\)#/*[local-name()="\1"]#g')
	[ "$(xmllint --xpath "count($p)" all.ddi.xml)" -ge 1 ] || fail "DDI lacks $x"
done
grep -q "asked if: overall >= 4" all.codebook.txt || fail "the codebook lacks why's route"
grep -q "^    *-9  refused" all.codebook.txt || fail "the codebook lacks the refused code"
for f in csv json sav dta; do
	expect_exit 0 "$CATI" export --db $DB --study demo --format $f --out demo.$f --with-identities
	expect_out "exported 3 interviews"
	expect_exit 0 "$CATI" export --db $DB --study kids --format $f --out kids.$f --lang de --with-identities
	expect_out "exported 2 interviews"
done
expect_exit 0 "$CATI" export --db $DB --study demo --format csv --out all.csv --all --with-identities
expect_out "exported 4 interviews"
"$CATI" call --db $DB --case D005 --outcome busy --interviewer anna >/dev/null || fail "call D005"
"$CATI" call --db $DB --case D006 --outcome refusal --interviewer anna >/dev/null || fail "call D006"
expect_exit 0 "$CATI" export --db $DB --study demo --format csv --out c.csv --calls calls.csv
expect_out "exported 5 call attempts"
# without --with-identities (issue 23): no name and no text answer, the coded answers kept
expect_out "names, phone numbers and text answers left out: --with-identities adds them"
head -1 c.csv | grep -q -E '(^|,)(name|why)(,|$)' && fail "a default export has name or why: $(head -1 c.csv)"
head -1 c.csv | grep -q -E '(^|,)overall(,|$)' || fail "a default export lacks overall: $(head -1 c.csv)"
# bad input: clear messages, nothing written
expect_exit 2 "$CATI" export --db $DB --study demo --format xls --out x.xls
expect_out "unknown format 'xls'"
expect_exit 1 "$CATI" export --db $DB --study nope --format csv --out n.csv
expect_out "no study 'nope'"
expect_exit 1 "$CATI" export --db $DB --study demo --format sav --out /nonexistent/dir/x.sav
expect_out "cannot write '/nonexistent/dir/x.sav'"
[ -e n.csv ] && fail "a failed export left a file"

# read back with PSPP: dictionary (labels, value labels, missing values) and data
for s in demo kids; do
	printf "GET FILE='%s.sav'.\nDISPLAY DICTIONARY.\nLIST.\n" $s >$s.sps
	pspp -O format=csv -o $s.pspp.csv $s.sps >/dev/null 2>&1 || fail "pspp cannot read $s.sav: $(cat $s.pspp.csv)"
	readstat $s.dta $s.dta.csv >/dev/null 2>&1 || fail "readstat cannot read $s.dta"
done

# (a copy with the personal data in clear, for Python to read)
"$CATI" doctor --db "$DB" --plain-copy plain.db || fail "no plain copy"
python3 - plain.db <<'PY' || fail "the exports do not match the database"
import csv, io, json, sqlite3, sys, datetime

db = sqlite3.connect(sys.argv[1])
bad = []
def check(cond, msg):
    if not cond:
        bad.append(msg)

def expected(study):
    """Rows worked out from the database: finished interviews, on-route answers only."""
    rows = {}
    for iid, case, who, status, outcome, fields in db.execute(
            "SELECT i.id, c.case_key, i.interviewer, i.status, i.outcome, c.fields FROM interviews i"
            " JOIN cases c ON c.id = i.case_id JOIN forms f ON f.id = i.form"
            " WHERE f.form_id = ? AND i.status IN ('complete', 'screenout')", (study,)):
        r = {"case": case, "interviewer": who, "status": status, "outcome": outcome}
        r.update(json.loads(fields))
        for qid, it, state, value in db.execute(
                "SELECT qid, iter, state, value FROM answers WHERE interview = ? AND on_route = 1", (iid,)):
            r[(qid, it)] = (state, value)
        rows[case] = r
    return rows

def sections(path):
    """PSPP's CSV output: table name -> list of rows."""
    out, name = {}, None
    for line in open(path, encoding="utf-8").read().split("\n"):
        if line.startswith("Table: "):
            name = line[7:]
            out[name] = []
        elif name and line.strip():
            out[name].append(line)
    return {k: list(csv.reader(io.StringIO("\n".join(v)))) for k, v in out.items()}

def value_of(row, var, study):
    """What the export must hold for var, from the database row (None: empty)."""
    scale = {"sat6": 6}
    if var in ("case", "interviewer", "status", "outcome"):
        return row[var]
    if var in ("name", "office"):
        return row.get(var) or None
    if var in ("region", "size"):
        return int(row[var]) if row.get(var) not in (None, "") else None
    # multiple choice options, grid items, loop iterations
    if var.startswith("channel_"):
        a = row.get(("channel", 0))
        if not a: return None
        if a[0] == 2: return -8
        if a[0] == 3: return -9
        return 1 if var[8:] in a[1].split(",") else 0
    if var.startswith("adviser_"):
        a = row.get(("adviser", 0))
        if not a: return None
        items = ["time", "knowledge", "offers"]
        v = a[1].split(",")[items.index(var[8:])]
        return -8 if v == "dk" else -9 if v == "rf" else int(v)
    if var == "visit_st":
        a = row.get(("visit", 0))
        return None if not a else {1: 1, 2: 8, 3: 9}[a[0]]
    if var.startswith("kage_"):
        a = row.get(("kage", int(var[5:])))
    else:
        a = row.get((var, 0))
    if not a: return None
    if a[0] == 2: return "dk" if var == "why" else -8
    if a[0] == 3: return "rf" if var == "why" else -9
    if var == "why": return a[1]
    if var == "visit": return a[1]
    return float(a[1]) if "." in a[1] else int(a[1])

def same(got, want, var):
    if want is None:
        return got in ("", ".", None)
    if isinstance(want, (int, float)):
        try:
            return abs(float(got) - float(want)) < 1e-9
        except (TypeError, ValueError):
            return False
    return got == want

skip = {"interview", "lang", "started", "ended", "duration", "form_version"}
for study in ("demo", "kids"):
    exp = expected(study)
    # CSV
    rows = list(csv.DictReader(open(study + ".csv", encoding="utf-8", newline="")))
    check(len(rows) == len(exp), "%s.csv: %d rows, want %d" % (study, len(rows), len(exp)))
    names = list(rows[0].keys()) if rows else []
    for r in rows:
        for var in names:
            if var in skip: continue
            want = value_of(exp[r["case"]], var, study)
            check(same(r[var], want, var), "%s.csv %s %s: %r, want %r" % (study, r["case"], var, r[var], want))
    # JSON
    j = json.load(open(study + ".json", encoding="utf-8"))
    check([v["name"] for v in j["variables"]] == names, "%s.json: other variables than the CSV" % study)
    for r in j["rows"]:
        for var in names:
            if var in skip: continue
            want = value_of(exp[r["case"]], var, study)
            got = r[var]
            check(same("" if got is None else str(got), want, var), "%s.json %s %s: %r, want %r" % (study, r["case"], var, got, want))
    # SPSS through PSPP
    t = sections(study + ".pspp.csv")
    data = t["Data List"]
    head = data[0]
    check(head == names, "%s.sav: variables %s" % (study, head))
    for line in data[1:]:
        r = dict(zip(head, line))
        for var in names:
            if var in skip: continue
            want = value_of(exp[r["case"]], var, study)
            got = r[var].strip()
            if var == "visit" and want == -8:
                want = None      # -8 is no date: PSPP shows the declared missing value as "."
            elif var == "visit" and want is not None:
                want = datetime.date.fromisoformat(want).strftime("%d-%b-%Y").upper()
            check(same(got, want, var), "%s.sav %s %s: %r, want %r" % (study, r["case"], var, got, want))
    # Stata through ReadStat's reader
    drows = list(csv.DictReader(open(study + ".dta.csv", encoding="utf-8", newline="")))
    check(len(drows) == len(exp), "%s.dta: %d rows" % (study, len(drows)))
    for r in drows:
        for var in names:
            if var in skip: continue
            want = value_of(exp[r["case"]], var, study)
            got = r[var]
            if want in (-8, -9) and var != "why":
                want = None      # Stata: .a / .b, extended missing values
            if var == "visit" and want is not None:
                want = (datetime.date.fromisoformat(want) - datetime.date(1960, 1, 1)).days
            check(same(got, want, var), "%s.dta %s %s: %r, want %r" % (study, r["case"], var, got, want))
    globals()["t_" + study] = t

# dictionary checks on the demo's .sav
t = t_demo
vars_ = {r[0]: r for r in t["Variables"][1:]}
check(vars_["overall"][2] == "All in all, how satisfied are you with the [office] office?", "overall's label: %r" % vars_["overall"][2])
check(vars_["overall"][9] == "-8; -9", "overall's missing values: %r" % vars_["overall"][9])
check(vars_["wait"][9] == "-8", "wait's missing values")
check(vars_["visit"][7] == "DATE11", "visit is a date")
check(vars_["channel_98"][2].endswith(": none of these"), "channel_98's label: %r" % vars_["channel_98"][2])
check(vars_["why"][7] == "A33", "why's width: %r" % vars_["why"][7])
labels = {}
cur = None
for r in t["Value Labels"][1:]:
    if len(r) < 3: continue
    if r[0]: cur = r[0]
    labels.setdefault(cur, {})[r[1].replace("[a]", "")] = r[2]
ov = labels["All in all, how satisfied are you with the [office] office?"]
check(ov.get("1") == "very satisfied" and ov.get("6") == "very dissatisfied", "overall's value labels: %r" % ov)
check(ov.get("-8") == "don't know" and ov.get("-9") == "refused", "overall's missing labels: %r" % ov)
check(labels["region"].get("9") == "Vienna", "region's labels")
# the kids form in German: labels in the export language, one variable per loop iteration
tk = t_kids
kv = {r[0]: r for r in tk["Variables"][1:]}
check(set(["kage_1", "kage_2", "kage_3"]) <= set(kv), "kage per iteration: %s" % list(kv))
check(kv["haskids"][2] == "Haben Sie Kinder?", "German label: %r" % kv["haskids"][2])
# the call records
calls = list(csv.DictReader(open("calls.csv", encoding="utf-8", newline="")))
n = db.execute("SELECT count(*) FROM call_attempts a JOIN cases c ON c.id = a.case_id WHERE c.study = 'demo'").fetchone()[0]
check(len(calls) == n, "calls.csv: %d rows, want %d" % (len(calls), n))
# (the finished interviews' calls, recorded as they ended, and then the two calls made)
check([(c["case"], c["outcome"], c["disposition"], c["disposition_label"]) for c in calls] ==
      [("D001", "complete", "1.1", "complete"), ("D002", "complete", "1.1", "complete"),
       ("D003", "screened_out", "4.70", "no eligible respondent (screened out)"),
       ("D005", "busy", "3.12", "always busy"), ("D006", "refusal", "2.112", "known-respondent refusal")],
      "calls.csv: %r" % calls)
# the unfinished interview stays out unless asked for
check("D004" not in open("demo.csv").read(), "D004 (unfinished) exported")
check("D004" in open("all.csv").read(), "D004 missing from --all")
check("left off the route" not in open("demo.csv").read(), "an off-route answer was exported")
# Triple-S read with Python's own XML parser: every value at its columns of the .dat
import xml.etree.ElementTree as ET
sss = ET.parse("all.sss").getroot()
dat = open("all.dat", encoding="utf-8", newline="").read().split("\r\n")[:-1]
exp = expected("demo")
check(len(dat) == len(exp), "all.dat: %d lines" % len(dat))
for line in dat:
    raw = line.encode("utf-8")
    cols = {}
    for v in sss.iter("variable"):
        pos = v.find("position")
        cols[v.findtext("name")] = (v.get("type"), raw[int(pos.get("start")) - 1:int(pos.get("finish"))].decode("utf-8").strip(), v)
    case = cols["case"][1]
    for var, (typ, got, v) in cols.items():
        if var in skip: continue
        want = value_of(exp[case], var, "demo")
        if typ == "single" and want in (-8, -9):
            codes = {x.text: x.get("code") for x in v.iter("value")}
            want = int(codes["don't know" if want == -8 else "refused"])
        elif typ in ("logical", "date") and want in (-8, -9):
            want = None
        elif typ == "date" and want is not None:
            want = want.replace("-", "")
        check(same(got, want, var), "all.dat %s %s: %r, want %r" % (case, var, got, want))
ddi = ET.parse("all.ddi.xml").getroot()
ns = {"d": "ddi:codebook:2_5"}
ov = [v for v in ddi.iter("{ddi:codebook:2_5}var") if v.get("name") == "overall"][0]
miss = sorted(c.findtext("d:catValu", namespaces=ns) for c in ov.findall("d:catgry", ns) if c.get("missing") == "Y")
check(miss == ["-8", "-9"], "DDI: overall's missing categories %r" % miss)
why = [v for v in ddi.iter("{ddi:codebook:2_5}var") if v.get("name") == "why"][0]
check(why.findtext("d:universe", namespaces=ns) == "overall >= 4", "DDI: why's universe")

for m in bad[:30]:
    print(m)
sys.exit(1 if bad else 0)
PY
finish
