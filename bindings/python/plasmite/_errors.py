"""Error kinds, the exception classes, and argument checks shared by every handle."""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Iterable, Optional

_UINT64_MAX = (1 << 64) - 1


class ErrorKind(IntEnum):
    """The stable error classification shared by the CLI, the server and the bindings."""

    INTERNAL = 1
    USAGE = 2
    NOT_FOUND = 3
    ALREADY_EXISTS = 4
    BUSY = 5
    PERMISSION = 6
    CORRUPT = 7
    IO = 8
    RETENTION_GAP = 9


class Durability(IntEnum):
    """FAST returns once a message is visible to readers; FLUSH also syncs it to disk."""

    FAST = 0
    FLUSH = 1


class PlasmiteError(RuntimeError):
    """A failure reported by libplasmite, with its kind and context.

    ``path`` is the pool file concerned (or None), ``seq`` the message concerned (or
    None), ``offset`` a byte offset in the pool file (or None).
    """

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        path: Optional[str] = None,
        seq: Optional[int] = None,
        offset: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.path = path
        self.seq = seq
        self.offset = offset


class InternalError(PlasmiteError):
    pass


class UsageError(PlasmiteError):
    pass


class NotFoundError(PlasmiteError):
    pass


class AlreadyExistsError(PlasmiteError):
    pass


class BusyError(PlasmiteError):
    pass


class PermissionDeniedError(PlasmiteError):
    pass


class CorruptError(PlasmiteError):
    pass


class IoError(PlasmiteError):
    pass


class RetentionGapError(PlasmiteError):
    pass


ERROR_KIND_TO_CLASS: dict[ErrorKind, type[PlasmiteError]] = {
    ErrorKind.INTERNAL: InternalError,
    ErrorKind.USAGE: UsageError,
    ErrorKind.NOT_FOUND: NotFoundError,
    ErrorKind.ALREADY_EXISTS: AlreadyExistsError,
    ErrorKind.BUSY: BusyError,
    ErrorKind.PERMISSION: PermissionDeniedError,
    ErrorKind.CORRUPT: CorruptError,
    ErrorKind.IO: IoError,
    ErrorKind.RETENTION_GAP: RetentionGapError,
}

_DEFAULT_MESSAGES = {
    ErrorKind.INTERNAL: "internal error",
    ErrorKind.USAGE: "usage error",
    ErrorKind.NOT_FOUND: "not found",
    ErrorKind.ALREADY_EXISTS: "already exists",
    ErrorKind.BUSY: "busy",
    ErrorKind.PERMISSION: "permission denied",
    ErrorKind.CORRUPT: "corrupt",
    ErrorKind.IO: "io error",
    ErrorKind.RETENTION_GAP: "retention gap",
}


def take_error(lib: Any, err_ptr: Any) -> PlasmiteError:
    """Converts a native plsm_error_t* into the exception of its kind, and frees it."""
    if not err_ptr:
        return PlasmiteError(ErrorKind.INTERNAL, "plasmite: unknown error")
    err = err_ptr.contents
    raw_kind = int(err.kind)
    message = err.message.decode("utf-8", "replace") if err.message else ""
    path = err.path.decode("utf-8", "replace") if err.path else None
    seq = int(err.seq) if err.has_seq else None
    offset = int(err.offset) if err.has_offset else None
    lib.plsm_error_free(err_ptr)
    try:
        kind = ErrorKind(raw_kind)
    except ValueError:
        kind = ErrorKind.INTERNAL
    return ERROR_KIND_TO_CLASS[kind](kind, message or _DEFAULT_MESSAGES[kind], path, seq, offset)


def closed_error(target: str) -> PlasmiteError:
    """The error of a call on a closed handle (the base class, as in the reference)."""
    return PlasmiteError(ErrorKind.USAGE, f"plasmite: {target} is closed")


def unsupported_error(what: str, needs: str) -> UsageError:
    """A feature this libplasmite lacks (an older build, or the reference's library)."""
    return UsageError(
        ErrorKind.USAGE,
        f"plasmite: {what} is not supported by this library (it lacks {needs})",
    )


def fork_error() -> PlasmiteError:
    from . import _ffi

    return PlasmiteError(ErrorKind.USAGE, _ffi.fork_message())


def ensure_u64(value: Any, name: str) -> int:
    """An int in [0, 2**64-1], or TypeError/ValueError with the reference's wording."""
    if not isinstance(value, int):
        raise TypeError(f"{name} must be an int")
    if value < 0:
        raise ValueError(f"{name} must be >= 0")
    if value > _UINT64_MAX:
        raise ValueError(f"{name} must fit an unsigned 64-bit integer")
    return value


def optional_u64(value: Any, name: str) -> Optional[int]:
    return None if value is None else ensure_u64(value, name)


def ensure_bytes(payload: Any, name: str) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, (bytearray, memoryview)):
        return bytes(payload)
    raise TypeError(f"{name} must be bytes-like")


def durability_value(durability: Any) -> int:
    """The ABI's number for durability; the library itself refuses values other than 0, 1."""
    value = int(durability)
    if not 0 <= value <= 0xFFFFFFFF:
        raise ValueError("durability must be Durability.FAST or Durability.FLUSH")
    return value


def encode_text(value: Any, name: str) -> bytes:
    """A str argument as UTF-8 for a C string: no NUL inside (C would cut it there)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str")
    if "\0" in value:
        raise ValueError(f"{name} must not contain NUL characters")
    return value.encode("utf-8")


def encode_tags(tags: Optional[Iterable[str]]) -> tuple[bytes, ...]:
    if tags is None:
        return ()
    if isinstance(tags, (str, bytes)):
        raise TypeError("tags must be an iterable of str, not a single string")
    return tuple(encode_text(tag, "tag") for tag in tags)
