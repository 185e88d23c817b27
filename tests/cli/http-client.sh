#!/bin/sh
# One HTTP client, one mapping: a stand-in store (tests/support/fake-store.py, HTTPS on 127.0.0.1
# with a CA made here) answers 400, 401, 403, 409, 429, 500, 503, a body that is not JSON, 65 MiB
# (its length said, or not), bytes that are not HTTP, a dropped connection, a slow answer, or is
# not there at all. `cati sync` (its login), `cati supervise` (its login) and `cati next --lock`
# (the case's lock) must say the same words for the same answer, and sync must try again exactly
# the answers that may pass later.
. tests/cli/lib.sh
. tests/support/store.sh
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
FAKE=$(pwd)/tests/support/fake-store.py
SAMPLE=$(pwd)/forms/demo-sample.csv
FORM=$(pwd)/forms/demo.form
cd "$TMP" || exit 1
fake=""
trap '[ -n "$fake" ] && kill "$fake" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
make_ca

: >faults
: >requests
python3 "$FAKE" srv.pem srv.key faults requests >fake.out 2>&1 &
fake=$!
n=0
while ! grep -q listening fake.out && [ $n -lt 600 ]; do sleep 0.05; n=$((n + 1)); done
URL=$(sed -n 's/.*listening on \(https:[^ ]*\).*/\1/p' fake.out)
[ -n "$URL" ] || { fail "the stand-in store did not start: $(cat fake.out)"; finish; }

export XDG_CONFIG_HOME="$TMP/cfg" CATI_PASSWORD=pw-ann CATI_NOW=2026-03-02T09:00:00Z
expect_exit 0 "$CATI" enroll "$URL" --cacert ca.pem --timeout 10
"$CATI" sample import "$SAMPLE" --form "$FORM" --db w0.db >/dev/null || fail "import"
echo pw-ann >pw

# the message of each path for the fault now in ./faults (sync and the console at the login)
sync_says() {
	"$CATI" sync --user ann --db w0.db >sync.out 2>&1 && echo "(sync passed)"
	sed -n 's/^cati sync: \(.*\) ([0-9]* records sent; .*/\1/p' sync.out
}
console_says() {
	"$CATI" supervise --study demo --user ann --password-file pw </dev/null >console.out 2>&1 && echo "(console opened)"
	sed -n 's/^cati supervise: //p' console.out
}
lock_says() {
	cp w0.db w.db
	"$CATI" next --interviewer ann --lock --why --db w.db >lock.out 2>&1
	sed -n 's/^lock: on this workstation only (\(.*\))$/\1/p' lock.out
}
logins() { grep -c '^POST /v1/login$' requests; }

# check KIND WANT TRIES: sync says WANT (a shell pattern, all of it) for answer KIND, and the
# console and a case's lock say exactly what sync says; sync logs in TRIES times (5: the answer
# may pass later), the console once
check() {
	echo "$1 POST /v1/login" >faults
	: >requests
	s=$(sync_says)
	case $s in
	$2) ;;
	*) fail "$1: cati sync says '$s', expected '$2' ($(cat sync.out))" ;;
	esac
	[ "$(logins)" = "$3" ] || fail "$1: cati sync logged in $(logins) times, expected $3: $(cat requests)"
	: >requests
	c=$(console_says)
	[ "$c" = "$s" ] || fail "$1: cati supervise says '$c', cati sync '$s' ($(cat console.out))"
	[ "$(logins)" = 1 ] || fail "$1: cati supervise logged in $(logins) times, expected 1"
	echo "$1 POST /v1/lock" >faults
	l=$(lock_says)
	[ "$l" = "$s" ] || fail "$1: cati next --lock says '$l', cati sync '$s' ($(cat lock.out))"
}

check 400 "the store answered 400: fault 400" 1
check 401 "the store answered 401: fault 401" 1
check 403 "the store answered 403: fault 403" 1
check 429 "the store answered 429: fault 429" 5
check 500 "the store answered 500: fault 500" 5
check 503 "the store answered 503: fault 503" 5
check garbage "the store answered 500: (no message)" 5
check huge "the store's answer is larger than 64 MiB: refused" 1
check hugechunked "the store's answer is larger than 64 MiB: refused" 1
check nothttp "the store at $URL does not answer in HTTP: Received HTTP/0.9 when not allowed" 1
check drop "cannot reach the store at $URL: ?*" 5   # (libcurl's or GnuTLS's words)

# 409 at the login: refused (not tried again); at a lock: the case is in a call elsewhere
echo "409 POST /v1/login" >faults
: >requests
s=$(sync_says)
[ "$s" = "the store answered 409: fault 409" ] || fail "409: cati sync says '$s'"
[ "$(logins)" = 1 ] || fail "409: cati sync logged in $(logins) times, expected 1"
c=$(console_says)
[ "$c" = "$s" ] || fail "409: cati supervise says '$c', cati sync '$s'"
echo "409 POST /v1/lock" >faults
lock_says >/dev/null
grep -q "^D00[0-9] is in a call at another workstation (ann) until [0-9][0-9]:[0-9][0-9] UTC: the next one" lock.out ||
	fail "409 at a lock is not 'in a call elsewhere': $(cat lock.out)"

# slower than the limit: sync and the console wait 1 s (--timeout 1), a lock 5 s
: >faults
expect_exit 0 "$CATI" enroll "$URL" --cacert ca.pem --timeout 1
echo "slow:6 POST /v1/login" >faults
: >requests
s=$(sync_says)
[ "$s" = "the store at $URL did not answer within 1 s" ] || fail "slow: cati sync says '$s'"
[ "$(logins)" = 5 ] || fail "slow: cati sync logged in $(logins) times, expected 5"
c=$(console_says)
[ "$c" = "$s" ] || fail "slow: cati supervise says '$c', cati sync '$s'"
echo "slow:6 POST /v1/lock" >faults
l=$(lock_says)
[ "$l" = "the store at $URL did not answer within 5 s" ] || fail "slow: cati next --lock says '$l'"

# no faults: every path passes
: >faults
expect_exit 0 "$CATI" sync --user ann --db w0.db
cp w0.db w.db
expect_exit 0 "$CATI" next --interviewer ann --lock --db w.db
grep -q 'locked on this workstation only' <<EOF && fail "a lock the store granted is said to be local: $OUT"
$OUT
EOF

# the store is gone: connection refused, in the same words everywhere
kill "$fake"
wait "$fake" 2>/dev/null
fake=""
s=$(sync_says)
[ "$s" = "cannot reach the store at $URL: connection refused" ] || fail "gone: cati sync says '$s'"
c=$(console_says)
[ "$c" = "$s" ] || fail "gone: cati supervise says '$c', cati sync '$s'"
l=$(lock_says)
[ "$l" = "$s" ] || fail "gone: cati next --lock says '$l', cati sync '$s'"
finish
