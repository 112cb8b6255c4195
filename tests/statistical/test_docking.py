"""Docking (Axtell et al. 1996; Rand & Rust 2011): the array model and the idiomatic
Mesa reference (:mod:`loyaltysim.evidence.reference`), two implementations of one ODD
description, produce the same distributions of outcomes.

The test: for each named policy, 25 runs of each implementation (independent
seeds) on a small market with many events; for each of 11 outcomes a Welch t
test of the means and a two-sample Kolmogorov-Smirnov test of the
distributions, each at alpha = 0.01 / 88 (Bonferroni over 4 policies x 11
outcomes x 2 tests), so a false alarm has at most a 1% chance. A second test
shows the check has teeth: a 30% change in one rate is flagged. The market,
runs and tests live in :mod:`loyaltysim.evidence.docking` (notebook 08 shows them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import loyaltysim as ls
from loyaltysim.evidence.docking import (
    ALPHA,
    DOCKED_OUTCOMES,
    DOCKING,
    array_outcomes,
    disagreements,
    reference_outcomes,
)
from loyaltysim.evidence.reference import CORE, ReferenceModel

SEEDS = 25


def test_the_docking_check_is_the_documented_one():
    assert len(DOCKED_OUTCOMES) == 11 and len(ls.NAMED_POLICIES) == 4
    assert set(DOCKED_OUTCOMES) <= set(ls.outcomes.OUTCOMES)
    assert pytest.approx(0.01 / 88) == ALPHA


def test_the_reference_runs_on_its_own_seeds():
    tiny = ls.Scenario(**DOCKING).replace(n_customers=100, horizon_months=6)
    model = ReferenceModel(tiny, "verify_first", rng=10_000 + 3)
    model.run_for(tiny.horizon_months)
    monthly = model.datacollector.get_model_vars_dataframe()
    runs = reference_outcomes(tiny, "verify_first", [3])
    assert runs.loc[0, "failures"] == monthly["failures"].sum()
    assert runs.loc[0, "final_active"] == monthly["active"].iloc[-1]


def test_constant_outcomes_dock_only_when_equal():
    ones = pd.DataFrame({k: [1.0] * 5 for k in DOCKED_OUTCOMES})
    assert disagreements(ones, ones) == []
    found = disagreements(ones, ones * 2)
    assert len(found) == len(DOCKED_OUTCOMES) and "constant 1.0 vs 2.0" in found[0]


@pytest.mark.slow
@pytest.mark.parametrize("policy", ls.NAMED_POLICIES)
def test_the_array_model_docks_with_the_mesa_reference(policy):
    scenario = ls.Scenario(**DOCKING)
    fast = array_outcomes(scenario, policy, SEEDS)
    reference = reference_outcomes(scenario, policy, SEEDS)
    assert len(fast) == len(reference) == SEEDS
    assert disagreements(fast, reference) == []
    assert fast["claims_genuine"].mean() > 30 and fast["wom_negative_messages"].mean() > 20


@pytest.mark.slow
def test_docking_detects_a_different_model():
    scenario = ls.Scenario(**DOCKING)
    changed = scenario.replace(failure_rate=0.13)  # the reference runs a 30% higher failure rate
    found = disagreements(
        array_outcomes(scenario, "always_compensate", SEEDS),
        reference_outcomes(changed, "always_compensate", SEEDS),
    )
    assert any(f.startswith("failures") for f in found), found


def test_the_reference_refuses_what_it_does_not_implement():
    with pytest.raises(ls.ParameterError, match="frontline_deflection_rate"):
        ReferenceModel(ls.Scenario(n_customers=100, **{**CORE, "frontline_deflection_rate": 0.1}))
    with pytest.raises(ls.ParameterError, match=r"policy\.recovery"):
        policy = ls.Policy.from_spec({"recovery": "escalate"})
        ReferenceModel(ls.Scenario(n_customers=100, **CORE), policy)
    assert np.isfinite(ALPHA)
