#!/bin/sh
# The supervisor's console against a real cati-store (HTTPS, a test CA made here) seeded through
# the API with users, the jobseeker form, 60 cases, interviews with answers, calls, a duplicate
# and over-quota completes. Every figure on each page of `cati supervise` (80x24, in tmux) and in
# `cati-store report --format csv` is compared with what tests/e2e/supervise_data.py computes
# from the raw records on its own; a record pushed while the console runs shows up by itself.
. tests/e2e/lib.sh
. tests/support/store.sh
: "${CATI_STORE:=bin/cati-store}"
CATI=$(cd "$(dirname "$CATI")" && pwd)/$(basename "$CATI")
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
DATA=$(pwd)/tests/e2e/supervise_data.py
FORMS=$(pwd)/forms
cd "$TMP" || exit 1
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; stop_store; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

make_ca
echo s3cret | "$CATI_STORE" user add sup --role supervisor --projects cms_jobseeker --db central.db >/dev/null
echo pw-other | "$CATI_STORE" user add other --role supervisor --projects cms_employer --db central.db >/dev/null
for u in anna ben cara; do echo "pw-$u" | "$CATI_STORE" user add $u --role interviewer --db central.db >/dev/null; done
start_store central.db
SUP=$(token sup s3cret)
[ ${#SUP} -eq 64 ] || { fail "no supervisor token"; finish; }

# the form, cell 9,1 of the region x type quota lowered to 2, the cases and the records
python3 -c 'import json,sys; print(json.dumps({"source": open(sys.argv[1]).read()}))' "$FORMS/cms_jobseeker.form" >pub.json
HASH=$(api POST /v1/forms "$SUP" pub.json | jq -r .hash)
printf '{"study":"cms_jobseeker","quota":"region_type","cell":"9,1","target":2}' >quota.json
[ "$(api POST /v1/quotas "$SUP" quota.json)" = '{"changed":1}' ] || fail "lowering the 9,1 target"
python3 "$DATA" seed "$HASH"
[ "$(api POST /v1/cases "$SUP" cases.json)" = '{"cases":60}' ] || fail "uploading the cases"
for b in push1 push2; do
	api POST /v1/push "$SUP" $b.json >$b.out
	[ "$(jq '[.results[] | select(.status != 200)] | length' $b.out)" = 0 ] || fail "$b: $(cat $b.out)"
done
python3 "$DATA" expect "$(date +%s)"
[ "$(jq '.over | length' expected.json)" -ge 1 ] && [ "$(jq '.duplicates | length' expected.json)" = 1 ] ||
	fail "the seed should make over-quota completes and a duplicate"
# a record sent again with other content (its interview's end moved): a conflict, kept aside and
# listed on the problems page, not counted
jq '{records: [.records[] | select(.kind == "interview")][0:1] | map(.data.updated_at = "2026-03-31T23:59:00.000Z")}' push1.json >conflict.json
api POST /v1/push "$SUP" conflict.json >conflict.out
[ "$(jq '.results[0].status' conflict.out)" = 409 ] || fail "the changed record was not a conflict: $(cat conflict.out)"
jq --slurpfile c conflict.json '.conflicts = [$c[0].records[0] | {uuid, case: .data.case, interviewer: .data.interviewer}]' \
	expected.json >expected.tmp && mv expected.tmp expected.json
# anna's workstation talks to the store now: she is logged in, ben and cara are not
ANNA=$(token anna pw-anna)
api GET "/v1/pull?cursor=0" "$ANNA" >/dev/null

# the API: supervisors of other projects and interviewers get 403
[ "$(api GET "/v1/report?study=cms_jobseeker" "$(token other pw-other)" | jq -r .error)" = "this study is not one of your projects" ] ||
	fail "another project's supervisor read the report"
[ "$(api GET "/v1/report?study=cms_jobseeker" "$ANNA" | jq -r .error)" = "this study is not one of your projects" ] ||
	fail "an interviewer read the report"
[ "$(api GET "/v1/report" "$SUP" | jq -r .error)" = "say which study: /v1/report?study=NAME" ] || fail "no study"
[ "$(api GET "/v1/report?study=cms_jobseeker" "$SUP" | jq -r .totals.completes)" = "$(jq .completes expected.json)" ] ||
	fail "completes over the API"

# the same figures without a screen
"$CATI_STORE" report cms_jobseeker --db central.db --format csv >report.csv || fail "cati-store report --format csv"
python3 "$DATA" csv report.csv || fail "cati-store report --format csv differs from the raw records"
"$CATI_STORE" report cms_jobseeker --db central.db --section results --question sat_overall >report.txt
grep -q "^sat_overall  All in all" report.txt || fail "cati-store report --section results"
# in German: the text report in German words and numbers, the CSV the same bytes as in English
LANGUAGE=de "$CATI_STORE" report cms_jobseeker --db central.db --section dispositions >report-de.txt
grep -Eq "^RR1 +[0-9]+,[0-9] %" report-de.txt && grep -q "^Was die Klassen und Raten bedeuten" report-de.txt ||
	fail "cati-store report in German: $(head -20 report-de.txt)"
LANGUAGE=de "$CATI_STORE" report cms_jobseeker --db central.db --format csv >report-de.csv
cmp -s report.csv report-de.csv || fail "the CSV report changed with the language: $(diff report.csv report-de.csv | head -5)"
OUT=$("$CATI_STORE" report cms_jobseeker --db central.db --section nosuch 2>&1) && fail "a bad section was taken"
printf '%s' "$OUT" | grep -q "no section 'nosuch'" || fail "bad section message: $OUT"

# the console: enrolled like a workstation, a supervisor's password from a file
export XDG_CONFIG_HOME="$TMP/cfg"
"$CATI" enroll "$URL" --cacert ca.pem >/dev/null || fail "enroll"
echo s3cret >sup.pw
echo pw-other >other.pw
echo wrong >wrong.pw
OUT=$("$CATI" supervise --study cms_jobseeker --user other --password-file other.pw 2>&1) && fail "other's console opened"
printf '%s' "$OUT" | grep -q "not one of your projects" || fail "other's console: $OUT"
OUT=$("$CATI" supervise --study cms_jobseeker --user sup --password-file wrong.pw 2>&1) && fail "a wrong password opened the console"
printf '%s' "$OUT" | grep -q "wrong user name or password" || fail "wrong password: $OUT"

start supervise --study cms_jobseeker --user sup --password-file sup.pw --every 2
wait_for "refreshed" 10

# collect PAGEFILE: every body line of the page (just switched to, so at its top), scrolling
# down; 'index<TAB>line' per line (the status line's "lines 1-19 of 38" in any language)
collect() {
	: >"$1"
	_last=""
	_n=0
	while [ $_n -lt 40 ]; do
		_s=$(screen)
		_ind=$(printf '%s\n' "$_s" | sed -n "$((ROWS - 1))p" | sed -n 's/.*│ [^ ]* \([0-9]*\)-\([0-9]*\) [^ ]* \([0-9]*\) *$/\1 \2 \3/p')
		set -- "$1" ${_ind:-1 0 0}
		[ "$_ind" = "$_last" ] && [ -n "$_ind" ] && { sleep 0.05; _n=$((_n + 1)); continue; }
		printf '%s\n' "$_s" | sed -n "4,$((ROWS - 2))p" | awk -v first="$2" '{ printf "%d\t%s\n", first + NR - 1, $0 }' >>"$1"
		[ -z "$_ind" ] || [ "$3" -ge "$4" ] && return 0
		_last=$_ind
		keys NPage
		_n=0
	done
	fail "collect: the page did not scroll"
}

# page NUMBER TAB: switch to a page and wait until its tab is the current one
page() {
	keys "$1"
	wait_for "[$1 $2" 5
}

page 1 Quotas
wait_for "f filter: all" 5
collect quotas.txt
python3 "$DATA" quotas quotas.txt || fail "the quotas page differs from the raw records"
# f: the open cells, the nearly full, the full ones, and all again
for f in open "nearly full" full; do
	keys f
	wait_for "f filter: $f" 5
	collect "quotas-$f.txt"
	python3 "$DATA" quotas "quotas-$f.txt" "$f" || fail "the quotas page filtered to $f is wrong"
done
keys f
wait_for "f filter: all" 5
# F1: the legend of every rate, one line each; F1 again goes back
keys F1
wait_for "[F1 legend]" 5
collect legend.txt
for m in RR1 RR2 RR3 RR4 RR5 RR6 COOP1 COOP2 COOP3 COOP4 REF1 REF2 REF3 CON1 CON2 CON3 e UR; do
	cut -f2- legend.txt | grep -Eq "^ +$m +[a-z]" || fail "no legend line for $m"
done
cut -f2- legend.txt | grep -q "UR +unknown if respondent" || cut -f2- legend.txt | grep -Eq "UR +unknown if respondent" ||
	fail "UR is not explained as unknown if respondent"
keys F1
wait_for "[1 Quotas]" 5
page 2 Interviewers
collect interviewers.txt
python3 "$DATA" interviewers interviewers.txt || fail "the interviewers page differs from the raw records"
page 3 Dispositions
collect dispositions.txt
python3 "$DATA" dispositions dispositions.txt || fail "the dispositions page differs from the raw records"
page 4 Results
for q in sat_registration sat_adviser offers_fit sat_course sat_overall sat_hotline; do
	wait_for "$q  " 5
	collect "results-$q.txt"
	python3 "$DATA" results "results-$q.txt" "$q" || fail "results of $q differ from the raw records"
	keys Right
done
wait_for "[4 Results 6/6]"
page 5 Problems
collect problems.txt
python3 "$DATA" problems problems.txt || fail "the problems page differs from the raw records"
check_layout

# a call recorded while the console is open shows up at its next refresh: C058 (never called,
# 3.11) is refused
page 3 Dispositions
before_311=$(jq '.dispositions["3.11"]' expected.json)
before_2112=$(jq '.dispositions["2.112"] // 0' expected.json)
printf '{"records":[{"uuid":"ffffffff-0000-4000-8000-000000000001","kind":"attempt","data":{"uuid":"ffffffff-0000-4000-8000-000000000001","case":"C058","interviewer":"cara","at":"2026-03-09T10:00:00.000Z","outcome":"refusal","disposition":"2.112"}}]}' >late.json
api POST /v1/push "$SUP" late.json >/dev/null
_t=0
until screen | grep -Eq "^ 2\.112 .* R +$((before_2112 + 1))\$"; do
	_t=$((_t + 1))
	[ $_t -lt 100 ] || { fail "the late call did not show up"; break; }
	sleep 0.05
done
collect late.txt
cut -f2- late.txt | grep -Eq "^ 3\.11 .* UH +$((before_311 - 1))\$" || fail "3.11 after the late call: $(grep 3.11 late.txt)"
cut -f2- late.txt | grep -Eq "^ 2\.112 .* R +$((before_2112 + 1))\$" || fail "2.112 after the late call: $(grep 2.112 late.txt)"

# r refreshes at once; q quits and restores the terminal
keys r
wait_for "refreshed" 5
keys q
wait_for "EXITED 0" 5

# the console in German and in Dutch at 80x24: every page and the legend fit, no line wider
# than the terminal, the tab bar, the column heads and the footer whole (not cut: they end as
# they should, no "…"); rates and shares the same figures as in English, written 62,5 % (de)
# and 62,5% (nl); the problem lists' dates 31.12.2026 (de) and 31-12-2026 (nl)
GOLDEN=$(cd "$(dirname "$DATA")" && pwd)/golden
# whole LINE: the screen row N is not cut
row() { screen | sed -n "${1}p"; }
lang_console() {
	L=$1
	UI_LANG=$L start supervise --study cms_jobseeker --user sup --password-file sup.pw --every 60
	wait_for "$2" 10
	for p in 1 2 3 4 5 6 F1; do
		keys "$p"
		case $p in
		F1) wait_for "$3" 5 ;;
		*) wait_for "[$p " 5 ;;
		esac
		check_layout
		row 2 | grep -q "…" && fail "$L page $p: the tab bar is cut: $(row 2)"
		row 24 | grep -q "…" && fail "$L page $p: the footer is cut: $(row 24)"
		row 24 | grep -Eq "$4\$" || fail "$L page $p: the footer does not end with its last key: $(row 24)"
		if [ "$p" != F1 ] && row 4 | grep -q "…"; then fail "$L page $p: a column head is cut: $(row 4)"; fi
		row 3 | grep -q "…" && fail "$L page $p: the totals are cut: $(row 3)"
		[ "$p" = 4 ] && { row 2 | grep -Eq "^\[1 |^ 1 [A-Z]" || fail "$L: the tab names gave way: $(row 2)"; }
		[ "$p" = F1 ] && {
			screen | sed -n '1,22p' >"legend-$L.txt"
			diff -u "$GOLDEN/supervise-legend-$L.txt" "legend-$L.txt" >/dev/null ||
				{ [ -n "${GOLDEN_UPDATE:-}" ] && cp "legend-$L.txt" "$GOLDEN/supervise-legend-$L.txt"; } ||
				fail "$L legend differs from $GOLDEN/supervise-legend-$L.txt: $(diff -u "$GOLDEN/supervise-legend-$L.txt" "legend-$L.txt" | head -20)"
			keys F1
		}
		screen >"page$p-$L.screen"
		# the quota tables' column heads, whole
		[ "$p" = 1 ] && { grep -E "^   (Zelle|cel) " "page1-$L.screen" | grep -q . || fail "$L: no quota table heads"; }
		[ "$p" = 1 ] && grep -E "^   (Zelle|cel) " "page1-$L.screen" | grep -q "…" && fail "$L: a quota column head is cut"
		[ "$p" = 3 ] && collect "dispositions-$L.txt"
		[ "$p" = 5 ] && collect "problems-$L.txt"
	done
	keys q
	wait_for "EXITED 0" 5
}
lang_console de "erneuert" "[F1 Legende]" "q Ende"
lang_console nl "vernieuwd" "[F1 legenda]" "q stoppen"
# the rates: the same figures, each in its language's writing (the lines may break elsewhere)
rates() { sort -un "$1" | cut -f2- | grep -E "^ (RR|COOP|REF|CON)[0-9]" | sed "s/\([0-9]\),\([0-9]\)$2/\1.\2%/g" | tr -s ' ' '\n' | grep .; }
# (late.txt: the English page after the late call, as these two saw it)
[ "$(rates late.txt % | wc -l)" -ge 32 ] || fail "no rates on the English dispositions page"
[ "$(rates dispositions-de.txt ' %')" = "$(rates late.txt %)" ] || fail "German rates differ: $(rates dispositions-de.txt ' %' | head -4)"
[ "$(rates dispositions-nl.txt %)" = "$(rates late.txt %)" ] || fail "Dutch rates differ: $(rates dispositions-nl.txt % | head -4)"
cut -f2- dispositions-de.txt | grep -Eq "^ RR1 +[0-9]+,[0-9] %" || fail "German rates not written 62,5 %"
cut -f2- problems-de.txt | grep -Eq " [0-3][0-9]\.[01][0-9]\.20[0-9][0-9] [0-2][0-9]:" || fail "German dates not 31.12.2026"
cut -f2- problems-nl.txt | grep -Eq " [0-3][0-9]-[01][0-9]-20[0-9][0-9] [0-2][0-9]:" || fail "Dutch dates not 31-12-2026"
finish
