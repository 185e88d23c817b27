#!/bin/sh
# "On a call now" on the supervisor's console, fed by a workstation's own background sync: ben's
# workstation (`cati`, one tmux pane at 80x24) takes case J011 and answers up to question 2
# (contact); the console (`cati supervise`, another pane at 80x24) shows ben, J011, contact and
# the minutes in the interview; after the interview ends (screened out) and the next sync, ben is
# no longer on a call. What the pull carried is checked too: case key and question id, never an
# answer or a name. The interviewers page shows ben's case as where he is, and his hours worked
# come from the sessions his workstation's syncs reported. A real cati-store on 127.0.0.1 with a
# test CA; on PostgreSQL too (pg-suites).
. tests/e2e/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
FORMS=$(pwd)/forms
export CATI_STUDY="$(pwd)/tests/e2e/allday.study"
cd "$TMP" || exit 1
CSOCK="catic$$"
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; tmux -L "$CSOCK" kill-server 2>/dev/null; stop_store; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

make_ca
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects demo --db central.db >/dev/null || fail "user add"
echo pw-ben | "$CATI_STORE" user add ben --role interviewer --db central.db >/dev/null
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db central.db >/dev/null
start_store central.db
SUP=$(token sup s3cret)
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$FORMS/demo.form" >pub.json
api POST /v1/forms "$SUP" pub.json | grep -q '"form_id":"demo"' || fail "publish the form"
cat >cases.json <<'JSON'
{"form_id": "demo", "cases": [
 {"id": "J011", "phone": "+43 1 5550011", "name": "Rosa Respondent", "tz": "Europe/Vienna",
  "fields": {"office": "Mitte", "region": "9"}, "interviewer": "ben"},
 {"id": "J012", "phone": "+43 1 5550012", "name": "Otto Other", "tz": "Europe/Vienna",
  "fields": {"office": "Mitte", "region": "9"}, "interviewer": "anna"}]}
JSON
[ "$(api POST /v1/cases "$SUP" cases.json)" = '{"cases":2}' ] || fail "upload the cases"

export XDG_CONFIG_HOME="$TMP/cfg"
"$CATI" enroll "$URL" --cacert ca.pem >/dev/null || fail "enroll"
# a first sync: ben's case, and his password cached for the login screen
CATI_PASSWORD=pw-ben "$CATI" sync --user ben --db b.db >/dev/null || fail "first sync"
[ "$(sqlite3 central.db "SELECT count(*) FROM on_call")" = 0 ] || fail "a sync with no interview open made a call"
echo s3cret >sup.pw

# the console in a pane of its own (its own tmux server: lib.sh's start replaces the other)
tmux -L "$CSOCK" -f /dev/null new-session -d -x "$COLS" -y "$ROWS" \
	"env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=$TERMTYPE $CATI supervise --study demo --user sup --password-file sup.pw --every 1; echo EXITED \$?; sleep 30"
WSOCK=""
# on_console / on_ws: which pane screen, keys, wait_for talk to
on_console() { WSOCK=${WSOCK:-$SOCK}; SOCK=$CSOCK; }
on_ws() { SOCK=$WSOCK; }

# ben's workstation: log in, take the next case (J011), connected, past the intro to question 2
start --db b.db
WSOCK=$SOCK
login ben pw-ben
wait_for "case list │ online" 20 || finish
keys N
wait_for "Rosa Respondent" 10 || finish
wait_for "Local time of the respondent"
keys 1
wait_q intro
keys Enter
wait_q contact || finish
# the interview began 3 minutes ago by the workstation's clock (a long introduction): the store
# counts minutes from what the workstation says, whatever its clock says the time is
sqlite3 b.db "UPDATE interviews SET started_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-200 seconds') WHERE status = 'active'"

# the console's page 6 shows ben in J011 at contact, 3 minutes in, after the next background sync
on_console
wait_for "refreshed" 10
keys 6
wait_for "[6 On call]" 5
wait_for "interviewer" 5
_t=0
until screen | grep -Eq '^ ben +J011 +contact +3 +[0-9]{2}:[0-9]{2}  [0-9]{2}:[0-9]{2}:[0-9]{2}$'; do
	_t=$((_t + 1))
	[ $_t -lt 400 ] || { fail "ben in J011 at contact did not show up on the console"; break; }
	sleep 0.05
done
check_layout
screen | grep -q "J012" && fail "anna's case shows as on a call"
# what the store was told: key and question only
got=$(sqlite3 central.db "SELECT interviewer || ' ' || case_key || ' ' || question FROM on_call")
[ "$got" = "ben J011 contact" ] || fail "the store keeps '$got'"
# the interviewers page says where ben is: J011 in the online column
keys 2
wait_for "[2 Interviewers]" 5
_t=0
until screen | grep -Eq '^ ben +J011 +[0-9]+ '; do
	_t=$((_t + 1))
	[ $_t -lt 100 ] || { fail "ben's online column does not say J011: $(screen)"; break; }
	sleep 0.05
done
keys 6
wait_for "[6 On call]" 5
# working time: ben's logged-in workstation's syncs keep a session; moved 40 s back (as if last
# written then), the next background sync extends it, and the report's hours come from it
[ "$(sqlite3 central.db "SELECT count(*) FROM work_spans WHERE interviewer = 'ben' AND study = 'demo'")" -ge 1 ] ||
	fail "ben's syncs kept no session"
sqlite3 central.db "UPDATE work_spans SET start_at = start_at - 40, end_at = end_at - 40 WHERE interviewer = 'ben'" >/dev/null
_t=0
until [ "$(sqlite3 central.db "SELECT seconds FROM work_totals WHERE interviewer = 'ben' AND study = 'demo'")" -gt 0 ] 2>/dev/null; do
	_t=$((_t + 1))
	[ $_t -lt 400 ] || { fail "the next sync did not extend ben's session"; break; }
	sleep 0.05
done
"$CATI_STORE" report demo --db central.db --format json |
	jq -e '.interviewers[] | select(.name == "ben") | .hours_from == "sessions" and .hours > 0' >/dev/null ||
	fail "ben's hours do not come from his sessions"

# a workstation of before this change pulls without call=: the store keeps what it knew
[ "$(api GET "/v1/pull?cursor=0" "$(token ben pw-ben)" | jq 'has("cursor")')" = true ] || fail "a pull without call="
[ "$(sqlite3 central.db "SELECT count(*) FROM on_call")" = 1 ] || fail "a pull without call= changed the call"
# ben saying he is in anna's case J012: not his to call, not kept
[ "$(api GET "/v1/pull?cursor=0&call=J012&question=contact&elapsed=5" "$(token ben pw-ben)" | jq 'has("cursor")')" = true ] ||
	fail "a pull with another's case"
[ "$(sqlite3 central.db "SELECT count(*) FROM on_call WHERE case_key = 'J012'")" = 0 ] || fail "ben's claim of J012 was kept"

# the same on the text and CSV reports
"$CATI_STORE" report demo --db central.db --section on_call >oncall.txt || fail "cati-store report --section on_call"
grep -Eq '^ben +J011 +contact +3 ' oncall.txt || fail "text report: $(cat oncall.txt)"
"$CATI_STORE" report demo --db central.db --section on_call --format csv >oncall.csv || fail "report --format csv"
grep -Eq '^on_call,ben,J011,contact,[0-9T:Z-]+,3,[0-9T:Z-]+.$' oncall.csv || fail "CSV report: $(cat oncall.csv)"

# the interview ends (no contact: screened out); the next sync takes ben off the page
on_ws
keys 2
wait_for "END OF INTERVIEW: screened out" 5
keys Enter
wait_for "case list" 5
on_console
wait_for "(nobody is in an interview of this study now)" 20
[ "$(sqlite3 central.db "SELECT count(*) FROM on_call")" = 0 ] || fail "the call stayed in the store"
keys q
wait_for "EXITED 0" 5
on_ws
quit_desk
finish
