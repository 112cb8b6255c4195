"""Requests: fixed prices grant no discounts; refused caprices cost nothing."""

from __future__ import annotations

import loyaltysim as ls
from loyaltysim import Scenario


def test_fixed_prices_grant_no_discounts_and_refused_caprices_cost_nothing():
    scenario = Scenario(n_customers=2_000, horizon_months=12)
    fixed = ls.run(scenario, "fixed_pricing", rng=1).monthly
    assert fixed["discount_requests"].sum() > 0
    assert fixed["discounts_usd"].sum() == 0 and fixed["discounts_granted"].sum() == 0
    refuse = ls.run(scenario, "refuse_caprices", rng=1).monthly
    assert refuse["caprices"].sum() > 0 and refuse["caprice_cost_usd"].sum() == 0
    negotiable = ls.run(scenario, "always_compensate", rng=1).monthly
    assert negotiable["discounts_usd"].sum() > 0 and negotiable["caprice_cost_usd"].sum() > 0
