"""Steps 4 and 6: claims are filed, and the policy's claims rule answers them.

**Filing.** A buyer whose purchase failed files a *genuine* claim with
probability ``complaint_propensity_i``. A buyer without a failure files a
*sincere but mistaken* claim with probability ``mistaken_claim_probability``
(seed 004: the racket was left at a friend's house) or a *fraudulent* one with
probability::

    fraud_i = fraud_propensity_max * (1 - honesty_i)^2 * leniency_i
              * (1 - fraud_loyalty_dampening * loyalty_i)

(one uniform per buyer decides between them). ``leniency_i`` is the buyer's
belief that a claim gets paid, learned from their own claims and from tips
(see :mod:`~loyaltysim.submodels.word_of_mouth`). Honest claims are worth a
lognormal amount of mean ``claim_value_usd``; fraudulent ones
``fraud_value_multiplier`` times more.

**Answering.** The claims rule picks the claims to investigate
(:meth:`~loyaltysim.policies.ClaimsRule.verify`); the others are paid at once.
An investigation costs ``investigation_cost_usd``, exposes a fraudulent claim
with probability ``detection_rate`` and wrongly treats an honest claim as
fraud with probability ``false_accusation_rate``; an exposed or accused claim
is rejected, every other claim is paid. So for one claim of value A with fraud
share pi, verifying beats paying iff pi*s*(A - L_F) > c + (1 - pi)*f*(L_acc - A)
(MODEL.md section 6). Satisfaction moves by ``effect_claim_paid_quickly``,
``effect_claim_paid_after_verification`` or ``effect_accused``; every
claimant's leniency belief moves toward 1 if paid, 0 if rejected, by
``leniency_learning_rate``.
"""

from __future__ import annotations

import numpy as np

from loyaltysim.month import Draw, Month
from loyaltysim.policies import FRAUDULENT, GENUINE, MISTAKEN, ClaimBatch, ClaimsRule, decide
from loyaltysim.population import Population, lognormal_by_mean
from loyaltysim.scenario import Scenario

KIND_NAMES = {GENUINE: "genuine", MISTAKEN: "mistaken", FRAUDULENT: "fraudulent"}


def fraud_probability(population: Population, who: np.ndarray, scenario: Scenario) -> np.ndarray:
    """Probability that each of ``who`` files a fraudulent claim on a sound purchase."""
    return (
        scenario.fraud_propensity_max
        * (1.0 - population.honesty[who]) ** 2
        * population.leniency[who]
        * (1.0 - scenario.fraud_loyalty_dampening * population.loyalty[who])
    )


def file_claims(
    population: Population, scenario: Scenario, month: Month
) -> tuple[ClaimBatch, np.ndarray]:
    """Draw this month's genuine, mistaken and fraudulent claims (step 4).

    Returns:
        The claims as the firm sees them, and the kind of each (``1``
        genuine, ``2`` mistaken, ``3`` fraudulent), which only the model sees.
    """
    buyers, failed = month.buyers, month.failed
    u = month.uniform(Draw.CLAIM, buyers)
    genuine = failed & (u < population.complaint_propensity[buyers])
    p_mistaken = scenario.mistaken_claim_probability
    sound = ~failed
    mistaken = sound & (u < p_mistaken)
    fraud = sound & ~mistaken & (u < p_mistaken + fraud_probability(population, buyers, scenario))
    kind = np.zeros(buyers.size, dtype=np.int8)
    kind[genuine], kind[mistaken], kind[fraud] = GENUINE, MISTAKEN, FRAUDULENT
    claimed = kind > 0
    customers, kind = buyers[claimed], kind[claimed]
    value = lognormal_by_mean(
        month.draws.rng, scenario.claim_value_usd, scenario.claim_value_sigma, customers.size
    )
    value[kind == FRAUDULENT] *= scenario.fraud_value_multiplier
    population.claims[customers] += 1
    for code, label in KIND_NAMES.items():
        month.book[f"claims_{label}"] = np.count_nonzero(kind == code)
    return ClaimBatch(customers=customers, value_usd=value), kind


def answer_claims(
    claims: ClaimBatch,
    kind: np.ndarray,
    rule: ClaimsRule,
    population: Population,
    scenario: Scenario,
    month: Month,
) -> None:
    """Investigate, pay or reject each claim as the policy says (step 6)."""
    who, value = claims.customers, claims.value_usd
    investigated = decide(rule, "verify", claims, population)
    fraud = kind == FRAUDULENT
    u = month.uniform(Draw.VERIFY, who)
    flagged = np.where(fraud, u < scenario.detection_rate, u < scenario.false_accusation_rate)
    rejected = investigated & flagged
    paid = ~rejected
    paid_value = np.where(paid, value, 0.0)
    investigation = investigated * scenario.investigation_cost_usd
    month.cost_usd[who] += paid_value + investigation
    month.satisfaction_change[who] += np.select(
        [rejected, investigated],
        [scenario.effect_accused, scenario.effect_claim_paid_after_verification],
        scenario.effect_claim_paid_quickly,
    )
    belief = population.leniency
    belief[who] += scenario.leniency_learning_rate * (paid - belief[who])
    month.falsely_accused[who[rejected & ~fraud]] = True
    month.caught[who[rejected & fraud]] = True
    month.paid_fraudsters = who[paid & fraud]
    book = month.book
    for code, label in KIND_NAMES.items():
        book[f"compensation_{label}_usd"] = float(paid_value[kind == code].sum())
    book["investigation_cost_usd"] = float(investigation.sum())
    book["claims_investigated"] = np.count_nonzero(investigated)
    book["claims_paid"] = np.count_nonzero(paid)
    book["claims_rejected"] = np.count_nonzero(rejected)
    book["false_accusations"] = np.count_nonzero(rejected & ~fraud)
    book["frauds_detected"] = np.count_nonzero(rejected & fraud)
