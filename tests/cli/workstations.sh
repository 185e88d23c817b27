#!/bin/sh
# Registered workstations: allowances and locks only for workstations enrolled under a user.
# Pulls under invented workstation names get none, an interviewer's allowances are capped in
# total however many workstations they register, another interviewer's registered workstation
# still gets its place and completes in the cell; supervisors list and retire workstations.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
export CATI_STUDY="$(pwd)/tests/e2e/allday.study"
cd "$TMP" || exit 1
trap 'stop_store; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

cat >w.form <<'EOF'
form wstudy
languages en
case name
case region scale regions
scale regions
  1 "North"
  2 "South"
quota reg by region target 4 allowance 1
  say "Thank you, we have enough interviews in your region."
info intro
  say "Hello {name}."
single sex
  say "Are you male or female?"
  1 "male"
  2 "female"
EOF

make_ca
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects wstudy --db central.db || fail "user add"
echo pw-ann | "$CATI_STORE" user add ann --role interviewer --db central.db
echo pw-ben | "$CATI_STORE" user add ben --role interviewer --db central.db
start_store central.db
SUP=$(token sup s3cret)
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' w.form >pub.json
OUT=$(api POST /v1/forms "$SUP" pub.json)
expect_out '"form_id":"wstudy"'
printf '%s' '{"form_id":"wstudy","cases":[
 {"id":"A1","phone":"+43 1 5501","name":"A1","tz":"Europe/Vienna","fields":{"region":"1"},"interviewer":"ann"},
 {"id":"B1","phone":"+43 1 5502","name":"B1","tz":"Europe/Vienna","fields":{"region":"1"},"interviewer":"ben"}]}' >cases.json
OUT=$(api POST /v1/cases "$SUP" cases.json)
expect_out '"cases":2'
# held BY: the allowances the store holds back in region 1 (for whom: a workstation id pattern)
held() { sqlite3 central.db "SELECT coalesce(sum(n), 0) FROM grants WHERE quota = 'reg' AND cell = '1' AND holder LIKE '$1'"; }

# 100 pulls under invented workstation names with ann's token: refused, nothing held back
ANN=$(token ann pw-ann)
i=0
while [ $i -lt 100 ]; do
	code=$(curl -s -o pull.out -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $ANN" "$URL/v1/pull?cursor=0&workstation=fake-$i")
	[ "$code" = 403 ] || fail "a pull under an invented workstation should get 403, not $code: $(cat pull.out)"
	i=$((i + 1))
done
grep -q "workstation fake-99 is not registered: run cati enroll" pull.out || fail "unclear refusal: $(cat pull.out)"
# the class travels as a code the workstation reads (it registers again), not in the words
grep -q '"reason": *"unregistered"' pull.out || fail "an unknown workstation's refusal lacks its reason code: $(cat pull.out)"
[ "$(held 'fake-%')" = 0 ] || fail "invented workstations hold $(held 'fake-%') places"
# a lock under an invented workstation is refused too
printf '{"case":"A1","seconds":600,"workstation":"fake-1"}' >lock.json
OUT=$(api POST /v1/lock "$ANN" lock.json)
expect_out "workstation fake-1 is not registered"

# ann registers two workstations: together they hold no more than one workstation would
for w in ann-1 ann-2; do
	printf '{"workstation":"%s","name":"desk %s"}' "$w" "$w" >reg.json
	OUT=$(api POST /v1/workstations "$ANN" reg.json)
	expect_out "\"workstation\":\"$w\""
	code=$(curl -s -o pull.out -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $ANN" "$URL/v1/pull?cursor=0&workstation=$w")
	[ "$code" = 200 ] || fail "ann's registered $w should pull: $code $(cat pull.out)"
done
[ "$(held 'ann-%')" = 1 ] || fail "ann's workstations should hold 1 place in all, not $(held 'ann-%')"
# a workstation registered to ann is not ben's to use
BEN=$(token ben pw-ben)
code=$(curl -s -o pull.out -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $BEN" "$URL/v1/pull?cursor=0&workstation=ann-1")
[ "$code" = 403 ] || fail "ben should not pull as ann's workstation: $code"
grep -q '"reason"' pull.out && fail "another's workstation is no reason to register again: $(cat pull.out)"

# ben's workstation, enrolled and synced the ordinary way, gets its place and completes
XDG_CONFIG_HOME="$TMP/cfg-ben" "$CATI" enroll "$URL" --cacert ca.pem >/dev/null || fail "enroll ben"
XDG_CONFIG_HOME="$TMP/cfg-ben" CATI_PASSWORD=pw-ben "$CATI" sync --user ben --db ben.db >/dev/null || fail "sync ben"
[ "$(held '%')" = 2 ] || fail "ann's 1 and ben's 1 should be held, not $(held '%')"
OUT=$(printf 'n\na 1\nq\n' | XDG_CONFIG_HOME="$TMP/cfg-ben" "$CATI" interview --db ben.db --case B1 --interviewer ben 2>&1)
st=$(sqlite3 ben.db "SELECT i.status FROM interviews i JOIN cases c ON c.id = i.case_id WHERE c.case_key = 'B1'")
[ "$st" = complete ] || fail "ben's interview should complete, not '$st': $OUT"

# cati enroll --user registers the workstation at once, under that user
OUT=$(XDG_CONFIG_HOME="$TMP/cfg-ann" CATI_PASSWORD=pw-ann "$CATI" enroll "$URL" --cacert ca.pem --user ann --db ann.db 2>&1)
expect_out "registered under ann"
[ "$(sqlite3 central.db "SELECT count(*) FROM workstations WHERE \"user\" = 'ann'")" = 3 ] || fail "enroll --user should register ann's workstation"
OUT=$(XDG_CONFIG_HOME="$TMP/cfg-ann" CATI_PASSWORD=wrong "$CATI" enroll "$URL" --cacert ca.pem --user ann --db ann2.db 2>&1)
expect_out "cannot register this workstation"

# the supervisor lists the workstations and retires one of ann's: it gets nothing more
expect_exit 0 "$CATI_STORE" workstation list --db central.db
expect_out "ann-1"
expect_out "ann-2"
expect_out "ben"
expect_exit 0 "$CATI_STORE" workstation retire ann-1 --db central.db
[ "$(held 'ann-1')" = 0 ] || fail "a retired workstation's places should be released"
code=$(curl -s -o pull.out -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $ANN" "$URL/v1/pull?cursor=0&workstation=ann-1")
[ "$code" = 403 ] || fail "a retired workstation should get 403, not $code"
grep -q "retired" pull.out || fail "unclear refusal: $(cat pull.out)"
printf '{"workstation":"ann-1","name":"again"}' >reg.json
OUT=$(api POST /v1/workstations "$ANN" reg.json)
expect_out "retired"
expect_exit 0 "$CATI_STORE" workstation list --db central.db
expect_out "retired"
expect_exit 1 "$CATI_STORE" workstation retire nosuch --db central.db

# a supervisor at a desk retires ann-2 over the API (an interviewer may not); it gets no more
# allowances or locks, and a second retire changes nothing
printf '{"workstation":"ann-2"}' >retire.json
code=$(curl -s -o ret.out -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $ANN" --data-binary @retire.json "$URL/v1/workstations/retire")
[ "$code" = 403 ] || fail "an interviewer retiring a workstation should get 403, not $code"
[ "$(sqlite3 central.db "SELECT count(*) FROM workstations WHERE id = 'ann-2' AND retired_at IS NULL")" = 1 ] || fail "the interviewer's retire should change nothing"
SUPT=$SUP
OUT=$(api POST /v1/workstations/retire "$SUPT" retire.json)
expect_out '"retired":true'
[ "$(held 'ann-2')" = 0 ] || fail "a workstation retired over the API should lose its places"
code=$(curl -s -o pull.out -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $ANN" "$URL/v1/pull?cursor=0&workstation=ann-2")
[ "$code" = 403 ] || fail "a workstation retired over the API should get 403, not $code"
printf '{"workstation":"nosuch"}' >retire2.json
code=$(curl -s -o ret.out -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $SUPT" --data-binary @retire2.json "$URL/v1/workstations/retire")
[ "$code" = 404 ] || fail "retiring an unknown workstation should get 404, not $code"
grep -q "central.db" ret.out && fail "the answer names the store's file: $(cat ret.out)"
finish
