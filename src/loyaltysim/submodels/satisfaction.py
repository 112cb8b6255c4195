"""Step 7: satisfaction drifts back to baseline and takes the month's events.

For every person::

    s_i <- clip(s_i + drift * (b_i + a_i - s_i) + sum of this month's event effects, -1, 1)

with ``drift`` = ``satisfaction_drift`` and ``b_i`` the person's baseline.
Event effects were added by the earlier submodels (failure, claim outcome,
discount and caprice answers); each fades with the drift, so its half-life is
``ln 2 / -ln(1 - drift)`` months (6.6 at the default): the goodwill of a
recovery fades as fast as the harm of a failure. ``a_i`` is the scar of a
false accusation: ``effect_accusation_scar`` while the accusation is
remembered (``accusation_memory_months``), else 0 — the falsely accused do not
drift back to their old baseline (story 4: nothing is worse).
"""

from __future__ import annotations

import numpy as np

from loyaltysim.month import Month
from loyaltysim.population import Population
from loyaltysim.scenario import Scenario


def update_satisfaction(population: Population, scenario: Scenario, month: Month) -> None:
    """Apply drift and this month's event effects to everyone's satisfaction."""
    s = population.satisfaction
    target = population.satisfaction_baseline
    if scenario.effect_accusation_scar:
        scarred = population.remembers(
            population.accused_month, month.t, scenario.accusation_memory_months
        )
        target = target + scenario.effect_accusation_scar * scarred
    s += scenario.satisfaction_drift * (target - s)
    s += month.satisfaction_change
    np.clip(s, -1.0, 1.0, out=s)
