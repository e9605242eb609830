#!/usr/bin/env bash
# bench-python.sh — the Python binding next to the reference's package (part of `make bench`):
# append of a 100-byte dict, batch appends, and a tail of 1M messages; see
# bindings/python/bench/bench.py. Env: BENCH_PY_ROUNDS, BENCH_PY_APPEND, BENCH_PY_BATCH,
# BENCH_PY_TAIL, BENCH_PY_REF_TAIL, PYTHON.
set -euo pipefail
cd "$(dirname "$0")/.."
PLASMITE_LIB_DIR=$PWD/build/lib PLASMITE_REF=$PWD/.ref exec "${PYTHON:-python3}" bindings/python/bench/bench.py "$@"
