#!/usr/bin/env bash
# Benchmarks: Go micro-benchmarks (-benchmem, 5 runs, medians), then the
# whole-process CLI and C ABI benchmarks side by side with the reference.
# Results go to bench-results/ (git-ignored); medians are printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench-results
mkdir -p "$out"
count=${BENCH_COUNT:-5}

echo "== Go benchmarks (count=$count)"
go test -run '^$' -bench "${BENCH:-.}" -benchmem -count "$count" -timeout 60m ./core/... ./bindings/go/... | tee "$out/go.txt"

# The HTTP server, ours and 1.2.1's side by side (each its own process, one
# client): sequential appends and the in-process stream path, a tail of 1M
# retained messages (one tail per op), the wake of 1,000 followers (p50/p99
# over 50 appends per run).
echo "== server benchmarks"
export PLASMITE_REF="$PWD/.ref" PLASMITE_BIN="$PWD/build/bin/plasmite"
go test -run '^$' -bench 'AppendHTTP|AppendHandler|StreamOut' -benchmem -count "$count" -timeout 60m ./server | tee -a "$out/go.txt"
go test -run '^$' -bench 'Tail1M' -benchtime 1x -benchmem -count "$count" -timeout 60m ./server | tee -a "$out/go.txt"
go test -run '^$' -bench 'Wake' -benchtime 50x -count "${WAKE_COUNT:-3}" -timeout 60m ./server | tee -a "$out/go.txt"
# MCP, ours and 1.2.1's side by side: a read of the latest 20 of 10,000
# messages and a woken wait over HTTP (each server its own process), a
# ping through `mcp` on stdio.
go test -run '^$' -bench 'MCP' -benchmem -count "$count" -timeout 60m ./mcp | tee -a "$out/go.txt"
# The NATS bridge: forwarding a pool to JetStream against publishing the
# same messages directly with the same client and in-flight bound, and a
# stream into a pool (msg/s; an embedded server per run).
# Runs alternate, so a change in the machine's load hits both sides alike.
for _ in $(seq "$count"); do
	for b in ForwardOut DirectPublish ForwardIn; do
		go test -run '^$' -bench "^Benchmark$b\$" -benchtime "${BRIDGE_BENCH_MSGS:-50000}x" -benchmem -count 1 -timeout 20m ./bridge
	done
done | grep '^Benchmark' | tee -a "$out/go.txt"

# Median of each benchmark's ns/op, B/op, allocs/op and custom metrics.
awk '
/^Benchmark/ {
	name = $1
	for (i = 3; i + 1 <= NF; i += 2) { key = name SUBSEP $(i+1); vals[key] = vals[key] " " $i; units[name] = units[name] " " $(i+1) }
	names[name] = 1
}
END {
	for (name in names) {
		split(units[name], us, " "); delete seen; line = name
		for (u in us) { unit = us[u]; if (unit in seen) continue; seen[unit] = 1
			n = split(vals[name SUBSEP unit], v, " ")
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
			line = line sprintf("  %s %s", v[int((n + 1) / 2)], unit)
		}
		print line
	}
}' "$out/go.txt" | sort | tee "$out/go-medians.txt"

for s in scripts/bench-cli.sh scripts/bench-c.sh scripts/bench-go-binding.sh scripts/bench-remote.sh scripts/bench-https.sh scripts/bench-python.sh; do
	if [ -x "$s" ]; then
		echo "== $s"
		"$s" | tee "$out/$(basename "$s" .sh).txt"
	fi
done

# The Node binding beside the C ABI (and Python, when bindings/python exists), in one run.
if [ -x scripts/node.sh ]; then
	echo "== Node binding"
	scripts/node.sh bench | tee "$out/node.txt"
fi
