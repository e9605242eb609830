#!/usr/bin/env bash
# node-ref-tests.sh — runs the reference release's own Node tests (.ref/src/bindings/node/test)
# against this package, and prints their pass count (`make test-node-ref`; not part of
# `make test`: some of them test the reference's UDP transport, which this library lacks).
# The tests require "../index.js" and "../cmd/plasmite-conformance.js", and read the
# manifests from <their repo>/conformance: a temporary tree gives them those paths, with
# index.js, message.js, remote.js and mappings.js re-exporting this package's modules. Nothing of the reference is copied into the project.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
ref=${PLASMITE_REF:-$root/.ref}
src=$ref/src/bindings/node
[ -d "$src/test" ] || { echo "node-ref-tests: no reference Node tests in $src" >&2; exit 1; }
scripts/node.sh build >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bindings/node" "$work/conformance"
cp -r "$src/test" "$src/cmd" "$work/bindings/node/"
cp ../shared/conformance/*.json "$work/conformance/"
for m in index message remote mappings; do
	echo "module.exports = require(\"$root/bindings/node/$m\");" >"$work/bindings/node/$m.js"
done
cd "$work/bindings/node"
PLASMITE_BIN=$root/build/bin/plasmite PLASMITE_LIB_DIR=$root/build/lib \
	node --test --test-timeout=30000 --test-reporter=spec test/ 2>&1 | tee "$work/out.txt" | grep -vE "^\s+at |^\s*$" | cut -c1-200 || true
