#!/bin/sh
# Do-not-call files as people make them, checked over many random ones: numbers in every
# notation (international, 00, national with the store's country, "(0)", slashes, dots, dashes),
# blank lines, comments, blanks around, CRLF line ends, a byte order mark (Excel, Notepad), and
# sometimes junk (a header, Excel's 4.36641E+11, words), a UTF-16 file or invalid UTF-8. After
# each import or removal: a file with a bad line changes nothing and names every bad line by
# its number; a good one leaves the list exactly what it was plus the file's numbers (minus,
# for a removal, the removed ones), each in international form.
. tests/cli/lib.sh
: "${CATI_STORE:=bin/cati-store}"
: "${DNC_SEED:=$(date +%s)}"
: "${DNC_STEPS:=30}"
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
cd "$TMP" || exit 1
trap '[ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

echo s3cret | "$CATI_STORE" user add admin --role admin --db central.db >/dev/null || fail "user add"
expect_exit 0 "$CATI_STORE" dnc country AT --db central.db
echo "dnc-random.sh: seed $DNC_SEED, $DNC_STEPS files"
STORE="$CATI_STORE" python3 - "$DNC_SEED" "$DNC_STEPS" <<'PY' || fail "dnc files (seed $DNC_SEED)"
import random, re, subprocess, sys

rng = random.Random(int(sys.argv[1]))
steps = int(sys.argv[2])
store = __import__("os").environ["STORE"]

def number():
    """A number as a person writes it, and what it is in international form."""
    cc = rng.choice(["43", "43", "43", "49"])
    area = rng.choice(["664", "1", "316", "512"]) if cc == "43" else rng.choice(["30", "89", "151"])
    sub = "".join(rng.choice("0123456789") for _ in range(rng.randint(5, 8)))
    e164 = "+" + cc + area + sub
    spaced = sub[:3] + " " + sub[3:]
    forms = ["+%s %s %s" % (cc, area, sub), "00%s %s %s" % (cc, area, spaced), "+%s (0)%s %s" % (cc, area, sub),
             "+%s-%s-%s" % (cc, area, sub)]
    if cc == "43":   # national notation: the store's country
        forms += ["0%s %s" % (area, sub), "0%s/%s" % (area, spaced), "(0%s) %s" % (area, sub),
                  "0%s.%s.%s" % (area, sub[:3], sub[3:]), "0%s-%s" % (area, spaced.replace(" ", "-"))]
    return rng.choice(forms), e164

JUNK = ["Telefon", "phone", "4.36641E+11", "n/a", "+43 664 12x4567", "Tel: 0664 1234567", "0664 1234567;Maier",
        "?", "+43 664 1234567 ext"]

def listed():
    out = subprocess.run([store, "dnc", "list", "--db", "central.db"], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit("dnc list: %s" % out.stderr)
    return {line.split()[0] for line in out.stdout.splitlines()[1:] if line.strip()}

def run(args):
    return subprocess.run([store, "dnc"] + args + ["--db", "central.db"], capture_output=True)

for step in range(steps):
    before = listed()
    lines, want, bad = [], set(), []
    for _ in range(rng.randint(1, 12)):
        r = rng.random()
        if r < 0.12:
            lines.append(rng.choice(["", "   ", "\t"]))
        elif r < 0.2:
            lines.append("# " + rng.choice(["from the letters of May", "Beschwerden", "x"]))
        elif r < 0.26:
            lines.append(rng.choice(JUNK))
            bad.append(len(lines))
        else:
            text, e164 = number()
            lines.append(rng.choice(["", " ", "\t"]) + text + rng.choice(["", " ", "\t"]))
            want.add(e164)
    eol = rng.choice(["\n", "\r\n"])
    data = (eol.join(lines) + rng.choice(["", eol])).encode()
    kind = rng.random()
    problem = None
    if kind < 0.2:
        data = b"\xef\xbb\xbf" + data   # Excel's "CSV UTF-8", Notepad
    elif kind < 0.25:
        data = "\ufeff".encode("utf-16-le").join([b"", ("\n".join(lines) + "\n").encode("utf-16-le")])
        problem = "UTF-16"
    elif kind < 0.28:
        data += b"M\xfcller 0664 1234567\n"   # Latin-1, not UTF-8
        problem = "invalid UTF-8"
    open("f.txt", "wb").write(data)
    remove = not problem and not bad and want and rng.random() < 0.3
    if remove:
        # first the numbers on, then off again in another notation: the list as before
        r = run(["import", "f.txt"])
        if r.returncode != 0:
            raise SystemExit("step %d: a good file was refused: %s\n%r" % (step, r.stderr.decode(), data))
        before = listed()
        r = run(["remove"] + ["+" + x[1:3] + " " + x[3:] for x in sorted(want)])
        after = listed()
        if r.returncode != 0 or after != before - want:
            raise SystemExit("step %d: removing %s: rc %d, %s; left %s" % (step, sorted(want), r.returncode,
                                                                           r.stderr.decode(), sorted(after & want)))
        continue
    r = run(["import", "f.txt"])
    after = listed()
    err = r.stderr.decode("utf-8", "replace")
    if problem or bad or not want:
        if r.returncode == 0:
            raise SystemExit("step %d: a bad file was taken: %r\n%s" % (step, data, r.stdout.decode()))
        if after != before:
            raise SystemExit("step %d: a refused file changed the list: %s" % (step, sorted(after ^ before)))
        if problem and problem not in err:
            raise SystemExit("step %d: %s not said: %s" % (step, problem, err))
        if not problem:
            for n in bad:
                if "f.txt:%d: " % n not in err:
                    raise SystemExit("step %d: bad line %d not named: %s\n%r" % (step, n, err, data))
            named = {int(m) for m in re.findall(r"^f\.txt:(\d+): ", err, re.M)}
            if not want and not bad:
                if "holds no numbers" not in err:
                    raise SystemExit("step %d: an empty file: %s" % (step, err))
            elif named != set(bad):
                raise SystemExit("step %d: lines named %s, the bad ones are %s\n%r" % (step, sorted(named), bad, data))
        if "\ufeff" in err:
            raise SystemExit("step %d: the byte order mark shows in a message: %r" % (step, err))
        continue
    if r.returncode != 0:
        raise SystemExit("step %d: a good file was refused: %s\n%r" % (step, err, data))
    if after != before | want:
        raise SystemExit("step %d: the list is not what it was plus the file's numbers: missing %s, extra %s\n%r"
                         % (step, sorted((before | want) - after), sorted(after - (before | want)), data))
print("dnc-random: %d files, %d numbers listed at the end" % (steps, len(listed())))
PY
finish
