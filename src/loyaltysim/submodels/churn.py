"""Step 9: active customers leave for a competitor.

Active customer ``i`` leaves at the end of the month with probability::

    max(1 - (1 - c_i) (1 - x_i),
        accused_churn_probability   if falsely accused this month,
        caught_fraud_churn_probability if exposed as a fraudster this month)

**Drift away.** ``c_i = min(1, base * exp(-beta_L (loyalty_i - 0.5) - beta_s
(s_i - s_bar)))``, with ``base`` = ``base_monthly_churn``, ``beta_L`` and
``beta_s`` the churn sensitivities and ``s_bar`` = ``satisfaction_baseline_mean``.

**Exit after a failure** (TARP, as quoted in secondary sources). A customer
whose purchase failed this month weighs whether to buy elsewhere::

    x_i = failure_exit_probability * (1 - exp(-v_i / L)) * h(outcome_i)

with ``v_i`` the failed purchase's value (the loss), ``L`` =
``failure_exit_loss_scale_usd`` and ``h`` the handling factor of the complaint
outcome: 1 if they did not complain, ``exit_factor_not_resolved`` if the front
line turned them away, ``exit_factor_resolved`` if resolved after an
investigation or by management, ``exit_factor_resolved_quickly`` if paid or
refunded at once (the TARP ratios of repurchase after a loss over $100:
9% < 19% < 54% < 82%); ``x_i = 0`` without a failure. A falsely accused
complainer leaves with ``accused_churn_probability`` at least, as above.

Those who stay add a month to their tenure. Churned customers become *lapsed*
and can be won back (:mod:`~loyaltysim.submodels.acquisition`). Customers the
firm dropped this month (:mod:`~loyaltysim.submodels.pruning`) become lapsed
too, are counted apart from churn, and are never won back.
"""

from __future__ import annotations

import numpy as np

from loyaltysim.month import NO_FAILURE, NOT_RESOLVED, RESOLVED, RESOLVED_QUICKLY, Month
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


def exit_after_failure(
    population: Population, scenario: Scenario, month: Month, who: np.ndarray
) -> np.ndarray:
    """Probability that each of ``who`` leaves because of this month's failure (0 if none).

    ``failure_exit_probability x (1 - exp(-loss / failure_exit_loss_scale_usd))``
    times the handling factor of their complaint outcome (see the module).
    """
    if not scenario.failure_exit_probability:
        return np.zeros(who.size)
    outcome = month.outcome[who]
    handling = np.select(
        [outcome == NOT_RESOLVED, outcome == RESOLVED, outcome == RESOLVED_QUICKLY],
        [
            scenario.exit_factor_not_resolved,
            scenario.exit_factor_resolved,
            scenario.exit_factor_resolved_quickly,
        ],
        1.0,
    )
    loss = population.basket_value_usd[who]
    scale = scenario.failure_exit_loss_scale_usd
    size = 1.0 - np.exp(-loss / scale) if scale > 0 else np.ones(who.size)
    return np.where(outcome == NO_FAILURE, 0.0, scenario.failure_exit_probability * size * handling)


def churn(population: Population, scenario: Scenario, month: Month) -> None:
    """Let active customers leave (papers/odd.md section 3, step 9)."""
    dropped = np.flatnonzero(month.dropped)
    population.status[dropped] = LAPSED
    population.dropped[dropped] = True
    active = np.flatnonzero(population.status == ACTIVE)
    drift = churn_probability(population, scenario, active)
    exit_ = exit_after_failure(population, scenario, month, active)
    p = drift + exit_ - drift * exit_  # either reason: 1 - (1 - drift)(1 - exit)
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
