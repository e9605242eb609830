"""Finding, loading and describing libplasmite (ctypes), and guarding it against fork().

The library is loaded on first use, not at import: a program may import plasmite and
then fork (multiprocessing's default start method on Linux) and still use plasmite in
the children, as long as the parent never called into it. Once loaded, the library
holds a Go runtime, which does not survive fork(): every native call made in a forked
child would hang. The child is therefore marked unusable at the fork, and each call
checks that mark first and raises instead.
"""

from __future__ import annotations

import os
import threading
from ctypes import (
    CDLL,
    POINTER,
    Structure,
    c_char_p,
    c_int,
    c_int32,
    c_size_t,
    c_uint8,
    c_uint32,
    c_uint64,
    c_void_p,
)
from pathlib import Path
from typing import Any, Optional

_LIB_NAMES = ("plasmite.dll", "libplasmite.dylib", "libplasmite.so")
_SYSTEM_NAMES = ("plasmite.dll", "plasmite", "libplasmite", "libplasmite.so", "libplasmite.dylib")

# Return values of the bounded waits (plasmite.h, ABI minor 2).
STREAM_TIMEOUT = 0
STREAM_ITEM = 1
STREAM_END = 2

# PLSM_STREAM_OPTIONS_V2: the reserved value that marks a version 2 options struct.
OPTIONS_V2 = 0x32534C50


class plsm_buf_t(Structure):
    _fields_ = [("data", c_void_p), ("len", c_size_t)]


class plsm_lite3_frame_t(Structure):
    _fields_ = [
        ("seq", c_uint64),
        ("timestamp_ns", c_uint64),
        ("flags", c_uint32),
        ("payload", plsm_buf_t),
    ]


class plsm_error_t(Structure):
    _fields_ = [
        ("kind", c_int32),
        ("message", c_char_p),
        ("path", c_char_p),
        ("seq", c_uint64),
        ("offset", c_uint64),
        ("has_seq", c_uint8),
        ("has_offset", c_uint8),
    ]


class plsm_stream_options_t(Structure):
    """Version 2 layout; a version 1 caller sets struct_size to 48 and reserved to 0."""

    _fields_ = [
        ("struct_size", c_uint32),
        ("gap_policy", c_uint32),
        ("since_seq", c_uint64),
        ("max_messages", c_uint64),
        ("timeout_ms", c_uint64),
        ("has_since", c_uint32),
        ("has_max", c_uint32),
        ("has_timeout", c_uint32),
        ("reserved", c_uint32),
        ("tags", POINTER(c_char_p)),
        ("tags_len", c_size_t),
    ]


class plsm_json_message_t(Structure):
    _fields_ = [
        ("json_bytes", c_void_p),
        ("json_len", c_size_t),
        ("tags", POINTER(c_char_p)),
        ("tags_len", c_size_t),
    ]


class plsm_remote_options_t(Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("reserved", c_uint32),
        ("request_timeout_ms", c_uint64),
        ("max_response_bytes", c_uint64),
        ("access_key", c_char_p),
    ]


STREAM_OPTIONS_V1_SIZE = 48

_ERR = POINTER(POINTER(plsm_error_t))
_OUT = POINTER(c_void_p)
_BUF = POINTER(plsm_buf_t)
_FRAME = POINTER(plsm_lite3_frame_t)
_OPTS = POINTER(plsm_stream_options_t)
_TAGS = POINTER(c_char_p)

# name: (restype, argtypes). Handles are opaque: c_void_p. Byte inputs are c_char_p, so
# that a bytes object is passed without a copy.
_SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "plsm_client_new": (c_int, [c_char_p, _OUT, _ERR]),
    "plsm_client_free": (None, [c_void_p]),
    "plsm_pool_create": (c_int, [c_void_p, c_char_p, c_uint64, _OUT, _ERR]),
    "plsm_pool_open": (c_int, [c_void_p, c_char_p, _OUT, _ERR]),
    "plsm_pool_free": (None, [c_void_p]),
    "plsm_pool_append_json": (
        c_int,
        [c_void_p, c_char_p, c_size_t, _TAGS, c_size_t, c_uint32, _BUF, _ERR],
    ),
    "plsm_pool_append_lite3": (
        c_int,
        [c_void_p, c_char_p, c_size_t, c_uint32, POINTER(c_uint64), _ERR],
    ),
    "plsm_pool_get_json": (c_int, [c_void_p, c_uint64, _BUF, _ERR]),
    "plsm_pool_get_lite3": (c_int, [c_void_p, c_uint64, _FRAME, _ERR]),
    "plsm_stream_open_ex": (c_int, [c_void_p, _OPTS, _OUT, _ERR]),
    "plsm_lite3_stream_open_ex": (c_int, [c_void_p, _OPTS, _OUT, _ERR]),
    "plsm_stream_next": (c_int, [c_void_p, _BUF, _ERR]),
    "plsm_lite3_stream_next": (c_int, [c_void_p, _FRAME, _ERR]),
    "plsm_stream_free": (None, [c_void_p]),
    "plsm_lite3_stream_free": (None, [c_void_p]),
    "plsm_buf_free": (None, [_BUF]),
    "plsm_lite3_frame_free": (None, [_FRAME]),
    "plsm_error_free": (None, [POINTER(plsm_error_t)]),
}

# Extensions of this implementation; any may be missing from another libplasmite (for
# instance the reference's, chosen through PLASMITE_LIB_DIR).
_OPTIONAL: dict[str, tuple[Any, list[Any]]] = {
    "plsm_version": (c_char_p, [POINTER(c_uint32), POINTER(c_uint32)]),
    "plsm_pool_info_json": (c_int, [c_void_p, _BUF, _ERR]),
    "plsm_pool_list_json": (c_int, [c_void_p, _BUF, _ERR]),
    "plsm_pool_delete": (c_int, [c_void_p, c_char_p, _ERR]),
    "plsm_pool_append_json_batch": (
        c_int,
        [c_void_p, c_void_p, c_size_t, c_uint32, POINTER(c_uint64), POINTER(c_size_t), _ERR],
    ),
    "plsm_stream_cancel": (None, [c_void_p]),
    "plsm_lite3_stream_cancel": (None, [c_void_p]),
    "plsm_stream_next_timeout": (c_int, [c_void_p, c_uint64, _BUF, _ERR]),
    "plsm_lite3_stream_next_timeout": (c_int, [c_void_p, c_uint64, _FRAME, _ERR]),
    "plsm_stream_fd": (c_int, [c_void_p, POINTER(c_int), _ERR]),
    "plsm_lite3_stream_fd": (c_int, [c_void_p, POINTER(c_int), _ERR]),
    "plsm_stream_next_batch": (
        c_int,
        [c_void_p, c_uint64, c_size_t, c_size_t, _BUF, POINTER(c_size_t), _ERR],
    ),
    "plsm_remote_client_new": (c_int, [c_char_p, POINTER(plsm_remote_options_t), _OUT, _ERR]),
}


class Library:
    """The loaded library: its path, its declared functions, and what it supports."""

    def __init__(self, cdll: CDLL, path: str) -> None:
        self.cdll = cdll
        self.path = path
        self.pid = os.getpid()
        # Each function becomes an attribute (lib.plsm_pool_open); a missing optional one
        # is absent from .optional and not an attribute.
        for name, (restype, argtypes) in _SIGNATURES.items():
            fn = getattr(cdll, name)
            fn.restype, fn.argtypes = restype, argtypes
            setattr(self, name, fn)
        self.optional: dict[str, Any] = {}
        for name, (restype, argtypes) in _OPTIONAL.items():
            fn = getattr(cdll, name, None)
            if fn is not None:
                fn.restype, fn.argtypes = restype, argtypes
                self.optional[name] = fn
                setattr(self, name, fn)
        self.version: Optional[str] = None
        self.abi: Optional[tuple[int, int]] = None
        version = self.optional.get("plsm_version")
        if version is not None:
            major, minor = c_uint32(), c_uint32()
            raw = version(major, minor)
            self.version = raw.decode("utf-8", "replace") if raw else ""
            self.abi = (major.value, minor.value)
        # Version 2 stream options (a native tag filter) came with the bounded waits (ABI
        # minor 2 of main); the symbol tells, whatever minor a branch build reports.
        self.options_v2 = "plsm_stream_next_timeout" in self.optional

    def has(self, name: str) -> bool:
        return name in self.optional

    def __getattr__(self, name: str) -> Any:
        # Only reached for names not set in __init__: a missing optional function.
        raise AttributeError(f"libplasmite at {self.path} has no {name}")


_lock = threading.Lock()
_library: Optional[Library] = None
# Set in a child process forked after the library was loaded (see the module docstring).
forked_from: Optional[int] = None


def _after_fork_in_child() -> None:
    global forked_from
    if _library is not None and forked_from is None:
        forked_from = _library.pid


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def fork_message() -> str:
    return (
        f"plasmite: libplasmite was loaded in process {forked_from} and this process "
        f"(pid {os.getpid()}) is a fork() of it; the Go runtime inside libplasmite does not "
        "survive fork(), so plasmite cannot be used here. Start worker processes with the "
        "'spawn' or 'forkserver' method (multiprocessing.get_context('spawn')), or use "
        "plasmite in the parent only after forking"
    )


def usable() -> bool:
    """Whether native calls may be made in this process."""
    if forked_from is not None:
        return False
    lib = _library
    if lib is not None and lib.pid != os.getpid():
        # Forked by something that bypassed os.register_at_fork (a C extension).
        _mark_forked(lib.pid)
        return False
    return True


def _mark_forked(pid: int) -> None:
    global forked_from
    forked_from = pid


def candidates() -> list[str]:
    """Library files tried, in order: $PLASMITE_LIB_DIR, then the package's _native/."""
    out: list[str] = []
    env_dir = os.environ.get("PLASMITE_LIB_DIR")
    if env_dir:
        out.extend(os.path.join(env_dir, name) for name in _LIB_NAMES)
    native_dir = Path(__file__).resolve().parent / "_native"
    out.extend(str(native_dir / name) for name in _LIB_NAMES)
    return out


def _load() -> Library:
    for candidate in candidates():
        if os.path.exists(candidate):
            return Library(CDLL(candidate), candidate)
    for name in _SYSTEM_NAMES:
        try:
            return Library(CDLL(name), name)
        except OSError:
            continue
    raise OSError(
        "libplasmite not found; set PLASMITE_LIB_DIR to the directory holding "
        "libplasmite.so (for a source checkout: run `make`, then use build/lib), "
        "or install a plasmite wheel, which bundles it"
    )


def lib() -> Library:
    """The library, loaded on first use. Raises PlasmiteError in a forked child."""
    global _library
    if not usable():
        from ._errors import fork_error

        raise fork_error()
    if _library is None:
        with _lock:
            if _library is None:
                _library = _load()
    return _library


def loaded() -> Optional[Library]:
    """The library if it was loaded already (no loading)."""
    return _library
