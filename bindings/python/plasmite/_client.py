"""Client and RemoteClient: where pools are found, and pool administration."""

from __future__ import annotations

import json
import os
import re
from ctypes import byref, c_void_p, sizeof
from typing import Any, Optional, Union

from . import _ffi
from ._errors import (
    NotFoundError,
    encode_text,
    ensure_u64,
    optional_u64,
    unsupported_error,
)
from ._ffi import plsm_remote_options_t
from ._handle import Handle
from ._pool import Pool

DEFAULT_POOL_SIZE_BYTES = 1024 * 1024
DEFAULT_POOL_SIZE = DEFAULT_POOL_SIZE_BYTES

_ORIGIN = re.compile(r"^https?://", re.IGNORECASE)


def default_pool_dir() -> str:
    """~/.plasmite/pools, from HOME at the time of the call."""
    return os.path.join(os.path.expanduser("~"), ".plasmite", "pools")


def _is_origin(where: Any) -> bool:
    return isinstance(where, str) and _ORIGIN.match(where) is not None


def _pool_ref(pool_ref: Any) -> bytes:
    if isinstance(pool_ref, os.PathLike):
        pool_ref = os.fspath(pool_ref)
    if not pool_ref:
        raise ValueError("pool_ref is required")
    return encode_text(pool_ref, "pool_ref")


class Client(Handle):
    """Where pools are found: a directory (default ~/.plasmite/pools) or, given an
    ``http://host:port`` origin, the pools a Plasmite server shares (a RemoteClient)."""

    _what = "client"
    _free = "plsm_client_free"

    def __new__(cls, pool_dir: Union[str, "os.PathLike[str]", None] = None, *args: Any, **kwargs: Any) -> Any:
        if cls is Client and _is_origin(pool_dir):
            cls = RemoteClient
        return super().__new__(cls)

    def __init__(self, pool_dir: Union[str, "os.PathLike[str]", None] = None) -> None:
        self._ptr = None  # close() is safe on a half-built client (it has no lock yet)
        if pool_dir is None:
            pool_dir = default_pool_dir()
        if isinstance(pool_dir, os.PathLike):
            pool_dir = os.fspath(pool_dir)
        if not pool_dir:
            raise ValueError("pool_dir is required")
        encoded = encode_text(pool_dir, "pool_dir")
        lib = _ffi.lib()
        super().__init__(lib, None)
        out = c_void_p()
        if lib.plsm_client_new(encoded, byref(out), self._errref) != 0:
            raise self._error()
        self._ptr = out
        self.pool_dir: Optional[str] = pool_dir

    def _pool(self, fn: str, *args: Any) -> Pool:
        out = c_void_p()
        if getattr(self._lib, fn)(self._live(), *args, byref(out), self._errref) != 0:
            raise self._error()
        return Pool(self._lib, out)

    def create_pool(self, pool_ref: str, size_bytes: int = DEFAULT_POOL_SIZE_BYTES) -> Pool:
        """Creates the pool (a name, or a path if it contains '/') and opens it.
        AlreadyExistsError if it exists."""
        with self._lock:
            self._live()
            ref = _pool_ref(pool_ref)
            size_bytes = ensure_u64(size_bytes, "size_bytes")
            return self._pool("plsm_pool_create", ref, size_bytes)

    def open_pool(self, pool_ref: str) -> Pool:
        """Opens an existing pool; NotFoundError (with path) if there is none."""
        with self._lock:
            self._live()
            return self._pool("plsm_pool_open", _pool_ref(pool_ref))

    def pool(self, pool_ref: str, size_bytes: int = DEFAULT_POOL_SIZE_BYTES) -> Pool:
        """Opens the pool, creating it first if it does not exist."""
        try:
            return self.open_pool(pool_ref)
        except NotFoundError:
            return self.create_pool(pool_ref, size_bytes)

    def list_pools(self) -> list[dict[str, Any]]:
        """Every pool of the directory (or server), sorted by name, as `pool list --json`
        shows them; a pool that cannot be read has an "error" entry instead of bounds."""
        with self._lock:
            ptr = self._live()
            fn = self._lib.optional.get("plsm_pool_list_json")
            if fn is None:
                raise unsupported_error("listing pools", "plsm_pool_list_json")
            if fn(ptr, self._bufref, self._errref) != 0:
                raise self._error()
            pools: list[dict[str, Any]] = json.loads(self._take_buf())["pools"]
            return pools

    def pool_info(self, pool_ref: str) -> dict[str, Any]:
        """Pool.info() of the pool, opened for the purpose."""
        with self.open_pool(pool_ref) as pool:
            info: dict[str, Any] = pool.info()
            return info

    def delete_pool(self, pool_ref: str) -> None:
        """Deletes the pool file; NotFoundError (with path) if there is none. Handles
        already open keep reading their copy."""
        with self._lock:
            ptr = self._live()
            ref = _pool_ref(pool_ref)
            fn = self._lib.optional.get("plsm_pool_delete")
            if fn is None:
                raise unsupported_error("deleting pools", "plsm_pool_delete")
            if fn(ptr, ref, self._errref) != 0:
                raise self._error()



class RemoteClient(Client):
    """The pools a Plasmite server (``plasmite serve``) shares at origin,
    ``http://host[:port]``, with the same Pool and stream API as a local Client.

    Plain http:// is for the local machine only; other hosts need https:// and an
    access key (not yet supported by this library). request_timeout_ms bounds each
    request (default 30 s; streams have no bound of their own); max_response_bytes caps a
    response (default 256 MiB). ``Client("http://…")`` makes one too."""

    def __init__(
        self,
        origin: str,
        *,
        access_key: Optional[str] = None,
        request_timeout_ms: Optional[int] = None,
        max_response_bytes: Optional[int] = None,
    ) -> None:
        self._ptr = None
        if not _is_origin(origin):
            raise ValueError("origin must be an http:// or https:// URL")
        options = plsm_remote_options_t()
        options.struct_size = sizeof(plsm_remote_options_t)
        options.request_timeout_ms = optional_u64(request_timeout_ms, "request_timeout_ms") or 0
        options.max_response_bytes = optional_u64(max_response_bytes, "max_response_bytes") or 0
        key = None if access_key is None else encode_text(access_key, "access_key")
        options.access_key = key
        encoded = encode_text(origin, "origin")
        lib = _ffi.lib()
        Handle.__init__(self, lib, None)
        fn = lib.optional.get("plsm_remote_client_new")
        if fn is None:
            raise unsupported_error("remote pools (http:// origins)", "plsm_remote_client_new")
        out = c_void_p()
        if fn(encoded, byref(options), byref(out), self._errref) != 0:
            raise self._error()
        self._ptr = out
        self.origin = origin
        self.pool_dir = None

