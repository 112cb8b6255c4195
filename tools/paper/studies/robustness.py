"""The robustness study: where each case's verdict changes sign over its unsourced assumptions."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

import loyaltysim as ls
from loyaltysim.cases import Robustness
from loyaltysim.params import significant
from paper.formatting import block, code, listing, markdown_table, num
from paper.study import CASE_SEED, ROBUSTNESS_LEVELS, WORKERS, Output, Study, quiet


def make(
    workers: int = WORKERS,
    log: Callable[[str], None] = quiet,
    cases: Sequence[str] | None = None,
    levels: int = ROBUSTNESS_LEVELS,
    replications: int | None = None,
    market: Mapping[str, Any] | None = None,
) -> Output:
    """Scan every case's assumptions over their ranges: the switching value of each, or none.

    Args:
        workers: Worker processes of each scan.
        log: Where progress messages go.
        cases: The cases to scan (default: every case).
        levels: Evenly spaced levels of each assumption's range.
        replications: Paired replications (default: each case's own).
        market: Changes to every case's market (default: none; the tests shrink it).
    """
    scans: dict[str, Robustness] = {}
    for name in cases or list(ls.CASES):
        case = ls.get_case(name)
        start = time.perf_counter()
        scenario = case.scenario.replace(**market) if market else None
        scans[name] = case.robustness(
            levels=levels,
            replications=replications,
            rng=CASE_SEED,
            scenario=scenario,
            workers=workers,
        )
        log(f"    case {name}: {time.perf_counter() - start:.1f} s")
    rows, flipped = [], {}
    for name, scan in scans.items():
        switching = scan.switching()
        flips = switching.dropna(subset=["switching_value"])
        if not flips.empty:
            flipped[name] = [code(str(a)) for a in flips["assumption"].unique()]
        for i, (assumption, group) in enumerate(switching.groupby("assumption", sort=False)):
            first = group.iloc[0]
            rows.append(
                [
                    code(name) if i == 0 else "",
                    _verdict(scan) if i == 0 else "",
                    code(str(assumption)),
                    f"{num(first['low'], None)} to {num(first['high'], None)} "
                    f"({num(first['market_value'], None)})",
                    _switching(group, scan.table(), str(assumption)),
                ]
            )
    first_scan = next(iter(scans.values()))
    reps = sorted({s.replications for s in scans.values()})
    sizes = sorted({s.scenario.n_customers for s in scans.values()})
    paired = (
        f"each case's own number of paired replications ({listing([str(r) for r in reps])})"
        if replications is None
        else f"{replications} paired replications"
    )
    design = (
        f"each assumption alone over {first_scan.levels} evenly spaced levels of its range "
        f"(and the case's own value), the others as in the case's market; {paired}, the same "
        f"seeds at every level (common random numbers), root seed {CASE_SEED}; "
        f"N = {listing([f'{n:,}' for n in sizes])} people, each case's horizon"
    )
    table = block(
        markdown_table(
            [
                "case",
                "verdict in the case's market",
                "assumption",
                "range scanned (case's value)",
                "switching value, or none in range",
            ],
            rows,
        ),
        "The paired NPV difference of the story's answer against `always_compensate` (of the "
        "best challenger, when the story's answer is `always_compensate`) at each level; the "
        "switching value is where its mean changes sign, interpolated linearly between two "
        "neighbouring levels; *sure* marks a level whose 95% CI excludes 0. "
        f"`get_case(NAME).robustness(rng={CASE_SEED})` (`loyaltysim case NAME --robustness`): "
        f"{design}.",
    )
    steady = [code(n) for n in scans if n not in flipped]
    values = {
        "robustness_design": design,
        "robustness_count": f"{len(flipped)} of {len(scans)}",
        "robustness_flips": (
            "; ".join(f"{code(n)} with {listing(a)}" for n, a in flipped.items())
            if flipped
            else "none"
        ),
        "robustness_steady": (
            f"the verdicts of {listing(steady)} keep their sign over every range scanned"
            if steady
            else "every verdict changes sign within the range of at least one assumption"
        ),
    }
    return Output(tables={"robustness": table}, values=values)


def _verdict(scan: Robustness) -> str:
    """The verdict in the case's market, names in backticks."""
    names = {p.name for p in scan.case.policies}
    return " ".join(code(word) if word in names else word for word in scan.verdict().split())


def _switching(group: pd.DataFrame, table: pd.DataFrame, assumption: str) -> str:
    """The switching values of one assumption, with the neighbouring levels; or none in range."""
    if group["switching_value"].isna().all():
        scan = table[table["assumption"] == assumption]
        return f"none in range (sure at {scan['excludes_zero'].sum()} of {len(scan)} levels)"
    cells = []
    for _, row in group.iterrows():
        sure = [
            num(row[side], None)
            for side, flag in (("below", "excludes_zero_below"), ("above", "excludes_zero_above"))
            if row[flag]
        ]
        cells.append(
            f"**{num(significant(row['switching_value']), None)}** (between "
            f"{num(row['below'], None)} and {num(row['above'], None)}; sure at "
            + (listing(sure) if sure else "neither")
            + ")"
        )
    return "; ".join(cells)


STUDY = Study(
    "robustness",
    "scan every case's unsourced assumptions over their ranges: where does the verdict flip?",
    make,
    tables=("robustness",),
    values=("robustness_design", "robustness_count", "robustness_flips", "robustness_steady"),
)
