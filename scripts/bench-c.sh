#!/usr/bin/env bash
# bench-c.sh — the C ABI's append throughput next to the Go call's (part of `make bench`).
#   1M appends of a 100-byte message through plsm_pool_append_json, plsm_pool_append_json_receipt
#   (no envelope) and plsm_pool_append_json_batch (1000 per call); Go: core's AppendJSON, the same
#   Go work the ABI calls do (encode, append, and for the first render the envelope), and Batch
#   appends.
# Env: BENCH_C_N (default 1000000), BENCH_C_ROUNDS (default 3; medians), BUILD (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
n=${BENCH_C_N:-1000000}
[ -f "$build/lib/libplasmite.so" ] || make --no-print-directory lib >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
${CC:-cc} -O2 -std=c11 -I"$build/include" -o "$work/bench" bindings/c/bench/bench.c \
	-L"$build/lib" -lplasmite -lpthread -Wl,-rpath,"$(cd "$build/lib" && pwd)"

rounds=${BENCH_C_ROUNDS:-3}
# ns/op of a Go benchmark → msg/s
gorate() { echo "$goout" | awk -v b="$1" '$1 ~ "^"b"(-[0-9]+)?$" { printf "%.0f\n", 1e9 / $3 }'; }
rate() { echo "$1" | awk '{ print $(NF-1) }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
: >"$work/r"
# Interleaved rounds, so that load from other processes hits every figure alike.
for r in $(seq "$rounds"); do
	rm -rf "$work/pools"
	echo "c_single $(rate "$("$work/bench" "$work/pools" "$n" single)")" >>"$work/r"
	echo "c_receipt $(rate "$("$work/bench" "$work/pools" "$n" receipt)")" >>"$work/r"
	echo "c_batch $(rate "$("$work/bench" "$work/pools" "$n" batch 1000)")" >>"$work/r"
	goout=$(go test -run '^$' -bench 'BenchmarkGoAppend' -benchtime "${n}x" -benchmem ./capi)
	echo "$goout" | grep '^Benchmark' >&2 || true
	echo "go_json $(gorate BenchmarkGoAppendJSON)" >>"$work/r"
	echo "go_env $(gorate BenchmarkGoAppendJSONEnvelope)" >>"$work/r"
	echo "go_receipt $(gorate BenchmarkGoAppendJSONReceipt)" >>"$work/r"
	echo "go_batch $(gorate BenchmarkGoAppendBatch)" >>"$work/r"
done
med() { awk -v k="$1" '$1 == k { print $2 }' "$work/r" | median; }
go_json=$(med go_json)
go_env=$(med go_env)
go_batch=$(med go_batch)
go_receipt=$(med go_receipt)
c_single=$(med c_single)
c_receipt=$(med c_receipt)
c_batch=$(med c_batch)
echo "medians of $rounds rounds, $n messages each:"
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f%%", (b / a - 1) * 100 }'; }

printf '%-44s %12s msg/s\n' "Go  core.Pool.AppendJSON" "$go_json"
printf '%-44s %12s msg/s\n' "Go  AppendJSONTo + envelope" "$go_env"
printf '%-44s %12s msg/s   cost over Go AppendJSON: %s, over the same Go work: %s\n' \
	"C   plsm_pool_append_json" "$c_single" "$(pct "$c_single" "$go_json")" "$(pct "$c_single" "$go_env")"
printf '%-44s %12s msg/s\n' "Go  AppendJSONTo (no envelope)" "$go_receipt"
printf '%-44s %12s msg/s   cost over the same Go work: %s\n' \
	"C   plsm_pool_append_json_receipt" "$c_receipt" "$(pct "$c_receipt" "$go_receipt")"
printf '%-44s %12s msg/s\n' "Go  Batch (1000 per AppendBatch)" "$go_batch"
printf '%-44s %12s msg/s   cost over Go batch: %s\n' \
	"C   plsm_pool_append_json_batch (1000/call)" "$c_batch" "$(pct "$c_batch" "$go_batch")"

# Append-to-wake latency of a thread blocked in plsm_stream_next (same process), ours and the
# reference library's (which polls every 50 ms), when the reference is installed.
echo "wake latency (append in one thread, plsm_stream_next waiting in another):"
printf '%-44s %s\n' "C   libplasmite (this)" "$("$work/bench" "$work/pools-wake" "${BENCH_C_WAKE_N:-300}" wake | sed 's/^wake *//')"
for d in "${PLASMITE_REF:-}" .ref /work/refsdk; do
	if [ -n "$d" ] && [ -f "$d/stamp" ] && [ -f "$d/lib/libplasmite.so" ]; then
		${CC:-cc} -O2 -std=c11 -I"$d/include" -o "$work/bench-ref" bindings/c/bench/bench.c \
			-L"$d/lib" -lplasmite -lpthread -Wl,-rpath,"$(cd "$d/lib" && pwd)"
		printf '%-44s %s\n' "C   reference 1.2.1 libplasmite" "$("$work/bench-ref" "$work/pools-wake-ref" 40 wake | sed 's/^wake *//')"
		break
	fi
done
