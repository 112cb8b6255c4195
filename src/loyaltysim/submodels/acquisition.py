"""Step 1 (second half): prospects and lapsed customers become customers.

A non-customer ``j`` who was never dropped converts in the month with
probability::

    h_j = (p + o * c_j + q * a_j) * exp(kappa * (s_j - b_j)) * w_j * g * (D / d_j)^e

(``h_j >= 1`` converts surely) where ``p`` is ``advertising_rate``, ``o`` is
``outreach_response`` and ``c_j`` the goodwill of the keep-in-touch contacts
``j`` has received (fading; see :mod:`~loyaltysim.submodels.outreach`), ``q``
is ``imitation_rate`` and ``a_j`` the share of ``j``'s contacts who are active
customers at the start of the month, ``s_j - b_j`` how far word of mouth has
moved ``j``'s attitude from baseline (``kappa`` is ``attitude_sensitivity``),
``w_j`` is ``winback_factor`` for lapsed customers (1 for prospects), times
``accused_winback_factor`` for a lapsed customer the firm falsely accused
within ``accusation_memory_months``, ``g`` is ``guarantee_trial_boost`` while a guarantee is
announced (else 1), and ``(D / d_j)^e`` the appeal of the delivery promise
``d_j`` against the market's ``D`` = ``market_promise_days`` (``e`` =
``promise_appeal``). With no messages, contacts, guarantee or unusual promise,
the factors are 1, and on the complete graph the mean follows the discrete
Bass map ``F(t+1) = F(t) + (p + q F(t)) (1 - F(t))``.

A conversion is credited to advertising when the person's uniform falls below
the advertising part of the hazard, to outreach when it falls below the
advertising and outreach parts together, otherwise to word of mouth. New
customers buy in the same month.
"""

from __future__ import annotations

import numpy as np

from loyaltysim.month import Month
from loyaltysim.network import SocialNetwork
from loyaltysim.policies import GuaranteeRule, PromiseRule, decide
from loyaltysim.population import ACTIVE, LAPSED, Population
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import Draw


def acquire(
    population: Population,
    network: SocialNetwork,
    scenario: Scenario,
    promises: PromiseRule,
    guarantee: GuaranteeRule,
    month: Month,
) -> None:
    """Convert prospects and lapsed customers (papers/odd.md section 3, step 1)."""
    status = population.status
    active = status == ACTIVE
    candidates = np.flatnonzero(~active & ~population.dropped)
    share = network.customer_share(active)[candidates]
    lapsed = status[candidates] == LAPSED
    factor = np.exp(
        scenario.attitude_sensitivity
        * (population.satisfaction[candidates] - population.satisfaction_baseline[candidates])
    )
    factor = np.where(lapsed, scenario.winback_factor * factor, factor)
    accused = lapsed & population.remembers(
        population.accused_month[candidates], month.t, scenario.accusation_memory_months
    )
    factor = np.where(accused, scenario.accused_winback_factor * factor, factor)
    if guarantee.announced:
        factor *= scenario.guarantee_trial_boost
    if scenario.promise_appeal:
        promised = decide(promises, candidates, population)
        factor *= (scenario.market_promise_days / promised) ** scenario.promise_appeal
    advertising = scenario.advertising_rate * factor
    outreach = (
        advertising + scenario.outreach_response * population.outreach_goodwill[candidates] * factor
    )
    hazard = outreach + scenario.imitation_rate * share * factor
    u = month.uniform(Draw.ACQUIRE, candidates)
    converts = u < hazard
    by_advertising = converts & (u < advertising)
    by_outreach = converts & ~by_advertising & (u < outreach)
    new = candidates[converts]
    status[new] = ACTIVE
    population.tenure_months[new] = 0
    book = month.book
    book["acquisitions_advertising"] = np.count_nonzero(by_advertising)
    book["acquisitions_outreach"] = np.count_nonzero(by_outreach)
    book["acquisitions_wom"] = (
        np.count_nonzero(converts)
        - book["acquisitions_advertising"]
        - book["acquisitions_outreach"]
    )
    book["winbacks"] = np.count_nonzero(converts & lapsed)
