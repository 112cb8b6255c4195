"""What the mechanism tests share: a model run to its horizon, ledger totals, and the
markets and baseline policy they start from (one definition for every file here)."""

from __future__ import annotations

from loyaltysim import LoyaltyModel, Policy, Scenario

#: A market with many dishonest customers, for the claims and fraud-tip tests.
FRAUDY = dict(n_customers=3_000, horizon_months=36, honesty_mean=0.6, honesty_dispersion=0.2)
#: The market and the baseline policy the story dimensions are added to.
MARKET = dict(n_customers=4_000, horizon_months=24)
BASE = Policy.preset("always_compensate")


def run_model(scenario: Scenario, policy: Policy | str, seed: int = 1) -> LoyaltyModel:
    """``policy`` on ``scenario``, run to its horizon (no agent objects)."""
    model = LoyaltyModel(scenario, policy, rng=seed, inspect_agents=False)
    model.run_for(scenario.horizon_months)
    return model


def totals(model: LoyaltyModel, *columns: str) -> list[float]:
    """Each ledger column summed over the months."""
    return [float(model.ledger.column(c).sum()) for c in columns]
