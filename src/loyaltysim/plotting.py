"""Figures for a run and a comparison (matplotlib; no pyplot state is kept)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from loyaltysim.comparison import Comparison
from loyaltysim.simulation import RunResult

__all__ = ["plot_comparison", "plot_run"]


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
        ax.legend(fontsize="small")
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("month")
    fig.suptitle(f"{result.policy.name} — seed {result.seed['entropy']}")
    return fig


def plot_comparison(comparison: Comparison) -> Figure:
    """NPV with 95% CIs per policy, and the mean customer base over time.

    The CIs are each policy's own; differences between policies are tighter
    than their overlap suggests, because replications are paired
    (:meth:`~loyaltysim.simulation.Comparison.paired`).
    """
    table = comparison.table(["npv_usd"])
    fig = Figure(figsize=(11, 4.5), layout="constrained")
    left, right = fig.subplots(1, 2)
    names = list(table.index)
    mean = table["npv_usd"].to_numpy()
    err = np.vstack([mean - table["npv_usd_low"], table["npv_usd_high"] - mean])
    colors = [f"C{i}" for i in range(len(names))]
    # points with intervals, not bars: the axis need not start at zero to be honest
    for x, (y, e, color) in enumerate(zip(mean, np.nan_to_num(err).T, colors, strict=True)):
        left.errorbar(x, y, yerr=e[:, None], fmt="o", color=color, capsize=6, markersize=8)
    left.set_xticks(range(len(names)), names)
    left.margins(x=0.2)
    left.grid(axis="y", alpha=0.3)
    left.set_ylabel("NPV over the horizon (USD)")
    left.set_title(f"NPV, mean and 95% CI ({comparison.replications} paired replications)")
    left.tick_params(axis="x", rotation=15)
    for name, color in zip(names, colors, strict=True):
        rows = comparison.monthly[comparison.monthly["policy"] == name]
        right.plot(rows["month"], rows["active"], label=name, color=color)
    right.set_xlabel("month")
    right.set_ylabel("active customers (mean)")
    right.set_title("Customer base")
    right.legend(fontsize="small")
    right.grid(alpha=0.3)
    fig.suptitle(comparison.verdict(), fontsize="medium")
    return fig
