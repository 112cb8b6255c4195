"""Pruning: customers dropped as unprofitable are never won back."""

from __future__ import annotations

import numpy as np

from loyaltysim import LoyaltyModel, Scenario
from loyaltysim.policies import (
    DropUnprofitable,
)
from loyaltysim.population import ACTIVE, LAPSED
from tests.mechanisms.helpers import BASE, MARKET, run_model, totals


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
    kept = run_model(scenario, BASE)
    assert totals(kept, "dropped") == [0.0]
