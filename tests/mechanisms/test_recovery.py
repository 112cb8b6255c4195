"""The dimensions the stories add (recovery, promises, guarantee, outreach, pruning,
listening) and public word of mouth: each does what its story says, and each test
fails without its mechanism."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats

from loyaltysim import LoyaltyModel, Policy, Scenario
from loyaltysim.errors import ParameterError
from loyaltysim.policies import (
    ClaimBatch,
    DropUnprofitable,
    EscalateToManagement,
    KeepInTouch,
    Listen,
    OptimisticPromises,
    PromiseRule,
    SatisfactionGuarantee,
)
from loyaltysim.population import ACTIVE, LAPSED
from loyaltysim.validation import QUIET

BASE = Policy.preset("always_compensate")
MARKET = dict(n_customers=4_000, horizon_months=24)


def run(scenario: Scenario, policy: Policy, seed: int = 1) -> LoyaltyModel:
    model = LoyaltyModel(scenario, policy, rng=seed, inspect_agents=False)
    model.run_for(scenario.horizon_months)
    return model


def totals(model: LoyaltyModel, *columns: str) -> list[float]:
    return [float(model.ledger.column(c).sum()) for c in columns]


# --- recovery ---------------------------------------------------------------------------
def test_escalation_respects_capacity_reverses_deflections_and_costs_management_time():
    scenario = Scenario(**MARKET, failure_rate=0.1, frontline_deflection_rate=0.5)
    none = run(scenario, BASE)
    escalate = run(scenario, BASE.with_rules(recovery=EscalateToManagement(capacity_per_month=3)))
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
    population.wom_propensity[:] = 0.1
    population.wom_propensity[[12, 13]] = [0.9, 0.8]
    claims = ClaimBatch(
        customers=np.array([10, 11, 12, 13]),
        value_usd=np.array([500.0, 5.0, 10.0, 400.0]),
        public=np.array([False, True, False, True]),
    )
    rule = EscalateToManagement(capacity_per_month=2, priority=priority)
    assert np.flatnonzero(rule.escalate(claims, population)).tolist() == expected


def test_the_recovery_paradox_needs_a_first_mild_well_recovered_failure():
    scenario = Scenario(**MARKET, failure_rate=0.1)
    count = totals(run(scenario, BASE), "recovery_paradoxes")[0]
    assert count > 0
    assert (
        totals(run(scenario.replace(recovery_paradox_max_usd=0.0), BASE), "recovery_paradoxes")[0]
        == 0
    )
    # verifying means no claim is paid at once: only management could still recover it
    assert totals(run(scenario, Policy.preset("verify_first")), "recovery_paradoxes")[0] == 0


def test_a_repeated_failure_hurts_more_than_the_first():
    scenario = Scenario(**MARKET, failure_rate=0.2, satisfaction_drift=0.0)
    once = run(scenario.replace(repeat_failure_multiplier=1.0), BASE).population
    twice = run(scenario.replace(repeat_failure_multiplier=3.0), BASE).population
    repeat = once.failures >= 2
    assert twice.satisfaction[repeat].mean() < once.satisfaction[repeat].mean() - 0.1


# --- promises ---------------------------------------------------------------------------
@pytest.mark.parametrize("days", [7.0, 10.0, 14.0])
def test_promises_break_as_often_as_the_lead_time_distribution_says(days):
    scenario = Scenario(**MARKET, failure_rate=0.0)
    model = run(scenario, BASE.with_rules(promises=OptimisticPromises(days=days)))
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
    realistic = run(scenario.replace(horizon_months=1), BASE)
    optimistic = run(
        scenario.replace(horizon_months=1), BASE.with_rules(promises=OptimisticPromises())
    )
    # same uniforms, a higher hazard: a superset of the conversions
    first = [
        m.ledger.column("acquisitions_advertising")[0] + m.ledger.column("acquisitions_wom")[0]
        for m in (realistic, optimistic)
    ]
    assert first[1] > first[0]
    long_run = [run(scenario, p).ledger.column("failures").sum() for p in (BASE, optimistic.policy)]
    assert long_run[1] > 2 * long_run[0]


def test_a_promise_rule_must_promise_positive_days():
    class Never(PromiseRule):
        name = "never"

        def promise_days(self, customers, population):
            return np.zeros(customers.size)

    with pytest.raises(ParameterError, match=r"policy\.promises"):
        run(Scenario(n_customers=300, horizon_months=1), BASE.with_rules(promises=Never()))


# --- guarantee --------------------------------------------------------------------------
def test_a_guarantee_refunds_every_claim_at_once_and_invites_fraud():
    scenario = Scenario(**MARKET, honesty_mean=0.7)
    none = run(scenario, BASE)
    guarantee = run(scenario, BASE.with_rules(guarantee=SatisfactionGuarantee()))
    claims = ["claims_genuine", "claims_mistaken", "claims_fraudulent"]
    assert sum(totals(guarantee, *claims)) == totals(guarantee, "claims_honoured")[0]
    assert totals(guarantee, "claims_deflected", "claims_investigated") == [0.0, 0.0]
    assert totals(none, "claims_honoured") == [0.0]
    # announced leniency: more fraud per purchase (Domino's Australia 2017)
    rate = [
        totals(m, "claims_fraudulent")[0] / totals(m, "purchases")[0] for m in (none, guarantee)
    ]
    assert rate[1] > 1.5 * rate[0]
    first = [m.ledger.column("acquisitions_advertising")[0] for m in (none, guarantee)]
    assert first[1] > first[0]  # it draws trial


# --- outreach ---------------------------------------------------------------------------
def test_keep_in_touch_contacts_each_non_customer_once_a_year_and_converts_some():
    scenario = Scenario(**{**MARKET, "horizon_months": 36})
    model = run(scenario, BASE.with_rules(outreach=KeepInTouch()))
    contacts, cost, converted = totals(
        model, "outreach_contacts", "outreach_cost_usd", "acquisitions_outreach"
    )
    assert cost == contacts * scenario.outreach_cost_usd
    assert converted > 0 and totals(run(scenario, BASE), "acquisitions_outreach") == [0.0]
    first = model.ledger.column("outreach_contacts")[0]
    assert first == pytest.approx(model.ledger.column("prospects")[0] / 12, rel=0.15)
    lapsed_only = run(scenario, BASE.with_rules(outreach=KeepInTouch(audience="lapsed")))
    assert lapsed_only.ledger.column("outreach_contacts")[0] == 0  # nobody has lapsed yet


# --- pruning ----------------------------------------------------------------------------
def test_dropped_customers_are_never_won_back():
    scenario = Scenario(**MARKET, caprice_propensity_mean=0.5, caprice_cost_usd=60.0)
    model = LoyaltyModel(scenario, BASE.with_rules(pruning=DropUnprofitable()), rng=2)
    ever_dropped = np.zeros(scenario.n_customers, dtype=bool)
    for _ in range(scenario.horizon_months):
        model.step()
        pop = model.population
        assert not (ever_dropped & (pop.status == ACTIVE)).any()
        ever_dropped |= pop.dropped
    assert ever_dropped.sum() == model.ledger.column("dropped").sum() > 0
    assert (model.population.status[ever_dropped] == LAPSED).all()
    kept = run(scenario, BASE)
    assert totals(kept, "dropped") == [0.0]


# --- listening --------------------------------------------------------------------------
def test_listening_lowers_the_failure_rate_toward_its_floor_at_a_cost():
    scenario = Scenario(**{**MARKET, "horizon_months": 36}, listening_learning_rate=1.0)
    deaf = run(scenario, BASE).ledger.column("failure_rate")
    model = run(scenario, BASE.with_rules(listening=Listen()))
    listening = model.ledger.column("failure_rate")
    assert (deaf == scenario.failure_rate).all()
    assert listening[0] == scenario.failure_rate
    assert (np.diff(listening) <= 0).all() and listening[-1] < 0.7 * scenario.failure_rate
    assert listening[-1] >= scenario.failure_rate * scenario.failure_rate_floor
    analysed, cost = totals(model, "complaints_analysed", "listening_cost_usd")
    assert cost == analysed * scenario.listening_cost_usd > 0


# --- public word of mouth ---------------------------------------------------------------
def test_public_word_of_mouth_reaches_people_beyond_the_network():
    talkative = {**QUIET, "wom_propensity_mean": 0.5, "failure_rate": 0.1}
    scenario = Scenario(**talkative, **MARKET, network="watts_strogatz", public_reach=50)
    private = run(scenario.replace(public_share=0.0), BASE)
    public = run(scenario.replace(public_share=1.0), BASE)
    assert totals(private, "wom_public_positive", "wom_public_negative") == [0.0, 0.0]
    speakers = totals(public, "wom_positive_messages", "wom_negative_messages")
    assert totals(public, "wom_public_positive", "wom_public_negative") == speakers
    # 50 random readers per message reach far more people than 2-4 network contacts
    assert (
        totals(public, "wom_public_negative_reached")[0]
        > 5 * totals(public, "wom_negative_reached")[0]
    )


# --- specs ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"recovery": "escalate", "recovery_priority": "loud"}, "policy.recovery_priority"),
        ({"recovery": "escalate", "recovery_capacity_per_month": -1}, "capacity_per_month"),
        ({"promises": "optimistic", "promises_days": 0}, "policy.promises_days"),
        ({"outreach": "keep_in_touch", "outreach_audience": "all"}, "policy.outreach_audience"),
        ({"pruning": "drop_unprofitable", "pruning_min_tenure_months": 1.5}, "min_tenure"),
        ({"guarantee": "money_back"}, "policy.guarantee"),
    ],
)
def test_bad_rule_parameters_name_the_parameter(spec, message):
    with pytest.raises(ParameterError, match=message):
        Policy.from_spec(spec)


def test_every_dimension_is_selectable_from_a_policy_table():
    spec = {
        "preset": "verify_first",
        "recovery": "escalate",
        "recovery_capacity_per_month": 5,
        "promises": "optimistic",
        "guarantee": "satisfaction",
        "outreach": "keep_in_touch",
        "pruning": "drop_unprofitable",
        "listening": "listen",
    }
    policy = Policy.from_spec(spec)
    assert policy.recovery == EscalateToManagement(capacity_per_month=5)
    assert Policy.from_spec(policy.to_spec()) == policy
    assert "recovery=escalate" in policy.describe() and "listening=listen" in policy.describe()
