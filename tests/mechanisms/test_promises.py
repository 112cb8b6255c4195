"""Promises: broken as often as the lead times say; optimism converts, then disappoints."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats

from loyaltysim import Scenario
from loyaltysim.errors import ParameterError
from loyaltysim.policies import (
    OptimisticPromises,
    PromiseRule,
)
from tests.mechanisms.helpers import BASE, MARKET, run_model, totals


@pytest.mark.parametrize("days", [7.0, 10.0, 14.0])
def test_promises_break_as_often_as_the_lead_time_distribution_says(days):
    scenario = Scenario(**MARKET, failure_rate=0.0)
    model = run_model(scenario, BASE.with_rules(promises=OptimisticPromises(days=days)))
    purchases, broken, denied = totals(model, "purchases", "broken_promises", "promises_denied")
    expected = 1 - scipy.stats.norm.cdf(
        np.log(days / scenario.lead_time_median_days) / scenario.lead_time_sigma
    )
    se = np.sqrt(expected * (1 - expected) / purchases)
    assert abs(broken / purchases - expected) < 4 * se + 1e-9
    if broken:
        assert abs(denied / broken - scenario.frontline_denial_rate) < 0.05


def test_an_optimistic_promise_converts_more_and_then_disappoints():
    scenario = Scenario(**MARKET)
    realistic = run_model(scenario.replace(horizon_months=1), BASE)
    optimistic = run_model(
        scenario.replace(horizon_months=1), BASE.with_rules(promises=OptimisticPromises())
    )
    # same uniforms, a higher hazard: a superset of the conversions
    first = [
        m.ledger.column("acquisitions_advertising")[0] + m.ledger.column("acquisitions_wom")[0]
        for m in (realistic, optimistic)
    ]
    assert first[1] > first[0]
    long_run = [
        run_model(scenario, p).ledger.column("failures").sum() for p in (BASE, optimistic.policy)
    ]
    assert long_run[1] > 2 * long_run[0]


def test_a_promise_rule_must_promise_positive_days():
    class Never(PromiseRule):
        name = "never"

        def promise_days(self, customers, population):
            return np.zeros(customers.size)

    with pytest.raises(ParameterError, match=r"policy\.promises"):
        run_model(Scenario(n_customers=300, horizon_months=1), BASE.with_rules(promises=Never()))
