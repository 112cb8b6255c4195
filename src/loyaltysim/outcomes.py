"""Declared outcomes: every number the model reports, with its unit and meaning.

Two kinds of output, each declared once here and read by the ledger, the run
summary, the command line's tables, the analysis and the paper:

* :data:`MONTHLY` — the columns of the monthly ledger (:class:`Column`): what
  the submodels book each month, with the cost lines that profit subtracts
  (``service_cost``);
* :data:`OUTCOMES` — the run-level outcomes (:class:`Outcome`), each with
  the direction a firm wants it to move (EMA Workbench's ``MAXIMIZE``,
  ``MINIMIZE``, ``INFO``) and how it is computed from the run's books
  (:class:`Books`).

:func:`summarize` computes every outcome of a run; :data:`KEY_OUTCOMES` are
the ones ``loyaltysim compare`` tabulates.

Example:
    >>> OUTCOMES["npv_usd"].meaning
    'net present value: the sum of discounted monthly profit over the horizon'
    >>> [o.label for o in key_outcomes()][:2]
    ['NPV (USD)', 'final customers']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from loyaltysim.population import Population

__all__ = [
    "KEY_OUTCOMES",
    "MONTHLY",
    "OUTCOMES",
    "Books",
    "Column",
    "Direction",
    "Outcome",
    "key_outcomes",
    "summarize",
]


# --- the monthly ledger ---------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """One column of the monthly ledger.

    Attributes:
        name: Column name (``*_usd`` columns are money).
        meaning: What it counts or sums, in words.
        kind: ``"money"`` (USD), ``"count"`` (whole numbers) or ``"rate"``
            (a share, a mean or a factor).
        service_cost: Whether profit subtracts it (with the cost of goods).
    """

    name: str
    meaning: str
    kind: Literal["money", "count", "rate"] = "count"
    service_cost: bool = False


def _money(name: str, meaning: str, *, cost: bool = False) -> Column:
    return Column(name, meaning, "money", service_cost=cost)


#: Every monthly column of the model's own submodels, in table order (policy dimensions
#: added with :func:`loyaltysim.policies.add_dimension` bring theirs).
MONTHLY: tuple[Column, ...] = (
    _money("revenue_usd", "sales before discounts"),
    _money("cost_of_goods_usd", "cost of the goods sold"),
    _money("compensation_genuine_usd", "claims paid for real failures", cost=True),
    _money("compensation_mistaken_usd", "claims paid for sincere mistakes", cost=True),
    _money("compensation_fraudulent_usd", "claims paid to fraudsters (fraud losses)", cost=True),
    _money("investigation_cost_usd", "cost of investigating claims", cost=True),
    _money("discounts_usd", "discounts granted to hagglers", cost=True),
    _money("caprice_cost_usd", "cost of accommodating caprices", cost=True),
    _money("management_cost_usd", "management time on escalated complaints", cost=True),
    _money(
        "outreach_cost_usd",
        "keep-in-touch contacts with prospects and lapsed customers",
        cost=True,
    ),
    _money("listening_cost_usd", "analysing complaints for product improvements", cost=True),
    _money("profit_usd", "revenue minus cost of goods minus every service cost"),
    Column("discount_factor", "1 / (1 + i_m)^t", "rate"),
    _money("discounted_profit_usd", "profit times the discount factor"),
    Column("prospects", "people who never bought (end of month)"),
    Column("active", "customers (end of month)"),
    Column("lapsed", "former customers (end of month)"),
    Column("acquisitions_advertising", "conversions credited to advertising"),
    Column("acquisitions_wom", "conversions credited to word of mouth"),
    Column("acquisitions_outreach", "conversions credited to keep-in-touch outreach"),
    Column("winbacks", "lapsed customers who came back"),
    Column("churned", "customers who left"),
    Column("churned_after_accusation", "customers who left after a false accusation"),
    Column("dropped", "customers the firm dropped (never won back)"),
    Column("outreach_contacts", "keep-in-touch contacts made"),
    Column("purchases", "purchases made"),
    Column("failure_rate", "the firm's defect rate this month (listening lowers it)", "rate"),
    Column("failures", "purchases that failed (defects and broken promises)"),
    Column("broken_promises", "purchases delivered later than promised"),
    Column("promises_denied", "broken promises the front line denied making"),
    Column("claims_genuine", "claims for a real failure"),
    Column("claims_mistaken", "sincere claims without a failure"),
    Column("claims_fraudulent", "fraudulent claims"),
    Column("claims_honoured", "claims refunded at once under the guarantee"),
    Column(
        "claims_deflected",
        "claims the front line turned away (and management did not reverse)",
    ),
    Column("claims_investigated", "claims investigated before an answer"),
    Column("claims_paid", "claims paid"),
    Column("claims_rejected", "claims rejected as fraud (and not reversed)"),
    Column("claims_reversed", "rejected or deflected claims management reversed"),
    Column("escalations", "complaints taken up by management"),
    Column("rejections_upheld", "escalated rejections of exposed fraud management upheld"),
    Column("public_praise", "management recoveries praised in public"),
    Column("recovery_paradoxes", "first mild failures recovered well enough for the paradox"),
    Column("complaints_analysed", "complaints analysed for product improvements"),
    Column("false_accusations", "honest claimants accused of fraud"),
    Column("frauds_detected", "fraudulent claims exposed"),
    Column("fraud_tips", "low-honesty people tipped that claims get paid"),
    Column("check_tips", "low-honesty people told that the firm checks claims"),
    Column("discount_requests", "purchases with a discount request"),
    Column("discounts_granted", "discount requests granted"),
    Column("caprices", "caprices (unreasonable demands)"),
    Column("caprices_accommodated", "caprices accommodated"),
    Column("wom_positive_messages", "people who spoke well of the firm"),
    Column("wom_negative_messages", "people who spoke ill of the firm"),
    Column("wom_positive_reached", "distinct people who heard something good"),
    Column("wom_negative_reached", "distinct people who heard something bad"),
    Column("wom_public_positive", "good experiences made public (reviews, praise)"),
    Column("wom_public_negative", "bad experiences made public"),
    Column("wom_public_positive_reached", "distinct people who read something good in public"),
    Column("wom_public_negative_reached", "distinct people who read something bad in public"),
    Column("mean_satisfaction", "mean satisfaction of active customers, on [-1, 1]", "rate"),
    Column("nps", "share of active promoters minus share of detractors (NPS-style)", "rate"),
)


# --- run-level outcomes ---------------------------------------------------------------------
class Direction(StrEnum):
    """Which way a firm wants an outcome to move (the EMA Workbench's outcome kinds)."""

    MAXIMIZE = "maximize"
    MINIMIZE = "minimize"
    INFO = "info"


class Books:
    """A run's records that outcomes are computed from: the monthly ledger and the people.

    Args:
        columns: Each monthly column over the months run (name -> array).
        population: The population at the end of the run (for outcomes of
            individual customers, such as the cohort's value); ``None`` when
            only the ledger is known.
    """

    def __init__(
        self, columns: Mapping[str, np.ndarray], population: Population | None = None
    ) -> None:
        self.columns = columns
        self.population = population

    def total(self, *names: str) -> float:
        """The sum over the months of one or more columns (added in the order given)."""
        total = 0.0
        for name in names:  # plain additions: the built-in sum() compensates rounding
            total += float(self.columns[name].sum())
        return total

    def last(self, name: str) -> float:
        """The column's value in the last month (NaN before the first)."""
        values = self.columns[name]
        return float(values[-1]) if values.size else float("nan")

    def peak(self, name: str) -> float:
        """The column's largest monthly value (NaN before the first month)."""
        values = self.columns[name]
        return float(values.max()) if values.size else float("nan")

    @property
    def months(self) -> int:
        """Months recorded."""
        return int(next(iter(self.columns.values())).size)


@dataclass(frozen=True)
class Outcome:
    """One run-level outcome.

    Attributes:
        name: Identifier (a key of :attr:`loyaltysim.RunResult.summary`).
        label: Short label for tables and axes.
        unit: Unit (``"USD"``, ``"people"``, ``"share"``...).
        meaning: What it measures, in a sentence.
        direction: Which way the firm wants it to move.
        compute: Computes it from a run's :class:`Books`.
        spec: Format spec for reports (``",.0f"``, ``".3f"``).
    """

    name: str
    label: str
    unit: str
    meaning: str
    direction: Direction
    compute: Callable[[Books], float]
    spec: str = ",.0f"


_MAX, _MIN, _INFO = Direction.MAXIMIZE, Direction.MINIMIZE, Direction.INFO
_ACQUISITIONS = ("acquisitions_advertising", "acquisitions_wom", "acquisitions_outreach")
_CLAIMS = ("claims_genuine", "claims_mistaken", "claims_fraudulent")
_COMPENSATION = (
    "compensation_genuine_usd",
    "compensation_mistaken_usd",
    "compensation_fraudulent_usd",
)


def _total(column: str) -> Callable[[Books], float]:
    return lambda books: books.total(column)


def _ratio(numerator: float, denominator: float) -> float:
    """A share; 0 of nothing is 0 (a summary holds no NaN)."""
    return numerator / denominator if denominator else 0.0


def _retention(books: Books) -> float:
    """``(1 - churned / customers at risk) ** 12`` over the run; 0 if no one was ever at risk."""
    at_risk = books.total("active", "churned")
    return (1.0 - books.total("churned") / at_risk) ** 12 if at_risk else 0.0


def _last_of_customers(column: str) -> Callable[[Books], float]:
    """A column's last month, which is NaN when no one is a customer then: 0 instead."""

    def last(books: Books) -> float:
        value = books.last(column)
        return 0.0 if math.isnan(value) else value

    return last


def _cohort_value(books: Books) -> float:
    """Mean discounted net contribution of the customers active at month 0."""
    population = books.population
    if population is None:
        return float("nan")
    cohort = population.initially_active
    return float(population.discounted_value_usd[cohort].mean()) if cohort.any() else 0.0


def _outcome(
    name: str,
    label: str,
    unit: str,
    meaning: str,
    direction: Direction,
    compute: Callable[[Books], float] | None = None,
    spec: str = ",.0f",
) -> Outcome:
    """An outcome; without ``compute``, the total of the monthly column of the same name."""
    return Outcome(name, label, unit, meaning, direction, compute or _total(name), spec)


#: Every run-level outcome, in the order of a run's summary.
OUTCOMES: dict[str, Outcome] = {
    o.name: o
    for o in (
        _outcome(
            "months", "months", "months", "months simulated", _INFO, lambda b: float(b.months)
        ),
        _outcome(
            "npv_usd",
            "NPV (USD)",
            "USD",
            "net present value: the sum of discounted monthly profit over the horizon",
            _MAX,
            _total("discounted_profit_usd"),
        ),
        _outcome(
            "total_profit_usd",
            "total profit (USD)",
            "USD",
            "undiscounted profit over the horizon",
            _MAX,
            _total("profit_usd"),
        ),
        _outcome("revenue_usd", "revenue (USD)", "USD", "sales over the horizon", _INFO),
        _outcome(
            "final_active",
            "final customers",
            "people",
            "customers at the end of the horizon",
            _MAX,
            lambda b: b.last("active"),
        ),
        _outcome(
            "peak_active",
            "peak customers",
            "people",
            "the largest customer base of any month",
            _INFO,
            lambda b: b.peak("active"),
        ),
        _outcome(
            "cohort_clv_usd",
            "cohort CLV (USD)",
            "USD/customer",
            "mean discounted net contribution (margin minus service costs) of the customers "
            "active at month 0, over the horizon",
            _MAX,
            _cohort_value,
        ),
        _outcome(
            "acquisitions",
            "acquisitions",
            "people",
            "conversions by advertising, word of mouth and outreach",
            _MAX,
            lambda b: b.total(*_ACQUISITIONS),
        ),
        _outcome("churned", "churned", "people", "customers who left", _MIN),
        _outcome(
            "annual_retention",
            "annual retention",
            "share/year",
            "(1 - churned / customers at risk)^12 over the run (0 if no one was ever a customer)",
            _MAX,
            _retention,
            ".3f",
        ),
        _outcome(
            "claims", "claims", "claims", "claims of every kind", _INFO, lambda b: b.total(*_CLAIMS)
        ),
        _outcome("claims_genuine", "genuine claims", "claims", "claims for a real failure", _INFO),
        _outcome(
            "claims_mistaken",
            "mistaken claims",
            "claims",
            "sincere claims without a failure",
            _INFO,
        ),
        _outcome("claims_fraudulent", "fraudulent claims", "claims", "fraudulent claims", _MIN),
        _outcome(
            "fraud_share_of_claims",
            "fraud share of claims",
            "share",
            "fraudulent claims over all claims (0 without claims)",
            _INFO,
            lambda b: _ratio(b.total("claims_fraudulent"), b.total(*_CLAIMS)),
            ".3f",
        ),
        _outcome(
            "compensation_usd",
            "compensation (USD)",
            "USD",
            "claims paid, of every kind",
            _INFO,
            lambda b: b.total(*_COMPENSATION),
        ),
        _outcome(
            "fraud_losses_usd",
            "fraud losses (USD)",
            "USD",
            "claims paid to fraudsters",
            _MIN,
            _total("compensation_fraudulent_usd"),
        ),
        _outcome(
            "investigation_cost_usd",
            "investigation cost (USD)",
            "USD",
            "cost of investigating claims",
            _MIN,
        ),
        _outcome(
            "false_accusations",
            "false accusations",
            "people",
            "honest claimants accused of fraud",
            _MIN,
            spec=",.1f",
        ),
        _outcome(
            "frauds_detected", "frauds detected", "claims", "fraudulent claims exposed", _INFO
        ),
        _outcome(
            "claims_deflected",
            "claims deflected",
            "claims",
            "claims the front line turned away (and management did not reverse)",
            _MIN,
        ),
        _outcome(
            "escalations", "escalations", "complaints", "complaints taken up by management", _INFO
        ),
        _outcome(
            "management_cost_usd",
            "management cost (USD)",
            "USD",
            "management time on escalated complaints",
            _MIN,
        ),
        _outcome(
            "failures",
            "failures",
            "purchases",
            "purchases that failed (defects and broken promises)",
            _MIN,
        ),
        _outcome(
            "broken_promises",
            "broken promises",
            "purchases",
            "purchases delivered later than promised",
            _MIN,
        ),
        _outcome(
            "acquisitions_outreach",
            "outreach acquisitions",
            "people",
            "conversions credited to keep-in-touch outreach",
            _INFO,
        ),
        _outcome("outreach_cost_usd", "outreach cost (USD)", "USD", "keep-in-touch contacts", _MIN),
        _outcome("dropped", "dropped", "people", "customers the firm dropped", _INFO),
        _outcome(
            "listening_cost_usd",
            "listening cost (USD)",
            "USD",
            "analysing complaints for product improvements",
            _MIN,
        ),
        _outcome(
            "final_failure_rate",
            "final failure rate",
            "probability/purchase",
            "the firm's defect rate in the last month (listening lowers it)",
            _MIN,
            lambda b: b.last("failure_rate"),
            ".3f",
        ),
        _outcome(
            "wom_positive_messages",
            "positive WOM (msgs)",
            "people",
            "people who spoke well of the firm, summed over the months",
            _MAX,
        ),
        _outcome(
            "wom_negative_messages",
            "negative WOM (msgs)",
            "people",
            "people who spoke ill of the firm, summed over the months",
            _MIN,
        ),
        _outcome(
            "wom_public_messages",
            "public WOM (msgs)",
            "messages",
            "experiences made public, good and bad",
            _INFO,
            lambda b: b.total("wom_public_positive", "wom_public_negative"),
        ),
        _outcome(
            "wom_balance",
            "WOM balance (msgs)",
            "messages",
            "positive minus negative word-of-mouth messages over the horizon",
            _MAX,
            lambda b: b.total("wom_positive_messages") - b.total("wom_negative_messages"),
        ),
        _outcome(
            "final_mean_satisfaction",
            "final satisfaction",
            "satisfaction",
            "mean satisfaction of active customers in the last month, on [-1, 1] (0 without "
            "customers)",
            _MAX,
            _last_of_customers("mean_satisfaction"),
            ".3f",
        ),
        _outcome(
            "final_nps",
            "final NPS",
            "share",
            "share of active promoters minus detractors in the last month (0 without customers)",
            _MAX,
            _last_of_customers("nps"),
            ".3f",
        ),
    )
}

#: The outcomes ``loyaltysim compare`` tabulates, in column order.
KEY_OUTCOMES: tuple[str, ...] = (
    "npv_usd",
    "final_active",
    "annual_retention",
    "fraud_losses_usd",
    "false_accusations",
    "wom_balance",
)


def key_outcomes(names: Iterable[str] = KEY_OUTCOMES) -> list[Outcome]:
    """The :class:`Outcome` records of ``names`` (default: :data:`KEY_OUTCOMES`)."""
    return [OUTCOMES[name] for name in names]


def summarize(books: Books) -> dict[str, float]:
    """Every outcome of :data:`OUTCOMES`, computed from a run's books."""
    return {name: outcome.compute(books) for name, outcome in OUTCOMES.items()}
