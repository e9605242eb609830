"""The `plasmite` and `pls` console scripts: run the CLI bundled in the wheel.

The launcher replaces itself with the native program (exec), so signals, the terminal
and the exit status are the program's own. Without a bundled program (a source install)
it runs a native `plasmite` found on PATH, never another Python launcher.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NoReturn, Optional

_NATIVE_MAGIC = (b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xca\xfe\xba\xbe", b"MZ")


def bundled_cli() -> Optional[Path]:
    name = "plasmite.exe" if os.name == "nt" else "plasmite"
    path = Path(__file__).resolve().parent / "_native" / name
    return path if path.is_file() else None


def _is_native(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4).startswith(_NATIVE_MAGIC)
    except OSError:
        return False


def _cli_on_path() -> Optional[Path]:
    myself = {Path(sys.argv[0]).resolve(), Path(sys.executable).resolve()}
    for directory in os.get_exec_path():
        found = shutil.which("plasmite", path=directory)
        if found and Path(found).resolve() not in myself and _is_native(Path(found)):
            return Path(found)
    return None


def run(name: str, args: list[str]) -> int:
    """Runs the CLI as `name` (the program tells plasmite and pls apart by argv[0])."""
    program = bundled_cli() or _cli_on_path()
    if program is None:
        print(
            "plasmite: the native CLI is not bundled with this install and none is on PATH; "
            "install a plasmite wheel, or build the CLI (make) and put build/bin on PATH",
            file=sys.stderr,
        )
        return 1
    if os.name == "posix":
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(str(program), [name, *args])
    return subprocess.run([str(program), *args], check=False).returncode


def main() -> NoReturn:
    sys.exit(run("plasmite", sys.argv[1:]))


def main_pls() -> NoReturn:
    sys.exit(run("pls", sys.argv[1:]))
