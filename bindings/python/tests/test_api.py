"""The reference 1.2.1 API, name by name, and what this package adds to it."""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

import plasmite
from plasmite import (
    AlreadyExistsError,
    BusyError,
    Client,
    CorruptError,
    Durability,
    ErrorKind,
    InternalError,
    IoError,
    Lite3Frame,
    Lite3Stream,
    Message,
    MessageMeta,
    NotFoundError,
    PermissionDeniedError,
    PlasmiteError,
    RetentionGapError,
    Stream,
    UsageError,
    parse_message,
)

from conftest import fill_past, run_python

REFERENCE_ALL = [
    "Client", "Pool", "Message", "MessageMeta", "Stream", "Lite3Frame", "Lite3Stream",
    "UdpClient", "UdpPool", "UdpFollow", "UdpStart", "UdpFollowOptions", "UdpFrame", "UdpGap",
    "UdpProgress", "Durability", "ErrorKind", "PlasmiteError", "NotFoundError",
    "AlreadyExistsError", "BusyError", "PermissionDeniedError", "CorruptError", "IoError",
    "UsageError", "InternalError", "RetentionGapError", "DEFAULT_POOL_DIR", "DEFAULT_POOL_SIZE",
    "DEFAULT_POOL_SIZE_BYTES", "default_pool_dir", "parse_message",
]


def test_exports_cover_the_reference():
    assert set(REFERENCE_ALL) <= set(plasmite.__all__)
    for name in plasmite.__all__:
        assert hasattr(plasmite, name), name


def test_constants_and_enums():
    assert plasmite.DEFAULT_POOL_SIZE_BYTES == plasmite.DEFAULT_POOL_SIZE == 1024 * 1024
    assert plasmite.DEFAULT_POOL_DIR == os.path.join(os.path.expanduser("~"), ".plasmite", "pools")
    assert [(k.name, int(k)) for k in ErrorKind] == [
        ("INTERNAL", 1), ("USAGE", 2), ("NOT_FOUND", 3), ("ALREADY_EXISTS", 4), ("BUSY", 5),
        ("PERMISSION", 6), ("CORRUPT", 7), ("IO", 8), ("RETENTION_GAP", 9),
    ]
    assert (int(Durability.FAST), int(Durability.FLUSH)) == (0, 1)


def test_version_matches_repository():
    root = Path(__file__).resolve().parents[3]
    assert plasmite.__version__ == (root / "VERSION").read_text().strip()
    info = plasmite.library_version()
    assert info["version"] == plasmite.__version__
    assert info["abi"][0] == 1 and info["abi"][1] >= 3
    assert Path(info["path"]).name == "libplasmite.so"


def test_error_classes_one_per_kind():
    classes = {
        ErrorKind.INTERNAL: InternalError, ErrorKind.USAGE: UsageError,
        ErrorKind.NOT_FOUND: NotFoundError, ErrorKind.ALREADY_EXISTS: AlreadyExistsError,
        ErrorKind.BUSY: BusyError, ErrorKind.PERMISSION: PermissionDeniedError,
        ErrorKind.CORRUPT: CorruptError, ErrorKind.IO: IoError,
        ErrorKind.RETENTION_GAP: RetentionGapError,
    }
    assert plasmite._ERROR_KIND_TO_CLASS == classes
    for cls in classes.values():
        assert issubclass(cls, PlasmiteError) and issubclass(cls, RuntimeError)
    err = PlasmiteError(ErrorKind.IO, "boom", path="/p", seq=3, offset=9)
    assert (str(err), err.kind, err.path, err.seq, err.offset) == ("boom", ErrorKind.IO, "/p", 3, 9)


def test_append_get_round_trip(pool):
    payload = {"blob": "0123456789abcdef" * 4096, "n": 1.5, "u": "é", "nested": [None, True]}
    raw = pool.append_json(json.dumps(payload).encode(), ["alpha", "beta"], Durability.FLUSH)
    message = parse_message(raw)
    assert isinstance(message, Message) and isinstance(message.meta, MessageMeta)
    assert (message.seq, message.data, message.tags, message.meta.tags) == (1, payload, ["alpha", "beta"], ["alpha", "beta"])
    assert message.raw == raw
    assert message.time.tzinfo is timezone.utc
    assert message.time_rfc3339.endswith("Z")
    assert message.time == datetime.fromisoformat(message.time_rfc3339[:26] + "+00:00")
    assert pool.get_json(1) == raw
    assert pool.get(1) == message
    second = pool.append({"k": (1, 2)}, ("t",))
    assert (second.seq, second.data, second.tags) == (2, {"k": [1, 2]}, ["t"])
    assert pool.append({"k": 1}).tags == []
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.seq = 5  # type: ignore[misc]


def test_append_accepts_bytes_like_and_refuses_others(pool):
    assert parse_message(pool.append_json(bytearray(b'{"a":1}'))).data == {"a": 1}
    assert parse_message(pool.append_json(memoryview(b'{"a":2}'), [], Durability.FAST)).data == {"a": 2}
    with pytest.raises(TypeError):
        pool.append_json('{"a":1}', [], Durability.FAST)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        pool.append_json(b"", [], Durability.FAST)
    with pytest.raises(TypeError):
        pool.append({"a": 1}, "single-string-tag")
    with pytest.raises(ValueError, match="NUL"):
        pool.append({"a": 1}, ["a\0b"])
    with pytest.raises(TypeError):
        pool.append({"a": 1}, [b"bytes-tag"])  # type: ignore[list-item]
    assert pool.append({"a": 1}, iter(["once"])).tags == ["once"]


def test_library_usage_errors(pool):
    with pytest.raises(UsageError) as raised:
        pool.append_json(b"{", [], Durability.FAST)
    assert raised.value.kind == ErrorKind.USAGE and "invalid json" in str(raised.value)
    with pytest.raises(UsageError, match="durability"):
        pool.append_json(b"{}", [], 7)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        pool.append_json(b"{}", [], -1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        pool.append({"x": object()})


def test_pool_open_create_and_errors(client, pool_dir):
    with pytest.raises(NotFoundError) as missing:
        client.open_pool("missing")
    err = missing.value
    assert err.kind == ErrorKind.NOT_FOUND and "not found" in str(err)
    assert err.path is not None and err.path.endswith("missing.plasmite") and err.seq is None
    first = client.pool("work")
    assert (pool_dir / "work.plasmite").exists()
    with pytest.raises(AlreadyExistsError):
        client.create_pool("work")
    second = client.pool("work", 4 * 1024 * 1024)  # opens, size ignored
    seq = first.append({"kind": "one"}).seq
    assert second.get(seq).data == {"kind": "one"}
    by_path = client.open_pool(str(pool_dir / "work.plasmite"))
    assert by_path.get(seq).data == {"kind": "one"}
    for p in (first, second, by_path):
        p.close()
    with pytest.raises(ValueError):
        client.open_pool("")
    with pytest.raises(UsageError, match="remote pool refs"):
        client.open_pool("http://x/y")


def test_missing_seq_has_seq_and_no_path(pool):
    with pytest.raises(NotFoundError) as raised:
        pool.get_json(42)
    assert raised.value.seq == 42 and raised.value.path is None
    with pytest.raises(NotFoundError):
        pool.get_json((1 << 64) - 1)


def test_corrupt_pool(client, pool_dir):
    client.create_pool("bad").close()
    (pool_dir / "bad.plasmite").write_bytes(b"NOPE")
    with pytest.raises(CorruptError) as raised:
        client.open_pool("bad")
    assert raised.value.path and raised.value.path.endswith("bad.plasmite")


def test_u64_arguments_are_checked(client, pool_dir):
    over = (1 << 64) + 1
    with pytest.raises(ValueError, match="^size_bytes must fit an unsigned 64-bit integer$"):
        client.create_pool("wrapped", 1 << 64)
    assert not (pool_dir / "wrapped.plasmite").exists()
    with client.create_pool("ok") as pool:
        pool.append({"a": 1})
        for call in (pool.get, pool.get_json, pool.get_lite3):
            with pytest.raises(ValueError, match="^seq must fit an unsigned 64-bit integer$"):
                call(over)
            with pytest.raises(ValueError, match="^seq must be >= 0$"):
                call(-1)
            with pytest.raises(TypeError, match="^seq must be an int$"):
                call("1")  # type: ignore[arg-type]
        for opener in (pool.open_stream, pool.open_lite3_stream):
            for argument in ("since_seq", "max_messages", "timeout_ms"):
                with pytest.raises(ValueError, match=f"^{argument} must fit an unsigned 64-bit integer$"):
                    opener(**{argument: over})


def test_closed_handles_raise_base_error(client):
    pool = client.create_pool("closed")
    stream = pool.open_stream(timeout_ms=10)
    lite3 = pool.open_lite3_stream(timeout_ms=10)
    for handle in (stream, lite3, pool):
        handle.close()
        handle.close()  # idempotent
        assert handle._ptr is None
    for call, what in (
        (lambda: pool.append_json(b"{}", [], Durability.FAST), "pool"),
        (lambda: pool.get(1), "pool"),
        (lambda: pool.open_stream(), "pool"),
        (lambda: pool.info(), "pool"),
        (stream.next_json, "stream"),
        (lite3.next, "stream"),
        (lambda: stream.next_batch(), "stream"),
    ):
        with pytest.raises(PlasmiteError) as raised:
            call()
        assert type(raised.value) is PlasmiteError
        assert raised.value.kind == ErrorKind.USAGE
        assert str(raised.value) == f"plasmite: {what} is closed"
    client.close()
    with pytest.raises(PlasmiteError, match="^plasmite: client is closed$"):
        client.create_pool("after")


def test_context_managers(pool_dir):
    with Client(str(pool_dir)) as client:
        with client.create_pool("ctx") as pool:
            seq = pool.append({"x": 1}).seq
            with pool.open_stream(since_seq=seq, max_messages=1, timeout_ms=10_000) as stream:
                assert parse_message(stream.next_json()).data == {"x": 1}
            with pool.open_lite3_stream(since_seq=seq, max_messages=1, timeout_ms=10_000) as lite3:
                assert lite3.next().seq == seq
            assert stream._ptr is None and lite3._ptr is None
        assert pool._ptr is None
    with pytest.raises(PlasmiteError, match="client is closed"):
        client.create_pool("after")
    with pytest.raises(PlasmiteError, match="client is closed"):
        with client:
            pass


def test_default_client_uses_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    code = (
        "import plasmite\n"
        "with plasmite.Client() as c, c.pool('work') as p:\n"
        "    print(p.append({'k': 1}).seq, plasmite.default_pool_dir())\n"
    )
    out = run_python(code, env={"HOME": str(home)}).stdout.split()
    assert out == ["1", str(home / ".plasmite" / "pools")]
    assert (home / ".plasmite" / "pools" / "work.plasmite").exists()


def test_client_accepts_path_objects(pool_dir):
    with Client(pool_dir) as client, client.create_pool(Path("p")) as pool:
        assert pool.append({"a": 1}).seq == 1
    with pytest.raises(ValueError):
        Client("")


def test_stream_iteration_and_timeout(pool):
    first = pool.append({"kind": "one"}).seq
    pool.append({"kind": "two"})
    pool.append({"kind": "three"})
    stream = pool.open_stream(since_seq=first, max_messages=3, timeout_ms=10_000)
    assert isinstance(stream, Stream)
    assert [parse_message(raw).data["kind"] for raw in stream] == ["one", "two", "three"]
    assert stream.next_json() is None
    stream.close()
    empty = pool.open_stream(since_seq=9999, timeout_ms=10)
    assert empty.next_json() is None and list(empty) == []
    empty.close()


def test_stream_starts_at_oldest_and_since_is_inclusive(pool):
    for i in range(5):
        pool.append({"i": i})
    # (Streams here end by max_messages: a short deadline could pass first on a loaded machine.)
    with pool.open_stream(max_messages=5, timeout_ms=10_000) as s:
        assert [parse_message(r).seq for r in s] == [1, 2, 3, 4, 5]
    with pool.open_stream(since_seq=4, max_messages=2, timeout_ms=10_000) as s:
        assert [parse_message(r).seq for r in s] == [4, 5]
    with pool.open_stream(since_seq=0, max_messages=1, timeout_ms=10_000) as s:
        assert [parse_message(r).seq for r in s] == [1]


def test_next_batch(pool):
    seqs = pool.append_many([{"i": i} for i in range(10)])
    with pool.open_stream(since_seq=1, timeout_ms=10_000) as stream:
        first = stream.next_batch(4)
        assert [parse_message(r).data["i"] for r in first] == [0, 1, 2, 3]
        rest = stream.next_batch(100)
        assert [parse_message(r).seq for r in rest] == list(seqs)[4:]
        assert stream.next_batch(100, timeout_ms=0) == []
        assert stream.next_batch(100, timeout_ms=20) == []
        pool.append({"i": 10})
        assert [parse_message(r).data for r in stream.next_batch()] == [{"i": 10}]
        with pytest.raises(ValueError):
            stream.next_batch(0)
    with pool.open_stream(since_seq=1, max_messages=3, timeout_ms=10_000) as stream:
        assert len(stream.next_batch(100)) == 3
        assert stream.next_batch() is None


def test_lite3_round_trip(pool):
    raw = pool.append_json(b'{"x":1,"s":"\xc3\xa9"}', ["alpha"], Durability.FAST)
    seq = parse_message(raw).seq
    frame = pool.get_lite3(seq)
    assert isinstance(frame, Lite3Frame) and frame.seq == seq and frame.payload
    assert frame.time.tzinfo is timezone.utc
    assert frame.time == parse_message(raw).time  # both microseconds, truncated
    seq2 = pool.append_lite3(frame.payload, Durability.FAST)
    assert pool.get_lite3(seq2).payload == frame.payload
    again = pool.get(seq2)
    assert (again.data, again.tags) == ({"x": 1, "s": "é"}, ["alpha"])
    stream = pool.open_lite3_stream(since_seq=seq, max_messages=2, timeout_ms=10_000)
    assert isinstance(stream, Lite3Stream)
    assert [(f.seq, f.payload) for f in stream] == [(seq, frame.payload), (seq2, frame.payload)]
    assert stream.next() is None
    stream.close()
    with pytest.raises(CorruptError):
        pool.append_lite3(b"\x01", Durability.FAST)
    with pytest.raises(ValueError):
        pool.append_lite3(b"", Durability.FAST)


def test_lite3_frame_time_truncates_with_integers():
    frame = Lite3Frame(1, 1_700_000_000_999_999_999, 0, b"")
    assert frame.time == datetime(2023, 11, 14, 22, 13, 20, 999999, tzinfo=timezone.utc)


def test_parse_message_checks_shape():
    good = b'{"seq":3,"time":"2026-01-02T03:04:05.123456789Z","meta":{"tags":["a"]},"data":{"k":1}}'
    message = parse_message(good)
    assert message.time == datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)
    assert message.time_rfc3339 == "2026-01-02T03:04:05.123456789Z"
    offset = parse_message(b'{"seq":1,"time":"2026-01-02T05:04:05+02:00","data":null}')
    assert offset.time == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc) and offset.tags == []
    assert parse_message(b' {"seq":1,"time":"2026-01-02T03:04:05Z","meta":{"tags":[1]}} ').tags == ["1"]
    for bad in (b"[1]", b'{"seq":1}', b'{"seq":"1","time":"2026-01-02T03:04:05Z"}',
                b'{"seq":1,"time":"2026-01-02T03:04:05"}', b"{"):
        with pytest.raises(ValueError):
            parse_message(bad)
    with pytest.raises(TypeError):
        parse_message("{}")  # type: ignore[arg-type]


def test_tail_filters_by_tags_and_counts_after_filter(pool):
    pool.append_json(b'{"kind":"drop"}', ["drop"], Durability.FAST)
    pool.append_json(b'{"kind":"keep"}', ["keep", "x"], Durability.FAST)
    pool.append_json(b'{"kind":"keep2"}', ["keep"], Durability.FAST)
    kept = list(pool.tail(max_messages=1, timeout_ms=10_000, tags=["keep"]))
    assert [m.data["kind"] for m in kept] == ["keep"]
    pool.append_json(b'{"kind":"last"}', ["x", "keep"], Durability.FAST)
    both = list(pool.tail(max_messages=2, timeout_ms=10_000, tags=["keep", "x"]))
    assert [m.data["kind"] for m in both] == ["keep", "last"]
    assert [m.seq for m in pool.tail(since_seq=2, max_messages=2, timeout_ms=10_000)] == [2, 3]


def test_tail_is_lazy_and_closes_its_stream(pool):
    pool.append({"a": 1})
    tail = pool.tail(since_seq=1 << 65)  # arguments are checked when it starts
    with pytest.raises(ValueError):
        next(tail)
    tail = pool.tail(max_messages=5, timeout_ms=5000)
    assert next(tail).seq == 1
    tail.close()  # a generator: close() frees the stream at once


def test_open_stream_native_tag_filter(pool):
    pool.append({"n": 1}, ["a"])
    pool.append({"n": 2}, ["b"])
    pool.append({"n": 3}, ["a", "b"])
    with pool.open_stream(tags=["a"], max_messages=2, timeout_ms=10_000) as s:
        assert [parse_message(r).data["n"] for r in s] == [1, 3]
    with pool.open_lite3_stream(tags=["b"], max_messages=2, timeout_ms=10_000) as s:
        assert [f.seq for f in s] == [2, 3]


def test_retention_gap_policies(client):
    pool = client.create_pool("gap", 64 * 1024)
    first = pool.append({"kind": "first"}, ["keep"]).seq
    fill_past(pool, first)
    tail = pool.tail(since_seq=first, timeout_ms=10_000, tags=["never"], error_on_gap=True)
    with pytest.raises(RetentionGapError) as raised:
        next(tail)
    assert raised.value.kind == ErrorKind.RETENTION_GAP and raised.value.seq == first
    assert "no longer retained" in str(raised.value)
    continuing = next(pool.tail(since_seq=first, max_messages=1, timeout_ms=10_000))
    assert continuing.seq > first
    stream = pool.open_stream(since_seq=first, timeout_ms=10_000, error_on_gap=True)
    with pytest.raises(RetentionGapError):
        stream.next_json()
    assert stream.next_json() is None  # the stream ended with the error
    stream.close()
    lite3 = pool.open_lite3_stream(since_seq=first, timeout_ms=10_000, error_on_gap=True)
    with pytest.raises(RetentionGapError) as raised:
        lite3.next()
    assert raised.value.seq == first
    assert lite3.next() is None
    lite3.close()
    pool.close()


def test_retention_gap_after_established_batch(client):
    """A gap met in the middle of a batch: the messages before it come first, then the
    error, then the end."""
    pool = client.create_pool("gap2", 64 * 1024)
    writer = client.open_pool("gap2")
    seed = pool.append({"kind": "seed"}).seq
    stream = pool.open_stream(since_seq=seed, timeout_ms=5000, error_on_gap=True)
    assert [parse_message(r).seq for r in stream.next_batch(10)] == [seed]
    missing = writer.append({"kind": "first-missing"}).seq
    fill_past(writer, missing)
    with pytest.raises(RetentionGapError) as raised:
        stream.next_batch(10)
    assert raised.value.seq == missing
    assert stream.next_batch(10) is None
    for h in (stream, writer, pool):
        h.close()


def test_replay_spacing_and_filter(pool, monkeypatch):
    pool.append_json(b'{"kind":"drop"}', ["drop"], Durability.FAST)
    pool.append_json(b'{"kind":"keep"}', ["keep"], Durability.FAST)
    pool.append_json(b'{"kind":"keep2"}', ["keep"], Durability.FAST)
    slept: list[float] = []
    monkeypatch.setattr(plasmite._time, "sleep", slept.append)
    out = list(pool.replay(speed=2.0, max_messages=2, timeout_ms=10_000, tags=["keep"]))
    assert [m.data["kind"] for m in out] == ["keep", "keep2"]
    gap = (out[1].time - out[0].time).total_seconds() / 2.0
    assert slept == ([gap] if gap > 0 else [])
    with pytest.raises(ValueError):
        list(pool.replay(speed=0))


def test_append_many(pool):
    seqs = pool.append_many([{"i": i} for i in range(100)], ["batch"], Durability.FLUSH)
    assert seqs == range(1, 101)
    got = [pool.get(seq) for seq in seqs]
    assert [m.data["i"] for m in got] == list(range(100))
    assert {tuple(m.tags) for m in got} == {("batch",)}
    assert pool.append_json_many([b'{"a":1}', bytearray(b'{"a":2}')]) == range(101, 103)
    assert pool.get(102).tags == []
    assert pool.append_many([]) == range(0)
    assert pool.append_many(iter([{"g": 1}])) == range(103, 104)


def test_append_many_checks_everything_before_writing(pool):
    with pytest.raises(UsageError, match=r"^messages\[1\]: invalid (json|JSON)"):
        pool.append_json_many([b'{"a":1}', b"{", b'{"a":3}'])
    with pytest.raises(ValueError, match=r"payloads\[0\]"):
        pool.append_json_many([b""])
    with pytest.raises(TypeError):
        pool.append_json_many(["{}"])  # type: ignore[list-item]
    assert pool.info()["bounds"] == {}


def test_admin_info_list_delete(client, pool_dir):
    with pytest.raises(NotFoundError) as raised:
        client.pool_info("nope")
    assert raised.value.path
    with client.create_pool("alpha") as alpha:
        info = alpha.info()
        assert info["file_size"] == 1024 * 1024 and info["bounds"] == {} and info["name"] == "alpha"
        alpha.append({"a": 1})
        assert alpha.info()["bounds"] == {"oldest": 1, "newest": 1}
    client.create_pool("beta").close()
    assert [p["name"] for p in client.list_pools()] == ["alpha", "beta"]
    assert client.pool_info("alpha")["bounds"]["newest"] == 1
    client.delete_pool("beta")
    assert not (pool_dir / "beta.plasmite").exists()
    assert [p["name"] for p in client.list_pools()] == ["alpha"]
    with pytest.raises(NotFoundError) as raised:
        client.delete_pool("beta")
    assert raised.value.path and raised.value.path.endswith("beta.plasmite")


def test_udp_names_import_and_refuse_clearly():
    from plasmite import UdpClient, UdpFollowOptions, UdpFrame, UdpGap, UdpProgress, UdpStart

    assert UdpStart.new() == UdpStart(0) and UdpStart.last(3) == UdpStart(1, 3)
    assert UdpStart.since_ns(5).kind == 2 and UdpStart.sequence(9) == UdpStart(3, 9)
    with pytest.raises(ValueError):
        UdpStart.sequence(-1)
    assert UdpFollowOptions().live is True
    assert UdpFrame(1, 1_000_000_999, b"").time == datetime(1970, 1, 1, 0, 0, 1, tzinfo=timezone.utc)
    assert UdpGap(1, 2, "retention").reason == "retention"
    assert UdpProgress(1, 2, None, False, False).end_seq is None
    with pytest.raises(ValueError):
        UdpClient("")
    with pytest.raises(UsageError, match="udp transport is not supported by this library"):
        UdpClient("udp://127.0.0.1:9")


def test_python_dash_m_version():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "plasmite", "--version"], capture_output=True, text=True,
                         cwd=Path(plasmite.__file__).parents[1], check=True).stdout
    lines = out.splitlines()
    assert lines[0] == f"plasmite {plasmite.__version__} (Python package)"
    assert lines[1].startswith(f"libplasmite {plasmite.__version__} (ABI 1.")


def test_handles_outlive_their_parents(client):
    pool = client.create_pool("parents")
    pool.append({"n": 1})
    stream = pool.open_stream(since_seq=1, timeout_ms=10_000)
    other = client.open_pool("parents")
    client.close()
    pool.close()
    assert parse_message(stream.next_json()).data == {"n": 1}  # a stream outlives its pool
    assert other.append({"n": 2}).seq == 2  # a pool outlives its client
    assert parse_message(stream.next_json()).data == {"n": 2}
    stream.close()
    other.close()
