"""Threads, Ctrl-C, fork() and spawn, asyncio."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import plasmite
from plasmite import Client, PlasmiteError, parse_message

from conftest import PACKAGE_ROOT, run_python


def test_threads_append_and_tail_one_pool(pool):
    writers, per_writer = 4, 250
    total = writers * per_writer
    seen: list[int] = []
    start = threading.Barrier(writers + 1)

    def read() -> None:
        start.wait()
        for message in pool.tail(since_seq=1, max_messages=total, timeout_ms=60_000):
            seen.append(message.seq)

    def write(worker: int) -> list[int]:
        start.wait()
        return [pool.append({"w": worker, "i": i}).seq for i in range(per_writer)]

    reader = threading.Thread(target=read)
    reader.start()
    with ThreadPoolExecutor(writers) as executor:
        written = [seq for job in [executor.submit(write, w) for w in range(writers)] for seq in job.result()]
    reader.join(60)
    assert not reader.is_alive()
    assert sorted(written) == list(range(1, total + 1))
    assert seen == list(range(1, total + 1))
    counts: dict[int, int] = {}
    for seq in seen:
        worker = pool.get(seq).data["w"]
        counts[worker] = counts.get(worker, 0) + 1
    assert counts == {w: per_writer for w in range(writers)}


def test_blocked_read_releases_the_gil(pool):
    """While one thread waits in the library, another thread runs Python code."""
    stream = pool.open_stream(since_seq=1)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(stream.next_json()))
    reader.start()
    progress = 0
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:  # busy Python work: it needs the GIL
        progress += 1
    assert reader.is_alive() and not got
    assert progress > 10_000
    pool.append({"wake": True})
    reader.join(10)
    assert not reader.is_alive()
    assert parse_message(got[0]).data == {"wake": True}
    stream.close()


def test_close_from_another_thread_ends_a_blocked_read(pool):
    stream = pool.open_stream(since_seq=1)
    lite3 = pool.open_lite3_stream(since_seq=1)
    results: list[object] = []
    threads = [
        threading.Thread(target=lambda: results.append(stream.next_json())),
        threading.Thread(target=lambda: results.append(lite3.next())),
    ]
    for t in threads:
        t.start()
    _wait_until(lambda: _held(stream) and _held(lite3))
    stream.close()
    lite3.close()
    for t in threads:
        t.join(10)
        assert not t.is_alive()
    assert results == [None, None]


def _held(handle) -> bool:
    """Whether another thread holds the handle's lock (is inside a call)."""
    if handle._lock.acquire(blocking=False):
        handle._lock.release()
        return False
    return True


def _wait_until(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met")
        time.sleep(0.005)


def test_cancel_ends_the_stream(pool):
    stream = pool.open_stream(since_seq=1)
    done: list[object] = []
    t = threading.Thread(target=lambda: done.append(list(stream)))
    t.start()
    _wait_until(lambda: _held(stream))
    stream.cancel()
    t.join(10)
    assert done == [[]]
    assert stream.next_json() is None
    stream.close()


def _thread_state(pid: int) -> str:
    return Path(f"/proc/{pid}/task/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("how", ["tail", "next_json", "lite3"])
def test_sigint_interrupts_a_blocked_read(tmp_path, how):
    """A child blocked in a read with no timeout gets SIGINT: it stops with
    KeyboardInterrupt, runs its finally blocks and exits."""
    read = {
        "tail": "next(pool.tail())",
        "next_json": "pool.open_stream(since_seq=1).next_json()",
        "lite3": "pool.open_lite3_stream(since_seq=1).next()",
    }[how]
    code = (
        "import signal, sys, plasmite\n"
        # A run started in the background by a shell without job control
        # inherits SIGINT ignored, and Python then installs no handler: put
        # Python's own back, as an interactive start has it.
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        f"c = plasmite.Client({str(tmp_path)!r}); pool = c.create_pool('p')\n"
        "print('ready', flush=True)\n"
        "try:\n"
        f"    {read}\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', flush=True)\n"
        "    sys.exit(42)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_ROOT)}
    child = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "ready\n"
        # The main thread sleeps in the library's wait (not running Python) before the signal.
        _wait_until(lambda: _thread_state(child.pid) == "S")
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=30)
    finally:
        child.kill()
    assert (child.returncode, out) == (42, "interrupted\n")


def test_fork_after_load_raises_in_child(pool, tmp_path):
    """A forked child must not call into the Go runtime it inherited: it gets a clear
    error, and dropping inherited handles (GC, exit) does not hang."""
    pool.append({"before": "fork"})
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read)
        try:
            try:
                pool.get(1)
                message = "no error"
            except PlasmiteError as err:
                message = f"{type(err).__name__}|{err.kind.name}|{err}"
            try:
                Client(str(tmp_path / "other"))
                message += "||no error"
            except PlasmiteError as err:
                message += f"||{err}"
            pool.close()  # must not call the library
            os.write(write, message.encode())
        finally:
            os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    first, second = b"".join(chunks).decode().split("||")
    cls, kind, text = first.split("|", 2)
    assert (cls, kind) == ("PlasmiteError", "USAGE")
    for words in ("fork()", "Go runtime", "spawn", "forkserver"):
        assert words in text
    assert "fork()" in second
    assert pool.get(1).data == {"before": "fork"}  # the parent is unaffected


def test_fork_before_load_works_in_child(tmp_path):
    """The library loads on first use, so a child forked by a parent that imported
    plasmite but never used it can use it."""
    code = (
        "import os, plasmite\n"
        "from plasmite import _ffi\n"
        "assert _ffi.loaded() is None\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        f"    c = plasmite.Client({str(tmp_path)!r})\n"
        "    p = c.create_pool('child')\n"
        "    p.append({'from': 'child'})\n"
        "    p.close(); c.close()\n"
        "    os._exit(0)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "assert os.waitstatus_to_exitcode(status) == 0\n"
        f"c = plasmite.Client({str(tmp_path)!r})\n"
        "print(c.open_pool('child').get(1).data)\n"
    )
    assert run_python(code).stdout == "{'from': 'child'}\n"


def _spawn_worker(pool_dir: str, worker: int) -> list[int]:
    with plasmite.Client(pool_dir) as client, client.open_pool("spawned") as pool:
        return [pool.append({"worker": worker, "i": i}).seq for i in range(20)]


def test_multiprocessing_spawn(client, pool_dir):
    with client.create_pool("spawned") as pool:
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(3) as workers:
            results = workers.starmap(_spawn_worker, [(str(pool_dir), w) for w in range(3)])
        seqs = sorted(seq for result in results for seq in result)
        assert seqs == list(range(1, 61))
        messages = list(pool.tail(max_messages=60, timeout_ms=10_000))
        assert sorted((m.data["worker"], m.data["i"]) for m in messages) == [
            (w, i) for w in range(3) for i in range(20)
        ]


def test_async_tail_keeps_the_loop_running(pool):
    """async for over atail waits on the stream's descriptor: other coroutines run,
    no thread is started, and messages from another thread arrive."""

    async def main() -> tuple[list[int], int, int]:
        threads_before = threading.active_count()
        ticks = 0
        received: list[int] = []

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.001)

        async def consume() -> None:
            async for message in pool.atail(since_seq=1, max_messages=5):
                received.append(message.data["i"])

        tick_task = asyncio.ensure_future(ticker())
        consumer = asyncio.ensure_future(consume())
        for i in range(5):
            await asyncio.sleep(0.02)
            await asyncio.get_running_loop().run_in_executor(None, lambda i=i: pool.append({"i": i}))
        await asyncio.wait_for(consumer, 30)
        tick_task.cancel()
        return received, ticks, threads_before

    received, ticks, _ = asyncio.run(main())
    assert received == [0, 1, 2, 3, 4]
    assert ticks > 20  # the loop kept running while the tail waited


def test_async_iteration_needs_no_thread(pool):
    async def main() -> list[object]:
        before = threading.active_count()
        out: list[object] = []
        pool.append({"a": 1})
        async for raw in pool.open_stream(since_seq=1, max_messages=1, timeout_ms=10_000):
            out.append(parse_message(raw).data)
            assert threading.active_count() == before
        lite3 = pool.open_lite3_stream(since_seq=1, max_messages=1, timeout_ms=10_000)
        async for frame in lite3:
            out.append(frame.seq)
        lite3.close()
        return out

    assert asyncio.run(main()) == [{"a": 1}, 1]


def test_async_tail_cancellation_closes_the_stream(pool):
    async def main() -> None:
        agen = pool.atail(since_seq=1)
        task = asyncio.ensure_future(agen.__anext__())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await agen.aclose()

    asyncio.run(main())
    pool.append({"after": True})
    assert pool.get(1).data == {"after": True}


def test_gap_error_under_a_racing_writer_loses_nothing_before_it(client):
    """A reader that a writer overtakes: every message up to the gap is delivered, in
    order and without holes, then RetentionGapError names the first one missed."""
    pool = client.create_pool("race", 64 * 1024)
    writer = client.open_pool("race")
    first = pool.append({"n": -1}).seq
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            writer.append({"n": n, "pad": "x" * 3000})
            n += 1

    thread = threading.Thread(target=write)
    thread.start()
    delivered: list[int] = []
    try:
        with pool.open_stream(since_seq=first, error_on_gap=True, timeout_ms=60_000) as stream:
            with pytest.raises(plasmite.RetentionGapError) as raised:
                while True:
                    batch = stream.next_batch(64)
                    assert batch is not None
                    delivered.extend(parse_message(raw).seq for raw in batch)
                    time.sleep(0.001)  # a slow reader
            assert stream.next_batch() is None
    finally:
        stop.set()
        thread.join()
        writer.close()
        pool.close()
    assert delivered == list(range(first, first + len(delivered)))
    assert raised.value.seq == first + len(delivered)
