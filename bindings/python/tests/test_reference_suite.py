"""The reference's own Python tests (1.2.1, .ref/src/bindings/python/tests) against our
library: its package on our libplasmite, as its tests allow (PLASMITE_LIB_DIR first;
remote-1.2.1 §9.1). Only the UDP test may fail: there is no UDP transport here.

The tests run in a copy of the reference's tree (they write beside themselves)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

EXPECTED_FAILURES = {"test_udp_sdk_send_and_follow_against_server_process"}


def test_reference_python_suite_on_our_library(ref_dir, plasmite_bin, tmp_path):
    source = ref_dir / "src"
    if not (source / "bindings" / "python" / "tests").is_dir():
        pytest.skip("the reference's source tree is not in .ref/src")
    tree = tmp_path / "repo"
    shutil.copytree(source / "bindings" / "python", tree / "bindings" / "python",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(source / "conformance", tree / "conformance")
    lib_dir = os.environ["PLASMITE_LIB_DIR"]
    env = {**os.environ, "PLASMITE_LIB_DIR": lib_dir, "PLASMITE_BIN": str(plasmite_bin),
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": ""}

    def unittest(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "unittest", "discover", "-v", *args],
            cwd=tree / "bindings" / "python", env=env, capture_output=True, text=True, timeout=600,
        ).stderr

    report = unittest("-s", "tests")
    ran = int(re.search(r"^Ran (\d+) tests?", report, re.M).group(1))
    failed = set(re.findall(r"^(?:FAIL|ERROR): (\w+) ", report, re.M))
    print(f"reference suite on our library: {ran - len(failed)}/{ran} passed; failed: {sorted(failed)}")
    assert ran >= 50
    # Some of its tests give a stream 50 ms from open to first read: on a loaded machine
    # that deadline can pass first (the reference library then ends the stream too). A
    # test that fails in the full run must pass when run again alone.
    for name in sorted(failed - EXPECTED_FAILURES):
        again = unittest("-s", "tests", "-k", name)
        assert re.search(r"^Ran [1-9]", again, re.M) and re.search(r"^OK", again, re.M), (
            report[-4000:] + "\n--- run alone:\n" + again[-2000:])
