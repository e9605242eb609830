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
go test -run '^$' -bench "${BENCH:-.}" -benchmem -count "$count" -timeout 60m ./core/... | tee "$out/go.txt"

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

for s in scripts/bench-cli.sh scripts/bench-c.sh scripts/bench-remote.sh; do
	if [ -x "$s" ]; then
		echo "== $s"
		"$s" | tee "$out/$(basename "$s" .sh).txt"
	fi
done
