#!/bin/sh
# Random keys into the whole workstation over every shipped form, with the invariants checked
# after each key (tests/model/keys_model.c). make test: a 15 s run; make fuzz: a million keys
# (KEYS_MODEL_KEYS). A failure prints the seed: KEYS_MODEL_SEED=... replays it.
set -u
cd "$(dirname "$0")/../.."
: "${CATI:=bin/cati}" "${BUILD:=build}"
MODEL="$BUILD/tests/keys_model"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# a long run needs more cases, or it ends on a case list with none left to call
cases=200
[ -n "${KEYS_MODEL_KEYS:-}" ] && cases=5000
set --
for f in forms/*.form; do
	name=$(basename "$f" .form)
	"$CATI" sample example "$f" -n "${KEYS_MODEL_CASES:-$cases}" >"$TMP/$name.csv" || { echo "FAIL: no example sample for $f"; exit 1; }
	set -- "$@" "$f" "$TMP/$name.csv"
done
if [ -n "${KEYS_MODEL_KEYS:-}" ]; then
	limit="--keys $KEYS_MODEL_KEYS"
else
	limit="--keys 100000000 --seconds ${KEYS_MODEL_SECONDS:-15}"
fi
# shellcheck disable=SC2086
"$MODEL" $limit ${KEYS_MODEL_SEED:+--seed $KEYS_MODEL_SEED} "$@"
