#!/usr/bin/env bash
# cross.sh — the platform matrix (called by `make test-platforms`):
#   pure Go   every package without cgo (core/..., cli, internal/...) builds and vets, tests
#             included, with CGO_ENABLED=0 for linux and darwin on amd64 and arm64
#   capi      linux/arm64: builds libplasmite.so and .a with Debian's gcc-aarch64-linux-gnu and
#             vets; installed with apt-get when missing and we are root, else skipped with a
#             message (PLASMITE_REQUIRE_CROSS=1 makes that a failure)
#             darwin/amd64, darwin/arm64: vetted only. A cgo build for darwin needs Apple's SDK
#             and linker; vet needs only cgo's type information, which a Linux compiler of the
#             same architecture provides for the standard C headers capi includes. runtime/cgo's
#             darwin C files are compiled too, so a wrapper drops darwin-only flags (-arch,
#             -framework) and stubs <TargetConditionals.h>; what that object would do at run
#             time does not matter to vet. This catches any Linux-only Go in capi.
# Seconds when Go's build cache is warm; the first run compiles the standard library per target.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
GO=${GO:-go}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ok() { echo "ok   $1${2:+ ($2)}"; }
bad() {
	echo "FAIL $1"
	sed 's/^/     | /' "$work/log" | tail -30
	fail=1
}
skip() { echo "skip $1 ($2)"; }
step() { # NAME CMD...
	local name=$1 t0=$SECONDS
	shift
	if "$@" >"$work/log" 2>&1; then ok "$name" "$((SECONDS - t0))s"; else bad "$name"; fi
}

# Packages with cgo files (on the host) are capi's kind; every other package is pure Go.
pure=$($GO list -e -f '{{if not .CgoFiles}}{{.ImportPath}}{{end}}' ./...)
cgo=$($GO list -e -f '{{if .CgoFiles}}{{.ImportPath}}{{end}}' ./...)
[ -n "$pure" ] || {
	echo "FAIL no packages found"
	exit 1
}

# ---- pure Go: linux and darwin, amd64 and arm64 ---------------------------------------------
for os in linux darwin; do
	for arch in amd64 arm64; do
		# shellcheck disable=SC2086 # package lists
		step "pure Go $os/$arch build+vet" env CGO_ENABLED=0 GOOS=$os GOARCH=$arch \
			sh -c "$GO build $(echo $pure) && $GO vet $(echo $pure)"
	done
done

[ -n "$cgo" ] || exit $fail

# ---- capi: linux/arm64 with Debian's cross compiler ------------------------------------------
XCC=${PLASMITE_CROSS_CC:-aarch64-linux-gnu-gcc}
if ! command -v "$XCC" >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "installing gcc-aarch64-linux-gnu with apt-get (for the linux/arm64 cgo build)"
	pkgs="gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $pkgs >"$work/apt.log" 2>&1 ||
		{ apt-get update -q >>"$work/apt.log" 2>&1 &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $pkgs >>"$work/apt.log" 2>&1; } ||
		{ echo "apt-get could not install $pkgs:"; tail -5 "$work/apt.log"; }
fi
if command -v "$XCC" >/dev/null 2>&1; then
	# elf_machine FILE: the ELF e_machine field (183 = AArch64), read without binutils.
	elf_machine() { od -An -t u2 -j 18 -N 2 "$1" | tr -d ' '; }
	# shellcheck disable=SC2086
	xbuild() ( # a subshell: the exports stay in it
		export CGO_ENABLED=1 GOOS=linux GOARCH=arm64 CC=$XCC
		mkdir -p "$work/arm64"
		$GO build -trimpath -buildmode=c-shared -o "$work/arm64/libplasmite.so" $cgo &&
			$GO build -trimpath -buildmode=c-archive -o "$work/arm64/libplasmite.a" $cgo &&
			$GO vet $cgo &&
			[ "$(elf_machine "$work/arm64/libplasmite.so")" = 183 ] ||
			{ echo "not an AArch64 shared library: $work/arm64/libplasmite.so"; return 1; }
	)
	step "capi linux/arm64 build (c-shared, c-archive)+vet with $XCC" xbuild
elif [ "${PLASMITE_REQUIRE_CROSS:-}" = 1 ]; then
	echo "no $XCC, and apt-get is not usable here (not root, or absent)" >"$work/log"
	bad "capi linux/arm64"
else
	skip "capi linux/arm64" "no $XCC; install Debian's gcc-aarch64-linux-gnu (apt-get needs root)"
fi

# ---- capi: darwin vet through a wrapper compiler ---------------------------------------------
mkdir -p "$work/darwin-inc"
echo '#define TARGET_OS_IPHONE 0' >"$work/darwin-inc/TargetConditionals.h"
cat >"$work/darwin-cc" <<EOF
#!/bin/sh
# Drops darwin-only options and compiles with \$DARWIN_VET_CC; see scripts/cross.sh.
n=\$#; skip=0
for a in "\$@"; do
	if [ \$skip = 1 ]; then skip=0; continue; fi
	case \$a in -arch | -framework) skip=1; continue ;; -mmacosx-version-min=*) continue ;; esac
	set -- "\$@" "\$a"
done
shift \$n
exec "\$DARWIN_VET_CC" -w -Wno-error=implicit-function-declaration -I"$work/darwin-inc" "\$@" \
	-Wl,--unresolved-symbols=ignore-all
EOF
chmod +x "$work/darwin-cc"
for arch in amd64 arm64; do
	case $arch in amd64) host=x86_64 real=${CC:-cc} ;; arm64) host=aarch64 real=$XCC ;; esac
	if [ "$(uname -m)" = "$host" ]; then real=${CC:-cc}; fi
	if ! command -v "$real" >/dev/null 2>&1; then
		skip "capi darwin/$arch vet" "needs a C compiler for $host ($real)"
		continue
	fi
	# shellcheck disable=SC2086
	step "capi darwin/$arch vet (cgo types from $real)" env CGO_ENABLED=1 GOOS=darwin GOARCH=$arch \
		CC="$work/darwin-cc" DARWIN_VET_CC="$real" $GO vet $cgo
done

exit $fail
