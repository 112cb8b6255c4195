"""Outreach: keeping in touch with non-customers once a year converts some of them."""

from __future__ import annotations

import pytest

from loyaltysim import Scenario
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
