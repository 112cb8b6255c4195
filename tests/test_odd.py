"""papers/odd.md stays true to the code: its parameter table and its submodels."""

from __future__ import annotations

from pathlib import Path

from loyaltysim import Scenario, submodels

ODD = (Path(__file__).resolve().parents[1] / "papers" / "odd.md").read_text()


def test_parameter_table_matches_the_code():
    for s in Scenario.specs():
        cells = [f"`{s.name}`", repr(s.default), s.unit, s.accepts, s.meaning, s.source]
        row = "| " + " | ".join(map(str, cells)) + " |"
        assert row in ODD, f"papers/odd.md section 8 is stale for {s.name}: regenerate it"


def test_every_submodel_module_is_described():
    modules = [p.stem for p in Path(submodels.__file__).parent.glob("*.py") if p.stem != "__init__"]
    assert len(modules) == 8
    for name in modules:
        assert f"submodels/{name}.py" in ODD, name
