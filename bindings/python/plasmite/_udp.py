"""The reference 1.2.1's UDP API, by name only.

This implementation has no UDP transport yet (neither the library nor `pls serve`), so
the data classes are here, programs that import the names keep working, and every
operation raises UsageError "udp transport is not supported by this library" (the
library's own wording) instead of sending anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Optional, Union

from ._errors import ErrorKind, UsageError, ensure_u64
from ._message import Message, _time_from_ns

_UNSUPPORTED = "plasmite: udp transport is not supported by this library"


def _unsupported() -> UsageError:
    return UsageError(ErrorKind.USAGE, _UNSUPPORTED)


@dataclass(frozen=True)
class UdpStart:
    """A UDP follow start position. Use the named constructors."""

    kind: int
    value: int = 0

    @classmethod
    def new(cls) -> UdpStart:
        return cls(0)

    @classmethod
    def last(cls, count: int) -> UdpStart:
        return cls(1, ensure_u64(count, "count"))

    @classmethod
    def since_ns(cls, timestamp_ns: int) -> UdpStart:
        return cls(2, ensure_u64(timestamp_ns, "timestamp_ns"))

    @classmethod
    def sequence(cls, seq: int) -> UdpStart:
        return cls(3, ensure_u64(seq, "seq"))


@dataclass(frozen=True)
class UdpFollowOptions:
    start: UdpStart = UdpStart(0)
    live: bool = True


@dataclass(frozen=True)
class UdpFrame:
    seq: int
    timestamp_ns: int
    payload: bytes

    @property
    def time(self) -> datetime:
        return _time_from_ns(self.timestamp_ns)

    def message(self) -> Message:
        raise _unsupported()


@dataclass(frozen=True)
class UdpGap:
    first: int
    last: int
    reason: str


@dataclass(frozen=True)
class UdpProgress:
    start_seq: int
    next_seq: int
    end_seq: Optional[int]
    terminal: bool
    retention_gap: bool


UdpEvent = Union[UdpFrame, UdpGap, UdpProgress]


class UdpClient:
    """A client of one UDP endpoint: not supported by this library (raises UsageError)."""

    def __init__(self, endpoint: str) -> None:
        if not endpoint:
            raise ValueError("endpoint is required")
        raise _unsupported()

    def open_pool(self, pool_name: str) -> UdpPool:  # pragma: no cover - unreachable
        raise _unsupported()

    def close(self) -> None:  # pragma: no cover - unreachable
        pass


class UdpPool:
    """A pool on a UDP endpoint: not supported by this library."""

    def __init__(self, *_args: Any) -> None:
        raise _unsupported()

    def send_json(self, value: Any, tags: Iterable[str] = ()) -> None:  # pragma: no cover
        raise _unsupported()

    def send_lite3(self, payload: bytes) -> None:  # pragma: no cover
        raise _unsupported()

    def follow(self, options: Optional[UdpFollowOptions] = None) -> UdpFollow:  # pragma: no cover
        raise _unsupported()


class UdpFollow:
    """A UDP event stream: not supported by this library."""

    def __init__(self, *_args: Any) -> None:
        raise _unsupported()
