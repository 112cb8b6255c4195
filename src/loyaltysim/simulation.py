"""Simulate one scenario under one policy: the run every command is built on.

:func:`simulate` builds a :class:`~loyaltysim.model.LoyaltyModel` and runs it
over the scenario's horizon; :func:`run` wraps the result with its summary,
seed and versions. Comparisons (:func:`loyaltysim.compare`) and sweeps
(:func:`loyaltysim.experiments.sweep`) run every policy of a replication
through :func:`simulate` too.

Example:
    >>> import loyaltysim as ls
    >>> result = ls.run(ls.Scenario(n_customers=1_000, horizon_months=24), "verify_first", rng=1)
    >>> round(result.summary["npv_usd"]) == round(result.monthly["discounted_profit_usd"].sum())
    True
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd

from loyaltysim.model import LoyaltyModel
from loyaltysim.network import SocialNetwork
from loyaltysim.outcomes import summarize
from loyaltysim.policies import Policy
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import NOT_GIVEN, renamed_seed, seed_record

__all__ = ["RunResult", "json_number", "run", "simulate", "versions"]


def versions() -> dict[str, str]:
    """Versions of loyaltysim, Mesa, NumPy and Python behind a result."""
    from loyaltysim import __version__

    return {
        "loyaltysim": __version__,
        "mesa": mesa.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


@dataclass(frozen=True)
class RunResult:
    """One simulated run.

    Attributes:
        scenario: The scenario run.
        policy: The policy run.
        seed: Entropy and spawn key of the run's SeedSequence (repeat the run
            with ``numpy.random.SeedSequence(entropy, spawn_key=spawn_key)``).
        monthly: The tidy monthly table (one row per month; see
            :data:`loyaltysim.submodels.ledger.COLUMNS`).
        summary: Run-level outcomes (:data:`loyaltysim.outcomes.OUTCOMES`).
        versions: Package versions that produced it.
        claims: The claim log when asked for (``run(..., claims=True)``): one
            row per claim (see
            :data:`loyaltysim.submodels.ledger.CLAIM_LOG_COLUMNS`); else ``None``.
        purchases: The purchase log when asked for (``run(...,
            purchases=True)``): one row per purchase (see
            :data:`loyaltysim.submodels.ledger.PURCHASE_LOG_COLUMNS`); else ``None``.
    """

    scenario: Scenario
    policy: Policy
    seed: dict[str, Any]
    monthly: pd.DataFrame
    summary: dict[str, float]
    versions: dict[str, str] = field(default_factory=versions)
    claims: pd.DataFrame | None = None
    purchases: pd.DataFrame | None = None

    def to_dict(self, monthly: bool = True) -> dict[str, Any]:
        """A JSON-ready dict: metadata, summary and (optionally) the monthly table."""
        out: dict[str, Any] = {
            "policy": self.policy.to_spec(),
            "seed": self.seed,
            "versions": self.versions,
            "scenario": self.scenario.to_dict(),
            "summary": self.summary,
        }
        if monthly:
            out["monthly"] = self.monthly.reset_index().to_dict(orient="list")
        return out


def simulate(
    scenario: Scenario,
    policy: Policy | str,
    rng: int | np.random.SeedSequence | None,
    network: SocialNetwork | nx.Graph | None = None,
    claim_log: bool = False,
    purchase_log: bool = False,
) -> LoyaltyModel:
    """Build the model of ``scenario`` under ``policy`` and run it over the horizon.

    Args:
        scenario: The market.
        policy: A :class:`Policy` or a preset name.
        rng: Seed of every draw (int or SeedSequence); ``None`` draws fresh
            entropy (recorded in the model's ``seed_sequence``).
        network: Optional prebuilt network or networkx graph.
        claim_log: Keep the model's claim log (``model.claim_log``).
        purchase_log: Keep the model's purchase log (``model.purchase_log``).

    Returns:
        The model after its last month.
    """
    model = LoyaltyModel(
        scenario,
        policy,
        rng=rng,
        network=network,
        inspect_agents=False,
        claim_log=claim_log,
        purchase_log=purchase_log,
    )
    model.run_for(scenario.horizon_months)
    return model


def run(
    scenario: Scenario | None = None,
    policy: Policy | str = "always_compensate",
    *,
    rng: int | np.random.SeedSequence | None = None,
    network: SocialNetwork | nx.Graph | None = None,
    claims: bool = False,
    purchases: bool = False,
    seed: Any = NOT_GIVEN,
) -> RunResult:
    """Simulate one scenario under one policy over its horizon.

    Args:
        scenario: The market (default: the default market).
        policy: A :class:`Policy` or a preset name.
        rng: Seed of every draw (int or SeedSequence); ``None`` draws fresh
            entropy, recorded in the result.
        network: Optional prebuilt network or networkx graph.
        claims: Also return the claim log (``RunResult.claims``: one row per
            claim, with its month, claimant, value, kind, answer and outcome).
        purchases: Also return the purchase log (``RunResult.purchases``: one
            row per purchase, with its month, buyer and amount).
        seed: The old name of ``rng`` (deprecated).

    Returns:
        The run's monthly table and summary, with its seed and versions.
    """
    rng = renamed_seed(rng, seed, "run")
    scenario = scenario if scenario is not None else Scenario()
    model = simulate(scenario, policy, rng, network, claim_log=claims, purchase_log=purchases)
    return RunResult(
        scenario=scenario,
        policy=model.policy,
        seed=seed_record(model.seed_sequence),
        monthly=model.ledger.frame(),
        summary=summarize(model.books()),
        claims=model.claim_log.frame() if model.claim_log is not None else None,
        purchases=model.purchase_log.frame() if model.purchase_log is not None else None,
    )


def json_number(value: Any) -> Any:
    """A number as JSON can hold it: NaN becomes ``None``, NumPy scalars Python numbers."""
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value
