"""The reference's Python package (1.2.1, on its own libplasmite) and ours share pools.

The reference runs in a child process, so the two libraries never share a process."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

import plasmite
from plasmite import Durability, parse_message

from conftest import run_python


def run_reference(ref_dir, code: str) -> subprocess.CompletedProcess:
    """code under the reference's package, with the library it bundles."""
    done = run_python(code, path=ref_dir / "python", env={"PLASMITE_LIB_DIR": None})
    return done


REF_PREAMBLE = (
    "import json, sys, plasmite\n"
    "assert plasmite.__file__.startswith({pkg!r}), plasmite.__file__\n"
    "assert '_native' in plasmite._LIB._name, plasmite._LIB._name\n"
    "c = plasmite.Client({dir!r})\n"
)


def test_reference_writes_ours_reads(ref_dir, pool_dir):
    code = REF_PREAMBLE.format(pkg=str(ref_dir / "python"), dir=str(pool_dir)) + (
        "p = c.create_pool('from-ref', 1 << 20)\n"
        "out = []\n"
        "for i in range(5):\n"
        "    out.append(p.append({'i': i, 's': 'é' * i, 'nested': {'l': [i, None, True]}}, ['ref', f't{i}']).seq)\n"
        "frame = p.get_lite3(out[0])\n"
        "out.append(p.append_lite3(frame.payload, plasmite.Durability.FAST))\n"
        "raws = [p.get_json(s).decode() for s in out]\n"
        "print(json.dumps({'seqs': out, 'raws': raws, 'lite3': frame.payload.hex()}))\n"
    )
    written = json.loads(run_reference(ref_dir, code).stdout)
    with plasmite.Client(str(pool_dir)) as client, client.open_pool("from-ref") as pool:
        assert written["seqs"] == [1, 2, 3, 4, 5, 6]
        for seq, raw in zip(written["seqs"], written["raws"]):
            assert pool.get_json(seq) == raw.encode()  # byte-identical envelopes
        messages = list(pool.tail(max_messages=6, timeout_ms=10_000))
        assert [m.data["i"] for m in messages] == [0, 1, 2, 3, 4, 0]
        assert messages[3].tags == ["ref", "t3"] and messages[3].data["s"] == "ééé"
        assert pool.get_lite3(1).payload.hex() == written["lite3"]
        assert [m.seq for m in pool.tail(tags=["t2"], max_messages=1, timeout_ms=10_000)] == [3]


def test_ours_writes_reference_reads(ref_dir, pool_dir):
    with plasmite.Client(str(pool_dir)) as client, client.create_pool("from-ours") as pool:
        pool.append({"one": 1}, ["ours"])
        pool.append_many([{"many": i} for i in range(3)], ["batch"])
        pool.append_json(b'{"flush":true}', ["f"], Durability.FLUSH)
        lite3_seq = pool.append_lite3(pool.get_lite3(1).payload)
        ours = {seq: pool.get_json(seq).decode() for seq in range(1, lite3_seq + 1)}
        payload = pool.get_lite3(2).payload.hex()
    code = REF_PREAMBLE.format(pkg=str(ref_dir / "python"), dir=str(pool_dir)) + (
        "p = c.open_pool('from-ours')\n"
        "msgs = list(p.tail(since_seq=1, max_messages=6, timeout_ms=10_000))\n"
        "batch = [m.seq for m in p.tail(since_seq=1, max_messages=3, timeout_ms=10_000, tags=['batch'])]\n"
        "print(json.dumps({'raws': {m.seq: m.raw.decode() for m in msgs}, 'batch': batch,\n"
        "                  'lite3': p.get_lite3(2).payload.hex()}))\n"
    )
    read = json.loads(run_reference(ref_dir, code).stdout)
    assert {int(k): v for k, v in read["raws"].items()} == ours
    assert read["batch"] == [2, 3, 4]
    assert read["lite3"] == payload


def test_our_tail_wakes_on_reference_appends(ref_dir, pool_dir):
    with plasmite.Client(str(pool_dir)) as client, client.create_pool("live") as pool:
        got: list[int] = []
        reader = threading.Thread(
            target=lambda: got.extend(m.data["n"] for m in pool.tail(since_seq=1, max_messages=3, timeout_ms=60_000))
        )
        reader.start()
        code = REF_PREAMBLE.format(pkg=str(ref_dir / "python"), dir=str(pool_dir)) + (
            "p = c.open_pool('live')\n"
            "for n in range(3):\n"
            "    p.append({'n': n})\n"
        )
        run_reference(ref_dir, code)
        reader.join(60)
        assert not reader.is_alive()
        assert got == [0, 1, 2]
