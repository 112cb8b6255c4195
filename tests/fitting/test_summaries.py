"""The one summary function, checked by hand on a small log."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from loyaltysim.fitting import SUMMARIES, basket_estimates, summarize_log


def frame(rows):
    ids, dates, amounts = zip(*rows, strict=True)
    return pd.DataFrame({"customer_id": ids, "date": pd.to_datetime(dates), "amount_usd": amounts})


# months 1..8: a buys in 1, 2, 4, 8 (twice in 2); b in 2 and 3; c in 3 only; d in 5
LOG = frame(
    [
        ("a", "2025-01-05", 10.0),
        ("a", "2025-02-01", 10.0),
        ("a", "2025-02-20", 30.0),
        ("a", "2025-04-01", 10.0),
        ("a", "2025-08-31", 20.0),
        ("b", "2025-02-10", 100.0),
        ("b", "2025-03-10", 100.0),
        ("c", "2025-03-03", 5.0),
        ("d", "2025-05-03", 0.0),
    ]
)


def test_each_summary_by_hand():
    s = summarize_log(LOG, market_size=20)
    assert list(s) == [k for k in SUMMARIES if k != "retention_12"]
    assert s["reach"] == 4 / 20
    # new customers in months 2..8: b (2), c (3), d (5) -> 3 / 7 a month over month 1's 1 buyer
    assert s["new_per_month"] == pytest.approx(3 / 7)
    # months 2..8 = 7 months, halves of 3: first (2, 3, 4) has 2 new, second (6, 7, 8) none
    assert s["new_trend"] == 0.0
    # buyers of months 6..8: a; of months 1..3: a, a, b, b, c
    assert s["active_trend"] == pytest.approx(1 / 5)
    assert s["one_time_share"] == pytest.approx(2 / 4)
    assert s["purchase_months_mean"] == pytest.approx((4 + 2 + 1 + 1) / 4)
    # repeat rates: a (4 - 1) / (8 - 1), b (2 - 1) / (3 - 2)
    rates = np.array([3 / 7, 1.0])
    assert s["repeat_rate"] == pytest.approx(rates.mean())
    assert s["repeat_rate_sd"] == pytest.approx(rates.std())
    # gaps: a 1, 2, 4; b 1
    assert s["gap_mean_months"] == pytest.approx(8 / 4)
    assert s["gap_long_share"] == pytest.approx(1 / 4)
    # cohorts from month 2: b (2), c (3), d (5); one month on only b buys again
    assert s["retention_1"] == pytest.approx(1 / 3)
    # still active: first seen in months 2..4 (b, c); bought in months 6..8: neither
    assert s["still_active_share"] == 0.0
    assert s["purchases_per_active_month"] == pytest.approx(9 / 8)
    assert s["basket_mean_usd"] == pytest.approx((16 + 100 + 5 + 0) / 4)
    assert s["basket_log_sd"] == pytest.approx(np.log([16.0, 100.0, 5.0]).std())


def test_summaries_do_not_depend_on_row_order_or_names():
    shuffled = LOG.sample(frac=1.0, random_state=1)
    shuffled["customer_id"] = shuffled["customer_id"].map({"a": "z9", "b": "1", "c": "c", "d": "x"})
    assert summarize_log(shuffled, 20) == summarize_log(LOG, 20)


def test_a_horizon_longer_than_the_log_counts_its_quiet_months():
    assert summarize_log(LOG, 20, months=11)["active_trend"] == 0.0


def test_the_basket_in_closed_form_recovers_the_models_lognormal():
    rng = np.random.default_rng(0)
    amounts = rng.lognormal(np.log(50.0) - 0.6**2 / 2, 0.6, size=20_000)
    log = pd.DataFrame(
        {
            "customer_id": np.arange(amounts.size).astype(str),
            "date": pd.Timestamp("2025-01-01"),
            "amount_usd": amounts,
        }
    )
    basket = basket_estimates(log)
    assert basket["basket_value_usd"] == pytest.approx(50.0, rel=0.02)
    assert basket["basket_value_sigma"] == pytest.approx(0.6, rel=0.02)


def test_an_empty_log_has_every_summary_at_zero():
    empty = LOG.iloc[:0]
    assert summarize_log(empty, 20, months=8) == dict.fromkeys(summarize_log(LOG, 20), 0.0)


def test_a_log_counted_from_an_earlier_start_shifts_its_months():
    later = summarize_log(LOG, 20, months=10, start="2024-11-01")
    # 2025-01 is month 3: month 1 has no buyer, so new customers per month is 0
    assert later["new_per_month"] == 0.0
    assert later["active_trend"] == 1.0  # months 8..10: a (in 10); months 1..3: a (in 3)
