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

__all__ = [
    "CALIBRATION_WEEKS",
    "CUSTOMERS",
    "HOLDOUT_WEEKS",
    "PUBLISHED_BGNBD",
    "SAMPLE_CUSTOMERS",
    "SAMPLE_TRANSACTIONS",
    "START",
    "TRANSACTIONS",
    "BGNBDFit",
    "Evaluation",
    "Forecast",
    "Split",
    "bgnbd_forecast",
    "cumulative_errors",
    "customer_errors",
    "error_ratios",
    "evaluate",
    "fit_bgnbd",
    "load_cdnow",
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
