"""The README's Python examples run as written; the example scenario file is valid."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import loyaltysim as ls

ROOT = Path(__file__).resolve().parents[2]


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
    for path in (ROOT / "examples").glob("*.toml"):
        scenario_table, policy_table = ls.scenario.load_scenario_file(path)
        ls.Scenario.from_dict(scenario_table)
        ls.Policy.from_spec(policy_table)
