# pg.sh: a private PostgreSQL server for a test: data and socket under $TMP/pg, a free port on
# 127.0.0.1, trust authentication for the user "cati". Source after tests/cli/lib.sh. Tests run
# without fsync (PG_FSYNC=on for benchmarks).

# start_pg: initdb and start; sets $PGURL. As root the server runs as the postgres user.
start_pg() {
	PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -x "$PGBIN/initdb" ] || { fail "PostgreSQL is not installed (scripts/install-deps installs it)"; return 1; }
	mkdir -p "$TMP/pg"
	PGRUN=""
	if [ "$(id -u)" = 0 ]; then
		chmod 755 "$TMP"
		chown postgres "$TMP/pg"
		PGRUN="runuser -u postgres --"
	fi
	$PGRUN "$PGBIN/initdb" -D "$TMP/pg/data" -A trust -U cati >"$TMP/pg.init.log" 2>&1 ||
		{ fail "initdb failed: $(cat "$TMP/pg.init.log")"; return 1; }
	PGPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	$PGRUN "$PGBIN/pg_ctl" -D "$TMP/pg/data" -l "$TMP/pg/log" -w -t 30 \
		-o "-p $PGPORT -k $TMP/pg -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off}" start >/dev/null 2>&1 ||
		{ fail "PostgreSQL did not start: $(cat "$TMP/pg/log")"; return 1; }
	PGURL="postgresql://cati@127.0.0.1:$PGPORT/postgres"
}

stop_pg() {
	[ -n "${PGBIN:-}" ] && $PGRUN "$PGBIN/pg_ctl" -D "$TMP/pg/data" -m fast -w stop >/dev/null 2>&1
	return 0
}
