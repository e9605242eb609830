#!/usr/bin/env bash
# ref-cli-tests.sh — run the reference release's own CLI integration tests
# (.ref/src/tests/cli_*.rs) against OUR plasmite binary, and print passed /
# failed per file, with the failures we expect on purpose listed with their
# reasons (scripts/ref-cli-tests.known: "FILE::TEST reason" for a test that
# fails on purpose, "skip FILE::TEST reason" for one not run because it
# would wait forever on a deliberate difference).
#
#   scripts/ref-cli-tests.sh [--bin PATH] [--ref] [FILE...]
#
#   --bin PATH   the binary under test (default build/bin/plasmite, built first)
#   --ref        test the reference's own binary instead (a baseline)
#   FILE...      test files to run, without .rs (default: every cli_* file)
#
# How: .ref/src is copied to a scratch directory (.ref is never modified), a
# small patch of ours (scripts/ref-cli-tests.patch) makes the tests' support
# code run $PLASMITE_TEST_BIN instead of the binary cargo built, and cargo
# builds the tests offline (the dependencies are in cargo's cache since
# `make ref`; the few test-only ones are fetched once through cargo) in
# release mode, in a target directory kept in the cache
# (seeded from the reference build's), so a rerun only runs the tests.
# Environment: PLASMITE_REF (default .ref), PLASMITE_REF_TOOLCHAIN (default
# stable), PLASMITE_REF_TESTS_CACHE (default ~/.cache/plasmite-go/ref-cli-tests),
# REF_TEST_THREADS (default 2), REF_TEST_TIMEOUT (seconds per file, default 900).
# Exit status: 0 when every failure is a known one, 1 otherwise.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
ref=${PLASMITE_REF:-$root/.ref}
bin=""
use_ref=0
files=()
while [ $# -gt 0 ]; do
	case $1 in
	--bin) bin=$2; shift 2 ;;
	--ref) use_ref=1; shift ;;
	-h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) files+=("${1%.rs}"); shift ;;
	esac
done

die() { echo "ref-cli-tests: ERROR: $*" >&2; exit 2; }
[ -d "$ref/src/tests" ] || die "no reference source in $ref/src (run make ref)"
command -v cargo >/dev/null || die "cargo is needed to build the reference's tests"

if [ $use_ref = 1 ]; then
	bin=$ref/bin/plasmite
elif [ -z "$bin" ]; then
	make -C "$root" --no-print-directory cli >/dev/null
	bin=$root/build/bin/plasmite
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
[ -x "$bin" ] || die "no binary at $bin"

cache=${PLASMITE_REF_TESTS_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/plasmite-go/ref-cli-tests}
src=$cache/src
target=$cache/target
patch=$root/scripts/ref-cli-tests.patch
known=$root/scripts/ref-cli-tests.known
mkdir -p "$cache"

# The scratch copy is remade only when the reference or the patch changed,
# so that cargo's fingerprints (file times) stay valid between runs.
stamp="$(head -1 "$ref/stamp" 2>/dev/null) $(sha256sum "$patch" | cut -c1-16)"
if [ "$(cat "$src/.ref-cli-tests-stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	(cd "$ref/src" && tar --exclude=./target -cf - .) | (cd "$src.tmp" && tar -xpf -)
	(cd "$src.tmp" && patch -s -p1 <"$patch") || die "the patch does not apply to $ref/src"
	echo "$stamp" >"$src.tmp/.ref-cli-tests-stamp"
	rm -rf "$src"
	mv "$src.tmp" "$src"
fi

# Seed the target directory from the reference build's, so the release
# dependencies are compiled already.
if [ ! -d "$target" ]; then
	seed=""
	for d in "$ref/target" "${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}"/plasmite-go/target-1.2.1-*; do
		if [ -d "$d/release" ]; then seed=$d; break; fi
	done
	mkdir -p "$target.tmp"
	[ -n "$seed" ] && cp -a "$seed/." "$target.tmp/"
	mv "$target.tmp" "$target"
fi

if [ ${#files[@]} -eq 0 ]; then
	for f in "$src"/tests/cli_*.rs; do files+=("$(basename "$f" .rs)"); done
fi
export CARGO_TARGET_DIR=$target RUSTUP_TOOLCHAIN=${PLASMITE_REF_TOOLCHAIN:-stable}
tests=()
for f in "${files[@]}"; do tests+=(--test "$f"); done
echo "ref-cli-tests: building ${#files[@]} test files of $(head -1 "$ref/stamp" | cut -d' ' -f1-2) (cargo, offline)..." >&2
build() { (cd "$src" && cargo test --release --offline --locked --no-run "${tests[@]}" 2>"$cache/build.log"); }
if ! build; then
	# A test-only dependency (tempfile's) that `make ref` did not need:
	# fetched once through cargo, then the build is offline again.
	grep -q -- '--offline was specified' "$cache/build.log" || { tail -30 "$cache/build.log" >&2; die "cargo could not build the tests (log: $cache/build.log)"; }
	echo "ref-cli-tests: fetching the tests' own dependencies (cargo fetch --locked)..." >&2
	(cd "$src" && cargo fetch --locked >>"$cache/build.log" 2>&1) || die "cargo fetch failed (log: $cache/build.log)"
	build || { tail -30 "$cache/build.log" >&2; die "cargo could not build the tests (log: $cache/build.log)"; }
fi

echo "ref-cli-tests: binary under test: $bin ($("$bin" --version 2>&1 | head -1))"
out=$cache/results
rm -rf "$out"
mkdir -p "$out"
total_pass=0 total_fail=0 total_known=0 total_skip=0
unexpected=()
for f in "${files[@]}"; do
	log=$out/$f.log
	skips=()
	while read -r name reason; do
		skips+=(--skip "$name")
		echo "  skipped  $f::$name — $reason" >>"$out/known.txt"
	done < <(awk -v p="$f::" '$1 == "skip" && index($2, p) == 1 { n = substr($2, length(p) + 1); $1 = ""; $2 = ""; sub(/^  */, ""); print n, $0 }' "$known" 2>/dev/null)
	# In a session of its own, so that what a failed test leaves running
	# (a server it started) is ended with it, and nothing else is.
	(cd "$src" && PLASMITE_TEST_BIN=$bin exec setsid timeout "${REF_TEST_TIMEOUT:-900}" \
		cargo test --release --offline --locked --test "$f" -- --exact --test-threads="${REF_TEST_THREADS:-2}" "${skips[@]}" >"$log" 2>&1) &
	sid=$!
	wait "$sid" || true
	kill -- "-$sid" 2>/dev/null || true
	pass=$(grep -cE '^test .* \.\.\. ok$' "$log" || true)
	fail=0 kn=0
	while read -r name; do
		[ -n "$name" ] || continue
		reason=$(awk -v k="$f::$name" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$known" 2>/dev/null)
		if [ -n "$reason" ]; then
			kn=$((kn + 1))
			echo "  known    $f::$name — $reason" >>"$out/known.txt"
		else
			fail=$((fail + 1))
			unexpected+=("$f::$name")
		fi
	done < <(grep -E '^test .* \.\.\. FAILED$' "$log" | sed -E 's/^test (.*) \.\.\. FAILED$/\1/')
	if ! grep -qE '^test result:' "$log"; then
		fail=$((fail + 1))
		unexpected+=("$f (did not finish: see $log)")
	fi
	sk=$((${#skips[@]} / 2))
	printf '%-26s passed %3d  failed %3d  known %3d  skipped %d\n' "$f" "$pass" "$fail" "$kn" "$sk"
	total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail))
	total_known=$((total_known + kn)) total_skip=$((total_skip + sk))
done
printf '%-26s passed %3d  failed %3d  known %3d  skipped %d\n' TOTAL "$total_pass" "$total_fail" "$total_known" "$total_skip"
if [ -s "$out/known.txt" ]; then
	echo "Known (deliberate) differences:"
	cat "$out/known.txt"
fi
if [ ${#unexpected[@]} -gt 0 ]; then
	echo "Unexpected failures (logs in $out):"
	printf '  %s\n' "${unexpected[@]}"
	exit 1
fi
