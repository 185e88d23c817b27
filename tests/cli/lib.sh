# lib.sh: helpers for the command-line tests. Source it; $CATI is the binary under test.
: "${CATI:=bin/cati}"
# English unless a test asks for another language (LANGUAGE=de, LANG=nl_NL.UTF-8, ...)
unset LANGUAGE LC_ALL LC_MESSAGES
LANG=C.UTF-8
export LANG
TMP=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect_exit CODE CMD...: run CMD, capture stdout+stderr in $OUT, compare the exit code.
expect_exit() {
	want=$1
	shift
	OUT=$("$@" 2>&1)
	got=$?
	[ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want; output:
$OUT"
}

# expect_out TEXT: $OUT contains TEXT (a fixed string).
expect_out() {
	printf '%s' "$OUT" | grep -qF -- "$1" || fail "output lacks '$1'; output:
$OUT"
}

finish() {
	[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
	echo ok
}
