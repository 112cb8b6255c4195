"""Exports and progress: --xlsx wherever --csv is, progress lines in a log, the sweep summary."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from loyaltysim.experiments.execution import (
    ProgressLines,
    SweepSummary,
    progress_bar,
    workers_phrase,
)
from tests.helpers import cli

SMALL = ["--set", "n_customers=300", "--set", "horizon_months=4", "--seed", "3"]

COMMANDS = {
    "run": ["run", *SMALL],
    "compare": ["compare", *SMALL, "--replications", "2", "--no-progress"],
    "case": ["case", "tennis_racket", *SMALL, "--replications", "2", "--no-progress"],
    "calibrate": ["calibrate", *SMALL, "--replications", "1"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_xlsx_holds_what_the_csv_holds(command, capsys, tmp_path):
    csv, xlsx = tmp_path / "table.csv", tmp_path / "out" / "table.xlsx"
    status, out, _ = cli(capsys, *COMMANDS[command], "--csv", str(csv), "--xlsx", str(xlsx))
    assert status == 0
    assert f"workbook written to {xlsx}" in out and f"table written to {csv}" in out
    from_csv, from_xlsx = pd.read_csv(csv), pd.read_excel(xlsx, sheet_name=command)
    assert list(from_xlsx.columns) == list(from_csv.columns)
    assert len(from_xlsx) == len(from_csv) > 0
    numbers = from_csv.select_dtypes("number").columns
    pd.testing.assert_frame_equal(
        from_xlsx[numbers].astype(float), from_csv[numbers].astype(float), check_exact=False
    )
    assert not list(xlsx.parent.glob(".*"))  # no temporary file left behind


def test_every_command_with_csv_has_xlsx():
    from loyaltysim.cli.parser import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():
        options = {o for a in command._actions for o in a.option_strings}
        assert ("--csv" in options) == ("--xlsx" in options), name


def test_a_bad_xlsx_path_is_one_line_and_nothing_runs(capsys, tmp_path):
    status, out, err = cli(capsys, *COMMANDS["run"], "--xlsx", str(tmp_path / "table.xls"))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "--xlsx" in err and ".xlsx" in err
    assert not list(tmp_path.iterdir())


def test_progress_lines_come_every_few_seconds(capsys):
    now = [0.0]
    lines = ProgressLines(10, 0, "grid", interval=5.0, clock=lambda: now[0])
    for _ in range(10):  # a task every 2 s: a line at 6, 12 and 18 s
        now[0] += 2.0
        lines.update()
    printed = capsys.readouterr().err.splitlines()
    assert printed == [
        "grid: 3/10 tasks (30%), 6 s",
        "grid: 6/10 tasks (60%), 12 s",
        "grid: 9/10 tasks (90%), 18 s",
    ]


def test_a_short_run_prints_no_progress_line(capsys):
    lines = ProgressLines(3, 0, "quick", interval=60.0)
    for _ in range(3):
        lines.update()
    lines.close()
    assert capsys.readouterr().err == ""


def test_a_long_run_ends_with_a_complete_line(capsys):
    lines = ProgressLines(4, 1, "long", interval=0.0)
    lines.set_postfix(failed=0)
    for _ in range(3):
        lines.update()
    lines.close()
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("long: 4/4 tasks (100%), ") and last.endswith("failed=0")


def test_output_that_is_not_a_terminal_gets_lines_not_a_bar():
    bar = progress_bar(5, 0, "piped", show=True)  # pytest's stderr is not a terminal
    assert isinstance(bar, ProgressLines)
    assert progress_bar(5, 0, "hidden", show=False) is None


@pytest.mark.parametrize(
    ("executor", "workers", "words"),
    [
        ("sequential", 1, "in this process"),
        ("processes", 2, "on 2 worker processes"),
        ("processes", 1, "on 1 worker process"),
        ("dask", 3, "on 3 Dask workers"),
    ],
)
def test_the_sweep_summary_says_where_it_ran(executor, workers, words):
    assert workers_phrase(executor, workers) == words
    summary = SweepSummary(Path("out"), 4, 0, 4, 0, 2.0, executor, workers)
    assert f"2.0 s {words} (2.00 tasks/s)" in str(summary)
    assert "worker(s)" not in str(summary)
