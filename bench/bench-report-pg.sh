#!/bin/sh
# bench-report-pg.sh: bench_report on SQLite and on a private PostgreSQL server started here
# (tests/support/pg.sh, fsync on as in production) and stopped after. YEARS=N sizes the store.
. tests/cli/lib.sh
. tests/support/pg.sh
BENCH=${BENCH:-build/bench/bench_report}
trap 'stop_pg; rm -rf "$TMP"' EXIT
PG_FSYNC=on start_pg || finish
PATH="$PGBIN:$PATH" BENCH_PG_URL="$PGURL" "$BENCH" || fail "bench_report on PostgreSQL"
finish
