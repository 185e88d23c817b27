#!/bin/sh
# The do-not-call list (issue 23): a supervisor lists numbers in local and international
# notation; a sample with a listed number in the other notation is refused with file:line (the
# default) or, with --dnc flag, imported and never offered by `cati next` on a synced
# workstation, even as its only case; the outcome "do not call again" lists the case's number,
# and another workstation's case with that number is not offered after its next sync; a number
# taken off the list is offered again. The real cati-store on 127.0.0.1 with a CA made here.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
FORMS=$(pwd)/forms
cd "$TMP" || exit 1
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
export CATI_NOW=2026-03-02T09:00:00Z      # Monday 10:00 in Vienna: inside the calling window

INIT_PG=$(store_pg_url store.url) || fail "no PostgreSQL database for init"
expect_exit 0 "$CATI_STORE" init st --name 127.0.0.1 --bind 127.0.0.1 --port "$(free_port)" ${INIT_PG:+--pg "$INIT_PG"}
[ -z "$INIT_PG" ] || cp store.url st/central.db
cp st/ca.pem ca.pem
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects demo --db st/central.db >/dev/null || fail "user add"
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db st/central.db >/dev/null
echo pw-ben | "$CATI_STORE" user add ben --role interviewer --db st/central.db >/dev/null
# without a default country a national number cannot be listed
expect_exit 1 "$CATI_STORE" dnc add "0664 1234567" --db st/central.db
expect_out "no default country"
expect_exit 2 "$CATI_STORE" serve --config st/store.conf --country XX
expect_out "'XX' is not a country"
serve_conf server.out --config st/store.conf --country AT

export XDG_CONFIG_HOME="$TMP/cfgS"
echo s3cret >sup.pw
study() { "$CATI" study "$@" --store "$URL" --cacert ca.pem --user sup --password-file sup.pw; }

# the list: one number in local notation, one international; junk is refused, nothing changed
expect_exit 0 study dnc add "0664 1234567" --reason "asked by letter"
expect_out "1 numbers added"
expect_exit 1 study dnc add "+43 1 555 00 99" "call me"
expect_out "'call me' is no phone number: letters"
[ "$(sqlite3 st/central.db "SELECT count(*) FROM dnc")" = 1 ] || fail "a refused request listed a number"
expect_exit 0 study dnc add "+43 1 555 00 99"
expect_exit 0 study dnc list
expect_out "+436641234567     supervisor sup"
expect_out "asked by letter"
expect_out "+4315550099       supervisor sup"
# an import file: every bad line named, all or nothing
printf '# from the complaints desk\n+43 (0)316 555 777\n\n0316/555 77 8x\n' >dnc.txt
expect_exit 1 study dnc import dnc.txt
expect_out "dnc.txt:4: '0316/555 77 8x' is no phone number"
printf '# from the complaints desk\n+43 (0)316 555 777\n0043 316 555777\n' >dnc.txt
expect_exit 0 study dnc import dnc.txt
expect_out "1 numbers added to the do-not-call list (1 were on it already)"
# interviewers may neither read nor change the list
ANNA=$(token anna pw-anna)
[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $ANNA" "$URL/v1/manage/dnc")" = 403 ] ||
	fail "an interviewer may read the do-not-call list"
printf '{"action":"remove","numbers":["+43 1 555 00 99"]}' >rm.json
[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $ANNA" --data-binary @rm.json "$URL/v1/manage/dnc")" = 403 ] ||
	fail "an interviewer may change the do-not-call list"
# malformed requests change nothing: 400, and 422 naming a number that is none
SUP=$(token sup s3cret)
for body in '{"action":"drop","numbers":["+43 1 5550099"]}' '{"action":"add","numbers":"+43 1 5550099"}' \
            '{"action":"add","numbers":[]}' '{"action":"add","numbers":["+43 1 5550099"],"by":"x"}' \
            '{"action":"add","numbers":["+43 1 5550099"],"reason":7}'; do
	printf '%s' "$body" >bad.json
	[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $SUP" --data-binary @bad.json "$URL/v1/manage/dnc")" = 400 ] ||
		fail "$body was not answered 400"
done
printf '{"action":"remove","numbers":["+43 1 5550099",17]}' >bad.json
api POST /v1/manage/dnc "$SUP" bad.json | grep -q '"problems": *\[{"index": *2' || fail "a number that is no string was not named"
[ "$(sqlite3 st/central.db "SELECT count(*) FROM dnc WHERE listed = 1")" = 3 ] || fail "a refused request changed the list"

# a sample with both listed numbers in the other notation: refused, each with file:line
expect_exit 0 study publish "$FORMS/demo.form"
cat >sample.csv <<'EOF2'
id,phone,name,tz,office,region
D1,+43 664 123 45 67,Person 1,Europe/Vienna,Wien,9
D2,01 5550099,Person 2,Europe/Vienna,Wien,9
D3,+43 1 5550003,Person 3,Europe/Vienna,Wien,9
EOF2
expect_exit 1 study import sample.csv --form "$FORMS/demo.form" --assign anna
expect_out "sample.csv:2: phone '+43 664 123 45 67' is on the do-not-call list (as +436641234567)"
expect_out "sample.csv:3: phone '01 5550099' is on the do-not-call list (as +4315550099)"
expect_out "nothing imported"
[ "$(sqlite3 st/central.db "SELECT count(*) FROM cases")" = 0 ] || fail "a sample with listed numbers imported cases"
expect_exit 2 study import sample.csv --form "$FORMS/demo.form" --assign anna --dnc maybe

# --dnc flag, a listed case alone: imported, marked, and never offered on anna's workstation
printf 'id,phone,name,tz,office,region\nX1,0664-1234567,Only One,Europe/Vienna,Wien,9\n' >only.csv
expect_exit 0 study import only.csv --form "$FORMS/demo.form" --assign anna --dnc flag
expect_out "imported 1 case into demo"
expect_exit 0 study cases --study demo
expect_out "(do not call"
export XDG_CONFIG_HOME="$TMP/cfgA" CATI_PASSWORD=pw-anna
expect_exit 0 "$CATI" enroll "$URL" --cacert ca.pem
expect_exit 0 "$CATI" sync --user anna --db a.db
[ "$(sqlite3 a.db "SELECT count(*) FROM cases")" = 1 ] || fail "anna's workstation lacks X1"
[ "$(sqlite3 a.db "SELECT count(*) FROM dnc")" = 3 ] || fail "anna's workstation has another list: $(sqlite3 a.db "SELECT * FROM dnc")"
# the workstation keeps digests of the numbers, never the numbers in clear
for n in 4315550099 43316555777 436641234567; do
	cat a.db a.db-wal 2>/dev/null | grep -qa "$n" && fail "anna's database holds $n in clear"
done
OUT=$("$CATI" next --why --interviewer anna --db a.db 2>&1)
printf '%s' "$OUT" | grep -q "next: X1" && fail "X1 (its number on the list) was offered"
expect_out "1 open case is never offered: a phone number of it is on the do-not-call list"

# the whole sample with --dnc flag: D1 and D2 marked, D3 offered
export XDG_CONFIG_HOME="$TMP/cfgS"
expect_exit 0 study import sample.csv --form "$FORMS/demo.form" --assign anna --dnc flag
# E1 has D3's number in another notation; ben's workstation offers it for now
printf 'id,phone,name,tz,office,region\nE1,01/555 00 03,Same Number,Europe/Vienna,Wien,9\n' >e.csv
expect_exit 0 study import e.csv --form "$FORMS/demo.form" --assign ben
[ "$(sqlite3 st/central.db "SELECT case_key FROM cases WHERE dnc = 1 ORDER BY case_key" | tr '\n' ,)" = "D1,D2,X1," ] ||
	fail "the store marked other cases: $(sqlite3 st/central.db "SELECT case_key, dnc FROM cases")"
export XDG_CONFIG_HOME="$TMP/cfgB" CATI_PASSWORD=pw-ben
expect_exit 0 "$CATI" enroll "$URL" --cacert ca.pem
expect_exit 0 "$CATI" sync --user ben --db b.db
OUT=$("$CATI" next --why --interviewer ben --db b.db 2>&1)
expect_out "next: E1"
export XDG_CONFIG_HOME="$TMP/cfgA" CATI_PASSWORD=pw-anna
expect_exit 0 "$CATI" sync --user anna --db a.db
i=0
while [ $i -lt 4 ]; do
	OUT=$("$CATI" next --lock --interviewer anna --db a.db 2>&1)
	case $OUT in D1|D2|X1) fail "anna was offered $OUT, a listed number" ;; esac
	[ "$OUT" = D3 ] || fail "anna was offered '$OUT', not D3"
	i=$((i + 1))
done
# "do not call again" on D3: its number on anna's list at once, and on the store's after a sync
expect_exit 0 "$CATI" call --case D3 --outcome do_not_call --interviewer anna --db a.db
[ "$(sqlite3 a.db "SELECT count(*) FROM dnc")" = 4 ] || fail "the outcome did not list D3's number here"
OUT=$("$CATI" next --why --interviewer anna --db a.db 2>&1)
expect_out "no case to call now"
expect_exit 0 "$CATI" sync --user anna --db a.db
[ "$(sqlite3 st/central.db "SELECT source || ' ' || case_key || ' ' || by_user FROM dnc WHERE phone = '+4315550003'")" = "outcome D3 anna" ] ||
	fail "the store did not list D3's number from the outcome: $(sqlite3 st/central.db "SELECT * FROM dnc")"
# ben's next sync brings it: E1 is no longer offered
export XDG_CONFIG_HOME="$TMP/cfgB" CATI_PASSWORD=pw-ben
expect_exit 0 "$CATI" sync --user ben --db b.db
OUT=$("$CATI" next --why --interviewer ben --db b.db 2>&1)
printf '%s' "$OUT" | grep -q "next: E1" && fail "E1 was offered after its number was listed"
expect_out "1 open case is never offered"

# taken off the list (in yet another notation): X1 is offered again after anna's next sync
export XDG_CONFIG_HOME="$TMP/cfgS"
expect_exit 0 study dnc remove "0043 (0) 664 1234567"
expect_out "1 numbers taken off"
expect_exit 0 study dnc list --history
expect_out "+436641234567     remove  supervisor sup"
expect_out "+4315550003       add     outcome    anna"
export XDG_CONFIG_HOME="$TMP/cfgA" CATI_PASSWORD=pw-anna
expect_exit 0 "$CATI" sync --user anna --db a.db
OUT=$("$CATI" next --why --interviewer anna --db a.db 2>&1)
expect_out "next: X1"
# a sample imported on the workstation itself is checked against its list too
printf 'id,phone,name,tz,office,region\nL1,+43 1 5550123,Fine,Europe/Vienna,Wien,9\nL2,0316 555777,Listed,Europe/Vienna,Graz,6\n' >local.csv
expect_exit 1 "$CATI" sample import local.csv --form "$FORMS/demo.form" --db a.db
expect_out "local.csv:3: phone '0316 555777' is on the do-not-call list (as +43316555777)"
[ "$(sqlite3 a.db "SELECT count(*) FROM cases WHERE case_key LIKE 'L%'")" = 0 ] || fail "a local sample with a listed number was imported"
expect_exit 0 "$CATI" sample import local.csv --form "$FORMS/demo.form" --dnc flag --db a.db
expect_out "1 of them with a number on the do-not-call list: never offered"
sqlite3 a.db "UPDATE cases SET status = 'closed', disposition = '2.112' WHERE case_key NOT LIKE 'L%'"
OUT=$("$CATI" next --why --interviewer anna --db a.db 2>&1)
expect_out "next: L1"
sqlite3 a.db "UPDATE cases SET status = 'closed', disposition = '2.112' WHERE case_key = 'L1'"
OUT=$("$CATI" next --why --interviewer anna --db a.db 2>&1)
printf '%s' "$OUT" | grep -q "next: L2" && fail "L2 (imported with --dnc flag) was offered"
expect_out "1 open case is never offered"
# the store's own command reads the same list
expect_exit 0 "$CATI_STORE" dnc list --db st/central.db
expect_out "+4315550003       outcome"
printf '%s' "$OUT" | grep -q 436641234567 && fail "a removed number is still listed"
# a change of the list and its audit line are stored together or neither: while the trail
# takes no line (a trigger refuses it, as a full disk would), adding is refused over the API and
# on the store's machine, and the number stays off the list
if grep -q '^cati-pg-store ' st/central.db 2>/dev/null; then
	sqlite3 st/central.db 'CREATE FUNCTION no_audit() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RAISE EXCEPTION '"'audit full'"'; END $f$;
	       CREATE TRIGGER no_audit BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION no_audit()'
	unblock='DROP TRIGGER no_audit ON audit; DROP FUNCTION no_audit()'
else
	sqlite3 st/central.db "CREATE TRIGGER no_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit full'); END"
	unblock='DROP TRIGGER no_audit'
fi
expect_exit 1 study dnc add "+43 1 5550999" --reason "unseen"
expect_out "cannot write its audit trail, so nothing was changed"
expect_exit 1 "$CATI_STORE" dnc add "+43 1 5550999" --db st/central.db
expect_out "audit"
[ "$(sqlite3 st/central.db "SELECT count(*) FROM dnc WHERE phone = '+4315550999'")" = 0 ] ||
	fail "a number was listed without its audit line"
sqlite3 st/central.db "$unblock"
# the audit trail names each change of the list, its count and reason, not the numbers
expect_exit 0 "$CATI_STORE" audit --db st/central.db
expect_out "dnc-add"
expect_out "do-not-call list: 1 numbers, 1 changed; reason: asked by letter"
expect_out "dnc-remove"
printf '%s' "$OUT" | grep -q "664" && fail "the audit trail holds a number"
expect_exit 0 "$CATI_STORE" dnc country --db st/central.db
expect_out "default country: AT"
finish
