#!/usr/bin/env bash
# install-reference.sh DEST — install the reference Plasmite release (Rust crate 1.2.1) into DEST,
# for interop tests and benchmarks. Packages come only through their own clients: the crate and
# its dependencies through cargo (from whatever registry cargo is configured for), the Python
# package through pip. No address is written here.
#
# Result (all paths relative to DEST):
#   sdk/bin/plasmite, sdk/bin/pls          the reference CLI
#   sdk/lib/libplasmite.so, libplasmite.a  the reference C library (shared and static)
#   sdk/include/plasmite.h                 its C header
#   bin/plasmite, bin/pls, lib, include    links into sdk/
#   python/                                the reference Python package (pip --target layout)
#   src/                                   the crate's source, with its own tests
#   stamp                                  written last; its first line identifies the install
#
# Re-running with a matching stamp is a no-op (it only refreshes the stamp's mtime, for make).
#
# Cache: a finished install is copied to CACHE/ref-<version>-<crate sha256>-layout<N>-<os>-<arch>/
# (written to a temporary directory, then renamed), and a later install into any DEST copies it
# from there and verifies every file against the entry's sha256 manifest instead of building.
# cargo's target directory lives in CACHE too, so a rebuild reuses the compiled dependencies.
# CACHE is ${XDG_CACHE_HOME:-$HOME/.cache}/plasmite-go. Without a cache everything is built.
#
# Environment:
#   PLASMITE_REF_CACHE=dir|off use this cache directory, or no cache (target dir in DEST)
#   PLASMITE_REF_CRATE=path    use this local .crate file instead of fetching it (still verified)
#   PLASMITE_REF_TOOLCHAIN=x   rustup toolchain to build with (default: stable; the crate pins
#                              1.88.0, which we do not require)
#   PLASMITE_REF_PYTHON=exe    Python used for pip (default: python3)
#   PLASMITE_REF_SKIP_PYTHON=1 do not install the Python package
set -euo pipefail

VERSION=1.2.1
CRATE_SHA256=d1d0acac5f182c7fde6aa87d335847eb39adac16652e6e162fd8aee04f53859c
LAYOUT=1 # bump when the produced layout changes, to force a reinstall
STAMP_ID="plasmite-reference ${VERSION} crate-sha256=${CRATE_SHA256} layout=${LAYOUT}"
# What an install consists of (besides stamp), in DEST and in a cache entry.
PARTS=(sdk bin lib include python src)

die() {
	echo "install-reference: ERROR: $*" >&2
	exit 1
}
say() { echo "install-reference: $*" >&2; }

[ $# -eq 1 ] || die "usage: $0 DEST (for example: $0 .ref)"
mkdir -p "$1" || die "cannot create $1"
DEST=$(cd "$1" && pwd -P)
STAMP="$DEST/stamp"

want_files=(sdk/bin/plasmite sdk/bin/pls sdk/lib/libplasmite.so sdk/lib/libplasmite.a
	sdk/include/plasmite.h bin/plasmite bin/pls lib/libplasmite.so lib/libplasmite.a
	include/plasmite.h src/Cargo.toml)

# complete DIR: DIR holds an install whose stamp is ours and whose files are all there.
complete() {
	[ -f "$1/stamp" ] && [ "$(head -n1 "$1/stamp")" = "$STAMP_ID" ] || return 1
	local f
	for f in "${want_files[@]}"; do [ -e "$1/$f" ] || return 1; done
	return 0
}

if complete "$DEST"; then
	touch "$STAMP"
	exit 0
fi

# One installer per DEST at a time; the second waits, then finds the stamp.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$DEST/.lock"
	flock 9
	if complete "$DEST"; then
		touch "$STAMP"
		exit 0
	fi
fi
rm -f "$STAMP"

sha256_of() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d' ' -f1
	elif command -v shasum >/dev/null 2>&1; then
		shasum -a 256 "$1" | cut -d' ' -f1
	else
		die "need sha256sum or shasum to verify the crate"
	fi
}

# manifest_of DIR: "sha256  path" for every regular file of the install in DIR, sorted.
manifest_of() {
	local sum=(sha256sum)
	command -v sha256sum >/dev/null 2>&1 || sum=(shasum -a 256)
	(cd "$1" && find "${PARTS[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 "${sum[@]}")
}

# ---- 0. the cache -----------------------------------------------------------------------
os=$(uname -s | tr '[:upper:]' '[:lower:]')
arch=$(uname -m)
case ${PLASMITE_REF_CACHE:-} in
off) CACHE="" ;;
"") if [ -n "${XDG_CACHE_HOME:-}" ]; then CACHE="$XDG_CACHE_HOME/plasmite-go"
	elif [ -n "${HOME:-}" ]; then CACHE="$HOME/.cache/plasmite-go"
	else CACHE=""; fi ;;
*) CACHE=$PLASMITE_REF_CACHE ;;
esac
if [ -n "$CACHE" ] && ! mkdir -p "$CACHE" 2>/dev/null; then
	say "cache directory $CACHE cannot be created; building without a cache"
	CACHE=""
fi
ENTRY=""
if [ -n "$CACHE" ]; then
	CACHE=$(cd "$CACHE" && pwd -P)
	ENTRY="$CACHE/ref-${VERSION}-${CRATE_SHA256}-layout${LAYOUT}-${os}-${arch}"
	# Temporary directories left by an interrupted fill are removed after a day.
	find "$CACHE" -maxdepth 1 -name '.tmp-ref-*' -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
fi

# usable DIR: DIR is a complete cache entry (a manifest is written before the entry is renamed
# into place, so a half-written fill never has one under the entry's name).
usable() { complete "$1" && [ -f "$1/.manifest.sha256" ]; }

# discard_entry: moves a bad cache entry aside, then removes it.
discard_entry() {
	local bad
	bad=$(mktemp -d "$CACHE/.tmp-ref-bad.XXXXXX") || return 0
	mv "$ENTRY" "$bad/" 2>/dev/null || true
	rm -rf "$bad"
}

remove_parts() {
	local p
	for p in "${PARTS[@]}"; do rm -rf "${DEST:?}/$p"; done
}

# from_cache: copy the cache entry into DEST and verify it; 1 when there is no usable entry.
from_cache() {
	[ -n "$ENTRY" ] && usable "$ENTRY" || return 1
	say "copying the cached install from $ENTRY"
	local p got
	remove_parts
	for p in "${PARTS[@]}"; do cp -a "$ENTRY/$p" "$DEST/$p" || {
		remove_parts
		return 1
	}; done
	manifest_of "$DEST" >"$DEST/.manifest.part" 2>/dev/null || true
	if ! cmp -s "$DEST/.manifest.part" "$ENTRY/.manifest.sha256"; then
		rm -f "$DEST/.manifest.part"
		say "the cached install does not match its manifest; discarding it and building"
		discard_entry
		remove_parts
		return 1
	fi
	rm -f "$DEST/.manifest.part"
	if ! got=$("$DEST/bin/plasmite" --version 2>&1) || [ "$got" != "plasmite ${VERSION}" ]; then
		say "the cached CLI does not run ('$got'); discarding it and building"
		discard_entry
		remove_parts
		return 1
	fi
	cp "$ENTRY/stamp" "$STAMP.part" && mv "$STAMP.part" "$STAMP"
}

# to_cache: publish DEST's finished install as the cache entry: filled under a temporary name,
# then renamed, so a reader sees a whole entry or none.
to_cache() {
	[ -n "$ENTRY" ] || return 0
	usable "$ENTRY" && return 0
	[ -e "$ENTRY" ] && discard_entry
	local tmp p
	tmp=$(mktemp -d "$CACHE/.tmp-ref-fill.XXXXXX") || return 0
	for p in "${PARTS[@]}"; do cp -a "$DEST/$p" "$tmp/$p" || {
		rm -rf "$tmp"
		return 0
	}; done
	if ! manifest_of "$tmp" >"$tmp/.manifest.sha256" || ! cp "$STAMP" "$tmp/stamp"; then
		rm -rf "$tmp"
		return 0
	fi
	# rename(2) of a directory fails when the target exists: a concurrent fill wins, ours goes.
	if mv -T "$tmp" "$ENTRY" 2>/dev/null || { [ ! -e "$ENTRY" ] && mv "$tmp" "$ENTRY"; }; then
		say "cached the install in $ENTRY"
	else
		rm -rf "$tmp"
	fi
}

if from_cache; then
	say "reference ${VERSION} installed in $DEST (from the cache)"
	exit 0
fi

# ---- 1. the crate, through cargo, verified ----------------------------------------------
command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust (rustup, or your system's cargo package) to build the reference"
if command -v rustup >/dev/null 2>&1; then
	# The crate's rust-toolchain.toml pins 1.88.0; override it with an installed toolchain.
	export RUSTUP_TOOLCHAIN="${PLASMITE_REF_TOOLCHAIN:-stable}"
fi
CARGO_HOME_DIR="${CARGO_HOME:-${HOME:-$(echo ~)}/.cargo}" # without HOME, ~ is the passwd entry, as for cargo

# fetch_crate: resolves a throwaway package that depends on exactly plasmite VERSION, checks the
# checksum cargo records for it in Cargo.lock, lets cargo download it, and prints the path of
# the .crate file cargo stored (cargo itself checks the download against that checksum).
fetch_crate() {
	local work lock_sum host f
	work=$(mktemp -d)
	# shellcheck disable=SC2064 # (runs in its own subshell: $(fetch_crate))
	trap "rm -rf '$work'" EXIT
	mkdir -p "$work/src"
	: >"$work/src/lib.rs"
	cat >"$work/Cargo.toml" <<-EOF
		[package]
		name = "plasmite-reference-fetch"
		version = "0.0.0"
		edition = "2021"
		publish = false

		[dependencies]
		plasmite = "=${VERSION}"
	EOF
	(cd "$work" && cargo generate-lockfile --quiet) >&2 ||
		die "cargo could not resolve plasmite ${VERSION} (is the registry reachable?)"
	lock_sum=$(awk -v v="\"${VERSION}\"" '
		/^\[\[package\]\]/ { name = ""; ver = "" }
		/^name = / { name = $3 }
		/^version = / { ver = $3 }
		/^checksum = / && name == "\"plasmite\"" && ver == v { gsub(/"/, "", $3); print $3; exit }
	' "$work/Cargo.lock")
	[ "$lock_sum" = "$CRATE_SHA256" ] ||
		die "cargo records checksum '${lock_sum}' for plasmite ${VERSION}, want $CRATE_SHA256"
	host=$(rustc -vV | sed -n 's/^host: //p')
	(cd "$work" && cargo fetch --locked --quiet ${host:+--target "$host"}) >&2 ||
		die "cargo fetch of plasmite ${VERSION} failed"
	for f in "$CARGO_HOME_DIR"/registry/cache/*/"plasmite-${VERSION}.crate"; do
		[ -f "$f" ] && [ "$(sha256_of "$f")" = "$CRATE_SHA256" ] && {
			echo "$f"
			return 0
		}
	done
	die "cargo fetched plasmite ${VERSION} but no file with sha256 $CRATE_SHA256 is in $CARGO_HOME_DIR/registry/cache"
}

if [ -n "${PLASMITE_REF_CRATE:-}" ]; then
	[ -f "$PLASMITE_REF_CRATE" ] || die "PLASMITE_REF_CRATE=$PLASMITE_REF_CRATE is not a file"
	CRATE=$PLASMITE_REF_CRATE
else
	say "fetching plasmite ${VERSION} through cargo"
	CRATE=$(fetch_crate)
fi
got=$(sha256_of "$CRATE")
[ "$got" = "$CRATE_SHA256" ] || die "checksum mismatch for $CRATE: got $got, want $CRATE_SHA256"

# ---- 2. source --------------------------------------------------------------------------
SRC="$DEST/src"
if [ ! -f "$SRC/.unpacked" ] || [ "$(cat "$SRC/.unpacked")" != "$CRATE_SHA256" ]; then
	say "unpacking into $SRC"
	rm -rf "$SRC"
	mkdir -p "$SRC"
	tar -xzf "$CRATE" -C "$SRC" --strip-components=1 || die "cannot unpack $CRATE"
	[ -f "$SRC/Cargo.toml" ] && [ -f "$SRC/include/plasmite.h" ] ||
		die "unexpected crate contents in $SRC (no Cargo.toml or include/plasmite.h)"
	echo "$CRATE_SHA256" >"$SRC/.unpacked"
fi
rm -rf "$DEST/dl" # the previous installer kept the download here

# ---- 3. build ---------------------------------------------------------------------------
command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || command -v clang >/dev/null 2>&1 ||
	die "no C compiler found (the reference compiles vendored C sources)"
if [ -n "$CACHE" ]; then
	export CARGO_TARGET_DIR="$CACHE/target-${VERSION}-${CRATE_SHA256}-${os}-${arch}"
else
	export CARGO_TARGET_DIR="$DEST/target"
fi
say "building plasmite ${VERSION} with $(cd "$SRC" && rustc --version 2>/dev/null || echo 'unknown rustc') in $CARGO_TARGET_DIR (minutes when cold)"
(cd "$SRC" && cargo build --release --locked --lib --bin plasmite --bin pls) ||
	die "cargo build of the reference failed (see the output above)"

OUT="$CARGO_TARGET_DIR/release"
for f in plasmite pls libplasmite.so libplasmite.a; do
	[ -f "$OUT/$f" ] || die "build finished but $OUT/$f is missing"
done

# ---- 4. layout --------------------------------------------------------------------------
SDK="$DEST/sdk"
rm -rf "$SDK"
mkdir -p "$SDK/bin" "$SDK/lib" "$SDK/include"
install -m 0755 "$OUT/plasmite" "$OUT/pls" "$SDK/bin/"
install -m 0755 "$OUT/libplasmite.so" "$SDK/lib/"
install -m 0644 "$OUT/libplasmite.a" "$SDK/lib/"
install -m 0644 "$SRC/include/plasmite.h" "$SDK/include/"

rm -rf "$DEST/bin" "$DEST/lib" "$DEST/include"
mkdir -p "$DEST/bin"
ln -s ../sdk/bin/plasmite "$DEST/bin/plasmite"
ln -s ../sdk/bin/pls "$DEST/bin/pls"
ln -s sdk/lib "$DEST/lib"
ln -s sdk/include "$DEST/include"

got=$("$DEST/bin/plasmite" --version 2>&1) || die "the built CLI does not run: $got"
[ "$got" = "plasmite ${VERSION}" ] || die "the built CLI reports '$got', want 'plasmite ${VERSION}'"

# ---- 5. Python package (its sdist through pip; there is no Linux wheel for 1.2.1) -------
python_status="skipped (PLASMITE_REF_SKIP_PYTHON=1)"
rm -rf "$DEST/python"
if [ "${PLASMITE_REF_SKIP_PYTHON:-}" != 1 ]; then
	PY="${PLASMITE_REF_PYTHON:-python3}"
	command -v "$PY" >/dev/null 2>&1 || die "$PY not found (set PLASMITE_REF_PYTHON, or PLASMITE_REF_SKIP_PYTHON=1)"
	"$PY" -m pip --version >/dev/null 2>&1 ||
		die "$PY has no pip module (install pip, e.g. python3-pip, or set PLASMITE_REF_SKIP_PYTHON=1)"
	say "installing the Python package plasmite==${VERSION} into $DEST/python"
	# --no-binary: always build from the sdist so the package bundles the natives built above
	# (the macOS/Windows wheels carry their own); --no-cache-dir: never reuse a wheel built
	# against another SDK directory.
	PLASMITE_SDK_DIR="$SDK" "$PY" -m pip install --quiet --disable-pip-version-check --no-cache-dir \
		--no-deps --no-binary plasmite --target "$DEST/python" "plasmite==${VERSION}" ||
		die "pip could not install plasmite==${VERSION} from its sdist (set PLASMITE_REF_SKIP_PYTHON=1 to skip)"
	[ -f "$DEST/python/plasmite/_native/libplasmite.so" ] ||
		die "the Python package was installed without the native library (PLASMITE_SDK_DIR not honoured?)"
	python_status="installed in python/"
else
	mkdir -p "$DEST/python"
fi

# ---- 6. stamp (last), then the cache ----------------------------------------------------
{
	echo "$STAMP_ID"
	echo "rustc: $(cd "$SRC" && rustc --version 2>/dev/null || echo unknown)"
	echo "python: $python_status"
	echo "installed: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$STAMP.part"
mv "$STAMP.part" "$STAMP"
say "reference ${VERSION} installed in $DEST"
# Only a full install (with the Python package) is worth reusing.
[ "${PLASMITE_REF_SKIP_PYTHON:-}" = 1 ] || to_cache
