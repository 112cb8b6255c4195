"""CDNOW: the shipped log, the standard split, the holdout errors and BG/NBD's fit.

The functions live in :mod:`loyaltysim.evidence.cdnow`; ``benchmarks/cdnow.py`` prints
the full table. Published figures: Fader & Hardie 2001 (23,570 customers, 69,659
transactions), Fader, Hardie & Lee 2005 (the 2,357-customer sample and its BG/NBD
estimates).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from loyaltysim.errors import LoyaltysimError, ParameterError
from loyaltysim.evidence import cdnow
from loyaltysim.evidence.cdnow import (
    PUBLISHED_BGNBD,
    Evaluation,
    Forecast,
    cumulative_errors,
    customer_errors,
    error_ratios,
    evaluate,
    load_cdnow,
    split,
)


@pytest.fixture(scope="module")
def full_log() -> pd.DataFrame:
    return load_cdnow()


@pytest.fixture(scope="module")
def sample_log() -> pd.DataFrame:
    return load_cdnow(sample=True)


def test_the_full_log_has_the_published_counts_and_dates(full_log):
    assert list(full_log.columns) == ["customer_id", "date", "cds", "amount_usd"]
    assert len(full_log) == 69_659
    assert full_log["customer_id"].nunique() == 23_570
    assert full_log["date"].min() == pd.Timestamp("1997-01-01")
    assert full_log["date"].max() == pd.Timestamp("1998-06-30")
    first = full_log.groupby("customer_id")["date"].min()
    assert first.max() <= pd.Timestamp("1997-03-31")  # a first-quarter cohort
    assert (full_log["cds"] >= 1).all() and (full_log["amount_usd"] >= 0).all()


def test_the_sample_is_the_full_logs_rows_for_its_customers(full_log, sample_log):
    assert len(sample_log) == 6_919 and sample_log["customer_id"].nunique() == 2_357
    rows = full_log[full_log["customer_id"].isin(sample_log["customer_id"])]
    order = ["customer_id", "date", "cds", "amount_usd"]
    pd.testing.assert_frame_equal(
        rows.sort_values(order, ignore_index=True), sample_log.sort_values(order, ignore_index=True)
    )


def test_a_damaged_file_is_refused_in_one_line(monkeypatch):
    name, _digest, customers, rows = cdnow._FILES[True]
    monkeypatch.setitem(cdnow._FILES, True, (name, "0" * 64, customers, rows))
    with pytest.raises(LoyaltysimError, match=r"^cdnow_sample\.txt\.gz: damaged"):
        load_cdnow(sample=True)


def test_the_split_on_a_hand_made_log():
    days = {"a": [0, 0, 10, 272, 273, 545, 546], "b": [280, 290], "c": [7]}
    log = pd.DataFrame(
        [
            (c, pd.Timestamp("1997-01-01") + pd.Timedelta(days=d))
            for c, ds in days.items()
            for d in ds
        ],
        columns=["customer_id", "date"],
    )
    result = split(log)
    summary = result.summary
    assert list(summary.index) == ["a", "c"]  # b first bought after calibration
    # a: day 0 twice is one transaction; repeats on days 10 and 272 (the last calibration day)
    assert summary.loc["a", "frequency"] == 2
    assert summary.loc["a", "recency"] == pytest.approx(272 / 7)
    assert summary.loc["a", "T"] == pytest.approx(272 / 7)
    assert summary.loc["a", "holdout"] == 2  # days 273 and 545; day 546 is after week 78
    assert tuple(summary.loc["c", ["frequency", "recency", "holdout"]]) == (0, 0, 0)
    assert summary.loc["c", "T"] == pytest.approx(265 / 7)
    expected = np.ones(39)
    expected[-1] = 2  # week 40 (days 273-279) holds one, week 78 (days 539-545) the other
    np.testing.assert_array_equal(result.holdout_cumulative, expected)
    np.testing.assert_array_equal(result.holdout_week_numbers, np.arange(40, 79))


def test_the_split_refuses_weeks_under_one():
    log = pd.DataFrame({"customer_id": [1], "date": [pd.Timestamp("1997-01-01")]})
    with pytest.raises(ParameterError, match=r"^calibration_weeks: got 0; accepts"):
        split(log, calibration_weeks=0)


def test_the_sample_split_matches_the_published_summary(sample_log):
    result = split(sample_log)
    summary = result.summary
    assert len(summary) == 2_357
    # the sample's first customer (full-data id 4) in the published summary: x = 2,
    # t_x = 30.43, T = 38.86 weeks
    assert summary.loc[4, "frequency"] == 2
    assert summary.loc[4, "recency"] == pytest.approx(30.43, abs=0.005)
    assert summary.loc[4, "T"] == pytest.approx(38.86, abs=0.005)
    assert summary["frequency"].sum() == 2_457  # repeat transactions, weeks 1-39
    assert result.holdout_cumulative[-1] == summary["holdout"].sum() == 1_882
    assert np.all(np.diff(result.holdout_cumulative) >= 0)


def test_the_cumulative_errors_by_hand():
    # week 1: 11 against 10 (+10%), week 2: 18 against 20 (-10%)
    assert cumulative_errors(np.array([11.0, 18.0]), np.array([10.0, 20.0])) == (-10.0, 10.0)
    with pytest.raises(ParameterError, match=r"^forecast\.cumulative"):
        cumulative_errors(np.array([1.0]), np.array([1.0, 2.0]))


def test_the_customer_errors_by_hand():
    actual = pd.Series([0, 2, 3], index=[7, 8, 9])
    forecast = pd.Series([4.0, 2.0, 1.0], index=[9, 8, 7])  # any order, aligned by id
    mae, r = customer_errors(forecast, actual)
    assert mae == pytest.approx((1 + 0 + 1) / 3)
    # deviations from the means (5/3 and 7/3): (-5/3, 1/3, 4/3) and (-4/3, -1/3, 5/3)
    assert r == pytest.approx((20 / 9 - 1 / 9 + 20 / 9) / np.sqrt(42 / 9 * 42 / 9))
    with pytest.raises(ParameterError, match=r"^forecast\.per_customer: got 'no value for 1"):
        customer_errors(forecast.drop(8), actual)


def test_evaluate_on_a_hand_made_forecast():
    dates = ["1997-01-01", "1997-10-01", "1997-01-01", "1998-05-01", "1998-06-30"]
    log = pd.DataFrame({"customer_id": [1, 1, 2, 2, 2], "date": pd.to_datetime(dates)})
    actual = split(log)  # holdout transactions in weeks 40 (1), 70 (2) and 78 (2)
    expected = np.r_[np.full(30, 1.0), np.full(8, 2.0), 3.0]
    np.testing.assert_array_equal(actual.holdout_cumulative, expected)
    exact = Forecast("exact", expected, pd.Series([1.0, 2.0], index=[1, 2]))
    perfect = evaluate(exact, actual)
    assert (perfect.total_error_pct, perfect.path_mape_pct, perfect.customer_mae) == (0, 0, 0)
    assert perfect.customer_correlation == pytest.approx(1.0)
    flat = Forecast("flat", np.full(39, 1.0), pd.Series([1.5, 0.5], index=[1, 2]))
    judged = evaluate(flat, actual)
    assert (judged.actual_total, judged.forecast_total) == (3.0, 1.0)
    assert judged.total_error_pct == pytest.approx(-200 / 3)
    # 30 weeks right, 8 weeks half (-50%), week 78 a third (-66.7%)
    assert judged.path_mape_pct == pytest.approx((8 * 50 + 200 / 3) / 39)
    assert judged.customer_mae == pytest.approx(1.0)
    assert judged.customer_correlation == pytest.approx(-1.0)


def test_error_ratios():
    model = Evaluation("model", 100, 110, 10.0, 6.0, 0.5, 0.6)
    baseline = Evaluation("baseline", 100, 95, -5.0, 4.0, 0.4, 0.7)
    assert error_ratios(model, baseline) == {
        "total_error": 2.0,
        "path_mape": 1.5,
        "customer_mae": 1.25,
    }
    perfect = Evaluation("perfect", 100, 100, 0.0, 0.0, 0.0, 1.0)
    assert error_ratios(perfect, perfect)["path_mape"] == 1.0
    assert error_ratios(model, perfect)["path_mape"] == float("inf")


@pytest.mark.slow
def test_bgnbd_by_pymc_marketing_recovers_the_published_estimates(sample_log):
    pytest.importorskip("pymc_marketing")
    result = split(sample_log)
    fit = cdnow.fit_bgnbd(result)
    # published to three decimals: within 0.001 of each
    for name, published in PUBLISHED_BGNBD.items():
        assert fit.parameters[name] == pytest.approx(published, abs=1e-3), name
    forecast = cdnow.bgnbd_forecast(fit, result)
    assert forecast.cumulative[-1] == pytest.approx(forecast.per_customer.sum())
    assert np.all(np.diff(forecast.cumulative) > 0)
    judged = evaluate(forecast, result)
    # BG/NBD's holdout forecast is within 15% of the 1,882 repeat transactions and ranks
    # customers (r > 0.5); a broken forecast (wrong time unit, unconditional) fails one
    assert abs(judged.total_error_pct) < 15 and judged.customer_correlation > 0.5
