"""`python -m plasmite --version` prints the package's and the library's versions; any
other arguments run the plasmite CLI."""

from __future__ import annotations

import sys


def version_text() -> str:
    from . import __version__
    from . import _ffi

    lines = [f"plasmite {__version__} (Python package)"]
    try:
        lib = _ffi.lib()
    except OSError as err:
        lines.append(f"libplasmite: {err}")
    else:
        if lib.version is None:
            lines.append(f"libplasmite (no version query; not this implementation's) {lib.path}")
        else:
            major, minor = lib.abi or (0, 0)
            lines.append(f"libplasmite {lib.version} (ABI {major}.{minor}) {lib.path}")
    return "\n".join(lines)


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        print(version_text())
        return
    from ._cli import run

    sys.exit(run("plasmite", sys.argv[1:]))


if __name__ == "__main__":
    main()
