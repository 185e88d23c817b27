#!/bin/sh
# Random keys through a pty into the real binary ($CATI; the sanitizer build under make check):
# a short run of tests/e2e/random-keys.py with a fresh seed each time (printed, for a replay).
set -u
cd "$(dirname "$0")/../.."
: "${CATI:=bin/cati}"
exec python3 tests/e2e/random-keys.py --cati "$CATI" --keys 100000 --seconds "${RANDOM_KEYS_SECONDS:-12}"
