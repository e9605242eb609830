"""Plasmite for Python: persistent JSON message queues over libplasmite (ctypes).

A pool is one file holding a bounded ring of messages that any number of processes
append to and read from. ``Client(pool_dir)`` finds pools in a directory (default
``~/.plasmite/pools``), ``Client("http://host:port")`` the pools a ``plasmite serve``
shares; ``Pool`` appends and reads; ``Pool.tail`` follows (``Pool.atail`` for asyncio).

The API is that of the reference package (release 1.2.1), plus batches
(``append_many``, ``Stream.next_batch``), pool administration, remote clients, asyncio
and Ctrl-C-interruptible waits. The library is loaded on first use (see ``_ffi``).
"""

from __future__ import annotations

import time as _time  # noqa: F401 - reference programs patch plasmite._time.sleep
from typing import Any

from ._client import (
    DEFAULT_POOL_SIZE,
    DEFAULT_POOL_SIZE_BYTES,
    Client,
    RemoteClient,
    default_pool_dir,
)
from ._errors import (
    ERROR_KIND_TO_CLASS as _ERROR_KIND_TO_CLASS,
    AlreadyExistsError,
    BusyError,
    CorruptError,
    Durability,
    ErrorKind,
    InternalError,
    IoError,
    NotFoundError,
    PermissionDeniedError,
    PlasmiteError,
    RetentionGapError,
    UsageError,
)
from ._message import Lite3Frame, Message, MessageMeta, parse_message
from ._pool import Pool
from ._pool import _has_tags as _message_has_tags  # noqa: F401 - patched by reference tests
from ._stream import Lite3Stream, Stream
from ._udp import (
    UdpClient,
    UdpEvent,
    UdpFollow,
    UdpFollowOptions,
    UdpFrame,
    UdpGap,
    UdpPool,
    UdpProgress,
    UdpStart,
)
from ._version import __version__

DEFAULT_POOL_DIR = default_pool_dir()


def library_version() -> dict[str, Any]:
    """What libplasmite this process uses (loading it): path, version and ABI version
    (None for a library without plsm_version, such as the reference's)."""
    from . import _ffi

    lib = _ffi.lib()
    return {"path": lib.path, "version": lib.version, "abi": lib.abi}


def __getattr__(name: str) -> Any:
    # plasmite._LIB (as in the reference): the library's functions as attributes, those
    # this package calls (so that tests may patch them). Loaded on first access.
    if name == "_LIB":
        from . import _ffi

        return _ffi.lib()
    raise AttributeError(f"module 'plasmite' has no attribute {name!r}")


__all__ = [
    "Client",
    "RemoteClient",
    "Pool",
    "Message",
    "MessageMeta",
    "Stream",
    "Lite3Frame",
    "Lite3Stream",
    "UdpClient",
    "UdpPool",
    "UdpFollow",
    "UdpStart",
    "UdpFollowOptions",
    "UdpFrame",
    "UdpGap",
    "UdpProgress",
    "UdpEvent",
    "Durability",
    "ErrorKind",
    "PlasmiteError",
    "NotFoundError",
    "AlreadyExistsError",
    "BusyError",
    "PermissionDeniedError",
    "CorruptError",
    "IoError",
    "UsageError",
    "InternalError",
    "RetentionGapError",
    "DEFAULT_POOL_DIR",
    "DEFAULT_POOL_SIZE",
    "DEFAULT_POOL_SIZE_BYTES",
    "default_pool_dir",
    "parse_message",
    "library_version",
    "__version__",
]
