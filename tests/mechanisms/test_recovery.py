"""Recovery: escalation to management (capacity, priority, cost), the recovery paradox,
and a repeated failure hurting more than the first."""

from __future__ import annotations

import numpy as np
import pytest

from loyaltysim import LoyaltyModel, Policy, Scenario
from loyaltysim.policies import (
    ClaimBatch,
    EscalateToManagement,
    decide,
)
from tests.mechanisms.helpers import BASE, MARKET, run_model, totals


def test_escalation_respects_capacity_reverses_deflections_and_costs_management_time():
    scenario = Scenario(**MARKET, failure_rate=0.1, frontline_deflection_rate=0.5)
    none = run_model(scenario, BASE)
    escalate = run_model(
        scenario, BASE.with_rules(recovery=EscalateToManagement(capacity_per_month=3))
    )
    escalations = escalate.ledger.column("escalations")
    assert escalations.max() == 3 and totals(none, "escalations") == [0.0]
    reversed_, cost = totals(escalate, "claims_reversed", "management_cost_usd")
    assert reversed_ > 0 and cost == escalations.sum() * scenario.management_cost_usd
    # month 1 has the same people and draws: management only turns deflections into payments
    first = [m.ledger.column(c)[0] for m in (none, escalate) for c in ("claims_deflected",)]
    assert first[1] == first[0] - escalate.ledger.column("claims_reversed")[0] < first[0]
    assert totals(escalate, "public_praise")[0] > 0


@pytest.mark.parametrize(
    ("priority", "expected"),
    [("largest", [0, 3]), ("public", [1, 3]), ("loudest", [2, 3])],
)
def test_escalation_priority_picks_the_largest_the_public_or_the_loudest(priority, expected):
    scenario = Scenario(n_customers=50, horizon_months=1)
    population = LoyaltyModel(scenario, rng=1).population
    population.public_complaints[[11, 12, 13]] = [1, 3, 2]  # the loudest: most public complaints
    population.wom_propensity[[10, 11]] = 1.0  # talkative, but the firm cannot see it
    claims = ClaimBatch(
        customers=np.array([10, 11, 12, 13]),
        value_usd=np.array([500.0, 5.0, 10.0, 400.0]),
        public=np.array([False, True, False, True]),
    )
    rule = EscalateToManagement(capacity_per_month=2, priority=priority)
    assert np.flatnonzero(decide(rule, claims, population)).tolist() == expected


def test_the_loudest_go_up_by_public_complaints_then_by_value():
    population = LoyaltyModel(Scenario(n_customers=50, horizon_months=1), rng=1).population
    population.public_complaints[[10, 11, 12]] = [2, 2, 1]
    claims = ClaimBatch(customers=np.array([12, 10, 11]), value_usd=np.array([900.0, 5.0, 50.0]))
    for capacity, expected in ((1, [2]), (2, [1, 2])):
        rule = EscalateToManagement(capacity_per_month=capacity, priority="loudest")
        assert np.flatnonzero(decide(rule, claims, population)).tolist() == expected


def test_the_recovery_paradox_needs_a_first_mild_well_recovered_failure():
    scenario = Scenario(**MARKET, failure_rate=0.1)
    count = totals(run_model(scenario, BASE), "recovery_paradoxes")[0]
    assert count > 0
    assert (
        totals(
            run_model(scenario.replace(recovery_paradox_max_usd=0.0), BASE), "recovery_paradoxes"
        )[0]
        == 0
    )
    # verifying means no claim is paid at once: only management could still recover it
    assert totals(run_model(scenario, Policy.preset("verify_first")), "recovery_paradoxes")[0] == 0


def test_a_repeated_failure_hurts_more_than_the_first():
    scenario = Scenario(**MARKET, failure_rate=0.2, satisfaction_drift=0.0)
    once = run_model(scenario.replace(repeat_failure_multiplier=1.0), BASE).population
    twice = run_model(scenario.replace(repeat_failure_multiplier=3.0), BASE).population
    repeat = once.failures >= 2
    assert twice.satisfaction[repeat].mean() < once.satisfaction[repeat].mean() - 0.1
