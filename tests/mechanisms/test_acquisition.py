"""Acquisition: word of mouth brings customers (and bad news keeps them away); lapsed
customers can be won back."""

from __future__ import annotations

import loyaltysim as ls
from loyaltysim import Scenario
from tests.mechanisms.helpers import run_model


def test_word_of_mouth_brings_customers_and_bad_news_keeps_them_away():
    base = dict(n_customers=5_000, horizon_months=36)
    no_imitation = ls.run(Scenario(**base, imitation_rate=0.0), rng=4).monthly
    imitation = ls.run(Scenario(**base), rng=4).monthly
    assert no_imitation["acquisitions_wom"].sum() == 0
    assert imitation["acquisitions_wom"].sum() > imitation["acquisitions_advertising"].sum()
    quiet = Scenario(**base, wom_propensity_mean=0.0, wom_propensity_dispersion=0.0)
    assert ls.run(quiet, rng=4).summary["wom_negative_messages"] == 0
    # failures drive customers away too (exit after a failure); here only what they say counts
    talk = dict(base, failure_exit_probability=0.0)
    good = run_model(Scenario(**talk), "always_compensate", seed=4)
    bad = run_model(Scenario(**talk, failure_rate=0.4), "always_compensate", seed=4)
    assert (
        bad.ledger.column("wom_negative_messages").sum()
        > 3 * good.ledger.column("wom_negative_messages").sum()
    )
    attitude = [
        (m.population.satisfaction - m.population.satisfaction_baseline)[m.population.status == 0]
        for m in (good, bad)
    ]
    # prospects who heard bad news think less of the firm, which lowers their conversion
    assert attitude[1].mean() < attitude[0].mean() - 0.01


def test_lapsed_customers_can_be_won_back():
    scenario = Scenario(n_customers=3_000, horizon_months=48)
    assert ls.run(scenario, rng=1).monthly["winbacks"].sum() > 0
    never = ls.run(scenario.replace(winback_factor=0.0), rng=1).monthly
    assert never["winbacks"].sum() == 0
