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
        scenario, BASE.with_rules(recovery=EscalateToManagement(capacity_per_1000=0.75))
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
    rule = EscalateToManagement(capacity_per_1000=40.0, priority=priority)
    assert np.flatnonzero(decide(rule, claims, population)).tolist() == expected


def test_the_loudest_go_up_by_public_complaints_then_by_value():
    population = LoyaltyModel(Scenario(n_customers=50, horizon_months=1), rng=1).population
    population.public_complaints[[10, 11, 12]] = [2, 2, 1]
    claims = ClaimBatch(customers=np.array([12, 10, 11]), value_usd=np.array([900.0, 5.0, 50.0]))
    for capacity, expected in ((20.0, [2]), (40.0, [1, 2])):  # 1 and 2 of 50 people
        rule = EscalateToManagement(capacity_per_1000=capacity, priority="loudest")
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


#: Many claims, much fraud, and investigation of every claim: escalation meets exposed fraud.
FRAUD_AND_CHECKS = dict(
    n_customers=4_000,
    horizon_months=24,
    honesty_mean=0.5,
    fraud_propensity_max=0.15,
    failure_rate=0.1,
)


def escalated_months(scenario: Scenario, recovery: EscalateToManagement):
    """Each month's claims and answers under verify_first with ``recovery``."""
    policy = Policy.preset("verify_first").with_rules("escalating", recovery=recovery)
    model = LoyaltyModel(scenario, policy, rng=2, inspect_agents=False)
    for _ in range(scenario.horizon_months):
        model.step()
        yield model.last_month


def test_management_never_pays_a_claim_the_front_line_exposed_as_fraud():
    scenario = Scenario(**FRAUD_AND_CHECKS)
    upheld = escalated_fraud = 0
    for month in escalated_months(
        scenario, EscalateToManagement(capacity_per_1000=1.0, priority="largest")
    ):
        answers = month.answers
        exposed = answers.rejected & (month.claim_kinds == 3)
        escalated_fraud += np.count_nonzero(answers.escalated & exposed)
        upheld += np.count_nonzero(answers.upheld)
        assert not (answers.paid & exposed).any()
        # the rule saw the front line's answers
        assert (month.claims.answer > 0).all()
    assert escalated_fraud > 20 and upheld == escalated_fraud
    # a firm that reverses whatever it takes up pays them
    paid_fraud = 0
    lenient = EscalateToManagement(
        capacity_per_1000=1.0, priority="largest", uphold_exposed_fraud=False
    )
    for month in escalated_months(scenario, lenient):
        exposed = month.answers.rejected & (month.claim_kinds == 3)
        paid_fraud += np.count_nonzero(month.answers.paid & exposed)
    assert paid_fraud > 20


def test_public_praise_follows_its_probability_on_a_draw_of_its_own():
    scenario = Scenario(
        **dict(MARKET, horizon_months=36),
        failure_rate=0.2,
        complaint_propensity_mean=0.5,
        failure_exit_probability=0.0,
    )
    escalate = EscalateToManagement(capacity_per_1000=5.0)
    model = run_model(scenario, BASE.with_rules(recovery=escalate))
    recovered = totals(model, "escalations")[0] - totals(model, "rejections_upheld")[0]
    praised = totals(model, "public_praise")[0]
    p = scenario.public_praise_probability
    assert recovered > 500
    assert abs(praised / recovered - p) < 4 * np.sqrt(p * (1 - p) / recovered)


def test_management_covers_the_same_share_of_claims_in_a_small_and_a_large_market():
    rule = EscalateToManagement(capacity_per_1000=1.0)
    shares = []
    for n in (5_000, 50_000):
        scenario = Scenario(n_customers=n, horizon_months=12, complaint_propensity_mean=0.3)
        model = run_model(scenario, BASE.with_rules(recovery=rule))
        escalations, *claims = totals(
            model, "escalations", "claims_genuine", "claims_mistaken", "claims_fraudulent"
        )
        shares.append(escalations / sum(claims))
    assert 0.05 < shares[0] < 0.9
    assert shares[1] == pytest.approx(shares[0], rel=0.15)
