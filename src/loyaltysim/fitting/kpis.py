"""Key performance indicators: a client's aggregates, and the one function that computes them.

A client without a transaction log may still know a few monthly figures.
They go in a KPI file, a TOML file with a ``[kpis]`` table (``examples/kpis.toml``)::

    [kpis]
    period_months = 24            # the months the figures describe
    monthly_retention = 0.82      # share of a month's active customers active the next month
    basket_mean_usd = 48.0

Each KPI is declared once in :class:`KPIs` (unit, range, meaning), so a file
is validated, and refused in one line, like a scenario file; every KPI is
optional, but at least one must describe behaviour the model simulates
(:data:`SIMULATED`): the basket alone is a closed form, not a fit.

An *active customer* in a month is one who bought in that month or the
:data:`ACTIVE_WINDOW_MONTHS` ``- 1`` months before it (a 90-day active
customer). :func:`compute_kpis` computes every KPI from a transaction log
(and a claims log, for the claim KPIs), and the fit calls it on the logs the
model writes, so the client's figures and the model's are computed by one
definition, with no second implementation to drift. A client whose figures
come from their own reports should check that their definitions match the
meanings below.

Which scenario parameters a KPI can inform is declared here too
(:data:`INFORMS`); the fit estimates only those the given KPIs inform and
reports the rest as not informed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from loyaltysim._io import read_toml
from loyaltysim.errors import ParameterError
from loyaltysim.fitting.clientdata import PAID_OUTCOMES, PUBLIC_COLUMN
from loyaltysim.fitting.summaries import month_index
from loyaltysim.params import ParameterSpec, check_known, close_match, param, specs_of
from loyaltysim.scenario import Scenario

__all__ = [
    "ACTIVE_WINDOW_MONTHS",
    "BASKET_KPIS",
    "CLAIM_KPIS",
    "INFORMS",
    "KPI_SUFFIXES",
    "SIMULATED",
    "KPIs",
    "basket_from_kpis",
    "compute_kpis",
    "read_kpis",
]

#: Months a purchase keeps a customer active: the month bought in and the two after it.
ACTIVE_WINDOW_MONTHS = 3

#: File types a KPI file may be.
KPI_SUFFIXES = (".toml",)

_SOURCE = "the client's figure, defined as compute_kpis computes it (papers/odd.md section 6.1)"
_PER_ACTIVE = "per active customer a month (months 3..T)"


@dataclass(frozen=True)
class KPIs:
    """A client's monthly figures (every one optional; see the module).

    Attributes:
        period_months: Months the figures describe, and the months simulated.
        monthly_retention: Share of a month's active customers still active
            the next month.
        purchases_per_active_customer: Purchases per active customer a month.
        active_customers: Active customers in a month, on average.
        new_customers_per_month: Customers whose first purchase falls in the
            month, on average.
        basket_mean_usd: Mean purchase amount.
        basket_sd_usd: Standard deviation of purchase amounts.
        claim_rate: Claims filed per active customer a month.
        complaint_rate: Public complaints (claims also made in public) per
            active customer a month.
        refund_share: Money paid on claims over revenue.
        audited_fraud_share: Share of audited claims found fraudulent.
    """

    period_months: int = param(
        12,
        unit="months",
        low=6,
        high=240,
        group="period",
        meaning="months the figures describe (each is a monthly average over them); the fit "
        "simulates as many",
        source="stated assumption: a year of monthly reports",
    )
    monthly_retention: float | None = param(
        None,
        kind="float",
        unit="share/month",
        low=0.0,
        high=1.0,
        group="customers",
        meaning="share of a month's active customers (bought in it or the 2 months before) who "
        "are still active the next month",
        source=_SOURCE,
    )
    purchases_per_active_customer: float | None = param(
        None,
        kind="float",
        unit="purchases/active customer/month",
        low=0.0,
        high=100.0,
        group="customers",
        meaning="purchases " + _PER_ACTIVE,
        source=_SOURCE,
    )
    active_customers: float | None = param(
        None,
        kind="float",
        unit="customers",
        low=1.0,
        high=1e7,
        group="customers",
        meaning="active customers in a month, on average (months 3..T); sets the simulated "
        "market's size",
        source=_SOURCE,
    )
    new_customers_per_month: float | None = param(
        None,
        kind="float",
        unit="customers/month",
        low=0.0,
        high=1e7,
        group="customers",
        meaning="customers whose first purchase falls in the month, on average (months 2..T)",
        source=_SOURCE,
    )
    basket_mean_usd: float | None = param(
        None,
        kind="float",
        unit="USD/purchase",
        low=0.0,
        high=1e7,
        group="basket",
        meaning="mean amount of a purchase",
        source=_SOURCE,
    )
    basket_sd_usd: float | None = param(
        None,
        kind="float",
        unit="USD/purchase",
        low=0.0,
        high=1e7,
        group="basket",
        meaning="standard deviation of purchase amounts (needs basket_mean_usd)",
        source=_SOURCE,
    )
    claim_rate: float | None = param(
        None,
        kind="float",
        unit="claims/active customer/month",
        low=0.0,
        high=1.0,
        group="claims",
        meaning="claims filed (refund, repair or compensation requests) " + _PER_ACTIVE,
        source=_SOURCE,
    )
    complaint_rate: float | None = param(
        None,
        kind="float",
        unit="complaints/active customer/month",
        low=0.0,
        high=1.0,
        group="claims",
        meaning="public complaints (claims also made in public: reviews, social media) "
        + _PER_ACTIVE,
        source=_SOURCE,
    )
    refund_share: float | None = param(
        None,
        kind="float",
        unit="share of revenue",
        low=0.0,
        high=1.0,
        group="claims",
        meaning="money paid on claims (refunds, compensation) over revenue",
        source=_SOURCE,
    )
    audited_fraud_share: float | None = param(
        None,
        kind="float",
        unit="share of audited claims",
        low=0.0,
        high=1.0,
        group="claims",
        meaning="share of claims an audit of a sample of claims found fraudulent",
        source=_SOURCE,
    )

    @classmethod
    def specs(cls) -> list[ParameterSpec]:
        """Every field's declaration (the period first, then the KPIs)."""
        return specs_of(cls)

    @classmethod
    def from_dict(cls, table: dict[str, Any], where: str = "kpis") -> KPIs:
        """Validated KPIs from a ``[kpis]`` table.

        Raises:
            ParameterError: An unknown name (with a close match), a value of
                the wrong type or out of its range, a spread without its
                mean, or no KPI the model simulates.
        """
        specs = {spec.name: spec for spec in cls.specs()}
        check_known(table, specs, where)
        values = {name: specs[name].validate(v, f"{where}.{name}") for name, v in table.items()}
        kpis = cls(**values)
        if kpis.basket_sd_usd is not None and kpis.basket_mean_usd is None:
            raise ParameterError(
                f"{where}.basket_mean_usd",
                "nothing",
                "a mean basket in USD",
                "basket_sd_usd is a spread around it",
            )
        if not any(name in SIMULATED for name in kpis.given()):
            raise ParameterError(
                where,
                ", ".join(kpis.given()) or "no KPI",
                "at least one of " + ", ".join(SIMULATED),
                "the basket alone is a closed form, not a fit",
            )
        return kpis

    def given(self) -> dict[str, float]:
        """The KPIs given (not the period), in declaration order."""
        return {
            f.name: float(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name != "period_months" and getattr(self, f.name) is not None
        }

    def digest(self) -> str:
        """SHA-256 of the figures (what a fit folder records of its data)."""
        text = json.dumps(dataclasses.asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


#: The KPIs of the basket: estimated in closed form (:func:`basket_from_kpis`), not simulated for.
BASKET_KPIS = ("basket_mean_usd", "basket_sd_usd")

#: The KPIs that need the claims log (:func:`compute_kpis` computes them when given one).
CLAIM_KPIS = ("claim_rate", "complaint_rate", "refund_share", "audited_fraud_share")

#: The KPIs the fit compares with simulated markets.
SIMULATED = tuple(
    f.name
    for f in dataclasses.fields(KPIs)
    if f.name != "period_months" and f.name not in BASKET_KPIS
)

#: The scenario parameters each KPI can inform: the fit estimates only those of the KPIs
#: given (papers/odd.md section 6.1).
INFORMS: dict[str, tuple[str, ...]] = {
    "monthly_retention": (
        "purchase_probability_mean",
        "purchase_probability_dispersion",
        "base_monthly_churn",
        "churn_loyalty_sensitivity",
    ),
    "purchases_per_active_customer": (
        "purchase_probability_mean",
        "purchase_probability_dispersion",
    ),
    "active_customers": (
        "initial_active_share",
        "advertising_rate",
        "imitation_rate",
        "base_monthly_churn",
    ),
    "new_customers_per_month": ("advertising_rate", "imitation_rate"),
    "basket_mean_usd": ("basket_value_usd",),
    "basket_sd_usd": ("basket_value_sigma",),
    "claim_rate": ("complaint_propensity_mean", "fraud_propensity_max"),
    "complaint_rate": ("public_share",),
    "refund_share": ("complaint_propensity_mean", "fraud_propensity_max"),
    "audited_fraud_share": ("fraud_propensity_max",),
}


def read_kpis(path: str | Path, option: str = "DATA") -> KPIs:
    """Read and validate a KPI file (a TOML file with a ``[kpis]`` table).

    Args:
        path: The file.
        option: What names the file in messages (the command-line argument).

    Raises:
        ScenarioFileError: Missing, unreadable, too large or not TOML.
        ParameterError: No ``[kpis]`` table, another table, or a bad KPI
            (:meth:`KPIs.from_dict`).
    """
    path = Path(path)
    if path.suffix.lower() not in KPI_SUFFIXES:
        raise ParameterError(option, str(path), "a .toml KPI file")
    document = read_toml(path, "KPI")
    accepts = "a KPI file with one [kpis] table of the client's figures (see examples/kpis.toml)"
    for key in document:
        if key != "kpis":
            raise ParameterError(
                f"{path.name}: [{key}]", "an unknown table", accepts, close_match(key, ["kpis"])
            )
    table = document.get("kpis")
    if not isinstance(table, dict):
        raise ParameterError(f"{path.name}: [kpis]", "nothing" if table is None else table, accepts)
    return KPIs.from_dict(table)


def basket_from_kpis(kpis: KPIs) -> dict[str, float]:
    """The basket parameters in closed form from the basket KPIs given.

    The model's purchase amount is the buyer's basket, lognormal across
    customers with arithmetic mean ``basket_value_usd`` and log-sd
    ``basket_value_sigma``; a lognormal's coefficient of variation is
    ``sqrt(exp(sigma^2) - 1)``, so ``sigma = sqrt(log(1 + (sd / mean)^2))``
    (purchase-weighted: frequent buyers count more, as they do in the KPI).
    Clipped to the declared range.
    """
    out: dict[str, float] = {}
    if kpis.basket_mean_usd is not None:
        out["basket_value_usd"] = kpis.basket_mean_usd
        if kpis.basket_sd_usd is not None and kpis.basket_mean_usd > 0:
            sigma = math.sqrt(math.log1p((kpis.basket_sd_usd / kpis.basket_mean_usd) ** 2))
            high = Scenario.spec("basket_value_sigma").high
            out["basket_value_sigma"] = min(sigma, float(high if high is not None else 3.0))
    return out


def _ratio(num: float | np.number[Any], den: float | np.number[Any]) -> float:
    return float(num / den) if den > 0 else 0.0


def compute_kpis(
    log: pd.DataFrame,
    claims: pd.DataFrame | None = None,
    months: int | None = None,
    start: str | None = None,
) -> dict[str, float]:
    """Every KPI of :class:`KPIs` a transaction log (and a claims log) gives.

    Months are calendar months from 1 (the log's first, or ``start``'s) to
    ``T``; a customer is active in month ``t`` if they bought in one of months
    ``t - 2 .. t``, and the monthly averages run over months 3..T, whose
    window lies inside the log (retention over 3..T-1, new customers over
    2..T, as customers seen in month 1 may have bought before).

    Args:
        log: A typed transaction log (:data:`~loyaltysim.fitting.clientdata.LOG_COLUMNS`).
        claims: A typed claims log
            (:data:`~loyaltysim.fitting.clientdata.CLAIM_COLUMNS`), for the
            claim KPIs; ``complaint_rate`` needs its ``public`` column and
            ``audited_fraud_share`` a ``fraudulent`` one (the model's log has
            both). Claims outside months 1..T are left out.
        months: Months covered (``T``; default: to the log's last month).
        start: The date whose month is month 1 (default: the log's first date's).

    Returns:
        KPI name to value, in the order of :class:`KPIs`.

    Example:
        >>> log = pd.DataFrame({"customer_id": ["a", "a", "b", "a"],
        ...     "date": pd.to_datetime(["2025-01-03", "2025-02-10", "2025-02-11", "2025-05-01"]),
        ...     "amount_usd": [10.0, 30.0, 5.0, 15.0]})
        >>> kpis = compute_kpis(log)
        >>> kpis["active_customers"], kpis["monthly_retention"]
        (1.6666666666666667, 0.75)
    """
    month = month_index(log["date"], start)
    n_months = int(months if months is not None else month.max(initial=0))
    span = n_months + 1
    window = ACTIVE_WINDOW_MONTHS
    customer = pd.factorize(log["customer_id"])[0].astype(np.int64)
    amount = log["amount_usd"].to_numpy(dtype=float)
    inside = (month >= 1) & (month <= n_months)
    bought = np.unique(customer[inside] * span + month[inside])
    active = np.unique(
        np.concatenate([bought + k for k in range(window)])
        if bought.size
        else np.zeros(0, dtype=np.int64)
    )
    active = active[active % span <= n_months]
    active_month = active % span
    per_month = np.bincount(active_month, minlength=span)[1:]  # active customers in 1..T
    measured = per_month[window - 1 :]  # months 3..T
    exposure = float(measured.sum())
    stays = np.isin(active + 1, active) & (active_month >= window) & (active_month < n_months)
    first = np.full(int(customer.max(initial=-1)) + 1, span)
    np.minimum.at(first, bought // span, bought % span)
    new = np.bincount(first, minlength=span + 1)[2:span]  # first purchases in months 2..T
    out: dict[str, float] = {
        "monthly_retention": _ratio(np.count_nonzero(stays), per_month[window - 1 : -1].sum()),
        "purchases_per_active_customer": _ratio(
            np.count_nonzero(inside & (month >= window)), exposure
        ),
        "active_customers": float(measured.mean()) if measured.size else 0.0,
        "new_customers_per_month": float(new.mean()) if new.size else 0.0,
        "basket_mean_usd": float(amount.mean()) if amount.size else 0.0,
        "basket_sd_usd": float(amount.std()) if amount.size else 0.0,
    }
    if claims is None:
        return out
    claim_month = month_index(claims["date"], start or _first_date(log))
    counted = (claim_month >= window) & (claim_month <= n_months)
    out["claim_rate"] = _ratio(np.count_nonzero(counted), exposure)
    if PUBLIC_COLUMN in claims.columns:
        public = claims[PUBLIC_COLUMN].to_numpy(dtype=bool)
        out["complaint_rate"] = _ratio(np.count_nonzero(counted & public), exposure)
    within = (claim_month >= 1) & (claim_month <= n_months)
    paid = claims["outcome"].isin(PAID_OUTCOMES).to_numpy() & within
    revenue = float(amount[inside].sum())
    out["refund_share"] = _ratio(
        float(claims["value_usd"].to_numpy(dtype=float)[paid].sum()), revenue
    )
    if "fraudulent" in claims.columns:
        found = claims["fraudulent"].to_numpy(dtype=bool)[within]
        out["audited_fraud_share"] = float(found.mean()) if found.size else 0.0
    return out


def _first_date(log: pd.DataFrame) -> str | None:
    """The log's first date, as text (month 1 of its claims), or ``None`` for an empty log."""
    return None if len(log) == 0 else str(pd.Timestamp(log["date"].min()).date())
