"""The claim log: one record per claim, whose counts are the ledger's every month."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import loyaltysim as ls
from loyaltysim.submodels.ledger import ANSWER_NAMES, CLAIM_LOG_COLUMNS

#: A market where every answer happens: deflections, investigations, exposed fraud, false
#: accusations and management reversing some of them.
BUSY = ls.Scenario(
    n_customers=3_000,
    horizon_months=18,
    failure_rate=0.1,
    fraud_propensity_max=0.3,
    false_accusation_rate=0.2,
    frontline_deflection_rate=0.2,
)
ESCALATING = ls.Policy.from_spec(
    {
        "preset": "verify_first",
        "recovery": "escalate",
        "recovery_priority": "largest",
        "recovery_capacity_per_1000": 0.667,  # 2 a month among 3,000 people
    }
)
GUARANTEED = ls.Policy.from_spec({"guarantee": "satisfaction", "claims": "threshold"})


def _monthly_count(log: pd.DataFrame, mask: pd.Series, months: pd.Index) -> np.ndarray:
    return log[mask].groupby("month").size().reindex(months, fill_value=0).to_numpy()


@pytest.mark.parametrize("policy", [ESCALATING, GUARANTEED], ids=["escalating", "guaranteed"])
def test_the_log_counts_equal_the_ledger_every_month(policy):
    result = ls.run(BUSY, policy, rng=4, claims=True)
    log, monthly = result.claims, result.monthly
    months = monthly.index
    answer, stands = log["answer"], ~log["reversed"]
    counts = {
        "claims_genuine": log["kind"] == "genuine",
        "claims_mistaken": log["kind"] == "mistaken",
        "claims_fraudulent": log["kind"] == "fraudulent",
        "claims_honoured": answer == "refunded",
        "claims_investigated": answer.isin(["checked_paid", "rejected"]),
        "claims_deflected": (answer == "deflected") & stands,
        "claims_rejected": (answer == "rejected") & stands,
        "claims_reversed": log["reversed"],
        "claims_paid": log["paid"],
        "escalations": log["escalated"],
        "false_accusations": log["falsely_accused"],
        "frauds_detected": log["fraud_exposed"],
    }
    for column, mask in counts.items():
        np.testing.assert_array_equal(
            _monthly_count(log, mask, months), monthly[column].to_numpy(), err_msg=column
        )
    for kind in ("genuine", "mistaken", "fraudulent"):
        paid = log[log["paid"] & (log["kind"] == kind)].groupby("month")["value_usd"].sum()
        np.testing.assert_allclose(
            paid.reindex(months, fill_value=0.0), monthly[f"compensation_{kind}_usd"]
        )
    happened = set(answer[answer.notna()].unique())
    expected = {"checked_paid", "rejected", "deflected"} if policy is ESCALATING else {"refunded"}
    assert expected <= happened
    if policy is ESCALATING:
        assert log["reversed"].any() and log["fraud_exposed"].any() and log["falsely_accused"].any()


def test_the_log_has_its_columns_types_and_names():
    log = ls.run(BUSY, ESCALATING, rng=4, claims=True).claims
    assert list(log.columns) == list(CLAIM_LOG_COLUMNS)
    assert list(log["answer"].cat.categories) == list(ANSWER_NAMES)
    assert list(log["kind"].cat.categories) == ["genuine", "mistaken", "fraudulent"]
    assert log["month"].is_monotonic_increasing and log["month"].between(1, 18).all()
    assert (log["value_usd"] > 0).all() and not log.isna().any().any()
    empty = ls.LoyaltyModel(BUSY, claim_log=True).claim_log.frame()
    assert empty.empty and (empty.dtypes == log.dtypes).all()


def test_the_log_is_off_by_default_reproducible_and_changes_no_number():
    plain = ls.run(BUSY, ESCALATING, rng=4)
    first = ls.run(BUSY, ESCALATING, rng=4, claims=True)
    second = ls.run(BUSY, ESCALATING, rng=4, claims=True)
    assert plain.claims is None and ls.LoyaltyModel(BUSY).claim_log is None
    pd.testing.assert_frame_equal(first.claims, second.claims)
    pd.testing.assert_frame_equal(first.monthly, plain.monthly)
    assert first.summary == plain.summary
