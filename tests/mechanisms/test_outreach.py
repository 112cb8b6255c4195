"""Outreach: keeping in touch with non-customers once a year converts some of them."""

from __future__ import annotations

import pytest

from loyaltysim import LoyaltyModel, Scenario
from loyaltysim.policies import (
    KeepInTouch,
)
from tests.mechanisms.helpers import BASE, MARKET, run_model, totals


def test_keep_in_touch_contacts_each_non_customer_once_a_year_and_converts_some():
    scenario = Scenario(**{**MARKET, "horizon_months": 36})
    model = run_model(scenario, BASE.with_rules(outreach=KeepInTouch()))
    contacts, cost, converted = totals(
        model, "outreach_contacts", "outreach_cost_usd", "acquisitions_outreach"
    )
    assert cost == contacts * scenario.outreach_cost_usd
    assert converted > 0 and totals(run_model(scenario, BASE), "acquisitions_outreach") == [0.0]
    first = model.ledger.column("outreach_contacts")[0]
    assert first == pytest.approx(model.ledger.column("prospects")[0] / 12, rel=0.15)
    lapsed_only = run_model(scenario, BASE.with_rules(outreach=KeepInTouch(audience="lapsed")))
    assert lapsed_only.ledger.column("outreach_contacts")[0] == 0  # nobody has lapsed yet


def test_outreach_goodwill_fades_with_its_half_life():
    scenario = Scenario(**MARKET, outreach_goodwill_half_life_months=6.0)
    policy = BASE.with_rules(outreach=KeepInTouch(interval_months=24))
    model = LoyaltyModel(scenario, policy, rng=1, inspect_agents=False)
    model.run_for(24)
    pop = model.population
    once = (pop.outreach_contacts == 1) & (pop.status != 1)
    assert once.sum() > 100
    # one contact, made 0 to 23 months ago, weighs 2^(-months / 6): between 1/16 and 1
    weights = pop.outreach_goodwill[once]
    assert weights.max() <= 1.0 + 1e-6 and weights.min() >= 2 ** (-23 / 6) - 1e-6
    assert weights.mean() < 0.5
    lasting = LoyaltyModel(scenario.replace(outreach_goodwill_half_life_months=1e6), policy, rng=1)
    lasting.run_for(24)
    kept = lasting.population
    assert kept.outreach_goodwill[kept.outreach_contacts == 1].min() > 0.99
