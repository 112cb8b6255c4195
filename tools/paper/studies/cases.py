"""The cases study: every case in its own market and, where it changes it, in the default one."""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd
from matplotlib.figure import Figure

import loyaltysim as ls
from loyaltysim.cases import Case, CaseResult
from paper.formatting import block, code, interval, listing, markdown_table
from paper.study import CASE_SEED, WORKERS, Output, Study, quiet


def make(
    workers: int = WORKERS,
    log: Callable[[str], None] = quiet,
    results: dict[str, CaseResult] | None = None,
) -> Output:
    """Every case in its own market and, where it changes the market, in the default one.

    Args:
        workers: Unused (the cases run in this process).
        log: Where progress messages go.
        results: Each case's result in its own market, already computed:
            ``CASES[name].run()``, the run this study makes (the case's
            replications, root seed ``CASE_SEED``). The runs in the default
            market are made here either way.

    Raises:
        ValueError: One of ``results`` is not the run this study makes of its case.
    """
    rows, points, agree, disagree, only_own_market = [], [], [], [], []
    default = ls.Scenario()
    for name, case in ls.CASES.items():
        start = time.perf_counter()
        result = case.run(rng=CASE_SEED) if results is None else _own_market(case, results[name])
        other = case.run(rng=CASE_SEED, scenario=default) if case.changes else None
        log(f"    case {name}: {time.perf_counter() - start:.1f} s")
        baseline = case.policies[0].name
        paired = result.comparison.paired(baseline)
        paired_default = other.comparison.paired(baseline) if other is not None else None
        (agree if result.agrees else disagree).append(name)
        if other is not None and result.agrees and not other.agrees:
            only_own_market.append(name)
        for i, policy in enumerate(case.policies[1:]):
            row = paired.loc[policy.name]
            in_default = "(same market)"
            if paired_default is not None:
                d = paired_default.loc[policy.name]
                in_default = interval(d["difference"], d["low"], d["high"], sign=True)
                if case.scenario.horizon_months != default.horizon_months:
                    in_default += f" over {default.horizon_months} months"
            verdict = ("yes" if result.agrees else "**no**") if i == 0 else ""
            rows.append(
                [
                    code(name) if i == 0 else "",
                    result.comparison.replications if i == 0 else "",
                    code(policy.name),
                    interval(row["difference"], row["low"], row["high"], sign=True),
                    in_default,
                    verdict,
                ]
            )
            points.append(
                (
                    f"{name}: {policy.name}",
                    row,
                    paired_default.loc[policy.name] if paired_default is not None else None,
                    result.agrees,
                )
            )
    replications = sorted({c.replications for c in ls.CASES.values()})
    design = (
        f"each case's own number of paired replications "
        f"({listing([str(r) for r in replications])}), root seed {CASE_SEED}; "
        f"N = {default.n_customers:,} people and {default.horizon_months} months unless the "
        "case's market changes them"
    )
    table = block(
        markdown_table(
            [
                "case",
                "replications",
                "policy",
                "ΔNPV in the case's market (USD)",
                "ΔNPV in the default market (USD)",
                "agrees with the story",
            ],
            rows,
        ),
        f"Paired NPV difference against `always_compensate`, mean [95% CI]: "
        f"`get_case(NAME).run(rng={CASE_SEED})`, and with `scenario=Scenario()` for the "
        f"default market; {design}. A case agrees when the story's answer beats the baseline "
        "beyond the 95% interval (or, when the answer is the baseline, every other policy "
        "loses to it beyond it).",
    )
    disagreements = " ".join(
        f"In {code(name)} the model does not agree with the story: "
        f"{ls.CASES[name].disagreement.rstrip('.')}."
        for name in disagree
    )
    values = {
        "cases_design": design,
        "cases_agree": f"{len(agree)} of {len(ls.CASES)}",
        "cases_disagree": (
            f"the case that does not is {code(disagree[0])}"
            if len(disagree) == 1
            else f"the cases that do not are {listing([code(n) for n in disagree])}"
            if disagree
            else "every case does"
        ),
        "cases_disagreements": disagreements or "Every case agrees with its story.",
        "cases_own_market": (
            f"{listing([code(n) for n in only_own_market])} "
            + ("agrees" if len(only_own_market) == 1 else "agree")
            + " with "
            + ("its story" if len(only_own_market) == 1 else "their stories")
            + " only in the case's own market"
            if only_own_market
            else "Every case that changes the market agrees with its story in the default "
            "market too"
        ),
    }
    return Output(tables={"cases": table}, values=values, figures={"cases": _cases_figure(points)})


def _own_market(case: Case, result: CaseResult) -> CaseResult:
    """``result``, checked to be ``case.run(rng=CASE_SEED)``: same market, design and seed."""
    comparison = result.comparison
    made = (comparison.scenario, comparison.policies, comparison.replications)
    expected = (case.scenario, tuple(p.name for p in case.policies), case.replications)
    if made != expected or comparison.seed != {"entropy": CASE_SEED, "spawn_key": []}:
        raise ValueError(
            f"the result given for case {case.name!r} is not its run with seed {CASE_SEED}"
        )
    return result


def _cases_figure(points: list[tuple[str, pd.Series, pd.Series | None, bool]]) -> Figure:
    fig = Figure(figsize=(9, 0.45 * len(points) + 1.6), layout="constrained")
    ax = fig.subplots()
    for y, (_, row, other, agrees) in enumerate(points):
        color = "C0" if agrees else "C3"
        err = [[row["difference"] - row["low"]], [row["high"] - row["difference"]]]
        ax.errorbar(row["difference"], y, xerr=err, fmt="o", color=color, capsize=3)
        if other is not None:
            err = [[other["difference"] - other["low"]], [other["high"] - other["difference"]]]
            ax.errorbar(
                other["difference"],
                y + 0.25,
                xerr=err,
                fmt="o",
                mfc="white",
                color=color,
                capsize=3,
            )
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xscale("symlog", linthresh=10_000)
    ax.set_yticks(range(len(points)), [label for label, *_ in points])
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel("paired NPV difference vs always_compensate, USD (95% CI; symlog axis)")
    ax.set_title(
        "Case library: filled, the case's market; hollow, the default market\n"
        "blue: agrees with the story; red: does not",
        fontsize="medium",
    )
    return fig


STUDY = Study(
    "cases",
    "run every case, and in the default market where the case changes it",
    make,
    tables=("cases",),
    values=(
        "cases_design",
        "cases_agree",
        "cases_disagree",
        "cases_disagreements",
        "cases_own_market",
    ),
    figures=("cases",),
)
