"""A results folder under faults: kills at any moment, two sweeps on one folder, damaged
files, a full disk, plug-ins left unimported. Nothing finished is lost, no file needs to be
deleted by hand, and what cannot go on is refused in one line."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from loyaltysim.errors import OutputError, ParameterError
from loyaltysim.experiments import Experiment, sweep
from loyaltysim.experiments.analysis import Results
from loyaltysim.experiments.store import read_parts
from tests.helpers import cli, tiny
from tests.system.test_sweeps import SLOW, runs_of


def toml_value(value) -> str:
    """A value of an experiment's definition in TOML (strings, numbers, lists, tables)."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return json.dumps(value)


def experiment_file(folder: Path, experiment: Experiment) -> Path:
    """The experiment as a TOML file, for the command (the same fingerprint)."""
    path = folder / "experiment.toml"
    path.write_text(
        "".join(
            f"[{table}]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in values.items())
            for table, values in experiment.to_dict().items()
        )
    )
    assert Experiment.from_toml(path).fingerprint == experiment.fingerprint
    return path


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Experiment, pd.DataFrame, pd.DataFrame]:
    """A tiny experiment that keeps months, swept once without faults: its runs and months."""
    experiment = tiny(monthly_every=3)
    folder = tmp_path_factory.mktemp("clean")
    sweep(experiment, folder, progress=False)
    names = [p.name for p in experiment.policies]
    return experiment, runs_of(folder, experiment), read_parts(folder / "monthly", names)


def assert_same_results(folder: Path, clean) -> None:
    experiment, runs, monthly = clean
    pd.testing.assert_frame_equal(runs_of(folder, experiment), runs)
    names = [p.name for p in experiment.policies]
    pd.testing.assert_frame_equal(read_parts(folder / "monthly", names), monthly)


# --- a kill at any moment ----------------------------------------------------------------
@pytest.mark.parametrize(
    "leftovers",
    [
        {".metadata.json.k2j3h4g5.json": '{"format": 2, "fingerp'},  # killed writing it
        {".lock": "", "points.parquet": "not yet", "runs/": None},  # the old order's leftovers
        {".lock": '{"pid": 1}', ".points.parquet.abcd1234.parquet": "PAR1", "monthly/": None},
        {".loyaltysim-probe-x1y2z3": "\0"},  # killed while checking the folder
    ],
)
def test_a_kill_during_set_up_leaves_a_folder_the_same_command_resumes(tmp_path, clean, leftovers):
    folder = tmp_path / "out"
    folder.mkdir()
    for name, text in leftovers.items():
        if text is None:
            (folder / name).mkdir()
        else:
            (folder / name).write_text(text)
    sweep(clean[0], folder, progress=False)
    assert_same_results(folder, clean)
    assert sorted(p.name for p in folder.iterdir()) == [
        ".lock",
        "metadata.json",
        "monthly",
        "points.parquet",
        "runs",
    ]


@pytest.mark.slow
def test_kills_at_any_moment_lose_nothing_and_need_no_file_deleted(tmp_path):
    path = tmp_path / "slow.toml"
    path.write_text(SLOW)
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "loyaltysim", "sweep", str(path), "--no-progress"]
    for delay in (0.3, 0.6, 1.0, 1.5, 2.5, None):  # while it starts, sets up, and runs
        process = subprocess.Popen([*command, "--out", str(out)], stderr=subprocess.DEVNULL)
        if delay is None:  # the last, once results are being written
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not list(out.glob("runs/p*.parquet")):
                time.sleep(0.05)
        else:
            time.sleep(delay)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    finished = len(list(out.glob("runs/p*.parquet")))
    resumed = subprocess.run(
        [*command, "--out", str(out)], capture_output=True, text=True, check=True
    )
    assert f"{24 - finished} tasks run, {finished} already done" in resumed.stdout
    subprocess.run([*command, "--out", str(tmp_path / "whole")], check=True, capture_output=True)
    experiment = Experiment.from_toml(path)
    pd.testing.assert_frame_equal(runs_of(out, experiment), runs_of(tmp_path / "whole", experiment))
    assert not [p for p in out.rglob(".*") if p.name != ".lock"]  # no temporary file is left


# --- two sweeps on one folder ------------------------------------------------------------
@pytest.mark.slow
def test_a_second_sweep_on_a_running_folder_is_refused_and_the_first_finishes(tmp_path, capsys):
    path = tmp_path / "slow.toml"
    path.write_text(SLOW)
    out = tmp_path / "shared"
    first = subprocess.Popen(
        [sys.executable, "-m", "loyaltysim", "sweep", str(path), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list((out / "runs").glob("p*.parquet")):
        time.sleep(0.05)
    for options in ((), ("--overwrite",)):
        status, text, err = cli(capsys, "sweep", str(path), "--out", str(out), *options)
        assert status == 2 and text == ""
        assert "no other sweep is writing" in err and f"process {first.pid}" in err
        assert len(err.strip().splitlines()) == 1
    output, _ = first.communicate(timeout=300)
    assert first.returncode == 0 and "24 tasks run, 0 already done" in output
    assert len(list((out / "runs").glob("p*.parquet"))) == 24


# --- damaged files -----------------------------------------------------------------------
def test_damaged_result_files_are_named_by_report_and_run_again_by_sweep(tmp_path, capsys, clean):
    experiment = clean[0]
    folder = tmp_path / "out"
    sweep(experiment, folder, progress=False)
    runs = sorted((folder / "runs").glob("p*.parquet"))
    runs[0].write_bytes(runs[0].read_bytes()[:100])  # truncated
    runs[1].write_bytes(b"")  # emptied
    monthly = sorted((folder / "monthly").glob("p*.parquet"))
    monthly[2].write_bytes(b"PAR1 garbage PAR1")
    (folder / "runs" / f"{runs[3].stem} (copy).parquet").write_bytes(runs[3].read_bytes())
    runs[4].rename(runs[4].with_name(runs[5].name[:14] + runs[4].name[14:]))  # another task's
    (folder / "points.parquet").write_text("garbage")

    status, text, err = cli(capsys, "report", str(folder))
    assert status == 2 and text == ""
    assert "damaged" in err and "runs/p000000-r0000-" in err and "and 2 more" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err

    summary = sweep(experiment, folder, progress=False)
    assert (summary.ran, summary.damaged) == (4, 4)
    assert "4 damaged result files removed, their tasks run again" in str(summary)
    assert_same_results(folder, clean)
    assert (folder / "runs" / f"{runs[3].stem} (copy).parquet").exists()  # ignored, kept
    results = Results.load(folder)
    assert len(results.runs) == 4 * 3 * 2 and len(results.points) == 4
    status, text, _ = cli(capsys, "report", str(folder))
    assert status == 0 and "tasks finished: 12 of 12" in text


@pytest.mark.parametrize(
    "damage",
    ['{"format": 2, "fingerprint": "ab', "[1, 2]", '{"format": 2, "name": "x"}', ""],
)
def test_a_damaged_metadata_file_is_written_again_and_keeps_the_finished_runs(
    tmp_path, capsys, clean, damage
):
    experiment = clean[0]
    folder = tmp_path / "out"
    sweep(experiment, folder, progress=False)
    (folder / "metadata.json").write_text(damage)
    status, _, err = cli(capsys, "report", str(folder))
    assert status == 2 and "metadata.json is damaged" in err and "run the same" in err
    assert len(err.strip().splitlines()) == 1

    assert sweep(experiment, folder, progress=False).ran == 0  # recognised by its files
    assert json.loads((folder / "metadata.json").read_text())["fingerprint"] == (
        experiment.fingerprint
    )
    assert_same_results(folder, clean)

    (folder / "metadata.json").write_text(damage)
    other = tiny(replications=2)
    with pytest.raises(ParameterError, match="none of its result files is this experiment's"):
        sweep(other, folder, progress=False)
    summary = sweep(other, folder, progress=False, overwrite=True)
    assert (summary.skipped, summary.ran) == (0, 4 * 2)


def test_a_folder_of_an_older_format_is_refused_until_overwritten(tmp_path):
    experiment = tiny()
    sweep(experiment, tmp_path, progress=False)
    meta = json.loads((tmp_path / "metadata.json").read_text())
    del meta["format"]
    (tmp_path / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ParameterError, match="older loyaltysim"):
        Results.load(tmp_path)
    with pytest.raises(ParameterError, match="older loyaltysim"):
        sweep(experiment, tmp_path, progress=False)
    assert sweep(experiment, tmp_path, progress=False, overwrite=True).ran == 12


def test_a_folder_swept_past_the_run_limit_is_read(tmp_path, monkeypatch):
    sweep(tiny(max_runs=24), tmp_path, progress=False)
    monkeypatch.setattr("loyaltysim.experiments.analysis.MAX_RUNS", 10)  # today's limit is lower
    assert len(Results.load(tmp_path).runs) == 24


def test_a_folder_with_other_files_is_never_cleared(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    for overwrite in (False, True):
        with pytest.raises(ParameterError, match=r"it holds other files \('notes.txt'\)"):
            sweep(tiny(), tmp_path, progress=False, overwrite=overwrite)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # no lock file either


# --- a full disk ---------------------------------------------------------------------------
def test_a_full_disk_during_a_sweep_keeps_the_finished_tasks(tmp_path, capsys, monkeypatch, clean):
    import loyaltysim.experiments.store as store

    experiment = clean[0]
    folder = tmp_path / "out"
    written = []
    original = store.write_atomic

    def write_until_full(path, write):
        if len(written) >= 5 and "/runs/" in str(path):
            raise OutputError(f"cannot write {path}: {os.strerror(errno.ENOSPC)}")
        written.append(path)
        original(path, write)

    monkeypatch.setattr(store, "write_atomic", write_until_full)
    status, _, err = cli(
        capsys,
        "sweep",
        str(experiment_file(tmp_path, experiment)),
        "--out",
        str(folder),
        "--no-progress",
    )
    assert status == 2 and "No space left on device" in err and "run the same command" in err
    assert len(err.strip().splitlines()) == 2  # the design, then the one error line
    monkeypatch.undo()
    summary = sweep(experiment, folder, progress=False)
    assert summary.skipped > 0 and summary.skipped + summary.ran == 12
    assert_same_results(folder, clean)


# --- plug-ins in a results folder ------------------------------------------------------------
PLUGIN = """
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from loyaltysim.policies import ClaimsRule

Path(__file__).with_suffix(".imported").write_text("its code ran")


@dataclass(frozen=True)
class PayAll(ClaimsRule):
    name = "pay_all"

    def verify(self, claims, population):
        return np.zeros(len(claims), dtype=bool)
"""


def test_report_reads_a_folder_without_importing_its_plug_ins(tmp_path, capsys, monkeypatch):
    from loyaltysim.policies import Policy

    (tmp_path / "plugin_rule.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    plugged = Policy.from_spec({"claims": "plugin_rule:PayAll", "name": "pay_all"})
    experiment = tiny(policies=("always_compensate", plugged))
    sweep(experiment, tmp_path / "out", progress=False)
    marker = tmp_path / "plugin_rule.imported"
    marker.unlink()
    monkeypatch.delitem(sys.modules, "plugin_rule")

    status, text, _ = cli(capsys, "report", str(tmp_path / "out"), "--no-plugins")
    assert status == 0 and not marker.exists()
    assert "plug-ins not imported: pay_all known by name only" in text
    assert "pay_all" in text and "tasks finished: 12 of 12" in text
    status, text, _ = cli(capsys, "report", str(tmp_path / "out"))
    assert status == 0 and marker.exists() and "plug-ins not imported" not in text


# --- the executor comes first ----------------------------------------------------------------
@pytest.mark.slow
def test_a_dead_scheduler_is_refused_and_leaves_no_files(tmp_path, capsys):
    path = experiment_file(tmp_path, tiny())
    out = tmp_path / "out"
    status, _, err = cli(
        capsys, "sweep", str(path), "--out", str(out), "--scheduler", "tcp://127.0.0.1:9"
    )
    assert status == 2 and "--scheduler: got 'tcp://127.0.0.1:9'" in err
    assert len(err.strip().splitlines()) == 1 and not out.exists()
