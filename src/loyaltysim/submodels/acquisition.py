"""Step 1: prospects and lapsed customers become customers.

A non-customer ``j`` converts in the month with probability::

    h_j = (p + q * a_j) * exp(kappa * (s_j - b_j)) * w_j     (h_j >= 1 converts surely)

where ``p`` is ``advertising_rate``, ``q`` is ``imitation_rate``, ``a_j`` the
share of ``j``'s contacts who are active customers at the start of the month,
``s_j - b_j`` how far word of mouth has moved ``j``'s attitude from baseline
(``kappa`` is ``attitude_sensitivity``), and ``w_j`` is ``winback_factor``
for lapsed customers, 1 for prospects. With no messages heard the attitude
term is 1, and on the complete graph the mean follows the discrete Bass map
``F(t+1) = F(t) + (p + q F(t)) (1 - F(t))``.

A conversion is credited to advertising when the person's uniform falls below
the advertising part ``min(1, p * exp(...) * w_j)`` of the hazard, otherwise
to word of mouth. New customers buy in the same month.
"""

from __future__ import annotations

import numpy as np

from loyaltysim.month import Draw, Month
from loyaltysim.network import SocialNetwork
from loyaltysim.population import ACTIVE, LAPSED, Population
from loyaltysim.scenario import Scenario


def acquire(
    population: Population, network: SocialNetwork, scenario: Scenario, month: Month
) -> None:
    """Convert prospects and lapsed customers (MODEL.md section 3, step 1)."""
    status = population.status
    active = status == ACTIVE
    candidates = np.flatnonzero(~active)
    share = network.customer_share(active)[candidates]
    lapsed = status[candidates] == LAPSED
    factor = np.exp(
        scenario.attitude_sensitivity
        * (population.satisfaction[candidates] - population.satisfaction_baseline[candidates])
    )
    factor = np.where(lapsed, scenario.winback_factor * factor, factor)
    advertising = scenario.advertising_rate * factor
    hazard = advertising + scenario.imitation_rate * share * factor
    u = month.uniform(Draw.ACQUIRE, candidates)
    converts = u < hazard
    by_advertising = converts & (u < advertising)
    new = candidates[converts]
    status[new] = ACTIVE
    population.tenure_months[new] = 0
    book = month.book
    book["acquisitions_advertising"] = np.count_nonzero(by_advertising)
    book["acquisitions_wom"] = np.count_nonzero(converts) - book["acquisitions_advertising"]
    book["acquisitions_outreach"] = 0
    book["winbacks"] = np.count_nonzero(converts & lapsed)
