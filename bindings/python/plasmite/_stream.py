"""Streams: readers of a pool's messages, blocking (interruptible) or asynchronous."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from ctypes import byref, c_int, c_size_t, string_at
from typing import Any, AsyncIterator, Callable, Optional

from . import _ffi
from ._errors import optional_u64, unsupported_error
from ._ffi import STREAM_END, STREAM_ITEM, STREAM_TIMEOUT, plsm_lite3_frame_t
from ._handle import Handle
from ._message import Lite3Frame

# A blocked read waits in slices of this many milliseconds, so that the interpreter
# gets control back in between: Ctrl-C (KeyboardInterrupt) and other signal handlers
# run within one slice. Each slice is a single native call, and costs nothing while
# messages are flowing (a read returns as soon as one is there).
WAIT_SLICE_MS = 100

# What one batched read takes at most.
BATCH_MESSAGES = 256
BATCH_BYTES = 4 << 20


class _StreamHandle(Handle):
    _what = "stream"
    _cancel = ""
    _fd_name = ""
    # Set by each subclass: its bounded-wait function, where it takes an item, and how.
    _next_timeout: Any
    _outref: Any
    _take: Callable[[], Any]

    def __init__(self, lib: _ffi.Library, ptr: Any) -> None:
        super().__init__(lib, ptr)
        self._fd: Optional[int] = None

    def cancel(self) -> None:
        """Ends the stream from any thread: a blocked read returns at once (as the end of
        the stream) and so does every later one. The stream must still be closed."""
        ptr = self._ptr
        cancel = self._lib.optional.get(self._cancel)
        if ptr is None or cancel is None or not _ffi.usable():
            return
        # No lock: the point is to reach a read that holds it. A handle freed meanwhile is
        # recognised by the library (handle numbers are never reused).
        cancel(ptr)

    def close(self) -> None:
        """Ends a read in progress in another thread (it returns as the end of the stream),
        then frees the stream. Idempotent."""
        if getattr(self, "_lock", None) is not None:
            self.cancel()
        super().close()

    def fileno(self) -> int:
        """A descriptor that is readable when a message may be available, for select(),
        selectors or an event loop; then read with ``timeout_ms=0``. Never read from or
        close it: it belongs to the stream."""
        with self._lock:
            ptr = self._live()
            if self._fd is None:
                fd_fn = self._lib.optional.get(self._fd_name)
                if fd_fn is None:
                    raise unsupported_error("waiting for a stream in an event loop", self._fd_name)
                out = c_int(-1)
                if fd_fn(ptr, byref(out), self._errref) != 0:
                    raise self._error()
                self._fd = out.value
            return self._fd

    def _read_one(self, ptr: Any, wait_ms: int) -> Any:
        """One bounded wait for the next item (the subclass's _outref and _take say what
        an item is): the item, STREAM_TIMEOUT, or None at the end. Caller holds the lock."""
        try:
            rc = self._next_timeout(ptr, wait_ms, self._outref, self._errref)
            if rc == STREAM_ITEM:
                return self._take()
            if rc == STREAM_TIMEOUT:
                return STREAM_TIMEOUT
            if rc == STREAM_END:
                return None
            raise self._error()
        except BaseException:
            # Ctrl-C right after the call returned: the item taken is lost with the
            # interrupted read, but its buffer is not leaked.
            self._discard_outputs()
            raise

    def _wait_loop(self, read_once: Callable[[Any, int], Any], timeout_ms: Optional[int]) -> Any:
        """Calls read_once(ptr, wait_ms) in slices until it returns something other than
        TIMEOUT or timeout_ms (None: no bound) has passed. Caller holds the lock."""
        ptr = self._live()
        if timeout_ms is not None and timeout_ms <= WAIT_SLICE_MS:
            return read_once(ptr, timeout_ms)
        deadline = None if timeout_ms is None else time.monotonic() + timeout_ms / 1000
        while True:
            wait = WAIT_SLICE_MS
            if deadline is not None:
                wait = max(0, min(wait, int((deadline - time.monotonic()) * 1000)))
            result = read_once(ptr, wait)
            if result is not STREAM_TIMEOUT or (deadline is not None and wait < WAIT_SLICE_MS):
                return result
            # Returning to this loop lets the interpreter run signal handlers.


class Stream(_StreamHandle):
    """A reader of a pool's messages as envelope JSON bytes, oldest first.

    Iteration (``for raw in stream``) and ``next_json()`` block until a message arrives
    or the stream ends (its timeout_ms deadline, max_messages, cancel(), or after a
    retention-gap error); Ctrl-C interrupts them. ``async for raw in stream`` waits
    without blocking the event loop. ``next_batch()`` takes many messages per call."""

    _free = "plsm_stream_free"
    _cancel = "plsm_stream_cancel"
    _fd_name = "plsm_stream_fd"

    def __init__(self, lib: _ffi.Library, ptr: Any) -> None:
        super().__init__(lib, ptr)
        self._next_timeout: Any = lib.optional.get("plsm_stream_next_timeout")
        self._next_batch: Any = lib.optional.get("plsm_stream_next_batch")
        self._outref, self._take = self._bufref, self._take_buf
        self._count = c_size_t()
        self._countref = byref(self._count)

    def _read_batch(self, ptr: Any, wait_ms: int, max_messages: int) -> Any:
        try:
            rc = self._next_batch(
                ptr, wait_ms, max_messages, BATCH_BYTES, self._bufref, self._countref, self._errref
            )
            if rc == STREAM_ITEM:
                lines = self._take_buf().split(b"\n")
                lines.pop()  # after the last newline
                return lines
            if rc == STREAM_TIMEOUT:
                return STREAM_TIMEOUT
            if rc == STREAM_END:
                return None
            raise self._error()
        except BaseException:
            self._discard_outputs()
            raise

    def _read_blocking(self, ptr: Any) -> Optional[bytes]:
        # A library without bounded waits (the reference's): one uninterruptible call.
        rc = self._lib.plsm_stream_next(ptr, self._bufref, self._errref)
        if rc == 1:
            return self._take_buf()
        if rc == 0:
            return None
        raise self._error()

    def next_json(self) -> Optional[bytes]:
        """The next message's envelope JSON, or None at the end of the stream."""
        with self._lock:
            if self._next_timeout is None:
                return self._read_blocking(self._live())
            message: Optional[bytes] = self._wait_loop(self._read_one, None)
            return message

    def next_batch(
        self, max_messages: int = BATCH_MESSAGES, timeout_ms: Optional[int] = None
    ) -> Optional[list[bytes]]:
        """Up to max_messages envelopes in one native call: waits for the first (at most
        timeout_ms; None: until one arrives), then takes those already there. Returns []
        when timeout_ms passed with none, and None at the end of the stream."""
        if not isinstance(max_messages, int) or max_messages < 1:
            raise ValueError("max_messages must be an int >= 1")
        timeout_ms = optional_u64(timeout_ms, "timeout_ms")
        with self._lock:
            if self._next_batch is None:
                return self._batch_fallback(max_messages, timeout_ms)
            result = self._wait_loop(
                lambda ptr, wait: self._read_batch(ptr, wait, max_messages), timeout_ms
            )
            return [] if result is STREAM_TIMEOUT else result

    def _batch_fallback(self, max_messages: int, timeout_ms: Optional[int]) -> Optional[list[bytes]]:
        if self._next_timeout is None:
            if timeout_ms is not None:
                raise unsupported_error("a bounded wait", "plsm_stream_next_timeout")
            one = self._read_blocking(self._live())
            return None if one is None else [one]
        first = self._wait_loop(self._read_one, timeout_ms)
        if first is None or first is STREAM_TIMEOUT:
            return None if first is None else []
        out = [first]
        ptr = self._live()
        while len(out) < max_messages:
            more = self._read_one(ptr, 0)
            if more is None or more is STREAM_TIMEOUT:
                break
            out.append(more)
        return out

    def __iter__(self) -> Stream:
        return self

    def __next__(self) -> bytes:
        message = self.next_json()
        if message is None:
            raise StopIteration
        return message

    def __aiter__(self) -> AsyncIterator[bytes]:
        return _AsyncReader(self, lambda limit: self.next_batch(limit, 0))



class Lite3Stream(_StreamHandle):
    """A reader of a pool's messages as raw Lite3 frames; otherwise as Stream."""

    _free = "plsm_lite3_stream_free"
    _cancel = "plsm_lite3_stream_cancel"
    _fd_name = "plsm_lite3_stream_fd"

    def __init__(self, lib: _ffi.Library, ptr: Any) -> None:
        super().__init__(lib, ptr)
        self._frame = plsm_lite3_frame_t()
        self._frameref = byref(self._frame)
        self._next_timeout: Any = lib.optional.get("plsm_lite3_stream_next_timeout")
        self._outref, self._take = self._frameref, self._take_frame

    def _take_frame(self) -> Lite3Frame:
        frame = self._frame
        payload = frame.payload
        data = string_at(payload.data, payload.len) if payload.len else b""
        out = Lite3Frame(int(frame.seq), int(frame.timestamp_ns), int(frame.flags), data)
        self._lib.plsm_lite3_frame_free(self._frameref)
        return out

    def _discard_outputs(self) -> None:
        if self._frame.payload.data:
            self._lib.plsm_lite3_frame_free(self._frameref)
        super()._discard_outputs()

    def next(self) -> Optional[Lite3Frame]:
        """The next frame, or None at the end of the stream."""
        with self._lock:
            ptr = self._live()
            if self._next_timeout is None:
                rc = self._lib.plsm_lite3_stream_next(ptr, self._frameref, self._errref)
                if rc == 1:
                    return self._take_frame()
                if rc == 0:
                    return None
                raise self._error()
            frame: Optional[Lite3Frame] = self._wait_loop(self._read_one, None)
            return frame

    def _poll(self, limit: int) -> Optional[list[Lite3Frame]]:
        with self._lock:
            if self._next_timeout is None:
                raise unsupported_error("a bounded wait", "plsm_lite3_stream_next_timeout")
            ptr = self._live()
            out: list[Lite3Frame] = []
            while len(out) < limit:
                frame = self._read_one(ptr, 0)
                if frame is STREAM_TIMEOUT:
                    break
                if frame is None:
                    return out or None
                out.append(frame)
            return out

    def __iter__(self) -> Lite3Stream:
        return self

    def __next__(self) -> Lite3Frame:
        frame = self.next()
        if frame is None:
            raise StopIteration
        return frame

    def __aiter__(self) -> AsyncIterator[Lite3Frame]:
        return _AsyncReader(self, self._poll)



class _AsyncReader:
    """Async iteration over a stream without a thread: poll(limit) takes what is there
    (a list, [] for nothing yet, None at the end); in between, the event loop watches
    the stream's readiness descriptor (loop.add_reader)."""

    def __init__(self, stream: _StreamHandle, poll: Callable[[int], Optional[list[Any]]]) -> None:
        self._stream = stream
        self._poll = poll
        self._items: deque[Any] = deque()
        self._done = False

    def __aiter__(self) -> _AsyncReader:
        return self

    async def __anext__(self) -> Any:
        while not self._items:
            if self._done:
                raise StopAsyncIteration
            batch = self._poll(BATCH_MESSAGES)
            if batch is None:
                self._done = True
            elif batch:
                self._items.extend(batch)
            else:
                await _readable(self._stream.fileno())
        return self._items.popleft()


async def _readable(fd: int) -> None:
    """Waits until fd is readable, with the running loop's selector (no thread)."""
    loop = asyncio.get_running_loop()
    ready = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(fd, wake)
    try:
        await ready
    finally:
        loop.remove_reader(fd)
