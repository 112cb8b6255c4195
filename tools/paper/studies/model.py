"""The model study: the policy dimensions and their rules, from the code."""

from __future__ import annotations

from collections.abc import Callable

from loyaltysim.policies import DIMENSION_SEEDS, DIMENSIONS, registered_rules
from paper.formatting import block, code, markdown_table
from paper.study import WORKERS, Output, Study, quiet


def make(workers: int = WORKERS, log: Callable[[str], None] = quiet) -> Output:
    """The policy dimensions and their rules (from ``loyaltysim.policies``)."""
    rows = []
    for dimension, (base, default) in DIMENSIONS.items():
        rules = [default.name] + [r for r in registered_rules(dimension) if r != default.name]
        decides = (base.__doc__ or "").strip().splitlines()[0]
        rows.append(
            [code(dimension), ", ".join(map(code, rules)), decides, DIMENSION_SEEDS[dimension]]
        )
    table = markdown_table(
        ["dimension", "rules (neutral first)", "the rule decides", "story"], rows
    )
    note = (
        "From `loyaltysim.policies.DIMENSIONS` and the rule registry; each rule's parameters, "
        "defaults and sources are in papers/odd.md section 8."
    )
    return Output(
        tables={"dimensions": block(table, note)},
        values={"dimensions_count": str(len(DIMENSIONS))},
    )


STUDY = Study(
    "model",
    "the policy dimensions, from the code",
    make,
    tables=("dimensions",),
    values=("dimensions_count",),
)
