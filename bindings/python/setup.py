"""Bundles libplasmite and the plasmite CLI into the package (plasmite/_native/), and tags
the wheel for the platform they were built for (py3-none-<platform>: the package itself
is pure Python over ctypes, so any Python 3.10+ of that platform can use it).

Where the native files come from, in order:
  1. $PLASMITE_SDK_DIR/lib and $PLASMITE_SDK_DIR/bin (an SDK or `make install` prefix);
  2. this repository's build/lib and build/bin (`make`); when they are missing and the
     repository's Makefile is here, `make` is run first (it needs Go and a C compiler).
Building without them fails, rather than making a wheel that cannot load its library.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def _native_names() -> tuple[str, str]:
    if sys.platform == "darwin":
        return "libplasmite.dylib", "plasmite"
    if sys.platform == "win32":
        return "plasmite.dll", "plasmite.exe"
    return "libplasmite.so", "plasmite"


def native_files() -> list[Path]:
    lib_name, cli_name = _native_names()
    sdk = os.environ.get("PLASMITE_SDK_DIR")
    if sdk:
        files = [Path(sdk) / "lib" / lib_name, Path(sdk) / "bin" / cli_name]
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            raise SystemExit(f"PLASMITE_SDK_DIR lacks {', '.join(missing)}")
        return files
    files = [REPO / "build" / "lib" / lib_name, REPO / "build" / "bin" / cli_name]
    if not all(f.is_file() for f in files) and (REPO / "Makefile").is_file():
        print(f"building libplasmite and the CLI: make -C {REPO} cli lib", file=sys.stderr)
        subprocess.run(["make", "-C", str(REPO), "cli", "lib"], check=True)
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise SystemExit(
            f"native files not found: {', '.join(missing)}; run `make` in the repository "
            "or set PLASMITE_SDK_DIR to a directory with lib/ and bin/"
        )
    return files


class BuildPyWithNative(build_py):
    """Copies the library and the CLI into plasmite/_native/ of the build."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "plasmite" / "_native"
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for source in native_files():
            dest = target / source.name
            shutil.copyfile(source, dest)
            dest.chmod(0o755)


class PlatformWheel(bdist_wheel):
    """A platform wheel (native files inside) usable by every Python 3 of the platform."""

    def finalize_options(self) -> None:
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self) -> tuple[str, str, str]:
        _python, _abi, platform = super().get_tag()
        return "py3", "none", platform


setup(cmdclass={"build_py": BuildPyWithNative, "bdist_wheel": PlatformWheel})
