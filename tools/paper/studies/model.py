"""The model study: the policy dimensions and their rules, from the code."""

from __future__ import annotations

from collections.abc import Callable

from loyaltysim.policies import DIMENSIONS
from paper.formatting import block, code, markdown_table
from paper.study import WORKERS, Output, Study, quiet


def make(workers: int = WORKERS, log: Callable[[str], None] = quiet) -> Output:
    """The policy dimensions and their rules (from ``loyaltysim.policies``)."""
    rows = []
    for dimension in DIMENSIONS.values():
        rules = [dimension.neutral] + [r for r in dimension.rules if r != dimension.neutral]
        rows.append(
            [
                code(dimension.name),
                ", ".join(map(code, rules)),
                dimension.summary,
                dimension.stories,
            ]
        )
    table = markdown_table(
        ["dimension", "rules (neutral first)", "the rule decides", "story"], rows
    )
    note = (
        "From the dimension records of `loyaltysim.policies.DIMENSIONS`; the stories are told in "
        "papers/stories.md, and each rule's parameters, defaults and sources are in papers/odd.md "
        "section 8."
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
