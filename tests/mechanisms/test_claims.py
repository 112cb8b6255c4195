"""Each mechanism of the model does what its story says (and fails the test without it)."""

from __future__ import annotations

import numpy as np
import pytest

import loyaltysim as ls
from loyaltysim import LoyaltyModel, Policy, Scenario
from loyaltysim.submodels.claims import fraud_probability
from loyaltysim.validation import QUIET


def run_model(scenario: Scenario, policy, seed: int = 1) -> LoyaltyModel:
    model = LoyaltyModel(scenario, policy, rng=seed, inspect_agents=False)
    model.run_for(scenario.horizon_months)
    return model


FRAUDY = dict(n_customers=3_000, horizon_months=36, honesty_mean=0.6, honesty_dispersion=0.2)


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


def test_fraud_tips_spread_leniency_to_dishonest_contacts():
    with_tips = run_model(Scenario(**FRAUDY, fraud_tip_reach=4), "always_compensate")
    without = run_model(Scenario(**FRAUDY, fraud_tip_reach=0), "always_compensate")
    assert with_tips.ledger.column("fraud_tips").sum() > 0
    assert without.ledger.column("fraud_tips").sum() == 0
    dishonest_unclaimed = (with_tips.population.honesty < 0.5) & (with_tips.population.claims == 0)
    lifted = with_tips.population.leniency[dishonest_unclaimed]
    assert lifted.mean() > without.population.leniency[dishonest_unclaimed].mean()


def test_fraud_falls_with_honesty_and_loyalty():
    model = LoyaltyModel(Scenario(n_customers=2_000), rng=1)
    pop, everyone = model.population, np.arange(2_000)
    p = fraud_probability(pop, everyone, model.params)
    assert np.corrcoef(p, pop.honesty)[0, 1] < -0.5
    pop.loyalty[:] = 1.0
    assert fraud_probability(pop, everyone, model.params).sum() < p.sum()


def test_verifying_cuts_fraud_losses_but_accuses_honest_customers():
    scenario = Scenario(n_customers=3_000, horizon_months=36)
    comparison = ls.compare(scenario, ["always_compensate", "verify_first"], replications=3, seed=2)
    table = comparison.table(["fraud_losses_usd", "false_accusations"])
    assert (
        table.loc["verify_first", "fraud_losses_usd"]
        < 0.4 * table.loc["always_compensate", "fraud_losses_usd"]
    )
    assert table.loc["always_compensate", "false_accusations"] == 0
    assert table.loc["verify_first", "false_accusations"] > 0


def test_falsely_accused_customers_mostly_leave():
    scenario = Scenario(n_customers=5_000, horizon_months=24, false_accusation_rate=0.5)
    monthly = ls.run(scenario, "verify_first", seed=3).monthly
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


def test_fixed_prices_grant_no_discounts_and_refused_caprices_cost_nothing():
    scenario = Scenario(n_customers=2_000, horizon_months=12)
    fixed = ls.run(scenario, "fixed_pricing", seed=1).monthly
    assert fixed["discount_requests"].sum() > 0
    assert fixed["discounts_usd"].sum() == 0 and fixed["discounts_granted"].sum() == 0
    refuse = ls.run(scenario, "refuse_caprices", seed=1).monthly
    assert refuse["caprices"].sum() > 0 and refuse["caprice_cost_usd"].sum() == 0
    negotiable = ls.run(scenario, "always_compensate", seed=1).monthly
    assert negotiable["discounts_usd"].sum() > 0 and negotiable["caprice_cost_usd"].sum() > 0


def test_word_of_mouth_brings_customers_and_bad_news_keeps_them_away():
    base = dict(n_customers=5_000, horizon_months=36)
    no_imitation = ls.run(Scenario(**base, imitation_rate=0.0), seed=4).monthly
    imitation = ls.run(Scenario(**base), seed=4).monthly
    assert no_imitation["acquisitions_wom"].sum() == 0
    assert imitation["acquisitions_wom"].sum() > imitation["acquisitions_advertising"].sum()
    quiet = Scenario(**base, wom_propensity_mean=0.0, wom_propensity_dispersion=0.0)
    assert ls.run(quiet, seed=4).summary["wom_negative_messages"] == 0
    good = run_model(Scenario(**base), "always_compensate", seed=4)
    bad = run_model(Scenario(**base, failure_rate=0.4), "always_compensate", seed=4)
    assert (
        bad.ledger.column("wom_negative_messages").sum()
        > 3 * good.ledger.column("wom_negative_messages").sum()
    )
    attitude = [
        (m.population.satisfaction - m.population.satisfaction_baseline)[m.population.status == 0]
        for m in (good, bad)
    ]
    # prospects who heard bad news think less of the firm, which lowers their conversion
    assert attitude[1].mean() < attitude[0].mean() - 0.01


def test_negative_messages_reach_further_than_positive_ones():
    monthly = ls.run(Scenario(n_customers=5_000, horizon_months=24), seed=2).monthly
    per_negative = monthly["wom_negative_reached"].sum() / monthly["wom_negative_messages"].sum()
    per_positive = monthly["wom_positive_reached"].sum() / monthly["wom_positive_messages"].sum()
    assert per_negative > per_positive


def test_lapsed_customers_can_be_won_back():
    scenario = Scenario(n_customers=3_000, horizon_months=48)
    assert ls.run(scenario, seed=1).monthly["winbacks"].sum() > 0
    never = ls.run(scenario.replace(winback_factor=0.0), seed=1).monthly
    assert never["winbacks"].sum() == 0


def test_churn_rises_as_satisfaction_falls():
    good = ls.run(Scenario(**QUIET, n_customers=3_000, horizon_months=24), seed=1).summary
    bad = ls.run(
        Scenario(**{**QUIET, "failure_rate": 0.5}, n_customers=3_000, horizon_months=24), seed=1
    ).summary
    assert bad["annual_retention"] < good["annual_retention"] - 0.05


def test_default_market_lands_inside_published_ranges():
    """MODEL.md section 6 figures the defaults are meant to respect (full calibration: issue 3)."""
    summary = ls.compare(Scenario(n_customers=5_000), ["always_compensate"], replications=3, seed=7)
    runs = summary.runs
    assert 0.03 <= runs["fraud_share_of_claims"].mean() <= 0.15
    assert 0.6 <= runs["annual_retention"].mean() <= 0.85
    ratio = runs["wom_positive_messages"].sum() / runs["wom_negative_messages"].sum()
    assert 2.0 <= ratio <= 6.0


def test_only_events_beyond_the_threshold_make_people_talk():
    quiet_but_talkative = {**QUIET, "wom_propensity_mean": 0.5, "wom_propensity_dispersion": 0.1}
    scenario = Scenario(**quiet_but_talkative, n_customers=2_000, horizon_months=12)
    for threshold in (0.0, 0.2):
        monthly = ls.run(scenario.replace(wom_event_threshold=threshold), seed=1).monthly
        assert monthly["wom_negative_messages"].sum() == 0  # nothing bad happened
        assert monthly["wom_positive_messages"].sum() > 0  # promoters still recommend
