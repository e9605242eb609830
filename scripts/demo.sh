#!/usr/bin/env bash
# A first local workflow in a scratch directory: create a pool, follow it, feed it.
set -euo pipefail
pls=${1:-build/bin/pls}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$pls" --dir "$dir" pool create chat
"$pls" --dir "$dir" follow chat --tail 1 --one --timeout 10s &
follower=$!
"$pls" --dir "$dir" feed chat '{"from":"alice","msg":"hello"}'
wait "$follower"
