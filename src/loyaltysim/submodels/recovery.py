"""Step 6 (continued) and 7: management recovery and the service-recovery paradox.

**Escalation** (stories 0, 2). The recovery rule picks which of the month's
complaints go up to management
(:meth:`~loyaltysim.policies.RecoveryRule.escalate`), seeing how the front
line answered each (``claims.answer``). Each costs ``management_cost_usd``.
Management reviews the claim: it pays one the front line turned away, and
withdraws a wrongful accusation and pays (story 2's general manager); a
rejection of fraud the investigation exposed it upholds, when the rule
:meth:`~loyaltysim.policies.RecoveryRule.upholds_exposed_fraud` (the built-in
rule does by default). To every claimant it does not uphold a rejection
against, its personal attention adds ``effect_management_recovery`` (seed
000's phone call), and a recovered complainer praises the firm in public with
probability ``public_praise_probability``, drawn from a row of its own
(``Draw.PRAISE``; story 0's follow-up column), which word of mouth spreads to
a random sample of the market.

**The service-recovery paradox** (de Matos, Henrique & Rossi 2007; Maxham &
Netemeyer 2002; Michel & Meuter 2008), small and conditional:
a *first* failure, *mild* (claim at most ``recovery_paradox_max_usd``) and
*well recovered* (paid at once, or taken up by management) adds
``effect_recovery_paradox``. A later failure gets no such bonus, and one
within ``repeat_failure_window_months`` of the previous failure hurts
``repeat_failure_multiplier`` times more (the double deviation; see
:mod:`~loyaltysim.submodels.purchases`).
"""

from __future__ import annotations

import numpy as np

from loyaltysim.month import Month
from loyaltysim.policies import RecoveryRule, decide
from loyaltysim.population import Population
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import Draw
from loyaltysim.submodels.claims import FRAUDULENT, GENUINE


def recover(population: Population, scenario: Scenario, rule: RecoveryRule, month: Month) -> None:
    """Escalate complaints to management and apply the recovery paradox."""
    claims, answers = month.claims, month.answers
    who = claims.customers
    escalated = decide(rule, claims, population)
    answers.escalated = escalated
    exposed = answers.rejected & (month.claim_kinds == FRAUDULENT)
    answers.upheld = escalated & exposed & rule.upholds_exposed_fraud()
    recovered = escalated & ~answers.upheld
    management = escalated * scenario.management_cost_usd
    month.cost_usd[who] += management
    month.satisfaction_change[who] += recovered * scenario.effect_management_recovery
    praise = recovered & (month.uniform(Draw.PRAISE, who) < scenario.public_praise_probability)
    month.praised = who[praise]
    paradox = (
        (month.claim_kinds == GENUINE)
        & (population.failures[who] == 1)
        & (claims.value_usd <= scenario.recovery_paradox_max_usd)
        & (answers.paid_at_once | recovered)
    )
    month.satisfaction_change[who] += paradox * scenario.effect_recovery_paradox
    book = month.book
    book["escalations"] = np.count_nonzero(escalated)
    book["rejections_upheld"] = np.count_nonzero(answers.upheld)
    book["management_cost_usd"] = float(management.sum())
    book["public_praise"] = np.count_nonzero(praise)
    book["recovery_paradoxes"] = np.count_nonzero(paradox)
