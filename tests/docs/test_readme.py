"""The README's Python examples run as written, its output blocks are what their commands
print today, and the example scenario files are valid."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

import loyaltysim as ls
from tests.helpers import cli

ROOT = Path(__file__).resolve().parents[2]

#: ``<!-- output of `COMMAND`...-->`` and the fenced block right after it.
OUTPUT_BLOCK = re.compile(r"<!-- output of `([^`]+)`([^>]*)-->\n```[a-z]*\n(.*?)```", re.S)

#: Output blocks that no test can repeat, and why.
UNREPEATABLE = {
    "python benchmarks/throughput.py": "timings of this machine",
    "python benchmarks/app_step.py": "timings of this machine",
    "python benchmarks/fit_coverage.py --datasets 20 --customers 1000 --months 24 "
    "--particles 50 --generations 3": "twenty fits, about half an hour",
    "python benchmarks/cdnow.py": "needs the cdnow extra, which make setup does not install",
    "loyaltysim search examples/searches/claims_front.toml --out search_claims --no-progress": (
        "160 runs on the default market, about two minutes"
    ),
}


def output_blocks() -> list[tuple[str, bool, str]]:
    """``(command, abridged, block)`` of every output block of the README."""
    text = (ROOT / "README.md").read_text()
    return [
        (command, "abridged" in note, block)
        for command, note, block in OUTPUT_BLOCK.findall(text)
        if command not in UNREPEATABLE
    ]


def test_every_output_block_names_its_command():
    text = (ROOT / "README.md").read_text()
    fenced_output = text.count("<!-- output of ")
    assert fenced_output == len(output_blocks()) + len(UNREPEATABLE)
    assert len(output_blocks()) >= 4


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "abridged", "block"), output_blocks(), ids=[c for c, *_ in output_blocks()]
)
def test_an_output_block_is_what_its_command_prints(
    command, abridged, block, capsys, tmp_path, monkeypatch
):
    """The command runs in-process in an empty folder that sees the repository's examples;
    a prompt line (``$ ...``) is not output; an abridged block is a run of the output's lines;
    a failing command's block is its error."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    words = shlex.split(command)
    assert words[0] == "loyaltysim"
    status, out, err = cli(capsys, *words[1:])
    # what the command prints: its output, or its one-line error (progress goes to stderr too)
    printed = (out if status == 0 else err).strip("\n").splitlines()
    expected = [line for line in block.strip("\n").splitlines() if not line.startswith("$ ")]
    if abridged:
        start = printed.index(expected[0]) if expected[0] in printed else -1
        assert start >= 0 and printed[start : start + len(expected)] == expected, "\n".join(printed)
    else:
        assert printed == expected


@pytest.mark.slow
def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert len(blocks) >= 2
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["result"].summary["npv_usd"] > 0
    assert "threshold" in namespace["comparison"].policies


def test_example_scenario_file_is_valid():
    """Every example is a valid scenario file, but the KPI file, a valid KPI file."""
    from loyaltysim.fitting import read_kpis

    for path in (ROOT / "examples").glob("*.toml"):
        if path.name == "kpis.toml":
            assert read_kpis(path).given()
            continue
        scenario_table, policy_table = ls.scenario.load_scenario_file(path)
        ls.Scenario.from_dict(scenario_table)
        ls.Policy.from_spec(policy_table)
