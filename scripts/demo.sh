#!/usr/bin/env bash
# A first local workflow in a scratch directory: create a pool, follow it
# with a jq filter, feed it, fetch by seq and look at the pool.
set -euo pipefail
pls=${1:-build/bin/pls}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say pls pool create chat
"$pls" --dir "$dir" pool create chat --format pretty

say 'pls follow chat --where '\''.data.msg | test("deploy")'\'' --one &   # in the background, waits for a match'
"$pls" --dir "$dir" follow chat --tail 10 --where '.data.msg | test("deploy")' --one --timeout 10s |
	sed 's/^/  follower got: /' &
follower=$!

say "pls feed chat ... (three messages, one tagged)"
"$pls" --dir "$dir" feed chat '{"from":"alice","msg":"hello"}'
"$pls" --dir "$dir" feed chat --tag ops '{"from":"bob","msg":"deploy finished"}'
printf '%s\n' '{"from":"carol","msg":"bye"}' | "$pls" --dir "$dir" feed chat
wait "$follower"

say pls fetch chat 2
"$pls" --dir "$dir" fetch chat 2

say pls follow chat --tail 3 --tag ops --no-follow
"$pls" --dir "$dir" follow chat --tail 3 --tag ops --no-follow

say pls pool info chat
"$pls" --dir "$dir" pool info chat
