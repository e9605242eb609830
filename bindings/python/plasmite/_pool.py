"""Pool: appending to and reading from one pool."""

from __future__ import annotations

import json
import time as _time
from array import array
from ctypes import (
    POINTER,
    addressof,
    byref,
    c_char_p,
    c_size_t,
    c_uint64,
    c_void_p,
    cast,
    sizeof,
    string_at,
)
from datetime import datetime
from itertools import accumulate
from typing import Any, AsyncIterator, Generator, Iterable, Optional, Sequence

from . import _ffi
from ._errors import (
    Durability,
    durability_value,
    encode_tags,
    ensure_bytes,
    ensure_u64,
    optional_u64,
    unsupported_error,
)
from ._ffi import (
    OPTIONS_V2,
    STREAM_OPTIONS_V1_SIZE,
    plsm_json_message_t,
    plsm_lite3_frame_t,
    plsm_stream_options_t,
)
from ._handle import Handle
from ._message import Lite3Frame, Message, message_from_raw
from ._stream import BATCH_MESSAGES, Lite3Stream, Stream

try:  # the C encoder without json.dumps' per-call set-up (2x faster for small values)
    from json.encoder import c_make_encoder as _c_make_encoder  # type: ignore[attr-defined]
    from json.encoder import encode_basestring_ascii as _encode_ascii
except ImportError:  # pragma: no cover - not CPython
    _c_make_encoder = None

if _c_make_encoder is not None:
    # As json.dumps(value, separators=(",", ":")), without the check for circular
    # references (a cycle is a RecursionError instead of a ValueError).
    _encoder = _c_make_encoder(
        None, json.JSONEncoder().default, _encode_ascii, None, ":", ",", False, False, True
    )

    def _dumps(value: Any) -> bytes:
        return "".join(_encoder(value, 0)).encode("ascii")

else:  # pragma: no cover

    def _dumps(value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":")).encode("ascii")


_NO_TAGS: tuple[Any, int, tuple[bytes, ...]] = (None, 0, ())
_PACKED_BATCH = sizeof(plsm_json_message_t) == 32 and sizeof(c_void_p) == 8 and array("Q").itemsize == 8


def _tag_key(tags: Optional[Iterable[str]]) -> tuple[Any, ...]:
    """tags as a tuple (a one-shot iterable is read once), the key of the tags cache."""
    if tags is None:
        return ()
    if isinstance(tags, (str, bytes)):
        raise TypeError("tags must be an iterable of str, not a single string")
    return tags if type(tags) is tuple else tuple(tags)


def _has_tags(message: Message, required: Sequence[str]) -> bool:
    tags = message.tags
    return all(tag in tags for tag in required)


class Pool(Handle):
    """An open pool. Appends and reads on one Pool are serialised by its lock; streams
    opened from it keep working after it is closed."""

    _what = "pool"
    _free = "plsm_pool_free"

    def __init__(self, lib: _ffi.Library, ptr: Any) -> None:
        super().__init__(lib, ptr)
        self._append_fn = lib.plsm_pool_append_json
        self._tags_cache: tuple[Any, Any, int, tuple[bytes, ...]] = ((), None, 0, ())

    # ---- appending -------------------------------------------------------------------

    def _tags_array(self, tags: Optional[Iterable[str]]) -> tuple[Any, int, tuple[bytes, ...]]:
        """(char** array, count, the encoded tags kept alive), cached for repeated tags."""
        key = _tag_key(tags)
        if not key:
            return _NO_TAGS
        cached = self._tags_cache
        if cached[0] == key:
            return cached[1], cached[2], cached[3]
        encoded = encode_tags(key)
        arr = (c_char_p * len(encoded))(*encoded)
        self._tags_cache = (key, arr, len(encoded), encoded)
        return arr, len(encoded), encoded

    def append_json(
        self,
        payload: bytes,
        tags: Optional[Iterable[str]] = (),
        durability: Durability = Durability.FAST,
    ) -> bytes:
        """Appends the JSON object in payload; returns the stored message's envelope."""
        with self._lock:
            ptr = self._live()
            payload = ensure_bytes(payload, "payload")
            if not payload:
                raise ValueError("payload is required")
            arr, count, _keep = self._tags_array(tags)
            rc = self._append_fn(
                ptr,
                payload,
                len(payload),
                arr,
                count,
                durability_value(durability),
                self._bufref,
                self._errref,
            )
            if rc != 0:
                raise self._error()
            return self._take_buf()

    def append(
        self,
        value: Any,
        tags: Optional[Iterable[str]] = None,
        durability: Durability = Durability.FAST,
    ) -> Message:
        """Appends value (a JSON-serialisable dict) and returns the stored Message."""
        return message_from_raw(self.append_json(_dumps(value), tags, durability))

    def append_many(
        self,
        values: Iterable[Any],
        tags: Optional[Iterable[str]] = None,
        durability: Durability = Durability.FAST,
    ) -> range:
        """Appends every value (as append does) in one native call, under one acquisition
        of the pool's write lock, each with the same tags. Returns the range of their
        sequence numbers (consecutive). Every value is checked before anything is written;
        see append_json_many for a failure part-way."""
        return self.append_json_many([_dumps(value) for value in values], tags, durability)

    def append_json_many(
        self,
        payloads: Iterable[bytes],
        tags: Optional[Iterable[str]] = None,
        durability: Durability = Durability.FAST,
    ) -> range:
        """Appends every JSON object payload in one native call; returns their seqs.

        A payload the library refuses raises UsageError naming its index ("messages[i]:
        …") and nothing is written. If writing fails part-way (disk full), the error has
        ``appended``, how many were stored, and ``first_seq``."""
        items = [payload if type(payload) is bytes else ensure_bytes(payload, "payload") for payload in payloads]
        if not all(items):
            raise ValueError(f"payloads[{items.index(b'')}] is empty")
        with self._lock:
            ptr = self._live()
            arr, count, _keep = self._tags_array(tags)
            batch = self._lib.optional.get("plsm_pool_append_json_batch")
            if batch is None:
                return self._append_each(items, tags, durability)
            if not items:
                return range(0)
            messages, _blob = _pack_batch(items, arr, count)
            first, appended = c_uint64(), c_size_t()
            rc = batch(
                ptr,
                messages,
                len(items),
                durability_value(durability),
                byref(first),
                byref(appended),
                self._errref,
            )
            if rc != 0:
                err = self._error()
                err.appended = appended.value  # type: ignore[attr-defined]
                err.first_seq = first.value if appended.value else None  # type: ignore[attr-defined]
                raise err
            return range(first.value, first.value + appended.value)

    def _append_each(self, items: list[bytes], tags: Any, durability: Any) -> range:
        # A library without batches (the reference's): one call each; seqs may interleave
        # with other writers', so the range spans from the first to the last.
        seqs = [message_from_raw(self.append_json(item, tags, durability)).seq for item in items]
        return range(seqs[0], seqs[-1] + 1) if seqs else range(0)

    def append_lite3(self, payload: bytes, durability: Durability = Durability.FAST) -> int:
        """Appends a Lite3 message document as is; returns its seq."""
        with self._lock:
            ptr = self._live()
            payload = ensure_bytes(payload, "payload")
            if not payload:
                raise ValueError("payload is required")
            out_seq = c_uint64()
            rc = self._lib.plsm_pool_append_lite3(
                ptr, payload, len(payload), durability_value(durability), byref(out_seq), self._errref
            )
            if rc != 0:
                raise self._error()
            return out_seq.value

    # ---- reading ---------------------------------------------------------------------

    def get_json(self, seq: int) -> bytes:
        """The envelope JSON of message seq (NotFoundError if it is not retained)."""
        with self._lock:
            ptr = self._live()
            seq = ensure_u64(seq, "seq")
            if self._lib.plsm_pool_get_json(ptr, seq, self._bufref, self._errref) != 0:
                raise self._error()
            return self._take_buf()

    def get(self, seq: int) -> Message:
        """Message seq (NotFoundError if it is not retained)."""
        return message_from_raw(self.get_json(seq))

    def get_lite3(self, seq: int) -> Lite3Frame:
        """Message seq as stored: its Lite3 document and frame header fields."""
        with self._lock:
            ptr = self._live()
            seq = ensure_u64(seq, "seq")
            frame = plsm_lite3_frame_t()
            if self._lib.plsm_pool_get_lite3(ptr, seq, byref(frame), self._errref) != 0:
                raise self._error()
            payload = string_at(frame.payload.data, frame.payload.len) if frame.payload.len else b""
            out = Lite3Frame(int(frame.seq), int(frame.timestamp_ns), int(frame.flags), payload)
            self._lib.plsm_lite3_frame_free(byref(frame))
            return out

    def info(self) -> dict[str, Any]:
        """The pool's geometry, bounds and usage, as `plasmite pool info --json` shows."""
        with self._lock:
            ptr = self._live()
            fn = self._lib.optional.get("plsm_pool_info_json")
            if fn is None:
                raise unsupported_error("pool info", "plsm_pool_info_json")
            if fn(ptr, self._bufref, self._errref) != 0:
                raise self._error()
            info: dict[str, Any] = json.loads(self._take_buf())
            return info

    # ---- streams ---------------------------------------------------------------------

    def _open(
        self,
        name: str,
        since_seq: Optional[int],
        max_messages: Optional[int],
        timeout_ms: Optional[int],
        error_on_gap: bool,
        tags: Optional[Iterable[str]],
    ) -> Any:
        ptr = self._live()
        since_seq = optional_u64(since_seq, "since_seq")
        max_messages = optional_u64(max_messages, "max_messages")
        timeout_ms = optional_u64(timeout_ms, "timeout_ms")
        encoded = encode_tags(tags)
        options = plsm_stream_options_t()
        options.struct_size = sizeof(plsm_stream_options_t) if encoded else STREAM_OPTIONS_V1_SIZE
        options.gap_policy = 1 if error_on_gap else 0
        options.since_seq = since_seq or 0
        options.max_messages = max_messages or 0
        options.timeout_ms = timeout_ms or 0
        options.has_since = since_seq is not None
        options.has_max = max_messages is not None
        options.has_timeout = timeout_ms is not None
        keep = None
        if encoded:
            if not self._lib.options_v2:
                raise unsupported_error("a native tag filter", "version 2 stream options")
            keep = (c_char_p * len(encoded))(*encoded)
            options.reserved = OPTIONS_V2
            options.tags = cast(keep, POINTER(c_char_p))
            options.tags_len = len(encoded)
        out = c_void_p()
        if getattr(self._lib, name)(ptr, byref(options), byref(out), self._errref) != 0:
            raise self._error()
        return out

    def open_stream(
        self,
        since_seq: Optional[int] = None,
        max_messages: Optional[int] = None,
        timeout_ms: Optional[int] = None,
        error_on_gap: bool = False,
        *,
        tags: Optional[Iterable[str]] = None,
    ) -> Stream:
        """A Stream from since_seq (inclusive; default: the oldest retained message).

        It ends after max_messages, timeout_ms after opening (no timeout: never), or,
        with error_on_gap, after raising RetentionGapError once for messages overwritten
        before it read them (otherwise it resumes silently at the oldest retained one).
        tags: only messages carrying every one of them (and counted against
        max_messages)."""
        with self._lock:
            ptr = self._open("plsm_stream_open_ex", since_seq, max_messages, timeout_ms, error_on_gap, tags)
            return Stream(self._lib, ptr)

    def open_lite3_stream(
        self,
        since_seq: Optional[int] = None,
        max_messages: Optional[int] = None,
        timeout_ms: Optional[int] = None,
        error_on_gap: bool = False,
        *,
        tags: Optional[Iterable[str]] = None,
    ) -> Lite3Stream:
        """As open_stream, delivering Lite3Frame values."""
        with self._lock:
            ptr = self._open(
                "plsm_lite3_stream_open_ex", since_seq, max_messages, timeout_ms, error_on_gap, tags
            )
            return Lite3Stream(self._lib, ptr)

    def _tail_stream(
        self,
        since_seq: Optional[int],
        max_messages: Optional[int],
        timeout_ms: Optional[int],
        tags: Optional[Iterable[str]],
        error_on_gap: bool,
    ) -> tuple[Stream, list[str]]:
        """The stream of a tail and the tags still to check here (when the library cannot
        filter: then max_messages is counted here too, after the filter)."""
        required = list(tags or [])
        if required and not self._lib.options_v2:
            return self.open_stream(since_seq, None, timeout_ms, error_on_gap), required
        return self.open_stream(since_seq, max_messages, timeout_ms, error_on_gap, tags=required), []

    def tail(
        self,
        since_seq: Optional[int] = None,
        max_messages: Optional[int] = None,
        timeout_ms: Optional[int] = None,
        tags: Optional[Iterable[str]] = None,
        error_on_gap: bool = False,
    ) -> Generator[Message, None, None]:
        """Messages from since_seq as they are appended (a generator over one stream).

        tags: only messages carrying all of them. Ends after max_messages, or timeout_ms
        after the first read (the stream's deadline); without either it runs until closed
        or interrupted (Ctrl-C ends a blocked wait within 0.1 s)."""
        stream, required = self._tail_stream(since_seq, max_messages, timeout_ms, tags, error_on_gap)
        try:
            delivered = 0
            while True:
                batch = stream.next_batch(BATCH_MESSAGES)
                if batch is None:
                    return
                for raw in batch:
                    message = message_from_raw(raw)
                    if required and not _has_tags(message, required):
                        continue
                    yield message
                    delivered += 1
                    if required and max_messages is not None and delivered >= max_messages:
                        return
        finally:
            stream.close()

    async def atail(
        self,
        since_seq: Optional[int] = None,
        max_messages: Optional[int] = None,
        timeout_ms: Optional[int] = None,
        tags: Optional[Iterable[str]] = None,
        error_on_gap: bool = False,
    ) -> AsyncIterator[Message]:
        """tail() for asyncio: ``async for message in pool.atail(...)``. Waiting never
        blocks the event loop and takes no thread: the loop watches the stream's readiness
        descriptor. Needs a selector event loop (the default on Unix)."""
        stream = self.open_stream(since_seq, max_messages, timeout_ms, error_on_gap, tags=list(tags or []))
        try:
            async for raw in stream:
                yield message_from_raw(raw)
        finally:
            stream.close()

    def replay(
        self,
        speed: float = 1.0,
        since_seq: Optional[int] = None,
        max_messages: Optional[int] = None,
        timeout_ms: Optional[int] = None,
        tags: Optional[Iterable[str]] = None,
    ) -> Generator[Message, None, None]:
        """Messages as tail() gives them, spaced by their original time gaps / speed (the
        first at once)."""
        if speed <= 0:
            raise ValueError("speed must be positive")
        previous: Optional[datetime] = None
        for message in self.tail(since_seq, max_messages, timeout_ms, tags):
            if previous is not None:
                delay = (message.time - previous).total_seconds() / speed
                if delay > 0:
                    _time.sleep(delay)
            previous = message.time
            yield message


def _pack_batch(items: list[bytes], tags: Any, tag_count: int) -> tuple[Any, Any]:
    """The plsm_json_message_t array for items, all with the given tags, and what must
    stay alive while the native call reads it."""
    tags_addr = addressof(tags) if tags is not None else 0
    if not _PACKED_BATCH:  # pragma: no cover - not a 64-bit platform
        arr = (plsm_json_message_t * len(items))()
        for slot, item in zip(arr, items):
            slot.json_bytes = cast(c_char_p(item), c_void_p)
            slot.json_len = len(item)
            slot.tags = cast(tags, POINTER(c_char_p)) if tags is not None else None
            slot.tags_len = tag_count
        return arr, (items, tags)
    # One buffer holding every payload, and the structs as four 64-bit words each.
    blob = b"".join(items)
    base = cast(c_char_p(blob), c_void_p).value or 0
    lengths = array("Q", map(len, items))
    n = len(items)
    words = array("Q", bytes(32 * n))
    words[0::4] = array("Q", accumulate(lengths[:-1], initial=base))
    words[1::4] = lengths
    words[2::4] = array("Q", [tags_addr]) * n
    words[3::4] = array("Q", [tag_count]) * n
    return words.buffer_info()[0], (blob, words, tags)
