"""The one summary-statistics function of a transaction log, observed or simulated.

:func:`summarize_log` reduces a log in the format of
:data:`~loyaltysim.fitting.clientdata.LOG_COLUMNS` to the numbers of
:data:`SUMMARIES`. The fit (:mod:`loyaltysim.fitting.fit`) calls it on the
client's log and on every log the model writes, so there is no second
implementation to drift.

A log is first binned by calendar month: month 1 is the log's first month,
``T`` its last; a customer's *purchase months* are the months they bought in
(the model buys at most once a month). Every summary is a ratio, so a
simulated market need not have the client's size, only its share of
customers (``reach``). A summary with nothing to average (no repeat buyer,
a log too short for a lag) is 0.

Customers seen in month 1 may have bought before the log began, so the
"new customer" and cohort summaries count cohorts from month 2 on; the model
starts with ``initial_active_share`` of the market as customers and is cut
the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "BASKET_SUMMARIES",
    "RETENTION_LAGS",
    "SUMMARIES",
    "month_index",
    "summarize_log",
]

#: Months after a customer's first purchase month at which cohort retention is measured.
RETENTION_LAGS = (1, 3, 6, 12)

#: Every summary :func:`summarize_log` returns, with its meaning (``retention_K`` exists for
#: each lag of :data:`RETENTION_LAGS` shorter than the log).
SUMMARIES: dict[str, str] = {
    "reach": "customers in the log / people in the market",
    "new_per_month": "new customers a month (months 2..T) / buyers of month 1",
    "new_trend": "new customers in the second half of months 2..T / in the first half",
    "active_trend": "buyers of the last 3 months / buyers of the first 3 months",
    "one_time_share": "share of customers with one purchase month",
    "repeat_share_5": "share of customers with 5 or more purchase months",
    "purchase_months_mean": "mean purchase months per customer",
    "repeat_rate": "mean over repeat customers of (purchase months - 1) / months from first "
    "to last purchase",
    "repeat_rate_sd": "standard deviation of that rate over repeat customers",
    "gap_mean_months": "mean gap between consecutive purchase months, in months",
    "gap_long_share": "share of gaps longer than 3 months",
    **{
        f"retention_{k}": f"share of the cohorts of months 2..T-{k} who buy {k} months after "
        "their first month"
        for k in RETENTION_LAGS
    },
    "still_active_share": "share of customers first seen in months 2..T/2 who buy in one of "
    "the last 3 months",
    "purchases_per_active_month": "transactions per customer-month with a purchase (1 in the "
    "model, which buys at most once a month)",
    "basket_mean_usd": "mean over customers of their mean transaction amount, USD",
    "basket_log_sd": "standard deviation over customers of the log of their mean amount "
    "(customers with a positive mean)",
}

#: The summaries of the basket: estimated in closed form, so left out of the fit's distance.
BASKET_SUMMARIES = ("basket_mean_usd", "basket_log_sd", "purchases_per_active_month")


def month_index(dates: pd.Series, start: str | None = None) -> np.ndarray:
    """Each date's calendar month, from 1 at ``start``'s month (default: the first date's)."""
    values = pd.DatetimeIndex(dates)
    absolute = values.year.to_numpy() * 12 + values.month.to_numpy()
    if start is not None:
        first = pd.Timestamp(start)
        return (absolute - (first.year * 12 + first.month) + 1).astype(np.int64)
    if absolute.size == 0:
        return np.zeros(0, dtype=np.int64)
    return (absolute - absolute.min() + 1).astype(np.int64)


def _names(n_months: int) -> list[str]:
    """The summaries of a log of ``n_months`` months (the retention lags it is long enough for)."""
    return [
        name
        for name in SUMMARIES
        if not name.startswith("retention_") or int(name.split("_")[1]) <= n_months - 2
    ]


def _ratio(num: float | np.number[Any], den: float | np.number[Any]) -> float:
    return float(num / den) if den > 0 else 0.0


def summarize_log(
    log: pd.DataFrame, market_size: int, months: int | None = None, start: str | None = None
) -> dict[str, float]:
    """The summaries of :data:`SUMMARIES` of a transaction log.

    Args:
        log: A log with :data:`~loyaltysim.fitting.clientdata.LOG_COLUMNS`
            (typed: dates as dates, amounts as numbers).
        market_size: People in the market (prospects, customers, lapsed),
            the denominator of ``reach``.
        months: Months the log covers (``T``); by default from its first to
            its last date. A simulated log passes its horizon, so a month
            without a purchase at the end still counts.
        start: The date whose month is month 1; by default the log's first
            date's. A simulated log passes the date of the model's month 1,
            so months before the first purchase still count.

    Returns:
        Summary name to value, in the order of :data:`SUMMARIES` (the
        retention lags the log is long enough for).

    Example:
        >>> import pandas as pd
        >>> log = pd.DataFrame({"customer_id": ["a", "a", "b"],
        ...     "date": pd.to_datetime(["2025-01-03", "2025-02-10", "2025-02-11"]),
        ...     "amount_usd": [10.0, 30.0, 5.0]})
        >>> summarize_log(log, market_size=10)["reach"]
        0.2
    """
    month = month_index(log["date"], start)
    n_months = int(months if months is not None else month.max(initial=0))
    if month.size == 0:  # a simulated market where no one bought
        return dict.fromkeys(_names(n_months), 0.0)
    customer = pd.factorize(log["customer_id"])[0]
    amount = log["amount_usd"].to_numpy(dtype=float)
    n_customers = int(customer.max()) + 1 if customer.size else 0
    # one row per customer-month with a purchase, sorted by customer then month
    key = customer.astype(np.int64) * (n_months + 1) + month
    unique_key, per_key = np.unique(key, return_counts=True)
    who = unique_key // (n_months + 1)
    when = unique_key % (n_months + 1)
    counts = np.bincount(who, minlength=n_customers)
    first = np.full(n_customers, n_months + 1)
    np.minimum.at(first, who, when)
    last = np.zeros(n_customers, dtype=np.int64)
    np.maximum.at(last, who, when)
    buyers = np.bincount(when, minlength=n_months + 1)[1:]  # buyers per month 1..T
    new = np.bincount(first, minlength=n_months + 2)[1 : n_months + 1]
    later_new = new[1:]
    half = later_new.size // 2
    out: dict[str, float] = {
        "reach": _ratio(n_customers, market_size),
        "new_per_month": _ratio(later_new.mean() if later_new.size else 0.0, buyers[0]),
        "new_trend": _ratio(later_new[later_new.size - half :].sum(), later_new[:half].sum()),
        "active_trend": _ratio(buyers[-3:].sum(), buyers[:3].sum()),
        "one_time_share": _ratio(np.count_nonzero(counts == 1), n_customers),
        "repeat_share_5": _ratio(np.count_nonzero(counts >= 5), n_customers),
        "purchase_months_mean": _ratio(counts.sum(), n_customers),
    }
    repeat = counts >= 2
    rates = (counts[repeat] - 1) / (last[repeat] - first[repeat])
    out["repeat_rate"] = float(rates.mean()) if rates.size else 0.0
    out["repeat_rate_sd"] = float(rates.std()) if rates.size else 0.0
    same = who[1:] == who[:-1]
    gaps = (when[1:] - when[:-1])[same]
    out["gap_mean_months"] = float(gaps.mean()) if gaps.size else 0.0
    out["gap_long_share"] = _ratio(np.count_nonzero(gaps > 3), gaps.size)
    for k in RETENTION_LAGS:
        if k > n_months - 2:
            continue
        cohort = np.flatnonzero((first >= 2) & (first <= n_months - k))
        again = np.isin(cohort * (n_months + 1) + first[cohort] + k, unique_key)
        out[f"retention_{k}"] = _ratio(np.count_nonzero(again), cohort.size)
    early = (first >= 2) & (first <= n_months // 2)
    out["still_active_share"] = _ratio(
        np.count_nonzero(early & (last > n_months - 3)), np.count_nonzero(early)
    )
    out["purchases_per_active_month"] = _ratio(per_key.sum(), per_key.size)
    spend = np.bincount(customer, weights=amount, minlength=n_customers)
    mean_amount = spend / np.maximum(np.bincount(customer, minlength=n_customers), 1)
    positive = mean_amount[mean_amount > 0]
    out["basket_mean_usd"] = float(mean_amount.mean()) if n_customers else 0.0
    out["basket_log_sd"] = float(np.log(positive).std()) if positive.size > 1 else 0.0
    return out
