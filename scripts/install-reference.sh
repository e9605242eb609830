#!/usr/bin/env bash
# install-reference.sh DEST — install the reference Plasmite release (Rust crate 1.2.1) into DEST,
# for interop tests and benchmarks. Only package registries are contacted (static.crates.io and
# the crates.io index through cargo, PyPI through pip).
#
# Result (all paths relative to DEST):
#   sdk/bin/plasmite, sdk/bin/pls          the reference CLI
#   sdk/lib/libplasmite.so, libplasmite.a  the reference C library (shared and static)
#   sdk/include/plasmite.h                 its C header
#   bin/plasmite, bin/pls, lib, include    links into sdk/
#   python/                                the reference Python package (pip --target layout)
#   stamp                                  written last; its first line identifies the install
#
# Re-running with a matching stamp is a no-op (it only refreshes the stamp's mtime, for make).
#
# Environment:
#   PLASMITE_REF_CRATE=path    use this local .crate file instead of downloading (still verified)
#   PLASMITE_REF_TOOLCHAIN=x   rustup toolchain to build with (default: stable; the crate pins
#                              1.88.0, which we do not require)
#   PLASMITE_REF_PYTHON=exe    Python used for pip (default: python3)
#   PLASMITE_REF_SKIP_PYTHON=1 do not install the Python package
set -euo pipefail

VERSION=1.2.1
CRATE_URL="https://static.crates.io/crates/plasmite/plasmite-${VERSION}.crate"
CRATE_SHA256=d1d0acac5f182c7fde6aa87d335847eb39adac16652e6e162fd8aee04f53859c
LAYOUT=1 # bump when the produced layout changes, to force a reinstall
STAMP_ID="plasmite-reference ${VERSION} crate-sha256=${CRATE_SHA256} layout=${LAYOUT}"

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
	include/plasmite.h)

installed() {
	[ -f "$STAMP" ] && [ "$(head -n1 "$STAMP")" = "$STAMP_ID" ] || return 1
	local f
	for f in "${want_files[@]}"; do [ -e "$DEST/$f" ] || return 1; done
	return 0
}

if installed; then
	touch "$STAMP"
	exit 0
fi

# One installer per DEST at a time; the second waits, then finds the stamp.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$DEST/.lock"
	flock 9
	if installed; then
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
		die "need sha256sum or shasum to verify the download"
	fi
}

# ---- 1. the crate, verified -------------------------------------------------------------
mkdir -p "$DEST/dl"
CRATE="$DEST/dl/plasmite-${VERSION}.crate"
if [ -n "${PLASMITE_REF_CRATE:-}" ]; then
	[ -f "$PLASMITE_REF_CRATE" ] || die "PLASMITE_REF_CRATE=$PLASMITE_REF_CRATE is not a file"
	got=$(sha256_of "$PLASMITE_REF_CRATE")
	[ "$got" = "$CRATE_SHA256" ] ||
		die "checksum mismatch for PLASMITE_REF_CRATE=$PLASMITE_REF_CRATE: got $got, want $CRATE_SHA256"
	cp "$PLASMITE_REF_CRATE" "$CRATE.part" || die "cannot copy $PLASMITE_REF_CRATE"
	mv "$CRATE.part" "$CRATE"
fi
if [ ! -f "$CRATE" ] || [ "$(sha256_of "$CRATE")" != "$CRATE_SHA256" ]; then
	say "downloading $CRATE_URL"
	rm -f "$CRATE.part"
	if command -v curl >/dev/null 2>&1; then
		curl -fsSL --retry 3 -o "$CRATE.part" "$CRATE_URL" || die "download failed: $CRATE_URL"
	elif command -v wget >/dev/null 2>&1; then
		wget -q -O "$CRATE.part" "$CRATE_URL" || die "download failed: $CRATE_URL"
	else
		die "need curl or wget to download $CRATE_URL"
	fi
	got=$(sha256_of "$CRATE.part")
	if [ "$got" != "$CRATE_SHA256" ]; then
		rm -f "$CRATE.part"
		die "checksum mismatch for $CRATE_URL: got $got, want $CRATE_SHA256"
	fi
	mv "$CRATE.part" "$CRATE"
fi

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

# ---- 3. build ---------------------------------------------------------------------------
command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust (https://rustup.rs) to build the reference"
command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || command -v clang >/dev/null 2>&1 ||
	die "no C compiler found (the reference compiles vendored C sources)"
if command -v rustup >/dev/null 2>&1; then
	# The crate's rust-toolchain.toml pins 1.88.0; override it with an installed toolchain.
	export RUSTUP_TOOLCHAIN="${PLASMITE_REF_TOOLCHAIN:-stable}"
fi
export CARGO_TARGET_DIR="$DEST/target"
say "building plasmite ${VERSION} with $(cd "$SRC" && rustc --version 2>/dev/null || echo 'unknown rustc') (a few minutes)"
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

# ---- 5. Python package (sdist from PyPI; there is no Linux wheel for 1.2.1) --------------
python_status="skipped (PLASMITE_REF_SKIP_PYTHON=1)"
if [ "${PLASMITE_REF_SKIP_PYTHON:-}" != 1 ]; then
	PY="${PLASMITE_REF_PYTHON:-python3}"
	command -v "$PY" >/dev/null 2>&1 || die "$PY not found (set PLASMITE_REF_PYTHON, or PLASMITE_REF_SKIP_PYTHON=1)"
	"$PY" -m pip --version >/dev/null 2>&1 ||
		die "$PY has no pip module (install pip, e.g. python3-pip, or set PLASMITE_REF_SKIP_PYTHON=1)"
	say "installing the Python package plasmite==${VERSION} into $DEST/python"
	rm -rf "$DEST/python"
	# --no-binary: always build from the sdist so the package bundles the natives built above
	# (PyPI's macOS/Windows wheels carry their own); --no-cache-dir: never reuse a wheel built
	# against another SDK directory.
	PLASMITE_SDK_DIR="$SDK" "$PY" -m pip install --quiet --disable-pip-version-check --no-cache-dir \
		--no-deps --no-binary plasmite --target "$DEST/python" "plasmite==${VERSION}" ||
		die "pip could not install plasmite==${VERSION} from its sdist (set PLASMITE_REF_SKIP_PYTHON=1 to skip)"
	[ -f "$DEST/python/plasmite/_native/libplasmite.so" ] ||
		die "the Python package was installed without the native library (PLASMITE_SDK_DIR not honoured?)"
	python_status="$DEST/python"
fi

# ---- 6. stamp (last) --------------------------------------------------------------------
{
	echo "$STAMP_ID"
	echo "rustc: $(cd "$SRC" && rustc --version 2>/dev/null || echo unknown)"
	echo "python: $python_status"
	echo "installed: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$STAMP.part"
mv "$STAMP.part" "$STAMP"
say "reference ${VERSION} installed in $DEST"
