"""Step 6 (continued): the firm learns from complaints (story 1 rule 2: Milliken).

The listening rule picks the month's complaints the firm analyses
(:meth:`~loyaltysim.policies.ListeningRule.analyse`); each costs
``listening_cost_usd``. Only genuine complaints point at a real fault: the
firm's *insight* grows by the genuine complaints analysed per 1,000 people in
the market, and from next month its failure rate is::

    failure_rate * (floor + (1 - floor) * exp(-listening_learning_rate * insight))

with ``floor`` = ``failure_rate_floor``. Requests (haggling, caprices) carry
no product information in this model.
"""

from __future__ import annotations

import math

import numpy as np

from loyaltysim.firm import Firm
from loyaltysim.month import Month
from loyaltysim.policies import ListeningRule, decide
from loyaltysim.population import Population
from loyaltysim.scenario import Scenario
from loyaltysim.submodels.claims import GENUINE


def listen(
    population: Population, firm: Firm, scenario: Scenario, rule: ListeningRule, month: Month
) -> None:
    """Analyse complaints and lower next month's failure rate."""
    claims = month.claims
    analysed = decide(rule, claims, population)
    cost = analysed * scenario.listening_cost_usd
    month.cost_usd[claims.customers] += cost
    informative = np.count_nonzero(analysed & (month.claim_kinds == GENUINE))
    firm.insights += 1_000.0 * informative / population.n
    floor = scenario.failure_rate_floor
    firm.failure_rate = scenario.failure_rate * (
        floor + (1.0 - floor) * math.exp(-scenario.listening_learning_rate * firm.insights)
    )
    month.book["complaints_analysed"] = np.count_nonzero(analysed)
    month.book["listening_cost_usd"] = float(cost.sum())
