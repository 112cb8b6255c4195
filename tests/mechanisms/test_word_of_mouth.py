"""Word of mouth: who talks (only past the event threshold), how far bad news goes,
public posts beyond the network, and fraud tips passed to dishonest contacts."""

from __future__ import annotations

import loyaltysim as ls
from loyaltysim import Scenario
from loyaltysim.evidence.closed_forms import QUIET
from tests.mechanisms.helpers import BASE, FRAUDY, MARKET, run_model, totals


def test_negative_messages_reach_further_than_positive_ones():
    monthly = ls.run(Scenario(n_customers=5_000, horizon_months=24), rng=2).monthly
    per_negative = monthly["wom_negative_reached"].sum() / monthly["wom_negative_messages"].sum()
    per_positive = monthly["wom_positive_reached"].sum() / monthly["wom_positive_messages"].sum()
    assert per_negative > per_positive


def test_only_events_beyond_the_threshold_make_people_talk():
    quiet_but_talkative = {**QUIET, "wom_propensity_mean": 0.5, "wom_propensity_dispersion": 0.1}
    scenario = Scenario(**quiet_but_talkative, n_customers=2_000, horizon_months=12)
    for threshold in (0.0, 0.2):
        monthly = ls.run(scenario.replace(wom_event_threshold=threshold), rng=1).monthly
        assert monthly["wom_negative_messages"].sum() == 0  # nothing bad happened
        assert monthly["wom_positive_messages"].sum() > 0  # promoters still recommend


def test_fraud_tips_spread_leniency_to_dishonest_contacts():
    with_tips = run_model(Scenario(**FRAUDY, fraud_tip_reach=4), "always_compensate")
    without = run_model(Scenario(**FRAUDY, fraud_tip_reach=0), "always_compensate")
    assert with_tips.ledger.column("fraud_tips").sum() > 0
    assert without.ledger.column("fraud_tips").sum() == 0
    dishonest_unclaimed = (with_tips.population.honesty < 0.5) & (with_tips.population.claims == 0)
    lifted = with_tips.population.leniency[dishonest_unclaimed]
    assert lifted.mean() > without.population.leniency[dishonest_unclaimed].mean()


def test_public_word_of_mouth_reaches_people_beyond_the_network():
    talkative = {**QUIET, "wom_propensity_mean": 0.5, "failure_rate": 0.1}
    scenario = Scenario(**talkative, **MARKET, network="watts_strogatz", public_reach=50)
    private = run_model(scenario.replace(public_share=0.0), BASE)
    public = run_model(scenario.replace(public_share=1.0), BASE)
    assert totals(private, "wom_public_positive", "wom_public_negative") == [0.0, 0.0]
    speakers = totals(public, "wom_positive_messages", "wom_negative_messages")
    assert totals(public, "wom_public_positive", "wom_public_negative") == speakers
    # 50 random readers per message reach far more people than 2-4 network contacts
    assert (
        totals(public, "wom_public_negative_reached")[0]
        > 5 * totals(public, "wom_negative_reached")[0]
    )
