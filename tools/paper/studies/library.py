"""The library study: each case's question, market, policies and story's answer, from the code."""

from __future__ import annotations

from collections.abc import Callable

import loyaltysim as ls
from paper.formatting import block, code, markdown_table, market, rule_changes
from paper.study import WORKERS, Output, Study, quiet


def make(workers: int = WORKERS, log: Callable[[str], None] = quiet) -> Output:
    """The case library: question, market, policies and the story's answer of each case."""
    rows, mechanisms = [], []
    for name, case in ls.CASES.items():
        baseline = case.policies[0]
        policies = [code(baseline.name)] + [
            f"{code(p.name)} ({rule_changes(p, baseline)})" for p in case.policies[1:]
        ]
        rows.append(
            [
                code(name),
                case.story,
                case.question,
                market(dict(case.changes)),
                ", ".join(policies),
                code(case.story_answer),
            ]
        )
        mechanisms.append(f"- **{code(name)}** — {case.mechanism}")
    table = markdown_table(
        ["case", "story", "question", "market", "policies (baseline first)", "story's answer"],
        rows,
    )
    note = "From `loyaltysim.cases.CASES` (`loyaltysim case --list`)."
    return Output(
        tables={"case_library": block(table, note), "case_mechanisms": "\n".join(mechanisms)},
        values={"cases_count": str(len(ls.CASES))},
    )


STUDY = Study(
    "library",
    "the case library's questions, from the code",
    make,
    tables=("case_library", "case_mechanisms"),
    values=("cases_count",),
)
