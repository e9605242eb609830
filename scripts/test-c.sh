#!/usr/bin/env bash
# test-c.sh [BUILD] — the C ABI tests (called by `make test-c`; see bindings/c/README.md):
#   pkgconfig   the installed plasmite.pc is relocatable and well-formed
#   symbols     header prototypes == cgo exports == .so dynamic symbols == .a symbols
#   layout      struct layouts and enum values equal the reference header's
#   smoke, adversarial, waits, batch, receipt, example
#               built with `pkg-config --cflags --libs plasmite` against an install into a
#               temporary prefix; run against the shared library, the static library, under
#               AddressSanitizer+UBSan, under valgrind, and compiled against the reference's header
#               (that binary also runs against the reference library: the expectations hold there)
#   envelopes   one probe program built against the reference library and against ours prints
#               identical envelopes, errors and Lite3 frames
#   interop     a C program writes a pool through our library that the reference CLI reads, and
#               reads a pool the reference CLI wrote
#   remote      tests/remote.c against a running server (the reference's `serve`, and ours
#               when this build's CLI has it) through plsm_remote_client_new; tests/remote_https.c
#               against each server's HTTPS listener with an in-memory access key
# The reference release is looked up in $PLASMITE_REF, then .ref/, then /work/refsdk; checks that
# need it are skipped when it is absent, unless PLASMITE_REQUIRE_REF=1.
# The tests also run under valgrind when it is installed (PLASMITE_VALGRIND=0 turns that off).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${1:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
CC=${CC:-cc}
CFLAGS=${CFLAGS:--std=c11 -Wall -Wextra -Werror -O1 -g}

work=$(mktemp -d)
# Servers started by the remote checks are stopped by their pids.
trap 'for p in $(cat "$work/serve.pids" 2>/dev/null); do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
prefix=$work/prefix
pass=0 fail=0 skip=0

ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL $1"
	[ -f "$work/log" ] && sed 's/^/     | /' "$work/log" | tail -40
	fail=$((fail + 1))
}
skipped() { echo "skip $1 ($2)"; skip=$((skip + 1)); }
# step NAME CMD...: runs CMD with its output captured, reports ok/FAIL.
step() {
	local name=$1
	shift
	if "$@" >"$work/log" 2>&1; then
		ok "$name"
	else
		bad "$name"
		return 1
	fi
}

ref=""
for d in "${PLASMITE_REF:-}" "$root/.ref" /work/refsdk; do
	if [ -n "$d" ] && [ -f "$d/stamp" ] && [ -x "$d/bin/plasmite" ]; then
		ref=$d
		break
	fi
done
need_ref() { # NAME: returns 1 (and records a skip or failure) when the reference is absent
	[ -n "$ref" ] && return 0
	if [ "${PLASMITE_REQUIRE_REF:-}" = 1 ]; then
		echo "reference release not found (PLASMITE_REF, .ref, /work/refsdk)" >"$work/log"
		bad "$1"
	else
		skipped "$1" "reference release not installed"
	fi
	return 1
}

# ---- install into a temporary prefix --------------------------------------------------------
if ! make --no-print-directory BUILD="$build" install PREFIX="$prefix" >"$work/log" 2>&1; then
	bad "install"
	echo "0 passed, 1 failed"
	exit 1
fi
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
version=$(cat VERSION)
cflags_pc=$(pkg-config --cflags plasmite)
libs_pc=$(pkg-config --libs plasmite)

pc_checks() {
	local pc=$prefix/lib/pkgconfig/plasmite.pc
	grep -Eq '^Name: plasmite$' "$pc" &&
		grep -Eq '^Libs: .* -lplasmite$' "$pc" &&
		grep -Eq '^Cflags: (-I|.* -I)' "$pc" &&
		grep -Eq '^Libs.private: -lpthread -ldl -lm$' "$pc" &&
		[ "$(pkg-config --modversion plasmite)" = "$version" ] &&
		[ "$(cd "$(pkg-config --variable=includedir plasmite)" && pwd -P)" = "$(cd "$prefix/include" && pwd -P)" ] &&
		[ "$(cd "$(pkg-config --variable=libdir plasmite)" && pwd -P)" = "$(cd "$prefix/lib" && pwd -P)" ] &&
		pkg-config --static --libs plasmite | grep -- "-lpthread" >/dev/null &&
		[ -f "$prefix/include/plasmite.h" ] && [ -f "$prefix/lib/libplasmite.so" ] &&
		[ -f "$prefix/lib/libplasmite.a" ] && [ -x "$prefix/bin/plasmite" ] && [ -x "$prefix/bin/pls" ]
}
step pkgconfig pc_checks

# ---- symbols --------------------------------------------------------------------------------
symbols() {
	PLASMITE_LIB_DIR=$build/lib PLASMITE_CGO_HEADER=$build/capi/cgo-shared.h \
		go test -count=1 -run 'TestHeader' ./capi || return 1
	nm -D --defined-only "$prefix/lib/libplasmite.so" | awk '$2 == "T" && $3 ~ /^plsm_/ {print $3}' | sort >"$work/so.syms"
	nm --defined-only "$prefix/lib/libplasmite.a" 2>/dev/null | awk '$2 == "T" && $3 ~ /^plsm_/ {print $3}' | sort -u >"$work/a.syms"
	diff "$work/so.syms" "$work/a.syms" && [ "$(wc -l <"$work/so.syms")" -ge 20 ]
}
step symbols symbols

# ---- the header alone: strict C89, C99 and C++ ---------------------------------------------
header() {
	printf '#include <plasmite.h>\nint main(void) { plsm_buf_t b; b.data = 0; b.len = 0; plsm_buf_free(&b); return 0; }\n' >"$work/h.c"
	cp "$work/h.c" "$work/h.cpp"
	$CC -std=c89 -pedantic -Wall -Wextra -Werror $cflags_pc -c "$work/h.c" -o "$work/h89.o" &&
		$CC -std=c99 -pedantic -Wall -Wextra -Werror $cflags_pc -c "$work/h.c" -o "$work/h99.o" &&
		{ ! command -v "${CXX:-c++}" >/dev/null ||
			"${CXX:-c++}" -std=c++11 -pedantic -Wall -Wextra -Werror $cflags_pc -c "$work/h.cpp" -o "$work/hxx.o"; }
}

# ---- layout ---------------------------------------------------------------------------------
layout() {
	$CC $CFLAGS $(pkg-config --cflags plasmite) -o "$work/layout" bindings/c/tests/layout.c && "$work/layout" >"$work/layout.ours" || return 1
	if [ -n "$ref" ]; then
		$CC $CFLAGS -I"$ref/include" -o "$work/layout-ref" bindings/c/tests/layout.c &&
			"$work/layout-ref" >"$work/layout.ref" && diff "$work/layout.ref" "$work/layout.ours"
	fi
}
step header header
step layout layout
[ -n "$ref" ] || need_ref "layout vs reference header"

# ---- smoke and adversarial, several ways ----------------------------------------------------
run_prog() { # CMD...: runs CMD with a fresh scratch pool directory as its last argument
	local dir
	dir=$(mktemp -d "$work/run.XXXX")
	"$@" "$dir/pools"
}
static_libs="$prefix/lib/libplasmite.a $(pkg-config --static --libs-only-l plasmite | sed 's/-lplasmite//')"

for t in smoke adversarial waits batch receipt; do
	src=bindings/c/tests/$t.c
	step "$t (shared)" sh -c "$CC $CFLAGS $cflags_pc -o '$work/$t' '$src' $libs_pc -lpthread" &&
		step "$t (shared) run" run_prog env LD_LIBRARY_PATH="$prefix/lib" "$work/$t"
	step "$t (static)" sh -c "$CC $CFLAGS $cflags_pc -o '$work/$t-static' '$src' $static_libs" &&
		step "$t (static) run" run_prog "$work/$t-static"
	# AddressSanitizer + UBSan on the C side. The Go runtime's own allocations are not
	# malloc-based and leak checking sees the runtime's threads, so leaks are not checked.
	if echo 'int main(void){return 0;}' | $CC -fsanitize=address,undefined -x c - -o "$work/asan-probe" 2>/dev/null; then
		step "$t (asan+ubsan)" sh -c "$CC $CFLAGS -fsanitize=address,undefined -fno-omit-frame-pointer $cflags_pc -o '$work/$t-asan' '$src' $libs_pc -lpthread" &&
			step "$t (asan+ubsan) run" run_prog env LD_LIBRARY_PATH="$prefix/lib" \
				ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:allow_user_segv_handler=1:handle_segv=0 \
				UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$work/$t-asan"
	else
		skipped "$t (asan+ubsan)" "compiler lacks -fsanitize=address"
	fi
	# Valgrind memcheck on the static build: errors in C code and definite leaks of what the
	# library returned fail the run; reports inside Go code are suppressed (go-runtime.supp).
	if [ "${PLASMITE_VALGRIND:-1}" = 0 ]; then
		skipped "$t (valgrind)" "PLASMITE_VALGRIND=0"
	elif command -v valgrind >/dev/null; then
		step "$t (valgrind)" run_prog valgrind --quiet --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite --show-leak-kinds=definite \
			--suppressions=bindings/c/tests/go-runtime.supp "$work/$t-static"
	else
		skipped "$t (valgrind)" "valgrind not installed"
	fi
	if need_ref "$t (reference header)"; then
		step "$t (reference header)" sh -c "$CC $CFLAGS -I'$ref/include' -o '$work/$t-refhdr' '$src' -L'$prefix/lib' -lplasmite -lpthread" &&
			step "$t (reference header) run" run_prog env LD_LIBRARY_PATH="$prefix/lib" "$work/$t-refhdr"
		# The same binary against the reference library keeps the expectations honest.
		[ -f "$ref/lib/libplasmite.so" ] &&
			step "$t (reference library) run" run_prog env LD_LIBRARY_PATH="$ref/lib" "$work/$t-refhdr"
	fi
done

step "example" sh -c "$CC $CFLAGS $cflags_pc -o '$work/example' bindings/c/example.c $libs_pc" &&
	step "example run" run_prog env LD_LIBRARY_PATH="$prefix/lib" "$work/example"

# ---- the same program against the reference library and ours: identical output ---------------
envelopes() {
	local src=bindings/c/tests/envelopes.c
	$CC $CFLAGS -I"$ref/include" -o "$work/env-ref" "$src" -L"$ref/lib" -lplasmite &&
		$CC $CFLAGS $cflags_pc -o "$work/env-ours" "$src" $libs_pc || return 1
	mkdir -p "$work/env"
	LD_LIBRARY_PATH=$ref/lib "$work/env-ref" "$work/env/ref" >"$work/env.ref" &&
		LD_LIBRARY_PATH=$prefix/lib "$work/env-ours" "$work/env/ours" >"$work/env.ours" &&
		diff "$work/env.ref" "$work/env.ours"
}
if need_ref "envelopes vs reference library"; then step "envelopes vs reference library" envelopes; fi

# ---- interop with the reference CLI ----------------------------------------------------------
interop() {
	local dir=$work/interop bin=$work/interop-bin
	mkdir -p "$dir"
	$CC $CFLAGS $cflags_pc -o "$bin" bindings/c/tests/interop.c $libs_pc || return 1
	LD_LIBRARY_PATH=$prefix/lib "$bin" write "$dir" || return 1
	# The reference CLI reads what our library wrote.
	for i in 1 2 3; do
		"$ref/bin/plasmite" --dir "$dir" fetch interop "$i" >"$work/fetch.$i" || return 1
		grep -q "\"i\":$i" "$work/fetch.$i" && grep -q '"from-c"' "$work/fetch.$i" &&
			grep -q "\"seq\":$i" "$work/fetch.$i" && grep -q "méssage $i" "$work/fetch.$i" || {
			echo "reference fetch $i:"
			cat "$work/fetch.$i"
			return 1
		}
	done
	# Our library reads what the reference CLI wrote.
	"$ref/bin/plasmite" --dir "$dir" pool create refpool >/dev/null || return 1
	"$ref/bin/plasmite" --dir "$dir" feed refpool --tag ref '{"from":"rust","n":7}' >/dev/null || return 1
	LD_LIBRARY_PATH=$prefix/lib "$bin" read "$dir" >"$work/read.out" || return 1
	grep -q '^{"seq":1,"time":"[^"]*Z","meta":{"tags":\["ref"\]},"data":{"from":"rust","n":7}}$' "$work/read.out" || {
		cat "$work/read.out"
		return 1
	}
	# Pool info and list JSON have the reference CLI's shape and values (ages masked).
	rm -rf "$dir/interop.plasmite"
	mask='s/"\(newest\|oldest\)_age_ms":[0-9]*/"\1_age_ms":N/g'
	{
		"$ref/bin/plasmite" --dir "$dir" pool info refpool --format json
		"$ref/bin/plasmite" --dir "$dir" pool list --format json
	} | tr -d '\n' | sed "$mask" >"$work/info.ref"
	LD_LIBRARY_PATH=$prefix/lib "$bin" info "$dir" | tr -d '\n' | sed "$mask" >"$work/info.ours"
	grep -q '"name":"refpool".*"pools":\[{"bounds":{"newest":1,"oldest":1}' "$work/info.ref" &&
		diff "$work/info.ref" "$work/info.ours"
}
if need_ref interop; then step interop interop; fi

# ---- remote pools against a real server -----------------------------------------------------
# serve_url BIN DIR: starts `BIN --dir DIR serve` on free loopback ports (as the interop harnesses
# do), waits for its ready file and prints the local listener's URL; the server's pid goes to
# $work/serve.pids so that the EXIT trap stops it.
serve_url() {
	local bin=$1 dir=$2 home ready
	home=$(mktemp -d "$work/serve.XXXX")
	ready=$home/ready
	HOME=$home PLASMITE_ACCESS_HOME=$home/access PLASMITE_SERVE_READY_FILE=$ready \
		"$bin" --dir "$dir" serve --bind 127.0.0.1:0 --remote-bind 127.0.0.1:0 >"$home/out" 2>&1 &
	echo $! >>"$work/serve.pids"
	echo "$ready" >"$dir.ready" # where the HTTPS address will be
	for _ in $(seq 300); do
		[ -s "$ready" ] && [ -s "$dir/.plasmite-serve/local.json" ] && break
		sleep 0.1
	done
	[ -s "$ready" ] || { cat "$home/out" >&2; return 1; }
	echo "http://$(tr -d '"' <"$dir/.plasmite-serve/local.json")"
}

remote_against() { # BIN: the remote test against BIN's server
	local dir url
	dir=$(mktemp -d "$work/remote.XXXX")
	url=$(serve_url "$1" "$dir") || return 1
	LD_LIBRARY_PATH=$prefix/lib "$work/remote" "$url"
}
if step "remote (shared)" sh -c "$CC $CFLAGS $cflags_pc -o '$work/remote' bindings/c/tests/remote.c $libs_pc -lpthread"; then
	if need_ref "remote vs reference server"; then step "remote vs reference server" remote_against "$ref/bin/plasmite"; fi
	# Our server, once the CLI in this build has one.
	if "$build/bin/plasmite" serve --help 2>&1 | grep -q 'not yet implemented'; then
		skipped "remote vs our server" "serve not in this build"
	else
		step "remote vs our server" remote_against "$build/bin/plasmite"
	fi
fi

# HTTPS: an access key issued by our CLI (through the server's local listener), used in memory.
https_against() { # BIN: remote_https against BIN's HTTPS listener
	local dir key
	dir=$(mktemp -d "$work/https.XXXX")
	serve_url "$1" "$dir" >/dev/null || return 1
	key=$("$build/bin/plasmite" --dir "$dir" access invite c-abi --format json | sed 's/.*"access_key":"\([^"]*\)".*/\1/')
	LD_LIBRARY_PATH=$prefix/lib "$work/remote_https" "https://$(cat "$(cat "$dir.ready")")" "$key"
}
if step "remote https (shared)" sh -c "$CC $CFLAGS $cflags_pc -o '$work/remote_https' bindings/c/tests/remote_https.c $libs_pc"; then
	if need_ref "remote https vs reference server"; then step "remote https vs reference server" https_against "$ref/bin/plasmite"; fi
	step "remote https vs our server" https_against "$build/bin/plasmite"
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
