"""papers/odd.md stays true to the code: its parameter table and its submodels."""

from __future__ import annotations

from pathlib import Path

from loyaltysim import Scenario, submodels
from loyaltysim.policies import DIMENSIONS, registered_rules, rule_parameter_specs

ODD = (Path(__file__).resolve().parents[1] / "papers" / "odd.md").read_text()


def test_parameter_table_matches_the_code():
    for s in Scenario.specs():
        cells = [f"`{s.name}`", repr(s.default), s.unit, s.accepts, s.meaning, s.source]
        row = "| " + " | ".join(map(str, cells)) + " |"
        assert row in ODD, f"papers/odd.md is stale for {s.name}: run python tools/odd_tables.py"


def test_rule_parameter_table_matches_the_code():
    for dimension in DIMENSIONS:
        assert f"`policy.{dimension}`" in ODD, dimension
        for rule_name, rule in registered_rules(dimension).items():
            for s in rule_parameter_specs(rule):
                cells = [
                    f"`policy.{s.name}` ({rule_name})",
                    repr(s.default),
                    s.unit,
                    s.accepts,
                    s.meaning,
                    s.source,
                ]
                row = "| " + " | ".join(map(str, cells)) + " |"
                stale = f"papers/odd.md is stale for policy.{s.name}: run tools/odd_tables.py"
                assert row in ODD, stale


def test_every_submodel_module_is_described():
    modules = [p.stem for p in Path(submodels.__file__).parent.glob("*.py") if p.stem != "__init__"]
    assert len(modules) == len(submodels.__doc__.split(":mod:")) - 1  # each listed there too
    for name in modules:
        assert f"submodels/{name}.py" in ODD, name
