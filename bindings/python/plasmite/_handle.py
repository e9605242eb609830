"""What every native handle shares: its lock, its liveness and fork checks, its close."""

from __future__ import annotations

from ctypes import POINTER, byref, string_at
from threading import RLock
from typing import Any, Optional, TypeVar

from . import _ffi
from ._errors import PlasmiteError, closed_error, fork_error, take_error
from ._ffi import plsm_buf_t, plsm_error_t

_H = TypeVar("_H", bound="Handle")


class Handle:
    """A native handle used under a per-handle RLock.

    Every native call on the handle and its close() run under the lock, so a handle
    may be shared by threads and close() waits for a call in progress. ``_ptr`` is the
    native pointer (None once closed). Subclasses name the free function (``_free``)
    and what the handle is called in errors (``_what``).
    """

    _what = "handle"
    _free = ""

    def __init__(self, lib: _ffi.Library, ptr: Any) -> None:
        self._lock = RLock()
        self._lib = lib
        self._ptr = ptr
        # One output buffer and error slot per handle, reused by every call under the lock.
        self._buf = plsm_buf_t()
        self._bufref = byref(self._buf)
        self._err = POINTER(plsm_error_t)()
        self._errref = byref(self._err)

    def _live(self) -> Any:
        """The native pointer; raises if the handle is closed or this is a forked child."""
        if _ffi.forked_from is not None:
            raise fork_error()
        ptr = self._ptr
        if ptr is None:
            raise closed_error(self._what)
        return ptr

    def _error(self) -> PlasmiteError:
        """The error the last failing call stored (freed), leaving a fresh NULL slot."""
        err = take_error(self._lib, self._err)
        self._err = POINTER(plsm_error_t)()
        self._errref = byref(self._err)
        return err

    def _discard_outputs(self) -> None:
        """Frees what a native call left in the output slots and nobody took: for an
        exception (KeyboardInterrupt) raised between a call's return and the conversion of
        its result. Idempotent."""
        if self._buf.data:
            self._lib.plsm_buf_free(self._bufref)
        if self._err:
            self._lib.plsm_error_free(self._err)
            self._err = POINTER(plsm_error_t)()
            self._errref = byref(self._err)

    def _take_buf(self) -> bytes:
        buf = self._buf
        data = string_at(buf.data, buf.len) if buf.len else b""
        self._lib.plsm_buf_free(self._bufref)
        return data

    def _release(self, ptr: Any) -> None:
        """Frees ptr (called under the lock). Subclasses may cancel first."""
        getattr(self._lib, self._free)(ptr)

    def close(self) -> None:
        """Releases the handle; later calls raise PlasmiteError. Idempotent."""
        lock: Optional[RLock] = getattr(self, "_lock", None)
        if lock is None:  # __init__ failed before the handle existed
            return
        with lock:
            ptr = self._ptr
            if ptr is None:
                return
            self._ptr = None
            # In a forked child the library cannot be called: the memory is the parent's
            # concern, and the child's copy goes with the child.
            if _ffi.usable():
                self._release(ptr)

    def __enter__(self: _H) -> _H:
        with self._lock:
            self._live()
        return self

    def __exit__(self, _exc_type: Any, _exc: Any, _tb: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass
