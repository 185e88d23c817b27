#!/bin/sh
# The store's sync test suites again, on PostgreSQL: the same scripts, unchanged, with
# cati-store's --db FILE turned into --pg URL (tests/support/pg-bin/cati-store) and the scripts'
# sqlite3 queries of the store sent to psql (pg-bin/sqlite3). One private PostgreSQL server for
# all of them, started here and stopped after. PG_SUITES picks the scripts.
. tests/cli/lib.sh
. tests/support/pg.sh
: "${CATI_STORE:=bin/cati-store}"
: "${PG_SUITES:=tests/cli/sync.sh tests/cli/figures.sh tests/cli/sync-faults.sh tests/cli/locks.sh tests/cli/quotas.sh tests/cli/identity.sh tests/cli/hostile.sh tests/cli/hardening.sh tests/cli/flood.sh tests/cli/workstations.sh tests/e2e/supervise.sh tests/e2e/session-lock.sh tests/cli/report-figures.sh tests/cli/export-store.sh tests/e2e/oncall.sh tests/cli/worktime.sh tests/cli/rates.sh tests/cli/ops.sh tests/cli/study.sh tests/cli/privacy-export.sh tests/cli/erase.sh tests/cli/dnc.sh tests/cli/shared-laptop.sh}"
# PG_PART=K/N: only every N-th of them, from the K-th (run-shell-tests runs the halves side by side,
# each with a server of its own)
if [ -n "${PG_PART:-}" ]; then
	k=${PG_PART%/*} n=${PG_PART#*/} i=0 part=""
	for t in $PG_SUITES; do
		[ $((i % n + 1)) = "$k" ] && part="$part $t"
		i=$((i + 1))
	done
	PG_SUITES=$part
fi
trap 'stop_pg; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
start_pg || finish
CATI_STORE_REAL=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
PGBASE=${PGURL%postgres}
export PGBIN PGBASE CATI_STORE_REAL
for t in $PG_SUITES; do
	out=$(PATH="$PWD/tests/support/pg-bin:$PATH" CATI_STORE="$PWD/tests/support/pg-bin/cati-store" sh "$t" 2>&1)
	rc=$?
	if [ $rc = 0 ]; then
		echo "  on PostgreSQL: $t ok"
		# the figures the closing notes quote: the hostile suite's counts, requests served in a flood
		printf '%s\n' "$out" | grep -E '^hostile:|served during the flood' | sed 's/^/    /'
	else
		fail "$t on PostgreSQL:
$out"
	fi
done
finish
