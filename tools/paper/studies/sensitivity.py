"""The sensitivity study: which uncertainties move the NPV, and the choice of policy (Sobol)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pandas as pd

import loyaltysim as ls
from loyaltysim.experiments import Experiment
from loyaltysim.experiments.analysis import Results, plot_sensitivity
from paper.formatting import block, code, difference, listing, markdown_table, num
from paper.study import (
    SENSITIVITY_SAMPLES,
    WHAT_DRIVES_NPV,
    WORKERS,
    Output,
    Study,
    fresh_sweep,
    quiet,
)


def make(
    workers: int = WORKERS,
    log: Callable[[str], None] = quiet,
    experiment: Experiment | None = None,
) -> Output:
    """Which uncertainties move the NPV, and the choice of policy? Sobol indices."""
    experiment = experiment or dataclasses.replace(
        Experiment.from_toml(WHAT_DRIVES_NPV), samples=SENSITIVITY_SAMPLES
    )
    results = fresh_sweep(experiment, workers, log)
    baseline, challenger = results.policies[:2]
    npv = {p: results.sensitivity(policy=p) for p in (baseline, challenger)}
    gain_results, gain = _with_gain(results, baseline)
    delta = gain_results.sensitivity(metric=gain, policy=challenger)
    order = npv[baseline].sort_values("ST", ascending=False).index
    ranges = {u.name: _distribution(u) for u in experiment.uncertainties}

    def index(t: pd.Series, which: str) -> str:
        return f"{num(t[which], '.2f')} ± {num(t[f'{which}_conf'], '.2f')}"

    rows = [
        [
            code(name),
            ranges[name],
            index(npv[baseline].loc[name], "S1"),
            index(npv[baseline].loc[name], "ST"),
            index(npv[challenger].loc[name], "ST"),
            index(delta.loc[name], "S1"),
            index(delta.loc[name], "ST"),
        ]
        for name in order
    ]
    header = [
        "parameter",
        "uncertainty",
        f"S1: NPV of `{baseline}`",
        f"ST: NPV of `{baseline}`",
        f"ST: NPV of `{challenger}`",
        f"S1: ΔNPV `{challenger} − {baseline}`",
        f"ST: ΔNPV `{challenger} − {baseline}`",
    ]
    points, replications, _ = experiment.size
    defaults = ls.Scenario()
    n = experiment.scenario.get("n_customers", defaults.n_customers)
    months = experiment.scenario.get("horizon_months", defaults.horizon_months)
    design = (
        f"Sobol design (Saltelli sampling, {experiment.samples} base samples): {points} points "
        f"× {replications} paired replications (root seed {experiment.seed}); N = {n:,} "
        f"people, {months} months"
    )
    table = block(
        markdown_table(header, rows, right=5),
        f"First-order (S1) and total (ST) Sobol indices ± 95% half-widths (SALib; each "
        f"outcome averaged over replications first), of each policy's NPV and of the paired "
        f"difference between them: `experiments/{WHAT_DRIVES_NPV.name}` with `samples = "
        f"{experiment.samples}`; {design}.",
    )
    overall = results.overall()
    won = float(overall.loc[challenger, "points_won"])
    top_delta = delta.sort_values("ST", ascending=False).index

    def named(t: pd.DataFrame, name: str) -> str:
        return f"{code(name)} (ST {index(t.loc[name], 'ST')})"

    figure_npv = plot_sensitivity(npv[baseline])
    figure_npv.axes[0].set_title(f"What moves the NPV of {baseline}")
    figure_delta = plot_sensitivity(delta)
    figure_delta.axes[0].set_title(f"What moves the NPV difference {challenger} − {baseline}")
    values = {
        "sensitivity_design": design,
        "sensitivity_top": named(npv[baseline], order[0]),
        "sensitivity_order": listing([code(n) for n in order]),
        "sensitivity_delta_top": listing([named(delta, n) for n in top_delta[:2]]),
        "sensitivity_delta_first_order": listing(
            [
                f"{code(n)} (S1 {index(delta.loc[n], 'S1')})"
                for n in delta.sort_values("S1", ascending=False).index[:2]
            ]
        ),
        "sensitivity_delta_sums": (
            f"{num(delta['ST'].sum(), '.2f')} (total) and {num(delta['S1'].sum(), '.2f')} "
            "(first order)"
        ),
        "sensitivity_noise": (
            f"{_noise_share(gain_results, gain, challenger):.0%} of the variance of the "
            f"paired difference across the design's points, against "
            f"{_noise_share(results, 'npv_usd', baseline):.1%} of that of the NPV of "
            f"`{baseline}`"
        ),
        "sensitivity_points_won": f"{won:.0%}",
        "sensitivity_wins_reading": (
            f"in these ranges of market conditions `{challenger}` never earns the most"
            if won == 0
            else f"`{challenger}` earns the most throughout these ranges"
            if won == 1
            else f"where `{challenger}` earns the most depends on the conditions with the "
            "largest indices of the paired difference"
        ),
        "sensitivity_overall": difference(overall.loc[challenger]),
    }
    return Output(
        tables={"sensitivity": table},
        values=values,
        figures={"sensitivity": figure_npv, "sensitivity_difference": figure_delta},
    )


def _noise_share(results: Results, metric: str, policy: str) -> float:
    """Share of the variance of a policy's point means that is replication noise.

    The noise variance of a point's mean is the within-point variance over the
    replications, divided by their number, averaged over points; the total is the
    variance of the point means across the design.
    """
    runs = results.ok[results.ok["policy"] == policy].groupby("point")[metric]
    noise = float((runs.var() / runs.count()).mean())
    return noise / float(runs.mean().var())


def _with_gain(results: Results, baseline: str, metric: str = "npv_usd") -> tuple[Results, str]:
    """``results`` with one more run metric: ``metric`` minus the baseline's in the same task."""
    name = f"{metric}_minus_{baseline}"
    runs = results.runs
    base = runs[runs["policy"] == baseline].set_index(["point", "replication"])[metric]
    runs = runs.join(base.rename(name), on=["point", "replication"])
    runs[name] = runs[metric] - runs[name]
    return dataclasses.replace(results, runs=runs), name


def _distribution(u: Any) -> str:
    """An uncertainty's distribution, in words."""
    if u.levels is not None:
        return "levels " + ", ".join(f"{v:g}" for v in u.levels)
    if u.distribution == "triangular":
        return f"triangular {u.low:g}–{u.high:g}, mode {u.mode:g}"
    name = "log-uniform" if u.distribution == "loguniform" else "uniform"
    return f"{name} {u.low:g}–{u.high:g}"


STUDY = Study(
    "sensitivity",
    f"sweep {WHAT_DRIVES_NPV.name} with {SENSITIVITY_SAMPLES} Sobol base samples",
    make,
    tables=("sensitivity",),
    values=(
        "sensitivity_design",
        "sensitivity_top",
        "sensitivity_order",
        "sensitivity_delta_top",
        "sensitivity_delta_first_order",
        "sensitivity_delta_sums",
        "sensitivity_noise",
        "sensitivity_points_won",
        "sensitivity_wins_reading",
        "sensitivity_overall",
    ),
    figures=("sensitivity", "sensitivity_difference"),
)
