# store.sh: helpers for tests that talk to a real cati-store. Source after tests/cli/lib.sh,
# inside $TMP. $CATI_STORE is the server binary.

# make_ca: a private CA (ca.pem), a certificate for 127.0.0.1 signed by it (srv.pem, srv.key).
make_ca() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=cati test CA" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj "/CN=127.0.0.1" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' >ext
	openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext 2>/dev/null
}

# start_store DB [ARGS...]: serve DB over HTTPS on a free port (or --port N); sets $server, $URL.
start_store() {
	db=$1
	shift
	rm -f server.out   # (the loop below must not read the last server's line)
	: >server.out
	"$CATI_STORE" serve --db "$db" --cert srv.pem --key srv.key "$@" >server.out 2>&1 &
	server=$!
	n=0
	while ! grep -q listening server.out && [ $n -lt 600 ]; do sleep 0.05; n=$((n + 1)); done
	URL=$(sed -n 's/.*listening on \(https:[^ ]*\).*/\1/p' server.out)
	[ -n "$URL" ] || fail "the store did not start: $(cat server.out)"
}

stop_store() {
	kill "$server" 2>/dev/null
	wait "$server" 2>/dev/null
}

# api METHOD PATH TOKEN [BODYFILE]: the answer's body on stdout.
api() {
	if [ -n "${4:-}" ]; then
		curl -s --cacert ca.pem -X "$1" -H "Authorization: Bearer $3" --data-binary @"$4" "$URL$2"
	else
		curl -s --cacert ca.pem -X "$1" -H "Authorization: Bearer $3" "$URL$2"
	fi
}

# token USER PASSWORD: a bearer token, or "".
token() {
	printf '{"user":"%s","password":"%s"}' "$1" "$2" >login.json
	curl -s --cacert ca.pem --data-binary @login.json "$URL/v1/login" |
		python3 -c 'import json,sys; print(json.load(sys.stdin).get("token",""))'
}

# same_records WORKSTATION.db CENTRAL.db: every record queued on the workstation is in the store
# exactly once with the same content (the store may hold other workstations' records too).
# (Records with personal data are sealed in the workstation's file: read through cati, with the
# interviewer's password in $CATI_PASSWORD.)
same_records() {
	"${CATI:-bin/cati}" doctor --db "$1" --sql "SELECT uuid || ' ' || payload FROM outbox ORDER BY uuid" >local.txt
	sqlite3 "$2" "SELECT uuid || ' ' || data FROM records ORDER BY uuid" >central.txt
	python3 - local.txt central.txt <<'PY'
import json, sys
def load(p):
    out = {}
    for line in open(p):
        u, d = line.split(" ", 1)
        assert u not in out, "twice: " + u
        out[u] = json.loads(d)
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
missing = [k for k in a if k not in b]
assert not missing, ("missing in the store", len(missing))
differ = [k for k in a if a[k] != b[k]]
assert not differ, ("content differs", differ[:3])
PY
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# store_pg_url FILE: under tests/cli/pg-suites.sh (PGBASE set), a fresh PostgreSQL database for
# `cati-store init --pg`: FILE names it for the test's --db and sqlite3 (tests/support/pg-bin)
# and its URL is printed; without PostgreSQL nothing is printed (the store is SQLite).
store_pg_url() {
	[ -n "${PGBASE:-}" ] || return 0
	name=init$(date +%s%N)$$
	"$PGBIN/psql" -X -q "${PGBASE}postgres" -c "CREATE DATABASE $name" >/dev/null || return 1
	printf 'cati-pg-store %s%s\n' "$PGBASE" "$name" >"$1"
	printf '%s%s\n' "$PGBASE" "$name"
}

# serve_conf LOG ARGS...: serve with ARGS until "listening" (sets $server, $URL)
serve_conf() {
	log=$1
	shift
	: >"$log"
	"$CATI_STORE" serve "$@" >"$log" 2>&1 &
	server=$!
	n=0
	while ! grep -q listening "$log" && [ $n -lt 600 ]; do sleep 0.05; n=$((n + 1)); done
	URL=$(sed -n 's/.*listening on \(https:[^ ]*\).*/\1/p' "$log")
	[ -n "$URL" ] || { fail "the store did not start: $(cat "$log")"; finish; exit 1; }
}
