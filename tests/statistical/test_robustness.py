"""Robustness of every verdict: each case's unsourced assumptions, scanned over their ranges.

The scans here run on small markets (2,000 people or fewer, few levels and replications);
the full-size switching values are the paper's (``python -m paper --only robustness``).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import loyaltysim as ls
from loyaltysim.cases import CASES, Assumption, Case, get_case
from loyaltysim.errors import ParameterError

BASE = ls.Policy.preset("always_compensate")
ESCALATE = BASE.with_rules("escalate", recovery=ls.EscalateToManagement(capacity_per_1000=1.0))
#: ceo_phone_call's public market, small: escalating pays when management time is cheap enough.
PUBLIC = {"public_share": 0.2, "public_reach": 100, "n_customers": 2_000, "horizon_months": 24}


def toy_case(challenger: ls.Policy, assumption: Assumption, **changes) -> Case:
    """A one-question case: ``challenger`` against ``always_compensate``, one assumption."""
    return Case(
        name="toy",
        title="a toy case",
        story="story 0: a toy",
        question="Does the challenger pay?",
        changes=changes,
        policies=(BASE, challenger),
        story_answer=challenger.name,
        story_says="it pays",
        mechanism="Its cost is booked and nothing else changes.",
        replications=3,
        assumptions=(assumption,),
    )


# --- the declarations ------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(CASES))
def test_every_case_declares_unsourced_assumptions_with_a_range_around_its_value(name):
    case = get_case(name)
    assert 2 <= len(case.assumptions) <= 4
    assert len({a.name for a in case.assumptions}) == len(case.assumptions)
    for assumption in case.assumptions:
        value = getattr(case.scenario, assumption.name)
        assert assumption.low <= value <= assumption.high, assumption
        assert len(assumption.why) > 20
        # no source pins the number down: a stated assumption, or a story without a number
        assert assumption.source.startswith(("stated assumption", "story ")), assumption.source


def test_an_assumption_refuses_what_cannot_be_scanned():
    with pytest.raises(ParameterError, match="failur_rate"):
        Assumption("failur_rate", 0.0, 0.1, "typo")
    with pytest.raises(ParameterError, match="above low"):
        Assumption("failure_rate", 0.1, 0.1, "no range")
    with pytest.raises(ParameterError, match="numeric"):
        Assumption("network", 0.0, 1.0, "a choice")
    with pytest.raises(ParameterError, match="why"):
        Assumption("failure_rate", 0.0, 0.1, " ")
    with pytest.raises(ParameterError, match="high"):
        Assumption("failure_rate", 0.0, 2.0, "beyond a probability")


def test_levels_are_evenly_spaced_clean_and_whole_for_whole_numbers():
    refused = Assumption("effect_discount_refused", -0.2, 0.0, "why")
    assert refused.levels(5) == [-0.2, -0.15, -0.1, -0.05, 0.0]
    assert Assumption("public_reach", 10, 12, "why").levels(5) == [10, 11, 12]
    with pytest.raises(ParameterError, match="levels"):
        refused.levels(1)


def test_a_case_without_assumptions_or_with_one_level_has_nothing_to_scan():
    case = toy_case(ESCALATE, Assumption("management_cost_usd", 0.0, 10.0, "why"))
    with pytest.raises(ParameterError, match="at least one Assumption"):
        dataclasses.replace(case, assumptions=()).robustness()
    with pytest.raises(ParameterError, match="levels"):
        case.robustness(levels=1)


# --- the scan --------------------------------------------------------------------------------
@pytest.mark.slow
def test_the_switching_value_of_a_linear_cost_is_exact():
    # management time is only booked (no pruning): the paired difference is linear in its
    # cost, replication by replication, so interpolation finds the exact break-even
    case = toy_case(ESCALATE, Assumption("management_cost_usd", 0.0, 1_000.0, "why"), **PUBLIC)
    robustness = case.robustness(levels=3)
    switching = robustness.switching()
    assert len(switching) == 1
    value = switching["switching_value"].iloc[0]
    assert 0 < value < 1_000
    at_switch = case.run(scenario=case.scenario.replace(management_cost_usd=float(value)))
    paired = at_switch.comparison.paired()
    assert abs(paired.loc["escalate", "difference"]) < 1e-3
    # point 0 of the scan is the case itself, to the digit (same seeds at every level)
    table = robustness.table()
    market = table[table["market"]].iloc[0]
    own = case.run().comparison.paired().loc["escalate"]
    assert market["difference"] == own["difference"] and market["low"] == own["low"]
    sentence = robustness.sentences()[0]
    # a cost lowers the challenger's NPV: a verdict against it flips below the switching value
    side = "below" if own["difference"] < 0 else "above"
    assert f"unless management_cost_usd is {side} {value:.3g}" in sentence
    assert "scanned 0 to 1000" in sentence
    reading = case.run().with_robustness(robustness).reading()
    assert "switches with management_cost_usd (at " in reading


@pytest.mark.slow
def test_no_switch_in_range_is_said_with_the_range():
    # cards that convert no one only cost: the difference is negative at every cost, and
    # linear in it (common random numbers across levels)
    cards = BASE.with_rules("keep_in_touch", outreach=ls.KeepInTouch())
    case = toy_case(
        cards,
        Assumption("outreach_cost_usd", 1.0, 8.0, "why"),
        outreach_response=0.0,
        n_customers=1_000,
        horizon_months=24,
    )
    robustness = case.robustness(levels=4, replications=2)
    table = robustness.table()
    assert (table["difference"] < 0).all() and table["excludes_zero"].all()
    steps = np.diff(table["difference"].to_numpy()) / np.diff(table["level"].to_numpy())
    assert np.allclose(steps, steps[0], rtol=1e-9)
    assert robustness.switching()["switching_value"].isna().all()
    assert robustness.sentences() == [
        "keep_in_touch earns less than always_compensate at every tested value of "
        "outreach_cost_usd (default 2; scanned 1 to 8; the 95% CI excludes 0 at 5 of 5 levels)."
    ]
    assert "no tested assumption flips it in range (outreach_cost_usd 1 to 8" in (
        robustness.summary()
    )
    result = case.run(replications=2)
    elsewhere = case.scenario.replace(n_customers=900)
    with pytest.raises(ParameterError, match="robustness"):
        result.with_robustness(case.robustness(levels=2, replications=2, scenario=elsewhere))
    data = result.with_robustness(robustness).to_dict()["robustness"]
    assert data["switching"][0]["switching_value"] is None
    assert data["assumptions"][0]["market_value"] == 2.0


# --- the test: every verdict names its switching assumptions, or none in range ------
@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_every_verdict_names_its_switching_assumptions_or_says_none_in_range(name):
    case = get_case(name)
    market = case.scenario.replace(n_customers=2_000)
    robustness = case.robustness(levels=2, replications=2, scenario=market)
    result = case.run(replications=2, scenario=market).with_robustness(robustness)
    reading = result.reading()
    switching = robustness.switching()
    flips = switching.dropna(subset=["switching_value"])
    if flips.empty:
        assert "no tested assumption flips it in range" in reading
    for assumption in flips["assumption"].unique():
        assert f"{assumption} (at " in reading
    sentences = robustness.sentences()
    assert len(sentences) == len(case.assumptions)
    for assumption, sentence in zip(case.assumptions, sentences, strict=True):
        assert assumption.name in sentence
        flipped = assumption.name in set(flips["assumption"])
        assert ("at every tested value" not in sentence) == flipped
