"""Degenerate configurations against their closed forms (MODEL.md sections 5 and 6)."""

from __future__ import annotations

import numpy as np
import pytest

import loyaltysim as ls
from conftest import QUIET
from loyaltysim import LoyaltyModel, Scenario


def cohort_scenario(**changes) -> Scenario:
    """Everyone a customer who buys once a month and stays with a constant probability."""
    return Scenario(
        **QUIET,
        **{
            "initial_active_share": 1.0,
            "network": "complete",
            "purchase_probability_mean": 1.0,
            "purchase_probability_dispersion": 0.0,
            "basket_value_sigma": 0.0,
            "loyalty_mean": 0.5,
            "loyalty_dispersion": 0.0,
            "satisfaction_baseline_dispersion": 0.0,
            "advertising_rate": 0.0,
            "imitation_rate": 0.0,
            **changes,
        },
    )


def cohort_values(scenario: Scenario, seed: int) -> tuple[np.ndarray, float, float, float]:
    """Each customer's discounted value, with the margin m, retention r and rate i_m."""
    model = LoyaltyModel(scenario, rng=seed)
    model.run_for(scenario.horizon_months)
    margin = scenario.gross_margin * scenario.basket_value_usd
    retention = 1 - scenario.base_monthly_churn
    return model.population.discounted_value_usd, margin, retention, scenario.monthly_discount_rate


def test_cohort_value_matches_first_period_certain_closed_form():
    scenario = cohort_scenario(n_customers=20_000, horizon_months=60, base_monthly_churn=0.03)
    values, margin, r, i = cohort_values(scenario, seed=12)
    t = np.arange(1, scenario.horizon_months + 1)
    expected = margin * np.sum(r ** (t - 1) / (1 + i) ** t)
    standard_error = values.std(ddof=1) / np.sqrt(values.size)
    assert abs(values.mean() - expected) < 4 * standard_error
    assert standard_error < 0.01 * expected  # the test can tell a 4% error apart
    summary = ls.run(scenario, seed=12).summary
    assert summary["npv_usd"] / scenario.n_customers == pytest.approx(values.mean())


def test_long_horizon_cohort_value_tends_to_m_over_1_plus_i_minus_r():
    scenario = cohort_scenario(n_customers=5_000, horizon_months=400, base_monthly_churn=0.05)
    values, margin, r, i = cohort_values(scenario, seed=3)
    standard_error = values.std(ddof=1) / np.sqrt(values.size)
    assert abs(values.mean() - margin / (1 + i - r)) < 4 * standard_error


def bass_share(scenario: Scenario, seed: int) -> np.ndarray:
    return ls.run(scenario, seed=seed).monthly["active"].to_numpy() / scenario.n_customers


def bass_scenario(**changes) -> Scenario:
    return Scenario(
        **QUIET,
        **{
            "n_customers": 20_000,
            "horizon_months": 30,
            "initial_active_share": 0.0,
            "network": "complete",
            "advertising_rate": 0.03,
            "imitation_rate": 0.38,
            "base_monthly_churn": 0.0,
            **changes,
        },
    )


def test_adoption_on_the_complete_graph_follows_the_discrete_bass_map():
    scenario = bass_scenario()
    simulated = bass_share(scenario, seed=5)
    p, q = scenario.advertising_rate, scenario.imitation_rate
    expected, share = [], 0.0
    for _ in range(scenario.horizon_months):
        share = share + (p + q * share) * (1 - share)
        expected.append(share)
    np.testing.assert_allclose(simulated, expected, atol=0.015)
    # and the continuous Bass curve is measurably different (the map is the right target)
    t = np.arange(1, scenario.horizon_months + 1)
    continuous = (1 - np.exp(-(p + q) * t)) / (1 + q / p * np.exp(-(p + q) * t))
    assert np.max(np.abs(simulated - continuous)) > 0.03


def test_adoption_on_a_sparse_network_is_slower_than_on_the_complete_graph():
    complete = bass_share(bass_scenario(), seed=1)
    sparse = bass_share(bass_scenario(network="watts_strogatz", network_rewiring=0.01), seed=1)
    assert sparse[9] < complete[9] - 0.05


@pytest.mark.parametrize("investigation_cost_usd", [2.0, 20.0])  # verifying wins, then loses
def test_verify_vs_compensate_matches_the_single_claim_condition(investigation_cost_usd):
    """MODEL.md section 6: verifying gains pi*s*(A - L_F) - c - (1 - pi)*f*(L_acc - A) per claim.

    In a one-month market nobody's future is at stake (L_F = L_acc = 0), so the month's
    profit difference per claim must be pi*s*A - c + (1 - pi)*f*A.
    """
    quiet = {k: v for k, v in QUIET.items() if k not in ("mistaken_claim_probability",)}
    scenario = Scenario(
        **{
            **quiet,
            "fraud_propensity_max": 0.1,
            "mistaken_claim_probability": 0.3,
            "n_customers": 30_000,
            "horizon_months": 1,
            "initial_active_share": 1.0,
            "purchase_probability_mean": 1.0,
            "purchase_probability_dispersion": 0.0,
            "honesty_mean": 0.0,
            "honesty_dispersion": 0.0,
            "leniency_prior": 1.0,
            "fraud_loyalty_dampening": 0.0,
            "claim_value_sigma": 0.0,
            "fraud_value_multiplier": 1.0,
            "investigation_cost_usd": investigation_cost_usd,
            "frontline_deflection_rate": 0.0,
        }
    )
    paid = ls.run(scenario, "always_compensate", seed=21).monthly.iloc[0]
    checked = ls.run(scenario, "verify_first", seed=21).monthly.iloc[0]
    claims = checked[["claims_genuine", "claims_mistaken", "claims_fraudulent"]].sum()
    assert claims == paid[["claims_genuine", "claims_mistaken", "claims_fraudulent"]].sum()
    pi = 0.1 / (0.1 + 0.3)
    amount, s, f = scenario.claim_value_usd, scenario.detection_rate, scenario.false_accusation_rate
    c = scenario.investigation_cost_usd
    per_claim = pi * s * amount - c + (1 - pi) * f * amount
    gained = (checked["profit_usd"] - paid["profit_usd"]) / claims
    # sd of one claim's saving: fraud caught (Bernoulli s) or honest accused (Bernoulli f), times A
    sd = amount * np.sqrt(pi * s * (1 - s) + (1 - pi) * f * (1 - f) + pi * (1 - pi) * (s - f) ** 2)
    assert abs(gained - per_claim) < 4 * sd / np.sqrt(claims)
    assert 4 * sd / np.sqrt(claims) < 0.3 * abs(per_claim)  # precise enough to tell the sign
