"""Remote pools: Client("http://…") against our `pls serve` on loopback.

The remote client of the C ABI (plsm_remote_client_new) comes from branch `remote`; with a
library that lacks it, constructing a remote client raises UsageError naming the missing
function, and these tests are expected failures (strict: they start passing, and must be
unmarked, once the library has it)."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

import plasmite
from plasmite import Client, NotFoundError, RemoteClient, UsageError, _ffi

HAS_REMOTE = _ffi.lib().has("plsm_remote_client_new")
needs_remote_abi = pytest.mark.xfail(
    not HAS_REMOTE,
    reason="libplasmite lacks plsm_remote_client_new (the remote ABI of branch remote, not on main yet)",
    raises=UsageError,
    strict=True,
)


@pytest.fixture
def server(tmp_path, plasmite_bin):
    """`pls --dir D serve` on loopback ports; yields (origin, pool dir)."""
    pool_dir = tmp_path / "served"
    home = tmp_path / "home"
    home.mkdir()
    ready = tmp_path / "ready"
    env = {**os.environ, "HOME": str(home), "PLASMITE_ACCESS_HOME": str(home),
           "PLASMITE_SERVE_READY_FILE": str(ready)}
    proc = subprocess.Popen(
        [str(plasmite_bin), "--dir", str(pool_dir), "serve", "--bind", "127.0.0.1:0",
         "--remote-bind", "127.0.0.1:0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not (ready.exists() and ready.read_text()):
            if proc.poll() is not None:
                raise AssertionError(f"serve exited: {proc.stderr.read().decode()}")
            if time.monotonic() > deadline:
                raise AssertionError("serve did not become ready")
            time.sleep(0.01)
        address = ready.read_text().strip()
        assert json.loads((pool_dir / ".plasmite-serve" / "local.json").read_text()) == address
        yield f"http://{address}", pool_dir
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def test_remote_client_arguments():
    with pytest.raises(ValueError):
        RemoteClient("/not/a/url")
    assert not isinstance(Client.__new__(Client, "/a/dir"), RemoteClient)
    assert isinstance(Client.__new__(Client, "http://127.0.0.1:1"), RemoteClient)
    assert isinstance(Client.__new__(Client, "HTTPS://example.org"), RemoteClient)


@needs_remote_abi
def test_remote_pool_round_trip(server):
    origin, pool_dir = server
    with Client(origin) as remote:
        assert isinstance(remote, RemoteClient) and remote.origin == origin
        with remote.create_pool("r", 1 << 20) as pool:
            first = pool.append({"from": "remote"}, ["net"])
            assert (first.seq, first.data, first.tags) == (1, {"from": "remote"}, ["net"])
            assert pool.append_many([{"i": i} for i in range(3)], ["batch"]) == range(2, 5)
            assert pool.get(1) == first
            frame = pool.get_lite3(1)
            assert pool.append_lite3(frame.payload) == 5
            with Client(str(pool_dir)) as local, local.open_pool("r") as same:
                for seq in range(1, 6):
                    assert same.get_json(seq) == pool.get_json(seq)
            tail = list(pool.tail(since_seq=1, max_messages=5, timeout_ms=10_000))
            assert [m.seq for m in tail] == [1, 2, 3, 4, 5]
            assert [m.seq for m in pool.tail(since_seq=1, max_messages=3, tags=["batch"], timeout_ms=10_000)] == [2, 3, 4]
            assert pool.info()["bounds"] == {"oldest": 1, "newest": 5}
        assert [p["name"] for p in remote.list_pools()] == ["r"]
        with pytest.raises(NotFoundError):
            remote.open_pool("missing")
        remote.delete_pool("r")
        assert not (pool_dir / "r.plasmite").exists()


@needs_remote_abi
def test_remote_tail_wakes_on_local_appends(server):
    origin, pool_dir = server
    with Client(origin) as remote, remote.create_pool("live") as pool:
        got: list[int] = []
        reader = threading.Thread(
            target=lambda: got.extend(m.data["n"] for m in pool.tail(since_seq=1, max_messages=3, timeout_ms=60_000))
        )
        reader.start()
        with Client(str(pool_dir)) as local, local.open_pool("live") as writer:
            for n in range(3):
                writer.append({"n": n})
        reader.join(60)
        assert not reader.is_alive()
        assert got == [0, 1, 2]
