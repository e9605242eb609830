#!/usr/bin/env bash
# Reliability stress runs (issue 12), printing their figures:
#   1. the crash loop: each round 2-4 writers (ours and release 1.2.1's CLI, fast and
#      flush durability) append to one pool and are SIGKILLed at a random moment; every
#      acknowledged message must be retained intact or overwritten since, a live follower
#      must have delivered each one intact (or been told it was overwritten first), our
#      writers must never damage the pool, and damage left by a killed 1.2.1 writer must
#      be repaired by core.Repair, losing only the overwritten messages;
#   2. the delivery check: writer processes x messages each, with follower processes
#      reading every message from seq 1 (order, density, integrity).
# Both are Go tests in core/ (TestCrashKillWriters, TestMultiProcessWritersAndFollowers);
# `make test` runs them small. Environment:
#   STRESS_ROUNDS=N      crash-loop rounds (default 200; thousands for a long run)
#   STRESS_WRITERS=N     delivery-check writers (default 4)
#   STRESS_MESSAGES=N    messages per writer (default 100000)
#   STRESS_FOLLOWERS=N   delivery-check followers (default 4)
#   PLASMITE_REF=DIR     the 1.2.1 install (make stress sets it; without one, ours only)
set -euo pipefail
cd "$(dirname "$0")/.."
export PLASMITE_CRASH_ROUNDS=${STRESS_ROUNDS:-200}
export PLASMITE_STRESS_WRITERS=${STRESS_WRITERS:-4}
export PLASMITE_STRESS_MESSAGES=${STRESS_MESSAGES:-100000}
export PLASMITE_STRESS_FOLLOWERS=${STRESS_FOLLOWERS:-4}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
go test -count=1 -timeout 0 -v -run '^(TestCrashKillWriters|TestMultiProcessWritersAndFollowers)$' ./core/ >"$log" 2>&1 || status=$?
grep -E 'crash loop:|delivery check:' "$log" | sed 's/^ *[a-z_]*\.go:[0-9]*: //'
if [ "$status" -ne 0 ]; then
	echo "stress: FAILED" >&2
	grep -vE '^(=== RUN|PASS$)' "$log" | tail -40 >&2
	exit "$status"
fi
echo "stress: ok"
