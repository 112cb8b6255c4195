"""Satisfaction: drift back to baseline, and the lasting scar of a false accusation."""

from __future__ import annotations

import numpy as np
import pytest

from loyaltysim import LoyaltyModel, Policy, Scenario

#: Many false accusations (of sincere mistaken claims), no failures, nobody leaving: only
#: satisfaction is watched.
ACCUSING = dict(
    n_customers=4_000,
    horizon_months=36,
    failure_rate=0.0,
    lead_time_sigma=0.0,
    mistaken_claim_probability=0.1,
    false_accusation_rate=0.5,
    accused_churn_probability=0.0,
    base_monthly_churn=0.0,
)


def accused_gap(scenario: Scenario) -> float:
    """How far below other claimants' the satisfaction (against baseline) of those falsely
    accused in months 1-6 sits at the end.

    The firm verifies claims for six months, then pays every claim: nobody is accused after.
    """
    model = LoyaltyModel(scenario, "verify_first", rng=3, inspect_agents=False)
    accused = np.zeros(scenario.n_customers, dtype=bool)
    for _ in range(6):
        model.step()
        accused |= model.last_month.falsely_accused
    model.policy = Policy.preset("always_compensate")
    model.run_for(scenario.horizon_months - 6)
    pop = model.population
    assert accused.sum() > 50
    gap = pop.satisfaction - pop.satisfaction_baseline  # word of mouth moves everyone's
    others = (pop.claims > 0) & ~accused  # claimants too, but never accused
    return float(gap[accused].mean() - gap[others].mean())


def test_falsely_accused_customers_stay_dissatisfied():
    scenario = Scenario(**ACCUSING)
    scarred = accused_gap(scenario)
    healed = accused_gap(scenario.replace(effect_accusation_scar=0.0))
    # two and a half years on, the accused sit near the scar below the others
    assert scarred == pytest.approx(scenario.effect_accusation_scar, abs=0.1)
    assert abs(healed) < 0.1
    forgotten = accused_gap(scenario.replace(accusation_memory_months=6))
    assert abs(forgotten) < 0.1
