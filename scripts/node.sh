#!/usr/bin/env bash
# node.sh build|test|bench — the Node binding (bindings/node), for `make node`, `make test-node`
# and `make bench`.
#   build  compiles the N-API addon against build/include and build/lib, and stages it with
#          libplasmite.so and the CLI in bindings/node/native/<platform>/ (what `npm pack` ships);
#          installs the dev dependencies (TypeScript) from package-lock.json with `npm ci`
#   test   node --test over bindings/node/test, the type-surface check and tsc --noEmit
#   bench  bindings/node/bench/bench.js beside the C benchmark (and Python's, when present)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
pkg=$root/bindings/node
node_inc=$(node -p 'require("path").join(process.execPath, "..", "..", "include", "node")')

plat=$(cd "$pkg" && node -p 'require("./platform").platformDir() || ""')
[ -n "$plat" ] || { echo "node.sh: unsupported platform" >&2; exit 1; }
out=$pkg/native/$plat

build() {
	[ -f "$node_inc/node_api.h" ] || { echo "node.sh: Node headers not found in $node_inc" >&2; exit 1; }
	mkdir -p "$out"
	local ldflags=(-Wl,-rpath,'$ORIGIN')
	[ "$(uname)" = Darwin ] && ldflags=(-undefined dynamic_lookup -Wl,-rpath,@loader_path)
	local src=$pkg/src/addon.c obj=$out/plasmite.node
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$build/lib/libplasmite.so" -nt "$obj" ]; then
		${CC:-cc} -O2 -std=c11 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden \
			-I"$node_inc" -I"$build/include" -o "$obj.tmp" "$src" \
			-L"$build/lib" -lplasmite "${ldflags[@]}"
		mv "$obj.tmp" "$obj"
	fi
	cp -p "$build/lib/libplasmite.so" "$out/libplasmite.so"
	cp -p "$build/bin/plasmite" "$out/plasmite"
	if [ ! -f "$pkg/node_modules/.package-lock.json" ] || [ "$pkg/package-lock.json" -nt "$pkg/node_modules/.package-lock.json" ]; then
		(cd "$pkg" && npm ci --no-audit --no-fund --loglevel=error)
	fi
}

case ${1:-build} in
build) build ;;
test)
	build
	cd "$pkg"
	node scripts/check-types.js
	node_modules/.bin/tsc --noEmit -p test/types
	PLASMITE_BIN=$build/bin/plasmite PLASMITE_REF=${PLASMITE_REF:-$root/.ref} \
		node --test --test-concurrency=2 test/
	;;
bench)
	build
	node "$pkg/bench/bench.js" "$build"
	;;
*) echo "usage: node.sh build|test|bench" >&2; exit 2 ;;
esac
