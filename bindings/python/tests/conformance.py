"""Runs a conformance manifest (shared/conformance, format v0: spec/cli.md §8) through the
Python binding.

    python conformance.py MANIFEST.json     (PLASMITE_BIN: the CLI, for spawn_poke)

The workdir named by the manifest, beside it, is deleted and recreated and used as the
pool directory; steps run in order and the first failed expectation stops the run
with "step <index> (<id>): <reason>". Every op but spawn_poke goes through the binding,
pool administration included (list_pools, pool_info, delete_pool).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Optional

import plasmite
from plasmite import Client, ErrorKind, PlasmiteError, parse_message

KIND_LABELS = {
    ErrorKind.INTERNAL: "Internal", ErrorKind.USAGE: "Usage", ErrorKind.NOT_FOUND: "NotFound",
    ErrorKind.ALREADY_EXISTS: "AlreadyExists", ErrorKind.BUSY: "Busy",
    ErrorKind.PERMISSION: "Permission", ErrorKind.CORRUPT: "Corrupt", ErrorKind.IO: "Io",
    ErrorKind.RETENTION_GAP: "RetentionGap",
}
TAIL_TIMEOUT_MS = 2000


class StepFailure(Exception):
    pass


class Runner:
    def __init__(self, manifest_path: Path) -> None:
        self.manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if self.manifest.get("conformance_version") != 0:
            raise StepFailure(f"unsupported conformance_version: {self.manifest.get('conformance_version')}")
        workdir = self.manifest.get("workdir", "work")
        if not isinstance(workdir, str) or not re.fullmatch(r"work(-[A-Za-z0-9_-]+)?", workdir):
            raise StepFailure(f"bad workdir {workdir!r}")
        self.workdir = manifest_path.parent / workdir
        self.client: Optional[Client] = None

    def run(self) -> int:
        if self.workdir.is_symlink():
            raise StepFailure(f"workdir must not be a symlink: {self.workdir}")
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir.mkdir(parents=True)
        steps = self.manifest.get("steps", [])
        with Client(str(self.workdir)) as self.client:
            for index, step in enumerate(steps):
                op = step.get("op")
                handler: Optional[Callable[[dict[str, Any]], None]] = getattr(self, f"op_{op}", None)
                try:
                    if handler is None:
                        raise StepFailure(f"unknown op: {op}")
                    handler(step)
                except StepFailure as failure:
                    label = f"step {index}" + (f" ({step['id']})" if step.get("id") else "")
                    raise StepFailure(f"{label}: {failure}") from None
        return len(steps)

    # ---- expectations ----------------------------------------------------------------

    @staticmethod
    def outcome(step: dict[str, Any], call: Callable[[], Any]) -> Any:
        """Runs call; checks its error against expect.error. The value, or None after an
        expected error."""
        want = (step.get("expect") or {}).get("error")
        try:
            value = call()
        except PlasmiteError as err:
            if want is None:
                raise StepFailure(f"unexpected error: {KIND_LABELS[err.kind]}: {err}") from None
            Runner.match_error(want, err)
            return None
        if want is not None:
            raise StepFailure("expected an error, the operation succeeded")
        return value

    @staticmethod
    def match_error(want: dict[str, Any], err: PlasmiteError) -> None:
        if want.get("kind") != KIND_LABELS[err.kind]:
            raise StepFailure(f"expected error kind {want.get('kind')}, got {KIND_LABELS[err.kind]} ({err})")
        if want.get("message_contains") and want["message_contains"] not in str(err):
            raise StepFailure(f"expected the message to contain {want['message_contains']!r}, got {str(err)!r}")
        for field in ("path", "seq", "offset"):
            key = f"has_{field}"
            if key in want and want[key] != (getattr(err, field) is not None):
                raise StepFailure(f"{key} is {not want[key]}: {err!r} path={err.path} seq={err.seq}")

    @staticmethod
    def pool_name(step: dict[str, Any]) -> str:
        if not step.get("pool"):
            raise StepFailure("missing pool")
        return step["pool"]

    def with_pool(self, step: dict[str, Any], use: Callable[[plasmite.Pool], Any]) -> Any:
        """Opens the step's pool (its error may be the expected one) and runs use on it."""
        assert self.client is not None

        def call() -> Any:
            with self.client.open_pool(self.pool_name(step)) as pool:
                return use(pool)

        return self.outcome(step, call)

    # ---- ops -------------------------------------------------------------------------

    def op_create_pool(self, step: dict[str, Any]) -> None:
        size = int((step.get("input") or {}).get("size_bytes", plasmite.DEFAULT_POOL_SIZE_BYTES))
        assert self.client is not None
        self.outcome(step, lambda: self.client.create_pool(self.pool_name(step), size).close())

    def op_append(self, step: dict[str, Any]) -> None:
        given = step.get("input") or {}
        if "data" not in given:
            raise StepFailure("missing input.data")
        payload = json.dumps(given["data"]).encode()
        raw = self.with_pool(step, lambda pool: pool.append_json(payload, given.get("tags", [])))
        want = (step.get("expect") or {}).get("seq")
        if raw is not None and want is not None and parse_message(raw).seq != want:
            raise StepFailure(f"expected seq {want}, got {parse_message(raw).seq}")

    def op_get(self, step: dict[str, Any]) -> None:
        given = step.get("input") or {}
        if "seq" not in given:
            raise StepFailure("missing input.seq")
        message = self.with_pool(step, lambda pool: pool.get(int(given["seq"])))
        expect = step.get("expect") or {}
        if message is None:
            return
        if "data" in expect and expect["data"] != message.data:
            raise StepFailure(f"data {message.data!r}, expected {expect['data']!r}")
        if "tags" in expect and expect["tags"] != message.tags:
            raise StepFailure(f"tags {message.tags!r}, expected {expect['tags']!r}")

    op_fetch = op_get

    def op_tail(self, step: dict[str, Any]) -> None:
        given = step.get("input") or {}
        since, limit = given.get("since_seq"), given.get("max")

        def read(pool: plasmite.Pool) -> list[plasmite.Message]:
            return list(pool.tail(since_seq=since, max_messages=limit, timeout_ms=TAIL_TIMEOUT_MS))

        messages = self.with_pool(step, read)
        if messages is None:
            return
        expect = step.get("expect") or {}
        if ("messages" in expect) == ("messages_unordered" in expect):
            raise StepFailure("expect needs exactly one of messages, messages_unordered")
        wanted = expect.get("messages", expect.get("messages_unordered"))
        if len(messages) != len(wanted):
            raise StepFailure(f"expected {len(wanted)} messages, got {len(messages)}")
        seqs = [m.seq for m in messages]
        if seqs != sorted(set(seqs)):
            raise StepFailure(f"seqs not strictly increasing: {seqs}")
        remaining = list(messages)
        for position, entry in enumerate(wanted):
            candidates = [remaining[0]] if "messages" in expect else remaining
            match = next((m for m in candidates if m.data == entry["data"]
                          and ("tags" not in entry or m.tags == entry["tags"])), None)
            if match is None:
                raise StepFailure(f"no message matches expected #{position}: {entry!r}")
            remaining.remove(match)

    def op_list_pools(self, step: dict[str, Any]) -> None:
        assert self.client is not None
        entries = self.outcome(step, self.client.list_pools)
        expect = step.get("expect") or {}
        if entries is not None and "names" in expect:
            names = sorted(entry["name"] for entry in entries)
            if names != sorted(expect["names"]):
                raise StepFailure(f"pools {names}, expected {sorted(expect['names'])}")

    def op_pool_info(self, step: dict[str, Any]) -> None:
        info = self.with_pool(step, lambda pool: pool.info())
        expect = step.get("expect") or {}
        if info is None:
            return
        for field in ("file_size", "ring_size"):
            if field in expect and info.get(field) != expect[field]:
                raise StepFailure(f"{field} {info.get(field)}, expected {expect[field]}")
        for end, value in (expect.get("bounds") or {}).items():
            if info["bounds"].get(end) != value:
                raise StepFailure(f"bounds.{end} {info['bounds'].get(end)}, expected {value}")

    def op_delete_pool(self, step: dict[str, Any]) -> None:
        assert self.client is not None
        self.outcome(step, lambda: self.client.delete_pool(self.pool_name(step)))

    def op_spawn_poke(self, step: dict[str, Any]) -> None:
        binary = os.environ.get("PLASMITE_BIN")
        if not binary:
            raise StepFailure("spawn_poke needs PLASMITE_BIN (the plasmite CLI)")
        messages = (step.get("input") or {}).get("messages")
        if not isinstance(messages, list):
            raise StepFailure("input.messages must be an array")
        procs = []
        for message in messages:
            args = [binary, "--dir", str(self.workdir), "feed", self.pool_name(step),
                    json.dumps(message["data"], separators=(",", ":"))]
            for tag in message.get("tags", []):
                args += ["--tag", tag]
            procs.append(subprocess.Popen(args, stdout=subprocess.DEVNULL))
        codes = [p.wait() for p in procs]
        if any(codes):
            raise StepFailure(f"feed processes exited with {codes}")

    def op_corrupt_pool_header(self, step: dict[str, Any]) -> None:
        name = self.pool_name(step)
        path = Path(name) if "/" in name else self.workdir / (name if name.endswith(".plasmite") else f"{name}.plasmite")
        path.write_bytes(b"NOPE")

    def op_chmod_path(self, step: dict[str, Any]) -> None:
        given = step.get("input") or {}
        os.chmod(given["path"], int(given["mode"], 8))

    def op_retention_gap(self, step: dict[str, Any]) -> None:
        assert self.client is not None
        base = self.pool_name(step)
        size = int((step.get("input") or {}).get("size_bytes", 64 * 1024))
        with self.client.create_pool(f"{base}-stale", size) as pool:
            first = pool.append({"kind": "first"}).seq
            fill_past(pool, first)
            after = next(pool.tail(since_seq=first, max_messages=1, timeout_ms=TAIL_TIMEOUT_MS), None)
            if after is None or after.seq <= first:
                raise StepFailure("the default tail did not continue after the gap")
            filtered = pool.tail(since_seq=first, tags=["never"], timeout_ms=TAIL_TIMEOUT_MS, error_on_gap=True)
            expect_gap(lambda: next(filtered), first, "stale filtered tail")
            if next(filtered, None) is not None:
                raise StepFailure("the failed tail did not end")
        with self.client.create_pool(f"{base}-established", size) as pool, \
                self.client.open_pool(f"{base}-established") as writer:
            seed = pool.append({"kind": "seed"}).seq
            second = pool.append({"kind": "second"}).seq
            with pool.open_stream(seed, None, TAIL_TIMEOUT_MS, True) as stream:
                for want in (seed, second):
                    raw = stream.next_json()
                    if raw is None or parse_message(raw).seq != want:
                        raise StepFailure("the tail established the wrong sequence")
                missing = writer.append({"kind": "first-missing"}).seq
                fill_past(writer, missing)
                expect_gap(stream.next_json, missing, "established tail")


def fill_past(pool: plasmite.Pool, seq: int) -> None:
    for i in range(10_000):
        pool.append({"i": i, "padding": "x" * 4096})
        try:
            pool.get(seq)
        except plasmite.NotFoundError:
            return
    raise StepFailure(f"seq {seq} still retained after filling the pool")


def expect_gap(call: Callable[[], Any], seq: int, label: str) -> None:
    try:
        value = call()
    except PlasmiteError as err:
        if err.kind == ErrorKind.RETENTION_GAP and err.seq == seq:
            return
        raise StepFailure(f"{label}: {KIND_LABELS[err.kind]} seq={err.seq}: {err}") from None
    raise StepFailure(f"{label} delivered {value!r} instead of a retention gap at {seq}")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: conformance.py MANIFEST.json", file=sys.stderr)
        return 2
    try:
        count = Runner(Path(argv[1]).resolve()).run()
    except StepFailure as failure:
        print(failure, file=sys.stderr)
        return 1
    print(f"{argv[1]}: {count} steps passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
