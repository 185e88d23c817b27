#!/bin/sh
# The PostgreSQL backend's schema: a real PostgreSQL server started here on a private port and
# socket directory; cati-store migrate creates the schema, runs again as a no-op, two instances
# migrating at once do it once, and a database of a newer store is refused untouched.
. tests/cli/lib.sh
. tests/support/pg.sh
: "${CATI_STORE:=bin/cati-store}"
CATI_STORE=$(cd "$(dirname "$CATI_STORE")" && pwd)/$(basename "$CATI_STORE")
trap 'stop_pg; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
start_pg || finish
PSQL="$PGBIN/psql -X -A -t -q $PGURL"

# two instances starting at once: one sets the schema up, the other finds it done
"$CATI_STORE" migrate --pg "$PGURL" >m1.out 2>&1 &
p1=$!
"$CATI_STORE" migrate --pg "$PGURL" >m2.out 2>&1
r2=$?
wait $p1
r1=$?
[ $r1 = 0 ] && [ $r2 = 0 ] || fail "migrate failed: $(cat m1.out m2.out)"
cat m1.out m2.out | grep -q "schema moved from version 0 to" || fail "no instance set the schema up: $(cat m1.out m2.out)"
cat m1.out m2.out | grep -q "up to date" || fail "the second instance should find the schema done: $(cat m1.out m2.out)"
[ "$($PSQL -c 'SELECT count(*) FROM cati_schema')" = 1 ] || fail "one version row expected"
for t in users tokens forms cases records conflicts reassignments interviews answers attempts quota_cells interview_cells grants seen locks; do
	[ "$($PSQL -c "SELECT to_regclass('public.$t') IS NOT NULL")" = t ] || fail "table $t missing"
done
# the reassignment trigger works as on SQLite
$PSQL -c "INSERT INTO cases VALUES ('K1', 's', '+43', NULL, NULL, '{}', 'anna', 1);
          UPDATE cases SET interviewer = 'ben', seq = 2 WHERE case_key = 'K1'"
[ "$($PSQL -c "SELECT from_interviewer FROM reassignments WHERE case_key = 'K1'")" = anna ] || fail "reassignment not logged"
expect_exit 0 "$CATI_STORE" migrate --pg "$PGURL"
expect_out "up to date"
# a newer store's database: refused, nothing changed
$PSQL -c "UPDATE cati_schema SET version = 99"
expect_exit 1 "$CATI_STORE" migrate --pg "$PGURL"
expect_out "set up by a newer cati-store (schema 99"
[ "$($PSQL -c 'SELECT version FROM cati_schema')" = 99 ] || fail "a refused migration changed the version"
# bad addresses: a clear message
expect_exit 1 "$CATI_STORE" migrate --pg "postgresql://cati@127.0.0.1:1/postgres"
expect_out "cannot connect to PostgreSQL"
expect_exit 2 "$CATI_STORE" migrate
expect_out "usage: cati-store migrate --pg"
finish
