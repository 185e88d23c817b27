#!/usr/bin/env python3
"""Seed data for tests/e2e/supervise.sh, and the figures the supervisor's report must show,
computed here from the raw records alone (not by cati's code).

    supervise_data.py seed FORM_HASH     writes cases.json, push1.json, push2.json, raw.json
    supervise_data.py expect NOW         reads raw.json, writes expected.json (NOW: unix seconds)

The rules are the ones README "Supervising" states: top-2-box = codes 1 and 2 of 6 among
valid answers of non-duplicate completes; dispositions per case; interviewer figures.
"""
import calendar
import csv
import json
import random
import re
import sys
from datetime import datetime

STUDY = "cms_jobseeker"
SAT = ["sat_registration", "sat_adviser", "offers_fit", "sat_course", "sat_overall", "sat_hotline"]
REGIONS = {1: "Burgenland", 2: "Carinthia", 3: "Lower Austria", 4: "Upper Austria", 5: "Salzburg",
           6: "Styria", 7: "Tyrol", 8: "Vorarlberg", 9: "Vienna"}
TYPES = {1: "short-term unemployed", 2: "long-term unemployed", 3: "young people under 25",
         4: "people returning to work"}
OFFICES = {9: ["Wien Nord", "Wien, Süd"], 3: ["St. Pölten"], 6: ["Graz"], 4: ["Linz"]}
# outcome: (AAPOR disposition, closes the case, someone answered) -- README "Calling"
OUTCOMES = {
    "complete": ("1.1", True, True), "breakoff": ("2.12", False, True), "refusal": ("2.112", True, True),
    "soft_refusal": ("2.112", False, True), "appointment": ("2.21", False, True),
    "no_answer": ("3.13", False, False), "busy": ("3.12", False, False),
    "answering_machine": ("3.14", False, False), "wrong_number": ("3.90", True, False),
    "disconnected": ("4.30", True, False), "language_barrier": ("2.332", True, True),
    "screened_out": ("4.70", True, True),
}
GROUP = {"1.1": "I", "1.2": "P", "2.112": "R", "2.12": "R", "2.21": "NC", "2.332": "O", "3.11": "UH",
         "3.12": "UH", "3.13": "UH", "3.14": "UH", "3.90": "UO", "4.30": "NE", "4.70": "NE", "4.80": "NE"}
QUOTA_TARGET_9_1 = 2     # the test lowers cell 9,1 to this before anything is pushed


def iso(day, minutes):
    return "2026-%sT%02d:%02d:00.000Z" % (day, minutes // 60, minutes % 60)


def seed(form_hash):
    rnd = random.Random(8)
    cases, interviews, attempts = [], [], []
    uid = [0]

    def uuid():
        uid[0] += 1
        return "%08d-0000-4000-8000-%012d" % (uid[0] * 1001, uid[0])

    who = ["anna", "ben", "cara"]
    for i in range(1, 61):
        region = [9, 9, 9, 3, 6, 4][i % 6]
        ctype = 1 if region == 9 and i % 4 == 0 else 1 + i % 4
        office = rnd.choice(OFFICES[region])
        key = "C%03d" % i
        interviewer = who[i % 3]
        cases.append({"id": key, "phone": "+43 1 555%04d" % i, "name": "Person %d" % i, "tz": "Europe/Vienna",
                      "interviewer": interviewer,
                      "fields": {"region": str(region), "custtype": str(ctype), "office": office,
                                 "addon": str(i % 2), "months_registered": "12"}})
        if i > 54:
            continue      # never called: 3.11, or 4.80 in a full cell
        day = "02-%02d" % (10 + i % 5) if i % 2 else "03-%02d" % (2 + i % 4)
        t = 9 * 60 + (i * 7) % 300
        plan = rnd.choice([["no_answer", "complete"], ["complete"], ["busy", "no_answer"], ["refusal"],
                           ["appointment", "complete"], ["answering_machine"], ["no_answer", "soft_refusal"],
                           ["complete"], ["wrong_number"], ["appointment", "no_answer"], ["screened_out"],
                           ["breakoff"], ["complete"], ["language_barrier"], ["disconnected"]])
        caller = interviewer if i % 7 else who[(i + 1) % 3]   # some calls by a colleague
        for n, outcome in enumerate(plan):
            t += 20 + n * 13
            if outcome in ("complete", "screened_out"):
                length = 6 + (i % 9)
                iv = {"interview": uuid(), "case": key, "form": form_hash, "form_id": STUDY,
                      "version": "2026.1", "interviewer": caller, "lang": "de",
                      "status": "complete" if outcome == "complete" else "screenout",
                      "outcome": "complete" if outcome == "complete" else "refused_interview",
                      "started_at": iso(day, t), "ended_at": iso(day, t + length),
                      "updated_at": iso(day, t + length)}
                ans = [["consent", 0, 1, "1" if outcome == "complete" else "2"]]
                if outcome == "complete":
                    ans.append(["contact", 0, 1, "1"])
                    for q in SAT:
                        if q in ("sat_adviser", "sat_course", "sat_hotline") and rnd.random() < 0.3:
                            continue          # off the route: not asked
                        r = rnd.random()
                        if r < 0.08:
                            ans.append([q, 0, 2, "dk"])
                        elif r < 0.12:
                            ans.append([q, 0, 3, "rf"])
                        else:
                            ans.append([q, 0, 1, str(rnd.choice([1, 1, 2, 2, 2, 3, 3, 4, 5, 6]))])
                    ans.append(["age", 0, 1, "30"])
                    iv["cells"] = {"region_type": "%d,%d" % (region, ctype)}
                iv["answers"] = ans
                interviews.append(iv)
                t += length
            attempts.append({"uuid": uuid(), "case": key, "interviewer": caller, "at": iso(day, t),
                             "outcome": outcome, "disposition": OUTCOMES[outcome][0]})
    # the same case completed again on another workstation: a duplicate
    first = next(iv for iv in interviews if iv["status"] == "complete")
    dup = dict(first, interview=uuid(), interviewer="cara" if first["interviewer"] != "cara" else "ben",
               started_at=first["started_at"].replace(":00.000Z", ":30.000Z"))
    dup["ended_at"] = dup["updated_at"] = first["ended_at"].replace(":00.000Z", ":45.000Z")
    dup["answers"] = [list(a) for a in first["answers"]]
    interviews.append(dup)
    records = [{"uuid": iv["interview"], "kind": "interview", "data": iv} for iv in interviews] + \
              [{"uuid": a["uuid"], "kind": "attempt", "data": a} for a in attempts]
    json.dump({"form_id": STUDY, "cases": cases}, open("cases.json", "w"))
    half = len(records) // 2
    json.dump({"records": records[:half]}, open("push1.json", "w"))
    json.dump({"records": records[half:]}, open("push2.json", "w"))
    json.dump({"cases": cases, "interviews": interviews, "attempts": attempts}, open("raw.json", "w"))


def ts(s):
    return calendar.timegm(datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").timetuple())


def expect(now):
    raw = json.load(open("raw.json"))
    cases, interviews, attempts = raw["cases"], raw["interviews"], raw["attempts"]
    fields = {c["id"]: c["fields"] for c in cases}
    # interviews arrive in list order: a complete of a case already complete is a duplicate
    done, dups, counted = set(), [], []
    for iv in interviews:
        if iv["status"] != "complete":
            continue
        if iv["case"] in done:
            dups.append(iv)
        else:
            done.add(iv["case"])
            counted.append(iv)
    # quota cells: counted completes; 9,1 has its target lowered; beyond the target: over
    cells, over = {}, []
    for iv in counted:
        cell = iv["cells"]["region_type"]
        cells[cell] = cells.get(cell, 0) + 1
        target = QUOTA_TARGET_9_1 if cell == "9,1" else 1200 if cell == "9,2" else 600
        if cells[cell] > target:
            over.append({"interview": iv["interview"], "case": iv["case"], "cell": cell})
    quotas = {}
    for cell, n in cells.items():
        target = QUOTA_TARGET_9_1 if cell == "9,1" else 1200 if cell == "9,2" else 600
        quotas[cell] = {"target": target, "achieved": n, "open": max(target - n, 0),
                        "over": sum(1 for o in over if o["cell"] == cell)}
    # dispositions per case
    disp = {}
    for c in cases:
        key = c["id"]
        calls = sorted((a for a in attempts if a["case"] == key), key=lambda a: a["at"])
        f = c["fields"]
        code = None
        if any(iv["case"] == key and iv["status"] == "complete" for iv in interviews):
            code = "1.1"
        elif calls and OUTCOMES[calls[-1]["outcome"]][1]:
            code = calls[-1]["disposition"]
        elif not any(iv["case"] == key for iv in interviews) and \
                quotas.get("%s,%s" % (f["region"], f["custtype"]), {}).get("open", 1) == 0:
            code = "4.80"
        else:
            contacts = [a for a in calls if a["disposition"].startswith("2.")]
            code = contacts[-1]["disposition"] if contacts else calls[-1]["disposition"] if calls else "3.11"
        disp[code] = disp.get(code, 0) + 1
    groups = {}
    for code, n in disp.items():
        groups[GROUP[code]] = groups.get(GROUP[code], 0) + n
    g = lambda k: groups.get(k, 0)
    known = g("I") + g("P") + g("R") + g("NC") + g("O")
    unknown = g("UH") + g("UO")
    e = known / (known + g("NE")) if known + g("NE") else 0
    rates = {"RR1": g("I") / (known + unknown), "RR3": g("I") / (known + e * unknown), "RR5": g("I") / known,
             "COOP1": g("I") / (g("I") + g("P") + g("R") + g("O")), "REF1": g("R") / (known + unknown),
             "CON1": (g("I") + g("P") + g("R") + g("O")) / (known + unknown), "e": e}
    # interviewers
    names = sorted({a["interviewer"] for a in attempts} | {iv["interviewer"] for iv in interviews} |
                   {c["interviewer"] for c in cases})
    ivs = {}
    for name in names:
        mine = [iv for iv in interviews if iv["interviewer"] == name]
        comp = [iv for iv in mine if iv["status"] == "complete"]
        calls = [a for a in attempts if a["interviewer"] == name]
        # each call on its day; an interview's start and end on the day it started
        moments = [(a["at"][:10], a["at"]) for a in calls] + [(iv["started_at"][:10], iv["started_at"]) for iv in mine] + \
                  [(iv["started_at"][:10], iv["ended_at"]) for iv in mine]
        days = {}
        for day, m in moments:
            days.setdefault(day, []).append(ts(m))
        hours = sum((max(v) - min(v)) / 3600 for v in days.values())
        contacts = sum(1 for a in calls if OUTCOMES[a["outcome"]][2])
        refusals = sum(1 for a in calls if a["outcome"] in ("refusal", "soft_refusal"))
        ivs[name] = {"completes": len(comp), "attempts": len(calls), "hours": hours,
                     # completes per hour only from 30 minutes worked on (README "Supervising")
                     "per_hour": len(comp) / hours if hours >= 0.5 else None,
                     "avg_minutes": sum((ts(iv["ended_at"]) - ts(iv["started_at"])) / 60 for iv in comp) / len(comp)
                     if comp else None,
                     "contacts": contacts, "refusals": refusals}
    # results: top-2-box among valid codes of counted completes
    results = {}
    for iv in counted:
        f = fields[iv["case"]]
        segs = [("all", ""), ("office", f["office"]), ("region", f["region"]), ("custtype", f["custtype"]),
                ("month", iv["ended_at"][:7])]
        for qid, it, state, value in iv["answers"]:
            if qid not in SAT or state != 1 or value not in ("1", "2", "3", "4", "5", "6"):
                continue
            for seg, val in segs:
                r = results.setdefault("%s|%s|%s" % (qid, seg, val), [0, 0])
                r[0] += 1
                r[1] += value in ("1", "2")
    label = {"region": lambda v: REGIONS[int(v)], "custtype": lambda v: TYPES[int(v)],
             "office": lambda v: v, "month": lambda v: v, "all": lambda v: "all respondents"}
    rows = []
    for k, (n, top) in results.items():
        qid, seg, val = k.split("|")
        rows.append({"question": qid, "segment": seg, "value": val, "label": label[seg](val), "n": n, "top2": top,
                     "pct": "%.1f%%" % (100.0 * top / n)})
    json.dump({"quotas": quotas, "dispositions": disp, "groups": groups, "rates": rates, "interviewers": ivs,
               "results": rows, "duplicates": [{"interview": d["interview"], "case": d["case"],
                                                "interviewer": d["interviewer"]} for d in dups],
               "over": over, "completes": len(counted)}, open("expected.json", "w"), indent=1)


# --- comparing what the console showed (or the CSV) with expected.json --------------------------

problems = []


def check(cond, what):
    if not cond:
        problems.append(what)


def near(shown, value, digits):
    """shown (text) is value printed with this many decimals, give or take the last digit's rounding."""
    if value is None:
        return shown == "-"
    return shown != "-" and abs(float(shown) - value) <= 0.5 * 10 ** -digits + 1e-9


def page_lines(path):
    """The body lines the test collected: 'index<TAB>line', deduplicated by index."""
    lines = {}
    for raw in open(path, encoding="utf-8"):
        i, _, line = raw.rstrip("\n").partition("\t")
        lines[int(i)] = line[1:] if line.startswith(" ") else line
    return [lines[i] for i in sorted(lines)]


def quota_rows(lines):
    """The cell rows in the order shown, and the cells listed as having no completes yet."""
    rows, empty, in_empty = [], [], False
    for l in lines:
        m = re.match(r"^\s+(\d,\d)\s.*?\s(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\[[#.]+\]", l)
        if m:
            rows.append((m.group(1), [int(x) for x in m.group(2, 3, 4, 5)]))
            in_empty = False
            continue
        m = re.match(r"^\s+(\d+) cells? with no completes yet:((?: \d,\d)*)$", l)
        if m:
            empty += m.group(2).split()
            in_empty = True
            continue
        if in_empty and re.match(r"^\s+\d,\d( \d,\d)*$", l):
            empty += l.split()
        else:
            in_empty = False
    return rows, empty


def quota_want(exp, cell):
    q = exp["quotas"].get(cell, {"target": 1200 if cell == "9,2" else 600, "achieved": 0, "over": 0})
    return [q["target"], q["achieved"], max(q["target"] - q["achieved"], 0), q["over"]]


def check_quotas(lines, exp, filt="all"):
    """The quota page under a filter: the right cells, their figures, open ones closest to full
    first and full ones last; cells with no completes listed by code (all and open only)."""
    rows, empty = quota_rows(lines)
    seen = dict(rows)
    check(len(seen) == len(rows), "quotas: a cell shown twice")
    for cell, got in rows:
        check(got == quota_want(exp, cell), "quota cell %s: shown %s, expected %s" % (cell, got, quota_want(exp, cell)))
    cells = ["%d,%d" % (r, t) for r in range(1, 10) for t in range(1, 5)]
    full = [c for c in cells if quota_want(exp, c)[2] == 0]
    started = [c for c in cells if c not in full and quota_want(exp, c)[1] > 0]
    nearly = [c for c in started if quota_want(exp, c)[1] * 10 >= quota_want(exp, c)[0] * 9]
    none = [c for c in cells if c not in full and c not in started]
    want = {"all": started + full, "open": started, "nearly full": nearly, "full": full}[filt]
    check(sorted(seen) == sorted(want), "quotas (%s): cells %s shown, %s expected" % (filt, sorted(seen), sorted(want)))
    check(sorted(empty) == (sorted(none) if filt in ("all", "open") else []),
          "quotas (%s): %s listed as not started, %s expected" % (filt, sorted(empty), sorted(none)))
    shares = [(0 if c in full else 1, quota_want(exp, c)[1] / quota_want(exp, c)[0]) for c, _ in rows]
    opened = [s for f, s in shares if f]
    check(opened == sorted(opened, reverse=True), "quotas (%s): open cells not closest to full first" % filt)
    check([f for f, _ in shares] == sorted([f for f, _ in shares], reverse=True), "quotas (%s): full cells not last" % filt)
    if filt == "all":
        check(len(rows) + len(empty) == 36, "quotas: %d cells in all, 36 expected" % (len(rows) + len(empty)))


def check_interviewers(lines, exp):
    seen = set()
    for l in lines:
        m = re.match(r"^(\w+)\s+(yes|no)\s+(\d+)\s+(~?[\d.]+|-)\s+([\d.]+|-)\s+(\d+)\s+([\d.]+|-)\s+([\d.]+%\*?|-)$", l)
        if not m:
            continue
        name = m.group(1)
        seen.add(name)
        e = exp["interviewers"].get(name)
        check(e is not None, "interviewer %s shown, not expected" % name)
        if not e:
            continue
        check(m.group(2) == ("yes" if name == "anna" else "no"), "%s logged in: %s" % (name, m.group(2)))
        check(int(m.group(3)) == e["completes"], "%s completes %s, expected %d" % (name, m.group(3), e["completes"]))
        # no workstation reported sessions (records pushed straight): hours estimated, marked ~
        check(m.group(4) == "-" or m.group(4).startswith("~"), "%s hours %s not marked estimated" % (name, m.group(4)))
        check(near(m.group(4).lstrip("~"), e["hours"], 1), "%s hours %s, expected %.3f" % (name, m.group(4), e["hours"]))
        check(near(m.group(5), e["per_hour"], 2), "%s per hour %s, expected %s" % (name, m.group(5), e["per_hour"]))
        check(int(m.group(6)) == e["attempts"], "%s attempts %s, expected %d" % (name, m.group(6), e["attempts"]))
        check(near(m.group(7), e["avg_minutes"], 1), "%s avg min %s, expected %s" % (name, m.group(7), e["avg_minutes"]))
        want = "%.1f%%" % (100.0 * e["refusals"] / e["contacts"]) if e["contacts"] else "-"
        if e["contacts"] and e["contacts"] < 30:
            want += "*"   # a small base
        check(m.group(8) == want, "%s refusals %s, expected %s" % (name, m.group(8), want))
    check(seen == set(exp["interviewers"]), "interviewers shown %s, expected %s" % (sorted(seen), sorted(exp["interviewers"])))
    text = "\n".join(lines)
    for label in ("hours", "worked", "per hour", "attempts", "per compl", "per contact", "completes per hour:"):
        check(label in text, "interviewers: no '%s' in the header or notes" % label)


def check_dispositions(lines, exp):
    seen, rates = {}, {}
    for l in lines:
        m = re.match(r"^(\d\.\d+)\s.*\s(I|P|R|NC|O|UH|UO|NE)\s+(\d+)$", l)
        if m:
            seen[m.group(1)] = int(m.group(3))
        for name, value in re.findall(r"\b(RR\d|COOP\d|REF\d|CON\d)\s+([\d.]+%|n/a)", l):
            rates[name] = value
        m = re.search(r"; e ([\d.]+)", l)
        if m:
            rates["e"] = m.group(1)
    check(seen == exp["dispositions"], "dispositions shown %s, expected %s" % (seen, exp["dispositions"]))
    for k, v in exp["rates"].items():
        want = "%.3f" % v if k == "e" else "%.1f%%" % (100 * v)
        check(rates.get(k) == want, "%s shown %s, expected %s" % (k, rates.get(k), want))


def check_results(lines, exp, question):
    want = {(r["segment"], r["label"]): (r["pct"], r["n"]) for r in exp["results"] if r["question"] == question}
    seen, seg = {}, None
    check(any(l.startswith(question + "  ") for l in lines), "results: question %s not shown" % question)
    check(not any("{" in l for l in lines), "results %s: a raw fill in the heading" % question)
    for l in lines:
        m = re.match(r"^\s+by (\w+)$", l)
        if m:
            seg = m.group(1)
            continue
        m = re.match(r"^\s+(.+?)\s+\[[#.]+\]\s+([\d.]+%)\s+(?:n=(\d+)|\(n=(\d+), small base\))$", l)
        if m:
            label = m.group(1)
            key = ("all", label) if label == "all respondents" else (seg, label)
            check(key not in seen, "results %s: %s shown twice" % (question, key))
            n = int(m.group(3) or m.group(4))
            check((m.group(4) is not None) == (n < 30), "results %s: %s small-base mark wrong (n=%d)" % (question, key, n))
            seen[key] = (m.group(2), n)
    check(seen == want, "results %s: shown %s, expected %s" % (question, sorted(seen.items()), sorted(want.items())))


def check_problems(lines, exp):
    text = "\n".join(lines)
    for d in exp["duplicates"]:
        check(re.search(r"%s\s+%s\s+%s\s" % (d["interview"][:8], d["case"], d["interviewer"]), text),
              "duplicate %s of %s not shown" % (d["interview"][:8], d["case"]))
    for o in exp["over"]:
        check(re.search(r"%s\s+%s\s.*region_type %s" % (o["interview"][:8], o["case"], o["cell"]), text),
              "over quota %s of %s not shown" % (o["interview"][:8], o["case"]))
    check("Duplicates: %d " % len(exp["duplicates"]) in text, "duplicates count")
    check("Over quota: %d " % len(exp["over"]) in text, "over quota count")
    conflicts = exp.get("conflicts", [])
    check("Conflicts: %d " % len(conflicts) in text, "conflicts count")
    for c in conflicts:
        check(re.search(r"%s\s+%s\s+%s\s" % (c["uuid"][:8], c["case"], c["interviewer"]), text),
              "conflict %s of %s not shown" % (c["uuid"][:8], c["case"]))
    if conflicts:
        check("What to do:" in text, "conflicts: no word on what to do")


def check_csv(path, exp):
    rows = list(csv.reader(open(path, encoding="utf-8", newline="")))
    res = {(r[1], r[2], r[4]): (int(r[5]), int(r[6])) for r in rows if r and r[0] == "results"}
    want = {(r["question"], r["segment"], r["label"]): (r["n"], r["top2"]) for r in exp["results"]}
    check(res == want, "csv results differ: %s" % sorted(set(res.items()) ^ set(want.items()))[:6])
    disp = {r[1]: int(r[4]) for r in rows if r and r[0] == "dispositions"}
    check(disp == exp["dispositions"], "csv dispositions %s" % disp)
    quotas = {r[2]: [int(r[4]), int(r[5]), int(r[8])] for r in rows if r and r[0] == "quotas" and int(r[5])}
    check(quotas == {c: [q["target"], q["achieved"], q["over"]] for c, q in exp["quotas"].items()}, "csv quotas %s" % quotas)
    ivs = {r[1]: [int(r[4]), int(r[7]), int(r[9]), int(r[10])] for r in rows if r and r[0] == "interviewers"}
    check(ivs == {n: [e["completes"], e["attempts"], e["contacts"], e["refusals"]] for n, e in exp["interviewers"].items()},
          "csv interviewers %s" % ivs)
    dups = {(r[2], r[3]) for r in rows if r and r[0] == "problems" and r[1] == "duplicate"}
    check(dups == {(d["interview"], d["case"]) for d in exp["duplicates"]}, "csv duplicates %s" % dups)
    over = {(r[2], r[7]) for r in rows if r and r[0] == "problems" and r[1] == "over_quota"}
    check(over == {(o["interview"], o["cell"]) for o in exp["over"]}, "csv over quota %s" % over)
    conf = {(r[11], r[3]) for r in rows if r and r[0] == "problems" and r[1] == "conflict"}
    check(conf == {(c["uuid"], c["case"]) for c in exp.get("conflicts", [])}, "csv conflicts %s" % conf)
    small = {(r[1], r[2], r[4]): r[8] for r in rows if r and r[0] == "results"}
    check(all(v == ("1" if res[k][0] < 30 else "0") for k, v in small.items()), "csv results: small_base column wrong")


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed(sys.argv[2])
    elif sys.argv[1] == "expect":
        expect(int(sys.argv[2]))
    else:
        exp = json.load(open("expected.json"))
        what = sys.argv[1]
        if what == "csv":
            check_csv(sys.argv[2], exp)
        elif what == "results":
            check_results(page_lines(sys.argv[2]), exp, sys.argv[3])
        elif what == "quotas" and len(sys.argv) > 3:
            check_quotas(page_lines(sys.argv[2]), exp, sys.argv[3])
        else:
            globals()["check_" + what](page_lines(sys.argv[2]), exp)
        for p in problems:
            print("MISMATCH " + p)
        sys.exit(1 if problems else 0)
