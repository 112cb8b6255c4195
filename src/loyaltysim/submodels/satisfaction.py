"""Step 7: satisfaction drifts back to baseline and takes the month's events.

For every person::

    s_i <- clip(s_i + drift * (b_i - s_i) + sum of this month's event effects, -1, 1)

with ``drift`` = ``satisfaction_drift`` and ``b_i`` the person's baseline.
Event effects were added by the earlier submodels (failure, claim outcome,
discount and caprice answers).
"""

from __future__ import annotations

import numpy as np

from loyaltysim.month import Month
from loyaltysim.population import Population
from loyaltysim.scenario import Scenario


def update_satisfaction(population: Population, scenario: Scenario, month: Month) -> None:
    """Apply drift and this month's event effects to everyone's satisfaction."""
    s = population.satisfaction
    s += scenario.satisfaction_drift * (population.satisfaction_baseline - s)
    s += month.satisfaction_change
    np.clip(s, -1.0, 1.0, out=s)
