"""Run a scenario, or compare policies with paired replications.

Example:
    >>> import loyaltysim as ls
    >>> result = ls.run(ls.Scenario(n_customers=1_000, horizon_months=24), "verify_first", seed=1)
    >>> round(result.summary["npv_usd"]) == round(result.monthly["discounted_profit_usd"].sum())
    True
    >>> comparison = ls.compare(ls.Scenario(n_customers=1_000, horizon_months=12),
    ...                         replications=3, seed=1)
    >>> comparison.best in ls.NAMED_POLICIES
    True
"""

from __future__ import annotations

import platform
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd
import scipy.stats

from loyaltysim.errors import ParameterError
from loyaltysim.model import LoyaltyModel
from loyaltysim.network import SocialNetwork, build_network
from loyaltysim.policies import NAMED_POLICIES, Policy, resolve_policy
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import NETWORK, as_seed_sequence, seed_record, stream

__all__ = ["KEY_METRICS", "Comparison", "RunResult", "compare", "run", "summarize", "versions"]

#: Run-summary metrics shown by ``compare``: name -> (label, number format).
KEY_METRICS: dict[str, tuple[str, str]] = {
    "npv_usd": ("NPV (USD)", ",.0f"),
    "final_active": ("final customers", ",.0f"),
    "annual_retention": ("annual retention", ".3f"),
    "fraud_losses_usd": ("fraud losses (USD)", ",.0f"),
    "false_accusations": ("false accusations", ",.1f"),
    "wom_balance": ("WOM balance (msgs)", ",.0f"),
}


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
        summary: Run-level outcomes (see :func:`summarize`).
        versions: Package versions that produced it.
    """

    scenario: Scenario
    policy: Policy
    seed: dict[str, Any]
    monthly: pd.DataFrame
    summary: dict[str, float]
    versions: dict[str, str] = field(default_factory=versions)

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


def summarize(model: LoyaltyModel) -> dict[str, float]:
    """Run-level outcomes of a model's months so far (MODEL.md section 5).

    ``npv_usd`` is the sum of discounted monthly profit; ``cohort_clv_usd``
    the mean discounted net contribution (margin minus service costs) of the
    customers active at month 0, over the horizon; ``annual_retention`` is
    ``(1 - churned / customers at risk) ** 12`` over the run; ``wom_balance``
    positive minus negative messages.
    """
    led = model.ledger

    def total(name: str) -> float:
        return float(led.column(name).sum())

    active = led.column("active")
    claims = total("claims_genuine") + total("claims_mistaken") + total("claims_fraudulent")
    at_risk = float((active + led.column("churned")).sum())
    pop = model.population
    cohort = pop.initially_active
    return {
        "months": float(led.months),
        "npv_usd": total("discounted_profit_usd"),
        "total_profit_usd": total("profit_usd"),
        "revenue_usd": total("revenue_usd"),
        "final_active": float(active[-1]) if active.size else np.nan,
        "peak_active": float(active.max()) if active.size else np.nan,
        "cohort_clv_usd": float(pop.discounted_value_usd[cohort].mean()) if cohort.any() else 0.0,
        "acquisitions": total("acquisitions_advertising")
        + total("acquisitions_wom")
        + total("acquisitions_outreach"),
        "churned": total("churned"),
        "annual_retention": (1.0 - total("churned") / at_risk) ** 12 if at_risk else np.nan,
        "claims": claims,
        "fraud_share_of_claims": total("claims_fraudulent") / claims if claims else np.nan,
        "compensation_usd": total("compensation_genuine_usd")
        + total("compensation_mistaken_usd")
        + total("compensation_fraudulent_usd"),
        "fraud_losses_usd": total("compensation_fraudulent_usd"),
        "investigation_cost_usd": total("investigation_cost_usd"),
        "false_accusations": total("false_accusations"),
        "frauds_detected": total("frauds_detected"),
        "claims_deflected": total("claims_deflected"),
        "escalations": total("escalations"),
        "management_cost_usd": total("management_cost_usd"),
        "broken_promises": total("broken_promises"),
        "acquisitions_outreach": total("acquisitions_outreach"),
        "outreach_cost_usd": total("outreach_cost_usd"),
        "dropped": total("dropped"),
        "listening_cost_usd": total("listening_cost_usd"),
        "final_failure_rate": float(led.column("failure_rate")[-1]),
        "wom_positive_messages": total("wom_positive_messages"),
        "wom_negative_messages": total("wom_negative_messages"),
        "wom_public_messages": total("wom_public_positive") + total("wom_public_negative"),
        "wom_balance": total("wom_positive_messages") - total("wom_negative_messages"),
        "final_mean_satisfaction": float(led.column("mean_satisfaction")[-1]),
        "final_nps": float(led.column("nps")[-1]),
    }


def run(
    scenario: Scenario | None = None,
    policy: Policy | str = "always_compensate",
    *,
    seed: int | np.random.SeedSequence | None = None,
    network: SocialNetwork | nx.Graph | None = None,
) -> RunResult:
    """Simulate one scenario under one policy over its horizon.

    Args:
        scenario: The market (default: the default market).
        policy: A :class:`Policy` or a preset name.
        seed: Seed of every draw (int or SeedSequence); ``None`` draws fresh
            entropy, recorded in the result.
        network: Optional prebuilt network or networkx graph.

    Returns:
        The run's monthly table and summary, with its seed and versions.
    """
    scenario = scenario if scenario is not None else Scenario()
    model = LoyaltyModel(scenario, policy, rng=seed, network=network, inspect_agents=False)
    model.run_for(scenario.horizon_months)
    return RunResult(
        scenario=scenario,
        policy=model.policy,
        seed=seed_record(model.seed_sequence),
        monthly=model.ledger.frame(),
        summary=summarize(model),
    )


def _interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided Student-t confidence interval of the mean."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if values.size < 2:
        return mean, np.nan, np.nan
    half = scipy.stats.t.ppf(0.5 + level / 2, values.size - 1) * values.std(ddof=1)
    half /= np.sqrt(values.size)
    return mean, mean - half, mean + half


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

    def table(self, metrics: Iterable[str] = KEY_METRICS, level: float = 0.95) -> pd.DataFrame:
        """Mean and confidence interval of each metric, one row per policy.

        Columns are ``<metric>``, ``<metric>_low`` and ``<metric>_high``.
        """
        rows = []
        for name in self.policies:
            runs = self.runs[self.runs["policy"] == name]
            row: dict[str, Any] = {"policy": name}
            for metric in metrics:
                mean, low, high = _interval(runs[metric].to_numpy(), level)
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
        rows = []
        for name in self.policies:
            diff = (wide[name] - wide[baseline]).to_numpy()
            mean, low, high = _interval(diff, level)
            unpaired = np.sqrt(wide[name].var() + wide[baseline].var())
            paired_sd = diff.std(ddof=1) if diff.size > 1 else np.nan
            ratio = float(paired_sd / unpaired) if name != baseline and unpaired > 0 else np.nan
            rows.append(
                {"policy": name, "difference": mean, "low": low, "high": high, "sd_ratio": ratio}
            )
        return pd.DataFrame(rows).set_index("policy")

    @property
    def best(self) -> str:
        """The policy with the highest mean NPV."""
        return str(self.table(["npv_usd"])["npv_usd"].idxmax())

    def verdict(self) -> str:
        """One sentence naming the best policy and how sure the comparison is."""
        best = self.best
        npv = self.table(["npv_usd"])["npv_usd"].drop(best)
        if npv.empty:
            return f"Only one policy: {best}."
        runner_up = str(npv.idxmax())
        diff = self.paired(runner_up).loc[best]
        sure = diff["low"] > 0
        return (
            f"Best policy: {best} (NPV {diff['difference']:+,.0f} USD vs {runner_up}, "
            f"95% CI {diff['low']:+,.0f} to {diff['high']:+,.0f}; "
            + ("the difference is significant" if sure else "not significantly better")
            + f", {self.replications} paired replications)."
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


def json_number(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def compare(
    scenario: Scenario | None = None,
    policies: Sequence[Policy | str] = NAMED_POLICIES,
    *,
    replications: int = 20,
    seed: int | np.random.SeedSequence | None = 0,
    progress: bool = False,
) -> Comparison:
    """Run several policies on one scenario with paired replications.

    Args:
        scenario: The market (default: the default market).
        policies: Policies or preset names (default: the four named policies).
        replications: Paired replications per policy (at least 1).
        seed: Root seed; replication ``r`` uses its child ``r``.
        progress: Show a progress bar (terminal or notebook).

    Returns:
        A :class:`Comparison`.
    """
    scenario = scenario if scenario is not None else Scenario()
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise ParameterError("replications", replications, "a whole number >= 1")
    resolved = [resolve_policy(p) for p in policies]
    names = tuple(p.name for p in resolved)
    if not resolved or len(set(names)) != len(names):
        raise ParameterError("policies", list(names), "one or more policies with distinct names")
    root = as_seed_sequence(seed)
    rows, monthly = [], []
    from tqdm.auto import tqdm  # imported here: only progress bars need it

    with tqdm(
        total=replications * len(resolved), disable=not progress, desc="runs", unit="run"
    ) as bar:
        for r in range(replications):
            rep_seed = stream(root, r)
            network = build_network(scenario, stream(rep_seed, NETWORK))
            for policy in resolved:
                result = run(scenario, policy, seed=rep_seed, network=network)
                rows.append({"replication": r, "policy": policy.name, **result.summary})
                monthly.append(result.monthly.assign(policy=policy.name))
                bar.update()
    runs = pd.DataFrame(rows)
    mean_monthly = (
        pd.concat(monthly).reset_index().groupby(["policy", "month"], sort=False).mean()
    ).reset_index()
    return Comparison(
        scenario=scenario,
        policies=names,
        seed=seed_record(root),
        runs=runs,
        monthly=mean_monthly,
    )
