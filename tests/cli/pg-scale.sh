#!/bin/sh
# Two cati-store instances on one PostgreSQL database behind a load balancer (tests/support/lb.py,
# round robin with passive failover, as nginx does it); 50 workstations at once interview their
# cases, completing cells of one quota, and sync after each interview; the supervisor adds cases
# while they work; one instance is killed (SIGKILL) mid-run. Afterwards every record of every
# workstation is in the store exactly once, each cell's count equals the on-route completes the
# records hold, no cell is over its target, and every workstation has every case given to it
# (pull cursors held across instances). Before the run: a storm of pulls hands out the cells'
# places exactly, pairs of workstations locking one case through both instances at once never both
# get it, and a pull cursor never skips forms published meanwhile through the other instance.
# WORKSTATIONS and CASES (each) size the run.
. tests/cli/lib.sh
. tests/support/store.sh
. tests/support/pg.sh
: "${CATI_STORE:=bin/cati-store}"
: "${WORKSTATIONS:=20}"   # make test; make bench runs 50
: "${CASES:=6}"
: "${TARGET:=$((WORKSTATIONS * CASES / 4))}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
LB_PY=$(pwd)/tests/support/lb.py
export CATI_STUDY="$(pwd)/tests/e2e/allday.study"
cd "$TMP" || exit 1
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null; done; stop_pg; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
start_pg || finish
started=$(date +%s)

cat >s.form <<EOF
form crowd
languages en
case name
case region scale regions
scale regions
  1 "North"
  2 "South"
quota reg by region target $TARGET allowance 1
  say "Thank you, we have enough interviews in your region."
info intro
  say "Hello {name}."
single sat
  say "How satisfied are you?"
  1 "very"
  2 "rather"
  3 "not"
EOF

make_ca
ws_name() { printf 'w%02d' "$1"; }
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects crowd --pg "$PGURL" || fail "user add sup"
i=1
while [ $i -le "$WORKSTATIONS" ]; do
	echo "pw-$(ws_name $i)" | "$CATI_STORE" user add "$(ws_name $i)" --role interviewer --pg "$PGURL" &
	[ $((i % 8)) = 0 ] && wait
	i=$((i + 1))
done
wait

# serve INSTANCE: a store instance on the shared database; its pid in $server_INSTANCE
serve() {
	: >"server-$1.out"
	# every workstation comes through the load balancer's one address, as behind a NAT
	"$CATI_STORE" serve --pg "$PGURL" --cert srv.pem --key srv.key --connections-per-address 1000 >"server-$1.out" 2>&1 &
	eval "server_$1=$!"
	pids="$pids $!"
	n=0
	while ! grep -q listening "server-$1.out" && [ $n -lt 600 ]; do sleep 0.05; n=$((n + 1)); done
	eval "port_$1=\$(sed -n 's/.*listening on https:[^ ]*:\([0-9]*\).*/\1/p' server-$1.out)"
}
serve a
serve b
[ -n "$port_a" ] && [ -n "$port_b" ] || { fail "the instances did not start: $(cat server-a.out server-b.out)"; finish; }
python3 "$LB_PY" lb.port "$port_a" "$port_b" &
pids="$pids $!"
n=0
while [ ! -s lb.port ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
URL="https://127.0.0.1:$(cat lb.port)"

PSQL="$PGBIN/psql -X -A -t -q $PGURL"
SUP=$(token sup s3cret)
[ -n "$SUP" ] || { fail "no supervisor token through the load balancer"; finish; }
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' s.form >pub.json
OUT=$(api POST /v1/forms "$SUP" pub.json)
expect_out '"form_id":"crowd"'
[ "$failures" = 0 ] || finish
# each workstation's cases alternate between the two regions
python3 - "$WORKSTATIONS" "$CASES" <<'PY' >cases.json
import json, sys
w, n = int(sys.argv[1]), int(sys.argv[2])
cases = [{"id": "w%02d-%d" % (i, k), "phone": "+43 1 %04d%02d" % (i, k), "name": "R%d.%d" % (i, k),
          "tz": "Europe/Vienna", "fields": {"region": str(1 + k % 2)}, "interviewer": "w%02d" % i}
         for i in range(1, w + 1) for k in range(1, n + 1)]
print(json.dumps({"form_id": "crowd", "cases": cases}))
PY
OUT=$(api POST /v1/cases "$SUP" cases.json)
expect_out "\"cases\":$((WORKSTATIONS * CASES))"
[ "$failures" = 0 ] || finish

# a storm of pulls on both instances at once, four registered workstations per interviewer: the
# cells' allowances are handed out exactly once (writers queue across instances), never beyond a
# target, and an interviewer's four together hold no more than one workstation's allowance;
# then three rounds of two workstations per interviewer locking the same case at the same moment,
# one through each instance: exactly one of each pair gets it
python3 - "$WORKSTATIONS" "$port_a" "$port_b" <<'PY' || fail "the pull storm failed"
import json, ssl, sys, threading, urllib.error, urllib.request
w, ports = int(sys.argv[1]), sys.argv[2:]
ctx = ssl.create_default_context(cafile="ca.pem")
def call(port, path, body=None, token=None):
    req = urllib.request.Request("https://127.0.0.1:%s%s" % (port, path), data=body)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, context=ctx, timeout=60) as r:
        return json.load(r)
tokens = {}
for i in range(1, w + 1):
    u = "w%02d" % i
    tokens[u] = call(ports[0], "/v1/login", json.dumps({"user": u, "password": "pw-" + u}).encode())["token"]
    # only registered workstations get allowances and locks
    for ws in ["storm-%s-%d" % (u, k) for k in range(4)] + ["lock%d-%s-%d" % (r, u, s) for r in range(1, 4) for s in (0, 1)]:
        call(ports[i % 2], "/v1/workstations", json.dumps({"workstation": ws}).encode(), tokens[u])
go, errors = threading.Barrier(w * 4), []
def pull(i, k):
    u = "w%02d" % i
    go.wait()
    try:
        call(ports[(i + k) % 2], "/v1/pull?cursor=0&workstation=storm-%s-%d" % (u, k), token=tokens[u])
    except Exception as e:
        errors.append(repr(e))
threads = [threading.Thread(target=pull, args=(i, k)) for i in range(1, w + 1) for k in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert not errors, errors[:3]
twice = []
for rnd in range(1, 4):
    go, got = threading.Barrier(w * 2), {}
    def lock(i, side):
        u = "w%02d" % i
        body = json.dumps({"case": "%s-%d" % (u, rnd), "seconds": 2, "workstation": "lock%d-%s-%d" % (rnd, u, side)})
        go.wait()
        try:
            call(ports[side], "/v1/lock", body.encode(), tokens[u])
            got.setdefault(u, []).append(side)
        except urllib.error.HTTPError as e:
            if e.code != 409:
                errors.append("lock: %d" % e.code)
    threads = [threading.Thread(target=lock, args=(i, side)) for i in range(1, w + 1) for side in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    twice += ["%s-%d" % (u, rnd) for u in got if len(got[u]) > 1]
    assert len(got) == w, ("round %d: cases nobody locked" % rnd, w - len(got))
assert not errors, errors[:3]
assert not twice, ("locked by two workstations at once", len(twice), twice[:3])
PY
$PSQL -c "SELECT q.cell, q.target, (SELECT coalesce(sum(n), 0) FROM grants g WHERE g.study = q.study AND g.quota = q.quota
	AND g.cell = q.cell) FROM quota_cells q WHERE q.study = 'crowd' ORDER BY q.cell" >storm.txt
while IFS='|' read -r cell target granted; do
	want=$((WORKSTATIONS < target ? WORKSTATIONS : target))   # an interviewer's 4 hold one allowance
	[ "$granted" = "$want" ] || fail "pull storm: cell $cell granted $granted places, $want expected (target $target)"
done <storm.txt
[ "$(wc -l <storm.txt)" = 2 ] || fail "pull storm: two cells expected: $(cat storm.txt)"
over=$($PSQL -c "SELECT count(*) FROM (SELECT w.\"user\", g.cell FROM grants g JOIN workstations w ON w.id = g.holder
	WHERE g.study = 'crowd' GROUP BY 1, 2 HAVING sum(g.n) > 1) x")
[ "$over" = 0 ] || fail "pull storm: $over interviewers hold more than one allowance in a cell"
$PSQL -c "DELETE FROM grants WHERE holder LIKE 'storm-%'"   # those workstations never come back

# pull cursors across instances: for 5 s forms and cases are published through instance b while
# an admin pulls through instance a from the cursor it was given; nothing may be skipped
echo s3cret | "$CATI_STORE" user add adm --role admin --pg "$PGURL" || fail "user add adm"
python3 - "$port_a" "$port_b" <<'PY' || fail "a pull cursor skipped changes made through the other instance"
import http.client, json, ssl, sys, threading, time
ctx = ssl.create_default_context(cafile="ca.pem")
def conn(port):
    return http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=60)
def call(c, method, path, body=None, token=None):
    h = {"Content-Type": "application/json"}
    if token:
        h["Authorization"] = "Bearer " + token
    c.request(method, path, json.dumps(body) if body is not None else None, h)
    r = c.getresponse()
    return r.status, json.loads(r.read())
reader, writer_conn = conn(sys.argv[1]), conn(sys.argv[2])
token = call(reader, "POST", "/v1/login", {"user": "adm", "password": "s3cret"})[1]["token"]
published, stop = [], []
def writer():
    i = 0
    while not stop:
        i += 1
        st, o = call(writer_conn, "POST", "/v1/forms", {"source": 'form rb%d\nlanguages en\ninfo intro\n  say "Hi."\n' % i}, token)
        assert st == 200, o
        published.append(o["hash"])
        call(writer_conn, "POST", "/v1/cases", {"form_id": "rb%d" % i, "cases": [{"id": "rb%d" % i, "phone": "+43 9 %06d" % i}]}, token)
t = threading.Thread(target=writer)
t.start()
cursor, seen, end = 0, set(), time.time() + 5
while time.time() < end or not seen:
    st, o = call(reader, "GET", "/v1/pull?cursor=%d&workstation=admin" % cursor, None, token)
    seen.update(f["hash"] for f in o["forms"])
    cursor = o["cursor"]
stop.append(1)
t.join()
st, o = call(reader, "GET", "/v1/pull?cursor=%d&workstation=admin" % cursor, None, token)
seen.update(f["hash"] for f in o["forms"])
missed = [h for h in published if h not in seen]
assert not missed, ("published", len(published), "skipped by the cursor", len(missed))
PY

# batches go into PostgreSQL side by side: five rounds of 16 completes of one case pushed at the
# same moment through both instances; exactly one counts in its cell, the others are duplicates
python3 - "$port_a" "$port_b" <<'PY' >dups.out || fail "completes of one case pushed at once: $(cat dups.out)"
import json, ssl, sys, threading, urllib.request, uuid
ports = sys.argv[1:3]
ctx = ssl.create_default_context(cafile="ca.pem")
def call(port, path, body, token=None):
    req = urllib.request.Request("https://127.0.0.1:%s%s" % (port, path), json.dumps(body).encode(),
                                 {"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", "Bearer " + token)
    return json.loads(urllib.request.urlopen(req, context=ctx, timeout=120).read())
token = call(ports[0], "/v1/login", {"user": "adm", "password": "s3cret"})["token"]
for rnd in range(5):
    key = "dup-%d" % rnd
    call(ports[1], "/v1/cases", {"form_id": "crowd", "cases": [{"id": key, "phone": "+43 8 %04d" % rnd,
                                 "fields": {"region": str(1 + rnd % 2)}}]}, token)
    go, res = threading.Barrier(16), []
    def push(k):
        iv = str(uuid.uuid4())
        rec = {"uuid": str(uuid.uuid4()), "kind": "interview",
               "data": {"case": key, "interview": iv, "interviewer": "adm", "status": "complete",
                        "updated_at": "2026-11-23T10:00:0%d" % (k % 10), "cells": {"reg": str(1 + rnd % 2)},
                        "answers": [["sat", 0, 1, "1"]]}}
        go.wait()
        res.append(call(ports[k % 2], "/v1/push", {"records": [rec], "workstation": "dup-%d" % k}, token))
    ts = [threading.Thread(target=push, args=(k,)) for k in range(16)]
    for t in ts: t.start()
    for t in ts: t.join()
    assert len(res) == 16, res
    assert all(r["results"][0]["status"] == 200 for r in res), res
    flagged = sum(1 for r in res if "duplicate" in r["results"][0].get("error", ""))
    assert flagged == 15, ("round", rnd, "duplicates flagged", flagged)
print("ok")
PY
$PSQL -c "SELECT i.case_key, count(*) FILTER (WHERE i.duplicate = 0), count(*) FILTER (WHERE ic.interview IS NOT NULL)
	FROM interviews i LEFT JOIN interview_cells ic ON ic.interview = i.uuid
	WHERE i.case_key LIKE 'dup-%' GROUP BY i.case_key ORDER BY 1" >dups.txt
[ "$(grep -c '|1|1$' dups.txt)" = 5 ] && [ "$(wc -l <dups.txt)" = 5 ] ||
	fail "one complete per case should count, and once: $(cat dups.txt)"

# sync_until WS: sync until the store took everything (an instance may die under it)
sync_until() {
	n=0
	until XDG_CONFIG_HOME="$TMP/cfg-$1" CATI_PASSWORD="pw-$1" "$CATI" sync --user "$1" --db "$1.db" >>"$1.sync" 2>&1; do
		n=$((n + 1))
		[ $n -ge 60 ] && return 1
		sleep 0.2
	done
}
# work WS: enroll, then interview every case and sync after each
work() {
	XDG_CONFIG_HOME="$TMP/cfg-$1" "$CATI" enroll "$URL" --cacert ca.pem >/dev/null || return 1
	sync_until "$1" || return 1
	k=1
	while [ $k -le "$CASES" ]; do
		printf 'n\na 1\nq\n' | XDG_CONFIG_HOME="$TMP/cfg-$1" "$CATI" interview --db "$1.db" --case "$1-$k" \
			--interviewer "$1" >>"$1.iv" 2>&1
		sync_until "$1" || return 1
		k=$((k + 1))
	done
}
i=1
wpids=""
while [ $i -le "$WORKSTATIONS" ]; do
	w=$(ws_name $i)
	(work "$w" || echo "$w gave up" >>gaveup) &
	wpids="$wpids $!"
	i=$((i + 1))
done

# mid-run: when a third of the cases are done, a new case for each interviewer, then instance a
# dies without a word (transactions in flight roll back), then more cases through the survivor
want=$((WORKSTATIONS * CASES / 3))
n=0
while [ "$($PSQL -c "SELECT count(*) FROM interviews")" -lt "$want" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
extra() {
	python3 - "$WORKSTATIONS" "$1" <<'PY' >"extra-$1.json"
import json, sys
w, tag = int(sys.argv[1]), sys.argv[2]
print(json.dumps({"form_id": "crowd", "cases": [{"id": "w%02d-%s" % (i, tag), "phone": "+43 2 %04d" % i,
    "name": tag, "tz": "Europe/Vienna", "fields": {"region": "1"}, "interviewer": "w%02d" % i} for i in range(1, w + 1)]}))
PY
	_got=$(api POST /v1/cases "$SUP" "extra-$1.json")
	printf '%s' "$_got" | grep -q "\"cases\":$WORKSTATIONS" || fail "extra cases $1 not added: $_got"
}
extra x1
killed_at=$($PSQL -c "SELECT count(*) FROM records WHERE owner <> 'adm'")
kill -9 "$server_a"
extra x2
for p in $wpids; do wait "$p"; done
[ -s gaveup ] && fail "workstations gave up: $(cat gaveup)"

# the survivor alone serves from now on; a last sync for everyone
i=1
while [ $i -le "$WORKSTATIONS" ]; do
	sync_until "$(ws_name $i)" || fail "$(ws_name $i): final sync"
	i=$((i + 1))
done
grep -q 'listening' server-b.out || fail "instance b lost"

# every record exactly once, with the workstation's content
total=0
i=1
while [ $i -le "$WORKSTATIONS" ]; do
	w=$(ws_name $i)
	[ "$(sqlite3 "$w.db" "SELECT count(*) FROM outbox WHERE sent_at IS NULL")" = 0 ] || fail "$w: records still waiting"
	total=$((total + $(sqlite3 "$w.db" "SELECT count(*) FROM outbox")))
	i=$((i + 1))
done
python3 - "$WORKSTATIONS" <<PY || fail "records differ between the workstations and the store"
import json, sqlite3, subprocess, sys
w = int(sys.argv[1])
rows = subprocess.run(["$PGBIN/psql", "-X", "-A", "-t", "-q", "-F", "\t", "$PGURL", "-c",
                       "SELECT uuid, data FROM records WHERE owner <> 'adm'"], capture_output=True, text=True, check=True).stdout
central = {}
for line in rows.splitlines():
    u, d = line.split("\t", 1)
    assert u not in central, "twice in the store: " + u
    central[u] = json.loads(d)
local = {}
for i in range(1, w + 1):
    db = sqlite3.connect("w%02d.db" % i)
    for u, p in db.execute("SELECT uuid, payload FROM outbox"):
        assert u not in local, "twice on the workstations: " + u
        local[u] = json.loads(p)
missing = [u for u in local if u not in central]
assert not missing, ("missing in the store", len(missing), missing[:3])
extra = [u for u in central if u not in local]
assert not extra, ("in the store but on no workstation", len(extra))
differ = [u for u in local if local[u] != central[u]]
assert not differ, ("content differs", differ[:3])
print("records: %d on %d workstations, %d in the store" % (len(local), w, len(central)))
PY
[ "$($PSQL -c "SELECT count(*) FROM records WHERE owner <> 'adm'")" = "$total" ] || fail "the store holds $($PSQL -c "SELECT count(*) FROM records WHERE owner <> 'adm'") records, the workstations sent $total"

# each cell's count: the on-route completes the records hold, never over the target
$PSQL -c "SELECT q.cell, q.achieved, q.target,
	(SELECT count(DISTINCT r.data->>'interview') FROM records r WHERE r.kind = 'interview' AND r.duplicate = 0
	  AND r.data->>'status' = 'complete' AND r.data->'cells'->>'reg' = q.cell)
	FROM quota_cells q WHERE q.study = 'crowd' ORDER BY q.cell" >cells.txt
while IFS='|' read -r cell got target counted; do
	[ "$got" = "$counted" ] || fail "cell $cell: the store counts $got, the records hold $counted completes"
	[ "$got" -le "$target" ] || fail "cell $cell: $got completes over the target $target"
done <cells.txt
[ "$(wc -l <cells.txt)" = 2 ] || fail "two cells expected: $(cat cells.txt)"
[ "$($PSQL -c "SELECT count(*) FROM interview_cells WHERE over = 1")" = 0 ] || fail "completes flagged over quota"
screenouts=$($PSQL -c "SELECT count(*) FROM interviews WHERE status = 'screenout' AND outcome = 'quota_full'")
[ "$screenouts" -gt 0 ] || fail "no interview met a full cell: the run did not compete for the cells"

# every workstation has every case given to it, the ones added mid-run included
i=1
while [ $i -le "$WORKSTATIONS" ]; do
	w=$(ws_name $i)
	got=$(sqlite3 "$w.db" "SELECT count(*) FROM cases")
	[ "$got" = $((CASES + 2)) ] || fail "$w has $got cases, $((CASES + 2)) were given to it"
	i=$((i + 1))
done
echo "pg-scale: $WORKSTATIONS workstations, $total records, cells $(tr '\n' ' ' <cells.txt)," \
	"$screenouts quota screen-outs, instance a killed at $killed_at records, $(($(date +%s) - started)) s"
finish
