"""Policies compared on one market with paired replications.

:func:`compare` is a one-point experiment on the sweep engine
(:mod:`loyaltysim.experiments.execution`): replication ``r`` of every policy
runs on child ``r`` of the root seed, on the same network, people and
per-person draws (common random numbers), so the differences between policies
are paired (:mod:`loyaltysim.statistics`).

Example:
    >>> import loyaltysim as ls
    >>> comparison = ls.compare(ls.Scenario(n_customers=1_000, horizon_months=12),
    ...                         replications=3, rng=1)
    >>> comparison.best in ls.NAMED_POLICIES
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from loyaltysim.errors import ParameterError
from loyaltysim.experiments.definition import Experiment
from loyaltysim.experiments.execution import collect
from loyaltysim.outcomes import KEY_OUTCOMES
from loyaltysim.params import MAX_RUNS, whole_number
from loyaltysim.policies import NAMED_POLICIES, Policy, resolve_policy
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import NOT_GIVEN, as_seed_sequence, renamed_seed, seed_record
from loyaltysim.simulation import json_number, versions
from loyaltysim.statistics import interval, paired_differences

__all__ = ["Comparison", "compare"]

#: Columns of a task's run rows that a comparison does not keep (they describe the sweep).
_SWEEP_COLUMNS = ["point", "status", "error", "seconds"]


@dataclass(frozen=True)
class Comparison:
    """Policies compared on one scenario with paired replications.

    Replication ``r`` of every policy uses the same seed (child ``r`` of the
    root seed), hence the same people, network and per-person random numbers
    (common random numbers), so differences between policies are paired.

    Attributes:
        scenario: The scenario.
        policies: Policy names, in the order given.
        seed: The root seed's entropy and spawn key.
        runs: One row per (replication, policy) with every summary metric.
        monthly: Mean over replications of each monthly column, per policy
            (columns ``policy``, ``month`` and the ledger's columns).
        versions: Package versions.
    """

    scenario: Scenario
    policies: tuple[str, ...]
    seed: dict[str, Any]
    runs: pd.DataFrame
    monthly: pd.DataFrame
    versions: dict[str, str] = field(default_factory=versions)

    @property
    def replications(self) -> int:
        """Replications per policy."""
        return int(self.runs["replication"].nunique())

    def table(self, metrics: Iterable[str] = KEY_OUTCOMES, level: float = 0.95) -> pd.DataFrame:
        """Mean and confidence interval of each metric, one row per policy.

        Columns are ``<metric>``, ``<metric>_low`` and ``<metric>_high``.
        """
        rows = []
        for name in self.policies:
            runs = self.runs[self.runs["policy"] == name]
            row: dict[str, Any] = {"policy": name}
            for metric in metrics:
                mean, low, high = interval(runs[metric].to_numpy(), level)
                row[metric], row[f"{metric}_low"], row[f"{metric}_high"] = mean, low, high
            rows.append(row)
        return pd.DataFrame(rows).set_index("policy")

    def paired(
        self, baseline: str | None = None, metric: str = "npv_usd", level: float = 0.95
    ) -> pd.DataFrame:
        """Paired differences ``policy - baseline`` of a metric, with CIs.

        Args:
            baseline: Policy to subtract (default: the first policy).
            metric: Summary metric.
            level: Confidence level.

        Returns:
            One row per policy: ``difference``, ``low``, ``high`` and
            ``sd_ratio`` (paired sd over the sd of an unpaired difference of
            independent runs: how much common random numbers tighten it;
            NaN for the baseline itself).
        """
        baseline = baseline or self.policies[0]
        wide = self.runs.pivot(index="replication", columns="policy", values=metric)
        table = paired_differences(wide[list(self.policies)], baseline, level)
        return table.drop(columns="mean")

    @property
    def best(self) -> str:
        """The policy with the highest mean NPV."""
        return str(self.table(["npv_usd"])["npv_usd"].idxmax())

    def lead(self) -> dict[str, Any]:
        """The policy with the highest mean NPV, the runner-up, and whether the lead is sure.

        Returns:
            ``best``; ``runner_up`` (``None`` with one policy); ``difference``,
            ``low`` and ``high``, the paired NPV margin of ``best`` over
            ``runner_up`` with its 95% CI (USD); ``sure``, whether that CI lies
            above 0. A lead that is not sure is within the noise: no policy is
            then called the best.
        """
        best = self.best
        npv = self.table(["npv_usd"])["npv_usd"].drop(best)
        if npv.empty:
            nothing = float("nan")
            return {
                "best": best,
                "runner_up": None,
                "difference": nothing,
                "low": nothing,
                "high": nothing,
                "sure": True,
            }
        runner_up = str(npv.idxmax())
        margin = self.paired(runner_up).loc[best, ["difference", "low", "high"]]
        difference, low, high = (float(value) for value in margin.to_numpy())
        return {
            "best": best,
            "runner_up": runner_up,
            "difference": difference,
            "low": low,
            "high": high,
            "sure": low > 0,
        }

    def leader(self) -> str:
        """``the best is X``, or, when X's lead is within the noise, a clause saying so."""
        lead = self.lead()
        if lead["runner_up"] is None or lead["sure"]:
            return f"the best is {lead['best']}"
        return (
            f"no policy is clearly best: {lead['best']} leads {lead['runner_up']} by "
            f"{lead['difference']:+,.0f} USD (95% CI {lead['low']:+,.0f} to {lead['high']:+,.0f}), "
            "within the noise"
        )

    def verdict(self) -> str:
        """One sentence: the best policy when its lead is sure, else that none is clearly best."""
        lead = self.lead()
        best, runner_up = lead["best"], lead["runner_up"]
        if runner_up is None:
            return f"Only one policy: {best}."
        interval = f"95% CI {lead['low']:+,.0f} to {lead['high']:+,.0f}"
        replications = f"{self.replications} paired replications"
        if lead["sure"]:
            return (
                f"Best policy: {best} (NPV {lead['difference']:+,.0f} USD vs {runner_up}, "
                f"{interval}; the difference is significant, {replications})."
            )
        return (
            f"No policy is clearly best: {best} leads {runner_up} by "
            f"{lead['difference']:+,.0f} USD of NPV ({interval}, which includes 0; "
            f"{replications})."
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: metadata, the table, paired NPV differences, all runs."""

        def clean(frame: pd.DataFrame) -> dict[str, Any]:
            return {
                str(k): {m: json_number(v) for m, v in row.items()}
                for k, row in frame.to_dict(orient="index").items()
            }

        return {
            "policies": list(self.policies),
            "replications": self.replications,
            "seed": self.seed,
            "versions": self.versions,
            "scenario": self.scenario.to_dict(),
            "best": self.best,
            "verdict": self.verdict(),
            "table": clean(self.table()),
            "paired_npv_vs_" + self.policies[0]: clean(self.paired()),
            "runs": [
                {k: json_number(v) for k, v in row.items()}
                for row in self.runs.to_dict(orient="records")
            ],
        }


def compare(
    scenario: Scenario | None = None,
    policies: Sequence[Policy | str] = NAMED_POLICIES,
    *,
    replications: int = 20,
    rng: int | np.random.SeedSequence | None = 0,
    progress: bool = False,
    workers: int | None = None,
    max_runs: int = MAX_RUNS,
    seed: Any = NOT_GIVEN,
) -> Comparison:
    """Run several policies on one scenario with paired replications.

    Args:
        scenario: The market (default: the default market).
        policies: Policies or preset names (default: the four named policies).
        replications: Paired replications per policy (at least 1).
        rng: Root seed; replication ``r`` uses its child ``r``.
        progress: Show a progress bar (terminal or notebook).
        workers: Worker processes (default: this process).
        max_runs: The most runs (replications x policies) allowed (see
            :class:`~loyaltysim.experiments.Experiment`).
        seed: The old name of ``rng`` (deprecated).

    Returns:
        A :class:`Comparison`.
    """
    rng = renamed_seed(rng, seed, "compare", default=0)
    scenario = scenario if scenario is not None else Scenario()
    replications = whole_number("replications", replications, minimum=1)
    resolved = [resolve_policy(p) for p in policies]
    names = tuple(p.name for p in resolved)
    if not resolved or len(set(names)) != len(names):
        raise ParameterError("policies", list(names), "one or more policies with distinct names")
    experiment = Experiment(
        policies=tuple(resolved),
        scenario=scenario.changes(),
        replications=replications,
        monthly_every=1,
        name="compare",
        max_runs=max_runs,
    )
    root = as_seed_sequence(rng)
    table, months = collect(
        experiment, root, workers=workers, progress=progress, unit="replication"
    )
    assert months is not None  # the experiment keeps every month
    mean_monthly = (
        months.drop(columns=["point", "replication"])
        .groupby(["policy", "month"], sort=False)
        .mean()
        .reset_index()
    )
    return Comparison(
        scenario=scenario,
        policies=names,
        seed=seed_record(root),
        runs=table.drop(columns=_SWEEP_COLUMNS).reset_index(drop=True),
        monthly=mean_monthly,
    )
