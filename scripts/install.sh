#!/usr/bin/env bash
# Lays out an install tree: bin/plasmite, bin/pls, lib/libplasmite.{so,a}, include/plasmite.h,
# lib/pkgconfig/plasmite.pc.
set -euo pipefail
build=$1 prefix=$2
install -d "$prefix/bin"
install -m 0755 "$build/bin/plasmite" "$prefix/bin/plasmite"
ln -f "$prefix/bin/plasmite" "$prefix/bin/pls"
if [ -d "$build/lib" ]; then
  install -d "$prefix/lib/pkgconfig" "$prefix/include"
  for f in "$build"/lib/libplasmite.*; do install -m 0644 "$f" "$prefix/lib/"; done
  install -m 0644 "$build/include/plasmite.h" "$prefix/include/plasmite.h"
  install -m 0644 "$build/lib/pkgconfig/plasmite.pc" "$prefix/lib/pkgconfig/plasmite.pc"
fi
