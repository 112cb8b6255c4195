"""Paired comparisons with common random numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import loyaltysim as ls
from loyaltysim import ParameterError, Scenario


@pytest.fixture(scope="module")
def comparison():
    return ls.compare(Scenario(n_customers=2_000, horizon_months=36), replications=6, rng=3)


def test_comparison_pairs_every_policy_with_every_replication(comparison):
    assert comparison.policies == ls.NAMED_POLICIES
    assert comparison.replications == 6
    assert len(comparison.runs) == 24
    table = comparison.table()
    assert list(table.index) == list(ls.NAMED_POLICIES)
    assert (table["npv_usd_low"] < table["npv_usd"]).all()
    assert (table["npv_usd"] < table["npv_usd_high"]).all()


def test_best_policy_has_the_highest_mean_npv(comparison):
    table = comparison.table(["npv_usd"])
    assert comparison.best == table["npv_usd"].idxmax()
    assert comparison.best in comparison.verdict()


def test_common_random_numbers_tighten_paired_differences(comparison):
    paired = comparison.paired()
    assert paired.loc["always_compensate", "difference"] == 0
    assert (paired["sd_ratio"].drop("always_compensate") < 0.6).all()


def test_comparison_is_repeatable_with_the_same_seed(comparison):
    again = ls.compare(Scenario(n_customers=2_000, horizon_months=36), replications=6, rng=3)
    pd.testing.assert_frame_equal(again.runs, comparison.runs)


def test_replication_r_is_the_run_of_child_seed_r(comparison):
    child = np.random.SeedSequence(3, spawn_key=(4,))
    single = ls.run(Scenario(n_customers=2_000, horizon_months=36), "verify_first", rng=child)
    row = comparison.runs.query("replication == 4 and policy == 'verify_first'").iloc[0]
    assert row["npv_usd"] == single.summary["npv_usd"]


def test_to_dict_is_json_ready(comparison):
    import json

    data = json.loads(json.dumps(comparison.to_dict()))
    assert data["best"] == comparison.best and len(data["runs"]) == 24


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(replications=0), "replications"),
        (dict(policies=[]), "policies"),
        (dict(policies=["verify_first", "verify_first"]), "policies"),
        (dict(policies=["nope"]), "policy"),
    ],
)
def test_bad_comparisons_are_refused(kwargs, name):
    with pytest.raises(ParameterError) as info:
        ls.compare(Scenario(n_customers=100, horizon_months=2), **kwargs)
    assert info.value.name == name
