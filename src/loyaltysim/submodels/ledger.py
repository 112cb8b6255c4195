"""Step 10: the monthly books, and the run's data collector.

Accounting convention (MODEL.md section 5): purchases happen before churn in
a month; each month's cash is booked at its end and discounted by
``(1 + i_m) ** t`` for ``t = 1..T``, with ``i_m`` the monthly discount rate.
So with claims, failures and word of mouth off, a cohort of customers who
each buy once a month with margin ``m`` and stay with probability ``r`` is
worth ``m * sum_{t=1..T} r**(t-1) / (1 + i_m)**t`` per customer.

``profit_usd = revenue_usd - cost_of_goods_usd - sum(SERVICE_COSTS)`` every
month, and ``prospects + active + lapsed = n_customers``.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
import pandas as pd

from loyaltysim.month import Month
from loyaltysim.population import (
    ACTIVE,
    DETRACTOR_SATISFACTION,
    PROMOTER_SATISFACTION,
    Population,
)
from loyaltysim.scenario import Scenario

__all__ = ["COLUMNS", "SERVICE_COSTS", "Ledger", "LedgerCollector", "close_month"]

#: Service cost lines subtracted, with the cost of goods, from revenue.
SERVICE_COSTS = (
    "compensation_genuine_usd",
    "compensation_mistaken_usd",
    "compensation_fraudulent_usd",
    "investigation_cost_usd",
    "discounts_usd",
    "caprice_cost_usd",
    "management_cost_usd",
    "outreach_cost_usd",
    "listening_cost_usd",
)

#: Every monthly column, in table order, with its meaning.
COLUMNS: dict[str, str] = {
    "revenue_usd": "sales before discounts",
    "cost_of_goods_usd": "cost of the goods sold",
    "compensation_genuine_usd": "claims paid for real failures",
    "compensation_mistaken_usd": "claims paid for sincere mistakes",
    "compensation_fraudulent_usd": "claims paid to fraudsters (fraud losses)",
    "investigation_cost_usd": "cost of investigating claims",
    "discounts_usd": "discounts granted to hagglers",
    "caprice_cost_usd": "cost of accommodating caprices",
    "management_cost_usd": "management time on escalated complaints",
    "outreach_cost_usd": "keep-in-touch contacts with prospects and lapsed customers",
    "listening_cost_usd": "analysing complaints for product improvements",
    "profit_usd": "revenue minus cost of goods minus every service cost",
    "discount_factor": "1 / (1 + i_m)^t",
    "discounted_profit_usd": "profit times the discount factor",
    "prospects": "people who never bought (end of month)",
    "active": "customers (end of month)",
    "lapsed": "former customers (end of month)",
    "acquisitions_advertising": "conversions credited to advertising",
    "acquisitions_wom": "conversions credited to word of mouth",
    "acquisitions_outreach": "conversions credited to keep-in-touch outreach",
    "winbacks": "lapsed customers who came back",
    "churned": "customers who left",
    "churned_after_accusation": "customers who left after a false accusation",
    "dropped": "customers the firm dropped (never won back)",
    "outreach_contacts": "keep-in-touch contacts made",
    "purchases": "purchases made",
    "failure_rate": "the firm's defect rate this month (listening lowers it)",
    "failures": "purchases that failed (defects and broken promises)",
    "broken_promises": "purchases delivered later than promised",
    "promises_denied": "broken promises the front line denied making",
    "claims_genuine": "claims for a real failure",
    "claims_mistaken": "sincere claims without a failure",
    "claims_fraudulent": "fraudulent claims",
    "claims_honoured": "claims refunded at once under the guarantee",
    "claims_deflected": "claims the front line turned away (and management did not reverse)",
    "claims_investigated": "claims investigated before an answer",
    "claims_paid": "claims paid",
    "claims_rejected": "claims rejected as fraud (and not reversed)",
    "claims_reversed": "rejected or deflected claims management reversed",
    "escalations": "complaints taken up by management",
    "public_praise": "management recoveries praised in public",
    "recovery_paradoxes": "first mild failures recovered well enough for the paradox",
    "complaints_analysed": "complaints analysed for product improvements",
    "false_accusations": "honest claimants accused of fraud",
    "frauds_detected": "fraudulent claims exposed",
    "fraud_tips": "low-honesty people tipped that claims get paid",
    "discount_requests": "purchases with a discount request",
    "discounts_granted": "discount requests granted",
    "caprices": "caprices (unreasonable demands)",
    "caprices_accommodated": "caprices accommodated",
    "wom_positive_messages": "people who spoke well of the firm",
    "wom_negative_messages": "people who spoke ill of the firm",
    "wom_positive_reached": "distinct people who heard something good",
    "wom_negative_reached": "distinct people who heard something bad",
    "wom_public_positive": "good experiences made public (reviews, praise)",
    "wom_public_negative": "bad experiences made public",
    "wom_public_positive_reached": "distinct people who read something good in public",
    "wom_public_negative_reached": "distinct people who read something bad in public",
    "mean_satisfaction": "mean satisfaction of active customers, on [-1, 1]",
    "nps": "share of active promoters minus share of detractors (NPS-style)",
}
_INDEX = {name: i for i, name in enumerate(COLUMNS)}
_MONEY = (*(c for c in COLUMNS if c.endswith("_usd")), "discount_factor")
_FLOATS = (*_MONEY, "failure_rate", "mean_satisfaction", "nps")


class Ledger:
    """Monthly rows of :data:`COLUMNS`, kept in one float array.

    Args:
        capacity: Months to allocate at first; the ledger grows if a model is
            run past its horizon.
    """

    def __init__(self, capacity: int) -> None:
        self._rows = np.zeros((max(capacity, 1), len(COLUMNS)))
        self.months = 0

    def record(self, row: dict[str, float]) -> None:
        """Append one month's row (every column of :data:`COLUMNS`)."""
        if self.months == self._rows.shape[0]:
            self._rows = np.concatenate([self._rows, np.zeros_like(self._rows)])
        values = self._rows[self.months]
        for name, value in row.items():
            values[_INDEX[name]] = value
        self.months += 1

    def column(self, name: str) -> np.ndarray:
        """One column over the months recorded so far."""
        return self._rows[: self.months, _INDEX[name]]

    def frame(self) -> pd.DataFrame:
        """The monthly table: one row per month (index ``month``, from 1)."""
        frame = pd.DataFrame(
            self._rows[: self.months],
            columns=list(COLUMNS),
            index=pd.RangeIndex(1, self.months + 1, name="month"),
        )
        counts = [c for c in COLUMNS if c not in _FLOATS]
        return frame.astype(dict.fromkeys(counts, np.int64))


def close_month(population: Population, scenario: Scenario, month: Month, ledger: Ledger) -> None:
    """Derive profit and the customer counts, and book the month (step 10)."""
    book = month.book
    discount_factor = (1.0 + scenario.monthly_discount_rate) ** -month.t
    service_costs = sum(book[name] for name in SERVICE_COSTS)
    book["profit_usd"] = book["revenue_usd"] - book["cost_of_goods_usd"] - service_costs
    book["discount_factor"] = discount_factor
    book["discounted_profit_usd"] = book["profit_usd"] * discount_factor
    book["prospects"], book["active"], book["lapsed"] = population.counts()
    population.cumulative_margin_usd += month.margin_usd
    population.cumulative_cost_usd += month.cost_usd
    population.discounted_value_usd += (month.margin_usd - month.cost_usd) * discount_factor
    s = population.satisfaction[population.status == ACTIVE]
    if s.size:
        book["mean_satisfaction"] = float(s.mean())
        book["nps"] = float(
            np.count_nonzero(s >= PROMOTER_SATISFACTION) / s.size
            - np.count_nonzero(s <= DETRACTOR_SATISFACTION) / s.size
        )
    else:
        book["mean_satisfaction"] = book["nps"] = np.nan
    ledger.record(book)


class LedgerCollector(mesa.DataCollector):
    """A Mesa :class:`~mesa.DataCollector` backed by the model's :class:`Ledger`.

    The ledger is filled by the vectorised step itself, so :meth:`collect`
    has nothing to do; :meth:`get_model_vars_dataframe` and
    :attr:`model_vars` read the ledger, which is what Mesa's SolaraViz plot
    components use.
    """

    def __init__(self, ledger: Ledger) -> None:
        super().__init__()
        self.ledger = ledger

    def collect(self, model: Any) -> None:
        """Nothing to do: the ledger is written by the step."""

    @property  # type: ignore[override]
    def model_vars(self) -> dict[str, list[float]]:
        """Every monthly column as a list, like Mesa's model reporters."""
        return {name: self.ledger.column(name).tolist() for name in COLUMNS}

    @model_vars.setter
    def model_vars(self, value: dict) -> None:
        # DataCollector.__init__ assigns an empty dict; the ledger is the store.
        pass

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """The ledger's monthly table."""
        return self.ledger.frame()
