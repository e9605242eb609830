"""The wheel: built from this tree, platform-tagged, bundling libplasmite and the CLI;
installed into a fresh virtual environment, `import plasmite` and the console scripts
work there with nothing else on the machine's paths."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import PACKAGE_ROOT


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PLASMITE_LIB_DIR", "PYTHONPATH", "LD_LIBRARY_PATH", "VIRTUAL_ENV")}
    env["PATH"] = "/usr/bin:/bin"
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    pytest.importorskip("setuptools")
    pytest.importorskip("wheel")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(PACKAGE_ROOT)],
        check=True, capture_output=True, text=True,
    )
    (built,) = out.glob("plasmite-*.whl")
    return built


def test_wheel_is_platform_tagged_and_bundles_native_files(wheel):
    assert wheel.name.endswith(".whl") and "-py3-none-" in wheel.name
    assert not wheel.name.endswith("-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.endswith("plasmite/_native/libplasmite.so") for n in names)
    assert any(n.endswith("plasmite/_native/plasmite") for n in names)
    assert any(n.endswith("plasmite/py.typed") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    scripts = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "plasmite = plasmite._cli:main" in scripts and "pls = plasmite._cli:main_pls" in scripts


def test_wheel_installs_and_works_in_a_fresh_venv(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, env=_clean_env())
    py, bindir = venv / "bin" / "python", venv / "bin"
    # This interpreter's pip installs into the new environment (no pip copied there).
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True, env=_clean_env(), capture_output=True)
    pools = tmp_path / "pools"
    env = _clean_env(HOME=str(tmp_path))
    code = (
        "import plasmite, sys\n"
        "info = plasmite.library_version()\n"
        "assert '/site-packages/plasmite/_native/' in info['path'], info\n"
        f"with plasmite.Client({str(pools)!r}) as c, c.pool('w') as p:\n"
        "    print(p.append({'ok': True}).seq)\n"
    )
    done = subprocess.run([str(py), "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "1\n"), done.stderr
    version = subprocess.run([str(py), "-m", "plasmite", "--version"], env=env, cwd=tmp_path,
                             capture_output=True, text=True, check=True).stdout
    assert version.startswith("plasmite ") and "libplasmite " in version and "_native" in version
    for script in ("plasmite", "pls"):
        out = subprocess.run([str(bindir / script), "--version"], env=env, capture_output=True, text=True)
        assert out.returncode == 0 and out.stdout.strip(), (script, out.stderr)
    fetched = subprocess.run([str(bindir / "pls"), "--dir", str(pools), "fetch", "w", "1"], env=env,
                             capture_output=True, text=True)
    assert fetched.returncode == 0 and '"ok":true' in fetched.stdout.replace(" ", ""), fetched.stderr
    missing = subprocess.run([str(bindir / "plasmite"), "--dir", str(pools), "fetch", "nope", "1"],
                             env=env, capture_output=True, text=True)
    assert missing.returncode == 3  # NotFound: the CLI's own exit status comes through
