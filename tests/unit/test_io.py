"""Files in and out (loyaltysim._io): input read within a size limit, output paths checked
before work starts, files written whole or not at all."""

from __future__ import annotations

import errno
import os
import stat
import time
from pathlib import Path

import pytest

from loyaltysim._io import check_writable, read_toml, write_atomic
from loyaltysim.errors import OutputError, ParameterError, ScenarioFileError


def test_a_file_written_whole_gets_the_permissions_of_a_plain_open(tmp_path):
    mask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "table.csv", lambda p: Path(p).write_text("a,b\n"))
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "table.csv").stat().st_mode) == 0o644


# --- reading input ---------------------------------------------------------------------
def test_a_utf8_file_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf[scenario]\nn_customers = 300\n")
    assert read_toml(path, "scenario") == {"scenario": {"n_customers": 300}}


def test_a_file_past_the_size_limit_is_refused_after_reading_one_byte_more(monkeypatch):
    monkeypatch.setattr("loyaltysim._io.MAX_INPUT_BYTES", 1_000)
    start = time.perf_counter()
    with pytest.raises(ScenarioFileError, match=r"/dev/zero: larger than 1,000 bytes"):
        read_toml("/dev/zero", "scenario")  # endless: read only up to the limit
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe[scenario]", "not UTF-8 text"),
        (b"[scenario\n", "not valid TOML"),
    ],
)
def test_unreadable_files_are_one_line(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    with pytest.raises(ScenarioFileError, match=message) as info:
        read_toml(path, "scenario")
    assert "\n" not in str(info.value)
    with pytest.raises(ScenarioFileError, match="a folder, not a scenario file"):
        read_toml(tmp_path, "scenario")


# --- writing output ----------------------------------------------------------------------
def test_an_output_under_a_file_is_refused_before_any_work(tmp_path):
    (tmp_path / "some_file").write_text("x")
    with pytest.raises(ParameterError, match=r"--csv: .*some_file is a file"):
        check_writable("--csv", tmp_path / "some_file" / "x.csv")
    with pytest.raises(ParameterError, match="a file path, not a folder"):
        check_writable("--csv", tmp_path)
    with pytest.raises(ParameterError, match="a folder, not a file"):
        check_writable("--out", tmp_path / "some_file", folder=True)
    check_writable("--out", tmp_path / "new" / "deeper", folder=True)  # folders to create
    assert sorted(p.name for p in tmp_path.iterdir()) == ["some_file"]  # the probe is gone


def test_a_full_disk_is_found_by_the_probe(tmp_path, monkeypatch):
    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("loyaltysim._io.os.write", full)
    with pytest.raises(ParameterError, match="No space left on device"):
        check_writable("--figure", tmp_path / "figure.png")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_read_only_folder_is_refused(tmp_path):
    (tmp_path / "locked").mkdir(mode=0o555)
    with pytest.raises(ParameterError, match="Permission denied"):
        check_writable("--csv", tmp_path / "locked" / "x.csv")


def test_a_write_that_fails_is_one_line_and_leaves_nothing(tmp_path):
    def fill(path):
        Path(path).write_text("half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(OutputError, match=r"cannot write .*table.csv: No space left on device"):
        write_atomic(tmp_path / "table.csv", fill)
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(OutputError, match="a_file is in the way"):
        write_atomic(tmp_path / "a_file" / "x.csv", lambda p: Path(p).write_text("x"))
