"""Churn: customers leave faster as satisfaction falls."""

from __future__ import annotations

import numpy as np

import loyaltysim as ls
from loyaltysim import LoyaltyModel, Scenario
from loyaltysim.evidence.closed_forms import QUIET


def test_churn_rises_as_satisfaction_falls():
    good = ls.run(Scenario(**QUIET, n_customers=3_000, horizon_months=24), rng=1).summary
    bad = ls.run(
        Scenario(**{**QUIET, "failure_rate": 0.5}, n_customers=3_000, horizon_months=24), rng=1
    ).summary
    assert bad["annual_retention"] < good["annual_retention"] - 0.05


def test_a_failure_drives_customers_away_as_tarp_says_less_when_the_complaint_is_handled():
    from loyaltysim.month import NO_FAILURE, NOT_RESOLVED, RESOLVED, RESOLVED_QUICKLY, SILENT
    from loyaltysim.submodels.churn import exit_after_failure

    scenario = Scenario(
        n_customers=10, horizon_months=1, basket_value_usd=200.0, basket_value_sigma=0.0
    )
    model = LoyaltyModel(scenario, rng=1)
    model.step()
    month = model.last_month
    month.outcome[:5] = [NO_FAILURE, SILENT, NOT_RESOLVED, RESOLVED, RESOLVED_QUICKLY]
    x = exit_after_failure(model.population, scenario, month, np.arange(5))
    size = 1 - np.exp(-200.0 / scenario.failure_exit_loss_scale_usd)
    expected = (
        scenario.failure_exit_probability
        * size
        * np.array(
            [
                0.0,
                1.0,
                scenario.exit_factor_not_resolved,
                scenario.exit_factor_resolved,
                scenario.exit_factor_resolved_quickly,
            ]
        )
    )
    np.testing.assert_allclose(x, expected)
    # a small loss drives fewer away
    small = scenario.replace(basket_value_usd=2.0)
    model = LoyaltyModel(small, rng=1)
    model.step()
    model.last_month.outcome[:] = SILENT
    x_small = exit_after_failure(model.population, small, model.last_month, np.arange(1, 5))
    assert (x_small < 0.6 * x[1]).all() and (x_small > 0).all()
