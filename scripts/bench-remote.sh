#!/usr/bin/env bash
# Remote client benchmarks, ours against the reference release's, as clients of the same
# server in one run (the reference's server, and ours when the CLI has `serve`):
#   append: `feed URL --file F` of BENCH_APPENDS ~100-byte records (default 2000), one request
#           each, sequential
#   tail:   `follow URL --tail N --no-follow` of BENCH_TAIL_N retained messages (default 1000000)
#           into /dev/null, JSONL; against our server only by default (the 1.2.1 server streams
#           JSONL at a few thousand messages a second, and its own client rescans per 100 ms
#           stream: set BENCH_TAIL_REF=1 to time it anyway)
# Each case runs BENCH_RUNS times (default 5); the median wall time is printed with the ratio
# reference/ours (> 1 means ours is faster). Env: PLASMITE_BIN (our CLI, default
# build/bin/plasmite), PLASMITE_SERVE_BIN (our server, default PLASMITE_BIN), PLASMITE_REF.
set -euo pipefail
cd "$(dirname "$0")/.."
# Absolute paths: the go test runs below work in the package's directory.
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
ours=$(abs "${PLASMITE_BIN:-build/bin/plasmite}")
serve=$(abs "${PLASMITE_SERVE_BIN:-$ours}")
refdir=$(abs "${PLASMITE_REF:-.ref}")
ref=$refdir/bin/plasmite
runs=${BENCH_RUNS:-5}
appends=${BENCH_APPENDS:-2000}
tailn=${BENCH_TAIL_N:-1000000}
[ -x "$ours" ] || { echo "bench-remote: build the CLI first (make cli)" >&2; exit 1; }
[ -x "$ref" ] || { echo "bench-remote: reference not installed; skipped" >&2; exit 0; }

work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
export HOME=$work/home PLASMITE_ACCESS_HOME=$work/home/access
mkdir -p "$HOME"
. scripts/bench-lib.sh

# start NAME BIN DIR: serves DIR with BIN, sets url
start() {
	local dir=$3 ready=$work/$1.ready
	PLASMITE_SERVE_READY_FILE=$ready "$2" --dir "$dir" serve --bind 127.0.0.1:0 --remote-bind 127.0.0.1:0 >"$work/$1.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 300); do [ -s "$ready" ] && [ -s "$dir/.plasmite-serve/local.json" ] && break; sleep 0.1; done
	url="http://$(tr -d '"' <"$dir/.plasmite-serve/local.json")"
}



for i in $(seq 0 $((appends - 1))); do record "$i"; done >"$work/appends.jsonl"
servers=("reference:$ref")
if ! "$serve" serve --help 2>&1 | grep -q 'not yet implemented'; then servers+=("ours:$serve"); fi

echo "appends=$appends tail=$tailn runs=$runs (median seconds)"
for s in "${servers[@]}"; do
	name=${s%%:*} bin=${s#*:}
	dir=$work/$name
	"$ref" --dir "$dir" pool create --size 64M a >/dev/null
	start "$name" "$bin" "$dir"
	o=$(time_runs "$ours" feed "$url/a" --file "$work/appends.jsonl")
	r=$(time_runs "$ref" feed "$url/a" --file "$work/appends.jsonl")
	line "sequential append x$appends" "$name" "$o" "$r"
	if [ "$name" = ours ] || [ "${BENCH_TAIL_REF:-0}" = 1 ]; then
		"$ref" --dir "$dir" pool create --size "$((tailn / 1000 + 64))M" t >/dev/null
		for i in $(seq 0 $((tailn - 1))); do record "$i"; done | "$ours" --dir "$dir" feed t >/dev/null
		o=$(time_runs "$ours" follow "$url/t" --tail "$tailn" --no-follow)
		r=-
		[ "$name" = ours ] && r=$(time_runs "$ref" follow "$url/t" --tail "$tailn" --no-follow)
		line "JSONL tail of $tailn" "$name" "$o" "$r"
	fi
done

# The client library alone (remote package), against each server: sequential appends, and a finite
# JSONL follow of BENCH_TAIL_N messages against ours (-benchmem; BENCH_RUNS runs each).
for s in "${servers[@]}"; do
	name=${s%%:*} bin=${s#*:}
	sb=
	[ "$name" = ours ] && sb=$bin
	echo "== remote package, $name server"
	PLASMITE_REF=$refdir PLASMITE_SERVE_BIN=$sb go test -run '^$' -bench 'RemoteAppendSequential' \
		-benchtime 2000x -benchmem -count "$runs" ./remote 2>&1 | grep -E '^Benchmark' || true
	if [ "$name" = ours ]; then
		PLASMITE_REF=$refdir PLASMITE_SERVE_BIN=$sb BENCH_TAIL_N=$tailn go test -run '^$' -bench 'RemoteTailJSONL' \
			-benchtime 1x -benchmem -count "$runs" -timeout 60m ./remote 2>&1 | grep -E '^Benchmark' || true
	fi
done
