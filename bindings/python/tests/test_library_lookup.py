"""Which libplasmite is used, and the package on a library without our extensions (the
reference's, chosen through PLASMITE_LIB_DIR as its tests do)."""

from __future__ import annotations

import json

from conftest import run_python


def test_import_does_not_load_the_library(tmp_path):
    code = (
        "import plasmite\n"
        "from plasmite import _ffi\n"
        "assert _ffi.loaded() is None\n"
        "try:\n"
        "    plasmite.Client('.')\n"
        "except OSError as err:\n"
        "    print(err)\n"
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    out = run_python(code, env={"PLASMITE_LIB_DIR": str(empty), "LD_LIBRARY_PATH": str(empty)}).stdout
    assert out.startswith("libplasmite not found; set PLASMITE_LIB_DIR")


def test_plasmite_lib_dir_comes_first(ref_dir):
    code = "import plasmite, json\nprint(json.dumps(plasmite.library_version()))\n"
    info = json.loads(run_python(code, env={"PLASMITE_LIB_DIR": str(ref_dir / "lib")}).stdout)
    assert info["path"] == str(ref_dir / "lib" / "libplasmite.so")
    assert info["version"] is None and info["abi"] is None  # the reference has no plsm_version


def test_our_package_on_the_reference_library(ref_dir, tmp_path):
    """Without bounded waits, batches, v2 options or admin calls, the package falls back
    to what the reference library offers, or says what is missing."""
    code = f"""
import json, plasmite
c = plasmite.Client({str(tmp_path)!r})
p = c.create_pool("fallback")
seqs = p.append_many([{{"i": i}} for i in range(4)], ["batch"])
p.append({{"i": 4}}, ["other"])
tagged = [m.seq for m in p.tail(since_seq=1, max_messages=2, timeout_ms=10_000, tags=["batch"])]
every = [m.seq for m in p.tail(since_seq=1, max_messages=5, timeout_ms=10_000)]
with p.open_stream(since_seq=1, timeout_ms=10_000) as s:
    batch = s.next_batch(3)
try:
    p.info()
except plasmite.UsageError as err:
    missing = str(err)
try:
    p.open_stream(tags=["x"])
except plasmite.UsageError as err:
    no_filter = str(err)
print(json.dumps({{"seqs": list(seqs), "tagged": tagged, "every": every, "batch": len(batch),
                  "missing": missing, "no_filter": no_filter}}))
"""
    out = json.loads(run_python(code, env={"PLASMITE_LIB_DIR": str(ref_dir / "lib")}).stdout)
    assert out["seqs"] == [1, 2, 3, 4]
    assert out["tagged"] == [1, 2] and out["every"] == [1, 2, 3, 4, 5]
    assert 1 <= out["batch"] <= 3
    assert "not supported by this library" in out["missing"] and "plsm_pool_info_json" in out["missing"]
    assert "version 2 stream options" in out["no_filter"]
