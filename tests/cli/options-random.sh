#!/bin/sh
# Random command lines into both programs (issue 19), beside the examples of options.sh. For each
# command that reads (and some that write), argv is drawn from the options its own --help names,
# values good and bad (empty, words, negative, huge, a missing database, a real form) and stray
# words. Invariants after every run: it ends by itself with 0, 1 or 2 (no crash, no hang); an
# exit 2 says why on stderr; the database named but not there is still not there (nothing reads
# one into existence). OPTIONS_RANDOM_RUNS (default 400) and OPTIONS_RANDOM_SEED replay a failure.
. tests/cli/lib.sh
: "${CATI_STORE:=bin/cati-store}"
case "$CATI" in /*) ;; *) CATI="$PWD/$CATI" ;; esac
case "$CATI_STORE" in /*) ;; *) CATI_STORE="$PWD/$CATI_STORE" ;; esac
FORM="$PWD/forms/demo.form"
: "${OPTIONS_RANDOM_RUNS:=400}"
: "${OPTIONS_RANDOM_SEED:=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"
cd "$TMP" || exit 1
export HOME="$TMP"
unset CATI_DB CATI_STUDY CATI_PASSWORD
echo "options-random: seed $OPTIONS_RANDOM_SEED, $OPTIONS_RANDOM_RUNS runs"
CATI=$CATI CATI_STORE=$CATI_STORE FORM=$FORM python3 - "$OPTIONS_RANDOM_SEED" "$OPTIONS_RANDOM_RUNS" <<'PY' ||
import os, random, re, subprocess, sys

rng = random.Random(int(sys.argv[1]))
runs = int(sys.argv[2])
cati, store, form = os.environ["CATI"], os.environ["CATI_STORE"], os.environ["FORM"]
missing = os.path.join(os.getcwd(), "absent", "no.db")   # its directory is not there either
commands = [
    [cati, "check"], [cati, "show"], [cati, "walk"], [cati, "simulate"], [cati, "sample", "example"],
    [cati, "doctor"], [cati, "report", "rates"], [cati, "report", "quotas"], [cati, "export"],
    [cati, "next"], [cati, "sync", "--log"],
    [store, "export"], [store, "report"], [store, "check"], [store, "quota", "list"],
    [store, "quota", "set"], [store, "workstation", "list"], [store, "workstation", "retire"],
    [store, "user", "projects"], [store, "user", "disable"], [store, "user", "delete"],
]
values = ["", "abc", "-1", "0", "1", "7", "999", "18446744073709551616", "1.5", "0x10", " 3",
          missing, form, "x=y", "-", "--", "a" * 3000, "\x01\x1b[2J", "Europe/Vienna"]
failures = 0

def options_of(cmd):
    """The long and short options the command's own --help names."""
    out = subprocess.run(cmd + ["--help"], capture_output=True, text=True, timeout=20).stdout
    found = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-z])\b", out)) - {"--help"}
    return sorted(found) or ["--db"]

opts = {tuple(c): options_of(c) for c in commands}
for run in range(runs):
    cmd = rng.choice(commands)
    argv = list(cmd)
    for _ in range(rng.randint(0, 6)):
        r = rng.random()
        if r < 0.55:
            argv.append(rng.choice(opts[tuple(cmd)]))
            if rng.random() < 0.8:
                argv.append(rng.choice(values))
        elif r < 0.7:
            argv.append("--db=" + rng.choice([missing, "", "abc"]))
        elif r < 0.85:
            argv.append(rng.choice(values))
        else:
            argv.append(rng.choice(["--no-such", "-Z", "--db", "--he", "--help=x"]))
    if rng.random() < 0.5:
        argv += ["--db", missing]
    try:
        p = subprocess.run(argv, capture_output=True, timeout=20, stdin=subprocess.DEVNULL)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        rc = "timeout"
    shown = " ".join(repr(a) if not a or " " in a or len(a) > 40 or not a.isprintable() else a
                     for a in argv[1:])[:300]
    if rc not in (0, 1, 2):
        print("FAIL: %s ended with %s" % (shown, rc)); failures += 1
    elif rc == 2 and not p.stderr.strip():
        print("FAIL: %s exited 2 without a word on stderr" % shown); failures += 1
    if os.path.exists(os.path.dirname(missing)):
        print("FAIL: %s created %s" % (shown, os.path.dirname(missing))); failures += 1
        subprocess.run(["rm", "-rf", os.path.dirname(missing)])
    if failures >= 10:
        break
print("options-random: %d runs, %d failures" % (run + 1, failures))
sys.exit(1 if failures else 0)
PY
	fail "random command lines (seed $OPTIONS_RANDOM_SEED)"
finish
