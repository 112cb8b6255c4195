"""The purchase log: off by default, it changes no number, and it recounts the ledger."""

from __future__ import annotations

import numpy as np
import pandas as pd

import loyaltysim as ls
from loyaltysim.submodels.ledger import PURCHASE_LOG_COLUMNS

MARKET = ls.Scenario(n_customers=600, horizon_months=12)


def test_the_purchase_log_recounts_the_ledgers_purchases_month_by_month():
    result = ls.run(MARKET, "verify_first", rng=4, purchases=True)
    log = result.purchases
    assert list(log.columns) == list(PURCHASE_LOG_COLUMNS)
    by_month = log.groupby("month").agg(n=("customer", "size"), usd=("value_usd", "sum"))
    by_month = by_month.reindex(range(1, 13), fill_value=0)
    np.testing.assert_array_equal(by_month["n"], result.monthly["purchases"])
    np.testing.assert_allclose(by_month["usd"], result.monthly["revenue_usd"])
    assert not log.duplicated(["month", "customer"]).any()  # at most one purchase a month


def test_the_purchase_log_is_off_by_default_and_changes_no_number():
    plain = ls.run(MARKET, rng=4)
    logged = ls.run(MARKET, rng=4, purchases=True)
    assert plain.purchases is None and ls.LoyaltyModel(MARKET).purchase_log is None
    pd.testing.assert_frame_equal(plain.monthly, logged.monthly)
    assert plain.summary == logged.summary


def test_an_unrun_models_purchase_log_is_empty_and_typed():
    empty = ls.LoyaltyModel(MARKET, purchase_log=True).purchase_log.frame()
    assert empty.empty and list(empty.columns) == list(PURCHASE_LOG_COLUMNS)
    assert empty["value_usd"].dtype == float
