"""Steps 2-3: active customers buy; some purchases fail or break a promise.

Active customer ``i`` buys with probability ``purchase_probability_i`` and
spends ``basket_value_usd_i``; the firm keeps ``gross_margin`` of it and
counts the purchase in the buyer's ``purchases``.

**Defects.** Each purchase suffers a defect (a fault, a lost parcel) with the
firm's current failure rate (``failure_rate``, lowered by listening; see
:mod:`~loyaltysim.submodels.listening`).

**Promises** (stories 1, 2, 3). The promises rule sets the delivery time
promised (:meth:`~loyaltysim.policies.PromiseRule.promise_days`). Lead times
are lognormal with median ``lead_time_median_days`` and log-sd
``lead_time_sigma``, so a promise of ``d`` days is kept with probability
``Phi(ln(d / median) / sigma)``; the purchase's uniform decides, so a longer
promise breaks on a subset of the purchases a shorter one breaks on. A broken
promise is a failure; the front line denies it was ever made with probability
``frontline_denial_rate`` (story 2's associate; the longest delays are the
ones denied).

**Satisfaction.** A failure (defect or broken promise) moves satisfaction by
``effect_failure``; a broken promise adds ``effect_broken_promise`` (beyond
the delay itself), a denied one ``effect_promise_denied``. A failure within
``repeat_failure_window_months`` of the buyer's previous one is multiplied by
``repeat_failure_multiplier`` (the double deviation of Maxham & Netemeyer
2002). A failed buyer who does not claim is recorded as a silent complainer
(TARP's "did not complain").
"""

from __future__ import annotations

import numpy as np
import scipy.special

from loyaltysim.firm import Firm
from loyaltysim.month import SILENT, Month
from loyaltysim.policies import PromiseRule, decide
from loyaltysim.population import ACTIVE, Population
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import Draw


def on_time_probability(promised_days: np.ndarray, scenario: Scenario) -> np.ndarray:
    """Probability that a delivery keeps a promise of ``promised_days`` (lognormal lead time)."""
    ratio = np.log(promised_days / scenario.lead_time_median_days)
    if scenario.lead_time_sigma == 0:
        return (ratio >= 0).astype(float)
    return scipy.special.ndtr(ratio / scenario.lead_time_sigma)


def purchase(
    population: Population, firm: Firm, scenario: Scenario, promises: PromiseRule, month: Month
) -> None:
    """Book purchases, defects and broken promises (papers/odd.md section 3, steps 2-3)."""
    active = np.flatnonzero(population.status == ACTIVE)
    buys = month.uniform(Draw.PURCHASE, active) < population.purchase_probability[active]
    buyers = active[buys]
    revenue = population.basket_value_usd[buyers]
    month.buyers = buyers
    population.purchases[buyers] += 1
    month.margin_usd[buyers] = scenario.gross_margin * revenue
    defect = month.uniform(Draw.FAIL, buyers) < firm.failure_rate
    on_time = on_time_probability(decide(promises, buyers, population), scenario)
    u_late = month.uniform(Draw.LATE, buyers)
    broken = u_late >= on_time
    denied = u_late >= 1.0 - (1.0 - on_time) * scenario.frontline_denial_rate
    failed = defect | broken
    month.failed = failed
    effect = (
        scenario.effect_failure * failed
        + scenario.effect_broken_promise * broken
        + scenario.effect_promise_denied * denied
    )
    repeat = (
        population.last_failure_month[buyers] >= month.t - scenario.repeat_failure_window_months
    )
    effect = np.where(repeat, scenario.repeat_failure_multiplier * effect, effect)
    month.satisfaction_change[buyers] += effect
    failed_buyers = buyers[failed]
    population.failures[failed_buyers] += 1
    population.last_failure_month[failed_buyers] = month.t
    population.injustice_month[buyers[denied]] = month.t  # a promise denied is unjust
    month.outcome[failed_buyers] = SILENT  # claims overwrite it for those who complain
    book = month.book
    total = float(revenue.sum())
    book["purchases"] = buyers.size
    book["revenue_usd"] = total
    book["cost_of_goods_usd"] = (1.0 - scenario.gross_margin) * total
    book["failure_rate"] = firm.failure_rate
    book["failures"] = failed_buyers.size
    book["broken_promises"] = np.count_nonzero(broken)
    book["promises_denied"] = np.count_nonzero(denied)
