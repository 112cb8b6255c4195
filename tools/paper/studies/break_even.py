"""The break-even study: when does verifying pay? A sweep over fraud level × claim value."""

from __future__ import annotations

from collections.abc import Callable

import loyaltysim as ls
from loyaltysim.experiments import Experiment
from loyaltysim.experiments.analysis import plot_break_even
from paper.formatting import block, listing, markdown_table, num, signed
from paper.study import WHEN_TO_VERIFY, WORKERS, Output, Study, fresh_sweep, quiet


def make(
    workers: int = WORKERS,
    log: Callable[[str], None] = quiet,
    experiment: Experiment | None = None,
) -> Output:
    """When does verifying pay? ``verify_first − always_compensate`` over fraud × claim value."""
    experiment = experiment or Experiment.from_toml(WHEN_TO_VERIFY)
    results = fresh_sweep(experiment, workers, log)
    x, y = (u.name for u in experiment.uncertainties)  # fraud level, claim value
    baseline, challenger = results.policies[:2]
    grid = results.break_even(x, y, challenger=challenger, baseline=baseline)
    share = results.paired("fraud_share_of_claims", baseline=baseline)
    share = share.xs(baseline, level="policy").groupby(x)["mean"].mean()
    defaults = ls.Scenario()
    columns = sorted(grid[x].unique())
    header = [f"`{y}` \\ `{x}`"] + [
        f"{v:,g}{' (default)' if v == getattr(defaults, x) else ''}; fraud "
        f"{num(100 * share[v], '.1f')}% of claims"
        for v in columns
    ]
    rows, verdicts = [], {}
    for yv, group in grid.groupby(y):
        cells = [f"{yv:,g}{' (default)' if yv == getattr(defaults, y) else ''}"]
        marks = []
        for xv in columns:
            r = group[group[x] == xv].iloc[0]
            text = f"{signed(r['difference'])} ± {num(r['high'] - r['difference'])}"
            sure = r["low"] > 0 or r["high"] < 0
            cells.append(f"**{text}**" if sure else text)
            marks.append("pays" if r["low"] > 0 else "loses" if r["high"] < 0 else "unclear")
        rows.append(cells)
        verdicts[yv] = marks
    points, replications, _ = experiment.size
    n = experiment.scenario.get("n_customers", defaults.n_customers)
    months = experiment.scenario.get("horizon_months", defaults.horizon_months)
    design = (
        f"{experiment.design} design of {points} points × {replications} paired replications "
        f"(root seed {experiment.seed}); N = {n:,} people, {months} months"
    )
    table = block(
        markdown_table(header, rows, right=len(columns)),
        f"Mean paired NPV difference `{challenger} − {baseline}` (USD) ± the 95% CI "
        f"half-width; **bold**: the interval excludes 0. `loyaltysim sweep "
        f"experiments/{WHEN_TO_VERIFY.name}`: {design}. The fraud share of claims is "
        f"measured under `{baseline}`, averaged over claim values.",
    )
    reduction = results.variance_reduction()
    values = {
        "break_even_design": design,
        "break_even_where": _where_it_pays(verdicts, columns),
        "break_even_short": _where_it_pays(
            {k: verdicts[k] for k in (getattr(defaults, y), max(verdicts)) if k in verdicts},
            columns,
        ),
        "break_even_sd_ratio": num(float(reduction.iloc[0]), ".3f"),
    }
    return Output(
        tables={"break_even": table},
        values=values,
        figures={"break_even": plot_break_even(grid)},
    )


def _where_it_pays(verdicts: dict[float, list[str]], levels: list[float]) -> str:
    """Group the claim values of the break-even grid by where verifying pays, loses or is unclear.

    ``verdicts`` maps each claim value to one mark per fraud level: ``pays`` (the 95% CI
    above 0), ``loses`` (below 0) or ``unclear``.
    """
    groups: dict[tuple[str, ...], list[float]] = {}
    for claim, marks in verdicts.items():
        groups.setdefault(tuple(marks), []).append(claim)
    clauses = []
    for marks, claims in groups.items():
        parts = []
        for word, phrase in (
            ("pays", "verifying pays"),
            ("loses", "verifying loses"),
            ("unclear", "the difference is within the noise"),
        ):
            hits = [f"{v:g}" for v, m in zip(levels, marks, strict=True) if m == word]
            if len(hits) == len(levels):
                parts.append(f"{phrase} at every fraud level")
            elif hits:
                plural = "s" if len(hits) > 1 else ""
                parts.append(f"{phrase} at fraud level{plural} {listing(hits)}")
        claims_text = listing([f"{v:,g}" for v in claims])
        clauses.append(f"for claims of {claims_text} USD, {listing(parts)}")
    text = "; ".join(clauses)
    return text[0].upper() + text[1:]


STUDY = Study(
    "break_even",
    f"sweep {WHEN_TO_VERIFY.name}",
    make,
    tables=("break_even",),
    values=(
        "break_even_design",
        "break_even_where",
        "break_even_short",
        "break_even_sd_ratio",
    ),
    figures=("break_even",),
)
