"""The shared conformance manifests pass through the Python binding (conformance.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import conformance
from conftest import REPO_ROOT

SHARED = Path(os.environ.get("PLASMITE_SHARED") or REPO_ROOT.parent / "shared")
MANIFESTS = sorted((SHARED / "conformance").glob("*.json"))


def test_manifests_found():
    assert len(MANIFESTS) >= 5, f"conformance manifests not found under {SHARED}"


@pytest.mark.parametrize("manifest", MANIFESTS, ids=[m.stem for m in MANIFESTS])
def test_manifest(manifest, tmp_path, plasmite_bin, monkeypatch):
    monkeypatch.setenv("PLASMITE_BIN", str(plasmite_bin))
    copy = tmp_path / manifest.name  # the workdir is made beside the manifest
    shutil.copyfile(manifest, copy)
    assert conformance.main(["conformance.py", str(copy)]) == 0


def test_runner_reports_the_failing_step(tmp_path):
    manifest = tmp_path / "bad.json"
    manifest.write_text(
        '{"conformance_version":0,"steps":[{"op":"create_pool","pool":"a"},'
        '{"op":"get","id":"wrong","pool":"a","input":{"seq":1},"expect":{"data":{}}}]}'
    )
    with pytest.raises(conformance.StepFailure, match=r"^step 1 \(wrong\): unexpected error: NotFound"):
        conformance.Runner(manifest).run()
