#!/bin/sh
# The demo interview with the fewest keys an interviewer needs: every keystroke counted.
. tests/e2e/lib.sh
DB="$TMP/demo.db"
"$CATI" demo --db "$DB" --setup-only || { fail "demo setup"; finish; }
start --db "$DB"
login demo demo
wait_for "Next case to call: D001"
keys n
wait_for "Anna Huber"
keys 1
wait_q intro
count=0
press() { keys "$@"; count=$((count + $#)); }
typed() { type_text "$1"; count=$((count + ${#1})); }
press Enter;               wait_q contact          # intro read
press 1;                   wait_q visit            # yes: one key
typed 2026-05-02; press Enter; wait_q overall
press 2;                   wait_q channel          # satisfied: one key, no reason asked
press 2 Enter;             wait_q wait             # by phone: toggle, confirm; the adviser grid is skipped
typed 15; press Enter;     wait_q months
typed 8; press Enter;      wait_q recommend
press 1;                   wait_for "END OF INTERVIEW: complete"
wait_for "Thank you very much, Anna Huber"
press Enter;               wait_for "recorded: complete"
echo "demo interview: $count keystrokes"
[ "$count" -eq 23 ] || fail "the demo took $count keystrokes, expected 23"
got=$(sql "SELECT group_concat(qid || '=' || value, ' ') FROM (SELECT qid, value FROM answers WHERE on_route = 1 ORDER BY qid)")
[ "$got" = "channel=2 contact=1 months=8 overall=2 recommend=1 visit=2026-05-02 wait=15.0" ] || fail "answers: $got"
finish
