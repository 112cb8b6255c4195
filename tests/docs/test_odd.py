"""papers/odd.md stays true to the code: its parameter table and its submodels."""

from __future__ import annotations

from pathlib import Path

import odd_tables
from loyaltysim import Scenario, submodels
from loyaltysim.policies import DIMENSIONS

ROOT = Path(__file__).resolve().parents[2]
ODD = (ROOT / "papers" / "odd.md").read_text()


def test_parameter_tables_match_the_code():
    assert odd_tables.regenerate(ODD) == ODD, "papers/odd.md is stale: run tools/odd_tables.py"


def test_every_parameter_and_policy_dimension_is_in_the_tables():
    for s in Scenario.specs():
        assert f"| `{s.name}` | {s.default!r} |" in ODD, s.name
    for dimension in DIMENSIONS:
        assert f"| `policy.{dimension}` |" in ODD, dimension


def test_every_submodel_module_is_described():
    modules = [p.stem for p in Path(submodels.__file__).parent.glob("*.py") if p.stem != "__init__"]
    assert len(modules) == len(submodels.__doc__.split(":mod:")) - 1  # each listed there too
    for name in modules:
        assert f"submodels/{name}.py" in ODD, name
