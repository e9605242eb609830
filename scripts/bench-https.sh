#!/usr/bin/env bash
# HTTPS benchmarks: our CLI and the reference release's as clients of each server's HTTPS
# listener (pinned TLS, access keys), in one run:
#   append: `feed https://…/a --file F` of BENCH_APPENDS ~100-byte records (default 2000), one
#           request each, sequential
#   tail:   `follow https://…/t --tail N --no-follow` of BENCH_TAIL_N retained messages (default
#           1000000) into /dev/null, JSONL; against our server only by default (the 1.2.1 server
#           streams JSONL at a few thousand messages a second: BENCH_TAIL_REF=1 times it anyway)
# Then TLS handshakes per follow session (go test -bench HTTPSHandshakes ./cli): connections
# each client opens during one follow session.
# Medians of BENCH_RUNS runs (default 5), with the ratio reference/ours (> 1: ours is faster).
# Env: PLASMITE_BIN (our CLI, default build/bin/plasmite), PLASMITE_REF.
set -euo pipefail
cd "$(dirname "$0")/.."
ours=${PLASMITE_BIN:-build/bin/plasmite}
refdir=${PLASMITE_REF:-.ref}
ref=$refdir/bin/plasmite
runs=${BENCH_RUNS:-5}
appends=${BENCH_APPENDS:-2000}
tailn=${BENCH_TAIL_N:-1000000}
[ -x "$ours" ] || { echo "bench-https: build the CLI first (make cli)" >&2; exit 1; }
[ -x "$ref" ] || { echo "bench-https: reference not installed; skipped" >&2; exit 0; }
# absolute: go test runs in the package's directory
ours=$(realpath "$ours") refdir=$(realpath "$refdir") ref=$(realpath "$ref")

work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
user_home=$HOME # go test below needs the user's caches
export HOME=$work/home PLASMITE_ACCESS_HOME=$work/home/access
mkdir -p "$HOME"
. scripts/bench-lib.sh

# start NAME BIN DIR: serves DIR with BIN, sets origin (its HTTPS listener), connects both clients
# (one saved-connection store: the two CLIs share its encoding)
start() {
	local dir=$3 ready=$work/$1.ready key
	PLASMITE_SERVE_READY_FILE=$ready "$2" --dir "$dir" serve --bind 127.0.0.1:0 --remote-bind 127.0.0.1:0 >"$work/$1.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 300); do [ -s "$ready" ] && [ -s "$dir/.plasmite-serve/local.json" ] && break; sleep 0.1; done
	origin="https://$(cat "$ready")"
	key=$("$ours" --dir "$dir" access invite bench --format json | sed 's/.*"access_key":"\([^"]*\)".*/\1/')
	printf '%s\n' "$key" | "$ours" access connect "$origin" >/dev/null
}



for i in $(seq 0 $((appends - 1))); do record "$i"; done >"$work/appends.jsonl"
echo "HTTPS: appends=$appends tail=$tailn runs=$runs (median seconds; client ours vs reference on each server)"
declare -A appendT
for s in "reference:$ref" "ours:$ours"; do
	name=${s%%:*} bin=${s#*:}
	dir=$work/$name
	"$ref" --dir "$dir" pool create --size 64M a >/dev/null
	start "$name" "$bin" "$dir"
	o=$(time_runs "$ours" feed "$origin/a" --file "$work/appends.jsonl")
	r=$(time_runs "$ref" feed "$origin/a" --file "$work/appends.jsonl")
	appendT[$name.ours]=$o appendT[$name.ref]=$r
	line "https append x$appends" "$name" "$o" "$r"
	if [ "$name" = ours ] || [ "${BENCH_TAIL_REF:-0}" = 1 ]; then
		"$ref" --dir "$dir" pool create --size "$((tailn / 1000 + 64))M" t >/dev/null
		for i in $(seq 0 $((tailn - 1))); do record "$i"; done | "$ours" --dir "$dir" feed t >/dev/null
		o=$(time_runs "$ours" follow "$origin/t" --tail "$tailn" --no-follow)
		r=$(time_runs "$ref" follow "$origin/t" --tail "$tailn" --no-follow)
		line "https JSONL tail of $tailn" "$name" "$o" "$r"
	fi
done
line "https append, whole stack" "ours/ref" "${appendT[ours.ours]}" "${appendT[reference.ref]}"

echo "== TLS handshakes per follow session"
HOME=$user_home PLASMITE_BIN=$ours PLASMITE_REF=$refdir go test -run '^$' -bench 'HTTPSHandshakes' -benchtime 1x -benchmem \
	-count "$runs" ./cli 2>&1 | grep -E '^Benchmark' || true
