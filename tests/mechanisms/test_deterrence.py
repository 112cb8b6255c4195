"""Deterrence: customers learn that the firm checks claims, and fraud falls with the
perceived chance of being caught (papers/odd.md section 7.4, "Deterrence").

With every other learning switched off, an announced check caps every customer's
perceived chance that a fraudulent claim is paid at ``1 - detection_rate``, so the
fraudulent claims of a market whose customers all believe ``leniency_prior`` fall, in
expectation, to ``(1 - detection_rate) / leniency_prior`` of what they were: 0.2 / 0.5
= 0.4 at the defaults.
"""

from __future__ import annotations

import numpy as np

from loyaltysim import Policy, Scenario
from loyaltysim.policies import VerifyFirst
from tests.mechanisms.helpers import FRAUDY, run_model, totals

#: Learning from outcomes and from others, and the justice effects, switched off.
NO_LEARNING = dict(
    leniency_learning_rate=0.0,
    fraud_tip_reach=0,
    check_tip_reach=0,
    fraud_dissatisfaction_sensitivity=0.0,
    fraud_injustice_multiplier=1.0,
)
#: One month of a large market: the same buyers under both policies.
ONE_MONTH = dict(
    n_customers=200_000,
    horizon_months=1,
    initial_active_share=1.0,
    honesty_mean=0.3,
    fraud_propensity_max=0.3,
    **NO_LEARNING,
)
#: A market where claims are frequent enough (many sincere mistakes) for word of their
#: handling to travel, with failures driving nobody away so that the bases stay alike.
CLAIMY = dict(
    n_customers=10_000,
    horizon_months=36,
    mistaken_claim_probability=0.05,
    honesty_mean=0.7,
    fraud_propensity_max=0.2,
    failure_exit_probability=0.0,
)


def test_an_announced_check_cuts_fraud_to_the_share_the_odd_derives():
    scenario = Scenario(**ONE_MONTH)
    paid = totals(run_model(scenario, "always_compensate"), "claims_fraudulent")[0]
    announced = Policy(claims=VerifyFirst(announced=True), name="announced")
    checked = totals(run_model(scenario, announced), "claims_fraudulent")[0]
    expected = (1 - scenario.detection_rate) / scenario.leniency_prior
    # the announced frauds are a binomial thinning of the others: sd of the ratio
    sd = np.sqrt(expected * (1 - expected) / paid)
    assert paid > 2_000
    assert abs(checked / paid - expected) < 4 * sd
    # a check that is not announced deters nobody in the first month
    quiet = totals(run_model(scenario, "verify_first"), "claims_fraudulent")[0]
    assert quiet == paid


def fraud_ratio(scenario: Scenario) -> float:
    """Fraudulent claims per purchase under verify_first over those under always_compensate."""
    rates = []
    for policy in ("always_compensate", "verify_first"):
        fraud, purchases = totals(run_model(scenario, policy), "claims_fraudulent", "purchases")
        rates.append(fraud / purchases)
    return rates[1] / rates[0]


def test_fraud_falls_under_verification_as_customers_learn_that_the_firm_checks():
    learned = fraud_ratio(Scenario(**CLAIMY))
    assert learned < 0.9
    # without the lessons of being checked and the tips about it, verifying deters nobody
    blind = fraud_ratio(Scenario(**CLAIMY, check_tip_reach=0, leniency_learning_rate=0.0))
    assert blind > 0.95 and learned < blind - 0.1


def test_a_checked_claim_teaches_the_claimant_that_claims_get_checked():
    scenario = Scenario(**FRAUDY, fraud_tip_reach=0, check_tip_reach=0)
    checked = run_model(scenario, "verify_first")
    claimants = checked.population.claims > 0
    # every claim was checked: beliefs settle near 1 - detection rate, not near 1
    assert checked.population.leniency[claimants].mean() < 0.4
