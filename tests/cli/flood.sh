#!/bin/sh
# A flood from one address (127.0.0.2) does not shut out the others: 200 idle TCP connections
# and 200 TLS connections that send a header line a second (no login), kept open and reopened
# for up to 20 s, while a workstation's client on 127.0.0.1 logs in and pulls 10 times: at least
# 9 of the 10 are served.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
cd "$TMP" || exit 1
flood=
trap 'touch stop; [ -n "$flood" ] && kill $flood 2>/dev/null; kill $server 2>/dev/null; rm -rf "$TMP"' EXIT
make_ca
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db central.db
start_store central.db
PORT=${URL##*:}

python3 - "$PORT" <<'PY' >flood.out 2>&1 &
import os, socket, ssl, sys, time
port = int(sys.argv[1])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
end = time.time() + 20
idle, slow = [], []
opened = 0

def conn(tls):
    global opened
    s = socket.socket()
    s.settimeout(2)
    s.bind(("127.0.0.2", 0))
    s.connect(("127.0.0.1", port))
    if tls:
        s = ctx.wrap_socket(s)
        s.sendall(b"POST /v1/login HTTP/1.1\r\nHost: x\r\n")
    opened += 1
    return s

def fill(lst, tls):
    for i in range(len(lst)):
        if lst[i] is None and time.time() < end:
            try:
                lst[i] = conn(tls)
            except Exception:
                lst[i] = None

idle, slow = [None] * 200, [None] * 200
fill(idle, False)
fill(slow, True)
open("ready", "w").write("%d\n" % opened)
while time.time() < end and not os.path.exists("stop"):
    for i, s in enumerate(slow):
        if s is None:
            continue
        try:
            s.sendall(b"X-Slow: %d\r\n" % i)
        except Exception:
            s.close()
            slow[i] = None
    for i, s in enumerate(idle):   # an idle connection the store closed is opened again
        if s is None:
            continue
        try:
            s.setblocking(False)
            if s.recv(1) == b"":
                s.close()
                idle[i] = None
        except BlockingIOError:
            pass
        except Exception:
            s.close()
            idle[i] = None
        else:
            pass
    fill(idle, False)
    fill(slow, True)
    time.sleep(1)
for s in idle + slow:
    if s is not None:
        s.close()
print("opened", opened)
PY
flood=$!
n=0
while [ ! -e ready ] && [ $n -lt 300 ]; do sleep 0.05; n=$((n + 1)); done
[ -e ready ] || fail "the flood did not start"
t0=$(date +%s)
served=0
i=0
while [ $i -lt 5 ]; do
	code=$(curl -s -o tok.json -w '%{http_code}' --max-time 5 --cacert ca.pem -d '{"user":"anna","password":"pw-anna"}' "$URL/v1/login")
	[ "$code" = 200 ] && served=$((served + 1))
	TOK=$(python3 -c 'import json,sys; print(json.load(open("tok.json")).get("token",""))' 2>/dev/null)
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert ca.pem -H "Authorization: Bearer $TOK" "$URL/v1/pull?cursor=0")
	[ "$code" = 200 ] && served=$((served + 1))
	i=$((i + 1))
done
touch stop
wait $flood
flood=
[ "$served" -ge 9 ] || fail "during the flood $served of 10 requests were served (flood: $(cat ready) connections at first, $(cat flood.out))"
echo "  $served of 10 served during the flood ($(( $(date +%s) - t0 )) s; flood opened $(tr -d '\n' <ready) at first, $(cat flood.out))"
# a request's headers must arrive within 10 s: a header line every half second does not keep a
# connection open for longer (the idle timeout alone would)
OUT=$(python3 - "$PORT" <<'PY'
import socket, ssl, sys, time
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = socket.socket()
s.bind(("127.0.0.2", 0))
s.connect(("127.0.0.1", int(sys.argv[1])))
s = ctx.wrap_socket(s)
t0 = time.time()
s.sendall(b"GET /v1/pull HTTP/1.1\r\nHost: x\r\n")
try:
    while time.time() - t0 < 25:
        s.sendall(b"X-Slow: 1\r\n")
        time.sleep(0.5)
    print("still open after 25 s")
except Exception:
    print("closed after %d s" % round(time.time() - t0))
PY
)
case "$OUT" in
"closed after "*) secs=${OUT#closed after }; secs=${secs% s}
	[ "$secs" -ge 9 ] && [ "$secs" -le 14 ] || fail "slow headers: closed after $secs s, expected about 10" ;;
*) fail "slow headers: $OUT" ;;
esac
stop_store
# the share per address can be set: with 2, a third connection from 127.0.0.2 is closed at once
start_store central.db --connections-per-address 2
PORT=${URL##*:}
OUT=$(python3 - "$PORT" <<'PY'
import socket, sys
socks = []
for i in range(3):
    s = socket.socket()
    s.settimeout(3)
    s.bind(("127.0.0.2", 0))
    s.connect(("127.0.0.1", int(sys.argv[1])))
    socks.append(s)
try:
    print("third closed" if socks[2].recv(1) == b"" else "third open")
except socket.timeout:
    print("third open")
try:
    socks[1].settimeout(0.5)
    print("second closed" if socks[1].recv(1) == b"" else "second open")
except socket.timeout:
    print("second open")
PY
)
expect_out "third closed"
expect_out "second open"
stop_store
expect_exit 2 "$CATI_STORE" serve --db central.db --cert srv.pem --key srv.key --connections-per-address 0
expect_out "--connections-per-address: '0' is not a number from 1 to 1000"
finish
