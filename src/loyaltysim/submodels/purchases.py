"""Steps 2-3: active customers buy; some purchases fail.

Active customer ``i`` buys with probability ``purchase_probability_i`` and
spends ``basket_value_usd_i``; the firm keeps ``gross_margin`` of it. Each
purchase fails (a defect, a late or lost delivery) with probability
``failure_rate``, which moves the buyer's satisfaction by ``effect_failure``.
"""

from __future__ import annotations

import numpy as np

from loyaltysim.month import Draw, Month
from loyaltysim.population import ACTIVE, Population
from loyaltysim.scenario import Scenario


def purchase(population: Population, scenario: Scenario, month: Month) -> None:
    """Book purchases and service failures (MODEL.md section 3, steps 2-3)."""
    active = np.flatnonzero(population.status == ACTIVE)
    buys = month.uniform(Draw.PURCHASE, active) < population.purchase_probability[active]
    buyers = active[buys]
    revenue = population.basket_value_usd[buyers]
    month.buyers = buyers
    month.margin_usd[buyers] = scenario.gross_margin * revenue
    failed = month.uniform(Draw.FAIL, buyers) < scenario.failure_rate
    month.failed = failed
    failed_buyers = buyers[failed]
    month.satisfaction_change[failed_buyers] += scenario.effect_failure
    population.failures[failed_buyers] += 1
    book = month.book
    total = float(revenue.sum())
    book["purchases"] = buyers.size
    book["revenue_usd"] = total
    book["cost_of_goods_usd"] = (1.0 - scenario.gross_margin) * total
    book["failures"] = failed_buyers.size
