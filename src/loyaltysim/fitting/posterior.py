"""Policies compared under a fit's remaining uncertainty: paired replications in posterior draws.

A fit (:mod:`~loyaltysim.fitting.fit`) leaves the market uncertain: its
posterior is a weighted sample of markets the log allows. A policy decision
should hold across them. :func:`compare_posterior` resamples ``draws``
markets from the posterior by their weights, sets each draw's values in the
fit's market (``scenario.toml``) and runs every policy ``replications`` times
in each, on the sweep engine (:mod:`loyaltysim.experiments.execution`) as a
``table`` design with one point per distinct particle drawn: replication
``r`` of every policy in every draw runs on the same seed (common random
numbers across policies, as in :func:`~loyaltysim.comparison.compare`, and
across draws, so that two draws differ by their parameters, not by the luck
of their runs). A particle drawn twice is run once; its runs count twice,
exactly as if they had been run again.

For each policy against the baseline, with ``Δ`` its paired NPV difference
in one run of one draw (:class:`PosteriorComparison`):

- **P(beats baseline)** is the posterior-predictive probability
  ``P(Δ > 0 | data)``: the share of all ``draws x replications`` paired runs
  in which the policy ends with the higher NPV, each draw's market drawn from
  the posterior. It estimates the same number whatever the budget. (The share
  of draws whose *mean* difference is positive is not used: how noisy a
  draw's mean is depends on the replications, so that share would change with
  the budget, not with the data.)
- **The expected difference** ``E[Δ | data]`` is the mean of all paired runs;
  its 95% interval is the posterior-predictive one, the 2.5% and 97.5%
  quantiles of all paired runs (no normal shape is assumed: it agrees with
  P(beats baseline)). The variance of that distribution splits by the law of
  total variance (:func:`~loyaltysim.statistics.variance_split`) into the
  **parameters**' part, ``Var(E[Δ | draw])`` (the fit's remaining
  uncertainty; exactly 0 when every draw is the same market), and the
  **noise**'s, ``E[Var(Δ | draw)]`` (run-to-run chance within one market).
  More data shrink the first; nothing but a larger market shrinks the second.
- The Monte Carlo error of the expected difference,
  ``sqrt(between / draws + within / replications)``, says how far more
  draws and replications could still move it (the draws share their runs'
  random numbers, so the second term is not divided by the draws).

A policy is called the best only if it beats the runner-up in at least 95%
of the paired runs (``P ≥ level``); otherwise its lead is within the
uncertainty and the reading says so.

From Python, ``compare_posterior("fit", ["always_compensate", "verify_first"])``
(a fit folder or the :class:`~loyaltysim.fitting.FitResult` of
:func:`~loyaltysim.fitting.fit`) returns a :class:`PosteriorComparison`; its
:meth:`~PosteriorComparison.table` holds the numbers above.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from loyaltysim.errors import ParameterError
from loyaltysim.experiments.definition import Experiment
from loyaltysim.experiments.execution import collect
from loyaltysim.fitting.fit import FitResult, load_fit
from loyaltysim.params import MAX_RUNS, whole_number
from loyaltysim.policies import NAMED_POLICIES, Policy, resolve_policy
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import as_seed_sequence, seed_record, stream
from loyaltysim.simulation import json_number, versions
from loyaltysim.statistics import variance_split

__all__ = ["DRAWS", "REPLICATIONS", "PosteriorComparison", "compare_posterior"]

#: Posterior draws a comparison resamples by default.
DRAWS = 20

#: Paired replications in each draw by default (at least 2: the noise is measured within a draw).
REPLICATIONS = 5

#: Probability a policy must beat another with to be called better (and the interval's level).
LEVEL = 0.95

#: Spawn keys under the root seed: the resampling of draws, and the runs' root.
_RESAMPLE, _RUNS = 0, 1

#: Columns of the engine's run rows a posterior comparison does not keep.
_SWEEP_COLUMNS = ["point", "status", "error", "seconds"]


@dataclass(frozen=True)
class PosteriorComparison:
    """Policies compared in markets drawn from a fit's posterior (see the module).

    Attributes:
        folder: The fit folder.
        scenario: The fit's market, with any changes given (each draw sets the
            fitted parameters in it).
        policies: Policy names, in the order given; the first is the baseline.
        draws: One row per draw: ``draw``, ``particle`` (its row in
            ``posterior.parquet``) and the fitted parameters' values.
        runs: One row per (draw, replication, policy) with every summary
            outcome.
        seed: The root seed's entropy and spawn key.
        level: The probability and interval level of the reading.
        versions: Package versions.
    """

    folder: Path
    scenario: Scenario
    policies: tuple[str, ...]
    draws: pd.DataFrame
    runs: pd.DataFrame
    seed: dict[str, Any]
    level: float = LEVEL
    versions: dict[str, str] = field(default_factory=versions)

    @property
    def replications(self) -> int:
        """Paired replications in each draw."""
        return int(self.runs["replication"].nunique())

    @property
    def particles(self) -> int:
        """Distinct posterior particles among the draws (each run once)."""
        return int(self.draws["particle"].nunique())

    def differences(self, policy: str, baseline: str, metric: str = "npv_usd") -> np.ndarray:
        """Paired differences ``policy - baseline`` of a metric, shape ``(draws, replications)``."""
        for name in (policy, baseline):
            if name not in self.policies:
                raise ParameterError("policy", name, "one of " + ", ".join(self.policies))
        wide = self.runs.pivot(index=["draw", "replication"], columns="policy", values=metric)
        difference = (wide[policy] - wide[baseline]).sort_index().to_numpy()
        return difference.reshape(len(self.draws), self.replications)

    def table(self, baseline: str | None = None, metric: str = "npv_usd") -> pd.DataFrame:
        """Each policy against the baseline under the fit's uncertainty.

        Args:
            baseline: The policy subtracted (default: the first).
            metric: The summary outcome compared.

        Returns:
            One row per other policy (index ``policy``): ``p_beats``
            (posterior-predictive probability that its paired difference is
            above 0), ``difference`` (expected paired difference), ``low`` and
            ``high`` (its posterior-predictive interval at :attr:`level`: the
            quantiles of all paired differences),
            ``standard_error`` (the Monte Carlo error of ``difference``),
            ``var_parameters`` and ``var_noise`` (the interval's variance
            between draws and within them; they add up to ``var_total``) and
            ``parameter_share`` (``var_parameters / var_total``).
        """
        baseline = baseline or self.policies[0]
        rows = []
        for name in self.policies:
            if name == baseline:
                continue
            difference = self.differences(name, baseline, metric)
            split = variance_split(difference)
            low, high = np.quantile(difference, [(1 - self.level) / 2, (1 + self.level) / 2])
            rows.append(
                {
                    "policy": name,
                    "p_beats": float(np.mean(difference > 0)),
                    "difference": split["mean"],
                    "low": float(low),
                    "high": float(high),
                    "standard_error": float(
                        np.sqrt(
                            split["between"] / difference.shape[0]
                            + split["within"] / difference.shape[1]
                        )
                    ),
                    "var_parameters": split["between"],
                    "var_noise": split["within"],
                    "var_total": split["total"],
                    "parameter_share": (
                        split["between"] / split["total"] if split["total"] > 0 else np.nan
                    ),
                }
            )
        columns = [
            "p_beats",
            "difference",
            "low",
            "high",
            "standard_error",
            "var_parameters",
            "var_noise",
            "var_total",
            "parameter_share",
        ]
        return pd.DataFrame(rows, columns=["policy", *columns]).set_index("policy")

    def expected(self, metric: str = "npv_usd") -> pd.Series:
        """Each policy's mean of a metric over every draw and replication."""
        means = self.runs.groupby("policy", sort=False)[metric].mean()
        return means.reindex(list(self.policies))

    def lead(self) -> dict[str, Any]:
        """The policy with the highest expected NPV, the runner-up, and whether the lead is sure.

        Returns:
            ``best``; ``runner_up`` (``None`` with one policy); ``difference``
            (expected NPV of ``best`` minus ``runner_up``, USD); ``p_beats``
            (posterior-predictive probability that ``best`` ends above
            ``runner_up``); ``sure``: ``p_beats`` is at least :attr:`level`.
            A lead that is not sure is within the fit's uncertainty: no policy
            is then called the best.
        """
        npv = self.expected()
        best = str(npv.idxmax())
        rest = npv.drop(best)
        if rest.empty:
            return {
                "best": best,
                "runner_up": None,
                "difference": float("nan"),
                "p_beats": float("nan"),
                "sure": True,
            }
        runner_up = str(rest.idxmax())
        table = self.table(runner_up)
        at = list(table.index).index(best)
        difference = float(table["difference"].to_numpy()[at])
        p_beats = float(table["p_beats"].to_numpy()[at])
        return {
            "best": best,
            "runner_up": runner_up,
            "difference": difference,
            "p_beats": p_beats,
            "sure": p_beats >= self.level,
        }

    def verdict(self) -> str:
        """One sentence: the best policy when its lead is sure, else that none is clearly best."""
        lead = self.lead()
        best, runner_up = lead["best"], lead["runner_up"]
        if runner_up is None:
            return f"Only one policy: {best}."
        budget = f"{len(self.draws)} posterior draws x {self.replications} paired replications"
        probability = f"P({best} beats {runner_up}) = {lead['p_beats']:.2f}"
        if lead["sure"]:
            return (
                f"Best policy under the fit's uncertainty: {best} (expected NPV "
                f"{lead['difference']:+,.0f} USD vs {runner_up}, {probability}; {budget})."
            )
        return (
            f"No policy is clearly best under the fit's uncertainty: {best} leads {runner_up} "
            f"by {lead['difference']:+,.0f} USD of expected NPV, but {probability}, "
            f"below {self.level:.2f} ({budget})."
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: metadata, the table against the baseline, the draws, all runs."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [
                {str(k): json_number(v) for k, v in row.items()}
                for row in frame.to_dict(orient="records")
            ]

        table = self.table()
        return {
            "fit": str(self.folder),
            "policies": list(self.policies),
            "baseline": self.policies[0],
            "draws": len(self.draws),
            "particles": self.particles,
            "replications": self.replications,
            "level": self.level,
            "seed": self.seed,
            "versions": self.versions,
            "scenario": self.scenario.to_dict(),
            "verdict": self.verdict(),
            "table": {
                str(name): {k: json_number(v) for k, v in row.items()}
                for name, row in table.to_dict(orient="index").items()
            },
            "posterior_draws": records(self.draws),
            "runs": records(self.runs),
        }


def compare_posterior(
    fit: FitResult | str | Path,
    policies: Sequence[Policy | str] = NAMED_POLICIES,
    *,
    draws: int = DRAWS,
    replications: int = REPLICATIONS,
    rng: int | np.random.SeedSequence | None = 0,
    changes: Mapping[str, Any] | None = None,
    workers: int | None = None,
    progress: bool = False,
    max_runs: int = MAX_RUNS,
    announce: Callable[[str], None] | None = None,
) -> PosteriorComparison:
    """Compare policies in markets resampled from a fit's posterior (see the module).

    Args:
        fit: A fit folder (written by :func:`~loyaltysim.fitting.fit`) or a
            :class:`~loyaltysim.fitting.FitResult`.
        policies: Policies or preset names; the first is the baseline.
        draws: Posterior draws, resampled by their weights (at least 1).
        replications: Paired replications in each draw (at least 2).
        rng: Root seed: its child 0 resamples the draws, its child 1 is the
            runs' root (replication ``r`` runs on that root's child ``r``).
        changes: Scenario parameters to change in the fit's market (the
            horizon, a cost); not the fitted ones, which the draws set.
        workers: Worker processes (default: this process); the results do
            not depend on it.
        progress: Show a progress bar (terminal or notebook).
        max_runs: The most runs (particles x replications x policies) allowed.
        announce: Called with one line saying what runs.

    Returns:
        A :class:`PosteriorComparison`.

    Raises:
        ParameterError: Not a fit folder, bad ``draws``, ``replications`` or
            ``changes``, or an unknown policy.
    """
    result = fit if isinstance(fit, FitResult) else load_fit(fit)
    draws = whole_number("draws", draws, minimum=1)
    replications = whole_number("replications", replications, minimum=2)
    resolved = [resolve_policy(p) for p in policies]
    names = tuple(p.name for p in resolved)
    if not resolved or len(set(names)) != len(names):
        raise ParameterError("policies", list(names), "one or more policies with distinct names")
    changes = dict(changes or {})
    fitted = [c for c in result.posterior.columns if c != "weight"]
    for name in changes:
        if name in fitted:
            raise ParameterError(
                name, changes[name], "a parameter the fit did not estimate", "each draw sets it"
            )
    market = result.scenario.replace(**changes) if changes else result.scenario
    root = as_seed_sequence(rng)
    posterior = result.posterior
    weights = posterior["weight"].to_numpy(dtype=float)
    picks = np.random.default_rng(stream(root, _RESAMPLE)).choice(
        len(posterior), size=draws, p=weights / weights.sum()
    )
    particles = list(dict.fromkeys(int(i) for i in picks))
    point_of = {particle: point for point, particle in enumerate(particles)}
    values = posterior[fitted].astype(float)
    table = tuple({name: float(values.iloc[i][name]) for name in fitted} for i in particles)
    experiment = Experiment(
        policies=tuple(resolved),
        scenario={k: v for k, v in market.changes().items() if k not in fitted},
        design="table",
        table=table,
        replications=replications,
        name="posterior",
        max_runs=max_runs,
    )
    if announce is not None:
        announce(
            f"comparing {len(names)} policies in {draws} posterior draws ({len(particles)} "
            f"distinct particles) x {replications} paired replications"
        )
    runs, _ = collect(
        experiment, stream(root, _RUNS), progress=progress, workers=workers, unit="replication"
    )
    drawn = pd.DataFrame(
        {
            "draw": np.arange(draws),
            "particle": picks.astype(int),
            "point": [point_of[int(i)] for i in picks],
        }
    )
    drawn = pd.concat([drawn, values.iloc[picks].reset_index(drop=True)], axis=1)
    outcomes = runs.drop(columns=[c for c in runs.columns if c.startswith("param_")])
    expanded = drawn[["draw", "point"]].merge(outcomes, on="point", how="left")
    expanded = expanded.drop(columns=_SWEEP_COLUMNS)
    order = {name: i for i, name in enumerate(names)}
    expanded = expanded.sort_values(
        ["draw", "replication", "policy"], key=lambda c: c.map(order) if c.name == "policy" else c
    ).reset_index(drop=True)
    return PosteriorComparison(
        folder=result.folder,
        scenario=market,
        policies=names,
        draws=drawn.drop(columns="point"),
        runs=expanded,
        seed=seed_record(root),
    )
