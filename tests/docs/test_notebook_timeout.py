"""A hung notebook cell fails the suite quickly: nbval's per-cell timeout, set where the
suite runs (the Makefile's ``test`` target, which CI runs)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_make_test_runs_the_notebooks_with_a_cell_timeout():
    makefile = (ROOT / "Makefile").read_text()
    target = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "--nbval-lax" in target and "--nbval-cell-timeout=$(NBVAL_CELL_TIMEOUT)" in target
    seconds = int(re.search(r"^NBVAL_CELL_TIMEOUT \?= (\d+)$", makefile, re.M).group(1))
    assert 60 <= seconds <= 600


@pytest.mark.slow
def test_a_cell_that_hangs_fails_at_the_timeout(tmp_path):
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": ["import time\n", "time.sleep(120)"],
            }
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "hangs.ipynb"
    path.write_text(json.dumps(notebook))
    start = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval-lax",
            "--nbval-cell-timeout=3",
            str(path),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=110,
    )
    assert done.returncode != 0, done.stdout
    assert time.monotonic() - start < 100  # well before the cell would have ended
    assert "Timeout" in done.stdout or "timed out" in done.stdout.lower(), done.stdout[-2000:]
