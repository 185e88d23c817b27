#!/bin/sh
# The interviewer's workstation end to end, in tmux: at 80x24, 132x43 and on a vt100.
set -u
cd "$(dirname "$0")/../.."
: "${CATI:=bin/cati}"
rc=0
for cfg in "80 24 xterm-256color" "132 43 xterm" "80 24 vt100"; do
	set -- $cfg
	COLS=$1 ROWS=$2 TERMTYPE=$3 CATI=$CATI sh tests/e2e/workstation-run.sh || rc=1
done
exit $rc
