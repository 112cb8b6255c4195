"""Files written whole (loyaltysim._io)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from loyaltysim._io import write_atomic


def test_a_file_written_whole_gets_the_permissions_of_a_plain_open(tmp_path):
    mask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "table.csv", lambda p: Path(p).write_text("a,b\n"))
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "table.csv").stat().st_mode) == 0o644
