"""Listening: analysed complaints lower the failure rate toward its floor, at a cost."""

from __future__ import annotations

import numpy as np

from loyaltysim import Scenario
from loyaltysim.policies import (
    Listen,
)
from tests.mechanisms.helpers import BASE, MARKET, run_model, totals


def test_listening_lowers_the_failure_rate_toward_its_floor_at_a_cost():
    scenario = Scenario(**{**MARKET, "horizon_months": 36}, listening_learning_rate=1.0)
    deaf = run_model(scenario, BASE).ledger.column("failure_rate")
    model = run_model(scenario, BASE.with_rules(listening=Listen()))
    listening = model.ledger.column("failure_rate")
    assert (deaf == scenario.failure_rate).all()
    assert listening[0] == scenario.failure_rate
    assert (np.diff(listening) <= 0).all() and listening[-1] < 0.7 * scenario.failure_rate
    assert listening[-1] >= scenario.failure_rate * scenario.failure_rate_floor
    analysed, cost = totals(model, "complaints_analysed", "listening_cost_usd")
    assert cost == analysed * scenario.listening_cost_usd > 0
