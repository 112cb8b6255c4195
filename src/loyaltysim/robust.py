"""Robust choice: a search's best candidates over an ensemble of markets.

A lever search scores its candidates on one market. :func:`robust_choice`
takes its best ``K`` candidates (the feasible trials, each set of lever
values once, ranked by the first objective) and runs them over a Latin
hypercube of the scenario ranges of an ``[uncertainties]`` table (the
format of an experiment file's, :class:`~loyaltysim.experiments.Uncertainty`),
with the sweep engine (:func:`~loyaltysim.experiments.execution.collect`),
or over markets drawn from a fit's posterior
(:func:`~loyaltysim.fitting.compare_posterior`): every candidate meets the
same people and draws in every replication of every market (common random
numbers). A ranges file::

    [uncertainties]
    honesty_mean = { low = 0.6, high = 0.95 }
    claim_value_usd = { low = 20, high = 500, distribution = "loguniform" }

Each candidate is scored per market by the search's first objective (its
outcome and statistic over the replications). Its *regret* in a market is
its shortfall against the best candidate there (zero for that one); the
robust candidate has the smallest maximum regret (minimax regret;
Lempert, Popper & Bankes 2003). A candidate *satisfices* in a market
when its regret is at most ``tolerance`` (default: 1 % of the mean absolute
best score). The gap in the expected case between the robust candidate and
the one with the best mean is given with a paired 95 % interval over the
markets: when it holds zero, the two are not told apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from loyaltysim._io import read_toml
from loyaltysim.errors import ParameterError
from loyaltysim.experiments.definition import Experiment, Uncertainty
from loyaltysim.experiments.execution import collect
from loyaltysim.outcomes import OUTCOMES
from loyaltysim.params import MAX_RUNS, check_known, format_number, whole_number
from loyaltysim.search import Search, ranked_policies
from loyaltysim.seeding import as_seed_sequence
from loyaltysim.statistics import interval

if TYPE_CHECKING:
    from loyaltysim.fitting import FitResult

__all__ = ["RobustChoice", "read_ranges", "robust_choice"]

#: Default satisficing tolerance, as a share of the mean absolute best score.
TOLERANCE_SHARE = 0.01


def read_ranges(path: str | Path) -> tuple[Uncertainty, ...]:
    """The ``[uncertainties]`` table of a ranges file (an experiment file's format).

    Raises:
        ScenarioFileError: The file is missing or not TOML.
        ParameterError: Another table, no uncertainty, or a bad one (named).
    """
    data = read_toml(path, "ranges")
    check_known(data, {"uncertainties"}, str(path))
    table = data.get("uncertainties")
    if not isinstance(table, Mapping) or not table:
        raise ParameterError(
            "--over", str(path), "a file with an [uncertainties] table of name = { low, high }"
        )
    return tuple(Uncertainty.from_spec(name, spec) for name, spec in table.items())


@dataclass(frozen=True)
class RobustChoice:
    """The candidates of a search over an ensemble of markets.

    Attributes:
        search: The search the candidates come from.
        objective: The column scored (the search's first objective).
        points: The markets: one row per point (index ``point``), one column per
            uncertainty (or fitted parameter, with the draw's ``particle``).
        ensemble: The markets, in words.
        scores: Each candidate's score per market (rows: points; columns: candidates).
        table: One row per candidate (index ``candidate``): ``mean``, ``mean_regret``,
            ``max_regret``, ``satisficing`` (share of markets within ``tolerance``).
        robust: The candidate with the smallest maximum regret.
        best_mean: The candidate with the best mean score.
        runner_up: The candidate with the best mean after ``best_mean`` ("" alone).
        gap: ``(mean, low, high)``: the best mean candidate's score minus the
            robust one's (or, when they are one, the runner-up's), in the
            objective's better direction, a paired t interval over the markets.
        tolerance: The satisficing tolerance, in the objective's unit.
        replications: Replications per candidate and market.
        seed: The root seed.
    """

    search: Search
    objective: str
    points: pd.DataFrame
    ensemble: str
    scores: pd.DataFrame
    table: pd.DataFrame
    robust: str
    best_mean: str
    runner_up: str
    gap: tuple[float, float, float]
    tolerance: float
    replications: int
    seed: int

    def __str__(self) -> str:
        objective = self.search.objectives[0]
        spec = OUTCOMES[objective.outcome].spec

        def number(value: float) -> str:
            return format_number(float(value), spec)

        lines = [
            f"{self.search.name}: {len(self.table)} candidate(s) over {self.ensemble} x "
            f"{self.replications} replications, seed {self.seed}; scored by {self.objective} "
            f"({objective.describe()})",
            f"{'candidate':<12}{'mean':>14}{'mean regret':>14}{'max regret':>14}"
            f"{'satisficing':>13}",
        ]
        for name, row in self.table.iterrows():
            lines.append(
                f"{name!s:<12}{number(row['mean']):>14}{number(row['mean_regret']):>14}"
                f"{number(row['max_regret']):>14}{row['satisficing']:>13.0%}"
            )
        lines.append(
            f"robust (min max regret): {self.robust}; best mean: {self.best_mean}; "
            f"satisficing: regret <= {number(self.tolerance)}"
        )
        mean, low, high = self.gap
        verdict = "within the noise (the interval holds 0)" if not low > 0 else "beyond the noise"
        if self.robust == self.best_mean:
            lines.append("the robust candidate also has the best mean: nothing is given up")
            if len(self.table) > 1:
                lines.append(
                    f"its lead over the next best mean, {self.runner_up}: {number(mean)} per "
                    f"market (95% interval {number(low)} to {number(high)}), {verdict}"
                )
        else:
            lines.append(
                f"{self.robust} gives up {number(mean)} per market in the expected case against "
                f"{self.best_mean} (95% interval {number(low)} to {number(high)}), {verdict}"
            )
        return "\n".join(lines)


def robust_choice(
    search_folder: str | Path,
    over: str | Path | tuple[Uncertainty, ...] | None = None,
    *,
    posterior: FitResult | str | Path | None = None,
    candidates: int = 3,
    samples: int = 8,
    replications: int | None = None,
    rng: int | None = None,
    tolerance: float | None = None,
    workers: int | None = None,
    max_runs: int = MAX_RUNS,
) -> RobustChoice:
    """Run a finished search's best candidates over a Latin hypercube of scenario ranges.

    Args:
        search_folder: A folder written by :func:`loyaltysim.search.search`.
        over: A ranges file (its ``[uncertainties]`` table) or the uncertainties.
        posterior: Instead of ``over``, a fit folder (or
            :class:`~loyaltysim.fitting.FitResult`): the markets are draws
            resampled from its posterior, in the fit's market
            (:func:`~loyaltysim.fitting.compare_posterior`).
        candidates: The best ``K`` feasible candidates by the first objective (all when fewer).
        samples: Markets: points of the Latin hypercube, or posterior draws.
        replications: Replications per candidate and market (default: the search's).
        rng: Root seed of the design and every run (default: the search's).
        tolerance: Satisficing tolerance in the objective's unit (default: 1 %
            of the mean absolute best score).
        workers: Worker processes (default: this process).
        max_runs: The most runs allowed.

    Returns:
        The scores, regrets and the robust candidate.

    Raises:
        ParameterError: A bad folder, ranges file or option (named).
    """
    whole_number("--candidates", candidates, minimum=1)
    definition, policies = ranked_policies(search_folder, candidates)
    whole_number("--samples", samples, minimum=2)
    replications = whole_number(
        "--replications",
        definition.replications if replications is None else replications,
        minimum=1,
    )
    seed = whole_number("--seed", definition.seed if rng is None else rng)
    if tolerance is not None and not (isinstance(tolerance, int | float) and tolerance >= 0):
        raise ParameterError("--tolerance", tolerance, "a number >= 0")
    if (over is None) == (posterior is None):
        raise ParameterError(
            "--over/--posterior", "both" if over is not None else "neither", "exactly one of them"
        )
    if posterior is not None:
        from loyaltysim.fitting import compare_posterior

        drawn = compare_posterior(
            posterior,
            policies,
            draws=samples,
            replications=replications,
            rng=seed,
            workers=workers,
            max_runs=max_runs,
        )
        runs = drawn.runs.rename(columns={"draw": "point"})
        points = drawn.draws.rename(columns={"draw": "point"}).set_index("point")
        ensemble = (
            f"{samples} posterior draws of the fit {drawn.folder} "
            f"({drawn.particles} distinct particles)"
        )
    else:
        assert over is not None
        uncertainties = over if isinstance(over, tuple) else read_ranges(over)
        varied = {u.name for u in uncertainties}
        market = {k: v for k, v in definition.market().changes().items() if k not in varied}
        experiment = Experiment(
            policies=tuple(policies),
            uncertainties=uncertainties,
            scenario=market,
            design="lhs",
            samples=samples,
            replications=replications,
            seed=seed,
            name=f"{definition.name}_robust",
            max_runs=max_runs,
        )
        runs, _ = collect(experiment, as_seed_sequence(seed), workers=workers)
        points = experiment.points()
        ensemble = f"{samples} markets ({', '.join(points.columns)}; Latin hypercube)"
    objective = definition.objectives[0]
    names = [p.name for p in policies]
    scores = (
        runs.groupby(["point", "policy"], sort=False)[objective.outcome]
        .agg(lambda v: objective.value(v.to_numpy()))
        .unstack("policy")[names]
    )
    sign = 1.0 if objective.direction == "maximize" else -1.0
    better = scores.to_numpy(dtype=float) * sign  # higher is better
    regret = better.max(axis=1, keepdims=True) - better
    if tolerance is None:
        tolerance = TOLERANCE_SHARE * float(np.mean(np.abs(better.max(axis=1))))
    table = pd.DataFrame(
        {
            "mean": scores.mean(axis=0).to_numpy(),
            "mean_regret": regret.mean(axis=0),
            "max_regret": regret.max(axis=0),
            "satisficing": (regret <= tolerance).mean(axis=0),
        },
        index=pd.Index(names, name="candidate"),
    )
    robust = names[int(np.argmin(regret.max(axis=0)))]
    order = np.argsort(-better.mean(axis=0), kind="stable")
    best_mean = names[int(order[0])]
    runner_up = names[int(order[1])] if len(names) > 1 else ""
    other = robust if robust != best_mean or not runner_up else runner_up
    gap = interval(better[:, names.index(best_mean)] - better[:, names.index(other)])
    return RobustChoice(
        search=definition,
        objective=objective.name,
        points=points,
        ensemble=ensemble,
        scores=scores,
        table=table,
        robust=robust,
        best_mean=best_mean,
        runner_up=runner_up,
        gap=gap,
        tolerance=float(tolerance),
        replications=replications,
        seed=seed,
    )
