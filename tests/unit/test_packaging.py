"""The set-up: an interpreter found (tools/find-python), and recent enough."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_find_python_prints_an_interpreter_of_at_least_3_12():
    out = subprocess.run(
        ["sh", str(ROOT / "tools" / "find-python")], capture_output=True, text=True, check=True
    ).stdout.strip()
    version = subprocess.run(
        [out, "-c", "import sys; print(sys.version_info[:2] >= (3, 12))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert version == "True"


def test_find_python_explains_what_to_install_when_none_is_found(tmp_path):
    fixed = [Path(f"{d}/python3.{v}") for d in ("/usr/local/bin", "/usr/bin") for v in (12, 13)]
    if any(p.exists() for p in fixed):
        pytest.skip("a system-wide Python >= 3.12 is installed here")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "cat").symlink_to(shutil.which("cat"))
    result = subprocess.run(
        ["/bin/sh", str(ROOT / "tools" / "find-python")],
        capture_output=True,
        text=True,
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
    )
    assert result.returncode == 1
    assert "Python >= 3.12" in result.stderr and "apt-get install" in result.stderr


def test_running_interpreter_is_recent_enough():
    assert sys.version_info >= (3, 12)
