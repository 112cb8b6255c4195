"""Docking (Axtell et al. 1996; Rand & Rust 2011): the array model and the idiomatic
Mesa reference (:mod:`loyaltysim.reference`), two implementations of one ODD
description, produce the same distributions of outcomes.

The test: for each named policy, 25 runs of each implementation (independent
seeds) on a small market with many events; for each of 11 outcomes a Welch t
test of the means and a two-sample Kolmogorov-Smirnov test of the
distributions, each at alpha = 0.01 / 88 (Bonferroni over 4 policies x 11
outcomes x 2 tests), so a false alarm has at most a 1% chance. A second test
shows the check has teeth: a 30% change in one rate is flagged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.stats

import loyaltysim as ls
from loyaltysim.reference import CORE, COUNTED_EVENTS, ReferenceModel

#: A small market with many claims, failures and messages, story mechanisms off.
DOCKING = dict(
    CORE,
    n_customers=600,
    horizon_months=24,
    failure_rate=0.1,
    complaint_propensity_mean=0.3,
    honesty_mean=0.7,
    fraud_propensity_max=0.1,
)
OUTCOMES = ("discounted_profit_usd", *COUNTED_EVENTS, "final_active")
SEEDS = 25
ALPHA = 0.01 / (len(ls.NAMED_POLICIES) * len(OUTCOMES) * 2)


def array_outcomes(scenario: ls.Scenario, policy: str) -> pd.DataFrame:
    rows = []
    for seed in range(SEEDS):
        monthly = ls.run(scenario, policy, seed=seed).monthly
        monthly["acquisitions"] = monthly[
            ["acquisitions_advertising", "acquisitions_wom", "acquisitions_outreach"]
        ].sum(axis=1)
        row = {k: monthly[k].sum() for k in OUTCOMES if k != "final_active"}
        rows.append({**row, "final_active": monthly["active"].iloc[-1]})
    return pd.DataFrame(rows)


def reference_outcomes(scenario: ls.Scenario, policy: str) -> pd.DataFrame:
    rows = []
    for seed in range(SEEDS):
        model = ReferenceModel(scenario, policy, rng=10_000 + seed)
        model.run_for(scenario.horizon_months)
        monthly = model.datacollector.get_model_vars_dataframe()
        row = {k: monthly[k].sum() for k in OUTCOMES if k != "final_active"}
        rows.append({**row, "final_active": monthly["active"].iloc[-1]})
    return pd.DataFrame(rows)


def disagreements(a: pd.DataFrame, b: pd.DataFrame) -> list[str]:
    """Outcomes whose means (Welch) or distributions (KS) differ at level ALPHA."""
    found = []
    for outcome in OUTCOMES:
        x, y = a[outcome].to_numpy(float), b[outcome].to_numpy(float)
        if x.std() == 0 and y.std() == 0:
            if x[0] != y[0]:
                found.append(f"{outcome}: constant {x[0]} vs {y[0]}")
            continue
        welch = scipy.stats.ttest_ind(x, y, equal_var=False).pvalue
        ks = scipy.stats.ks_2samp(x, y).pvalue
        if min(welch, ks) < ALPHA:
            found.append(
                f"{outcome}: {x.mean():.2f} vs {y.mean():.2f} (Welch p={welch:.2g}, KS p={ks:.2g})"
            )
    return found


@pytest.mark.parametrize("policy", ls.NAMED_POLICIES)
def test_the_array_model_docks_with_the_mesa_reference(policy):
    scenario = ls.Scenario(**DOCKING)
    fast, reference = array_outcomes(scenario, policy), reference_outcomes(scenario, policy)
    assert disagreements(fast, reference) == []
    assert fast["claims_genuine"].mean() > 30 and fast["wom_negative_messages"].mean() > 20


def test_docking_detects_a_different_model():
    scenario = ls.Scenario(**DOCKING)
    changed = scenario.replace(failure_rate=0.13)  # the reference runs a 30% higher failure rate
    found = disagreements(
        array_outcomes(scenario, "always_compensate"),
        reference_outcomes(changed, "always_compensate"),
    )
    assert any(f.startswith("failures") for f in found), found


def test_the_reference_refuses_what_it_does_not_implement():
    with pytest.raises(ls.ParameterError, match="frontline_deflection_rate"):
        ReferenceModel(ls.Scenario(n_customers=100, **{**CORE, "frontline_deflection_rate": 0.1}))
    with pytest.raises(ls.ParameterError, match=r"policy\.recovery"):
        policy = ls.Policy.from_spec({"recovery": "escalate"})
        ReferenceModel(ls.Scenario(n_customers=100, **CORE), policy)
    assert np.isfinite(ALPHA)
