#!/bin/sh
# The counts and quota cells a pull sends, against the real store over HTTPS (test CA made
# here): random sequences of pushes by several interviewers and workstations (completes,
# screen-outs, break-offs, interviews finished again with another outcome), the same batches
# pushed again, duplicates (two workstations completing one case), conflicts (a uuid again with
# other content), quota targets changed and cells closed by a supervisor, cases given to
# another interviewer. After each step the counts kept as records arrive equal a full count
# from the records (cati-store check --figures), and each workstation that applied only what
# changed since its cursor holds exactly what a first pull (cursor 0) gives. A pull with
# nothing new answers with the same cursor and empty lists.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
: "${FIGURES_STEPS:=30}"
: "${FIGURES_SEED:=$(date +%s)}"
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
cd "$TMP" || exit 1
trap 'stop_store; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

cat >fig.form <<'EOF'
form fig
languages en
case region scale regions
scale regions
  1 "North"
  2 "South"
quota reg by region target 5 allowance 2
  say "Thank you, we have enough interviews in your region."
single sat
  say "How satisfied are you?"
  1 "very"
  2 "not"
EOF

make_ca
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects fig --db central.db || fail "user add"
for u in ann ben cy; do
	echo "pw-$u" | "$CATI_STORE" user add $u --role interviewer --db central.db || fail "user add $u"
done
start_store central.db
for u in sup ann ben cy; do
	pw=pw-$u
	[ $u = sup ] && pw=s3cret
	t=$(token $u $pw)
	[ -n "$t" ] || fail "no token for $u"
	printf '%s %s\n' $u "$t" >>tokens.txt
done

echo "figures.sh: seed $FIGURES_SEED, $FIGURES_STEPS steps"
URL=$URL STORE="$CATI_STORE" python3 - "$FIGURES_SEED" "$FIGURES_STEPS" <<'PY' || fail "figures (seed $FIGURES_SEED)"
import http.client, json, os, random, ssl, subprocess, sys, uuid

rng = random.Random(int(sys.argv[1]))
steps = int(sys.argv[2])
host, port = os.environ["URL"].split("//")[1].split(":")
ctx = ssl.create_default_context(cafile="ca.pem")
conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=30)
tokens = dict(line.split() for line in open("tokens.txt"))

def call(method, path, user, body=None):
    global conn
    for attempt in range(2):
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None,
                         headers={"Authorization": "Bearer " + tokens[user]})
            r = conn.getresponse()
            data = r.read()
            return r.status, json.loads(data) if data else None
        except (http.client.HTTPException, ConnectionError):
            conn.close()
            conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=30)
    raise SystemExit("the store does not answer %s %s" % (method, path))

def must(st, what):
    if st != 200:
        raise SystemExit("%s: status %s" % (what, st))

# the study, its cases (N1-N6 North, S1-S6 South) round the interviewers
must(call("POST", "/v1/forms", "sup", {"source": open("fig.form").read()})[0], "publish")
users = ["ann", "ben", "cy"]
owner = {}
cases = []
for r, p in ((1, "N"), (2, "S")):
    for i in range(1, 7):
        key = "%s%d" % (p, i)
        owner[key] = users[(i + r) % 3]
        cases.append({"id": key, "phone": "+43 1 0", "fields": {"region": str(r)}, "interviewer": owner[key]})
must(call("POST", "/v1/cases", "sup", {"form_id": "fig", "cases": cases})[0], "cases")

# workstations: ben has two; each holds what it applied of its pulls
stations = [("ann", "ws-ann"), ("ben", "ws-ben-1"), ("ben", "ws-ben-2"), ("cy", "ws-cy"), ("sup", None)]
for u, ws in stations:
    if ws:
        must(call("POST", "/v1/workstations", u, {"workstation": ws})[0], "register " + ws)
held = {ws or u: {"cursor": 0, "counts": {}, "quotas": {}, "cases": {}} for u, ws in stations}

def pull(u, ws, cursor):
    path = "/v1/pull?cursor=%d" % cursor + ("&workstation=" + ws if ws else "")
    st, o = call("GET", path, u)
    must(st, "pull " + path)
    return o

def apply(h, o):
    # as the workstation does: upserts by key; a withdrawn case goes
    for x in o["counts"]:
        h["counts"][(x["study"], x["status"], x.get("outcome"))] = x["n"]
    for x in o["quotas"]:
        h["quotas"][(x["study"], x["quota"], x["cell"])] = (x["target"], x["achieved"], x["closed"], x.get("allowance"))
    for x in o["cases"]:
        h["cases"][x["id"]] = x["interviewer"]
    for x in o["withdrawn"]:
        h["cases"].pop(x["id"], None)
    h["cursor"] = o["cursor"]

def full(o):
    h = {"cursor": 0, "counts": {}, "quotas": {}, "cases": {}}
    apply(h, o)
    return h

def check(step):
    rc = subprocess.run([os.environ["STORE"], "check", "--figures", "--db", "central.db"],
                        capture_output=True, text=True)
    if rc.returncode != 0:
        raise SystemExit("step %s: kept counts differ from a full count:\n%s%s" % (step, rc.stdout, rc.stderr))
    for u, ws in stations:
        h = held[ws or u]
        apply(h, pull(u, ws, h["cursor"]))
        f = full(pull(u, ws, 0))
        for part in ("counts", "quotas", "cases"):
            if h[part] != f[part]:
                raise SystemExit("step %s: %s's %s from pulls since its cursor differ from a first pull:\n"
                                 "  held  %s\n  first %s" % (step, ws or u, part, sorted(h[part].items()),
                                                              sorted(f[part].items())))
        # nothing new: the same cursor, empty lists
        again = pull(u, ws, h["cursor"])
        if again["cursor"] != h["cursor"] or any(again[k] for k in
                                                 ("forms", "cases", "withdrawn", "appointments", "counts", "quotas")):
            raise SystemExit("step %s: a pull with nothing new for %s sent %s" % (step, ws or u, again))

pushed = []      # (user, ws, batch) as pushed
interviews = []  # (user, ws, case, interview id)

def station_of(u):
    return rng.choice([ws for x, ws in stations if x == u])

def interview_batch(u, ws, key, iv, status):
    region = "1" if key[0] == "N" else "2"
    at = "2026-03-01T10:%02d:%02dZ" % (rng.randrange(60), rng.randrange(60))
    outcome = rng.choice(["done", "refused", "nocontact", None]) if status != "complete" else rng.choice(["done", None])
    data = {"case": key, "interview": iv, "interviewer": u, "status": status, "updated_at": at, "form": "fig"}
    if outcome:
        data["outcome"] = outcome
    if status == "complete":
        data["cells"] = {"reg": region}
    recs = [{"uuid": str(uuid.UUID(int=rng.getrandbits(128))), "kind": "interview", "data": data}]
    if rng.random() < 0.5:
        recs.append({"uuid": str(uuid.UUID(int=rng.getrandbits(128))), "kind": "event",
                     "data": {"case": key, "interview": iv, "what": "end", "at": at}})
    return recs

def push(u, ws, batch):
    st, o = call("POST", "/v1/push", u, {"records": batch, "workstation": ws})
    must(st, "push")
    return o

for step in range(steps):
    action = rng.choice(["push", "push", "push", "again", "update", "duplicate", "conflict", "quota", "reassign"])
    if action == "push" or not interviews:
        u = rng.choice(users)
        ws = station_of(u)
        batch = []
        for _ in range(rng.randint(1, 3)):
            key = rng.choice([k for k in owner if owner[k] == u] or ["N1"])
            if owner.get(key) != u:
                continue
            iv = str(uuid.UUID(int=rng.getrandbits(128)))
            batch += interview_batch(u, ws, key, iv, rng.choice(["complete", "complete", "screenout", "breakoff", "active"]))
            interviews.append((u, ws, key, iv))
        if batch:
            push(u, ws, batch)
            pushed.append((u, ws, batch))
    elif action == "again" and pushed:
        u, ws, batch = rng.choice(pushed)
        push(u, ws, batch)
    elif action == "update":
        # the same interview finished again (the interviewer went back): another status or outcome
        u, ws, key, iv = rng.choice(interviews)
        if owner[key] == u:
            batch = interview_batch(u, ws, key, iv, rng.choice(["complete", "screenout"]))
            push(u, ws, batch)
            pushed.append((u, ws, batch))
    elif action == "duplicate":
        # ben's two workstations both complete one of ben's cases
        keys = [k for k in owner if owner[k] == "ben"]
        if keys:
            key = rng.choice(keys)
            for ws in ("ws-ben-1", "ws-ben-2"):
                iv = str(uuid.UUID(int=rng.getrandbits(128)))
                batch = interview_batch("ben", ws, key, iv, "complete")
                o = push("ben", ws, batch)
                interviews.append(("ben", ws, key, iv))
                pushed.append(("ben", ws, batch))
    elif action == "conflict" and pushed:
        u, ws, batch = rng.choice(pushed)
        rec = json.loads(json.dumps(batch[0]))
        rec["data"]["status"] = "complete" if rec["data"].get("status") != "complete" else "screenout"
        rec["data"]["updated_at"] = "2026-03-02T00:00:00Z"
        o = push(u, ws, [rec])
        if o["results"][0]["status"] not in (409, 403):
            raise SystemExit("a uuid pushed again with other content: %s" % o)
    elif action == "quota":
        body = {"study": "fig", "quota": "reg", "cell": rng.choice(["1", "2"])}
        r = rng.random()
        if r < 0.5:
            body["target"] = rng.randint(0, 8)
        elif r < 0.8:
            body["closed"] = rng.random() < 0.5
        else:
            body["allowance"] = rng.randint(0, 3)
        must(call("POST", "/v1/quotas", "sup", body)[0], "quota " + json.dumps(body))
    elif action == "reassign":
        key = rng.choice(sorted(owner))
        owner[key] = rng.choice([x for x in users if x != owner[key]])
        c = [x for x in cases if x["id"] == key][0]
        c["interviewer"] = owner[key]
        must(call("POST", "/v1/cases", "sup", {"form_id": "fig", "cases": [c]})[0], "reassign")
    check(step)
# a year's sample in one request (20,000 jobseekers), as a supervisor uploads it: all or nothing,
# and on PostgreSQL not one lock per case (that ran out of the server's lock table)
sample = [{"id": "Y%05d" % i, "phone": "+43 1 %07d" % i, "fields": {"region": str(1 + i % 2)},
           "interviewer": users[i % 3]} for i in range(20000)]
st, body = call("POST", "/v1/cases", "sup", {"form_id": "fig", "cases": sample})
if st != 200 or body.get("cases") != 20000:
    raise SystemExit("a sample of 20,000 cases in one request: %s %s" % (st, body))
check("sample")
# a case twice in one request: refused, naming both places, and nothing of the request kept
st, body = call("POST", "/v1/cases", "sup", {"form_id": "fig", "cases": [
    {"id": "T1", "phone": "+43 1 1", "interviewer": "ann"}, {"id": "T2", "phone": "+43 1 2"},
    {"id": "T1", "phone": "+43 1 3", "interviewer": "ben"}]})
if st != 422 or "case 3: 'T1' is in the request twice (also case 1)" not in json.dumps(body):
    raise SystemExit("a case twice in one request: %s %s" % (st, body))
if "T1" in full(pull("ann", "ws-ann", 0))["cases"]:
    raise SystemExit("a refused request kept cases")
check("twice")
print("figures: %d steps, %d batches, %d interviews" % (steps, len(pushed), len(interviews)))
PY

# the check finds a kept count that is not what the records say
sqlite3 central.db "INSERT INTO counts(study, status, outcome, n, seq) VALUES ('fig', 'complete', 'nowhere', 1, 0)" ||
	fail "cannot add a kept count"
expect_exit 1 "$CATI_STORE" check --figures --db central.db
finish
