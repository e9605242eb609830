"""Benchmarks of the Python binding, side by side with the reference's package (1.2.1, on
its own libplasmite), each measurement in a process of its own, rounds interleaved so
that load from elsewhere hits both alike. Prints medians and ratios.

    python bench.py [--rounds N] [--append N] [--batch N] [--tail N] [--ref DIR]

  append        pool.append(dict of ~100 B JSON), one call per message
  append_many   pool.append_many(1000 dicts per call)            (ours only)
  append_json_many  pre-encoded bytes, 1000 per call              (ours only)
  native_batch  plsm_pool_append_json_batch called directly with a prebuilt batch of 1000:
                the library's ceiling for the two above, measured in the same run
  tail          `for m in pool.tail(...)` over N retained messages (one pool file, read
                by both: the formats are the same); the reference reads the first
                --ref-tail of them (default 200k: it reads ~10x slower), compared by rate

Environment: PLASMITE_LIB_DIR (our library; default build/lib), PLASMITE_REF (default .ref).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent
REPO = PACKAGE.parent.parent

VALUE = {"id": 1234567, "kind": "bench", "ok": True, "payload": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL"}

CHILD = r"""
import json, sys, tempfile, time
import plasmite
mode, n, pool_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
value = json.loads(sys.argv[4])
client = plasmite.Client(tempfile.mkdtemp())
_cpu = []
def rate(start, count):
    # messages per second of wall time and of the process's CPU time (all its threads)
    return f"{count / (time.perf_counter() - start)} {count / (time.process_time() - _cpu[-1])}"
def clock():
    _cpu.append(time.process_time())
    return time.perf_counter()
if mode == "tail":
    pool = client.open_pool(pool_path)
    start = clock(); count = 0
    for message in pool.tail(since_seq=1, max_messages=n, timeout_ms=3_600_000):
        count += 1
        message.data  # a reader looks at what it reads
    assert count == n, count
    print(rate(start, count))
elif mode == "fill":
    pool = client.create_pool(pool_path, 1 << 30)
    payload = json.dumps(value, separators=(",", ":")).encode()
    for _ in range(n // 10_000):
        pool.append_json_many([payload] * 10_000)
else:
    pool = client.create_pool("bench", 256 << 20)
    if mode == "append":
        pool.append(value)
        start = clock()
        for _ in range(n):
            pool.append(value)
        print(rate(start, n))
    elif mode == "append_many":
        values = [value] * 1000
        start = clock()
        for _ in range(n // 1000):
            pool.append_many(values)
        print(rate(start, n // 1000 * 1000))
    elif mode == "append_json_many":
        payloads = [json.dumps(value, separators=(",", ":")).encode()] * 1000
        start = clock()
        for _ in range(n // 1000):
            pool.append_json_many(payloads)
        print(rate(start, n // 1000 * 1000))
    elif mode == "native_batch":  # the library's own cost: one prebuilt batch, re-sent
        from ctypes import byref, c_size_t, c_uint64
        from plasmite import _pool
        payloads = [json.dumps(value, separators=(",", ":")).encode()] * 1000
        messages, keep = _pool._pack_batch(payloads, None, 0)
        batch, first, appended = pool._lib.plsm_pool_append_json_batch, c_uint64(), c_size_t()
        start = clock()
        for _ in range(n // 1000):
            assert batch(pool._ptr, messages, 1000, 0, byref(first), byref(appended), pool._errref) == 0
        print(rate(start, n // 1000 * 1000))
"""


def run_child(which: str, mode: str, n: int, pool_path: str, ref: Path) -> tuple[float, float]:
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if which == "ours":
        env["PYTHONPATH"] = str(PACKAGE)
        env.setdefault("PLASMITE_LIB_DIR", str(REPO / "build" / "lib"))
        cwd = PACKAGE
    else:  # the reference's package with the library it bundles
        env["PYTHONPATH"] = str(ref / "python")
        env.pop("PLASMITE_LIB_DIR", None)
        cwd = ref / "python"
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(n), pool_path, json.dumps(VALUE)],
        env=env, cwd=cwd, capture_output=True, text=True,
    )
    if out.returncode != 0:
        raise SystemExit(f"{which} {mode} failed:\n{out.stderr}")
    wall, cpu = (out.stdout.split() + ["0", "0"])[:2]
    return float(wall), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_PY_ROUNDS", 3)))
    parser.add_argument("--append", type=int, default=int(os.environ.get("BENCH_PY_APPEND", 20_000)))
    parser.add_argument("--batch", type=int, default=int(os.environ.get("BENCH_PY_BATCH", 500_000)))
    parser.add_argument("--tail", type=int, default=int(os.environ.get("BENCH_PY_TAIL", 1_000_000)))
    parser.add_argument("--ref-tail", type=int, default=int(os.environ.get("BENCH_PY_REF_TAIL", 200_000)))
    parser.add_argument("--ref", type=Path, default=Path(os.environ.get("PLASMITE_REF") or REPO / ".ref"))
    args = parser.parse_args()
    ref = args.ref.resolve()
    if not (ref / "python" / "plasmite").exists():
        raise SystemExit(f"the reference's Python package is not at {ref}/python (make ref)")
    print(f"message: {len(json.dumps(VALUE, separators=(',', ':')))} B of JSON; "
          f"rounds: {args.rounds}; ours = this package on build/lib, ref = 1.2.1's package on its library")

    with tempfile.TemporaryDirectory() as scratch:
        pool_path = os.path.join(scratch, "tail.plasmite")
        started = time.perf_counter()
        run_child("ours", "fill", args.tail, pool_path, ref)
        print(f"filled {args.tail} messages for the tail in {time.perf_counter() - started:.1f} s")
        plan = [
            ("append", args.append, ("ours", "ref")),
            ("append_many", args.batch, ("ours",)),
            ("append_json_many", args.batch, ("ours",)),
            ("native_batch", args.batch, ("ours",)),
            ("tail", args.tail, ("ours", "ref")),
        ]
        results: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for _ in range(args.rounds):
            for mode, n, sides in plan:
                for which in sides:
                    count = min(n, args.ref_tail) if (mode, which) == ("tail", "ref") else n
                    results.setdefault((mode, which), []).append(run_child(which, mode, count, pool_path, ref))

    print("medians; msg/s of wall time, and of CPU time (the process's, all threads: steadier on a")
    print("loaded machine)")
    print(f"{'benchmark':<18} {'ours':>10} {'ref':>10} {'ratio':>6}   {'ours cpu':>10} {'ref cpu':>10} {'ratio':>6}")
    for mode, _n, sides in plan:
        ours = [statistics.median(r[i] for r in results[(mode, "ours")]) for i in (0, 1)]
        theirs = [statistics.median(r[i] for r in results[(mode, "ref")]) for i in (0, 1)] if "ref" in sides else None
        wall = f"{ours[0]:>10,.0f}" + (f" {theirs[0]:>10,.0f} {ours[0] / theirs[0]:>5.1f}x" if theirs else " " * 18)
        cpu = f"{ours[1]:>10,.0f}" + (f" {theirs[1]:>10,.0f} {ours[1] / theirs[1]:>5.1f}x" if theirs else "")
        print(f"{mode:<18} {wall}   {cpu}")


if __name__ == "__main__":
    main()
