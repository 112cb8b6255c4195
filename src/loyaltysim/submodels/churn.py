"""Step 9: active customers leave for a competitor.

Active customer ``i`` leaves at the end of the month with probability::

    max(min(1, base * exp(-beta_L (loyalty_i - 0.5) - beta_s (s_i - s_bar))),
        accused_churn_probability   if falsely accused this month,
        caught_fraud_churn_probability if exposed as a fraudster this month)

with ``base`` = ``base_monthly_churn``, ``beta_L`` and ``beta_s`` the churn
sensitivities and ``s_bar`` = ``satisfaction_baseline_mean``. Those who stay
add a month to their tenure. Churned customers become *lapsed* and can be won
back (:mod:`~loyaltysim.submodels.acquisition`). Customers the firm dropped
this month (:mod:`~loyaltysim.submodels.pruning`) become lapsed too, are
counted apart from churn, and are never won back.
"""

from __future__ import annotations

import numpy as np

from loyaltysim.month import Month
from loyaltysim.population import ACTIVE, LAPSED, Population
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import Draw


def churn_probability(population: Population, scenario: Scenario, who: np.ndarray) -> np.ndarray:
    """Monthly churn probability of ``who`` from loyalty and satisfaction alone."""
    hazard = scenario.base_monthly_churn * np.exp(
        -scenario.churn_loyalty_sensitivity * (population.loyalty[who] - 0.5)
        - scenario.churn_satisfaction_sensitivity
        * (population.satisfaction[who] - scenario.satisfaction_baseline_mean)
    )
    return np.minimum(hazard, 1.0)


def churn(population: Population, scenario: Scenario, month: Month) -> None:
    """Let active customers leave (papers/odd.md section 3, step 9)."""
    dropped = np.flatnonzero(month.dropped)
    population.status[dropped] = LAPSED
    population.dropped[dropped] = True
    active = np.flatnonzero(population.status == ACTIVE)
    p = churn_probability(population, scenario, active)
    accused = month.falsely_accused[active]
    caught = month.caught[active]
    p = np.where(accused, np.maximum(p, scenario.accused_churn_probability), p)
    p = np.where(caught, np.maximum(p, scenario.caught_fraud_churn_probability), p)
    leaves = month.uniform(Draw.CHURN, active) < p
    population.status[active[leaves]] = LAPSED
    population.tenure_months[active[~leaves]] += 1
    month.book["churned"] = np.count_nonzero(leaves)
    month.book["churned_after_accusation"] = np.count_nonzero(leaves & accused)
    month.book["dropped"] = dropped.size
