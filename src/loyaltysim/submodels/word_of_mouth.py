"""Step 8: word of mouth and fraud tips travel through the network.

**Who talks.** A person whose event effects this month sum to more than
``+wom_event_threshold`` (a strong positive experience) or less than
``-wom_event_threshold`` (a strong negative one) talks with probability
``wom_propensity_i``. An active promoter (satisfaction >= 0.8, 9-10 on the
0-10 recommend scale) without a strong experience recommends the firm with
probability ``promoter_talk_probability * wom_propensity_i``.

**Whom it reaches.** A positive message reaches ``wom_reach_positive``
contacts, a negative one ``wom_reach_negative`` (drawn with replacement from
the speaker's contacts). Each message heard moves the hearer's satisfaction
(a prospect's attitude) by ``+-wom_attitude_shift``; acquisition reads that
attitude next month.

**Public word of mouth** (story 0; papers/odd.md section 7.10). A speaker whose
public-mindedness uniform falls below ``public_share`` also makes the
experience public, and a person praising the firm after a management
recovery posts a positive public message (once, whether or not they also
speak to contacts). A public message reaches ``public_reach``
people drawn at random from the whole market (with replacement), not only
the speaker's contacts, and moves them like any other message.

**Fraud tips.** Each customer whose fraudulent claim was paid tells
``fraud_tip_reach`` contacts; those with honesty below
``fraud_tip_honesty_limit`` move their leniency belief toward 1 by
``fraud_tip_learning_rate``.
"""

from __future__ import annotations

import numpy as np

from loyaltysim.month import Month
from loyaltysim.network import SocialNetwork
from loyaltysim.population import ACTIVE, PROMOTER_SATISFACTION, Population
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import Draw

#: Event sums within this of the threshold count as equal to it (not strong).
TIE_MARGIN = 1e-9


def spread(
    population: Population, network: SocialNetwork, scenario: Scenario, month: Month
) -> None:
    """Send this month's positive and negative messages, public posts and fraud tips."""
    change = month.satisfaction_change
    # strictly beyond the threshold; the margin keeps sums that equal it (0.15 + 0.05 = 0.2)
    # on the same side whatever the order of the floating-point additions
    threshold = scenario.wom_event_threshold + TIE_MARGIN
    strong_positive = change > threshold
    strong_negative = change < -threshold
    promoter = (
        (population.status == ACTIVE)
        & (population.satisfaction >= PROMOTER_SATISFACTION)
        & ~strong_positive
        & ~strong_negative
    )
    p_talk = population.wom_propensity * np.where(
        strong_positive | strong_negative, 1.0, scenario.promoter_talk_probability * promoter
    )
    talks = month.uniform(Draw.TALK) < p_talk
    public = month.uniform(Draw.PUBLIC) < scenario.public_share
    rng, n, book = month.draws.rng, population.n, month.book
    heard = np.zeros(n)
    praised = np.zeros(n, dtype=bool)
    praised[month.praised] = True
    for valence, speakers, reach, sign, also_public in (
        ("positive", talks & ~strong_negative, scenario.wom_reach_positive, 1, praised),
        ("negative", talks & strong_negative, scenario.wom_reach_negative, -1, False),
    ):
        _, hearers = network.sample_contacts(np.flatnonzero(speakers), reach, rng)
        posters = np.count_nonzero((speakers & public) | also_public)
        readers = rng.integers(0, n, size=posters * scenario.public_reach)
        times_heard = np.bincount(hearers, minlength=n)
        times_read = np.bincount(readers, minlength=n)
        heard += sign * (times_heard + times_read)
        month.spoke[speakers] = sign
        book[f"wom_{valence}_messages"] = np.count_nonzero(speakers)
        book[f"wom_{valence}_reached"] = np.count_nonzero(times_heard)
        book[f"wom_public_{valence}"] = posters
        book[f"wom_public_{valence}_reached"] = np.count_nonzero(times_read)
    s = population.satisfaction
    s += scenario.wom_attitude_shift * heard
    np.clip(s, -1.0, 1.0, out=s)
    _tip(population, network, scenario, month)


def _tip(population: Population, network: SocialNetwork, scenario: Scenario, month: Month) -> None:
    """Claimants tell low-honesty contacts how their claim went.

    A fraudster paid without questions tells ``fraud_tip_reach`` contacts that
    claims get paid; a claimant whose claim was investigated tells
    ``check_tip_reach`` contacts that the firm checks claims (the leniency
    their own outcome taught them: ``1 - detection_rate`` if paid, 0 if
    rejected). A contact with honesty below ``fraud_tip_honesty_limit`` moves
    their leniency toward what they heard (the mean, if they heard several) by
    ``fraud_tip_learning_rate``; deterrence travels as tips of successful
    fraud do.
    """
    rng, limit = month.draws.rng, scenario.fraud_tip_honesty_limit
    belief, rate = population.leniency, scenario.fraud_tip_learning_rate
    _, told = network.sample_contacts(month.paid_fraudsters, scenario.fraud_tip_reach, rng)
    listeners = np.unique(told[population.honesty[told] < limit])
    belief[listeners] += rate * (1.0 - belief[listeners])
    month.book["fraud_tips"] = listeners.size
    tellers, learned = month.checked_claimants, month.checked_learned
    speakers, heard = network.sample_contacts(tellers, scenario.check_tip_reach, rng)
    dishonest = population.honesty[heard] < limit
    speakers, heard = speakers[dishonest], heard[dishonest]
    order = np.argsort(tellers)
    story = learned[order[np.searchsorted(tellers, speakers, sorter=order)]]
    listeners, which = np.unique(heard, return_inverse=True)
    if listeners.size:
        mean_story = np.bincount(which, weights=story) / np.bincount(which)
        belief[listeners] += rate * (mean_story - belief[listeners])
    month.book["check_tips"] = listeners.size
