"""Fixtures of the binding's tests.

The tests use the package from this source tree (pyproject's pytest pythonpath) and the
library that PLASMITE_LIB_DIR names (`make test-python` points it at build/lib).
PLASMITE_BIN is our CLI and PLASMITE_REF the reference release 1.2.1 (.ref); tests that
need one of them skip without it, unless PLASMITE_REQUIRE_REF=1.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator, Optional

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
REPO_ROOT = PACKAGE_ROOT.parents[1]

if "PLASMITE_LIB_DIR" not in os.environ and (REPO_ROOT / "build" / "lib" / "libplasmite.so").exists():
    os.environ["PLASMITE_LIB_DIR"] = str(REPO_ROOT / "build" / "lib")

import plasmite  # noqa: E402


def _existing(path: Optional[Path]) -> Optional[Path]:
    return path if path is not None and path.exists() else None


def _env_path(name: str, default: Path) -> Optional[Path]:
    value = os.environ.get(name)
    return _existing(Path(value) if value else default)


def require(what: str, path: Optional[Path]) -> Path:
    if path is None:
        if os.environ.get("PLASMITE_REQUIRE_REF") == "1":
            pytest.fail(f"{what} not found")
        pytest.skip(f"{what} not found")
    return path


@pytest.fixture(scope="session")
def plasmite_bin() -> Path:
    return require("our CLI (PLASMITE_BIN)", _env_path("PLASMITE_BIN", REPO_ROOT / "build" / "bin" / "plasmite"))


@pytest.fixture(scope="session")
def ref_dir() -> Path:
    """The reference release: bin/plasmite, lib/libplasmite.so, python/ (its package)."""
    ref = require("the reference release (PLASMITE_REF)", _env_path("PLASMITE_REF", REPO_ROOT / ".ref"))
    require("the reference's Python package", _existing(ref / "python" / "plasmite"))
    return ref.resolve()


@pytest.fixture
def pool_dir(tmp_path: Path) -> Path:
    return tmp_path / "pools"


@pytest.fixture
def client(pool_dir: Path) -> Iterator[plasmite.Client]:
    with plasmite.Client(str(pool_dir)) as c:
        yield c


@pytest.fixture
def pool(client: plasmite.Client) -> Iterator[plasmite.Pool]:
    with client.create_pool("test", 1024 * 1024) as p:
        yield p


def fill_past(pool: plasmite.Pool, seq: int) -> None:
    """Appends until message seq is overwritten."""
    for n in range(10_000):
        pool.append({"n": n, "padding": "x" * 4096}, ["drop"])
        try:
            pool.get(seq)
        except plasmite.NotFoundError:
            return
    raise AssertionError(f"pool kept message {seq}")


def run_python(code: str, *, env: Optional[dict[str, Optional[str]]] = None, timeout: float = 60,
               path: Optional[Path] = None, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    """Runs code in a new interpreter with the package at path (default: ours) first on
    sys.path; env entries set to None are removed."""
    full_env = {**os.environ, **(env or {})}
    for name in [k for k, v in full_env.items() if v is None]:
        del full_env[name]
    full_env["PYTHONPATH"] = str(path or PACKAGE_ROOT)
    full_env["PYTHONDONTWRITEBYTECODE"] = "1"
    kwargs.setdefault("cwd", str(path or PACKAGE_ROOT))  # sys.path[0] is the cwd
    done = subprocess.run([sys.executable, "-c", code], env=full_env, capture_output=True,
                          text=True, timeout=timeout, **kwargs)
    if check and done.returncode != 0:
        raise AssertionError(f"child failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done
