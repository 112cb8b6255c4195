"""Claims: fraud learned from being paid, fraud falling with honesty and loyalty,
verification and its false accusations, investigating only claims above a threshold."""

from __future__ import annotations

import numpy as np
import pytest

import loyaltysim as ls
from loyaltysim import LoyaltyModel, Policy, Scenario
from loyaltysim.submodels.claims import fraud_probability
from tests.mechanisms.helpers import FRAUDY, run_model


def test_fraud_learns_from_being_paid():
    scenario = Scenario(**FRAUDY, fraud_tip_reach=0)
    paid = run_model(scenario, "always_compensate")
    checked = run_model(scenario, "verify_first")
    claimants = paid.population.claims > 0
    assert paid.population.leniency[claimants].mean() > scenario.leniency_prior + 0.1
    assert checked.population.leniency.mean() < paid.population.leniency.mean()

    # the belief feeds the fraud propensity of those who have claimed before
    def dishonest_claimants(m: LoyaltyModel) -> np.ndarray:
        return np.flatnonzero((m.population.claims > 0) & (m.population.honesty < 0.5))

    def propensity_ratio(scenario: Scenario) -> float:
        paid, checked = (run_model(scenario, p) for p in ("always_compensate", "verify_first"))
        a, b = (
            fraud_probability(m.population, dishonest_claimants(m), scenario).mean()
            for m in (paid, checked)
        )
        return a / b

    assert propensity_ratio(scenario) > 1.25
    assert propensity_ratio(scenario.replace(leniency_learning_rate=0.0)) < 1.1


def test_fraud_falls_with_honesty_and_loyalty():
    model = LoyaltyModel(Scenario(n_customers=2_000), rng=1)
    pop, everyone = model.population, np.arange(2_000)
    p = fraud_probability(pop, everyone, model.params)
    assert np.corrcoef(p, pop.honesty)[0, 1] < -0.5
    pop.loyalty[:] = 1.0
    assert fraud_probability(pop, everyone, model.params).sum() < p.sum()


def test_verifying_cuts_fraud_losses_but_accuses_honest_customers():
    scenario = Scenario(n_customers=3_000, horizon_months=36)
    comparison = ls.compare(scenario, ["always_compensate", "verify_first"], replications=3, rng=2)
    table = comparison.table(["fraud_losses_usd", "false_accusations"])
    assert (
        table.loc["verify_first", "fraud_losses_usd"]
        < 0.4 * table.loc["always_compensate", "fraud_losses_usd"]
    )
    assert table.loc["always_compensate", "false_accusations"] == 0
    assert table.loc["verify_first", "false_accusations"] > 0


def test_falsely_accused_customers_mostly_leave():
    scenario = Scenario(n_customers=5_000, horizon_months=24, false_accusation_rate=0.5)
    monthly = ls.run(scenario, "verify_first", rng=3).monthly
    accused = monthly["false_accusations"].sum()
    left = monthly["churned_after_accusation"].sum()
    assert left / accused == pytest.approx(scenario.accused_churn_probability, abs=0.1)


def test_threshold_policy_investigates_only_large_claims():
    scenario = Scenario(n_customers=3_000, horizon_months=24, frontline_deflection_rate=0.0)
    policy = Policy(claims=ls.ThresholdVerification(threshold_usd=60))
    model = run_model(scenario, policy)
    investigated = model.ledger.column("claims_investigated").sum()
    claims = sum(
        model.ledger.column(f"claims_{k}").sum() for k in ("genuine", "mistaken", "fraudulent")
    )
    assert 0 < investigated < claims
    everything = run_model(scenario, Policy(claims=ls.ThresholdVerification(threshold_usd=0)))
    assert everything.ledger.column("claims_investigated").sum() == sum(
        everything.ledger.column(f"claims_{k}").sum() for k in ("genuine", "mistaken", "fraudulent")
    )
