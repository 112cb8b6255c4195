"""Churn: customers leave faster as satisfaction falls."""

from __future__ import annotations

import loyaltysim as ls
from loyaltysim import Scenario
from loyaltysim.evidence.closed_forms import QUIET


def test_churn_rises_as_satisfaction_falls():
    good = ls.run(Scenario(**QUIET, n_customers=3_000, horizon_months=24), rng=1).summary
    bad = ls.run(
        Scenario(**{**QUIET, "failure_rate": 0.5}, n_customers=3_000, horizon_months=24), rng=1
    ).summary
    assert bad["annual_retention"] < good["annual_retention"] - 0.05
