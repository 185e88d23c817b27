#!/bin/sh
# A whole study run by a supervisor from their own machine with `cati study` only (issue 21):
# publish, import the sample with interviewers, two workstations interview and sync, reassign a
# case, resolve a conflict, export. Bad input: a broken form (file:line:col), a sample with
# errors (every problem, nothing imported), unknown case ids; other supervisors and interviewers
# are refused (403). The real cati-store on 127.0.0.1 with a CA made here.
. tests/cli/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
FORMS=$(pwd)/forms
cd "$TMP" || exit 1
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

# the store as README's "A store for 50 interviewers" sets it up: init (on PostgreSQL under
# tests/cli/pg-suites.sh), users, serve from the configuration init wrote
INIT_PG=$(store_pg_url store.url) || fail "no PostgreSQL database for init"
expect_exit 0 "$CATI_STORE" init st --name 127.0.0.1 --bind 127.0.0.1 --port "$(free_port)" ${INIT_PG:+--pg "$INIT_PG"}
[ -z "$INIT_PG" ] || cp store.url st/central.db
cp st/ca.pem ca.pem
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects demo,second --db st/central.db >/dev/null || fail "user add"
echo other-pw | "$CATI_STORE" user add olga --role supervisor --projects other --db st/central.db >/dev/null
echo pw-anna | "$CATI_STORE" user add anna --role interviewer --db st/central.db >/dev/null
echo pw-ben | "$CATI_STORE" user add ben --role interviewer --db st/central.db >/dev/null
serve_conf server.out --config st/store.conf

# the supervisor's machine is not enrolled: the store and its CA on the command line
export XDG_CONFIG_HOME="$TMP/cfgS"
echo s3cret >sup.pw
study() { "$CATI" study "$@" --store "$URL" --cacert ca.pem --user sup --password-file sup.pw; }

# a broken form: file:line:col, checked here, nothing sent
printf 'form demo\nlanguages en\nsingel q\n' >bad.form
expect_exit 1 study publish bad.form
expect_out "bad.form:3:1: 'singel' is not a statement"
expect_exit 0 study forms
printf '%s' "$OUT" | grep -q '^demo ' && fail "a broken form was published"
expect_exit 0 study publish "$FORMS/demo.form"
expect_out "published demo version 1"
expect_exit 0 study forms
expect_out "demo                 1"
# another project's supervisor may not publish it, an interviewer may not manage at all
echo other-pw >olga.pw
expect_exit 1 "$CATI" study publish "$FORMS/demo.form" --store "$URL" --cacert ca.pem --user olga --password-file olga.pw
expect_out "this study is not one of your projects"
echo pw-anna >anna.pw
expect_exit 1 "$CATI" study cases --study demo --store "$URL" --cacert ca.pem --user anna --password-file anna.pw
expect_out "only supervisors and admins may do this"
expect_exit 1 "$CATI" study cases --study demo --store "$URL" --cacert ca.pem --user olga --password-file olga.pw
expect_out "this study is not one of your projects"
# the store answers in English; the supervisor reads it in their language (German, Dutch)
expect_exit 1 env LANGUAGE=de "$CATI" study cases --study demo --store "$URL" --cacert ca.pem --user olga --password-file olga.pw
expect_out "cati study: der Server antwortete 403: diese Studie gehört nicht zu Ihren Projekten"
expect_exit 1 env LANGUAGE=nl "$CATI" study cases --study demo --store "$URL" --cacert ca.pem --user anna --password-file anna.pw
expect_out "cati study: de server antwoordde 403: alleen supervisors en beheerders mogen dit"
# a usage in German, option names as they are
expect_exit 0 env LANG=de_AT.UTF-8 "$CATI" study --help
expect_out "Aufruf: cati study COMMAND"
expect_out "cati study assign --study ID --to NAME CASE...      Fälle einem Interviewer geben"

# the API itself: interviewers get 403 on every /v1/manage/ route, another project's supervisor
# on every route of this study, and sees none of its forms
ANNA=$(token anna pw-anna)
OLGA=$(token olga other-pw)
printf '{"study":"demo","cases":["D1"],"interviewer":"olga"}' >assign.json
printf '{"study":"demo","interview":"x"}' >count.json
printf '{"study":"demo","cases":["D1"]}' >reopen.json
for who in ANNA OLGA; do
	tok=$(eval echo "\$$who")
	for r in "GET /v1/manage/cases?study=demo" "GET /v1/manage/conflicts?study=demo" "GET /v1/manage/duplicates?study=demo" \
	         "POST /v1/manage/assign assign.json" "POST /v1/manage/count count.json" "POST /v1/manage/reopen reopen.json"; do
		set -- $r
		code=$(curl -s -o /dev/null -w '%{http_code}' --cacert ca.pem -X "$1" -H "Authorization: Bearer $tok" \
		       ${3:+--data-binary @$3} "$URL$2")
		[ "$code" = 403 ] || fail "$who: $1 $2 answered $code, not 403"
	done
done
for r in "GET /v1/manage/forms" "GET /v1/manage/workstations"; do
	set -- $r
	[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert ca.pem -H "Authorization: Bearer $ANNA" "$URL$2")" = 403 ] ||
		fail "an interviewer may read $2"
done
api GET /v1/manage/forms "$OLGA" | grep -q '"demo"' && fail "another project's supervisor sees the demo form"

# a sample with errors: every problem as file:line, nothing imported
cat >bad.csv <<'EOF'
id,phone,name,tz,office,region
D1,+43 1 5550001,Person 1,Europe/Vienna,Wien Mitte,9
D1,+43 1 5550002,Person 2,Europe/Vienna,Wien Mitte,9
D3,12,Person 3,Europe/Vienna,Wien Mitte,9
D4,+43 1 5550004,Person 4,Mars/Base,Graz,42
EOF
expect_exit 1 study import bad.csv --form "$FORMS/demo.form" --assign anna
expect_out "bad.csv:3: duplicate id 'D1' (also on line 2)"
expect_out "bad.csv:4: bad phone '12'"
expect_out "bad.csv:5: tz 'Mars/Base'"
expect_out "bad.csv:5: region"
expect_out "nothing imported"
[ "$(sqlite3 st/central.db "SELECT count(*) FROM cases")" = 0 ] || fail "a sample with errors imported cases"
# by region: Vienna (9) to anna, Styria (6) to ben; a region the map lacks is a problem
cat >sample.csv <<'EOF'
id,phone,name,tz,office,region
D1,+43 1 5550001,Person 1,Europe/Vienna,Wien Mitte,9
D2,+43 1 5550002,Person 2,Europe/Vienna,Wien Mitte,9
D3,+43 316 555003,Person 3,Europe/Vienna,Graz,Styria
D4,+43 316 555004,Person 4,Europe/Vienna,Graz,6
EOF
expect_exit 1 study import sample.csv --form "$FORMS/demo.form" --assign-by region --map 9=anna
expect_out "sample.csv:4: region '6' is not in --map"
expect_out "sample.csv:5: region '6' is not in --map"
[ "$(sqlite3 st/central.db "SELECT count(*) FROM cases")" = 0 ] || fail "an unmapped region imported cases"
expect_exit 0 study import sample.csv --form "$FORMS/demo.form" --assign-by region --map 9=anna,6=ben
expect_out "imported 4 cases into demo"
# imported again: the ids the study has are problems, as on a workstation; an id of another
# study is named with its line
expect_exit 1 study import sample.csv --form "$FORMS/demo.form" --assign anna
expect_out "sample.csv:2: id 'D1' is already in the database"
expect_out "sample.csv:5: id 'D4' is already in the database"
sed 's/^form demo/form second/' "$FORMS/demo.form" >second.form
expect_exit 0 study publish second.form
printf 'id,phone,name,tz,office,region\nS1,+43 1 5550031,S 1,,Linz,4\nD2,+43 1 5550032,S 2,,Linz,4\n' >second.csv
expect_exit 1 study import second.csv --form second.form --assign anna
expect_out "second.csv:3: 'D2' is already a case of study 'demo'"
expect_out "nothing imported"
# round-robin, and from a column
printf 'id,phone,name,tz,office,region\nE1,+43 1 5550011,E 1,,Linz,4\nE2,+43 1 5550012,E 2,,Linz,4\nE3,+43 1 5550013,E 3,,Linz,4\n' >more.csv
expect_exit 0 study import more.csv --form "$FORMS/demo.form" --assign anna,ben
printf 'id,phone,name,tz,office,region,interviewer\nF1,+43 1 5550021,F 1,,Linz,4,ben\n' >col.csv
expect_exit 0 study import col.csv --form "$FORMS/demo.form" --assign-column interviewer
expect_exit 0 study cases --study demo
for want in "D1 anna" "D2 anna" "D3 ben" "D4 ben" "E1 anna" "E2 ben" "E3 anna" "F1 ben"; do
	printf '%s\n' "$OUT" | awk '{print $1, $3}' | grep -qx "$want" || fail "not assigned: $want; $OUT"
done
expect_out "D1               new"

# two workstations interview and sync (anna: D1 complete; ben: D3 complete)
export XDG_CONFIG_HOME="$TMP/cfgA" CATI_PASSWORD=pw-anna
expect_exit 0 "$CATI" enroll "$URL" --cacert ca.pem
expect_exit 0 "$CATI" sync --user anna --db a.db
expect_out "received 1 forms, 4 cases"
printf 'n\na 1\na 2026-01-02\na 2\na 2\na 15\na 8\na 1\nq\n' | "$CATI" interview --db a.db --case D1 --interviewer anna >/dev/null
# anna's second workstation has D1 too and completes it offline: a duplicate once both sync
export XDG_CONFIG_HOME="$TMP/cfgA2"
expect_exit 0 "$CATI" enroll "$URL" --cacert ca.pem
expect_exit 0 "$CATI" sync --user anna --db a2.db
printf 'n\na 1\na 2026-01-05\na 2\na 2\na 15\na 8\na 1\nq\n' | "$CATI" interview --db a2.db --case D1 --interviewer anna >/dev/null
export XDG_CONFIG_HOME="$TMP/cfgA"
expect_exit 0 "$CATI" sync --user anna --db a.db
export XDG_CONFIG_HOME="$TMP/cfgA2"
expect_exit 0 "$CATI" sync --user anna --db a2.db
export XDG_CONFIG_HOME="$TMP/cfgB" CATI_PASSWORD=pw-ben
expect_exit 0 "$CATI" enroll "$URL" --cacert ca.pem
expect_exit 0 "$CATI" sync --user ben --db b.db
expect_out "received 1 forms, 4 cases"
printf 'n\na 1\na 2026-01-03\na 1\na 2\na 5\na 3\na 2\nq\n' | "$CATI" interview --db b.db --case D3 --interviewer ben >/dev/null
expect_exit 0 "$CATI" sync --user ben --db b.db
unset CATI_PASSWORD
export XDG_CONFIG_HOME="$TMP/cfgS"
expect_exit 0 study cases --study demo --status complete
expect_out "D1               complete   anna"
expect_out "D3               complete   ben"
printf '%s\n' "$OUT" | grep -q '^D2 ' && fail "the status filter let D2 through"
expect_exit 0 study workstations
[ "$(printf '%s\n' "$OUT" | grep -c ' UTC ')" = 3 ] || fail "three workstations with their last sync expected: $OUT"
# in Dutch: the headings and the dates the supervisor's way, the same three rows
expect_exit 0 env LANGUAGE=nl "$CATI" study workstations --store "$URL" --cacert ca.pem --user sup --password-file sup.pw
expect_out "WERKPLEK"
[ "$(printf '%s\n' "$OUT" | grep -c ' [0-3][0-9]-[01][0-9]-20[0-9][0-9] [0-9][0-9]:[0-9][0-9] UTC ')" = 3 ] ||
	fail "three workstations with a Dutch date expected: $OUT"

# in German, with heads of other lengths and umlauts (VERÖFFENTLICHT): every row's columns start
# where the heads do, counted in characters, not bytes
aligned() { # N: the first N columns of every row start under their heads; last: the last column
	printf '%s\n' "$OUT" | python3 -c '
import sys
lines = [l.rstrip("\n") for l in sys.stdin if l.strip()]
starts = lambda l: [i for i in range(len(l)) if l[i] != " " and (i == 0 or l[i - 1] == " ")]
for l in lines[1:]:
    if sys.argv[1] == "last":
        assert starts(l)[-1] == starts(lines[0])[-1], (lines[0], l)
    else:
        n = int(sys.argv[1])
        assert starts(l)[:n] == starts(lines[0])[:n], (lines[0], l)
' "$1"
}
expect_exit 0 env LANGUAGE=de "$CATI" study cases --study demo --status complete --store "$URL" --cacert ca.pem --user sup --password-file sup.pw
aligned 3 || fail "German case list: the columns do not line up with the heads: $OUT"
expect_exit 0 env LANGUAGE=de "$CATI" study forms --store "$URL" --cacert ca.pem --user sup --password-file sup.pw
expect_out "VERÖFFENTLICHT"
aligned last || fail "German forms list: the columns do not line up with the heads: $OUT"

# reassign: D2 from anna to ben; unknown case ids are named and nothing changes
expect_exit 1 study assign --study demo --to ben D2 NOPE X9
expect_out "no case 'NOPE' in study 'demo'"
expect_out "no case 'X9' in study 'demo'"
expect_out "nothing changed"
expect_exit 0 study assign --study demo --to ben D2
expect_out "gave 1 case of demo to ben"
expect_exit 0 study cases --study demo --interviewer ben
expect_out "D2               new        ben"
printf '%s\n' "$OUT" | grep -q '^D1 ' && fail "the interviewer filter let D1 through"
export XDG_CONFIG_HOME="$TMP/cfgB"
CATI_PASSWORD=pw-ben "$CATI" sync --user ben --db b.db >/dev/null || fail "ben's sync after the reassignment"
[ "$(sqlite3 b.db "SELECT count(*) FROM cases WHERE case_key = 'D2' AND withdrawn_at IS NULL")" = 1 ] || fail "ben did not get D2"
export XDG_CONFIG_HOME="$TMP/cfgA"
CATI_PASSWORD=pw-anna "$CATI" sync --user anna --db a.db >/dev/null || fail "anna's sync after the reassignment"
[ "$(sqlite3 a.db "SELECT count(*) FROM cases WHERE case_key = 'D2' AND withdrawn_at IS NULL")" = 0 ] || fail "anna still has D2"
export XDG_CONFIG_HOME="$TMP/cfgS"
expect_exit 0 study take-back --study demo E3
expect_exit 0 study cases --study demo --interviewer -
expect_out "E3               new        -"

# reopen: D4 refused on ben's workstation is called again after his next sync; a finished case
# is not reopened, unknown ids are named
export XDG_CONFIG_HOME="$TMP/cfgB"
expect_exit 0 "$CATI" call --db b.db --case D4 --outcome refusal --interviewer ben
CATI_PASSWORD=pw-ben "$CATI" sync --user ben --db b.db >/dev/null || fail "ben's sync after the refusal"
[ "$(sqlite3 b.db "SELECT status || ' ' || (disposition IS NOT NULL) FROM cases WHERE case_key = 'D4'")" = "refused 1" ] ||
	fail "D4 not closed as refused: $(sqlite3 b.db "SELECT status, disposition FROM cases WHERE case_key = 'D4'")"
export XDG_CONFIG_HOME="$TMP/cfgS"
expect_exit 1 study reopen --study demo D4 NOPE
expect_out "no case 'NOPE' in study 'demo'"
expect_exit 1 study reopen --study demo D3
expect_out "case 'D3' is finished (complete)"
expect_exit 1 "$CATI" study reopen --study demo D4 --store "$URL" --cacert ca.pem --user olga --password-file olga.pw
expect_out "this study is not one of your projects"
export XDG_CONFIG_HOME="$TMP/cfgB"
CATI_PASSWORD=pw-ben "$CATI" sync --user ben --db b.db >/dev/null || fail "ben's sync"
[ "$(sqlite3 b.db "SELECT status FROM cases WHERE case_key = 'D4'")" = refused ] || fail "D4 reopened by a refused request"
export XDG_CONFIG_HOME="$TMP/cfgS"
expect_exit 0 study reopen --study demo D4
expect_out "reopened 1 case of demo"
export XDG_CONFIG_HOME="$TMP/cfgB"
CATI_PASSWORD=pw-ben "$CATI" sync --user ben --db b.db >/dev/null || fail "ben's sync after the reopening"
[ "$(sqlite3 b.db "SELECT status || ' ' || (disposition IS NULL) || ' ' || attempts FROM cases WHERE case_key = 'D4'")" = "new 1 0" ] ||
	fail "D4 not open again: $(sqlite3 b.db "SELECT status, disposition, attempts FROM cases WHERE case_key = 'D4'")"
[ "$(sqlite3 b.db "SELECT count(*) FROM call_attempts a JOIN cases c ON c.id = a.case_id WHERE c.case_key = 'D4'")" = 1 ] ||
	fail "the reopened case lost its call"
export XDG_CONFIG_HOME="$TMP/cfgS"

# a conflict (a record sent again with other content, as tests/e2e/supervise.sh makes one):
# listed, then the conflicting version taken
SUP=$(token sup s3cret)
sqlite3 st/central.db "SELECT uuid || '|' || CAST(data AS TEXT) FROM records WHERE kind = 'interview' AND case_key = 'D1'" >d1.rows
python3 - d1.rows <<'PY' >d1.json
import json, sys
for line in open(sys.argv[1]):
    u, d = line.split("|", 1)
    d = json.loads(d)
    if d.get("status") == "complete":
        print(u)
        print(json.dumps(d))
        break
PY
U=$(head -1 d1.json)
sed -i 1d d1.json
jq -c --arg u "$U" '{records: [{uuid: $u, kind: "interview", data: (. + {updated_at: "2026-03-31T23:59:00.000Z", tampered: true})}]}' d1.json >conflict.json
[ "$(api POST /v1/push "$SUP" conflict.json | jq '.results[0].status')" = 409 ] || fail "no conflict made"
expect_exit 0 study conflicts --study demo
expect_out "conflict 1: case D1, record $U, sent again by sup"
expect_out '"tampered":true'
expect_exit 1 study resolve --conflict 99 --keep stored
expect_out "no such conflict"
expect_exit 1 "$CATI" study resolve --conflict 1 --keep theirs --store "$URL" --cacert ca.pem --user olga --password-file olga.pw
expect_out "this study is not one of your projects"
expect_exit 0 study resolve --conflict 1 --keep theirs
expect_out "conflict 1 resolved: kept the conflicting record"
[ "$(sqlite3 st/central.db "SELECT count(*) FROM conflicts")" = 0 ] || fail "the conflict is still there"
[ "$(sqlite3 st/central.db "SELECT count(*) FROM records WHERE uuid = '$U' AND CAST(data AS TEXT) LIKE '%tampered%'")" = 1 ] ||
	fail "the conflicting record was not taken"
# the taken record is now the stored one: sent once more it is no conflict
[ "$(api POST /v1/push "$SUP" conflict.json | jq '.results[0].status')" = 200 ] || fail "the taken record conflicts with itself"
expect_exit 0 study conflicts --study demo
expect_out "no conflicts in demo"

# duplicates: D1 completed twice; the later one (visit 2026-01-05) is made the one that counts
expect_exit 0 study duplicates --study demo
[ "$(printf '%s\n' "$OUT" | grep -c '^D1 .* anna ')" = 2 ] || fail "D1's two completes not listed: $OUT"
DUP=$(printf '%s\n' "$OUT" | awk '$1 == "D1" && $NF == "duplicate" {print $2}')
[ -n "$DUP" ] || fail "no duplicate of D1 listed: $OUT"
expect_exit 1 study count --study demo --interview no-such-interview
expect_out "no complete 'no-such-interview' in study 'demo'"
expect_exit 0 study count --study demo --interview "$DUP"
expect_exit 0 study duplicates --study demo
printf '%s\n' "$OUT" | grep -q "^D1 *$DUP .* counts$" || fail "$DUP does not count now: $OUT"
expect_exit 0 "$CATI_STORE" check --figures --db st/central.db
expect_out "the kept counts agree with a full count"
expect_exit 0 "$CATI_STORE" report demo --check --db st/central.db
expect_out "the same as a full count"

# export: the two completes that count, D1's the one chosen
expect_exit 0 "$CATI_STORE" export demo --format csv --out demo.csv --db st/central.db
expect_out "exported 2 interviews"
grep -q 2026-01-05 demo.csv || fail "the export lacks the complete chosen to count: $(cat demo.csv)"
grep -q 2026-01-02 demo.csv && fail "the export has the complete made a duplicate"
finish
