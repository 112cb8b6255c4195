"""Step 10: the monthly books, and the run's data collector.

Accounting convention (papers/odd.md section 7.12): purchases happen before
churn in a month; each month's cash is booked at its end and discounted by
``(1 + i_m) ** t`` for ``t = 1..T``, with ``i_m`` the monthly discount rate.
So with claims, failures and word of mouth off, a cohort of customers who
each buy once a month with margin ``m`` and stay with probability ``r`` is
worth ``m * sum_{t=1..T} r**(t-1) / (1 + i_m)**t`` per customer.

``profit_usd = revenue_usd - cost_of_goods_usd - sum(service costs)`` every
month, and ``prospects + active + lapsed = n_customers``. The columns and the
service cost lines are declared in :data:`loyaltysim.outcomes.MONTHLY` (and by
policy dimensions added to the model).

**The claim log** (off by default; ``LoyaltyModel(..., claim_log=True)``):
one record per claim, month by month (:func:`claim_records`, :class:`ClaimLog`),
so that every claim count of the ledger can be recounted claim by claim.

**The purchase log** (off by default; ``LoyaltyModel(..., purchase_log=True)``):
one record per purchase, month by month (:func:`purchase_records`,
:class:`PurchaseLog`): the month, the buyer and the amount (the buyer's
basket), the raw material of a synthetic transaction log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import mesa
import numpy as np
import pandas as pd
from numpy.random import SeedSequence

from loyaltysim.month import Month
from loyaltysim.outcomes import MONTHLY, Column
from loyaltysim.policies import DIMENSIONS, FrontLine
from loyaltysim.population import (
    ACTIVE,
    DETRACTOR_SATISFACTION,
    PROMOTER_SATISFACTION,
    Population,
)
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import MonthlyDraws
from loyaltysim.submodels.claims import FRAUDULENT, KIND_NAMES

__all__ = [
    "ANSWER_NAMES",
    "CLAIM_LOG_COLUMNS",
    "COLUMNS",
    "PURCHASE_LOG_COLUMNS",
    "SERVICE_COSTS",
    "ClaimLog",
    "Ledger",
    "LedgerCollector",
    "PurchaseLog",
    "claim_records",
    "close_month",
    "ledger_columns",
    "purchase_records",
]

#: The model's own monthly columns (declared in :data:`loyaltysim.outcomes.MONTHLY`), in
#: table order, with their meaning.
COLUMNS: dict[str, str] = {column.name: column.meaning for column in MONTHLY}

#: The model's own service cost lines, subtracted with the cost of goods from revenue.
SERVICE_COSTS: tuple[str, ...] = tuple(c.name for c in MONTHLY if c.service_cost)


def ledger_columns() -> tuple[Column, ...]:
    """Every monthly column: the model's own, then those of dimensions added to it."""
    return MONTHLY + tuple(c for d in DIMENSIONS.values() for c in d.columns)


class Ledger:
    """Monthly rows of the ledger's columns, kept in one float array.

    Args:
        capacity: Months to allocate at first; the ledger grows if a model is
            run past its horizon.
        columns: The columns (default: :func:`ledger_columns`).
    """

    def __init__(self, capacity: int, columns: Iterable[Column] | None = None) -> None:
        self.columns = tuple(columns) if columns is not None else ledger_columns()
        self.names = [c.name for c in self.columns]
        self.service_costs = tuple(c.name for c in self.columns if c.service_cost)
        self._index = {name: i for i, name in enumerate(self.names)}
        self._rows = np.zeros((max(capacity, 1), len(self.names)))
        self.months = 0

    def record(self, row: Mapping[str, float | np.integer[Any]]) -> None:
        """Append one month's row (every column of the ledger)."""
        if self.months == self._rows.shape[0]:
            self._rows = np.concatenate([self._rows, np.zeros_like(self._rows)])
        values = self._rows[self.months]
        for name, value in row.items():
            values[self._index[name]] = value
        self.months += 1

    def column(self, name: str) -> np.ndarray:
        """One column over the months recorded so far."""
        return self._rows[: self.months, self._index[name]]

    def frame(self) -> pd.DataFrame:
        """The monthly table: one row per month (index ``month``, from 1)."""
        frame = pd.DataFrame(
            self._rows[: self.months],
            columns=self.names,
            index=pd.RangeIndex(1, self.months + 1, name="month"),
        )
        counts = [c.name for c in self.columns if c.kind == "count"]
        return frame.astype(dict.fromkeys(counts, np.int64))


def close_month(population: Population, ledger: Ledger, scenario: Scenario, month: Month) -> None:
    """Derive profit and the customer counts, and book the month (step 10)."""
    book = month.book
    discount_factor = (1.0 + scenario.monthly_discount_rate) ** -month.t
    service_costs = sum(book[name] for name in ledger.service_costs)
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


#: The front line's answer to a claim (the claim log's ``answer``), by code: refunded under
#: the guarantee, paid at once, deflected, investigated and paid, rejected as fraud.
#: The front line's answers (:class:`~loyaltysim.policies.FrontLine`), by code, in the log.
ANSWER_NAMES = tuple(answer.name.lower() for answer in FrontLine)

#: The claim log's columns, in order, with their meaning.
CLAIM_LOG_COLUMNS: dict[str, str] = {
    "month": "month the claim was filed and answered (from 1)",
    "customer": "the claimant's index in the population",
    "value_usd": "amount claimed (USD)",
    "kind": "genuine, mistaken or fraudulent (the model's knowledge, hidden from the firm)",
    "public": "the claimant also complained in public",
    "answer": "the front line's answer, before management: " + ", ".join(ANSWER_NAMES),
    "fraud_exposed": "a fraudulent claim rejected as fraud, the rejection standing",
    "falsely_accused": "an honest (genuine or mistaken) claim rejected as fraud, standing",
    "escalated": "taken up by management",
    "reversed": "a rejection or deflection that management reversed (the claim is paid)",
    "paid": "paid in the end",
}


def claim_records(month: Month) -> dict[str, np.ndarray]:
    """The month's claims, one entry per claim: the columns of :data:`CLAIM_LOG_COLUMNS`.

    Reads only the month's claims (:attr:`~loyaltysim.month.Month.claims`),
    their kinds and their answers (:class:`~loyaltysim.month.ClaimAnswers`),
    so its counts are the ledger's: a rejection or deflection stands unless
    management ``reversed`` it; ``kind`` and ``answer`` are codes (``kind`` of
    :data:`~loyaltysim.submodels.claims.KIND_NAMES`, ``answer`` a
    :class:`~loyaltysim.policies.FrontLine` code, the same the recovery rule saw).
    """
    claims, kind, answers = month.claims, month.claim_kinds, month.answers
    reversed_ = answers.reversed
    stands = answers.rejected & ~reversed_
    fraud = kind == FRAUDULENT
    return {
        "month": np.full(len(claims), month.t, dtype=np.int32),
        "customer": claims.customers,
        "value_usd": claims.value_usd,
        "kind": kind,
        "public": claims.public,
        "answer": claims.answer,
        "fraud_exposed": stands & fraud,
        "falsely_accused": stands & ~fraud,
        "escalated": answers.escalated,
        "reversed": reversed_,
        "paid": answers.paid,
    }


class ClaimLog:
    """Every claim of a run, month by month: the claim log for researchers.

    The model records each month's claims when it closes the month's books
    (step 10). One month's records are a few arrays of the claims' length,
    so the log costs nothing while off and little while on.
    """

    def __init__(self) -> None:
        self._months: list[dict[str, np.ndarray]] = []

    def record(self, month: Month) -> None:
        """Keep the month's claims (:func:`claim_records`)."""
        self._months.append(claim_records(month))

    def frame(self) -> pd.DataFrame:
        """The log: one row per claim, in month then claim order (:data:`CLAIM_LOG_COLUMNS`).

        ``kind`` and ``answer`` are categoricals of their names.
        """
        # before the first month: the records of a month without claims (empty, typed)
        months = self._months or [claim_records(Month(0, MonthlyDraws(SeedSequence(0), 0, 0), 0))]
        frame = pd.DataFrame(
            {name: np.concatenate([m[name] for m in months]) for name in CLAIM_LOG_COLUMNS}
        )
        frame["kind"] = pd.Categorical(frame["kind"].map(KIND_NAMES), list(KIND_NAMES.values()))
        frame["answer"] = pd.Categorical.from_codes(
            frame["answer"].to_numpy(), pd.Index(ANSWER_NAMES)
        )
        return frame


#: The purchase log's columns, in order, with their meaning.
PURCHASE_LOG_COLUMNS: dict[str, str] = {
    "month": "month of the purchase (from 1)",
    "customer": "the buyer's index in the population",
    "value_usd": "amount spent: the buyer's basket (USD)",
}


def purchase_records(population: Population, month: Month) -> dict[str, np.ndarray]:
    """The month's purchases, one entry per buyer: the columns of :data:`PURCHASE_LOG_COLUMNS`.

    Reads the month's buyers (:attr:`~loyaltysim.month.Month.buyers`, set by
    the purchases submodel) and their baskets, so its count is the ledger's
    ``purchases`` and its sum the ledger's ``revenue_usd``.
    """
    buyers = month.buyers
    return {
        "month": np.full(buyers.size, month.t, dtype=np.int32),
        "customer": buyers,
        "value_usd": population.basket_value_usd[buyers],
    }


class PurchaseLog:
    """Every purchase of a run, month by month: the model's own transaction log.

    The model records each month's buyers when it closes the month's books
    (step 10): two integers and a float a purchase while on, nothing while off.
    """

    def __init__(self) -> None:
        self._months: list[dict[str, np.ndarray]] = []

    def record(self, population: Population, month: Month) -> None:
        """Keep the month's purchases (:func:`purchase_records`)."""
        self._months.append(purchase_records(population, month))

    def frame(self) -> pd.DataFrame:
        """The log: one row per purchase, by month then buyer (:data:`PURCHASE_LOG_COLUMNS`)."""
        empty: dict[str, np.ndarray] = {
            "month": np.zeros(0, dtype=np.int32),
            "customer": np.zeros(0, dtype=np.int64),
            "value_usd": np.zeros(0),
        }
        months = self._months or [empty]
        return pd.DataFrame(
            {name: np.concatenate([m[name] for m in months]) for name in PURCHASE_LOG_COLUMNS}
        )


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

    @property
    def model_vars(self) -> dict[str, list[float]]:
        """Every monthly column as a list, like Mesa's model reporters."""
        return {name: self.ledger.column(name).tolist() for name in self.ledger.names}

    @model_vars.setter
    def model_vars(self, value: dict) -> None:
        # DataCollector.__init__ assigns an empty dict; the ledger is the store.
        pass

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """The ledger's monthly table."""
        return self.ledger.frame()
