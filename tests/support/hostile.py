"""hostile.py: the groups of tests/cli/hostile.sh, run in the test's directory ($TMP) against
the store at $URL (ca.pem, central.db there). Exits 1 when any assertion failed; a known
failure (an open finding) prints KNOWN: and does not fail."""
import hashlib, http.client, json, os, socket, ssl, subprocess, sys, threading, time, urllib.parse

URL = urllib.parse.urlparse(os.environ["URL"])
HOST, PORT = URL.hostname, URL.port
STORE = os.environ["CATI_STORE"]
CTX = ssl.create_default_context(cafile="ca.pem")
PG = open("central.db", "rb").read(14) == b"cati-pg-store "
sent = 0
classes = []
failures = 0
known = []


def fail(msg):
    global failures
    failures += 1
    print("FAIL:", msg)


def request(method, path, token=None, body=None, headers=None, timeout=30):
    """One request; (status, body bytes), or (None, reason) when the connection broke."""
    global sent
    sent += 1
    h = dict(headers or {})
    if token is not None:
        h["Authorization"] = "Bearer " + token
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    c = http.client.HTTPSConnection(HOST, PORT, context=CTX, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        return r.status, r.read()
    except (OSError, http.client.HTTPException) as x:
        return None, repr(x).encode()
    finally:
        c.close()


def raw(data, timeout=20, pace=None):
    """Send raw bytes (or the chunks of a generator) over TLS; the status line's code or None."""
    global sent
    sent += 1
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    t = CTX.wrap_socket(s, server_hostname=HOST)
    try:
        try:
            if isinstance(data, bytes):
                t.sendall(data)
            else:
                for part in data:
                    t.sendall(part)
        except OSError:
            pass   # the store may close early: read what it said
        got = b""
        try:
            while b"\r\n" not in got:
                b = t.recv(4096)
                if not b:
                    break
                got += b
        except OSError:
            pass
        line = got.split(b"\r\n", 1)[0].split()
        return int(line[1]) if len(line) > 1 and line[1].isdigit() else None
    finally:
        t.close()


def login(user, pw):
    st, b = request("POST", "/v1/login", body={"user": user, "password": pw})
    return json.loads(b)["token"] if st == 200 else None


def expect(what, got, allowed):
    if os.environ.get("HOSTILE_VERBOSE"):
        print("    %s: %r" % (what, got))
    if got not in allowed:
        fail("%s: got %r, expected one of %r" % (what, got, allowed))


def sql(q):
    return subprocess.run(["sqlite3", "central.db", q], capture_output=True, text=True)


def records():
    r = sql("SELECT uuid || ' ' || data FROM records ORDER BY uuid")
    return set(r.stdout.splitlines()) if r.returncode == 0 else None


TABLES = ["users", "tokens", "records", "conflicts", "forms", "cases", "interviews", "answers",
          "attempts", "quota_cells", "grants", "seen", "locks", "interview_owners", "counter"]


def intact():
    """SQLite: PRAGMA integrity_check says ok. PostgreSQL (no amcheck on the test server):
    a count(*) of every table succeeds, so no table was dropped or damaged."""
    if not PG:
        r = sql("PRAGMA integrity_check")
        return r.stdout.strip() == "ok", r.stdout.strip()
    for t in TABLES:
        r = sql("SELECT count(*) FROM %s" % t)
        if r.returncode != 0 or not r.stdout.strip().isdigit():
            return False, "%s: %s" % (t, r.stderr.strip())
    return True, "ok"


def export_sum():
    r = subprocess.run([STORE, "export", "demo", "--format", "json", "--out", "exp.json", "--db", "central.db"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return "export failed: " + r.stderr
    return hashlib.sha256(open("exp.json", "rb").read()).hexdigest()


def group(name, stores_records=False, users_change=False):
    """Run the decorated group; then a real client is served, the database is intact, every
    record stored before is unchanged (and, when the group stores none, the export too)."""
    def deco(fn):
        before, exp, users = records(), export_sum(), sql("SELECT name FROM users ORDER BY name").stdout
        nf = failures
        t0 = time.time()
        fn()
        classes.append(name)
        tok = login("anna", "pw-anna")
        st, _ = request("GET", "/v1/pull?cursor=0", tok) if tok else (None, b"")
        expect("after %s: a real client's login + pull" % name, st, {200})
        ok, why = intact()
        if not ok:
            fail("after %s: the database is not intact: %s" % (name, why))
        after = records()
        if after is None or not before <= after:
            fail("after %s: records stored before changed or vanished" % name)
        if not stores_records and export_sum() != exp:
            fail("after %s: the export changed" % name)
        if not users_change and sql("SELECT name FROM users ORDER BY name").stdout != users:
            fail("after %s: the users changed" % name)
        print("  %-28s %s (%.1f s)" % (name, "ok" if failures == nf else "FAILED", time.time() - t0))
        return fn
    return deco


SUP = login("sup", "s3cret")
ADM = login("adm", "adm1n")
ANNA = login("anna", "pw-anna")
# the endpoint table's lock comes from a workstation registered to its user
request("POST", "/v1/workstations", ANNA, {"workstation": "ws-h"})
OTHER = login("other", "s3cret2")
if not (SUP and ADM and ANNA and OTHER):
    print("FAIL: no tokens")
    sys.exit(1)


def rec(uuid, kind="interview", **over):
    t = "2026-03-02T10:00:00.000Z"
    if kind == "interview":
        d = {"interview": uuid, "case": "D1", "interviewer": "anna", "status": "complete", "outcome": "complete",
             "lang": "en", "version": "1", "started_at": t, "ended_at": t, "updated_at": t,
             "answers": [["overall", 0, 1, "1"]]}
    elif kind == "event":
        d = {"interview": uuid, "case": "D1", "who": "anna", "seq": 1, "type": "answer", "qid": "overall",
             "iter": 0, "state": 1, "value": "1"}
    else:
        d = {"uuid": uuid, "case": "D1", "interviewer": "anna", "at": t, "outcome": "complete", "disposition": "1.1"}
    d.update(over)
    return {"uuid": uuid, "kind": kind, "data": d}


def uid(n):
    return "%08x-0000-4000-8000-%012x" % (0xfeed0000 + n // 1000000, n % 1000000)


# a first batch everybody must leave alone
st, b = request("POST", "/v1/push", ANNA, {"records": [rec(uid(1)), rec(uid(2), "event"), rec(uid(3), "attempt")],
                                           "workstation": "ws-anna"})
if st != 200 or [r["status"] for r in json.loads(b)["results"]] != [200, 200, 200]:
    print("FAIL: the first batch was not stored: %r %r" % (st, b[:300]))
    sys.exit(1)


@group("oversized headers")
def _():
    big = "x" * 100000
    st, _ = request("GET", "/v1/pull", ANNA, headers={"X-Big": big})
    expect("a 100 KB header", st, {None, 400, 413, 431})
    st = raw(b"GET /v1/pull HTTP/1.1\r\nHost: a\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(20000)) + b"\r\n")
    expect("20,000 headers", st, {None, 400, 413, 431})
    st, _ = request("GET", "/v1/pull", "A" * 100000)
    expect("a 100 KB token", st, {None, 400, 401, 413, 431})
    st, _ = request("GET", "/v1/" + "a" * 100000, ANNA)
    expect("a 100 KB path", st, {None, 400, 404, 414, 431})


@group("oversized bodies")
def _():
    body = b'{"records":[' + b'"' + b"x" * (50 * 1024 * 1024) + b'"]}'
    st, _ = request("POST", "/v1/push", ANNA, body, timeout=60)
    expect("a 50 MB push", st, {None, 413})
    st, _ = request("POST", "/v1/login", None, b"{" + b" " * (9 * 1024 * 1024) + b"}", timeout=60)
    expect("a 9 MB login", st, {None, 413})
    st, _ = request("POST", "/v1/push", ANNA, {"records": [rec(uid(100 + i)) for i in range(5001)]})
    expect("5001 records in a batch", st, {413})
    st, b = request("POST", "/v1/push", ANNA, {"records": [rec(uid(9000), answers=[["overall", 0, 1, "v" * 1000000]])]})
    expect("a 1 MB value", st, {200, 400, 413})
    if st == 200:
        request("GET", "/v1/pull?cursor=0", ANNA)


def chunks(parts, pause=0.0):
    head = (b"POST /v1/push HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + ANNA.encode() +
            b"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    yield head
    for p in parts:
        yield p
        if pause:
            time.sleep(pause)


@group("chunked encoding abuse")
def _():
    expect("a chunk size 'zz'", raw(b"".join(chunks([b"zz\r\nabc\r\n0\r\n\r\n"]))), {None, 400})
    expect("a negative chunk size", raw(b"".join(chunks([b"-5\r\nabc\r\n0\r\n\r\n"]))), {None, 400})
    expect("a chunk size of 2^64", raw(b"".join(chunks([b"10000000000000000\r\nabc\r\n0\r\n\r\n"]))), {None, 400, 413})
    # a chunk shorter than said: the store waits for the rest; we give up after 2 s
    expect("a chunk shorter than said", raw(b"".join(chunks([b"ff\r\n{}\r\n0\r\n\r\n"])), timeout=2), {None, 400, 408})
    st = raw(b"POST /v1/push HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + ANNA.encode() +
             b"\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
    expect("chunked and Content-Length", st, {None, 400, 200})
    # 12 MiB in 64 KiB chunks: over the ceiling
    big = (b"10000\r\n" + b"x" * 65536 + b"\r\n" for _ in range(192))
    expect("12 MiB of chunks", raw(chunks(list(big) + [b"0\r\n\r\n"]), timeout=60), {None, 413})
    # endless one-byte chunks for 3 s while a real client is served
    stop = time.time() + 3
    # (then it stops sending without the last chunk and gives up after 2 s)
    slow = threading.Thread(target=raw, args=(chunks(iter(lambda: b"1\r\n \r\n" if time.time() < stop else None, None), 0.01),),
                            kwargs={"timeout": 2})
    slow.start()
    t0 = time.time()
    st, _ = request("GET", "/v1/pull?cursor=0", ANNA, timeout=10)
    expect("a pull during an endless chunked push", st, {200})
    if time.time() - t0 > 2:
        fail("a pull took %.1f s during an endless chunked push" % (time.time() - t0))
    slow.join(40)
    if slow.is_alive():
        fail("the endless chunked push did not end")


@group("malformed JSON")
def _():
    good = json.dumps({"records": [rec(uid(7000))]}).encode()
    for n in (1, 10, len(good) // 2, len(good) - 1):
        st, _ = request("POST", "/v1/push", ANNA, good[:n])
        expect("a push cut at %d bytes" % n, st, {400})
    for path in ("/v1/login", "/v1/lock", "/v1/forms", "/v1/cases", "/v1/quotas"):
        for body in (b"", b"{", b"[]", b"null", b"\"x\"", b"{\"a\":}", b"\xff\xfe{}", b'{"user":"\xc3\x28"}'):
            st, _ = request("POST", path, SUP, body)
            expect("%s with %r" % (path, body), st, {400})
    st, _ = request("POST", "/v1/login", None, b'{"user":"anna\xff","password":"pw-anna"}')
    expect("a login with non-UTF-8", st, {400})
    st, _ = request("POST", "/v1/push", ANNA, b'{"records":[],"records":[]}')
    expect("a duplicate key", st, {400})
    wrong = [None, 0, -1, 1.5, True, [], {}, "", "x" * 70000, "\u0000", 2 ** 63]
    # every field of a push record, and of its data, with every wrong type: never a 5xx
    base = rec(uid(7001))
    fields = [("top", k) for k in base] + [("data", k) for k in base["data"]]
    for kind in ("event", "attempt"):
        fields += [("data:" + kind, k) for k in rec(uid(1), kind)["data"]]
    n = 0
    for where, k in fields:
        for w in wrong:
            n += 1
            kind = where.split(":")[1] if ":" in where else "interview"
            r = rec(uid(8000 + n), kind)
            if where == "top":
                r[k] = w
            else:
                r["data"][k] = w
            st, b = request("POST", "/v1/push", ANNA, {"records": [r]})
            if st not in (200, 400, 413, 422) or (st == 200 and json.loads(b)["results"][0]["status"] >= 500):
                fail("a push with %s.%s = %r: %r %r" % (where, k, str(w)[:20], st, b[:200]))
    for body in ({"records": 1}, {"records": None}, {"records": [1, "x", None, []]}, {"records": [], "workstation": 5},
                 {"records": [], "workstation": "w" * 65}):
        st, _ = request("POST", "/v1/push", ANNA, body)
        expect("a push %s" % json.dumps(body)[:40], st, {200, 400})


@group("deeply nested JSON")
def _():
    for n in (100000, 5000):
        for path in ("/v1/push", "/v1/login", "/v1/cases"):
            st, _ = request("POST", path, SUP, b"[" * n)
            expect("%d '[' to %s" % (n, path), st, {400})
            st, _ = request("POST", path, SUP, b'{"records":' + b"[" * n + b"]" * n + b"}")
            expect("%d nested arrays to %s" % (n, path), st, {400})
    st, _ = request("POST", "/v1/push", ANNA, b'{"records":[{"uuid":"a","kind":"event","data":' + b'{"a":' * 100000 + b"}")
    expect("100,000 nested objects in a record", st, {400})


INJ = ["'; DROP TABLE records; --", "' OR 1=1 --", "\" OR \"\"=\"", "'); DELETE FROM users; --",
       "1; UPDATE tokens SET expires = 9999999999", "x' UNION SELECT hash, role FROM users --", "%' --", "\\'; --"]


@group("SQL injection", stores_records=True)
def _():
    for s in INJ:
        st, _ = request("POST", "/v1/login", None, {"user": s, "password": "x"})
        expect("a login as %r" % s, st, {401, 429})
        st, _ = request("POST", "/v1/login", None, {"user": "victim", "password": s})
        expect("victim's login with password %r" % s, st, {401, 429})
        st, _ = request("POST", "/v1/login", None, {"user": "sup' --", "password": s})
        expect("a login as sup' --", st, {401, 429})
    n = 0
    for s in INJ:
        for kind, fields in (("interview", ("case", "interview", "interviewer", "status", "outcome", "lang", "version",
                                            "started_at", "ended_at", "updated_at")),
                             ("event", ("case", "interview", "who", "type", "qid", "value")),
                             ("attempt", ("case", "interviewer", "at", "outcome", "disposition"))):
            for f in fields:
                n += 1
                r = rec(uid(20000 + n), kind, **{f: s})
                st, b = request("POST", "/v1/push", ANNA, {"records": [r], "workstation": s[:64]})
                if st not in (200, 400, 422):
                    fail("a push with %s.%s = %r: %r %r" % (kind, f, s, st, b[:200]))
            n += 1
            r = rec(uid(20000 + n), kind)
            r["data"]["answers" if kind == "interview" else "qid"] = [[s, 0, 1, s]] if kind == "interview" else s
            request("POST", "/v1/push", ANNA, {"records": [r]})
            n += 1
            r = rec(uid(20000 + n), kind)
            r["uuid"] = s
            st, _ = request("POST", "/v1/push", ANNA, {"records": [r]})
            expect("a push with uuid %r" % s, st, {200, 400})
        q = urllib.parse.quote(s)
        st, _ = request("GET", "/v1/pull?cursor=" + q, ANNA)
        expect("a pull with cursor %r" % s, st, {400})
        st, _ = request("GET", "/v1/pull?cursor=0&workstation=" + q, ANNA)
        expect("a pull with workstation %r" % s, st, {403})   # not registered
        st, _ = request("GET", "/v1/quotas?study=" + q, SUP)
        expect("quotas of study %r" % s, st, {403})
        st, _ = request("GET", "/v1/quotas?study=" + q, ADM)
        expect("quotas (admin) of study %r" % s, st, {200, 404})
        st, _ = request("POST", "/v1/quotas", ADM, {"study": s, "quota": s, "cell": s, "target": 1})
        expect("a quota change of %r" % s, st, {404, 400})
        st, _ = request("GET", "/v1/report?study=" + q + "&by=" + q, ADM)
        expect("a report of %r" % s, st, {400, 404})
        st, _ = request("POST", "/v1/cases", SUP, {"form_id": s, "cases": []})
        expect("cases of form %r" % s, st, {403})
        st, b = request("POST", "/v1/cases", SUP, {"form_id": "demo", "cases": [{"id": "I" + s, "phone": s,
                                                  "fields": {s: s}, "interviewer": s}]})
        expect("a case named %r" % s, st, {200, 422})
        st, _ = request("POST", "/v1/lock", ANNA, {"case": s, "seconds": 1, "workstation": s[:64]})
        expect("a lock of case %r" % s, st, {200, 403})
    # the strings went in as data: every table is there and holds them verbatim
    got = sql("SELECT count(*) FROM records WHERE CAST(data AS TEXT) LIKE '%DROP TABLE records%'").stdout.strip()
    if not got.isdigit() or int(got) == 0:
        fail("no record holds the injected text verbatim (%r)" % got)
    if sql("SELECT count(*) FROM users").stdout.strip() != "8":  # sup other adm anna victim dis del expu
        fail("the users table changed: %r" % sql("SELECT count(*) FROM users").stdout)


def status_all(token):
    """The status of every endpoint for token, with a minimal valid request for each."""
    pub = json.load(open("pub.json"))
    calls = [("GET", "/v1/pull?cursor=0", None), ("POST", "/v1/push", {"records": []}),
             ("POST", "/v1/lock", {"case": "D2", "seconds": 1, "workstation": "ws-h"}),
             ("GET", "/v1/report?study=demo", None), ("GET", "/v1/quotas?study=demo", None),
             ("POST", "/v1/quotas", {"study": "demo", "quota": "q", "target": 1}),
             ("POST", "/v1/forms", pub), ("POST", "/v1/cases", {"form_id": "demo", "cases": []}),
             ("GET", "/v1/workstations", None),
             ("POST", "/v1/workstations/retire", {"workstation": "no-such-workstation"})]
    return {"%s %s" % (m, p.split("?")[0]): request(m, p, token, b)[0] for m, p, b in calls}


@group("tokens of gone users", users_change=True)
def _():
    toks = {u: login(u, "pw-" + u) for u in ("dis", "del", "expu")}
    for u, t in toks.items():
        expect("%s's token before" % u, request("GET", "/v1/pull?cursor=0", t)[0], {200})
    subprocess.run([STORE, "user", "disable", "dis", "--db", "central.db"], check=True, capture_output=True)
    subprocess.run([STORE, "user", "delete", "del", "--db", "central.db"], check=True, capture_output=True)
    # tokens live TOKEN_TTL (12 h) from login; a token past its time is made by moving it back
    r = sql("UPDATE tokens SET expires = 1 WHERE \"user\" = 'expu'")
    if r.returncode != 0:
        fail("cannot expire expu's token: %s" % r.stderr)
    for u, t in toks.items():
        for ep, st in status_all(t).items():
            expect("%s's token on %s" % (u, ep), st, {401})
    expect("a disabled user's login", request("POST", "/v1/login", None, {"user": "dis", "password": "pw-dis"})[0], {401})
    expect("a deleted user's login", request("POST", "/v1/login", None, {"user": "del", "password": "pw-del"})[0], {401})
    t = login("expu", "pw-expu")
    expect("expu logs in again", request("GET", "/v1/pull?cursor=0", t)[0] if t else None, {200})
    # the deleted user came back with the same name and password: the old token stays dead
    p = subprocess.run([STORE, "user", "add", "del", "--role", "interviewer", "--db", "central.db"], input="pw-del\n",
                       capture_output=True, text=True)
    if p.returncode != 0:
        fail("user add del again: " + p.stderr)
    expect("the old token of a re-created user", request("GET", "/v1/pull?cursor=0", toks["del"])[0], {401})
    subprocess.run([STORE, "user", "delete", "del", "--db", "central.db"], check=True, capture_output=True)
    # users counted by the SQL group: dis stays (disabled); del is gone again


# what each role must get from each endpoint (the demo study is sup's; other's is "elsewhere")
ROLES = {
    "none":        None,
    "garbage":     "0" * 64,
    "interviewer": ANNA,
    "supervisor":  SUP,
    "other-sup":   OTHER,
    "admin":       ADM,
}
WANT = {
    #                        none garbage interviewer supervisor other-sup admin
    "GET /v1/pull":         (401, 401, 200, 200, 200, 200),
    "POST /v1/push":        (401, 401, 200, 200, 200, 200),
    "POST /v1/lock":        (401, 401, 200, 200, 403, 200),
    "GET /v1/report":       (401, 401, 403, 200, 403, 200),
    "GET /v1/quotas":       (401, 401, 403, 200, 403, 200),
    "POST /v1/quotas":      (401, 401, 403, 404, 403, 404),
    "POST /v1/forms":       (401, 401, 403, 200, 403, 200),
    "POST /v1/cases":       (401, 401, 403, 200, 403, 200),
    "GET /v1/workstations": (401, 401, 403, 200, 200, 200),
    "POST /v1/workstations/retire": (401, 401, 403, 404, 404, 404),
}


@group("every endpoint, every role")
def _():
    got = {r: status_all(t) if t is not None else None for r, t in ROLES.items()}
    # no Authorization header at all
    got["none"] = {}
    for m, p in (k.split() for k in WANT):
        got["none"]["%s %s" % (m, p)] = request(m, p + ("?cursor=0" if m == "GET" else ""), None,
                                                b"{}" if m == "POST" else None)[0]
    for ep, want in WANT.items():
        for (role, _t), w in zip(ROLES.items(), want):
            g = got[role].get(ep)
            if g != w:
                fail("%s as %s: got %r, expected %r" % (ep, role, g, w))
    print("  %-30s %s" % ("endpoint", " ".join("%11s" % r for r in ROLES)))
    for ep in WANT:
        print("  %-30s %s" % (ep, " ".join("%11s" % got[r][ep] for r in ROLES)))
    # login: wrong method, wrong password, unknown user, unknown field, no body
    expect("GET /v1/login", request("GET", "/v1/login")[0], {405})
    expect("a wrong password", request("POST", "/v1/login", None, {"user": "anna", "password": "no"})[0], {401})
    expect("an unknown field", request("POST", "/v1/login", None, {"user": "a", "password": "b", "x": 1})[0], {400})
    expect("a path outside /v1/", request("GET", "/etc/passwd", ADM)[0], {404})
    expect("an unknown endpoint", request("GET", "/v1/users", ADM)[0], {404})
    for m in ("PUT", "DELETE", "PATCH"):
        expect("%s /v1/push" % m, request(m, "/v1/push", ADM, b"{}")[0], {400, 405})
    expect("a Basic header", request("GET", "/v1/pull", None, headers={"Authorization": "Basic " + ADM})[0], {401})


print("hostile: %d inputs sent, %d classes, %d failures%s" % (sent, len(classes), failures,
      "".join("\nKNOWN: " + k for k in known)))
sys.exit(1 if failures else 0)
