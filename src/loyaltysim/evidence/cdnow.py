"""The CDNOW transaction log, its calibration/holdout split and model-agnostic forecast errors.

CDNOW (Fader & Hardie 2001; Fader, Hardie & Lee 2005) is the purchase history of
the 23,570 customers who first bought at the online CD retailer CDNOW in the
first quarter of 1997: 69,659 transactions up to 1998-06-30, each with the
customer, the day, the number of CDs and the amount in US dollars. The package
ships it (``evidence/data/cdnow_master.txt.gz``, and the 1/10 sample of 2,357
customers on which Fader, Hardie & Lee estimated the BG/NBD model,
``evidence/data/cdnow_sample.txt.gz``), taken unchanged from the files
``lifetimes/datasets/CDNOW_master.txt`` and ``CDNOW_sample.txt`` of the
``lifetimes`` 0.11.3 wheel on PyPI (MIT licence, Copyright (c) 2015 Cameron
Davidson-Pilon); ``evidence/data/README.md`` gives the checksums and the licence
text, and :func:`load_cdnow` checks the checksum and the published counts on
every load. Nothing is downloaded.

The standard split (Fader, Hardie & Lee 2005): time in weeks from 1997-01-01
(day 0); several purchases by one customer on one day are one transaction;
a customer's first transaction is not a repeat. Calibration is weeks 1-39 (days
0-272, to 1997-09-30) and the holdout weeks 40-78 (days 273-545, to
1998-06-30). A customer's calibration summary is ``frequency`` (repeat
transactions in calibration), ``recency`` (weeks from the first to the last of
them, 0 without one) and ``T`` (weeks from the first purchase to the last day
of calibration), as in the published summaries.

Any model is judged the same way: it hands over a :class:`Forecast` (the expected
cumulative repeat transactions of the whole cohort at the end of each holdout
week, and each customer's expected holdout transactions) and :func:`evaluate`
measures it against the actual holdout: the error at week 78 and the mean
absolute percentage error over the weekly path, and per customer the mean
absolute error and the Pearson correlation; :func:`error_ratios` divides one
model's errors by another's. :func:`fit_bgnbd` and :func:`bgnbd_forecast` give the
first model, BG/NBD fitted by ``pymc-marketing`` (the ``cdnow`` extra).

The second is loyaltysim itself (``papers/odd.md`` section 6.2, "Validation on real
customers"): the calibration weeks are exactly the calendar months 1997-01 to
1997-09 and the holdout 1997-10 to 1998-06, so each customer's
history becomes purchase months (:func:`monthly_histories`); the model's purchase
and churn steps in a closed cohort (:func:`cdnow_market`) are fitted to them by
maximum likelihood (:func:`fit_purchase_side`), and the model, started from each
real customer's posterior state, is run over the holdout's months
(:func:`abm_forecast`). :func:`compare_models` runs both models on one log;
:func:`purchase_month_cap` measures what a model of at most one purchase a month
cannot forecast.

Example:
    >>> from loyaltysim.evidence.cdnow import load_cdnow, split
    >>> log = load_cdnow(sample=True)
    >>> cdnow = split(log)
    >>> len(cdnow.summary), int(cdnow.summary["frequency"].sum()), int(cdnow.holdout_cumulative[-1])
    (2357, 2457, 1882)
"""

from __future__ import annotations

import gzip
import hashlib
import io
import time
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from loyaltysim.errors import LoyaltysimError, ParameterError
from loyaltysim.fitting.summaries import month_index
from loyaltysim.scenario import Scenario

__all__ = [
    "ABM_FITTED",
    "ABM_POLICY",
    "ABM_REPLICATIONS",
    "ABM_SEED",
    "CALIBRATION_WEEKS",
    "CUSTOMERS",
    "HOLDOUT_WEEKS",
    "LOYALTY_POINTS",
    "PUBLISHED_BGNBD",
    "SAMPLE_CUSTOMERS",
    "SAMPLE_TRANSACTIONS",
    "START",
    "TRANSACTIONS",
    "BGNBDFit",
    "Comparison",
    "Evaluation",
    "Forecast",
    "MonthlyHistories",
    "PurchaseFit",
    "Split",
    "abm_forecast",
    "bgnbd_forecast",
    "calibration_weekly",
    "cdnow_market",
    "compare_models",
    "cumulative_errors",
    "customer_errors",
    "error_ratios",
    "evaluate",
    "fit_bgnbd",
    "fit_purchase_side",
    "load_cdnow",
    "monthly_histories",
    "one_purchase_a_month",
    "purchase_month_cap",
    "split",
]

#: Customers and transactions (log rows) of the full data set (Fader & Hardie 2001).
CUSTOMERS = 23_570
TRANSACTIONS = 69_659
#: Customers and transactions (log rows) of the 1/10 sample (Fader, Hardie & Lee 2005).
SAMPLE_CUSTOMERS = 2_357
SAMPLE_TRANSACTIONS = 6_919
#: Day 0 of the weekly clock.
START = pd.Timestamp("1997-01-01")
#: The standard split: weeks 1-39 calibrate, weeks 40-78 are the holdout.
CALIBRATION_WEEKS = 39
HOLDOUT_WEEKS = 39
#: BG/NBD maximum-likelihood estimates on the sample's calibration weeks
#: (Fader, Hardie & Lee 2005, section 4).
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}

#: file name, SHA-256 of the original (uncompressed) file, customers, rows
_FILES = {
    False: (
        "cdnow_master.txt.gz",
        "eff6889ed364c5199d6eacbbeb7a6d559971df4406ac876f322c373f00a072ef",
        CUSTOMERS,
        TRANSACTIONS,
    ),
    True: (
        "cdnow_sample.txt.gz",
        "6fae10155c0b0ba363c2c386e30f77990d22328220efd862a5edd1443420d94a",
        SAMPLE_CUSTOMERS,
        SAMPLE_TRANSACTIONS,
    ),
}
_COLUMNS = ["customer_id", "date", "cds", "amount_usd"]


def load_cdnow(*, sample: bool = False) -> pd.DataFrame:
    """The CDNOW transaction log, one row per recorded purchase.

    Args:
        sample: The 1/10 sample of 2,357 customers (Fader, Hardie & Lee 2005)
            instead of the full 23,570. The sample keeps the full data set's
            customer ids.

    Returns:
        Columns ``customer_id`` (int), ``date`` (datetime64), ``cds`` (number
        of CDs, int) and ``amount_usd`` (float), in the file's order.

    Raises:
        LoyaltysimError: The shipped file does not have its published checksum,
            rows or customers (a damaged installation).
    """
    name, digest, customers, rows = _FILES[sample]
    raw = gzip.decompress((resources.files("loyaltysim.evidence") / "data" / name).read_bytes())
    if hashlib.sha256(raw).hexdigest() != digest:
        raise LoyaltysimError(f"{name}: damaged (its SHA-256 is not {digest}); reinstall")
    if sample:  # sample id, then the full data set's id
        names = ["customer_id", "sample_id", "date", "cds", "amount_usd"]
        log = pd.read_csv(io.BytesIO(raw), sep=r"\s+", header=None, names=names)
    else:
        log = pd.read_csv(io.BytesIO(raw), sep=r"\s+", header=0, names=_COLUMNS)
    log = log[_COLUMNS].astype({"customer_id": "int64", "cds": "int64", "amount_usd": "float64"})
    log["date"] = pd.to_datetime(log["date"].astype(str), format="%Y%m%d")
    found = (len(log), log["customer_id"].nunique())
    if found != (rows, customers):
        raise LoyaltysimError(
            f"{name}: {found[0]:,} rows of {found[1]:,} customers, not the published "
            f"{rows:,} of {customers:,}; reinstall"
        )
    return log


@dataclass(frozen=True)
class Split:
    """A transaction log cut into calibration and holdout (see the module docstring).

    Attributes:
        summary: One row per customer, indexed by ``customer_id``: ``frequency``
            (repeat transactions in calibration), ``recency`` and ``T`` (weeks),
            ``holdout`` (transactions in the holdout).
        holdout_cumulative: Actual cumulative repeat transactions of the cohort
            at the end of each holdout week (``holdout_weeks`` values; the last
            is the holdout's total).
        calibration_weeks: Weeks in calibration.
        holdout_weeks: Weeks in the holdout.
    """

    summary: pd.DataFrame
    holdout_cumulative: np.ndarray
    calibration_weeks: int
    holdout_weeks: int

    @property
    def holdout_week_numbers(self) -> np.ndarray:
        """The holdout's week numbers (40-78 in the standard split)."""
        start = self.calibration_weeks + 1
        return np.arange(start, start + self.holdout_weeks)


def split(
    log: pd.DataFrame,
    *,
    calibration_weeks: int = CALIBRATION_WEEKS,
    holdout_weeks: int = HOLDOUT_WEEKS,
    start: pd.Timestamp = START,
) -> Split:
    """Cut a transaction log into the calibration summary and the holdout's actuals.

    Days count from ``start`` (day 0); week ``w`` is days ``7(w-1)`` to
    ``7w-1``. Several rows of one customer on one day are one transaction.

    Args:
        log: Columns ``customer_id`` and ``date`` (as :func:`load_cdnow` returns).
        calibration_weeks: Weeks in calibration (39 in the standard split).
        holdout_weeks: Weeks in the holdout (39).
        start: Day 0 of the clock (1997-01-01).

    Returns:
        The :class:`Split`. Customers whose first purchase is after calibration
        are left out (none in CDNOW).

    Raises:
        ParameterError: A number of weeks under 1, or a purchase before ``start``.
    """
    for name, weeks in (("calibration_weeks", calibration_weeks), ("holdout_weeks", holdout_weeks)):
        if isinstance(weeks, bool) or not isinstance(weeks, int | np.integer) or weeks < 1:
            raise ParameterError(name, weeks, "a whole number of weeks >= 1")
    days = pd.DataFrame(
        {
            "customer_id": log["customer_id"].to_numpy(),
            "day": (pd.to_datetime(log["date"]) - start).dt.days.to_numpy(),
        }
    ).drop_duplicates()
    if len(days) and days["day"].min() < 0:
        raise ParameterError("log.date", str(log["date"].min()), f"dates from {start.date()} on")
    last_calibration_day = 7 * calibration_weeks - 1
    last_day = 7 * (calibration_weeks + holdout_weeks) - 1
    first = days.groupby("customer_id")["day"].transform("min")
    days = days[first <= last_calibration_day].assign(first=first)
    repeat = days[days["day"] > days["first"]]
    in_calibration = repeat[repeat["day"] <= last_calibration_day]
    in_holdout = repeat[(repeat["day"] > last_calibration_day) & (repeat["day"] <= last_day)]
    by_customer = days.groupby("customer_id")["first"].first()
    summary = pd.DataFrame(
        {
            "frequency": in_calibration.groupby("customer_id").size(),
            "recency": (in_calibration.groupby("customer_id")["day"].max() - by_customer) / 7,
            "T": (last_calibration_day - by_customer) / 7,
            "holdout": in_holdout.groupby("customer_id").size(),
        },
        index=by_customer.index,
    )
    summary = summary.fillna({"frequency": 0, "recency": 0.0, "holdout": 0})
    summary = summary.astype({"frequency": "int64", "holdout": "int64"})
    week = (in_holdout["day"].to_numpy() // 7) + 1 - calibration_weeks
    weekly = np.bincount(week - 1, minlength=holdout_weeks)[:holdout_weeks]
    return Split(summary, np.cumsum(weekly).astype(float), calibration_weeks, holdout_weeks)


@dataclass(frozen=True)
class Forecast:
    """What a model predicts for the holdout, in the form :func:`evaluate` reads.

    Attributes:
        name: The model's name in tables.
        cumulative: Expected cumulative repeat transactions of the whole cohort
            at the end of each holdout week (one value per week, non-decreasing).
        per_customer: Each customer's expected holdout transactions, indexed by
            ``customer_id`` (every customer of the split).
    """

    name: str
    cumulative: np.ndarray
    per_customer: pd.Series


@dataclass(frozen=True)
class Evaluation:
    """A forecast's errors against the holdout (see :func:`evaluate`).

    Attributes:
        name: The model's name.
        actual_total: Actual repeat transactions in the holdout (cumulative at its last week).
        forecast_total: The forecast's cumulative at the last holdout week.
        total_error_pct: ``100 (forecast - actual) / actual`` at the last week (signed, %).
        path_mape_pct: Mean over holdout weeks of ``100 |forecast - actual| / actual`` (%).
        customer_mae: Mean over customers of ``|expected - actual|`` holdout
            transactions (transactions per customer).
        customer_correlation: Pearson correlation of expected and actual holdout
            transactions across customers.
    """

    name: str
    actual_total: float
    forecast_total: float
    total_error_pct: float
    path_mape_pct: float
    customer_mae: float
    customer_correlation: float


def cumulative_errors(forecast: np.ndarray, actual: np.ndarray) -> tuple[float, float]:
    """Errors of a cumulative curve: at its last point and over its path.

    Args:
        forecast: Forecast cumulative values, one per week.
        actual: Actual cumulative values, the same weeks (all positive).

    Returns:
        ``(last_error_pct, path_mape_pct)``: the signed percentage error of the
        last value, and the mean absolute percentage error over all values.

    Raises:
        ParameterError: Lengths differ, or an actual value is not positive.

    Example:
        >>> cumulative_errors(np.array([11.0, 18.0]), np.array([10.0, 20.0]))
        (-10.0, 10.0)
    """
    forecast = np.asarray(forecast, dtype=float)
    actual = np.asarray(actual, dtype=float)
    if forecast.shape != actual.shape or forecast.ndim != 1:
        raise ParameterError(
            "forecast.cumulative", f"{forecast.shape} values", f"one value per week {actual.shape}"
        )
    if not np.all(actual > 0):
        raise ParameterError("actual cumulative", "a value <= 0", "positive values")
    relative = (forecast - actual) / actual
    return float(100 * relative[-1]), float(100 * np.mean(np.abs(relative)))


def customer_errors(forecast: pd.Series, actual: pd.Series) -> tuple[float, float]:
    """Per-customer errors: mean absolute error and Pearson correlation.

    Args:
        forecast: Expected holdout transactions, indexed by customer id.
        actual: Actual holdout transactions, indexed by customer id; the
            forecast must cover every one of these customers.

    Returns:
        ``(mae, correlation)``.

    Raises:
        ParameterError: The forecast misses customers of ``actual``.

    Example:
        >>> mae, r = customer_errors(pd.Series([1.0, 2.0, 4.0]), pd.Series([0, 2, 3]))
        >>> round(mae, 4), round(r, 4)
        (0.6667, 0.9286)
    """
    missing = actual.index.difference(forecast.index)
    if len(missing):
        raise ParameterError(
            "forecast.per_customer",
            f"no value for {len(missing):,} customers (first {missing[0]!r})",
            "one value per customer of the holdout",
        )
    predicted = forecast.reindex(actual.index).to_numpy(dtype=float)
    observed = actual.to_numpy(dtype=float)
    mae = float(np.mean(np.abs(predicted - observed)))
    return mae, float(np.corrcoef(predicted, observed)[0, 1])


def evaluate(forecast: Forecast, actual: Split) -> Evaluation:
    """A model's forecast against the holdout of a split.

    Args:
        forecast: The model's :class:`Forecast`.
        actual: The :class:`Split` it forecasts.

    Returns:
        The :class:`Evaluation`.
    """
    total_error, path_mape = cumulative_errors(forecast.cumulative, actual.holdout_cumulative)
    mae, correlation = customer_errors(forecast.per_customer, actual.summary["holdout"])
    return Evaluation(
        name=forecast.name,
        actual_total=float(actual.holdout_cumulative[-1]),
        forecast_total=float(np.asarray(forecast.cumulative)[-1]),
        total_error_pct=total_error,
        path_mape_pct=path_mape,
        customer_mae=mae,
        customer_correlation=correlation,
    )


def error_ratios(model: Evaluation, baseline: Evaluation) -> dict[str, float]:
    """One model's errors divided by another's (below 1: the model is closer).

    Args:
        model: The evaluation to judge.
        baseline: The evaluation it is measured against (BG/NBD).

    Returns:
        ``total_error`` (absolute percentage error at the last week),
        ``path_mape`` and ``customer_mae``, each the model's over the baseline's
        (``inf`` where the baseline's is 0 and the model's is not).

    Example:
        >>> a = Evaluation("abm", 100, 110, 10.0, 6.0, 0.5, 0.6)
        >>> b = Evaluation("bgnbd", 100, 95, -5.0, 4.0, 0.4, 0.7)
        >>> error_ratios(a, b)
        {'total_error': 2.0, 'path_mape': 1.5, 'customer_mae': 1.25}
    """
    pairs = {
        "total_error": (abs(model.total_error_pct), abs(baseline.total_error_pct)),
        "path_mape": (model.path_mape_pct, baseline.path_mape_pct),
        "customer_mae": (model.customer_mae, baseline.customer_mae),
    }
    return {
        key: (ours / theirs if theirs else (1.0 if ours == 0 else float("inf")))
        for key, (ours, theirs) in pairs.items()
    }


@dataclass(frozen=True)
class BGNBDFit:
    """BG/NBD fitted on a calibration summary.

    Attributes:
        parameters: ``r``, ``alpha`` (weeks), ``a`` and ``b`` at the maximum of
            the likelihood.
        seconds: Wall time of the fit (s), the model's compilation included.
        model: The fitted ``pymc_marketing.clv.BetaGeoModel``.
    """

    parameters: dict[str, float]
    seconds: float
    model: Any


def _rfm(summary: pd.DataFrame) -> pd.DataFrame:
    """A split's summary in the columns ``pymc-marketing`` reads."""
    return pd.DataFrame(
        {
            "customer_id": summary.index.to_numpy(),
            "frequency": summary["frequency"].to_numpy(dtype=float),
            "recency": summary["recency"].to_numpy(dtype=float),
            "T": summary["T"].to_numpy(dtype=float),
        }
    )


def fit_bgnbd(calibration: Split) -> BGNBDFit:
    """Fit BG/NBD (Fader, Hardie & Lee 2005) by maximum likelihood with ``pymc-marketing``.

    ``BetaGeoModel`` with flat priors on ``r``, ``alpha``, ``a`` and ``b``, fitted
    by its ``map`` method: the posterior mode under flat priors is the maximum
    of the likelihood, the estimate Fader, Hardie & Lee publish. No random draws.

    Args:
        calibration: The split whose calibration summary is fitted.

    Returns:
        The :class:`BGNBDFit`.
    """
    from pymc_extras.prior import Prior
    from pymc_marketing.clv import BetaGeoModel

    started = time.perf_counter()
    flat = {name: Prior("HalfFlat") for name in PUBLISHED_BGNBD}
    model = BetaGeoModel(model_config=flat)
    model.fit(_rfm(calibration.summary), method="map", progressbar=False)
    values = model.fit_summary()
    parameters = {name: float(values[name]) for name in PUBLISHED_BGNBD}
    return BGNBDFit(parameters, time.perf_counter() - started, model)


def bgnbd_forecast(fit: BGNBDFit, calibration: Split, *, conditional: bool = True) -> Forecast:
    """The fitted BG/NBD model's holdout forecast, as a :class:`Forecast`.

    Conditional (the model's per-customer forecast): each customer's expected
    transactions in the ``t`` weeks after calibration given their
    ``(frequency, recency, T)`` (Fader, Hardie & Lee 2005, eq. 10).
    Unconditional (the cohort's tracking forecast, what a model that does not
    read each customer's history can be compared with): ``E[X(T + t)] - E[X(T)]``
    for a customer first seen ``T`` weeks before the end of calibration (their
    eq. 9). Either is summed over customers at the end of each holdout week,
    and taken per customer at the holdout's end.

    Args:
        fit: The fitted model.
        calibration: The split it was fitted on.
        conditional: Condition on each customer's calibration history.

    Returns:
        The :class:`Forecast`, named ``"BG/NBD"`` or ``"BG/NBD (unconditional)"``.
    """
    data = _rfm(calibration.summary)
    model = fit.model
    since_first = data["T"].to_numpy()

    def expected(weeks: int) -> np.ndarray:
        if conditional:
            draws = model.expected_purchases(data=data, future_t=weeks)
        else:
            draws = model.expected_purchases_new_customer(
                data=data, t=since_first + weeks
            ) - model.expected_purchases_new_customer(data=data, t=since_first)
        return np.asarray(draws.mean(("chain", "draw")).to_numpy(), dtype=float)

    name = "BG/NBD" if conditional else "BG/NBD (unconditional)"
    cumulative = np.array([expected(t).sum() for t in range(1, calibration.holdout_weeks + 1)])
    per_customer = pd.Series(
        expected(calibration.holdout_weeks), index=calibration.summary.index, name=name
    )
    return Forecast(name, cumulative, per_customer)


# --- loyaltysim's own forecast ------------------------------------------------------------
#: The policy the CDNOW market runs under: the service side is not in the data (no claims,
#: no failures), and the neutral policy changes nothing of purchases or churn.
ABM_POLICY = "always_compensate"
#: Equal-probability points at which the loyalty prior is integrated (and drawn from).
LOYALTY_POINTS = 32
#: Replications of the forward run unless told otherwise, and the seed of the published numbers.
ABM_REPLICATIONS = 40
ABM_SEED = 2026
#: What is fitted, in the order of :attr:`PurchaseFit.parameters`.
ABM_FITTED = (
    "purchase_probability_mean",
    "purchase_probability_dispersion",
    "base_monthly_churn",
    "churn_loyalty_sensitivity",
)


@dataclass(frozen=True)
class MonthlyHistories:
    """Each customer's calibration history in whole calendar months (the model's step).

    Month 1 is the month of ``start``; the calibration and holdout must each
    be whole calendar months (the standard split is: 1997-01 to 1997-09 and
    1997-10 to 1998-06, to the day).

    Attributes:
        first_month: Each customer's first purchase month (indexed like the split's summary).
        opportunities: Months after the first purchase month inside calibration (``n``).
        purchase_months: Months among those with at least one purchase (``x``).
        last: The last of them, counted from the first purchase month (``t_x``; 0 if none).
        calibration_months: Calendar months of calibration.
        holdout_months: Calendar months of the holdout.
        holdout_month_days: Days of each holdout month, in order.
        customers: The customer ids, in the split's order.
    """

    first_month: np.ndarray
    opportunities: np.ndarray
    purchase_months: np.ndarray
    last: np.ndarray
    calibration_months: int
    holdout_months: int
    holdout_month_days: np.ndarray
    customers: pd.Index


def _month_bounds(calibration: Split, start: pd.Timestamp) -> tuple[int, np.ndarray]:
    """Calibration months, and the days of each holdout month; refuse a split mid-month."""
    end_calibration = start + pd.Timedelta(days=7 * calibration.calibration_weeks)
    end = end_calibration + pd.Timedelta(days=7 * calibration.holdout_weeks)
    for name, day in (("calibration_weeks", end_calibration), ("holdout_weeks", end)):
        if day.day != 1 or start.day != 1:
            raise ParameterError(
                name,
                getattr(calibration, name),
                "weeks that end on the last day of a calendar month (the model steps in months)",
            )
    months = pd.period_range(start, end - pd.Timedelta(days=1), freq="M")
    calibration_months = int((end_calibration.to_period("M") - start.to_period("M")).n)
    days = np.array([p.days_in_month for p in months[calibration_months:]])
    return calibration_months, days


def _purchases(log: pd.DataFrame, calibration: Split, start: pd.Timestamp) -> pd.DataFrame:
    """The split's customers' transactions (one a day) with their day and calendar month.

    Columns ``customer_id``, ``day`` (from ``start``, day 0) and ``month``
    (calendar month, 1 at ``start``'s, :func:`~loyaltysim.fitting.summaries.month_index`).
    """
    frame = pd.DataFrame(
        {
            "customer_id": log["customer_id"].to_numpy(),
            "day": (pd.to_datetime(log["date"]) - start).dt.days.to_numpy(),
            "month": month_index(log["date"], str(start.date())),
        }
    ).drop_duplicates(["customer_id", "day"])
    return frame[frame["customer_id"].isin(calibration.summary.index)]


def monthly_histories(
    log: pd.DataFrame, calibration: Split, *, start: pd.Timestamp = START
) -> MonthlyHistories:
    """Each customer's purchase months in calibration (see :class:`MonthlyHistories`).

    The model buys at most once a month, so a month with several transactions
    is one purchase month; transactions in the first purchase month after the
    first are not counted (the model's customer joins in that month).

    Args:
        log: The transaction log the split was made from (``customer_id``, ``date``).
        calibration: Its :class:`Split`.
        start: Day 0 of the clock (the split's).

    Returns:
        The :class:`MonthlyHistories`, one entry per customer of the split.

    Raises:
        ParameterError: The calibration or holdout is not whole calendar months.
    """
    calibration_months, holdout_days = _month_bounds(calibration, start)
    frame = _purchases(log, calibration, start)[["customer_id", "month"]].drop_duplicates()
    first = frame.groupby("customer_id")["month"].min().reindex(calibration.summary.index)
    frame = frame.assign(first=frame["customer_id"].map(first))
    repeat = frame[(frame["month"] > frame["first"]) & (frame["month"] <= calibration_months)]
    grouped = repeat.groupby("customer_id")
    index = calibration.summary.index
    x = grouped.size().reindex(index, fill_value=0).to_numpy(dtype=np.int64)
    last_month = grouped["month"].max().reindex(index).to_numpy(dtype=float)
    first_month = first.to_numpy(dtype=np.int64)
    last = np.where(np.isnan(last_month), first_month, last_month).astype(np.int64) - first_month
    return MonthlyHistories(
        first_month=first_month,
        opportunities=calibration_months - first_month,
        purchase_months=x,
        last=last,
        calibration_months=calibration_months,
        holdout_months=len(holdout_days),
        holdout_month_days=holdout_days,
        customers=index,
    )


def cdnow_market(n_customers: int, **fitted: float) -> Scenario:
    """The closed CDNOW cohort as a loyaltysim market.

    Nobody joins (``advertising_rate``, ``imitation_rate`` and
    ``winback_factor`` 0: the cohort is the first quarter's buyers, and a
    customer who has left does not return); the service side that the log
    does not record is off (no failures, so no claims or exits after them,
    and churn does not read satisfaction). What remains is the model's
    purchase step (a Beta-distributed monthly purchase probability) and its
    drift-away churn (``base_monthly_churn`` times
    ``exp(-churn_loyalty_sensitivity (loyalty - 0.5))``, loyalty Beta).

    Args:
        n_customers: The cohort's customers.
        **fitted: Values of :data:`ABM_FITTED` (defaults otherwise).

    Returns:
        The :class:`~loyaltysim.scenario.Scenario`.
    """
    closed = Scenario(
        n_customers=n_customers,
        horizon_months=1,
        initial_customers=n_customers,
        network="complete",
        advertising_rate=0.0,
        imitation_rate=0.0,
        winback_factor=0.0,
        failure_rate=0.0,
        failure_rate_floor=0.0,
        churn_satisfaction_sensitivity=0.0,
        failure_exit_probability=0.0,
    )
    return closed.replace(**fitted) if fitted else closed


@dataclass(frozen=True)
class PurchaseFit:
    """The purchase side of the model fitted to a cohort's monthly histories.

    Attributes:
        parameters: :data:`ABM_FITTED` at the maximum of the likelihood.
        scenario: The CDNOW market (:func:`cdnow_market`) with those values.
        log_likelihood: The maximised log-likelihood.
        seconds: Wall time of the fit (s).
    """

    parameters: dict[str, float]
    scenario: Scenario
    log_likelihood: float
    seconds: float


def _loyalty_points(scenario: Scenario) -> np.ndarray:
    """:data:`LOYALTY_POINTS` equal-probability points of the market's loyalty prior."""
    import scipy.stats

    q = (np.arange(LOYALTY_POINTS) + 0.5) / LOYALTY_POINTS
    mean, dispersion = scenario.loyalty_mean, scenario.loyalty_dispersion
    if dispersion == 0:
        return np.full(LOYALTY_POINTS, mean)
    concentration = 1.0 / dispersion - 1.0
    return np.asarray(scipy.stats.beta.ppf(q, mean * concentration, (1 - mean) * concentration))


def _beta_shapes(mean: float, dispersion: float) -> tuple[float, float]:
    concentration = 1.0 / dispersion - 1.0
    return mean * concentration, (1.0 - mean) * concentration


def _path_terms(
    values: dict[str, float], scenario: Scenario, n: np.ndarray, x: np.ndarray, last: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Likelihood terms of histories ``(n, x, last)``, per loyalty point.

    Returns ``(alive, total)``, each ``(histories, LOYALTY_POINTS)``: the
    probability of the history with the customer still active after the last
    calibration month's churn, and of the history at all (every month they may
    have left in), each at one loyalty point, the purchase probability
    integrated out (Beta: ``B(a + x, b + i - x) / B(a, b)`` for ``i`` months
    active).
    """
    import scipy.special

    a, b = _beta_shapes(
        values["purchase_probability_mean"], values["purchase_probability_dispersion"]
    )
    churn = np.minimum(
        values["base_monthly_churn"]
        * np.exp(-values["churn_loyalty_sensitivity"] * (_loyalty_points(scenario) - 0.5)),
        1.0,
    )
    stay = 1.0 - churn
    months = np.arange(int(n.max(initial=0)) + 1)  # months active after the first: 0..max n
    # purchases: B(a + x, b + i - x) / B(a, b) for i = 0..max n (zero where i < last)
    i = months[None, :]
    beta = np.exp(
        scipy.special.betaln(a + x[:, None], b + np.maximum(i - x[:, None], 0))
        - scipy.special.betaln(a, b)
    )
    beta = np.where((i >= last[:, None]) & (i <= n[:, None]), beta, 0.0)
    # left after month i (i < n): stay^i (1 - stay); active through n: stay^n
    survive = stay[None, :] ** months[:, None]  # (months, points)
    left = beta[:, :, None] * (survive * churn[None, :])[None, :, :]
    left = np.where((i < n[:, None])[:, :, None], left, 0.0).sum(axis=1)
    through = beta[np.arange(n.size), n][:, None] * stay[None, :] ** n[:, None]
    return through * stay[None, :], through + left


def fit_purchase_side(histories: MonthlyHistories) -> PurchaseFit:
    """Fit the model's purchase and churn steps to monthly histories by maximum likelihood.

    In the closed cohort (:func:`cdnow_market`) a customer's months after
    their first are, while active, a purchase with their probability ``p``
    (Beta across customers) and then a churn draw with their ``c`` (from their
    loyalty, Beta). The likelihood of ``x`` purchase months in ``n``, the last
    at ``t_x``, is therefore exact: the sum over the month they may have left
    in (``t_x`` to ``n - 1``, or not yet) of the chance of that path, ``p``
    integrated out in closed form and loyalty at :data:`LOYALTY_POINTS`
    equal-probability points of its prior (this is the discrete-time BG/BB
    model of Fader, Hardie & Shang 2010, with the model's own churn). The
    maximum is found by ``scipy.optimize.minimize`` (L-BFGS-B) inside the
    parameters' declared ranges; histories are grouped, so the cost does not
    grow with customers. No random draws.

    Args:
        histories: The cohort's :class:`MonthlyHistories`.

    Returns:
        The :class:`PurchaseFit`.
    """
    import scipy.optimize

    started = time.perf_counter()
    patterns = np.stack([histories.opportunities, histories.purchase_months, histories.last], 1)
    unique, counts = np.unique(patterns, axis=0, return_counts=True)
    base = cdnow_market(len(histories.customers))
    bounds = []
    for name in ABM_FITTED:
        spec = Scenario.spec(name)
        low, high = float(spec.low or 0.0), float(spec.high if spec.high is not None else 1.0)
        bounds.append((max(low, 1e-4), min(high, 1 - 1e-4) if high == 1.0 else high))

    def negative(point: np.ndarray) -> float:
        values = dict(zip(ABM_FITTED, map(float, point), strict=True))
        _, total = _path_terms(values, base, unique[:, 0], unique[:, 1], unique[:, 2])
        return -float(np.sum(counts * np.log(np.maximum(total.mean(axis=1), 1e-300))))

    start = np.array([getattr(base, name) for name in ABM_FITTED], dtype=float)
    start = np.clip(start, [b[0] for b in bounds], [b[1] for b in bounds])
    best = scipy.optimize.minimize(negative, start, method="L-BFGS-B", bounds=bounds)
    parameters = dict(zip(ABM_FITTED, map(float, best.x), strict=True))
    return PurchaseFit(
        parameters=parameters,
        scenario=base.replace(**parameters),
        log_likelihood=-float(best.fun),
        seconds=time.perf_counter() - started,
    )


def abm_forecast(
    fit: PurchaseFit,
    histories: MonthlyHistories,
    calibration: Split,
    *,
    replications: int = ABM_REPLICATIONS,
    rng: int = ABM_SEED,
) -> Forecast:
    """The holdout forecast of loyaltysim itself, as a :class:`Forecast`: the model run on.

    Each replication starts the closed CDNOW market (:func:`cdnow_market`,
    the fitted purchase side) from the real customers' states at the end of
    calibration, drawn from their posteriors given their monthly histories
    (Bayes' rule under the fitted priors, as in :func:`fit_purchase_side`):
    whether they are still active and at which loyalty (joint, over the
    loyalty points), and, if active, their purchase probability,
    ``Beta(a + x, b + n - x)``. It sets those into the model's population
    (:meth:`Population.assign <loyaltysim.population.Population.assign>`)
    and runs the model's own monthly schedule for the holdout's months
    (:class:`~loyaltysim.model.LoyaltyModel`: its purchase step buys, its
    churn step lets customers leave). A customer's expected purchases in a
    month are their purchase probability if active when the month starts (the
    probability the purchase step buys with), 0 if not; the forecast is the
    mean over replications. Months become weeks by spreading each month's
    expected purchases evenly over its days; a week's cumulative is the sum up
    to its last day. The model buys at most once a month, so this forecasts
    purchase months, not transactions (:func:`purchase_month_cap` measures
    the difference).

    Args:
        fit: The fitted purchase side.
        histories: The customers' :class:`MonthlyHistories` (the fit's).
        calibration: The split (its holdout weeks and customers).
        replications: Forward runs averaged (each draws the customers'
            states anew).
        rng: The seed of every draw (a whole number): replication ``r`` draws
            the states from child ``(r, 0)`` of its SeedSequence and runs the
            model on child ``(r, 1)``.

    Returns:
        The :class:`Forecast`, named ``"loyaltysim"``.

    Raises:
        ParameterError: ``replications`` or ``rng`` is not a whole number
            (at least 1 and 0).
    """
    from loyaltysim.model import LoyaltyModel
    from loyaltysim.params import whole_number
    from loyaltysim.population import ACTIVE, LAPSED

    whole_number("replications", replications, 1)
    whole_number("rng", rng, 0)
    values, scenario = fit.parameters, fit.scenario
    scenario = scenario.replace(horizon_months=histories.holdout_months)
    n, x = histories.opportunities, histories.purchase_months
    alive, total = _path_terms(values, scenario, n, x, histories.last)
    joint = alive / total.sum(axis=1, keepdims=True)  # P(active, loyalty point | history)
    cumulative_joint = np.cumsum(joint, axis=1)
    points = _loyalty_points(scenario)
    a, b = _beta_shapes(
        values["purchase_probability_mean"], values["purchase_probability_dispersion"]
    )
    customers = n.size
    months = histories.holdout_months
    per_month = np.zeros((customers, months))
    for child in np.random.SeedSequence(rng).spawn(replications):
        states, run = child.spawn(2)
        draw = np.random.default_rng(states)
        u = draw.random(customers)
        point = (u[:, None] >= cumulative_joint).sum(axis=1)  # LOYALTY_POINTS: not active
        active = point < LOYALTY_POINTS
        loyalty = points[np.minimum(point, LOYALTY_POINTS - 1)]
        probability = draw.beta(a + x, b + n - x)
        model = LoyaltyModel(scenario, ABM_POLICY, rng=run, inspect_agents=False)
        model.population.assign(
            status=np.where(active, ACTIVE, LAPSED),
            loyalty=loyalty,
            purchase_probability=probability,
        )
        population = model.population
        for month in range(months):
            per_month[:, month] += population.purchase_probability * (population.status == ACTIVE)
            model.step()
    per_month /= replications
    days = histories.holdout_month_days
    daily = np.repeat(per_month.sum(axis=0) / days, days)
    cumulative = np.cumsum(daily)[6::7][: calibration.holdout_weeks]
    per_customer = pd.Series(per_month.sum(axis=1), index=histories.customers, name="loyaltysim")
    return Forecast("loyaltysim", cumulative, per_customer)


def purchase_month_cap(
    log: pd.DataFrame, calibration: Split, *, start: pd.Timestamp = START
) -> dict[str, float]:
    """How much of the holdout a model of at most one purchase a month cannot forecast.

    Args:
        log: The transaction log of the split.
        calibration: Its :class:`Split`.
        start: Day 0 of the clock.

    Returns:
        ``transactions`` (repeat transactions in the holdout), ``purchase_months``
        (customer-months among them with a transaction), ``months_over_one``
        (share of those with more than one transaction), ``transactions_over_one``
        (share of the transactions beyond the first of their month: what the
        cap removes) and ``calibration_per_month`` (repeat transactions per
        purchase month in calibration, the first purchase month aside).
    """
    calibration_months, _ = _month_bounds(calibration, start)
    last_day = 7 * (calibration.calibration_weeks + calibration.holdout_weeks) - 1
    frame = _purchases(log, calibration, start)
    frame = frame[frame["day"] <= last_day]
    first = frame.groupby("customer_id")["month"].transform("min")
    first_day = frame.groupby("customer_id")["day"].transform("min")
    repeat = frame[(frame["day"] > first_day) & (frame["month"] > first)]
    counts = {
        label: repeat[part].groupby(["customer_id", "month"]).size()
        for label, part in (
            ("holdout", repeat["month"] > calibration_months),
            ("calibration", repeat["month"] <= calibration_months),
        )
    }
    held = counts["holdout"]
    return {
        "transactions": float(held.sum()),
        "purchase_months": float(held.size),
        "months_over_one": float((held > 1).mean()),
        "transactions_over_one": float(1 - held.size / held.sum()),
        "calibration_per_month": float(counts["calibration"].sum() / counts["calibration"].size),
    }


def one_purchase_a_month(log: pd.DataFrame) -> pd.DataFrame:
    """The log with only each customer's first transaction of each calendar month.

    What a model of at most one purchase a month can forecast: :func:`split`
    of this log counts purchase months where the full log counts
    transactions.

    Example:
        >>> log = pd.DataFrame({"customer_id": [1, 1, 1],
        ...     "date": pd.to_datetime(["1997-01-05", "1997-01-20", "1997-02-01"])})
        >>> one_purchase_a_month(log)["date"].dt.day.tolist()
        [5, 1]
    """
    dates = pd.DatetimeIndex(log["date"])
    month = dates.year * 12 + dates.month
    order = log.assign(_month=month).sort_values(["customer_id", "date"], kind="stable")
    first = order.drop_duplicates(["customer_id", "_month"]).sort_index()
    return first.drop(columns="_month")


@dataclass(frozen=True)
class Comparison:
    """loyaltysim and BG/NBD on the same split, from one call of :func:`compare_models`.

    Attributes:
        split: The split of the full log.
        purchase_months: The split of :func:`one_purchase_a_month` of the log.
        forecasts: ``"loyaltysim"`` and, when run, ``"BG/NBD"``.
        evaluations: Each forecast against the transactions of the holdout.
        loyaltysim_on_purchase_months: loyaltysim's forecast against the
            holdout's purchase months (what it models).
        ratios: loyaltysim's errors over BG/NBD's (:func:`error_ratios`;
            empty without BG/NBD).
        purchase_fit: The fitted purchase side.
        bgnbd_parameters: BG/NBD's parameters (empty without it).
        cap: :func:`purchase_month_cap` of the log.
        calibration_weekly: Actual repeat transactions in each calibration week.
        replications: loyaltysim's forward runs.
        rng: loyaltysim's seed.
        seconds: Wall time of each step (s).
    """

    split: Split
    purchase_months: Split
    forecasts: dict[str, Forecast]
    evaluations: dict[str, Evaluation]
    loyaltysim_on_purchase_months: Evaluation
    ratios: dict[str, float]
    purchase_fit: PurchaseFit
    bgnbd_parameters: dict[str, float]
    cap: dict[str, float]
    calibration_weekly: np.ndarray
    replications: int
    rng: int
    seconds: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record: configuration, parameters, errors, ratios and the weekly paths.

        ``cumulative`` holds the actual holdout path and each forecast's;
        ``calibration_weekly`` the actual calibration weeks. The paper reads
        this record (``make bench-cdnow`` writes it).
        """
        from dataclasses import asdict

        from loyaltysim.simulation import versions

        return {
            "customers": len(self.split.summary),
            "calibration_weeks": self.split.calibration_weeks,
            "holdout_weeks": self.split.holdout_weeks,
            "rng": self.rng,
            "replications": self.replications,
            "versions": versions(),
            "loyaltysim_parameters": self.purchase_fit.parameters,
            "loyaltysim_log_likelihood": self.purchase_fit.log_likelihood,
            "bgnbd_parameters": self.bgnbd_parameters,
            "evaluations": {name: asdict(e) for name, e in self.evaluations.items()},
            "loyaltysim_on_purchase_months": asdict(self.loyaltysim_on_purchase_months),
            "ratios": self.ratios,
            "cap": self.cap,
            "cumulative": {
                "actual": self.split.holdout_cumulative.tolist(),
                "actual purchase months": self.purchase_months.holdout_cumulative.tolist(),
                **{name: np.asarray(f.cumulative).tolist() for name, f in self.forecasts.items()},
            },
            "calibration_weekly": self.calibration_weekly.tolist(),
            "seconds": self.seconds,
        }


def compare_models(
    log: pd.DataFrame,
    *,
    replications: int = ABM_REPLICATIONS,
    rng: int = ABM_SEED,
    bgnbd: bool = True,
) -> Comparison:
    """Fit loyaltysim (and BG/NBD) to a log's calibration weeks; judge both on its holdout.

    Args:
        log: A transaction log (:func:`load_cdnow`).
        replications: loyaltysim's forward runs (:func:`abm_forecast`).
        rng: loyaltysim's seed (BG/NBD's fit draws nothing).
        bgnbd: Also fit BG/NBD (needs ``pymc-marketing``, the ``cdnow`` extra).

    Returns:
        The :class:`Comparison`.
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    actual = split(log)
    capped = split(one_purchase_a_month(log))
    histories = monthly_histories(log, actual)
    cap = purchase_month_cap(log, actual)
    seconds["split"] = time.perf_counter() - started
    purchase_fit = fit_purchase_side(histories)
    seconds["loyaltysim fit"] = purchase_fit.seconds
    started = time.perf_counter()
    ours = abm_forecast(purchase_fit, histories, actual, replications=replications, rng=rng)
    seconds["loyaltysim forecast"] = time.perf_counter() - started
    forecasts = {ours.name: ours}
    parameters: dict[str, float] = {}
    if bgnbd:
        fitted = fit_bgnbd(actual)
        seconds["BG/NBD fit"] = fitted.seconds
        started = time.perf_counter()
        theirs = bgnbd_forecast(fitted, actual)
        seconds["BG/NBD forecast"] = time.perf_counter() - started
        forecasts[theirs.name] = theirs
        parameters = fitted.parameters
    evaluations = {name: evaluate(forecast, actual) for name, forecast in forecasts.items()}
    ratios = (
        error_ratios(evaluations[ours.name], evaluations["BG/NBD"])
        if "BG/NBD" in evaluations
        else {}
    )
    return Comparison(
        split=actual,
        purchase_months=capped,
        forecasts=forecasts,
        evaluations=evaluations,
        loyaltysim_on_purchase_months=evaluate(ours, capped),
        ratios=ratios,
        purchase_fit=purchase_fit,
        bgnbd_parameters=parameters,
        cap=cap,
        calibration_weekly=calibration_weekly(log, actual),
        replications=replications,
        rng=rng,
        seconds=seconds,
    )


def calibration_weekly(
    log: pd.DataFrame, calibration: Split, *, start: pd.Timestamp = START
) -> np.ndarray:
    """Actual repeat transactions of the split's customers in each calibration week."""
    days = _purchases(log, calibration, start)
    first = days.groupby("customer_id")["day"].transform("min")
    repeat = days[(days["day"] > first) & (days["day"] < 7 * calibration.calibration_weeks)]
    week = repeat["day"].to_numpy() // 7
    return np.bincount(week, minlength=calibration.calibration_weeks).astype(float)
