#!/usr/bin/env python3
"""random-keys.py: random keys through a pty into the real workstation.

    CATI=build/san/bin/cati python3 tests/e2e/random-keys.py --keys 3000 --seed 7

Starts `$CATI --db DB` on a fresh demo database in an 80x24 pty (TERM=xterm-256color,
LANG=C.UTF-8, stderr to a file), logs in as demo/demo and sends random keys: digits, Enter,
arrows, PgUp/PgDn, Backspace, Tab, Esc, Ctrl-B/D/E/F/G/N/R/T/X, n q / l, Space, F1 and a few
UTF-8 letters; now and then it resizes the pty. When the program quits (q, or Esc at the login)
it is started again and logged in; when it shows the login screen, it logs in again.

Invariants: the program never dies by a signal; its stderr never holds a sanitizer report
(AddressSanitizer, runtime error, LeakSanitizer); PRAGMA integrity_check says ok at the end.
Prints the figures; exits 1 on a failure, with the seed and key count that replay it.
Synchronisation: after each key, read the pty until it has been quiet for ~30 ms (bounded);
no fixed sleeps.
"""

import argparse
import fcntl
import os
import pty
import random
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ESC = b"\x1b"

# (name, bytes, weight)
KEYS = [(str(d), str(d).encode(), 6) for d in range(10)] + [
    ("Enter", b"\r", 14),
    ("Up", ESC + b"[A", 4),
    ("Down", ESC + b"[B", 4),
    ("Right", ESC + b"[C", 2),
    ("Left", ESC + b"[D", 2),
    ("PgUp", ESC + b"[5~", 4),
    ("PgDn", ESC + b"[6~", 2),
    ("BSpace", b"\x7f", 4),
    ("Tab", b"\t", 3),
    ("Esc", ESC, 4),
    ("C-b", b"\x02", 1),
    ("C-d", b"\x04", 2),
    ("C-e", b"\x05", 1),
    ("C-f", b"\x06", 1),
    ("C-g", b"\x07", 2),
    ("C-n", b"\x0e", 3),
    ("C-r", b"\x12", 2),
    ("C-t", b"\x14", 1),
    ("C-x", b"\x18", 3),
    ("n", b"n", 6),
    ("q", b"q", 1),
    ("/", b"/", 1),
    ("l", b"l", 1),
    ("Space", b" ", 2),
    ("F1", ESC + b"OP", 1),
    ("ü", "ü".encode(), 1),
    ("Ä", "Ä".encode(), 1),
    ("ß", "ß".encode(), 1),
    ("x", b"x", 1),
    (":", b":", 1),
    (".", b".", 1),
    ("-", b"-", 1),
]

BAD = re.compile(rb"AddressSanitizer|runtime error|LeakSanitizer")


class Failure(Exception):
    pass


class Run:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.tmp = tempfile.mkdtemp(prefix="cati-random-")
        self.db = os.path.join(self.tmp, "r.db")
        self.errfile = os.path.join(self.tmp, "stderr")
        self.errsize = -1
        self.pid = None
        self.fd = None
        self.out = b""          # recent output (the last 64 KiB)
        self.cols, self.rows = 80, 24
        self.sent = 0
        self.restarts = 0
        self.relogins = 0
        self.resizes = 0
        self.history = []       # names of the keys sent, with restarts and resizes

    # the child ------------------------------------------------------------------------------

    def setup(self):
        with open(self.errfile, "ab") as err:
            rc = subprocess.call([self.args.cati, "demo", "--db", self.db, "--setup-only"],
                                 stdout=subprocess.DEVNULL, stderr=err)
        if rc != 0:
            raise Failure("demo setup failed (exit %d)" % rc)

    def env(self):
        env = dict(os.environ)
        env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8",
                   CATI_STUDY=os.path.join(HERE, "allday.study"))
        return env

    def spawn(self):
        env = self.env()
        argv = [self.args.cati, "--db", self.db]
        pid, fd = pty.fork()
        if pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))
                e = os.open(self.errfile, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                os.dup2(e, 2)
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.out = b""

    def reap(self, block=False):
        """The child's wait status once it has ended, else None."""
        if self.pid is None:
            return None
        try:
            pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return 0
        if pid == 0:
            return None
        self.pid = None
        try:
            os.close(self.fd)
        except OSError:
            pass
        self.fd = None
        return status

    def judge(self, status, when):
        """Fail when the child died by a signal or its stderr holds a sanitizer report."""
        self.check_stderr(when)
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            raise Failure("%s: cati died by signal %d (%s)" % (when, sig, signal.Signals(sig).name))

    def check_stderr(self, when):
        try:
            if os.stat(self.errfile).st_size == self.errsize:
                return
            with open(self.errfile, "rb") as f:
                data = f.read()
        except OSError:
            return
        self.errsize = len(data)
        if BAD.search(data):
            # let the sanitizer finish its report (it exits when done) before it is shown
            deadline = time.monotonic() + 30
            while self.pid is not None and time.monotonic() < deadline:
                self.read(quiet=0.1, limit=0.5)
                self.reap()
            with open(self.errfile, "rb") as f:
                data = f.read()
            head = b"\n".join(data.splitlines()[:40]).decode("utf-8", "replace")
            raise Failure("%s: a sanitizer report on stderr:\n%s" % (when, head))

    # the pty --------------------------------------------------------------------------------

    def read(self, quiet=0.03, limit=1.0, first=0.0):
        """Read output until none came for `quiet` s (after waiting up to `first` s for the
        first byte), at most `limit` s. Returns what was read; b"" also when the child ended."""
        got = b""
        start = time.monotonic()
        while self.fd is not None:
            now = time.monotonic()
            if now - start >= limit:
                break
            wait = quiet if got or now - start >= first else first - (now - start)
            wait = min(wait, limit - (now - start))
            r, _, _ = select.select([self.fd], [], [], max(wait, 0))
            if not r:
                if got or time.monotonic() - start >= first:
                    break
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break   # EIO: the child has gone
            got += chunk
        self.out = (self.out + got)[-65536:]
        return got

    def read_until(self, pattern, limit):
        start = time.monotonic()
        seen = b""
        while time.monotonic() - start < limit:
            seen += self.read(quiet=0.05, limit=0.5)
            if re.search(pattern, seen):
                return True
            if self.fd is None or self.reap() is not None:
                return False
        return False

    def send(self, data):
        try:
            os.write(self.fd, data)
        except OSError:
            pass

    # sessions -------------------------------------------------------------------------------

    def login(self, fresh):
        """Log in as demo/demo, on a new process (fresh) or on the login screen shown now."""
        if fresh:
            if not self.read_until(rb"Interviewer:", 15):
                status = self.reap()
                if status is not None:
                    self.judge(status, "at start")
                raise Failure("no login screen within 15 s")
        else:
            # fields may hold text: clear both, whichever has the focus
            for _ in range(2):
                self.send(b"\x7f" * 140)
                self.read()
                self.send(b"\t")
                self.read()
        self.send(b"demo\r")
        self.read()
        self.send(b"demo\r")
        if self.read_until(rb"case list|interrupted interviews", 10):
            self.out = b""   # the login screen seen so far is no sign of a logout
            return True
        return False

    def start(self):
        # at 80x24 again: on a narrow screen the bars that tell a login worked are cut
        self.cols, self.rows = 80, 24
        self.spawn()
        if not self.login(True):
            raise Failure("could not log in after a start")

    def restart(self, why):
        self.restarts += 1
        self.history.append("<%s: restart>" % why)
        self.start()

    def resize(self):
        if self.rng.random() < 0.3:
            cols, rows = 80, 24
        else:
            cols, rows = self.rng.randint(20, 160), self.rng.randint(5, 60)
        self.cols, self.rows = cols, rows
        self.resizes += 1
        self.history.append("<resize %dx%d>" % (cols, rows))
        try:
            fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.kill(self.pid, signal.SIGWINCH)
        except (OSError, ProcessLookupError):
            pass
        self.read(limit=1.0, first=0.1)

    def stop(self):
        """End the child we started: SIGTERM (cati suspends and exits), SIGKILL if it hangs."""
        if self.pid is None:
            return
        pid = self.pid
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            self.read(quiet=0.05, limit=0.2)
            status = self.reap()
            if status is not None:
                self.judge(status, "at the end")
                return
        os.kill(pid, signal.SIGKILL)
        self.reap(block=True)
        raise Failure("cati did not exit within 10 s of SIGTERM (a hang?)")

    # the run --------------------------------------------------------------------------------

    def pick(self):
        total = sum(w for _, _, w in KEYS)
        x = self.rng.uniform(0, total)
        for name, data, w in KEYS:
            x -= w
            if x <= 0:
                return name, data
        return KEYS[-1][0], KEYS[-1][1]

    def run(self):
        t0 = time.monotonic()
        self.setup()
        self.start()
        while self.sent < self.args.keys and time.monotonic() - t0 < self.args.seconds:
            if self.rng.random() < self.args.resize:
                self.resize()
            name, data = self.pick()
            self.history.append(name)
            self.send(data)
            self.sent += 1
            if data == ESC:
                # a lone ESC: let cati see it alone (it waits 25 ms for more of a sequence)
                self.read(quiet=0.03, limit=1.0, first=0.15)
            else:
                self.read()
            self.check_stderr("after key %d (%s)" % (self.sent, name))
            status = self.reap()
            if status is not None:
                self.judge(status, "after key %d (%s)" % (self.sent, name))
                self.restart("cati exited %d" % os.WEXITSTATUS(status))
                continue
            if b"Interviewer:" in self.out[-4096:] and b"Log in" in self.out[-4096:]:
                self.relogins += 1
                self.history.append("<login again>")
                if not self.login(False):
                    self.stop()
                    self.restart("login screen")
                self.out = b""
        self.stop()
        self.check_stderr("at the end")
        self.integrity()
        return time.monotonic() - t0

    def integrity(self):
        if shutil.which("sqlite3"):
            res = subprocess.run(["sqlite3", self.db, "PRAGMA integrity_check"],
                                 capture_output=True, text=True)
            got = (res.stdout + res.stderr).strip()
        else:
            import sqlite3
            con = sqlite3.connect(self.db)
            got = "\n".join(r[0] for r in con.execute("PRAGMA integrity_check"))
            con.close()
        if got != "ok":
            raise Failure("PRAGMA integrity_check: %s" % got)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cati", default=os.environ.get("CATI", "bin/cati"))
    ap.add_argument("--keys", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--resize", type=float, default=0.01, help="chance of a resize before a key")
    ap.add_argument("--keep", action="store_true", help="keep the database and stderr file")
    args = ap.parse_args()
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 31)
    if not os.access(args.cati, os.X_OK):
        print("random-keys: no executable %s (set CATI or --cati)" % args.cati)
        return 2
    r = Run(args)
    t0 = time.monotonic()
    try:
        secs = r.run()
    except Failure as f:
        try:
            if r.pid is not None:
                os.kill(r.pid, signal.SIGKILL)
                r.reap(block=True)
        except ProcessLookupError:
            pass
        print("FAIL random keys (%s): %s" % (args.cati, f))
        print("last keys: %s" % " ".join(r.history[-40:]))
        print("keys sent %d, restarts %d, logins again %d, resizes %d, %.1f s" %
              (r.sent, r.restarts, r.relogins, r.resizes, time.monotonic() - t0))
        print("replay: %s %s --cati %s --seed %d --keys %d" %
              (sys.executable, sys.argv[0], args.cati, args.seed, r.sent))
        print("files: %s" % r.tmp)
        return 1
    print("ok random keys (%s): seed %d, keys sent %d, restarts %d, logins again %d, resizes %d, %.1f s"
          % (args.cati, args.seed, r.sent, r.restarts, r.relogins, r.resizes, secs))
    if not args.keep:
        shutil.rmtree(r.tmp, ignore_errors=True)
    else:
        print("files: %s" % r.tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
