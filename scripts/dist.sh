#!/usr/bin/env bash
# dist.sh BUILD ARCHIVE — the SDK archive (`make dist`), laid out like the reference's release
# archives: at its root bin/plasmite, bin/pls, lib/libplasmite.so, lib/libplasmite.a,
# include/plasmite.h and lib/pkgconfig/plasmite.pc (relocatable: its paths derive from
# ${pcfiledir}, so the tree works wherever it is unpacked).
set -euo pipefail
build=$1 archive=$2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
"$(dirname "$0")/install.sh" "$build" "$stage/sdk"
for f in bin/plasmite bin/pls lib/libplasmite.so lib/libplasmite.a include/plasmite.h lib/pkgconfig/plasmite.pc; do
	[ -e "$stage/sdk/$f" ] || { echo "dist: $f is missing from the install of $build" >&2; exit 1; }
done
mkdir -p "$(dirname "$archive")"
# GNU tar: owner-neutral, name-sorted entries (the same inputs give the same archive listing).
opts=()
if tar --version 2>/dev/null | grep 'GNU tar' >/dev/null; then opts=(--owner=0 --group=0 --numeric-owner --sort=name); fi
tar "${opts[@]}" -C "$stage/sdk" -czf "$archive.part" .
mv "$archive.part" "$archive"
echo "dist: $archive"
