#!/usr/bin/env bash
# test-dist.sh ARCHIVE — the SDK archive works on its own (`make test-dist`): unpacked into a
# temporary directory, it holds the reference's layout, its CLI runs, and bindings/c/example.c
# builds with `pkg-config --cflags --libs plasmite` searching only the archive's lib/pkgconfig,
# then runs against the archive's shared library (rpath) and, linked statically, its .a; the
# archive's CLI reads back what the example wrote.
set -uo pipefail
cd "$(dirname "$0")/.."
archive=$1
case $archive in /*) ;; *) archive=$PWD/$archive ;; esac
CC=${CC:-cc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
step() { # NAME CMD...
	local name=$1
	shift
	if "$@" >"$work/log" 2>&1; then
		echo "ok   $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name"
		sed 's/^/     | /' "$work/log" | tail -30
		fail=$((fail + 1))
	fi
}

sdk=$work/sdk
unpack() {
	mkdir -p "$sdk" && tar -xzf "$archive" -C "$sdk" || return 1
	local f
	for f in bin/plasmite bin/pls lib/libplasmite.so lib/libplasmite.a include/plasmite.h lib/pkgconfig/plasmite.pc; do
		[ -f "$sdk/$f" ] || { echo "missing $f"; return 1; }
	done
	# Nothing but the layout at the root.
	[ "$(cd "$sdk" && ls -A | sort | tr '\n' ' ')" = "bin include lib " ] || { ls -A "$sdk"; return 1; }
	[ "$("$sdk/bin/plasmite" --version)" = "plasmite $(cat VERSION)" ]
}
step "unpack and layout" unpack || { echo "$pass passed, $fail failed"; exit 1; }

# pkg-config sees the archive only: PKG_CONFIG_LIBDIR replaces the system search path.
pc() { env -u PKG_CONFIG_PATH PKG_CONFIG_LIBDIR="$sdk/lib/pkgconfig" pkg-config "$@"; }
pcfile() {
	[ "$(pc --modversion plasmite)" = "$(cat VERSION)" ] &&
		[ "$(cd "$(pc --variable=libdir plasmite)" && pwd -P)" = "$(cd "$sdk/lib" && pwd -P)" ] &&
		[ "$(cd "$(pc --variable=includedir plasmite)" && pwd -P)" = "$(cd "$sdk/include" && pwd -P)" ] &&
		! grep -q "$PWD" "$sdk/lib/pkgconfig/plasmite.pc"
}
step "pkg-config resolves inside the archive" pcfile

# shellcheck disable=SC2046
step "example (shared) builds" $CC -std=c11 -Wall -Werror -o "$work/example" bindings/c/example.c \
	$(pc --cflags --libs plasmite) -Wl,-rpath,"$sdk/lib"
shared_run() {
	if command -v ldd >/dev/null 2>&1; then
		ldd "$work/example" | grep "=> $sdk/lib/libplasmite.so" >/dev/null || { ldd "$work/example"; return 1; }
	fi
	env -u LD_LIBRARY_PATH "$work/example" "$work/pools"
}
step "example (shared) runs against the archive's library" shared_run
readback() {
	"$sdk/bin/pls" --dir "$work/pools" fetch example 1 | grep '"note":"hello from C"' >/dev/null
}
step "archive CLI reads the example's pool" readback
# shellcheck disable=SC2046
step "example (static) builds" $CC -std=c11 -Wall -Werror -o "$work/example-static" bindings/c/example.c \
	$(pc --cflags plasmite) "$sdk/lib/libplasmite.a" $(pc --static --libs-only-l plasmite | sed 's/-lplasmite//')
step "example (static) runs" "$work/example-static" "$work/pools-static"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
