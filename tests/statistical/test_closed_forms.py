"""Degenerate configurations against their closed forms (papers/odd.md sections 1, 7.4, 7.12).

The scenarios and formulas live in :mod:`loyaltysim.evidence.closed_forms` (notebook 08 shows them);
the tolerances and assertions are here.
"""

from __future__ import annotations

import numpy as np
import pytest

import loyaltysim as ls
from loyaltysim.evidence.closed_forms import (
    bass_scenario,
    bass_share,
    cohort_parameters,
    cohort_scenario,
    cohort_value,
    cohort_values,
    continuous_bass,
    discrete_bass,
    one_claim_check,
    one_claim_scenario,
    standard_error,
)


def test_cohort_value_matches_first_period_certain_closed_form():
    scenario = cohort_scenario(n_customers=20_000, horizon_months=60, base_monthly_churn=0.03)
    values = cohort_values(scenario, rng=12)
    expected = cohort_value(*cohort_parameters(scenario), months=scenario.horizon_months)
    se = standard_error(values)
    assert abs(values.mean() - expected) < 4 * se
    assert se < 0.01 * expected  # the test can tell a 4% error apart
    summary = ls.run(scenario, rng=12).summary
    assert summary["npv_usd"] / scenario.n_customers == pytest.approx(values.mean())


def test_long_horizon_cohort_value_tends_to_m_over_1_plus_i_minus_r():
    scenario = cohort_scenario(n_customers=5_000, horizon_months=400, base_monthly_churn=0.05)
    values = cohort_values(scenario, rng=3)
    limit = cohort_value(*cohort_parameters(scenario))
    assert abs(values.mean() - limit) < 4 * standard_error(values)


def test_adoption_on_the_complete_graph_follows_the_discrete_bass_map():
    scenario = bass_scenario()
    simulated = bass_share(scenario, rng=5)
    p, q = scenario.advertising_rate, scenario.imitation_rate
    expected = discrete_bass(p, q, scenario.horizon_months)
    np.testing.assert_allclose(simulated, expected, atol=0.015)
    # and the continuous Bass curve is measurably different (the map is the right target)
    continuous = continuous_bass(p, q, scenario.horizon_months)
    assert np.max(np.abs(simulated - continuous)) > 0.03


def test_adoption_on_a_sparse_network_is_slower_than_on_the_complete_graph():
    complete = bass_share(bass_scenario(), rng=1)
    sparse = bass_share(bass_scenario(network="watts_strogatz", network_rewiring=0.01), rng=1)
    assert sparse[9] < complete[9] - 0.05


@pytest.mark.parametrize("investigation_cost_usd", [2.0, 20.0])  # verifying wins, then loses
def test_verify_vs_compensate_matches_the_single_claim_condition(investigation_cost_usd):
    """ODD section 7.4: verifying gains pi*s*(A - L_F) - c - (1 - pi)*f*(L_acc - A) per claim.

    In a one-month market nobody's future is at stake (L_F = L_acc = 0), so the month's
    profit difference per claim must be pi*s*A - c + (1 - pi)*f*A
    (:func:`loyaltysim.evidence.closed_forms.one_claim_gain`).
    """
    check = one_claim_check(one_claim_scenario(investigation_cost_usd), rng=21)
    assert check.claims == check.claims_paid
    assert (check.formula > 0) == (investigation_cost_usd == 2.0)
    # sd of one claim's saving: fraud caught (Bernoulli s) or honest accused (Bernoulli f), times A
    assert abs(check.simulated - check.formula) < check.tolerance(4)
    assert check.tolerance(4) < 0.3 * abs(check.formula)  # precise enough to tell the sign
