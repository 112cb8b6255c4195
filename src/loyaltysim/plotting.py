"""Figures of runs and comparisons (matplotlib; no pyplot state is kept).

A run, a comparison, and a comparison over a fit's posterior draws.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from loyaltysim.comparison import Comparison
from loyaltysim.simulation import RunResult
from loyaltysim.style import styled, thousands_ticks

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from loyaltysim.fitting.posterior import PosteriorComparison

__all__ = ["plot_comparison", "plot_posterior_comparison", "plot_run"]


@styled
def plot_run(result: RunResult) -> Figure:
    """Four panels of a run: customers, profit, claims, word of mouth."""
    monthly = result.monthly
    fig = Figure(figsize=(11, 7), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True)
    panels = [
        (axes[0, 0], ["prospects", "active", "lapsed"], "people"),
        (axes[0, 1], ["profit_usd", "discounted_profit_usd"], "USD per month"),
        (axes[1, 0], ["claims_genuine", "claims_mistaken", "claims_fraudulent"], "claims"),
        (axes[1, 1], ["wom_positive_messages", "wom_negative_messages"], "messages"),
    ]
    for ax, columns, unit in panels:
        for column in columns:
            ax.plot(monthly.index, monthly[column], label=column.replace("_", " "))
        ax.set_ylabel(unit)
        ax.yaxis.set_major_formatter(
            thousands_ticks() if unit.startswith("USD") else StrMethodFormatter("{x:,.6g}")
        )
        ax.legend(fontsize="small")
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("month")
    fig.suptitle(f"{result.policy.name} — seed {result.seed['entropy']}")
    return fig


@styled
def plot_comparison(comparison: Comparison) -> Figure:
    """The paired NPV differences vs the baseline first, then each policy's NPV and customers.

    The first panel is what the verdict reads: each policy's NPV minus the
    baseline's, replication by replication (common random numbers), mean and
    95% CI. The second shows each policy's own NPV and CI; these overlap more
    than the differences do, because the replications are paired
    (:meth:`~loyaltysim.comparison.Comparison.paired`). The third is the mean
    customer base over time.
    """
    baseline = comparison.policies[0]
    names = list(comparison.policies)
    colors = {name: f"C{i}" for i, name in enumerate(names)}
    rows = 0.9 + 0.3 * len(names)  # inches per policy panel
    fig = Figure(figsize=(10, 2 * rows + 4.4), layout="constrained")
    forest, own, base = fig.subplots(3, 1, height_ratios=[rows, rows, 3.0])
    paired = comparison.paired().drop(baseline)
    if paired.empty:
        forest.text(0.5, 0.5, "one policy: nothing to compare", ha="center", va="center")
        forest.set_axis_off()
    else:
        _point_ranges(forest, paired, "difference", "low", "high", colors)
    forest.axvline(0, color="grey", lw=1)
    forest.set_xlabel(f"NPV difference vs {baseline} (USD)")
    forest.set_title(f"Paired difference vs {baseline}, mean and 95% CI")
    table = comparison.table(["npv_usd"])
    _point_ranges(own, table, "npv_usd", "npv_usd_low", "npv_usd_high", colors)
    own.set_xlabel("NPV over the horizon (USD)")
    own.set_title("Each policy alone, mean and 95% CI (unpaired)")
    for name in names:
        monthly = comparison.monthly[comparison.monthly["policy"] == name]
        base.plot(monthly["month"], monthly["active"], label=name, color=colors[name])
    base.yaxis.set_major_formatter(StrMethodFormatter("{x:,.6g}"))
    base.set_xlabel("month")
    base.set_ylabel("active customers (mean)")
    base.set_title("Customer base")
    # under the figure, not over the lines: long policy names fit without squeezing the panels
    fig.legend(*base.get_legend_handles_labels(), loc="outside lower center", ncols=2)
    base.grid(alpha=0.3)
    fig.suptitle(textwrap.fill(comparison.verdict(), 110))
    return fig


@styled
def plot_posterior_comparison(result: PosteriorComparison) -> Figure:
    """Each policy against the baseline over a fit's posterior draws.

    Left: the expected paired NPV difference and its posterior-predictive
    interval, with each draw's mean difference as a dot (their spread is the
    fit's parameter uncertainty; the rest of the interval is run-to-run
    noise). Right: the probability that the policy's paired NPV ends above
    the baseline's, against the reading's thresholds.
    """
    baseline = result.policies[0]
    table = result.table()
    names = list(table.index)
    colors = {name: f"C{i + 1}" for i, name in enumerate(names)}
    height = 1.6 + 0.55 * max(len(names), 1)
    fig = Figure(figsize=(11, height + 1.0), layout="constrained")
    forest, chance = fig.subplots(1, 2, width_ratios=[3, 1.3])
    if table.empty:
        forest.text(0.5, 0.5, "one policy: nothing to compare", ha="center", va="center")
    else:
        _point_ranges(forest, table, "difference", "low", "high", colors)
        jitter = np.random.default_rng(0).uniform(-0.2, 0.2, len(result.draws))
        for y, name in enumerate(names):
            means = result.differences(name, baseline).mean(axis=1)
            forest.scatter(means, y + jitter, s=9, color=colors[name], alpha=0.45, lw=0)
        chance.barh(np.arange(len(names)), table["p_beats"], color=[colors[n] for n in names])
    forest.axvline(0, color="grey", lw=1)
    forest.set_xlabel(f"NPV difference vs {baseline} (USD)")
    forest.set_title(f"Expected difference, {result.level:.0%} interval; dots: draws' means")
    for threshold in (1 - result.level, 0.5, result.level):
        chance.axvline(threshold, color="grey", lw=1, ls=":" if threshold == 0.5 else "--")
    chance.set_xlim(0, 1)
    chance.set_ylim(forest.get_ylim())
    chance.set_yticks(np.arange(len(names)), [""] * len(names))  # the names are on the left
    chance.set_xlabel("P(beats baseline)")
    chance.set_title("Posterior-predictive probability")
    chance.grid(axis="x", alpha=0.3)
    fig.suptitle(textwrap.fill(result.verdict(), 110))
    return fig


def _point_ranges(
    ax: Axes, table: pd.DataFrame, mean: str, low: str, high: str, colors: dict[str, str]
) -> None:
    """One row per policy (top to bottom in ``table``'s order): a point and its interval."""
    positions = np.arange(len(table))
    for y, (name, row) in zip(positions, table.iterrows(), strict=True):
        errors = np.nan_to_num([[row[mean] - row[low]], [row[high] - row[mean]]])
        ax.errorbar(
            row[mean], y, xerr=errors, fmt="o", color=colors[str(name)], capsize=5, markersize=7
        )
    ax.set_yticks(positions, [str(name) for name in table.index])
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.xaxis.set_major_formatter(thousands_ticks())
    ax.margins(x=0.08)
    ax.grid(axis="x", alpha=0.3)
