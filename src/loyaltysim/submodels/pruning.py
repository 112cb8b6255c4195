"""Step 6 (end): the firm drops customers it no longer wants (story 3).

The pruning rule reviews every active customer on the books closed so far
(:meth:`~loyaltysim.policies.PruningRule.drop`). A dropped customer's
satisfaction moves by ``effect_dropped``, so they may speak ill of the firm
this month (:mod:`~loyaltysim.submodels.word_of_mouth`); at the end of the
month they become lapsed and are never won back
(:mod:`~loyaltysim.submodels.churn`).
"""

from __future__ import annotations

import numpy as np

from loyaltysim.month import Month
from loyaltysim.policies import PruningRule, decide
from loyaltysim.population import ACTIVE, Population
from loyaltysim.scenario import Scenario


def prune(population: Population, scenario: Scenario, rule: PruningRule, month: Month) -> None:
    """Mark the customers the pruning rule drops this month."""
    active = np.flatnonzero(population.status == ACTIVE)
    dropped = active[decide(rule, active, population)]
    month.dropped[dropped] = True
    month.satisfaction_change[dropped] += scenario.effect_dropped
