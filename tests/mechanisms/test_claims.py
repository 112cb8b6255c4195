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


def test_unjust_treatment_and_dissatisfaction_raise_opportunistic_claims():
    scenario = Scenario(n_customers=500, horizon_months=12)
    model = LoyaltyModel(scenario, rng=1, inspect_agents=False)
    pop, who = model.population, np.arange(500)
    before = fraud_probability(pop, who, scenario, month=10)
    pop.injustice_month[:250] = 5  # deflected or accused five months ago
    after = fraud_probability(pop, who, scenario, month=10)
    np.testing.assert_allclose(after[:250], scenario.fraud_injustice_multiplier * before[:250])
    np.testing.assert_allclose(after[250:], before[250:])
    forgotten = fraud_probability(
        pop, who, scenario, month=5 + scenario.injustice_memory_months + 1
    )
    np.testing.assert_allclose(forgotten, before)
    pop.satisfaction[:] = pop.satisfaction_baseline - 0.3  # a failure's worth of dissatisfaction
    angry = fraud_probability(pop, who, scenario, month=100)
    gain = np.exp(scenario.fraud_dissatisfaction_sensitivity * 0.3)
    np.testing.assert_allclose(angry, np.minimum(gain * before, 1.0))


def test_claims_scale_with_the_claimants_basket():
    scenario = Scenario(
        n_customers=20_000, horizon_months=6, failure_rate=0.2, complaint_propensity_mean=0.5
    )
    model = LoyaltyModel(scenario, rng=4, inspect_agents=False)
    values, baskets = [], []
    for _ in range(scenario.horizon_months):
        model.step()
        month = model.last_month
        genuine = month.claim_kinds == 1
        values.append(month.claims.value_usd[genuine])
        baskets.append(model.population.basket_value_usd[month.claims.customers[genuine]])
    value, basket = np.concatenate(values), np.concatenate(baskets)
    big = basket > np.median(basket)
    ratio = scenario.claim_value_usd / scenario.basket_value_usd
    # claims are the same multiple of the basket for big and small spenders
    assert value[big].mean() > 2 * value[~big].mean()
    assert (value / basket)[big].mean() == pytest.approx(ratio, rel=0.1)
    assert (value / basket)[~big].mean() == pytest.approx(ratio, rel=0.1)
