"""Steps 4 and 6: claims are filed, answered by the policy, and settled.

**Filing.** A buyer whose purchase failed files a *genuine* claim with
probability ``complaint_propensity_i * (loyalty_i / loyalty_mean)^e`` (capped
at 1; ``e`` = ``complaint_loyalty_elasticity``: the loyal voice, the disloyal
exit). A buyer without a failure files a *sincere but mistaken* claim with
probability ``mistaken_claim_probability`` (story 4: the racket was left at a
friend's house) or a *fraudulent* one with probability::

    fraud_i = fraud_propensity_max * (1 - honesty_i)^2 * leniency_i
              * (1 - fraud_loyalty_dampening * loyalty_i)

(one uniform per buyer decides between them). ``leniency_i`` is the buyer's
belief that a claim gets paid, learned from their own claims and from tips
(see :mod:`~loyaltysim.submodels.word_of_mouth`). Honest claims are worth a
lognormal amount of mean ``claim_value_usd``; fraudulent ones
``fraud_value_multiplier`` times more. While a guarantee is announced, honest
claims are ``guarantee_claim_multiplier`` times likelier, everyone acts at
full leniency (no questions asked), and every claim asks for the purchase
back (its value is the basket). A claimant whose public-mindedness uniform
falls below ``public_share`` also complains in public. Each claimant's
``claims`` and ``public_complaints`` count the claim (records the firm keeps).

**Answering.** Claims the guarantee honours are refunded at once. Of the
others, the front line turns away ``frontline_deflection_rate`` (neither paid
nor accused: story 2's associate); the claims rule picks the rest to
investigate (:meth:`~loyaltysim.policies.ClaimsRule.verify`) and the others
are paid at once. An investigation costs ``investigation_cost_usd``, exposes
a fraudulent claim with probability ``detection_rate`` and wrongly treats an
honest claim as fraud with probability ``false_accusation_rate``; an exposed
or accused claim is rejected. So for one claim of value A with fraud share pi,
verifying beats paying iff pi*s*(A - L_F) > c + (1 - pi)*f*(L_acc - A)
(papers/odd.md section 7.4). Management may then reverse a rejection or a
deflection (:mod:`~loyaltysim.submodels.recovery`).

**Settling.** Paid claims are booked; satisfaction moves by
``effect_claim_paid_quickly``, ``effect_claim_paid_after_verification`` (also
for claims management reversed), ``effect_accused`` or
``effect_claim_deflected``; every claimant's leniency belief moves toward 1 if
paid, 0 if not, by ``leniency_learning_rate``. Each genuine claim's outcome is
recorded in TARP's terms (not resolved, resolved, resolved quickly), or as
accused: TARP has no such outcome, and story 4 says it is the worst. A
rejection that stands counts in the claimant's ``claims_rejected``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from loyaltysim.month import (
    ACCUSED,
    NOT_RESOLVED,
    RESOLVED,
    RESOLVED_QUICKLY,
    ClaimAnswers,
    Month,
)
from loyaltysim.policies import ClaimBatch, ClaimsRule, FrontLine, GuaranteeRule, decide
from loyaltysim.population import Population, lognormal_by_mean
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import Draw

__all__ = [
    "FRAUDULENT",
    "GENUINE",
    "KIND_NAMES",
    "MISTAKEN",
    "answer_claims",
    "file_claims",
    "fraud_probability",
    "genuine_claim_probability",
    "settle_claims",
]

#: Claim kinds (:attr:`loyaltysim.month.Month.claim_kinds`): the model's knowledge only,
#: hidden from the firm's rules.
GENUINE, MISTAKEN, FRAUDULENT = 1, 2, 3
KIND_NAMES = {GENUINE: "genuine", MISTAKEN: "mistaken", FRAUDULENT: "fraudulent"}


def fraud_probability(
    population: Population,
    who: np.ndarray,
    scenario: Scenario,
    leniency: float | np.ndarray | None = None,
    month: int = 0,
) -> np.ndarray:
    """Probability that each of ``who`` files a fraudulent claim on a sound purchase.

    ``fraud_propensity_max x (1 - honesty)^2 x leniency x (1 - dampening x loyalty)
    x exp(kappa x (baseline - satisfaction)) x m``, capped at 1, where
    ``leniency`` is the buyer's perceived chance that a fraudulent claim is
    paid (deterrence: a higher perceived chance of being checked and caught
    lowers it), ``kappa`` is ``fraud_dissatisfaction_sensitivity`` and ``m``
    is ``fraud_injustice_multiplier`` within ``injustice_memory_months`` of an
    unjust treatment (Wirtz & McColl-Kennedy 2010), else 1.

    Args:
        population: The population.
        who: The buyers.
        scenario: The market.
        leniency: Overrides the buyers' beliefs (a guarantee announces 1, a
            notice that claims are checked caps them).
        month: The month (for the memory of injustice).
    """
    belief = population.leniency[who] if leniency is None else leniency
    dissatisfaction = population.satisfaction_baseline[who] - population.satisfaction[who]
    injustice = population.remembers(
        population.injustice_month[who], month, scenario.injustice_memory_months
    )
    p = (
        scenario.fraud_propensity_max
        * (1.0 - population.honesty[who]) ** 2
        * belief
        * (1.0 - scenario.fraud_loyalty_dampening * population.loyalty[who])
        * np.exp(scenario.fraud_dissatisfaction_sensitivity * dissatisfaction)
        * np.where(injustice, scenario.fraud_injustice_multiplier, 1.0)
    )
    return np.minimum(p, 1.0)


def genuine_claim_probability(
    population: Population, who: np.ndarray, scenario: Scenario
) -> np.ndarray:
    """Probability that each of ``who``, after a failure, files a claim (voice vs exit)."""
    p = population.complaint_propensity[who]
    if scenario.complaint_loyalty_elasticity and scenario.loyalty_mean > 0:
        p = p * (population.loyalty[who] / scenario.loyalty_mean) ** (
            scenario.complaint_loyalty_elasticity
        )
    return np.minimum(p, 1.0)


def perceived_leniency(
    population: Population,
    who: np.ndarray,
    scenario: Scenario,
    rule: ClaimsRule,
    guarantee: GuaranteeRule,
) -> np.ndarray | float:
    """Each buyer's perceived chance that a fraudulent claim would be paid.

    Their learned belief (``leniency``), except that an announced guarantee
    tells everyone claims are paid (1), and a notice that claims are checked
    caps the belief at ``1 - detection_rate x share checked`` (deterrence by
    announcement).
    """
    if guarantee.announced:
        return 1.0
    share = rule.announced_check_share()
    belief = population.leniency[who]
    return np.minimum(belief, 1.0 - scenario.detection_rate * share) if share else belief


def file_claims(
    population: Population,
    scenario: Scenario,
    rule: ClaimsRule,
    guarantee: GuaranteeRule,
    month: Month,
) -> None:
    """Draw this month's genuine, mistaken and fraudulent claims (step 4).

    Sets the month's :attr:`~loyaltysim.month.Month.claims` (as the firm sees
    them), their kinds (``1`` genuine, ``2`` mistaken, ``3`` fraudulent), which
    only the model sees, and each claim's position within its filing
    probability (a uniform on [0, 1) that the front line's deflection reuses).
    """
    buyers, failed = month.buyers, month.failed
    u = month.uniform(Draw.CLAIM, buyers)
    announced = guarantee.announced
    boost = scenario.guarantee_claim_multiplier if announced else 1.0
    p_genuine = np.minimum(genuine_claim_probability(population, buyers, scenario) * boost, 1.0)
    p_mistaken = min(scenario.mistaken_claim_probability * boost, 1.0)
    p_fraud = fraud_probability(
        population,
        buyers,
        scenario,
        perceived_leniency(population, buyers, scenario, rule, guarantee),
        month.t,
    )
    sound = ~failed
    genuine = failed & (u < p_genuine)
    mistaken = sound & (u < p_mistaken)
    fraud = sound & ~mistaken & (u < p_mistaken + p_fraud)
    kind = np.zeros(buyers.size, dtype=np.int8)
    kind[genuine], kind[mistaken], kind[fraud] = GENUINE, MISTAKEN, FRAUDULENT
    claimed = kind > 0
    customers, kind, u = buyers[claimed], kind[claimed], u[claimed].astype(float)
    # where the claim's uniform fell within its own filing interval: a fresh uniform on [0, 1)
    # (each claim's interval is non-empty, or it would not have been filed)
    fraud = kind == FRAUDULENT
    own = np.select([kind == GENUINE, fraud], [p_genuine[claimed], p_fraud[claimed]], p_mistaken)
    position = (u - fraud * p_mistaken) / own
    basket = population.basket_value_usd[customers]
    if announced:
        value = basket.copy()
    else:
        value = lognormal_by_mean(
            month.draws.rng, scenario.claim_value_usd, scenario.claim_value_sigma, customers.size
        )
        if scenario.basket_value_usd > 0:  # a customer's claims scale with their basket
            value *= basket / scenario.basket_value_usd
        value[kind == FRAUDULENT] *= scenario.fraud_value_multiplier
    public = month.uniform(Draw.PUBLIC, customers) < scenario.public_share
    population.claims[customers] += 1
    population.public_complaints[customers[public]] += 1
    for code, label in KIND_NAMES.items():
        month.book[f"claims_{label}"] = np.count_nonzero(kind == code)
    month.claims = ClaimBatch(customers=customers, value_usd=value, public=public, month=month.t)
    month.claim_kinds, month.claim_positions = kind, position


def answer_claims(
    population: Population,
    scenario: Scenario,
    rule: ClaimsRule,
    guarantee: GuaranteeRule,
    month: Month,
) -> None:
    """Refund, deflect, investigate or pay each claim (step 6); nothing is booked yet.

    The month's claims then carry the front line's answers
    (:class:`~loyaltysim.policies.FrontLine`), which the recovery rule sees.
    """
    claims, kind = month.claims, month.claim_kinds
    honoured = decide(guarantee, claims, population)
    deflected = ~honoured & (month.claim_positions < scenario.frontline_deflection_rate)
    investigated = decide(rule, claims, population) & ~honoured & ~deflected
    u = month.uniform(Draw.VERIFY, claims.customers)
    flagged = np.where(
        kind == FRAUDULENT, u < scenario.detection_rate, u < scenario.false_accusation_rate
    )
    rejected = investigated & flagged
    month.answers = ClaimAnswers(
        honoured=honoured,
        deflected=deflected,
        investigated=investigated,
        rejected=rejected,
        escalated=np.zeros(len(claims), dtype=bool),
        upheld=np.zeros(len(claims), dtype=bool),
    )
    answer = np.select(
        [honoured, deflected, rejected, investigated],
        [FrontLine.REFUNDED, FrontLine.DEFLECTED, FrontLine.REJECTED, FrontLine.CHECKED_PAID],
        FrontLine.PAID,
    ).astype(np.int8)
    month.claims = dataclasses.replace(claims, answer=answer)


def settle_claims(population: Population, scenario: Scenario, month: Month) -> None:
    """Pay, book and feel the month's claim outcomes, after any escalation (step 6)."""
    answers, kind = month.answers, month.claim_kinds
    who, value = month.claims.customers, month.claims.value_usd
    paid, reversed_ = answers.paid, answers.reversed
    rejected = answers.rejected & ~reversed_
    deflected = answers.deflected & ~reversed_
    fraud = kind == FRAUDULENT
    paid_value = np.where(paid, value, 0.0)
    investigation = answers.investigated * scenario.investigation_cost_usd
    month.cost_usd[who] += paid_value + investigation
    month.satisfaction_change[who] += np.select(
        [rejected, deflected, answers.investigated | reversed_],
        [
            scenario.effect_accused,
            scenario.effect_claim_deflected,
            scenario.effect_claim_paid_after_verification,
        ],
        scenario.effect_claim_paid_quickly,
    )
    # what a claimant learns of the firm: paid at once (claims get paid), checked (a fraud
    # would have been caught with the detection rate) or not paid
    paid_at_once = paid & ~answers.investigated & ~reversed_
    learned = np.where(paid_at_once, 1.0, np.where(paid, 1.0 - scenario.detection_rate, 0.0))
    belief = population.leniency
    belief[who] += scenario.leniency_learning_rate * (learned - belief[who])
    accused = who[rejected & ~fraud]
    month.falsely_accused[accused] = True
    population.accused_month[accused] = month.t
    population.injustice_month[who[(rejected & ~fraud) | deflected]] = month.t
    month.caught[who[rejected & fraud]] = True
    population.claims_rejected[who[rejected]] += 1
    month.paid_fraudsters = who[paid_at_once & fraud]
    checked = answers.investigated
    month.checked_claimants, month.checked_learned = who[checked], learned[checked]
    genuine = kind == GENUINE
    month.outcome[who[genuine]] = np.select(
        [rejected[genuine], deflected[genuine], answers.paid_at_once[genuine]],
        [ACCUSED, NOT_RESOLVED, RESOLVED_QUICKLY],
        RESOLVED,
    )
    book = month.book
    for code, label in KIND_NAMES.items():
        book[f"compensation_{label}_usd"] = float(paid_value[kind == code].sum())
    book["investigation_cost_usd"] = float(investigation.sum())
    book["claims_investigated"] = np.count_nonzero(answers.investigated)
    book["claims_honoured"] = np.count_nonzero(answers.honoured)
    book["claims_deflected"] = np.count_nonzero(deflected)
    book["claims_reversed"] = np.count_nonzero(reversed_)
    book["claims_paid"] = np.count_nonzero(paid)
    book["claims_rejected"] = np.count_nonzero(rejected)
    book["false_accusations"] = np.count_nonzero(rejected & ~fraud)
    book["frauds_detected"] = np.count_nonzero(rejected & fraud)
