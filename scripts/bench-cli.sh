#!/usr/bin/env bash
# Whole-process CLI benchmarks, ours against the reference release, same run:
#   feed:   1M JSONL lines (~100 B each) from a file into a fresh 64M pool
#   follow: follow --tail 1000000 --no-follow --format json of that pool into /dev/null
# Each case runs BENCH_RUNS times (default 5); the median wall time is printed
# with the ratio reference/ours (> 1 means we are faster).
# Env: PLASMITE_BIN (ours, default build/bin/plasmite), PLASMITE_REF (reference
# install dir, default .ref, else /work/refsdk), BENCH_LINES (default 1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
ours=${PLASMITE_BIN:-build/bin/plasmite}
refdir=${PLASMITE_REF:-.ref}
[ -x "$refdir/bin/plasmite" ] || refdir=/work/refsdk
ref=$refdir/bin/plasmite
runs=${BENCH_RUNS:-5}
lines=${BENCH_LINES:-1000000}
[ -x "$ours" ] || { echo "bench-cli: build the CLI first (make cli)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=$work/data.jsonl
# ~100-byte records with a little variety
awk -v n="$lines" 'BEGIN { for (i = 0; i < n; i++) printf "{\"i\":%d,\"svc\":\"api-%d\",\"level\":\"info\",\"msg\":\"request served in %d ms\",\"ok\":true}\n", i, i % 17, i % 997 }' > "$data"

now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# bench NAME BIN: prints "feed <median>" and "follow <median>" for one binary
bench() {
	local name=$1 bin=$2 feeds=() follows=() t0 t1
	for ((r = 0; r < runs; r++)); do
		local dir=$work/$name-$r
		"$bin" --dir "$dir" pool create --size 64M p > /dev/null
		t0=$(now); "$bin" --dir "$dir" feed p --file "$data" > /dev/null; t1=$(now)
		feeds+=("$(echo "$t1 - $t0" | bc)")
		t0=$(now); "$bin" --dir "$dir" follow p --tail 1000000 --no-follow --format json > /dev/null; t1=$(now)
		follows+=("$(echo "$t1 - $t0" | bc)")
		rm -rf "$dir"
	done
	echo "feed $(printf '%s\n' "${feeds[@]}" | median)"
	echo "follow $(printf '%s\n' "${follows[@]}" | median)"
}

echo "lines=$lines runs=$runs (median seconds)"
mapfile -t o < <(bench ours "$ours")
if [ -x "$ref" ]; then
	mapfile -t r < <(bench ref "$ref")
else
	echo "bench-cli: reference not installed; ours only" >&2
	r=("feed -" "follow -")
fi
for i in 0 1; do
	set -- ${o[$i]} ${r[$i]}
	ratio=-
	[ "$4" != "-" ] && ratio=$(echo "scale=2; $4 / $2" | bc)
	printf '%-7s ours %8.3fs  reference %8ss  ratio %sx\n' "$1" "$2" "$4" "$ratio"
done
