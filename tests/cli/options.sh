#!/bin/sh
# Command-line options of both programs (issue 19): every command's --help prints its usage on
# stdout with exit 0; an unknown option is refused with exit 2 and that command's usage on stderr;
# numbers are checked against their ranges, naming the option and the value; --version; and a
# command that only reads a database creates nothing when the database is not there.
. tests/cli/lib.sh
: "${CATI_STORE:=bin/cati-store}"
case "$CATI" in /*) ;; *) CATI="$PWD/$CATI" ;; esac
case "$CATI_STORE" in /*) ;; *) CATI_STORE="$PWD/$CATI_STORE" ;; esac
cd "$TMP" || exit 1
export HOME="$TMP"
unset CATI_DB CATI_STUDY

# run3 CMD...: stdout in $STDOUT, stderr in $STDERR, exit status in $RC
run3() {
	# a timeout: a server that wrongly starts (the old --port abc) ends as a failure, not a hang
	timeout 20 "$@" >out.txt 2>err.txt </dev/null
	RC=$?
	STDOUT=$(cat out.txt)
	STDERR=$(cat err.txt)
}

# help_ok WHAT CMD...: --help gives the usage on stdout, nothing on stderr, exit 0
help_ok() {
	what=$1
	shift
	run3 "$@" --help
	[ "$RC" -eq 0 ] || fail "$what --help exited $RC: $STDERR"
	case "$STDOUT" in *usage:*) ;; *) fail "$what --help: no usage on stdout: $STDOUT" ;; esac
	[ -z "$STDERR" ] || fail "$what --help wrote to stderr: $STDERR"
}

# unknown_refused WHAT CMD...: an unknown option exits 2 with that command's usage on stderr
unknown_refused() {
	what=$1
	shift
	run3 "$@" --no-such-option
	[ "$RC" -eq 2 ] || fail "$what --no-such-option exited $RC"
	case "$STDERR" in *"unknown option '--no-such-option'"*usage:*"$what"*) ;;
	*) fail "$what --no-such-option: no message and usage of $what on stderr: $STDERR" ;; esac
	[ -z "$STDOUT" ] || fail "$what --no-such-option wrote to stdout: $STDOUT"
}

# bad_number WANT_TEXT CMD...: exit 2 and WANT_TEXT on stderr
bad_number() {
	want=$1
	shift
	run3 "$@"
	[ "$RC" -eq 2 ] || fail "'$*' exited $RC, expected 2"
	case "$STDERR" in *"$want"*) ;; *) fail "'$*': stderr lacks \"$want\": $STDERR" ;; esac
}

# every command of cati
help_ok "cati" "$CATI"
for c in demo check show walk "sample import" "sample example" interview enroll sync next call appointment \
	"report" supervise export doctor simulate; do
	# shellcheck disable=SC2086
	help_ok "cati $c" "$CATI" $c
	# shellcheck disable=SC2086
	unknown_refused "cati $c" "$CATI" $c
done
run3 "$CATI" --no-such-option
[ "$RC" -eq 2 ] || fail "cati --no-such-option exited $RC"
case "$STDERR" in *"usage: cati [--db PATH]"*) ;; *) fail "cati --no-such-option: no usage: $STDERR" ;; esac
run3 "$CATI" sample --help
[ "$RC" -eq 0 ] && [ -n "$STDOUT" ] || fail "cati sample --help: exit $RC, stdout '$STDOUT'"

# every command of cati-store
help_ok "cati-store" "$CATI_STORE"
for c in serve migrate "user add" "user passwd" "user projects" "user disable" "user delete" export workstation \
	quota report check init backup; do
	# shellcheck disable=SC2086
	help_ok "cati-store $c" "$CATI_STORE" $c
	# shellcheck disable=SC2086
	unknown_refused "cati-store $(echo $c | cut -d' ' -f1)" "$CATI_STORE" $c
done
run3 "$CATI_STORE" no-such-command
[ "$RC" -eq 2 ] || fail "cati-store no-such-command exited $RC"

# --version: the program's name and the one version of both
run3 "$CATI" --version
[ "$RC" -eq 0 ] || fail "cati --version exited $RC"
printf '%s\n' "$STDOUT" | grep -Eq '^cati [0-9]+\.[0-9]+\.[0-9]+$' || fail "cati --version: $STDOUT"
v1=${STDOUT#cati }
run3 "$CATI_STORE" --version
[ "$RC" -eq 0 ] || fail "cati-store --version exited $RC"
[ "$STDOUT" = "cati-store $v1" ] || fail "cati-store --version: '$STDOUT', expected 'cati-store $v1'"

# numbers: the option and the bad value in the message; nothing served, nothing made
for p in abc 99999 -1 8443x ''; do
	bad_number "cati-store: --port: '$p' is not a number from 0 to 65535" \
		"$CATI_STORE" serve --db served.db --insecure-http --port "$p"
done
bad_number "cati-store serve: unknown option '--prot'" "$CATI_STORE" serve --db served.db --insecure-http --prot 8443
[ ! -e served.db ] || fail "a refused serve made served.db"
bad_number "--connections-per-address: '0' is not a number from 1 to 1000" \
	"$CATI_STORE" serve --db served.db --insecure-http --connections-per-address 0
bad_number "--fault-delay-ms: 'soon' is not a number" \
	"$CATI_STORE" serve --db served.db --insecure-http --faults 500@1 --fault-delay-ms soon
bad_number "--width: '5' is not a number from 40 to 1000" "$CATI_STORE" report s --db x.db --width 5
bad_number "--target: '1e3' is not a number from 0 to 1000000" "$CATI_STORE" quota set s q --target 1e3 --db x.db
bad_number "--allowance: '-2' is not a number from 0 to 1000" "$CATI_STORE" quota set s q --allowance -2 --db x.db
bad_number "cati sync: --every: '0' is not a number from 1 to 3600" "$CATI" sync --user u --every 0
bad_number "cati sync: --repeat: 'many' is not a number" "$CATI" sync --user u --repeat many
bad_number "cati enroll: --batch: 'x' is not a number" "$CATI" enroll https://127.0.0.1:1 --batch x
bad_number "cati enroll: --timeout: '0' is not a number" "$CATI" enroll https://127.0.0.1:1 --timeout 0
bad_number "cati simulate: -n: '0' is not a number from 1" "$CATI" simulate f.form -n 0
bad_number "cati sample example: -n: 'ten' is not a number" "$CATI" sample example f.form -n ten
bad_number "cati supervise: --every: '99999' is not a number" "$CATI" supervise --study s --every 99999
bad_number "cati report: --e: '2' is not a number from 0 to 1" "$CATI" report rates --e 2
bad_number "option '--port' needs a value" "$CATI_STORE" serve --db served.db --insecure-http --port
[ ! -e served.db ] || fail "a refused serve made served.db"

# a command that reads a database never makes one: not the file, not its directory
for cmd in "doctor" "report rates" "report quotas" "export --study s --format csv --out o.csv"; do
	# shellcheck disable=SC2086
	run3 "$CATI" $cmd --db "$TMP/no/such/dir/x.db"
	[ "$RC" -eq 2 ] || fail "cati $cmd on a missing database exited $RC"
	case "$STDERR" in *"cannot open database '$TMP/no/such/dir/x.db': no such file"*) ;;
	*) fail "cati $cmd on a missing database: $STDERR" ;; esac
	[ ! -e "$TMP/no" ] || fail "cati $cmd made $(find "$TMP/no")"
	case "$STDOUT" in *"integrity ok"*) fail "cati $cmd reports a missing database as ok" ;; esac
done
run3 "$CATI" doctor --db missing.db
[ "$RC" -eq 2 ] && [ ! -e missing.db ] || fail "cati doctor made missing.db (exit $RC)"
CATI_DB="$TMP/no/env.db" run3 "$CATI" doctor
[ "$RC" -eq 2 ] && [ ! -e "$TMP/no" ] || fail "cati doctor with \$CATI_DB made a database (exit $RC)"
for cmd in "export s --format csv --out o.csv" "report s" "report s --check" "check --figures" "quota list s" \
	"quota set s q --target 3" "workstation list" "workstation retire w1" "user passwd ann" "user disable ann"; do
	# shellcheck disable=SC2086
	run3 "$CATI_STORE" $cmd --db "$TMP/no/such/dir/c.db"
	[ "$RC" -eq 2 ] || fail "cati-store $cmd on a missing store exited $RC"
	case "$STDERR" in *"cannot open database '$TMP/no/such/dir/c.db': no such file"*) ;;
	*) fail "cati-store $cmd on a missing store: $STDERR" ;; esac
	[ ! -e "$TMP/no" ] || fail "cati-store $cmd made $(find "$TMP/no")"
done
[ ! -e o.csv ] || fail "an export from a missing store wrote o.csv"

# what worked keeps working: a store made by user add, read by the readers
echo pw-ann | "$CATI_STORE" user add ann --role supervisor --db c.db >/dev/null 2>&1 || fail "user add"
run3 "$CATI_STORE" workstation list --db c.db
[ "$RC" -eq 0 ] || fail "workstation list on a store: exit $RC: $STDERR"
run3 "$CATI_STORE" check --figures --db c.db
[ "$RC" -eq 0 ] || fail "check --figures on a store: exit $RC: $STDERR"
"$CATI" demo --setup-only --db ws.db --form "$OLDPWD/forms/demo.form" --sample "$OLDPWD/forms/demo-sample.csv" \
	>/dev/null 2>&1 || fail "demo --setup-only"
run3 "$CATI" doctor --db ws.db
[ "$RC" -eq 0 ] || fail "doctor on a database: exit $RC: $STDERR"
run3 "$CATI" report rates --db ws.db --e 0.5
[ "$RC" -eq 0 ] || fail "report rates --e 0.5: exit $RC: $STDERR"
finish
