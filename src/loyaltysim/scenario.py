"""The scenario: every parameter of the market the firm does not choose.

A :class:`Scenario` holds the population, the market, the costs and the
horizon. Each parameter is declared once, as a dataclass field whose metadata
carries its unit, allowed range, meaning and source; that one declaration
drives validation, ``loyaltysim params``, TOML files and ``--set`` overrides.

The firm's choices (the policy levers) live in :mod:`loyaltysim.policies`.

Example:
    >>> from loyaltysim import Scenario
    >>> scenario = Scenario(n_customers=2_000, failure_rate=0.08)
    >>> scenario.monthly_discount_rate  # doctest: +ELLIPSIS
    0.00797...
    >>> Scenario(failure_rate=1.5)
    Traceback (most recent call last):
    ...
    loyaltysim.errors.ParameterError: failure_rate: got 1.5; accepts a number in [0, 1]
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loyaltysim._io import read_toml
from loyaltysim.errors import ParameterError, ScenarioFileError, brief
from loyaltysim.params import (
    ParameterSpec,
    close_match,
    dispersion,
    effect,
    money,
    param,
    probability,
    share,
    specs_of,
)

__all__ = ["NETWORKS", "Scenario", "load_scenario_file"]

#: Social network generators a scenario may name.
NETWORKS = ("watts_strogatz", "barabasi_albert", "erdos_renyi", "complete")


@dataclass(frozen=True)
class Scenario:
    """The market a policy meets: population, purchases, claims, costs, horizon.

    Every field is validated on construction; the first problem found raises
    :class:`~loyaltysim.errors.ParameterError`. Build variants with
    :meth:`replace`, from TOML with :meth:`from_toml`, and list every field
    with :meth:`specs`.

    Money is in US dollars; probabilities and rates are per month or per
    purchase as their unit says; satisfaction lives on [-1, 1].
    """

    # --- market and horizon -------------------------------------------------
    n_customers: int = param(
        10_000,
        unit="people",
        low=10,
        high=10_000_000,
        group="market",
        meaning="people in the market: prospects, active and lapsed customers together",
        source="stated assumption: a town-sized market, in which the named policies' NPVs "
        "differ beyond the noise of 20 paired replications (papers/paper.md section 5.1)",
    )
    horizon_months: int = param(
        60,
        unit="months",
        low=1,
        high=1_200,
        group="market",
        meaning="months simulated; profit after the horizon is not counted",
        source="stated assumption: five years, long enough for churn and word of mouth to "
        "build up (papers/odd.md section 2.4)",
    )
    annual_discount_rate: float = param(
        0.10,
        unit="1/year",
        low=0.0,
        high=1.0,
        group="market",
        meaning="discount rate; applied monthly as (1 + rate)^(1/12) - 1",
        source="stated assumption: 10% a year, a usual cost of capital (papers/odd.md section 2.4)",
    )
    initial_active_share: float = share(
        0.2,
        group="market",
        meaning="share of the market that are customers at month 0; the rest are prospects",
        source="stated assumption: an established firm with room to grow",
    )
    initial_customers: int | None = param(
        None,
        kind="int",
        unit="people",
        low=0,
        high=10_000_000,
        group="market",
        meaning="the firm's current customers at month 0, instead of initial_active_share "
        "(at most n_customers, the whole market); unset: initial_active_share x n_customers",
        source="stated assumption: unset, so initial_active_share decides; a client gives "
        "its own customer count",
    )
    # --- social network -----------------------------------------------------
    network: str = param(
        "watts_strogatz",
        unit="generator",
        choices=NETWORKS,
        group="network",
        meaning="social network among all people; 'complete' is the well-mixed market",
        source="small world as in Goldenberg et al. 2007 (papers/odd.md section 2.3)",
    )
    network_mean_degree: int = param(
        8,
        unit="contacts",
        low=2,
        high=1_000,
        group="network",
        meaning="mean number of contacts per person (ignored for 'complete')",
        source=(
            "stated assumption, the size at which the memory per customer is measured "
            "(benchmarks/throughput.py)"
        ),
    )
    network_rewiring: float = param(
        0.1,
        unit="probability",
        low=0.0,
        high=1.0,
        group="network",
        meaning="Watts-Strogatz rewiring probability of each edge",
        source="Watts & Strogatz 1998: 0.01-0.1 gives the small-world regime",
    )
    # --- population traits --------------------------------------------------
    honesty_mean: float = share(
        0.85,
        group="population",
        meaning="mean honesty; fraud propensity scales with (1 - honesty)^2",
        source="stated assumption: most people honest, a minority opportunistic "
        "(papers/odd.md section 2.1)",
    )
    honesty_dispersion: float = dispersion(
        0.2,
        group="population",
        source="stated assumption: a minority opportunistic; with mean 0.85, 4.6% of "
        "people have honesty below 0.5 and 0.7% below 0.3",
    )
    loyalty_mean: float = share(
        0.5,
        group="population",
        meaning="mean loyalty (switching cost); lowers churn and fraud",
        source="stated assumption: 0.5 is the reference loyalty of base_monthly_churn",
    )
    loyalty_dispersion: float = dispersion(
        0.15,
        group="population",
        source="stated assumption: loyalty sd about 0.19, so a customer's "
        "churn ranges over a factor of about 4 across the middle 95%",
    )
    purchase_probability_mean: float = probability(
        0.6,
        per="month",
        group="population",
        meaning="mean probability that an active customer buys in a month",
        source="stated assumption: a frequently bought retail service",
    )
    purchase_probability_dispersion: float = dispersion(
        0.1,
        group="population",
        source="stated assumption: most customers buy every one to three months",
    )
    basket_value_usd: float = money(
        50.0,
        unit="USD/purchase",
        group="population",
        meaning="mean value of a customer's purchase",
        source="stated assumption: a mid-priced retail basket",
    )
    basket_value_sigma: float = param(
        0.6,
        unit="log-sd",
        low=0.0,
        high=3.0,
        group="population",
        meaning="spread of customers' mean basket (lognormal sigma, right-skewed); 0 = same",
        source="stated assumption: basket values right-skewed, lognormal-like "
        "(papers/odd.md section 2.1)",
    )
    complaint_propensity_mean: float = share(
        0.06,
        group="population",
        meaning="mean probability that a customer who suffers a failure files a claim",
        source="Wharton/Verde 2006: about 6% of unhappy customers contacted the retailer; "
        "the loyal more than the rest (complaint_loyalty_elasticity)",
    )
    complaint_propensity_dispersion: float = dispersion(
        0.1,
        group="population",
        source="stated assumption: some people complain far more readily than others",
    )
    wom_propensity_mean: float = share(
        0.3,
        group="population",
        meaning="mean probability that a strong experience makes a customer talk",
        source="Wharton/Verde 2006: 31% of unhappy customers told others",
    )
    wom_propensity_dispersion: float = dispersion(
        0.1,
        group="population",
        source="stated assumption: talkers and quiet people (Goldenberg et "
        "al. 2001 'experts' and 'social hubs')",
    )
    haggle_propensity_mean: float = probability(
        0.1,
        per="purchase",
        group="population",
        meaning="mean probability that a purchase comes with a discount request",
        source="stated assumption (story 3: discounts at the customer's whim)",
    )
    haggle_propensity_dispersion: float = dispersion(
        0.2,
        group="population",
        source="stated assumption: a few customers do most of the haggling",
    )
    caprice_propensity_mean: float = probability(
        0.05,
        per="purchase",
        group="population",
        meaning="mean probability that a purchase comes with an unreasonable service demand",
        source="stated assumption (story 3: caprices front-line staff must live with)",
    )
    caprice_propensity_dispersion: float = dispersion(
        0.2,
        group="population",
        source="stated assumption: a few customers make most of the caprices (story 3)",
    )
    # --- the firm's economics -----------------------------------------------
    gross_margin: float = share(
        0.3,
        group="firm",
        meaning="margin as a share of revenue; cost of goods is the rest",
        source="stated assumption: typical specialty-retail gross margin",
    )
    failure_rate: float = probability(
        0.02,
        per="purchase",
        group="firm",
        meaning="probability that a purchase suffers a service failure (defect, late, lost)",
        source="stated assumption: 2 in 100 purchases have a defect; broken promises come on "
        "top (about 2.4% at the default lead times); sized with base_monthly_churn so that, with "
        "most customers leaving after a failure (TARP), annual retention is about 0.71 "
        "(papers/odd.md section 1, P4)",
    )
    caprice_cost_usd: float = money(
        15.0,
        unit="USD/caprice",
        group="firm",
        meaning="staff time and goods spent accommodating one caprice",
        source="stated assumption: a quarter hour of staff time plus extras",
    )
    haggle_discount_share: float = share(
        0.1,
        group="firm",
        meaning="discount granted on a haggled purchase, as a share of its value",
        source="stated assumption: a typical 10% 'discount on request'",
    )
    # --- claims -------------------------------------------------------------
    claim_value_usd: float = money(
        40.0,
        unit="USD/claim",
        group="claims",
        meaning="mean value of an honest claim (the tennis racket), lognormal, for a customer "
        "whose mean basket is basket_value_usd; each customer's claims scale with their own "
        "basket (a luxury market is expensive baskets, and so expensive claims)",
        source="stated assumption: below the basket, as for a lost accessory",
    )
    claim_value_sigma: float = param(
        0.8,
        unit="log-sd",
        low=0.0,
        high=3.0,
        group="claims",
        meaning="spread of claim values (lognormal sigma); 0 = every claim the same",
        source="stated assumption: right-skewed losses",
    )
    fraud_value_multiplier: float = param(
        1.5,
        unit="ratio",
        low=0.0,
        high=100.0,
        group="claims",
        meaning="fraudulent claims are this many times larger than honest ones on average",
        source="stated assumption: fraudsters inflate what they claim",
    )
    mistaken_claim_probability: float = probability(
        0.004,
        per="purchase",
        group="claims",
        meaning="probability that a purchase without failure brings a sincere but mistaken claim",
        source="story 4: most claimants sincerely believe their claim",
    )
    fraud_propensity_max: float = probability(
        0.04,
        per="purchase",
        group="claims",
        meaning="fraud probability per purchase of a fully dishonest customer who is sure "
        "to be paid; scaled by (1 - honesty)^2, leniency belief and loyalty",
        source="stated assumption, sized so fraud is about 3-14% of claims (NRF 2011-2014)",
    )
    fraud_loyalty_dampening: float = share(
        0.5,
        group="claims",
        meaning="how much loyalty cuts fraud: factor (1 - dampening x loyalty)",
        source="Wirtz & Kum 2004: cheating falls with repeat-purchase intent",
    )
    leniency_prior: float = share(
        0.5,
        group="claims",
        meaning="initial belief that a claim is paid without being caught",
        source="stated assumption: no prior knowledge of the firm",
    )
    leniency_learning_rate: float = share(
        0.3,
        group="claims",
        meaning="weight of a customer's own claim outcome in updating the leniency belief",
        source="stated assumption: one's own outcome weighs about a third, so "
        "two or three outcomes settle the belief",
    )
    fraud_tip_reach: int = param(
        2,
        unit="people",
        low=0,
        high=1_000,
        group="claims",
        meaning="contacts told by a customer whose fraudulent claim was paid",
        source="stated assumption: successful fraud spreads as a tip among the low-honesty "
        "(papers/odd.md section 7.10)",
    )
    fraud_tip_honesty_limit: float = share(
        0.5,
        group="claims",
        meaning="only contacts with honesty below this act on a fraud tip",
        source="stated assumption: tips spread among the low-honesty",
    )
    fraud_tip_learning_rate: float = share(
        0.2,
        group="claims",
        meaning="weight of a received tip (claims get paid, or claims get checked) in the "
        "receiver's leniency belief",
        source="stated assumption: a tip from a contact weighs less than one's own outcome",
    )
    check_tip_reach: int = param(
        2,
        unit="people",
        low=0,
        high=1_000,
        group="claims",
        meaning="contacts told by a claimant whose claim was investigated that the firm checks "
        "claims (those with honesty below fraud_tip_honesty_limit lower their leniency)",
        source="stated assumption: as far as a tip that claims get paid (fraud_tip_reach); "
        "learned verification spreads by word of mouth (Dionne, Giuliano & Picard 2009 on "
        "audits deterring insurance fraud)",
    )
    fraud_dissatisfaction_sensitivity: float = param(
        1.0,
        unit="1/satisfaction point",
        low=0.0,
        high=20.0,
        group="claims",
        meaning="fraud propensity is multiplied by exp(sensitivity x (baseline - satisfaction)): "
        "the dissatisfied claim opportunistically more",
        source="direction from Wirtz & McColl-Kennedy 2010 (opportunistic claiming rises where "
        "customers feel treated unjustly); size a stated assumption: a failure (-0.3) raises "
        "it by a third",
    )
    fraud_injustice_multiplier: float = param(
        2.0,
        unit="ratio",
        low=1.0,
        high=100.0,
        group="claims",
        meaning="fraud propensity is multiplied by this for injustice_memory_months after an "
        "unjust treatment (a false accusation, a claim turned away, a denied promise)",
        source="direction from Wirtz & McColl-Kennedy 2010; size a stated assumption "
        "(opportunism doubles after an injustice)",
    )
    injustice_memory_months: int = param(
        24,
        unit="months",
        low=0,
        high=1_200,
        group="claims",
        meaning="how long an unjust treatment raises the propensity to claim opportunistically",
        source="stated assumption: two years",
    )
    complaint_loyalty_elasticity: float = param(
        2.0,
        unit="elasticity",
        low=0.0,
        high=5.0,
        group="claims",
        meaning="a failed buyer's claim probability is multiplied by "
        "(loyalty / loyalty_mean)^elasticity (capped at 1): the loyal voice, the disloyal exit",
        source="Hirschman 1970 (exit, voice and loyalty); it is why TARP's complainers "
        "repurchase more than silent customers even when not resolved",
    )
    frontline_deflection_rate: float = share(
        0.1,
        group="claims",
        meaning="share of claims the front line turns away (neither paid nor accused) "
        "whatever the policy, unless management takes them up; a guarantee is never deflected",
        source="story 2: the associate denied the promise and sent the buyer to the "
        "manufacturer; TARP's 'complained, not resolved'",
    )
    # --- verification technology --------------------------------------------
    investigation_cost_usd: float = money(
        10.0,
        unit="USD/claim",
        group="verification",
        meaning="cost of investigating one claim",
        source="stated assumption: half an hour of a claims handler",
    )
    detection_rate: float = share(
        0.8,
        group="verification",
        meaning="probability that an investigation exposes a fraudulent claim",
        source="stated assumption: an investigation catches most but not all fraud",
    )
    false_accusation_rate: float = share(
        0.05,
        group="verification",
        meaning="probability that an investigation wrongly treats an honest claim as fraud",
        source="story 4: checking who is sincere ends in accusing a good person",
    )
    # --- satisfaction -------------------------------------------------------
    satisfaction_baseline_mean: float = param(
        0.5,
        unit="satisfaction",
        low=-1.0,
        high=1.0,
        group="satisfaction",
        meaning="mean baseline satisfaction (on [-1, 1]) that satisfaction drifts back to",
        source="stated assumption: 7.5 on the 0-10 recommend scale, a 'passive' on average",
    )
    satisfaction_baseline_dispersion: float = dispersion(
        0.1,
        group="satisfaction",
        source="stated assumption: baseline sd about 0.3 on [-1, 1], so some "
        "customers start as promoters, some as detractors",
    )
    satisfaction_drift: float = param(
        0.1,
        unit="share/month",
        low=0.0,
        high=1.0,
        group="satisfaction",
        meaning="share of the gap to baseline closed each month (memory fades)",
        source="stated assumption: a half-life of about 7 months",
    )
    effect_failure: float = effect(
        -0.3,
        group="satisfaction",
        meaning="satisfaction change from a service failure",
        source="stated assumption: one failure takes a passive (0.5) to near "
        "the detractor line (0.2)",
    )
    effect_claim_paid_quickly: float = effect(
        0.25,
        group="satisfaction",
        meaning="satisfaction change when a claim is paid at once",
        source="TARP: 'resolved quickly' is the best complaint outcome",
    )
    effect_claim_paid_after_verification: float = effect(
        0.15,
        group="satisfaction",
        meaning="satisfaction change when a claim is paid after an investigation",
        source="TARP: 'resolved' ranks below 'resolved quickly'",
    )
    effect_accused: float = effect(
        -0.8,
        group="satisfaction",
        meaning="satisfaction change of a customer whose claim is rejected as fraud",
        source="story 4: nothing is worse than accusing a good person",
    )
    effect_claim_deflected: float = effect(
        0.0,
        group="satisfaction",
        meaning="satisfaction change of a claimant the front line turns away",
        source="stated assumption: milder than an accusation; venting itself relieves "
        "(Nyer 2000), so TARP's unresolved complainers still repurchase more than the silent",
    )
    effect_discount_granted: float = effect(
        0.05,
        group="satisfaction",
        meaning="satisfaction change when a discount request is granted",
        source="stated assumption: a small courtesy, a small effect",
    )
    effect_discount_refused: float = effect(
        -0.05,
        group="satisfaction",
        meaning="satisfaction change when a discount request meets a fixed price",
        source="stated assumption (story 3: a fixed price, stated politely)",
    )
    effect_caprice_accommodated: float = effect(
        0.05,
        group="satisfaction",
        meaning="satisfaction change when a caprice is accommodated",
        source="stated assumption: a small courtesy, a small effect",
    )
    effect_caprice_refused: float = effect(
        -0.05,
        group="satisfaction",
        meaning="satisfaction change when a caprice is refused professionally and politely",
        source="stated assumption (story 3: state and defend a professional opinion)",
    )
    # --- word of mouth ------------------------------------------------------
    wom_event_threshold: float = param(
        0.2,
        unit="satisfaction points",
        low=0.0,
        high=2.0,
        group="word_of_mouth",
        meaning="a month's event effects summing to more than this (in size) are a strong "
        "experience",
        source="stated assumption: one failure (-0.3) is a strong experience; "
        "a small courtesy (0.05) is not",
    )
    promoter_talk_probability: float = probability(
        0.4,
        per="month",
        group="word_of_mouth",
        meaning="monthly probability that a promoter recommends the firm unprompted "
        "(times WOM propensity)",
        source="East, Hammond & Wright 2007: positive WOM about 3x as frequent as negative; "
        "sized so that the calibration policy gives about 3 (papers/odd.md, P8)",
    )
    wom_reach_positive: int = param(
        2,
        unit="people/message",
        low=0,
        high=1_000,
        group="word_of_mouth",
        meaning="contacts reached by one positive message",
        source="stated assumption: half the reach of a negative message, which travels further "
        "(papers/odd.md section 1, pattern P9)",
    )
    wom_reach_negative: int = param(
        4,
        unit="people/message",
        low=0,
        high=1_000,
        group="word_of_mouth",
        meaning="contacts reached by one negative message (negative travels further)",
        source="stated assumption: a negative event reaches more people than a positive one "
        "(papers/odd.md section 1, pattern P9); the often-quoted '9-15 people' is folklore",
    )
    wom_attitude_shift: float = param(
        0.1,
        unit="satisfaction points",
        low=0.0,
        high=2.0,
        group="word_of_mouth",
        meaning="how far one message moves the receiver's satisfaction (attitude)",
        source="stated assumption: three messages move a prospect's attitude "
        "as much as one failure",
    )
    public_share: float = share(
        0.05,
        group="word_of_mouth",
        meaning="share of people who speak about a strong experience who also make it "
        "public (a review, a post, the press)",
        source="stated assumption (story 0: a complaint and its answer in a Forbes column)",
    )
    public_reach: int = param(
        30,
        unit="people/message",
        low=0,
        high=10_000_000,
        group="word_of_mouth",
        meaning="people reached by one public message, drawn at random from the whole market",
        source="stated assumption: public channels (reviews, the press) reach a random sample "
        "beyond the network (papers/odd.md section 7.10)",
    )
    # --- acquisition --------------------------------------------------------
    advertising_rate: float = probability(
        0.0025,
        per="month",
        group="acquisition",
        meaning="Bass innovation coefficient p per month (advertising)",
        source="Sultan, Farley & Lehmann 1990: p = 0.03 a year, divided by 12",
    )
    imitation_rate: float = probability(
        0.032,
        per="month",
        group="acquisition",
        meaning="Bass imitation coefficient q per month, times the share of contacts "
        "who are customers",
        source="Sultan, Farley & Lehmann 1990: q = 0.38 a year, divided by 12",
    )
    attitude_sensitivity: float = param(
        2.0,
        unit="1/satisfaction point",
        low=0.0,
        high=20.0,
        group="acquisition",
        meaning="conversion is multiplied by exp(sensitivity x (satisfaction - baseline))",
        source="stated assumption: heard WOM moves conversion",
    )
    winback_factor: float = param(
        0.5,
        unit="ratio",
        low=0.0,
        high=1.0,
        group="acquisition",
        meaning="conversion hazard of a lapsed customer relative to a prospect",
        source="stated assumption: lapsed customers buy elsewhere and return less readily",
    )
    # --- churn --------------------------------------------------------------
    base_monthly_churn: float = probability(
        0.005,
        per="month",
        group="churn",
        meaning="monthly drift away, for reasons other than a failure, of a customer of loyalty "
        "0.5 at baseline-mean satisfaction",
        source="stated assumption, sized so that with the exits after failures (TARP) the "
        "default market's annual retention, about 0.71, is inside Reichheld 1996's 10-30% "
        "annual defection and retail's 0.6-0.85",
    )
    churn_loyalty_sensitivity: float = param(
        2.0,
        unit="1/loyalty",
        low=0.0,
        high=20.0,
        group="churn",
        meaning="churn is multiplied by exp(-sensitivity x (loyalty - 0.5))",
        source="stated assumption: loyalty 0 churns e^2 = 7.4 times as often as loyalty 1",
    )
    churn_satisfaction_sensitivity: float = param(
        3.0,
        unit="1/satisfaction point",
        low=0.0,
        high=20.0,
        group="churn",
        meaning="churn is multiplied by exp(-sensitivity x (satisfaction - baseline mean))",
        source="stated assumption: one failure (-0.3) multiplies churn by about 2.5 that month",
    )
    accused_churn_probability: float = share(
        0.7,
        group="churn",
        meaning="probability that a customer accused of fraud leaves that month",
        source="stated assumption: falsely accused customers mostly leave (story 4: nothing is "
        "worse than accusing a good person)",
    )
    caught_fraud_churn_probability: float = share(
        0.5,
        group="churn",
        meaning="probability that a fraudster whose claim is exposed leaves that month",
        source="stated assumption: an exposed fraudster leaves as often as not",
    )
    # --- exit after a failure (TARP) ------------------------------------------
    failure_exit_probability: float = share(
        0.91,
        group="exit",
        meaning="probability that a customer whose purchase failed with a large loss, and who "
        "did not complain, leaves at the end of the month (multiplied by the loss factor and "
        "by the handling factors below when they complained)",
        source="TARP for the US Office of Consumer Affairs, as quoted in secondary sources: 9% of "
        "non-complainers with losses over $100 would buy again",
    )
    failure_exit_loss_scale_usd: float = money(
        2.5,
        unit="USD",
        group="exit",
        meaning="the exit after a failure is multiplied by 1 - exp(-loss / scale), the loss "
        "being the failed purchase's value: small losses drive fewer away",
        source="calibrated to TARP as quoted (37% of non-complainers with losses under $5 would "
        "buy again, against 9% over $100): in a market of small purchases (mean basket $4, "
        "failed purchases under $5 worth about $3) the model's repurchase is then within 10 "
        "points of TARP's (loyaltysim calibrate)",
    )
    exit_factor_not_resolved: float = share(
        0.89,
        unit="ratio",
        group="exit",
        meaning="exit after a failure of a complainer the firm did not satisfy (turned away), "
        "relative to one who did not complain",
        source="TARP as quoted: 19% against 9% would buy again (losses over $100): 0.81 / 0.91",
    )
    exit_factor_resolved: float = share(
        0.51,
        unit="ratio",
        group="exit",
        meaning="exit after a failure of a complainer resolved after an investigation or by "
        "management, relative to one who did not complain",
        source="TARP as quoted: 54% would buy again (losses over $100): 0.46 / 0.91",
    )
    exit_factor_resolved_quickly: float = share(
        0.20,
        unit="ratio",
        group="exit",
        meaning="exit after a failure of a complainer paid or refunded at once, relative to one "
        "who did not complain",
        source="TARP as quoted: 82% would buy again (losses over $100): 0.18 / 0.91",
    )
    # --- memory of an accusation ------------------------------------------------
    accusation_memory_months: int = param(
        60,
        unit="months",
        low=0,
        high=1_200,
        group="accusation",
        meaning="how long a false accusation is remembered: satisfaction drifts back toward "
        "baseline + effect_accusation_scar, not the baseline, and win-back is damped",
        source="story 4 ('nothing is worse than accusing a good person'); grudges after a "
        "double deviation last (Joireman et al. 2013); five years is a stated assumption",
    )
    effect_accusation_scar: float = effect(
        -0.5,
        group="accusation",
        meaning="shift of a falsely accused customer's baseline satisfaction while the "
        "accusation is remembered",
        source="stated assumption: a passive (0.5) becomes neutral at best, near the "
        "detractor line (story 4)",
    )
    accused_winback_factor: float = share(
        0.1,
        unit="ratio",
        group="accusation",
        meaning="conversion hazard of a falsely accused lapsed customer relative to another "
        "lapsed customer, while the accusation is remembered",
        source="stated assumption: the accused are won back far less (story 4)",
    )

    # --- recovery (escalation to management) -------------------------------
    management_cost_usd: float = money(
        50.0,
        unit="USD/escalation",
        group="recovery",
        meaning="management time spent on one escalated complaint",
        source="stated assumption: about an hour of a manager (story 0: the CEO phoned)",
    )
    effect_management_recovery: float = effect(
        0.4,
        group="recovery",
        meaning="satisfaction change when management takes up a complaint in person",
        source="story 0: the complainer became the brand's most ardent fan again "
        "(a strong interactional recovery)",
    )
    public_praise_probability: float = share(
        0.3,
        group="recovery",
        meaning="probability that a complaint recovered by management is praised in public",
        source="story 0: the husband's public follow-up praising the response",
    )
    effect_recovery_paradox: float = effect(
        0.1,
        group="recovery",
        meaning="extra satisfaction after a first, mild failure recovered at once or by "
        "management (the service-recovery paradox)",
        source="small and conditional: de Matos, Henrique & Rossi 2007; Maxham & "
        "Netemeyer 2002; Michel & Meuter 2008",
    )
    recovery_paradox_max_usd: float = money(
        100.0,
        unit="USD",
        group="recovery",
        meaning="a failure is mild (the paradox can occur) when its claim is at most this",
        source="TARP's boundary between small losses and losses over $100",
    )
    repeat_failure_multiplier: float = param(
        1.5,
        unit="ratio",
        low=1.0,
        high=10.0,
        group="recovery",
        meaning="a failure within repeat_failure_window_months of the previous one hurts "
        "this many times more (double deviation)",
        source="Maxham & Netemeyer 2002: the paradox holds after a first failure, not a second",
    )
    repeat_failure_window_months: int = param(
        12,
        unit="months",
        low=1,
        high=1_200,
        group="recovery",
        meaning="how long a failure is remembered when the next one comes",
        source="stated assumption: about a year",
    )
    # --- promises -----------------------------------------------------------
    lead_time_median_days: float = param(
        7.0,
        unit="days",
        low=0.01,
        high=1_000.0,
        group="promises",
        meaning="median delivery lead time; lead times are lognormal",
        source="stated assumption: a week",
    )
    lead_time_sigma: float = param(
        0.35,
        unit="log-sd",
        low=0.0,
        high=3.0,
        group="promises",
        meaning="spread of lead times (lognormal sigma); 0 = every delivery takes the median",
        source="stated assumption: a 14-day promise is broken about 2.4% of the time",
    )
    market_promise_days: float = param(
        14.0,
        unit="days",
        low=0.01,
        high=1_000.0,
        group="promises",
        meaning="the delivery promise customers expect from the market (the realistic one)",
        source="stated assumption: twice the median lead time",
    )
    promise_appeal: float = param(
        0.3,
        unit="elasticity",
        low=0.0,
        high=5.0,
        group="promises",
        meaning="conversion is multiplied by (market_promise_days / promised days)^appeal",
        source="stated assumption (story 2: the VP's 10-day promise closed the sale)",
    )
    effect_broken_promise: float = effect(
        -0.15,
        group="promises",
        meaning="satisfaction change from a broken promise, beyond the failure (the delay) itself",
        source="story 1 rule 1 and story 3: never promise what you cannot do",
    )
    frontline_denial_rate: float = share(
        0.2,
        group="promises",
        meaning="probability that the front line denies a broken promise was ever made",
        source="story 2: the associate denied that any promise was made",
    )
    effect_promise_denied: float = effect(
        -0.3,
        group="promises",
        meaning="extra satisfaction change when the front line denies the promise",
        source="story 2: one unprepared employee undoes good intentions at the top",
    )
    # --- guarantee ----------------------------------------------------------
    guarantee_claim_multiplier: float = param(
        2.0,
        unit="ratio",
        low=1.0,
        high=100.0,
        group="guarantee",
        meaning="under an announced guarantee, honest claims are this many times likelier "
        "(asking is easy); the claim is a refund of the purchase",
        source="stated assumption (story 1 rule 1: refund if you did not like the pizza)",
    )
    guarantee_trial_boost: float = param(
        1.2,
        unit="ratio",
        low=0.0,
        high=100.0,
        group="guarantee",
        meaning="conversion multiplier while a guarantee is announced (it draws trial)",
        source="stated assumption; Hampton Inn's guarantee earned about 7x its cost in "
        "repeat business (company figures, as quoted in secondary sources)",
    )
    # --- outreach -----------------------------------------------------------
    outreach_cost_usd: float = money(
        2.0,
        unit="USD/contact",
        group="outreach",
        meaning="cost of one keep-in-touch contact (a card and its postage)",
        source="stated assumption (story 1 rule 5: a birthday card a year)",
    )
    outreach_response: float = probability(
        0.0005,
        per="month",
        group="outreach",
        meaning="monthly conversion hazard added per unit of outreach goodwill (one per "
        "contact received, decaying with outreach_goodwill_half_life_months)",
        source="stated assumption, sized so eight yearly cards give a hazard of 0.4% a month, "
        "above advertising (story 1 rule 5: the prospect signed after the eighth card)",
    )
    outreach_goodwill_half_life_months: float = param(
        36.0,
        unit="months",
        low=0.1,
        high=1e6,
        group="outreach",
        meaning="half-life of the goodwill of a keep-in-touch contact",
        source="stated assumption: a card is half forgotten after three years; eight yearly "
        "cards then weigh about four fresh ones (story 1)",
    )
    # --- pruning ------------------------------------------------------------
    effect_dropped: float = effect(
        -0.6,
        group="pruning",
        meaning="satisfaction change of a customer the firm drops (who may then talk)",
        source="story 3: a customer turned away may still recommend you, or not",
    )
    # --- listening ----------------------------------------------------------
    listening_cost_usd: float = money(
        5.0,
        unit="USD/complaint",
        group="listening",
        meaning="cost of analysing one complaint for what it says about the product",
        source="stated assumption: a few minutes of an analyst",
    )
    listening_learning_rate: float = param(
        0.02,
        unit="1/(complaints per 1,000 people)",
        low=0.0,
        high=100.0,
        group="listening",
        meaning="failure rate falls as exp(-rate x genuine complaints analysed per 1,000 "
        "people) toward its floor",
        source="stated assumption (story 1 rule 2: Milliken learned from one customer's request)",
    )
    failure_rate_floor: float = share(
        0.5,
        group="listening",
        meaning="share of failure_rate that listening cannot remove",
        source="stated assumption: some failures are outside the firm's reach",
    )

    # ------------------------------------------------------------------------
    def __post_init__(self) -> None:
        for name, spec in _declared().items():
            object.__setattr__(self, name, spec.validate(getattr(self, name)))
        self._check_combinations()

    @property
    def initial_active(self) -> int:
        """Customers at month 0: ``initial_customers``, else the share of the market."""
        if self.initial_customers is not None:
            return self.initial_customers
        return round(self.initial_active_share * self.n_customers)

    def _check_combinations(self) -> None:
        """Reject combinations of valid values that the model cannot run."""
        self._check_initial_customers()
        for trait in _BETA_TRAITS:
            mean = getattr(self, f"{trait}_mean")
            dispersion = getattr(self, f"{trait}_dispersion")
            if dispersion > 0 and mean in (0.0, 1.0):
                raise ParameterError(
                    f"{trait}_dispersion",
                    dispersion,
                    f"0 when {trait}_mean is 0 or 1",
                    f"{trait}_mean = {mean:g} leaves no room to spread",
                )
        mean_baseline = self.satisfaction_baseline_mean
        if self.satisfaction_baseline_dispersion > 0 and abs(mean_baseline) == 1.0:
            raise ParameterError(
                "satisfaction_baseline_dispersion",
                self.satisfaction_baseline_dispersion,
                "0 when satisfaction_baseline_mean is -1 or 1",
            )
        if self.network != "complete":
            if self.network_mean_degree >= self.n_customers:
                raise ParameterError(
                    "network_mean_degree",
                    self.network_mean_degree,
                    f"a whole number below n_customers ({self.n_customers})",
                )
            if self.network in ("watts_strogatz", "barabasi_albert") and (
                self.network_mean_degree % 2
            ):
                raise ParameterError(
                    "network_mean_degree",
                    self.network_mean_degree,
                    f"an even number for network {self.network!r} (each person adds "
                    "degree / 2 links)",
                )

    # ------------------------------------------------------------------------
    def _check_initial_customers(self) -> None:
        """``initial_customers`` fits in the market and agrees with a share given with it."""
        customers = self.initial_customers
        if customers is None:
            return
        if customers > self.n_customers:
            raise ParameterError(
                "initial_customers",
                customers,
                f"at most n_customers ({self.n_customers:,}), the whole market of prospects, "
                "customers and lapsed customers",
            )
        default_share = _declared()["initial_active_share"].default
        share = self.initial_active_share
        if share != default_share and round(share * self.n_customers) != customers:
            raise ParameterError(
                "initial_customers",
                customers,
                f"initial_active_share x n_customers = {round(share * self.n_customers):,} "
                "when both are given; give one of them",
            )

    @classmethod
    def specs(cls) -> list[ParameterSpec]:
        """Every scenario parameter with its unit, range, meaning and source."""
        return specs_of(cls)

    @classmethod
    def spec(cls, name: str) -> ParameterSpec:
        """The :class:`~loyaltysim.params.ParameterSpec` of one parameter.

        Raises:
            ParameterError: ``name`` is not a scenario parameter.
        """
        specs = _declared()
        if name not in specs:
            raise ParameterError(
                name,
                None,
                "a scenario parameter listed by `loyaltysim params`",
                close_match(name, specs),
                unknown=True,
            )
        return specs[name]

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Scenario:
        """Build a scenario from a mapping of parameter names to values.

        Raises:
            ParameterError: An unknown name or a bad value.
        """
        for name in values:
            cls.spec(name)  # unknown names fail here, with a close match
        return cls(**values)

    @classmethod
    def from_toml(cls, path: str | Path) -> Scenario:
        """Read the ``[scenario]`` table of a TOML file (see :func:`load_scenario_file`)."""
        scenario_table, _ = load_scenario_file(path)
        return cls.from_dict(scenario_table)

    def replace(self, **changes: Any) -> Scenario:
        """Return a copy with some parameters changed (validated again)."""
        for name in changes:
            self.spec(name)
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """All parameters as a plain dict (JSON and TOML friendly: an unset one is left out)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    def changes(self) -> dict[str, Any]:
        """The parameters that differ from the default market's, in declaration order."""
        default = Scenario()
        return {k: v for k, v in self.to_dict().items() if getattr(default, k) != v}

    @property
    def monthly_discount_rate(self) -> float:
        """Monthly rate i_m with (1 + i_m)^12 = 1 + annual_discount_rate."""
        return (1.0 + self.annual_discount_rate) ** (1.0 / 12.0) - 1.0


@functools.cache
def _declared() -> dict[str, ParameterSpec]:
    """Every parameter's declaration, by name (read once: the class does not change)."""
    return {spec.name: spec for spec in specs_of(Scenario)}


_BETA_TRAITS = (
    "honesty",
    "loyalty",
    "purchase_probability",
    "complaint_propensity",
    "wom_propensity",
    "haggle_propensity",
    "caprice_propensity",
)


def load_scenario_file(path: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read a scenario TOML file into its ``[scenario]`` and ``[policy]`` tables.

    The file may hold a ``[scenario]`` table (market parameters) and a
    ``[policy]`` table (see :meth:`loyaltysim.policies.Policy.from_spec`);
    nothing else. Values are not validated here. The file is UTF-8 (a
    byte-order mark is allowed) of at most
    :data:`~loyaltysim.params.MAX_INPUT_BYTES`.

    Raises:
        ScenarioFileError: The file is missing, unreadable, too large, not
            TOML, or has other top-level entries.
    """
    path = Path(path)
    data = read_toml(path, "scenario")
    unknown = sorted(set(data) - {"scenario", "policy"})
    if unknown:
        raise ScenarioFileError(
            f"{path}: unexpected top-level entry {brief(unknown[0])}; a scenario file holds a "
            "[scenario] table and optionally a [policy] table"
        )
    tables = []
    for key in ("scenario", "policy"):
        table = data.get(key, {})
        if not isinstance(table, dict):
            raise ScenarioFileError(f"{path}: {key!r} must be a table, got {brief(table)}")
        tables.append(table)
    return tables[0], tables[1]
