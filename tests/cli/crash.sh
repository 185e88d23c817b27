#!/bin/sh
# Crash test: 200 SIGKILLs at random moments during interviews of every shipped form; after
# each, integrity_check passes, every acknowledged answer is stored, resume is exact.
. tests/cli/lib.sh
"${BUILD:-build}/tests/crash_driver" "$CATI" "$TMP" "${CRASH_KILLS:-200}" "${CRASH_SEED:-$$}" forms/*.form || fail "crash test failed (seed ${CRASH_SEED:-$$})"
finish
