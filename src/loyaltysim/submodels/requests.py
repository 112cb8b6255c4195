"""Steps 5 and 6: discount requests and caprices, and the policy's answers.

Each purchase comes with a discount request (haggling) with probability
``haggle_propensity_i`` and a caprice (an unreasonable service demand) with
probability ``caprice_propensity_i``. The pricing rule grants or refuses the
discount (granted: ``haggle_discount_share`` of the basket is given away);
the caprices rule accommodates the demand (costing ``caprice_cost_usd``) or
refuses it professionally. Each answer moves the customer's satisfaction by
its ``effect_*`` parameter (story 3).
"""

from __future__ import annotations

import numpy as np

from loyaltysim.month import Month
from loyaltysim.policies import CapriceRule, PricingRule, decide
from loyaltysim.population import Population
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import Draw


def _answer(
    month: Month,
    population: Population,
    who: np.ndarray,
    yes: np.ndarray,
    cost_usd: np.ndarray,
    effect_yes: float,
    effect_no: float,
) -> float:
    """Book the cost of granted requests and the satisfaction effect of all; return the cost."""
    cost = np.where(yes, cost_usd, 0.0)
    month.cost_usd[who] += cost
    month.satisfaction_change[who] += np.where(yes, effect_yes, effect_no)
    return float(cost.sum())


def haggle(population: Population, scenario: Scenario, rule: PricingRule, month: Month) -> None:
    """Discount requests on this month's purchases, answered by the pricing rule."""
    buyers = month.buyers
    asks = month.uniform(Draw.HAGGLE, buyers) < population.haggle_propensity[buyers]
    who = buyers[asks]
    granted = decide(rule, who, population)
    discount = scenario.haggle_discount_share * population.basket_value_usd[who]
    month.book["discount_requests"] = who.size
    month.book["discounts_granted"] = np.count_nonzero(granted)
    month.book["discounts_usd"] = _answer(
        month,
        population,
        who,
        granted,
        discount,
        scenario.effect_discount_granted,
        scenario.effect_discount_refused,
    )


def caprices(population: Population, scenario: Scenario, rule: CapriceRule, month: Month) -> None:
    """Caprices on this month's purchases, answered by the caprices rule."""
    buyers = month.buyers
    demands = month.uniform(Draw.CAPRICE, buyers) < population.caprice_propensity[buyers]
    who = buyers[demands]
    accommodated = decide(rule, who, population)
    month.book["caprices"] = who.size
    month.book["caprices_accommodated"] = np.count_nonzero(accommodated)
    month.book["caprice_cost_usd"] = _answer(
        month,
        population,
        who,
        accommodated,
        np.full(who.size, scenario.caprice_cost_usd),
        scenario.effect_caprice_accommodated,
        scenario.effect_caprice_refused,
    )
