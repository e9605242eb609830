#!/usr/bin/env bash
# bench-go-binding.sh — the Go binding next to the reference's Go binding (part of `make bench`).
#   The benchmarks in bindings/go/local/testdata/refbench (Append of a ~100-byte map,
#   AppendJSON of the same bytes, Get, Stream.NextJSON) run under the reference binding,
#   built with cgo against the reference's libplasmite, and under this one (import path
#   changed, CGO_ENABLED=0), in interleaved rounds; medians and ratios at the end.
# Env: BENCH_GO_ROUNDS (default 5), PLASMITE_REF (default .ref).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
ref=${PLASMITE_REF:-$root/.ref}
rounds=${BENCH_GO_ROUNDS:-5}
src=bindings/go/local/testdata/refbench/bench_test.go
if [ ! -f "$ref/src/bindings/go/go.mod" ] || [ ! -f "$ref/lib/libplasmite.so" ]; then
	echo "bench-go-binding: no reference install with its Go binding in $ref (make ref)" >&2
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
module() { # dir, required module, its directory
	mkdir -p "$1"
	printf 'module example.com/refbench\n\ngo 1.22\n\nrequire %s v0.0.0-00010101000000-000000000000\n\nreplace %s => %s\n' "$2" "$2" "$3" >"$1/go.mod"
}
module "$work/ours" github.com/plasmite-go/plasmite "$root"
cp go.sum "$work/ours/go.sum"
sed 's#github.com/sandover/plasmite/bindings/go#github.com/plasmite-go/plasmite/bindings/go#' "$src" >"$work/ours/bench_test.go"
module "$work/theirs" github.com/sandover/plasmite/bindings/go "$ref/src/bindings/go"
cp "$src" "$work/theirs/bench_test.go"

export GOFLAGS=-mod=mod GOPROXY=off GOSUMDB=off GOWORK=off
(cd "$work/ours" && CGO_ENABLED=0 go test -c -o "$work/ours.test" .)
(cd "$work/theirs" && CGO_ENABLED=1 PKG_CONFIG=/usr/bin/true CGO_CFLAGS="-I$ref/include" CGO_LDFLAGS="-L$ref/lib" \
	go test -c -o "$work/theirs.test" .)
: >"$work/r"
for r in $(seq "$rounds"); do
	for who in theirs ours; do
		LD_LIBRARY_PATH="$ref/lib" "$work/$who.test" -test.run '^$' -test.bench . -test.benchmem -test.benchtime 1s |
			awk -v who="$who" '/^Benchmark/ { sub(/-[0-9]+$/, "", $1); print who, $1, $3, $5, $7 }' | tee -a "$work/r"
	done
done
echo "medians of $rounds interleaved rounds (ns/op, B/op, allocs/op):"
awk '
{ k = $2; n[k, $1]++; ns[k, $1, n[k, $1]] = $3; by[k, $1] = $4; al[k, $1] = $5; names[k] = 1 }
function med(k, w,   i, j, t, c, v) { c = n[k, w]; for (i = 1; i <= c; i++) v[i] = ns[k, w, i]
	for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
	return v[int((c + 1) / 2)] }
END { for (k in names) { r = med(k, "theirs"); o = med(k, "ours")
	printf "%-26s reference %9.0f ns %6d B %4d allocs   ours %9.0f ns %6d B %4d allocs   ours/ref %.2f\n", k, r, by[k, "theirs"], al[k, "theirs"], o, by[k, "ours"], al[k, "ours"], o / r } }
' "$work/r" | sort
