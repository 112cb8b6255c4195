"""Step 1 (first half): the firm keeps in touch with prospects and lapsed customers.

The outreach rule picks whom to contact this month among the people who are
not customers and were not dropped
(:meth:`~loyaltysim.policies.OutreachRule.contact`). Each contact costs
``outreach_cost_usd`` and adds one to the person's ``outreach_contacts``; the
goodwill accumulates, adding ``outreach_response`` per contact received to
their monthly conversion hazard from then on (story 1 rule 5: the prospect signed
after the eighth birthday card; see :mod:`~loyaltysim.submodels.acquisition`).
"""

from __future__ import annotations

import numpy as np

from loyaltysim.month import Month
from loyaltysim.policies import OutreachRule, decide
from loyaltysim.population import ACTIVE, Population
from loyaltysim.scenario import Scenario

#: Contacts are counted in int16; a person's count stops here.
MAX_CONTACTS = np.iinfo(np.int16).max


def reach_out(population: Population, scenario: Scenario, rule: OutreachRule, month: Month) -> None:
    """Contact prospects and lapsed customers as the outreach rule says."""
    people = np.flatnonzero((population.status != ACTIVE) & ~population.dropped)
    contacted = people[decide(rule, people, population, month.t)]
    counts = population.outreach_contacts
    counts[contacted] = np.minimum(counts[contacted] + 1, MAX_CONTACTS)
    month.cost_usd[contacted] += scenario.outreach_cost_usd
    month.book["outreach_contacts"] = contacted.size
    month.book["outreach_cost_usd"] = contacted.size * scenario.outreach_cost_usd
