#!/bin/sh
# A case in a call is locked at the central store, so two workstations (here: the same
# interviewer on two of them) never call it at once; a recorded call ends the lock; offline,
# the lock holds on the workstation only. A real cati-store on 127.0.0.1 with a test CA.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
export CATI_STUDY="$(pwd)/tests/e2e/allday.study"
FORMS=$(pwd)/forms
cd "$TMP" || exit 1
trap 'stop_store; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

make_ca
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects demo --db central.db || fail "user add"
echo pw-ann | "$CATI_STORE" user add ann --role interviewer --db central.db
echo pw-ben | "$CATI_STORE" user add ben --role interviewer --db central.db
start_store central.db
PORT=${URL##*:}
SUP=$(token sup s3cret)
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$FORMS/demo.form" >pub.json
OUT=$(api POST /v1/forms "$SUP" pub.json)
expect_out '"form_id":"demo"'
python3 - <<'PY' >cases.json
import json
cases = [{"id": "K%d" % i, "phone": "+43 1 555%03d" % i, "name": "P%d" % i, "tz": "Europe/Vienna",
          "fields": {"office": "Mitte", "region": "9"}, "interviewer": "ann" if i <= 4 else "ben"} for i in range(1, 6)]
print(json.dumps({"form_id": "demo", "cases": cases}))
PY
OUT=$(api POST /v1/cases "$SUP" cases.json)
expect_out '"cases":5'

export CATI_PASSWORD=pw-ann
for w in A B; do
	XDG_CONFIG_HOME="$TMP/cfg-$w" "$CATI" enroll "$URL" --cacert ca.pem >/dev/null || fail "enroll $w"
	XDG_CONFIG_HOME="$TMP/cfg-$w" "$CATI" sync --user ann --db "$w.db" >/dev/null || fail "sync $w"
done
A() { XDG_CONFIG_HOME="$TMP/cfg-A" "$CATI" "$@" --db A.db; }
B() { XDG_CONFIG_HOME="$TMP/cfg-B" "$CATI" "$@" --db B.db; }

# A takes K1: locked at the store for A's workstation
expect_exit 0 A next --interviewer ann --lock
[ "$OUT" = K1 ] || fail "A should get K1: $OUT"
wsA=$(sqlite3 A.db "SELECT value FROM meta WHERE key = 'workstation_id'")
[ "$(sqlite3 central.db "SELECT holder || ' ' || \"user\" FROM locks WHERE case_key = 'K1'")" = "$wsA ann" ] ||
	fail "the store should hold K1 for workstation A: $(sqlite3 central.db 'SELECT * FROM locks')"
# B, the same interviewer on another workstation, does not get K1 and says why
expect_exit 0 B next --interviewer ann --lock --why
expect_out "K1 is in a call at another workstation (ann)"
expect_out "next: K2"
expect_exit 0 B next --interviewer ann --lock
[ "$OUT" = K2 ] || fail "B keeps its own K2: $OUT"
# A asks again: its own K1 (renewed), never B's K2
expect_exit 0 A next --interviewer ann --lock
[ "$OUT" = K1 ] || fail "A should keep K1: $OUT"
# the call on K1 is recorded and synced: the store's lock ends
expect_exit 0 A call --case K1 --outcome busy --interviewer ann
XDG_CONFIG_HOME="$TMP/cfg-A" "$CATI" sync --user ann --db A.db >/dev/null || fail "sync A"
[ "$(sqlite3 central.db "SELECT count(*) FROM locks WHERE case_key = 'K1'")" = 0 ] || fail "the recorded call should end the lock"
# another interviewer may not lock ann's cases; bad requests are refused clearly
BEN=$(token ben pw-ben)
printf '{"case":"K3","seconds":600}' >lock.json
OUT=$(api POST /v1/lock "$BEN" lock.json)
expect_out "case 'K3' is not assigned to you"
printf '{"case":"K3","seconds":0}' >lock.json
OUT=$(api POST /v1/lock "$BEN" lock.json)
expect_out "'seconds' (1 to 86400)"
# two workstations asking at the same moment never get the same case
for i in 1 2 3; do
	sqlite3 A.db "UPDATE cases SET locked_by = NULL, locked_until = NULL"
	sqlite3 B.db "UPDATE cases SET locked_by = NULL, locked_until = NULL"
	sqlite3 central.db "DELETE FROM locks"
	A next --interviewer ann --lock >a.out 2>&1 &
	B next --interviewer ann --lock >b.out 2>&1
	wait $!
	[ "$(cat a.out)" != "$(cat b.out)" ] || fail "round $i: both workstations got $(cat a.out)"
done
# offline: the lock holds on the workstation only, and it says so
stop_store
sqlite3 A.db "UPDATE cases SET locked_by = NULL, locked_until = NULL"
expect_exit 0 A next --interviewer ann --lock
expect_out "locked on this workstation only"
finish
